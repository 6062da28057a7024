"""A semester loop on nbgrader's real exchange (a temporary exchange root), with ps01: release, students fetch and
submit with nbgrader's own exchange classes (at chosen times), collect with a roster, autograde, formgrader's view,
a TA's manual score through nbgrader's gradebook API, late policies and an extension, feedback released through the
exchange and fetched by the student, solutions only after the due date, and the LMS export files."""
from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import roundtrip
from llmcourse.autograde import exchange as hub
from llmcourse.autograde.batch import autograde
from llmcourse.autograde.coursedir import CourseFolders, venv_bin_on_path
from llmcourse.autograde.deadlines import LateWork, Policy, parse_time, set_due
from llmcourse.autograde.export import export
from llmcourse.autograde.feedback import hidden_lines, write_feedback
from llmcourse.autograde.gradebook import integrity_problems
from llmcourse.autograde.notebooks import load_template
from llmcourse.autograde.results import load_results
from llmcourse.autograde.sandbox import Limits
from llmcourse.paths import REPO_ROOT

A = "ps01_word2vec_cosine"
WRITTEN = "why_averaging_loses_order"
DUE = dt.datetime(2026, 6, 1, 12, 0)  # naive UTC, as nbgrader stores it
LIMITS = Limits(cell_seconds=60, notebook_seconds=240)
CLI = REPO_ROOT / "autograder" / "course_grader.py"
ROSTER = ("student_id,lms_id,name,sis_id,email,section\n"
          "alice,1001,\"Liddell, Alice\",S1,alice@example.org,A\nbob,1002,\"Builder, Bob\",S2,bob@example.org,A\n"
          "carol,1003,\"Ann, Carol\",S3,carol@example.org,B\ndave,1004,\"Jones, Dave\",S4,dave@example.org,B\n")
venv_bin_on_path()


def student_parts(course: CourseFolders, root: Path, student: str):
    """What a student's server runs: nbgrader's exchange classes with CourseDirectory.student_id = the hub user."""
    from nbgrader.auth import Authenticator

    config = hub.nbgrader_config(course, root)
    home = root.parent / "home" / student
    home.mkdir(parents=True, exist_ok=True)
    config.Exchange.assignment_dir = str(home)
    config.Exchange.cache = str(home / ".cache")
    coursedir = hub.CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = A, student
    return config, coursedir, Authenticator(config=config), home


def fetch(course, root, student) -> Path:
    from nbgrader.exchange.default import ExchangeFetchAssignment

    config, coursedir, auth, home = student_parts(course, root, student)
    if not (home / A).exists():
        ExchangeFetchAssignment(coursedir=coursedir, authenticator=auth, config=config).start()
    return home / A / f"{A}.ipynb"


def submit(course, root, student, at: dt.datetime, *, answer: str | None = None, reference: bool = True) -> None:
    """Fill in the fetched notebook (the reference solution, optionally another written answer) and submit it with
    nbgrader's ExchangeSubmit, as if at time `at` (UTC)."""
    from nbgrader.exchange.default import ExchangeSubmit

    notebook_path = fetch(course, root, student)
    if reference:
        roundtrip.fill_in_solutions(course.exercises / A / f"{A}.ipynb", course.solutions / A / f"{A}.ipynb",
                                    notebook_path)
    if answer is not None:
        notebook = nbformat.read(notebook_path, as_version=4)
        for cell in notebook.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN:
                cell.source = answer
        nbformat.write(notebook, notebook_path)

    class SubmitAt(ExchangeSubmit):
        def set_timestamp(self):
            self.timestamp = at.replace(tzinfo=dt.timezone.utc).strftime(self.timestamp_format)

    config, coursedir, auth, _ = student_parts(course, root, student)
    SubmitAt(coursedir=coursedir, authenticator=auth, config=config).start()


def inbound(root: Path, student: str) -> list[Path]:
    return sorted((root / "llmcourse" / "inbound").glob(f"{student}+{A}+*"))


def make_class(tmp: Path):
    course_root = roundtrip.scratch_course(tmp, A)
    shutil.copytree(REPO_ROOT / "exercises" / A, course_root / "exercises" / A)
    (tmp / "roster.csv").write_text(ROSTER)
    root = tmp / "exchange"
    root.mkdir()
    os.chmod(root, 0o1777)
    return CourseFolders(course_root), root, tmp / "roster.csv"


def ps01_hidden_lines(course: CourseFolders) -> list[str]:
    lines = hidden_lines(load_template(course.solutions / A / f"{A}.ipynb"))
    assert len(lines) > 5
    return lines


def give_manual_score(course: CourseFolders, student: str, score: float, comment: str) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:
        grade = gradebook.find_grade(WRITTEN, A, A, student)
        grade.manual_score, grade.needs_manual_grade = score, False
        gradebook.find_comment(WRITTEN, A, A, student).manual_comment = comment
        gradebook.db.commit()


def export_rows(course: CourseFolders, roster: Path) -> dict[str, dict]:
    return {row["student_id"]: row for row in csv.DictReader(open(export(course, A, roster)[0]))}


@pytest.fixture(scope="module")
def semester(tmp_path_factory):
    """Release, five hub users submit (one twice, one late, one late with an extension, one with a broken
    timestamp.txt, one not on the roster), collect, autograde: the state a TA finds."""
    course, root, roster = make_class(tmp_path_factory.mktemp("semester"))
    hub.release(course, A, root)
    submit(course, root, "alice", DUE - dt.timedelta(hours=5), reference=False)   # the untouched release first
    submit(course, root, "alice", DUE - dt.timedelta(hours=1, microseconds=-250))  # the reference: the latest
    submit(course, root, "bob", DUE + dt.timedelta(hours=36))                     # 1.5 days late
    submit(course, root, "carol", DUE + dt.timedelta(hours=36))                   # late, but has an extension
    submit(course, root, "dave", DUE - dt.timedelta(hours=2))
    (inbound(root, "dave")[0] / "timestamp.txt").write_text("half past teatime")  # a broken submission time
    submit(course, root, "mallory", DUE - dt.timedelta(hours=3))                  # not on the roster
    set_due(course, A, DUE)
    LateWork(course).set_policy(A, Policy.parse("per-day:10"))
    LateWork(course).set_extension(A, "carol", DUE + dt.timedelta(hours=48))
    report = hub.collect(course, A, roster, root)
    results = autograde(course, A, workers=2, limits=LIMITS, progress=False)
    return course, root, roster, report, results


def test_exchange_submissions_are_collected_by_roster_and_graded_in_full(semester):
    course, root, _, report, results = semester
    assert sorted(report.collected) == ["alice", "bob", "carol", "dave"]
    assert any("'mallory' is not in the roster" in message for message in report.skipped), report.summary()
    assert not (course.submitted / "mallory").exists()
    # the exchange's own files beside the notebook are expected, not "extra files"
    assert (course.submitted / "alice" / A / "submission_secret.txt").is_file()
    again = subprocess.run([sys.executable, str(CLI), "--course-root", str(course.root), "collect", A, "--exchange",
                            str(root), "--roster", str(semester[2])], capture_output=True, text=True)
    assert again.returncode == 0 and "collected 0 submissions" in again.stdout, again.stdout + again.stderr
    assert "unchanged: alice" in again.stdout and "'mallory' is not in the roster" in again.stdout
    for student in ["alice", "bob", "carol", "dave"]:
        assert results[student]["status"] == "graded", results[student]
        assert results[student]["score"] == 11.0, (student, results[student]["messages"])
    assert integrity_problems(course, A) == []


def test_a_malformed_timestamp_is_graded_with_a_note(semester):
    course, _, roster, report, results = semester
    note = next(m for m in results["dave"]["messages"] if "timestamp.txt" in m)
    assert "'half past teatime'" in note and "not a time" in note and "2026-06-01T10:00:00+00:00" in note
    assert any("dave" in n and "half past teatime" in n for n in report.notes)
    assert parse_time((course.submitted / "dave" / A / "timestamp.txt").read_text()) == DUE - dt.timedelta(hours=2)
    row = export_rows(course, roster)["dave"]
    assert "half past teatime" in row["message"] and row["late_submission_penalty"] == "0.0"
    page = (course.feedback / "dave" / A / f"{A}.html")
    write_feedback(course, A, ["dave"])
    assert "half past teatime" in page.read_text()


def test_formgrader_lists_opens_and_shows_auto_scores(semester):
    """nbgrader's own formgrader API sees every submission as autograded, and its exporter renders each autograded
    notebook with a score box per graded cell and the auto score of each test cell."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.server_extensions.formgrader import handlers

    course = semester[0]
    config = hub.nbgrader_config(course, semester[1])
    api = NbGraderAPI(coursedir=hub.CourseDirectory(config=config), config=config)
    submissions = {s["student"]: s for s in api.get_submissions(A)}
    assert sorted(submissions) == ["alice", "bob", "carol", "dave"]
    assert all(s["autograded"] and s["needs_manual_grade"] for s in submissions.values())
    listed = api.get_notebook_submissions(A, A)
    assert sorted(s["student"] for s in listed) == ["alice", "bob", "carol", "dave"]
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    page, _ = HTMLExporter(config=config).from_filename(
        str(course.autograded / "alice" / A / f"{A}.ipynb"),
        resources={"assignment_id": A, "notebook_id": A, "submission_id": listed[0]["id"], "index": 0, "total": 4,
                   "base_url": "", "student": "alice", "last_name": "", "first_name": "", "notebook_path": "x"})
    for cell in load_template(course.solutions / A / f"{A}.ipynb").cells:
        if cell.role in ("test", "written"):
            assert f'id="{cell.grade_id}"' in page, cell.grade_id  # formgrader's score box for the cell
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:
        grades = {g.name: g for g in gradebook.find_submission_notebook(A, A, "alice").grades}
        assert grades["test_cosine_vectors"].auto_score == 2.0 and not grades["test_cosine_vectors"].needs_manual_grade
        assert grades[WRITTEN].auto_score is None and grades[WRITTEN].needs_manual_grade


def test_late_policies_extension_and_manual_score_reach_the_export(semester):
    """alice on time, bob 1.5 days late, carol late within her extension; the TA gives every written answer 2/2."""
    course, _, roster, _, _ = semester
    for student in ["alice", "bob", "carol", "dave"]:
        give_manual_score(course, student, 2.0, f"Well argued, {student}.")
    expected = {"per-day:10": 2.6, "zero-after:1": 13.0, "zero-after:2": 0.0, "none": 0.0,
                "per-day:10,zero-after:1": 13.0, "per-day:30": 7.8}
    for policy, bob_penalty in expected.items():
        LateWork(course).set_policy(A, Policy.parse(policy))
        rows = export_rows(course, roster)
        bob = rows["bob"]
        assert (float(bob["auto_score"]), float(bob["manual_score"]), float(bob["raw_score"])) == (11.0, 2.0, 13.0)
        assert float(bob["late_submission_penalty"]) == pytest.approx(bob_penalty), policy
        assert float(bob["score"]) == pytest.approx(13.0 - bob_penalty), policy
        for on_time in ["alice", "carol"]:
            assert (float(rows[on_time]["late_submission_penalty"]), float(rows[on_time]["score"])) == (0.0, 13.0)
    LateWork(course).set_policy(A, Policy.parse("per-day:10"))
    rows = export_rows(course, roster)
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:  # the export's numbers are nbgrader's gradebook values
        bob = gradebook.find_submission(A, "bob")
        assert bob.total_seconds_late == 36 * 3600 and bob.late_submission_penalty == pytest.approx(2.6)
        assert gradebook.find_submission(A, "carol").extension == dt.timedelta(hours=48)
        assert gradebook.find_assignment(A).duedate == DUE
    assert rows["bob"]["duedate"] == "2026-06-01T12:00:00+00:00" and rows["bob"]["timestamp"].startswith("2026-06-03")


def test_lms_import_files_have_the_shapes_canvas_and_moodle_accept(semester):
    course, _, roster, _, _ = semester
    paths = export(course, A, roster, canvas_assignment_id="777")
    canvas = list(csv.reader(open(paths[3])))
    moodle = list(csv.reader(open(paths[4])))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{A} (777)"]
    assert moodle[0] == ["Email address", "ID number", A]
    assert len(canvas) == len(moodle) == 5
    by_id = {row[1]: row for row in canvas[1:]}
    assert by_id["1001"][:5] == ["Liddell, Alice", "1001", "S1", "alice", "A"]
    finals = {r["student_id"]: r["score"] for r in csv.DictReader(open(paths[0]))}
    assert float(by_id["1002"][5]) == float(finals["bob"])
    assert {row[0]: row[2] for row in moodle[1:]}["bob@example.org"] == by_id["1002"][5]


def test_feedback_through_the_exchange_has_scores_and_no_hidden_test(semester):
    from nbgrader.exchange.default import ExchangeFetchFeedback

    course, root, _, _, _ = semester
    give_manual_score(course, "bob", 1.5, "Order matters: say why.")
    write_feedback(course, A)
    released, skipped = hub.release_feedback(course, A, root)
    assert released == ["alice", "bob", "carol", "dave"] and skipped == []
    outbound = list((root / "llmcourse" / "feedback").glob("*.html"))
    assert len(outbound) == 4
    config, coursedir, auth, home = student_parts(course, root, "bob")
    ExchangeFetchFeedback(coursedir=coursedir, authenticator=auth, config=config).start()
    fetched = list((home / A / "feedback").rglob("*.html"))
    assert len(fetched) == 1
    text = fetched[0].read_text()
    assert "Order matters: say why." in text and "1.5 / 2 points" in text and "late penalty" in text
    for page in outbound + fetched:
        body = page.read_text()
        for line in ps01_hidden_lines(course):
            assert line not in body, f"{page}: hidden test {line!r}"
        assert "BEGIN HIDDEN TESTS" not in body
    assert "Well argued, alice." not in text  # only bob's own data


def test_rerun_keeps_manual_scores_and_a_changed_submission_needs_review(semester):
    from nbgrader.api import Gradebook

    course, root, roster, _, _ = semester
    give_manual_score(course, "alice", 2.0, "Good.")
    give_manual_score(course, "carol", 2.0, "Good.")
    submit(course, root, "carol", DUE + dt.timedelta(hours=40), answer="Order is lost because sums commute.")
    report = hub.collect(course, A, roster, root)
    assert sorted(report.collected) == ["carol"] and "alice" in report.unchanged
    logs = []
    autograde(course, A, workers=2, limits=LIMITS, progress=False, log=logs.append)
    assert "1 to grade" in logs[0]
    with Gradebook(course.db_url) as gradebook:
        alice = gradebook.find_grade(WRITTEN, A, A, "alice")
        carol = gradebook.find_grade(WRITTEN, A, A, "carol")
        assert (alice.manual_score, alice.needs_manual_grade) == (2.0, False)   # unchanged: untouched
        assert (carol.manual_score, carol.needs_manual_grade) == (2.0, True)    # changed: kept, to be reviewed
    assert load_results(course, A)["carol"]["timestamp"].startswith("2026-06-03T04:00")
    assert export_rows(course, roster)["carol"]["needs_manual_grade"] == "True"


def test_solutions_only_after_the_due_date_and_every_extension(semester, tmp_path):
    course, root, _, _, _ = semester
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    set_due(course, A, now + dt.timedelta(days=1))
    with pytest.raises(hub.SolutionsTooEarly, match="has not passed"):
        hub.release_solutions(course, A, root)
    done = subprocess.run([sys.executable, str(CLI), "--course-root", str(course.root), "solutions", A, "--exchange",
                           str(root)], capture_output=True, text=True)
    assert done.returncode == 1 and "REFUSED" in done.stderr and "has not passed" in done.stderr
    set_due(course, A, now - dt.timedelta(days=1))
    LateWork(course).set_extension(A, "bob", now + dt.timedelta(hours=5))
    with pytest.raises(hub.SolutionsTooEarly, match="bob has an extension"):
        hub.release_solutions(course, A, root)
    LateWork(course).set_extension(A, "bob", None)
    assert not (root / "llmcourse" / "outbound" / f"{A}_solution").exists()
    folder, released = hub.release_solutions(course, A, root)
    solution = released / f"{A}.ipynb"
    assert solution.is_file()
    text = solution.read_text()
    assert "def cosine_similarity" in text and "# YOUR CODE HERE" not in text
    assert "MARK SCHEME" not in text and "BEGIN HIDDEN TESTS" not in text
    for line in ps01_hidden_lines(course):
        assert line not in text
    set_due(course, A, DUE)


def test_policy_numbers_and_refusals():
    day = 86400
    assert Policy.parse("per-day:10").penalty(13.0, 1.5 * day) == pytest.approx(2.6)   # two started days
    assert Policy.parse("per-day:10").penalty(13.0, 1) == pytest.approx(1.3)            # one second late
    assert Policy.parse("per-day:40").penalty(13.0, 3 * day) == 13.0                    # never more than the score
    assert Policy.parse("zero-after:2").penalty(13.0, 1.5 * day) is None
    assert Policy.parse("per-day:10,zero-after:1").penalty(13.0, 1.5 * day) == 13.0
    assert Policy.parse("none").penalty(13.0, 9 * day) is None
    assert Policy.parse("per-day:10").penalty(13.0, 0) is None
    assert str(Policy.parse(" Per-Day:10 , zero-after:3")) == "per-day:10,zero-after:3"
    for bad in ["per-day", "per-day:150", "weekly:3", "zero-after:-1"]:
        with pytest.raises(ValueError, match="late policy"):
            Policy.parse(bad)


def test_lms_zip_entry_time_is_the_submission_time_and_a_bad_timestamp_gets_a_note(tmp_path):
    import zipfile

    from llmcourse.autograde.collect import collect
    from llmcourse.autograde.deadlines import read_timestamp

    sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
    import toy

    course = CourseFolders(toy.make_course(tmp_path / "course"))
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,lms_id\nalice,1001\nbob,1002\n")
    notebook = nbformat.writes(toy.correct_notebook()).encode()
    bundle = tmp_path / "lms.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr(zipfile.ZipInfo("1001_late_ps00_toy.ipynb", (2026, 6, 2, 9, 30, 0)), notebook)
        archive.writestr(zipfile.ZipInfo("1002/ps00_toy.ipynb", (2026, 6, 1, 8, 0, 0)), notebook)
        archive.writestr(zipfile.ZipInfo("1002/timestamp.txt", (2026, 6, 1, 8, 0, 0)), "soon-ish")
    report = collect(course, toy.ASSIGNMENT, bundle, roster)
    assert sorted(report.collected) == ["alice", "bob"]
    assert read_timestamp(course.submitted / "alice" / toy.ASSIGNMENT) == (dt.datetime(2026, 6, 2, 9, 30), "")
    when, note = read_timestamp(course.submitted / "bob" / toy.ASSIGNMENT)
    assert when == dt.datetime(2026, 6, 1, 8, 0) and "'soon-ish'" in note and "not a time" in note
    assert any("bob" in n and "soon-ish" in n for n in report.notes)


def test_deadline_commands_store_in_the_gradebook_and_late_work_csv(tmp_path):
    from nbgrader.api import Gradebook

    sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
    import toy

    root = toy.make_course(tmp_path / "course")

    def grader(*args):
        done = subprocess.run([sys.executable, str(CLI), "--course-root", str(root), *args], capture_output=True,
                              text=True)
        return done.returncode, done.stdout + done.stderr

    code, out = grader("due", toy.ASSIGNMENT, "2026-12-01T18:00:00+01:00")
    assert code == 0 and f"{toy.ASSIGNMENT} due: 2026-12-01T17:00:00+00:00" in out, out
    assert "late policy: per-day:10,zero-after:3" in grader("policy", toy.ASSIGNMENT, "per-day:10,zero-after:3")[1]
    assert "alice due 2026-12-03T17:00:00+00:00" in grader("extend", toy.ASSIGNMENT, "alice", "2026-12-03 17:00")[1]
    code, out = grader("policy", toy.ASSIGNMENT, "weekly:2")
    assert code == 1 and "REFUSED" in out and "use none, per-day:P" in out
    rows = list(csv.DictReader(open(root / "autograder" / "late_work.csv")))
    assert [(r["student_id"], r["late_policy"], r["extended_due"]) for r in rows] == [
        ("*", "per-day:10,zero-after:3", ""), ("alice", "", "2026-12-03T17:00:00+00:00")]
    with Gradebook(CourseFolders(root).db_url) as gradebook:
        assert gradebook.find_assignment(toy.ASSIGNMENT).duedate == dt.datetime(2026, 12, 1, 17, 0)
    with pytest.raises(ValueError, match="is not a time"):
        parse_time("next tuesday-ish")
    LateWork(CourseFolders(root)).set_extension(toy.ASSIGNMENT, "alice", None)
    assert LateWork(CourseFolders(root)).extensions(toy.ASSIGNMENT) == {}
