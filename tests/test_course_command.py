"""The README's first command: `python3 course.py` sets up if needed and opens JupyterLab on the course."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from llmcourse.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT))
import course  # noqa: E402


def test_allow_root_only_for_root():
    assert "--allow-root" in course.lab_command(is_root=True)
    assert "--allow-root" not in course.lab_command(is_root=False)
    assert f"--ServerApp.root_dir={REPO_ROOT}" in course.lab_command(is_root=False)


def test_install_fingerprint_changes_with_the_pins(tmp_path, monkeypatch):
    for name in course.INSTALL_INPUTS:
        (tmp_path / name).write_text("a\n")
    monkeypatch.setattr(course, "ROOT", tmp_path)
    first = course.install_fingerprint()
    (tmp_path / "constraints.txt").write_text("torch==9\n")
    assert course.install_fingerprint() != first


@pytest.mark.slow
def test_open_prints_url_with_token_and_where_to_start():
    process = subprocess.Popen([sys.executable, str(REPO_ROOT / "course.py"), "--no-browser", "--port=0"],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    seen, deadline = "", time.monotonic() + 240
    try:
        while time.monotonic() < deadline and not re.search(r"http://\S+/lab\?token=[0-9a-f]{20,}", seen):
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            seen += line
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    assert "Start with lectures/01_word2vec_cosine.ipynb" in seen, seen[-2000:]
    assert re.search(r"http://\S+/lab\?token=[0-9a-f]{20,}", seen), f"no URL with its token in:\n{seen[-2000:]}"
