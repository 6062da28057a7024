"""The instructor tool end to end on the toy assignment: crash safety, determinism, resumability, feedback
without hidden tests or other students' data, export, collect (roster ids, hostile archives) and release."""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from llmcourse.autograde.batch import SCRATCH_PREFIX, autograde
from llmcourse.autograde.collect import collect
from llmcourse.autograde.coursedir import CourseFolders
from llmcourse.autograde.export import export
from llmcourse.autograde.feedback import write_feedback
from llmcourse.autograde.gradebook import integrity_problems
from llmcourse.autograde.reference import ReferenceLosesPoints
from llmcourse.autograde.release import release, scan
from llmcourse.autograde.results import load_results
from llmcourse.autograde.sandbox import Limits
from llmcourse.paths import REPO_ROOT

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import toy  # noqa: E402

CLI = REPO_ROOT / "autograder" / "course_grader.py"
LIMITS = Limits(cell_seconds=8, notebook_seconds=60)
WRONG = "def cosine(a, b):  # {tag}\n    return 0.25\n"


def populate(course_root: Path, count: int = 8) -> None:
    """A class: correct, partly wrong and blank submissions, each carrying its own tag in its code."""
    for number in range(count):
        student = f"s{number:02d}"
        tag = f"private-{student}-c0ffee"
        if number % 3 == 0:
            notebook = toy.correct_notebook(cosine=f"# {tag}\n" + toy.SOLUTION_MARKERS.sub("", toy.COSINE))
        elif number % 3 == 1:
            notebook = toy.correct_notebook(cosine=WRONG.format(tag=tag))
        else:
            notebook = toy.release_notebook()
        toy.submit(course_root, student, notebook)


def scores(results: dict) -> dict:
    return {s: (r["score"], [(c["grade_id"], c["points"], c["message"]) for nb in r["notebooks"] for c in nb["cells"]])
            for s, r in results.items()}


def cli(course_root: Path, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CLI), "--course-root", str(course_root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            **kwargs)


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    root = toy.make_course(tmp_path_factory.mktemp("reference") / "course")
    populate(root)
    course = CourseFolders(root)
    first = autograde(course, toy.ASSIGNMENT, workers=2, limits=LIMITS, progress=False)
    return course, first


def test_scores_of_a_mixed_class(reference_run):
    _, results = reference_run
    assert {s: r["score"] for s, r in results.items()} == {f"s{n:02d}": [5.0, 2.0, 0.0][n % 3] for n in range(8)}


def test_determinism_and_resume(reference_run):
    course, first = reference_run
    again = autograde(course, toy.ASSIGNMENT, workers=2, limits=LIMITS, progress=False, force=True)
    assert scores(again) == scores(first)
    started = time.monotonic()
    resumed = autograde(course, toy.ASSIGNMENT, workers=2, limits=LIMITS, progress=False)  # nothing changed
    assert scores(resumed) == scores(first) and time.monotonic() - started < 10
    toy.submit(course.root, "s01", toy.correct_notebook())  # a re-submission: only it is graded again
    changed = autograde(course, toy.ASSIGNMENT, workers=2, limits=LIMITS, progress=False, log=lambda m: logs.append(m))
    assert changed["s01"]["score"] == 5.0 and "1 to grade" in logs[0]
    toy.submit(course.root, "s01", toy.correct_notebook(cosine=WRONG.format(tag="private-s01-c0ffee")))
    autograde(course, toy.ASSIGNMENT, workers=2, limits=LIMITS, progress=False)
    assert integrity_problems(course, toy.ASSIGNMENT) == []


logs: list[str] = []


def test_sigkill_mid_batch_then_rerun_gives_the_same_grades(reference_run, tmp_path):
    _, reference = reference_run
    root = toy.make_course(tmp_path / "course")
    populate(root)
    course = CourseFolders(root)
    process = cli(root, "autograde", toy.ASSIGNMENT, "--workers", "2", "--no-progress", "--cell-timeout", "8",
                  "--notebook-timeout", "60")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(load_results(course, toy.ASSIGNMENT)) < 2:
        time.sleep(0.05)
    graded_before_kill = len(load_results(course, toy.ASSIGNMENT))
    os.killpg(process.pid, signal.SIGKILL)  # the grader and its workers, mid-batch
    process.wait()
    assert 2 <= graded_before_kill < 8, "the kill should land mid-batch"
    left_behind = list(Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}{process.pid}-*"))
    assert left_behind, "the killed grader's scratch folder should still be there before the re-run"
    rerun = cli(root, "autograde", toy.ASSIGNMENT, "--workers", "2", "--no-progress", "--cell-timeout", "8",
                "--notebook-timeout", "60")
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, out + err
    assert "gradebook integrity: ok" in out
    assert scores(load_results(course, toy.ASSIGNMENT)) == scores(reference)
    assert integrity_problems(course, toy.ASSIGNMENT) == []
    assert not [p for p in left_behind if p.exists()], "the re-run should remove the killed grader's scratch"


def test_feedback_has_no_hidden_tests_and_no_other_students_data(reference_run):
    course, results = reference_run
    pages = write_feedback(course, toy.ASSIGNMENT)
    assert len(pages) == len(results)
    hidden = [line.strip() for line in toy.TEST_NORMALIZE.split("### BEGIN HIDDEN TESTS")[1].splitlines()[1:3]]
    hidden += ["HIDDEN_MARKER_7f3a", "BEGIN HIDDEN TESTS", "check_raises(ValueError"]
    for page in pages:
        text = page.read_text()
        student = page.parts[-3]
        for secret in hidden:
            assert secret not in text, f"{page}: shows hidden test text {secret!r}"
        others = [f"private-s{n:02d}-c0ffee" for n in range(8) if f"s{n:02d}" != student]
        assert not any(tag in text for tag in others), f"{page} shows another student's code"
        assert "normalize([3, 4])" in text  # the visible test is there
    wrong = (course.feedback / "s01" / toy.ASSIGNMENT / f"{toy.ASSIGNMENT}.html").read_text()
    assert "is not right" in wrong and "2 / 6" in wrong


def test_export_csv_and_summary(reference_run):
    course, _ = reference_run
    csv_path, summary, plot = export(course, toy.ASSIGNMENT)
    rows = list(csv.DictReader(open(csv_path)))
    assert len(rows) == 8 and {r["student_id"]: float(r["score"]) for r in rows}["s00"] == 5.0
    text = summary.read_text()
    assert "| test_normalize |" in text and "Hit a limit" in text and "suspicious" in text
    assert plot.stat().st_size > 1000


def test_malformed_notebooks_show_in_export_and_feedback(tmp_path):
    root = toy.make_course(tmp_path / "course")
    toy.submit(root, "broken", raw=b"not json at all")
    toy.submit(root, "extra", toy.correct_notebook(), extra={"notes.txt": b"my notes"})
    course = CourseFolders(root)
    results = autograde(course, toy.ASSIGNMENT, workers=1, limits=LIMITS, progress=False)
    reasons = {"broken": "is not JSON", "extra": "files the assignment does not ask for: notes.txt"}
    exported = open(export(course, toy.ASSIGNMENT)[0]).read()
    pages = {page.parts[-3]: page.read_text() for page in write_feedback(course, toy.ASSIGNMENT)}
    for student, reason in reasons.items():
        assert results[student]["score"] == 0 and results[student]["status"] == "malformed", student
        assert reason in exported, (student, exported)
        assert reason in pages[student] and reason not in pages[({*reasons} - {student}).pop()]


def test_collect_takes_ids_from_the_roster_and_skips_hostile_entries(tmp_path):
    root = toy.make_course(tmp_path / "course")
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,lms_id,name\nalice,1001,Alice\nbob,1002,Bob\ncarol,,Carol\n")
    notebook = nbformat.writes(toy.correct_notebook()).encode()
    bundle = tmp_path / "lms.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("1001/ps00_toy.ipynb", notebook)                 # folder per submission
        archive.writestr("1002_late_ps00_toy.ipynb", notebook)            # LMS-style file name
        archive.writestr("carol/ps00_toy.ipynb", notebook)
        archive.writestr("../../escaped.ipynb", notebook)                 # zip slip
        archive.writestr("/abs/escaped.ipynb", notebook)                  # absolute path
        archive.writestr("1001/inner.zip", b"PK\x03\x04nested")           # nested archive
        archive.writestr("carol/big.bin", b"x" * 5000)                     # oversized
        archive.writestr("mallory_ps00_toy.ipynb", notebook)              # not in the roster
        link = zipfile.ZipInfo("1002/link")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")                             # symlink
    course = CourseFolders(root)
    report = collect(course, toy.ASSIGNMENT, bundle, roster, max_file_bytes=4096)
    assert sorted(report.collected) == ["alice", "bob", "carol"]
    text = "\n".join(report.skipped)
    for expected in ["zip slip", "absolute path", "nested archives", "over the", "'mallory' is not in the roster",
                     "symbolic link"]:
        assert expected in text, text
    assert not list(tmp_path.rglob("escaped.ipynb")) and not Path("/abs").exists()
    assert (course.submitted / "bob" / toy.ASSIGNMENT / "ps00_toy.ipynb").exists()
    assert sorted(p.name for p in course.submitted.iterdir()) == ["alice", "bob", "carol"]


def test_release_bundle_is_scanned(tmp_path):
    root = toy.make_course(tmp_path / "course")
    shutil.rmtree(root / "exercises")
    bundle, problems = release(CourseFolders(root), toy.ASSIGNMENT)
    assert problems == [] and bundle.exists()
    with zipfile.ZipFile(bundle) as archive:
        text = archive.read(f"{toy.ASSIGNMENT}/{toy.ASSIGNMENT}.ipynb").decode()
    assert "NotImplementedError" in text and "HIDDEN_MARKER" not in text
    leaky = tmp_path / "leaky.zip"
    with zipfile.ZipFile(leaky, "w") as archive:
        archive.writestr("x.ipynb", "length = np.linalg.norm(v)")
    assert scan(leaky, ["length = np.linalg.norm(v)"]) and scan(leaky, ["unrelated line here"]) == []


def test_sandbox_hides_every_top_level_folder_but_the_systems_own():
    # Another copy of the course (solutions, a gradebook) may sit anywhere on the machine: only system folders
    # stay visible, and symlinks such as /bin -> usr/bin are never mounted over (that would hide their target).
    from llmcourse.autograde.sandbox import SYSTEM_FOLDERS, top_level_folders_to_hide

    hidden = set(top_level_folders_to_hide())
    for name in os.listdir("/"):
        path = f"/{name}"
        if os.path.islink(path) or not os.path.isdir(path):
            assert path not in hidden
        elif name not in SYSTEM_FOLDERS:
            assert path in hidden, f"{path} would be readable by student code"
    assert {"/usr", "/etc", "/proc"}.isdisjoint(hidden)


def test_autograde_refuses_an_assignment_whose_reference_loses_points(tmp_path):
    root = toy.make_course(tmp_path / "course")
    source = root / "solutions" / toy.ASSIGNMENT / f"{toy.ASSIGNMENT}.ipynb"
    notebook = nbformat.read(source, as_version=4)
    test_cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_cosine")
    # an object of a class defined in the test cell itself cannot be sent to the student's process
    test_cell.source = "class Vector(list):\n    pass\n\n" + test_cell.source.replace(
        "cosine([1.0, 0.0], [1.0, 1.0])", "cosine(Vector([1.0, 0.0]), Vector([1.0, 1.0]))", 1)
    nbformat.write(notebook, source)
    toy.submit(root, "s00", toy.correct_notebook())
    course = CourseFolders(root)
    with pytest.raises(ReferenceLosesPoints, match=r"ps00_toy.ipynb, test_cosine: .*Vector.*cannot take"):
        autograde(course, toy.ASSIGNMENT, workers=1, limits=LIMITS, progress=False)
    assert load_results(course, toy.ASSIGNMENT) == {}
    done = cli(root, "autograde", toy.ASSIGNMENT, "--workers", "1", "--no-progress")
    out, err = done.communicate(timeout=120)
    assert done.returncode == 1 and "REFUSED" in err and "test_cosine" in err, out + err


@pytest.mark.parametrize("assignment", sorted(p.name for p in (REPO_ROOT / "solutions").iterdir() if p.is_dir()))
def test_every_course_assignment_releases(tmp_path, assignment):
    """The shipped release of each real assignment, zipped as `course_grader.py release` zips it: the scan finds no
    solution or hidden-test line and does not refuse lines the template shows students on purpose."""
    from llmcourse.autograde.release import secret_lines

    course = CourseFolders(REPO_ROOT)
    release_nb = REPO_ROOT / "exercises" / assignment
    bundle = tmp_path / f"{assignment}.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for path in sorted(release_nb.rglob("*")):
            if path.is_file():
                archive.write(path, f"{assignment}/{path.relative_to(release_nb).as_posix()}")
    secrets = secret_lines(course, assignment)
    assert len(secrets) >= 10, f"{assignment}: only {len(secrets)} secret lines: the scan would prove little"
    assert scan(bundle, secrets) == []
    # ... and the scan still catches a solution line pasted into the release
    with zipfile.ZipFile(bundle, "a") as archive:
        archive.writestr(f"{assignment}/leak.py", secrets[len(secrets) // 2])
    assert scan(bundle, secrets), f"{assignment}: a leaked solution line went unnoticed"
