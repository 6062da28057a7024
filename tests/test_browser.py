"""The student's experience in a real browser: JupyterLab 4 in headless Chromium, driven by Playwright.

Each lecture is opened and run top to bottom; widgets must render as widgets and react when moved, plots render
inline, tqdm shows notebook progress bars. An exercise is validated with nbgrader's Validate button, untouched
(failing tests reported) and with the reference solution filled in (success). Screenshots of every step go to
test-artifacts/browser/.
"""
from __future__ import annotations

import json

import pytest

import roundtrip
from jupyterlab_browser import CHROMIUM, CHROMIUM_FLAGS, JupyterLabServer, LabPage, scratch_course
from llmcourse.authoring.nbgrader_cells import EXERCISES_DIR, SOLUTIONS_DIR
from llmcourse.paths import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LECTURES = sorted(p.name for p in (REPO_ROOT / "lectures").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted(p.name for p in EXERCISES_DIR.glob("ps[0-9][0-9]_*") if p.is_dir())
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is missing: `python3 course.py test` installs it (apt-get)"
    root = scratch_course(REPO_ROOT, tmp_path_factory.mktemp("browser") / "course")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = JupyterLabServer(root, ARTIFACTS / "jupyterlab.log").start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            yield LabPage(page, server, ARTIFACTS)
            browser.close()
    finally:
        server.stop()


def stored_outputs(lecture: str) -> list[dict]:
    notebook = json.loads((REPO_ROOT / "lectures" / lecture).read_text())
    return [o for c in notebook["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]


@pytest.mark.parametrize("lecture", LECTURES)
def test_lecture_runs_in_jupyterlab(lab, lecture):
    stem = lecture.removesuffix(".ipynb")
    lab.open(f"lectures/{lecture}", workspace=f"w{stem}")
    lab.screenshot(f"{stem}-1-opened")
    lab.run_all()
    lab.screenshot(f"{stem}-2-ran-all")
    cells = lab.cells()

    not_run = [i for i, c in enumerate(cells) if c["type"] == "code" and c["execution_count"] is None]
    problems = [(i, o.get("ename") or o.get("text", "")[:300]) for i, c in enumerate(cells) for o in c["outputs"]
                if o["output_type"] == "error" or (o["output_type"] == "stream" and o.get("name") == "stderr")]
    assert not problems, f"{lecture}: error or stderr output in JupyterLab: {problems}"
    assert not not_run, f"{lecture}: cells not executed (run stopped early?): {not_run}"

    outputs = [o for c in cells for o in c["outputs"]]
    text = lab.body_text()
    assert "Loading widget" not in text and "Error displaying widget" not in text, f"{lecture}: widgets not rendered"
    widget_outputs = sum(WIDGET_VIEW in o.get("data", {}) for o in outputs)
    assert lab.count(".jp-OutputArea-output .jupyter-widgets") >= widget_outputs, f"{lecture}: widget shown as text"
    images = sum("image/png" in o.get("data", {}) for o in outputs)
    assert lab.count(".jp-OutputArea-output img") >= images, f"{lecture}: a plot did not render inline"
    sources = (REPO_ROOT / "lectures" / lecture).read_text()
    if "tqdm" in sources:
        assert lab.count(".widget-hprogress") >= 1, f"{lecture}: tqdm did not show a notebook progress bar"
    last_code = [c for c in cells if c["type"] == "code"][-1]
    last_text = "".join(o.get("text", "") for o in last_code["outputs"])
    assert "All checks passed" in last_text, f"{lecture}: check-yourself cell says: {last_text[-500:]}"

    if widget_outputs:
        before = lab.widget_outputs()
        moved = lab.move_first_control()
        after = lab.wait_for_change(before)
        lab.screenshot(f"{stem}-3-widget-moved")
        assert after != before, f"{lecture}: moving a widget ({moved}) did not change its output"


def test_at_least_three_lectures_have_interactive_widgets():
    with_widgets = [lecture for lecture in LECTURES
                    if any(WIDGET_VIEW in o.get("data", {}) for o in stored_outputs(lecture))]
    assert len(with_widgets) >= 3, f"only these lectures show widgets: {with_widgets}"


@pytest.fixture(scope="module")
def exercise():
    assert EXERCISES, "exercises/ holds no assignment"
    return EXERCISES[0]


def test_validate_reports_failures_on_untouched_exercise(lab, exercise):
    lab.open(f"exercises/{exercise}/{exercise}.ipynb", workspace=f"v-blank-{exercise}")
    lab.screenshot(f"validate-{exercise}-1-untouched")
    result = lab.validate()
    lab.screenshot(f"validate-{exercise}-2-untouched-result")
    lab.close_dialog()
    assert "failed" in result.lower() and "Success" not in result, f"Validate said: {result[:500]}"


def test_validate_succeeds_with_solution_filled_in(lab, exercise):
    target = lab.server.root / "validate" / f"{exercise}.ipynb"
    roundtrip.fill_in_solutions(EXERCISES_DIR / exercise / f"{exercise}.ipynb",
                                SOLUTIONS_DIR / exercise / f"{exercise}.ipynb", target)
    lab.open(f"validate/{exercise}.ipynb", workspace=f"v-full-{exercise}")
    lab.screenshot(f"validate-{exercise}-3-solved")
    result = lab.validate()
    lab.screenshot(f"validate-{exercise}-4-solved-result")
    lab.close_dialog()
    assert "Success! Your notebook passes all the tests." in result, f"Validate said: {result[:800]}"
