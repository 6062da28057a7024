"""A semester's loop on a real class hub, end to end: `course.py hub` (JupyterHub, configurable-http-proxy, the
nbgrader exchange) on 127.0.0.1, students who are separate Linux accounts, headless Chromium, the grader's CLI.

Students ada (the reference answers), bo (part of it) and cy (the reference, after the due date) log in, fetch
ps01 in the Assignment List, fill it in, Validate and submit. dee (on the roster) submits from a terminal and her
timestamp.txt is then corrupted; eve (a Linux account, not on the roster) submits too. The instructor collects from
the exchange and autogrades; the TA scores every written answer in formgrader; feedback goes back through the
exchange; each student fetches theirs and sees only their own scores and no hidden test; the export holds the
right auto, manual, penalty and final numbers. bo can read neither ada's files nor her submission. Everything is
stopped at the end and no process is left. Screenshots: test-artifacts/hub/.
"""
from __future__ import annotations

import concurrent.futures
import csv
import datetime as dt
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import psutil
import pytest
from nbgrader.api import Gradebook

import roundtrip
from jupyterlab_browser import (CHROMIUM, CHROMIUM_FLAGS, LAB_SETTINGS, AssignmentList, HubServer, LabPage,
                                fill_cells, free_port, hub_login, wait_for_lab)
from llmcourse.paths import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSIGNMENT = "ps01_word2vec_cosine"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
WRITTEN = "why_averaging_loses_order"  # ps01's written answer (2 points, graded by hand)
PARTLY = ["cosine_similarity", "cosine_similarity_matrix", "recommend"]  # bo solves these (tests worth 2+2+1)
ARTIFACTS = REPO_ROOT / "test-artifacts" / "hub"
PYTHON = Path(sys.executable)
TAG = secrets.token_hex(2)
ADA, BO, CY, DEE, EVE = (f"hub{TAG}{n}" for n in ("ada", "bo", "cy", "dee", "eve"))
TA, PROF = f"hub{TAG}ta", f"hub{TAG}prof"
BROWSER_STUDENTS = [ADA, BO, CY]
ACCOUNTS = [ADA, BO, CY, DEE, EVE]  # Linux accounts; eve is not on the roster


def run(*command, check=True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def as_user(user: str, *command, check=False, **kwargs) -> subprocess.CompletedProcess:
    return run("runuser", "-u", user, "--", *command, check=check, **kwargs)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


class Course:
    """The scratch course, the hub running it, and the grader's CLI on it."""

    def __init__(self, root: Path):
        self.root, self.exchange = root, root / ".hub" / "exchange"
        self.roster = root / "roster.csv"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.passwords: dict[str, str] = {}

    def grader(self, *args, check=True) -> subprocess.CompletedProcess:
        env = dict(os.environ, PATH=f"{PYTHON.parent}{os.pathsep}{os.environ['PATH']}",
                   LLMCOURSE_EXCHANGE=str(self.exchange))
        return run(PYTHON, REPO_ROOT / "autograder" / "course_grader.py", "--course-root", self.root, *args,
                   check=check, env=env, cwd=self.root)

    def start_hub(self, log: Path, timeout: float = 120) -> None:
        command = [sys.executable, REPO_ROOT / "course.py", "hub", "--roster", self.roster, "--course-root",
                   self.root, "--port", self.port, "--system-users", "--ta", TA, "--instructor", PROF]
        self.log = open(log, "w")
        self.process = subprocess.Popen([str(c) for c in command], stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the hub exited: see {log}"
            try:
                urllib.request.urlopen(f"{self.url}/hub/api", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError(f"the hub did not answer in {timeout} s: see {log}")
        with open(self.root / ".hub" / "hub" / "passwords.csv") as handle:
            self.passwords = {row["username"]: row["password"] for row in csv.DictReader(handle)}

    def stop_hub(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # JupyterHub stops every server and the proxy, then exits
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process:
            self.log.close()


def leftover_processes(course: Course) -> list[str]:
    """Processes of the test's accounts, or of anything started for this course (hub, proxy, servers, kernels)."""
    uids = set()
    for name in ACCOUNTS:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    found = []
    for process in psutil.process_iter(["pid", "uids", "cmdline", "environ"]):
        try:
            info = process.info
            text = " ".join(info["cmdline"] or []) + " " + json.dumps(info["environ"] or {})
            if (info["uids"] and info["uids"].real in uids) or str(course.root) in text:
                if process.pid != os.getpid():
                    found.append(f"{process.pid}: {' '.join(info['cmdline'] or [])[:200]}")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def make_course(root: Path) -> None:
    for folder in ("lectures", "exercises", "solutions"):
        shutil.copytree(REPO_ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (root / "autograder").mkdir()
    shutil.copy(REPO_ROOT / "autograder" / "nbgrader_config.py", root / "autograder")
    with open(root / "roster.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "lms_id", "name", "email"])
        for number, name in enumerate([ADA, BO, CY, DEE], start=1):
            writer.writerow([name, f"{1000 + number}", name.title(), f"{name}@example.org"])


def open_path_for_others(path: Path) -> list[tuple[Path, int]]:
    """Students' servers run the course's venv: every folder above it must be enterable (o+x). Returns what was
    changed, to put back afterwards (CI may clone under /root, which is 0700)."""
    changed = []
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            os.chmod(folder, mode | 0o001)
            changed.append((folder, mode))
    return changed


def lab_settings(home: Path, owner: str) -> None:
    """The student's own JupyterLab settings for the test: every cell rendered, no news toast, and the app object
    exposed to the page so the test can read cell outputs (as tests/test_browser.py does)."""
    settings = home / ".jupyter" / "lab" / "user-settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    (home / ".jupyter" / "jupyter_server_config.json").write_text(
        json.dumps({"LabApp": {"expose_app_in_browser": True}}))
    run("chown", "-R", f"{owner}:{owner}", home / ".jupyter")


@pytest.fixture(scope="module")
def course():
    assert os.geteuid() == 0, "the hub test creates Linux accounts for its students: run it as root (CI does)"
    assert CHROMIUM.exists(), "Debian's chromium is missing: `python3 course.py test` installs it (apt-get)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    root = Path(tempfile.mkdtemp(prefix="llmcourse-hub-"))
    os.chmod(root, 0o755)
    reopened = open_path_for_others(PYTHON.parent)
    created = []
    course = Course(root)
    try:
        make_course(root)
        for name in ACCOUNTS:
            run("useradd", "-m", "-s", "/bin/bash", name)
            created.append(name)
            home = Path(pwd.getpwnam(name).pw_dir)
            os.chmod(home, 0o700)
            lab_settings(home, name)
        course.start_hub(ARTIFACTS / "hub.log")
        yield course
    finally:
        course.stop_hub()
        for name in created:
            run("pkill", "-KILL", "-u", name, check=False)  # only if the hub failed to stop them (asserted below)
            run("userdel", "-r", name, check=False)
        for folder, mode in reopened:
            os.chmod(folder, mode)
        shutil.rmtree(root, ignore_errors=True)


def sources_from_reference(release_nb: Path, only: list[str] | None = None) -> dict[int, str]:
    """Cell index -> the reference answer, as a student would type it (only some cells, if `only`)."""
    reference = {c.metadata["nbgrader"]["grade_id"]: c for c in
                 nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENT / NOTEBOOK, 4).cells
                 if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    sources = {}
    for index, cell in enumerate(nbformat.read(release_nb, 4).cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id in reference and (only is None or grade_id in only):
            sources[index] = roundtrip.SOLUTION_MARKERS.sub("", reference[grade_id].source)
    return sources


def written_answer(release_nb: Path, text: str) -> dict[int, str]:
    cells = nbformat.read(release_nb, 4).cells
    return {i: text for i, c in enumerate(cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == WRITTEN}


def hidden_test_lines() -> list[str]:
    cells = nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENT / NOTEBOOK, 4).cells
    blocks = re.findall(r"BEGIN HIDDEN TESTS(.*?)END HIDDEN TESTS", "\n".join(c.source for c in cells), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if len(line.strip()) > 25]


def test_a_semester_on_the_class_hub(course):
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    release_nb = REPO_ROOT / "exercises" / ASSIGNMENT / NOTEBOOK
    now = dt.datetime.now(dt.timezone.utc)

    # --- the instructor releases ps01 into the exchange; due 36 hours ago, 10 % off per started day late; ada
    # and bo have extensions, so only cy is late (2 started days).
    assert not (course.exchange / "llmcourse" / "outbound" / ASSIGNMENT).exists()
    course.grader("release", ASSIGNMENT, "--exchange", course.exchange)
    assert (course.exchange / "llmcourse" / "outbound" / ASSIGNMENT / NOTEBOOK).is_file()
    deadlines = [("due", ASSIGNMENT, iso(now - dt.timedelta(hours=36))), ("policy", ASSIGNMENT, "per-day:10")]
    deadlines += [("extend", ASSIGNMENT, name, iso(now + dt.timedelta(days=1))) for name in (ADA, BO)]
    # The instructor sets them while the students work (only grading reads them).
    instructor = concurrent.futures.ThreadPoolExecutor(1)
    deadlines_set = instructor.submit(lambda: [course.grader(*step) for step in deadlines])

    answers = {
        ADA: {**sources_from_reference(release_nb), **written_answer(release_nb, (
            "Averaging adds the word vectors, and addition is commutative: 'dog bites man' and 'man bites dog' get "
            "the same embedding, so word order is lost."))},
        BO: {**sources_from_reference(release_nb, PARTLY), **written_answer(release_nb, "It is an average.")},
        CY: {**sources_from_reference(release_nb), **written_answer(release_nb, (
            "The mean is a sum over the words, and a sum does not depend on the order of its terms."))},
    }
    shots = []

    def shot(page, name: str) -> None:
        path = ARTIFACTS / f"{len(shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path))
        shots.append(path)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        pages = {}
        # --- students log in (their servers start in parallel), fetch, fill in, Validate, submit
        for name in BROWSER_STUDENTS:
            pages[name] = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            hub_login(pages[name], course.url, name, course.passwords[name])
        ta = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        hub_login(ta, course.url, TA, course.passwords[TA])  # the TA's server starts meanwhile, used later
        for name in BROWSER_STUDENTS:
            page = pages[name]
            wait_for_lab(page)
            shot(page, f"{name[7:]}-logged-in")
            lab = LabPage(page, HubServer(course.url, name), ARTIFACTS)
            menus = page.locator(".lm-MenuBar").inner_text()
            assignments = AssignmentList(lab)
            assignments.open()
            assert "Formgrader" not in page.locator("body").inner_text(), "a student sees formgrader"
            has_instructor_tools = page.evaluate(
                "() => ['nbgrader:open-formgrader', 'nbgrader:open-create-assignment', 'nbgrader:open-course-list']"
                ".filter(c => window.jupyterapp.commands.hasCommand(c))")
            assert has_instructor_tools == [], f"{name}'s JupyterLab offers instructor tools: {has_instructor_tools}"
            assert assignments.row("released", ASSIGNMENT).count() == 1, page.locator("body").inner_text()[:2000]
            shot(page, f"{name[7:]}-assignment-list")
            error = assignments.press("released", ASSIGNMENT, "Fetch", then="fetched")
            assert not error, f"{name}: fetch failed: {error}"
            shot(page, f"{name[7:]}-fetched")
            lab.open(f"{ASSIGNMENT}/{NOTEBOOK}", workspace=f"w-{name}", timeout_ms=300_000)  # a busy machine
            fill_cells(lab, answers[name])
            result = lab.validate()
            shot(page, f"{name[7:]}-validated")
            lab.close_dialog()
            if name == BO:
                assert "failed" in result.lower() and "Success" not in result, f"bo's Validate said: {result[:500]}"
            else:
                assert "Success! Your notebook passes all the tests." in result, f"{name}'s Validate: {result[:800]}"
            assignments.open()
            error = assignments.press("fetched", ASSIGNMENT, "Submit", then="submitted")
            shot(page, f"{name[7:]}-submitted")
            assert not error, f"{name}: submit failed: {error}"
            assert menus  # the lab's menu bar rendered

        # --- dee submits from a terminal (roster), eve too (a Linux account not on the roster)
        student_env = ["env", f"PATH={PYTHON.parent}:/usr/bin:/bin", f"LLMCOURSE_EXCHANGE={course.exchange}",
                       f"JUPYTER_CONFIG_PATH={REPO_ROOT / 'hub' / 'student'}"]
        for name in (DEE, EVE):
            home = pwd.getpwnam(name).pw_dir
            for step in (["fetch_assignment", ASSIGNMENT], ["submit", ASSIGNMENT]):
                if step[0] == "submit":
                    target = Path(home) / ASSIGNMENT / NOTEBOOK
                    roundtrip.fill_in_solutions(release_nb, REPO_ROOT / "solutions" / ASSIGNMENT / NOTEBOOK, target)
                    run("chown", f"{name}:{name}", target)
                result = as_user(name, *student_env, f"JUPYTERHUB_USER={name}", PYTHON.parent / "nbgrader", *step,
                                 cwd=home)
                assert result.returncode == 0, f"{name}: nbgrader {step[0]} failed: {result.stderr[-2000:]}"
        inbound = course.exchange / "llmcourse" / "inbound"
        submissions = {p.name.split("+")[0]: p for p in inbound.iterdir()}
        assert sorted(submissions) == sorted(ACCOUNTS), sorted(submissions)
        for name, folder in submissions.items():
            assert (folder / "timestamp.txt").is_file() and (folder / "submission_secret.txt").is_file(), name
        (submissions[DEE] / "timestamp.txt").write_text("the 5th of never\n")

        # --- one student can read neither another's files nor another's submission
        ada_home = Path(pwd.getpwnam(ADA).pw_dir)
        ada_notebook = submissions[ADA] / NOTEBOOK
        assert ada_notebook.is_file()
        for probe in (["ls", inbound], ["ls", ada_home], ["cat", ada_home / ASSIGNMENT / NOTEBOOK],
                      ["cat", ada_notebook], ["ls", submissions[ADA]]):
            result = as_user(BO, *probe)
            assert result.returncode != 0 and "Permission denied" in result.stderr, f"bo could run {probe}"
        assert as_user(ADA, "cat", ada_home / ASSIGNMENT / NOTEBOOK).returncode == 0  # the probe can succeed
        for secret in ("solutions", "autograder"):
            assert as_user(BO, "ls", course.root / secret).returncode != 0, f"bo can list the course's {secret}/"

        # --- the instructor collects from the exchange and autogrades
        deadlines_set.result()
        instructor.shutdown()
        collected = course.grader("collect", ASSIGNMENT, "--exchange", course.exchange, "--roster", course.roster)
        assert "collected 4 submissions" in collected.stdout, collected.stdout
        assert re.search(rf"skipped: .*'{EVE}' is not in the roster", collected.stdout), collected.stdout
        graded = course.grader("autograde", ASSIGNMENT, "--workers", "2", "--no-progress")
        autograded = course.root / "autograder" / "autograded"
        for name in (ADA, BO, CY, DEE):
            assert (autograded / name / ASSIGNMENT / NOTEBOOK).is_file(), graded.stdout

        # --- the TA scores every written answer in formgrader
        manual = {ADA: 2, BO: 1, CY: 2, DEE: 2}
        wait_for_lab(ta, app=False)
        ta.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.click()  # the TA's menu offers formgrader
        shot(ta, "ta-lab-nbgrader-menu")
        assert "Formgrader" in ta.locator(".lm-Menu").inner_text()
        ta.keyboard.press("Escape")
        formgrader = f"{course.url}/user/{TA}/formgrader"
        ta.goto(f"{formgrader}/gradebook/{ASSIGNMENT}/{ASSIGNMENT}")
        ta.wait_for_selector("table tbody tr a")
        shot(ta, "ta-formgrader-submissions")
        # The page lists what the gradebook holds; ids and saved scores are read from the gradebook itself (a
        # fetch() of formgrader's API from the page loops through the hub's OAuth redirects).
        gradebook = f"sqlite:///{course.root / 'autograder' / 'gradebook.db'}"
        with Gradebook(gradebook) as book:
            ids = {student.id: book.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student.id).id
                   for student in book.students if student.id in manual}
            assert len(book.assignment_submissions(ASSIGNMENT)) == len(manual)
        assert sorted(ids) == sorted(manual), ids
        assert ta.locator("table tbody tr").count() == len(manual)
        for name, points in manual.items():
            # Formgrader binds its inputs once its scripts have fetched the grades and comments: a score typed
            # before that is never saved.
            with ta.expect_response(lambda r: "/formgrader/api/comments?" in r.url, timeout=180_000):
                ta.goto(f"{formgrader}/submissions/{ids[name]}/?index=0")
            deadline = time.monotonic() + 180  # formgrader saves on blur, through the hub: slow on a busy machine
            while not _manual_grade_saved(gradebook, name, points):
                assert time.monotonic() < deadline, f"formgrader did not save {name}'s written score"
                score = ta.locator(f"input.score#{WRITTEN}")
                score.fill(str(points))
                score.press("Tab")
                comment = ta.locator(f"textarea#{WRITTEN}-comment")
                comment.fill(f"Scored by the TA: {points} of 2.")
                comment.press("Tab")
                saved_by = time.monotonic() + 30  # typed again only if a save never arrived
                while not _manual_grade_saved(gradebook, name, points) and time.monotonic() < saved_by:
                    time.sleep(0.5)
            shot(ta, f"ta-scored-{name[7:]}")
        ta.context.close()

        # --- feedback goes back through the exchange; each student fetches and opens theirs
        course.grader("feedback", ASSIGNMENT, "--exchange", course.exchange)
        hidden = hidden_test_lines()
        feedback_seen = {}
        assert hidden, "ps01 has no hidden test line to look for"
        for name in BROWSER_STUDENTS:
            page = pages[name]
            lab = LabPage(page, HubServer(course.url, name), ARTIFACTS)
            # A fresh workspace: the default one would restore the panels left open in the first visit.
            page.goto(f"{course.url}/user/{name}/lab/workspaces/feedback-{name}?reset")
            wait_for_lab(page)
            assignments = AssignmentList(lab)
            assignments.open()
            error = assignments.press("submitted", ASSIGNMENT, "Fetch Feedback", then="submitted")
            assert not error, f"{name}: fetch feedback failed: {error}"
            home = Path(pwd.getpwnam(name).pw_dir)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not list((home / ASSIGNMENT / "feedback").glob("*/*.html")):
                time.sleep(0.5)
            pages_found = list((home / ASSIGNMENT / "feedback").glob("*/*.html"))
            assert len(pages_found) == 1, f"{name}: feedback pages {pages_found}"
            html = pages_found[0].read_text()
            lab.open_file(str(pages_found[0].relative_to(home)))  # JupyterLab's HTML viewer, as a student would
            shot(page, f"{name[7:]}-feedback")
            others = [o for o in (ADA, BO, CY, DEE) if o != name]
            assert not [o for o in others if o in html], f"{name}'s feedback names another student"
            assert not [h for h in hidden if h in html], f"{name}'s feedback shows hidden tests"
            assert f"Scored by the TA: {manual[name]} of 2." in html, f"{name}: the TA's comment is missing"
            assert f"graded by hand): {manual[name]:g} / 2" in html, f"{name}: the manual score is missing"
            feedback_seen[name] = html
        browser.close()

    # --- the export: auto, manual, penalty, final
    course.grader("export", ASSIGNMENT, "--roster", course.roster)
    with open(course.root / "autograder" / "exports" / f"{ASSIGNMENT}_grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    expected = {  # auto (of 11), manual (of 2), penalty, final
        # dee's corrupted timestamp is replaced by the exchange's own record of her submission (after the due
        # date, no extension): graded, with a note, and late like cy.
        ADA: (11, 2, 0, 13), BO: (5, 1, 0, 6), CY: (11, 2, 2.6, 10.4), DEE: (11, 2, 2.6, 10.4)}
    got = {name: tuple(float(rows[name][k]) for k in ("auto_score", "manual_score", "late_submission_penalty",
                                                        "score")) for name in expected}
    for name, numbers in expected.items():
        assert got[name] == pytest.approx(numbers), f"{name}: export says {got[name]}, expected {numbers}"
    assert EVE not in rows
    assert "timestamp" in rows[DEE]["message"].lower(), rows[DEE]
    assert sorted(rows) == sorted(expected)
    assert "10.4" in feedback_seen[CY] and "13" in feedback_seen[ADA], "the feedback does not show the final scores"

    # --- solutions are not released while an extension is still running
    refused = course.grader("solutions", ASSIGNMENT, "--exchange", course.exchange, check=False)
    assert refused.returncode == 1 and "REFUSED" in refused.stdout + refused.stderr, refused.stdout

    print(f"\nhub semester: {time.monotonic() - started:.0f} s after the hub answered; scores {got}")
    for shot_path in shots:
        assert shot_path.stat().st_size > 10_000, f"empty screenshot {shot_path}"


def test_nothing_is_left_running(course):
    """Runs last in this module: stopping the hub stops every server, kernel and the proxy."""
    course.stop_hub()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and leftover_processes(course):
        time.sleep(1)
    assert course.process.returncode is not None
    assert leftover_processes(course) == []


def _manual_grade_saved(gradebook: str, student: str, points: float) -> bool:
    """Has the TA's score and comment for the written answer reached nbgrader's gradebook?"""
    with Gradebook(gradebook) as book:
        notebook = book.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        grade = next(g for g in notebook.grades if g.name == WRITTEN)
        comment = next(c for c in notebook.comments if c.name == WRITTEN)
        return grade.manual_score == points and "TA" in (comment.manual_comment or "")
