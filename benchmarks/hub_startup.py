"""Time from `python3 course.py hub` to a student's first lecture open and ready in the browser.

    .venv/bin/python benchmarks/hub_startup.py [--runs 3]

Each run: a scratch copy of the course, `course.py hub` (demo mode: servers run as you) on a free loopback port,
then headless Chromium logs in as a roster student, the hub starts their server, and lectures/01 opens with an idle
kernel. Prints the time to each stage; the venv and configurable-http-proxy are already installed (a fresh
machine adds `course.py setup` and one `npm install`). Needs Debian's chromium (`course.py test` installs it).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from jupyterlab_browser import (CHROMIUM, CHROMIUM_FLAGS, LAB_SETTINGS, HubServer, LabPage, free_port,  # noqa: E402
                                hub_login, wait_for_lab)

LECTURE = "lectures/01_word2vec_cosine.ipynb"


def one_run(playwright) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="llmcourse-hubbench-"))
    try:
        for folder in ("lectures", "exercises"):
            shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        (root / "autograder").mkdir()
        shutil.copy(ROOT / "autograder" / "nbgrader_config.py", root / "autograder")
        (root / "roster.csv").write_text("student_id\nada\nbo\n")
        home = root / ".hub" / "homes" / "ada"  # settings the test harness needs (as in tests/test_browser.py)
        for name, values in LAB_SETTINGS.items():
            (home / ".jupyter/lab/user-settings" / name).parent.mkdir(parents=True, exist_ok=True)
            (home / ".jupyter/lab/user-settings" / name).write_text(json.dumps(values))
        (home / ".jupyter" / "jupyter_server_config.json").write_text(
            json.dumps({"LabApp": {"expose_app_in_browser": True}}))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        times, start = {}, time.monotonic()
        log = open(root / "hub.log", "w")
        hub = subprocess.Popen([sys.executable, str(ROOT / "course.py"), "hub", "--roster", str(root / "roster.csv"),
                                "--course-root", str(root), "--port", str(port)], stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while True:
                if hub.poll() is not None:
                    raise RuntimeError(f"the hub exited: {(root / 'hub.log').read_text()[-2000:]}")
                try:
                    urllib.request.urlopen(f"{url}/hub/api", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            times["hub answers"] = time.monotonic() - start
            with open(root / ".hub" / "hub" / "passwords.csv") as handle:
                password = {r["username"]: r["password"] for r in csv.DictReader(handle)}["ada"]
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            hub_login(page, url, "ada", password)
            wait_for_lab(page)
            times["student's JupyterLab shown"] = time.monotonic() - start
            LabPage(page, HubServer(url, "ada"), root).open(LECTURE, workspace="bench")
            times["lecture 01 open, kernel idle"] = time.monotonic() - start
            browser.close()
        finally:
            hub.send_signal(signal.SIGTERM)
            hub.wait(timeout=60)
            log.close()
        return times
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit("Debian's chromium is missing (python3 course.py test installs it)")
    load = os.getloadavg()
    runs = []
    with sync_playwright() as playwright:
        for number in range(args.runs):
            runs.append(one_run(playwright))
            print(f"run {number + 1}: " + ", ".join(f"{k} {v:.1f} s" for k, v in runs[-1].items()), flush=True)
    print(f"\nload average at start: {load[0]:.1f} (cores: {os.cpu_count()})")
    print(f"{'stage (seconds after `course.py hub`)':42s} {'median':>8s} {'min':>8s} {'max':>8s}")
    for stage in runs[0]:
        values = [r[stage] for r in runs]
        print(f"{stage:42s} {statistics.median(values):8.1f} {min(values):8.1f} {max(values):8.1f}")


if __name__ == "__main__":
    main()
