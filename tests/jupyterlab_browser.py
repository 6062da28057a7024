"""Drive JupyterLab in Debian's headless Chromium with Playwright, as a student would.

`JupyterLabServer` serves a scratch copy of the course on a loopback port with a random token; `LabPage` opens a
notebook in a fresh workspace, runs it, reads its cells' outputs from JupyterLab's own model, moves widgets and
clicks nbgrader's Validate button.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# As root Chromium needs --no-sandbox; the rest stops it calling Google's services, which this machine can't reach.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Lab settings for the test: render every cell (JupyterLab 4 otherwise only renders cells in view) and no
# "get Jupyter news?" toast over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JupyterLabServer:
    def __init__(self, root: Path, log_path: Path):
        self.root, self.log_path = root, log_path
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> "JupyterLabServer":
        settings = self.root.parent / "lab-settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        bin_dir = Path(sys.executable).parent
        command = [str(bin_dir / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={self.port}", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={self.root}", f"--LabApp.user_settings_dir={settings}",
                   "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: see {self.log_path}")
            try:
                urllib.request.urlopen(f"{self.base_url}/api/status?token={self.token}", timeout=2)
                return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not start in {timeout} s: see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
        self.log.close()


def scratch_course(repo: Path, target: Path) -> Path:
    """Lectures and exercises copied, so that running them in the browser changes nothing in the repository."""
    for folder in ("lectures", "exercises"):
        shutil.copytree(repo / folder, target / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return target


_CURRENT = "window.jupyterapp.shell.currentWidget"
_KERNEL_IDLE = (f"() => {{ const w = window.jupyterapp && {_CURRENT}; const s = w && w.sessionContext;"
                " return !!(s && s.session && s.session.kernel && s.session.kernel.status === 'idle'"
                " && w.content && w.content.model); }")
_CELLS = f"""() => {{
  const model = {_CURRENT}.content.model; const cells = [];
  for (let i = 0; i < model.cells.length; i++) {{
    const cell = model.cells.get(i); const json = cell.toJSON();
    cells.push({{type: json.cell_type, execution_count: json.execution_count ?? null,
                outputs: json.outputs || []}});
  }}
  return cells; }}"""
_WIDGET_OUTPUTS = """() => [...document.querySelectorAll(
  '.jp-NotebookPanel:not(.lm-mod-hidden) .jupyter-widgets .widget-output, .jp-NotebookPanel:not(.lm-mod-hidden) .jupyter-widgets.widget-output')]
  .map(e => e.innerText + '|' + [...e.querySelectorAll('img')].map(i => i.src.length + ':' + i.src.slice(-64)).join(','))
  .join('\\n----\\n')"""
_VISIBLE = ".jp-NotebookPanel:not(.lm-mod-hidden)"


class LabPage:
    def __init__(self, page, server: JupyterLabServer, screenshots: Path):
        self.page, self.server, self.screenshots = page, server, screenshots
        screenshots.mkdir(parents=True, exist_ok=True)

    def open(self, relative_path: str, workspace: str, timeout_ms: int = 120_000) -> None:
        url = f"{self.server.base_url}/lab/workspaces/{workspace}/tree/{relative_path}?reset"
        if self.server.token:  # a server behind JupyterHub has no token: the hub's log-in cookie stands for it
            url += f"&token={self.server.token}"
        self.page.goto(url)
        wait(self.page, _KERNEL_IDLE, timeout_ms, f"{relative_path} to open with an idle kernel")

    def open_file(self, relative_path: str, timeout_ms: int = 180_000) -> None:
        """Open any file in JupyterLab (an HTML page opens in its HTML viewer) and wait until it shows."""
        self.page.evaluate("async (path) => await window.jupyterapp.commands.execute('docmanager:open', {path})",
                           relative_path)
        wait(self.page, "() => !!window.jupyterapp.shell.currentWidget", timeout_ms, f"{relative_path} to show")
        time.sleep(1)  # let the viewer render

    def screenshot(self, name: str) -> Path:
        path = self.screenshots / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def run_all(self, timeout_ms: int = 300_000) -> None:
        self.page.set_default_timeout(timeout_ms)
        # The command's promise resolves when the last cell has finished (or one has failed).
        self.page.evaluate("async () => await window.jupyterapp.commands.execute('notebook:run-all-cells')")
        self.page.wait_for_function(_KERNEL_IDLE, timeout=timeout_ms)

    def cells(self) -> list[dict]:
        return self.page.evaluate(_CELLS)

    def body_text(self) -> str:
        return self.page.locator(_VISIBLE).inner_text()

    def count(self, selector: str) -> int:
        return self.page.locator(f"{_VISIBLE} {selector}").count()

    def widget_outputs(self) -> str:
        return self.page.evaluate(_WIDGET_OUTPUTS)

    def move_first_control(self) -> str:
        """Change the first dropdown, slider or text box of the notebook's widgets; say which one was moved."""
        panel = self.page.locator(_VISIBLE)
        dropdown = panel.locator(".jupyter-widgets select").first
        if dropdown.count():
            options = dropdown.locator("option").all_inner_texts()
            current = dropdown.evaluate("e => e.options[e.selectedIndex] ? e.options[e.selectedIndex].text : ''")
            choice = next(o for o in options if o != current)
            dropdown.scroll_into_view_if_needed()
            dropdown.select_option(label=choice)
            return f"dropdown -> {choice}"
        handle = panel.locator(".jupyter-widgets .noUi-handle").first
        if handle.count():
            handle.scroll_into_view_if_needed()
            handle.focus()
            for _ in range(3):
                self.page.keyboard.press("ArrowRight")
            return "slider -> 3 steps right"
        text = panel.locator(".jupyter-widgets input[type=text], .jupyter-widgets textarea").first
        if text.count():
            text.scroll_into_view_if_needed()
            text.fill("orange juice")
            text.press("Enter")
            return "text box -> 'orange juice'"
        raise AssertionError("the notebook shows no dropdown, slider or text box to move")

    def wait_for_change(self, before: str, timeout_s: float = 60) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            now = self.widget_outputs()
            if now != before:
                time.sleep(0.5)  # let a redraw finish
                return self.widget_outputs()
            time.sleep(0.25)
        return before

    def validate(self, timeout_ms: int = 240_000) -> str:
        """Click nbgrader's Validate button in the notebook's toolbar; return the result dialog's text."""
        self.page.locator(f"{_VISIBLE} .jp-Toolbar").get_by_role("button", name="Validate").click()
        self.page.wait_for_function(
            "() => { const d = document.querySelector('.jp-Dialog');"
            " return !!d && /Validation Results|failed|Success|Error/i.test(d.innerText)"
            " && !/Validating/i.test(d.innerText); }", timeout=timeout_ms)
        return self.page.locator(".jp-Dialog").inner_text()

    def close_dialog(self) -> None:
        self.page.keyboard.press("Escape")


# --- JupyterHub: a student's or TA's server behind the hub -------------------------------------------------------

class HubServer:
    """A user's server behind a JupyterHub, for LabPage (the hub's log-in cookie replaces the token)."""

    def __init__(self, hub_url: str, user: str):
        self.hub_url, self.user = hub_url, user
        self.base_url, self.token = f"{hub_url}/user/{user}", ""


def hub_login(page, hub_url: str, user: str, password: str) -> None:
    """Log in on the hub's form; the hub then starts the user's server (wait for it with `wait_for_lab`)."""
    page.goto(f"{hub_url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")


def wait_for_lab(page, timeout_ms: int = 240_000, app: bool = True) -> None:
    """Wait until JupyterLab shows (and, with `app`, exposes window.jupyterapp: LabApp.expose_app_in_browser)."""
    condition = "window.jupyterapp && " if app else ""
    wait(page, f"() => !!({condition}document.querySelector('.jp-LabShell'))", timeout_ms, "JupyterLab to start")


class AssignmentList:
    """nbgrader's Assignment List panel in a student's JupyterLab (lists: released, fetched, submitted).

    Selectors only count what is visible, and every wait says what it waited for when it times out."""

    def __init__(self, lab: "LabPage"):
        self.lab, self.page = lab, lab.page

    def open(self, timeout_ms: int = 180_000) -> None:
        # The command asks the server for a fresh listing; the pause lets the panel show "Loading" before we look.
        self.page.evaluate("async () => { await window.jupyterapp.commands.execute('nbgrader:open-assignment-list');"
                           " await new Promise(r => setTimeout(r, 500)); }")
        # Loaded: the panel is visible and no list still says "Loading" (nbgrader hides that element when the
        # server's listing arrives, or shows an error element instead).
        wait(self.page, """() => { const lists = [...document.querySelectorAll('#released_assignments_list')]
                 .filter(e => e.offsetParent !== null);
               return lists.length === 1 && [...document.querySelectorAll('.list_loading')]
                 .every(e => e.offsetParent === null); }""", timeout_ms, "nbgrader's assignment list to load")

    def row(self, listing: str, assignment: str):
        return self.page.locator(f"#{listing}_assignments_list:visible .list_item").filter(has_text=assignment)

    def press(self, listing: str, assignment: str, button: str, then: str, timeout_ms: int = 180_000) -> str:
        """Click a row's button (Fetch, Submit, Fetch Feedback); wait until the row shows in list `then`, or an
        error dialog opens; return that dialog's text ('' when none)."""
        self.row(listing, assignment).get_by_role("button", name=button).click()
        wait(self.page, f"""() => !!document.querySelector('.jp-Dialog') || [...document.querySelectorAll(
                 '#{then}_assignments_list .list_item')].some(e => e.offsetParent !== null
                 && e.innerText.includes({json.dumps(assignment)}) && !/ing\\.\\.\\./.test(e.innerText))""",
             timeout_ms, f"{button} of {assignment} to reach the {then} list")
        dialog = self.page.locator(".jp-Dialog")
        return dialog.inner_text() if dialog.count() else ""


def wait(page, condition: str, timeout_ms: int, what: str) -> None:
    """page.wait_for_function, but a timeout says what was awaited and what the page showed then."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        page.wait_for_function(condition, timeout=timeout_ms)
    except PlaywrightTimeout:
        try:
            shown = page.locator("body").inner_text(timeout=5_000)[-1500:]
        except PlaywrightTimeout:
            shown = "(the page did not answer)"
        raise AssertionError(f"waited {timeout_ms / 1000:.0f} s for {what} at {page.url}; the page showed:\n{shown}")


def fill_cells(lab: "LabPage", sources: dict[int, str]) -> None:
    """Type new sources into cells of the open notebook (through JupyterLab's model) and save it."""
    lab.page.evaluate(
        f"""async (sources) => {{ const panel = {_CURRENT}; const model = panel.content.model;
          for (const [i, s] of Object.entries(sources)) model.cells.get(Number(i)).sharedModel.setSource(s);
          await panel.context.save(); }}""", {str(k): v for k, v in sources.items()})
