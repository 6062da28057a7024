#!/usr/bin/env python3
"""Set up the course and open it, or run its tests.

    python3 course.py          # set up if needed, then open the course in JupyterLab
    python3 course.py test     # set up if needed, then run the whole test suite (what CI runs)
    python3 course.py test --fast   # the quick subset: no notebook execution, no browser
    python3 course.py setup    # only (re)install .venv
    python3 course.py hub --roster roster.csv   # a class JupyterHub on this machine (`hub --help`)

Needs nothing but Python 3.11. Everything goes into `.venv` at the repository root; the install is redone only
when pyproject.toml or constraints.txt change.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".llmcourse-install-stamp"
INSTALL_INPUTS = ("pyproject.toml", "constraints.txt")


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def install_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INSTALL_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def run(command: list[str | os.PathLike], **kwargs) -> None:
    subprocess.run([str(part) for part in command], check=True, **kwargs)


def ensure_venv() -> None:
    """Create .venv and install the course into it, unless an identical install is already there."""
    if sys.version_info[:2] != (3, 11):
        say(f"warning: the course is tested with Python 3.11; this is {sys.version.split()[0]}")
    fingerprint = install_fingerprint()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == fingerprint:
        return
    if not PYTHON.exists():
        say(f"creating {VENV.relative_to(ROOT)} ...")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    say("installing the course and its packages (about 2 minutes the first time) ...")
    # constraints.txt pins torch to the CPU build 2.13.0: a bare `torch` would bring several GB of CUDA packages.
    run([PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-c", ROOT / "constraints.txt", "-e", f"{ROOT}[test]"], cwd=ROOT)
    STAMP.write_text(fingerprint + "\n")
    say("install complete")


def venv_environment(offline: bool) -> dict[str, str]:
    env = dict(os.environ)
    # nbgrader shells out to `alembic`, which must be found on PATH.
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(VENV)
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    if offline:
        # Tests prove the course needs no network: any attempt to reach a model hub fails fast.
        env["HF_HUB_OFFLINE"] = "1"
        env["TRANSFORMERS_OFFLINE"] = "1"
    return env


def ensure_browser() -> None:
    """Debian's Chromium for the browser tests (a test tool's own browser download is not possible offline)."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    if os.name == "nt" or not shutil.which("apt-get"):
        say("no Chromium found and no apt-get: the browser tests will report that Chromium is missing")
        return
    prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if prefix is None:
        say("Chromium is missing and installing it needs root: run `apt-get install chromium` once")
        return
    say("installing Debian's chromium for the browser tests ...")
    quiet = {"stdout": subprocess.DEVNULL}
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(prefix + ["apt-get", "update", "-qq"], env=env, **quiet)
    run(prefix + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"],
        env=env, **quiet)


def lab_command(is_root: bool) -> list[str]:
    command = [str(BIN / "jupyter"), "lab", f"--ServerApp.root_dir={ROOT}"]
    if is_root:
        command.append("--allow-root")  # JupyterLab refuses to start as root without it; never added otherwise
    return command


def open_course(extra: list[str]) -> int:
    ensure_venv()
    command = lab_command(is_root=hasattr(os, "geteuid") and os.geteuid() == 0)
    say("opening JupyterLab. Start with lectures/01_word2vec_cosine.ipynb; exercises are in exercises/.")
    say("the URL with its token is printed below; press Ctrl-C twice to stop the server.")
    return subprocess.call(command + extra, cwd=ROOT, env=venv_environment(offline=False))


def test_workers() -> int:
    """One pytest worker per core, at most 4 (each test file runs one single-threaded notebook at a time)."""
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def run_tests(extra: list[str]) -> int:
    ensure_venv()
    fast = "--fast" in extra
    extra = [arg for arg in extra if arg != "--fast"]
    # --durations: the slowest tests are listed at the end, so a lecture creeping over its budget shows up in CI.
    command = [str(PYTHON), "-m", "pytest", "-p", "no:cacheprovider", "--durations=15"]
    # Notebooks run with one torch thread, so one test file keeps one core busy: files go to one pytest-xdist
    # worker per core (whole files, since module fixtures such as a hub or a JupyterLab server are per file). A
    # notebook then shares the machine with another, which is the busy laptop the budgets are set for.
    workers = test_workers()
    if workers > 1 and not any(arg.startswith(("-n", "--numprocesses")) for arg in extra):
        # In collection order (tests/conftest.py puts the longest files first), not xdist's most-tests-first.
        command += ["-n", str(workers), "--dist", "loadfile", "--no-loadscope-reorder"]
    if fast:
        command += ["-m", "not slow and not browser"]
    else:
        ensure_browser()
    say("running the test suite" + (" (fast subset)" if fast else ""))
    return subprocess.call(command + extra, cwd=ROOT, env=venv_environment(offline=True))


PROXY_PACKAGE = "configurable-http-proxy@5.3.0"
PROXY_PREFIX = ROOT / ".hub"  # npm installs into .hub/node_modules (git-ignored, like .venv)


def ensure_proxy() -> str:
    """configurable-http-proxy for JupyterHub: npm's package in .hub/, else Debian's node-configurable-http-proxy."""
    local = PROXY_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return str(local)
    if shutil.which("npm"):
        say(f"installing {PROXY_PACKAGE} into {PROXY_PREFIX.relative_to(ROOT)}/node_modules (npm) ...")
        PROXY_PREFIX.mkdir(exist_ok=True)
        result = subprocess.run(["npm", "install", "--prefix", str(PROXY_PREFIX), "--no-audit", "--no-fund",
                                 "--loglevel=error", PROXY_PACKAGE], capture_output=True, text=True)
        if result.returncode == 0 and local.exists():
            return str(local)
        say(f"npm could not install {PROXY_PACKAGE}: {result.stderr.strip()[-500:]}")
    system = shutil.which("configurable-http-proxy")
    if system:
        return system
    if shutil.which("apt-get") and os.geteuid() == 0:
        say("installing Debian's node-configurable-http-proxy ...")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run(["apt-get", "update", "-qq"], env=env, stdout=subprocess.DEVNULL)
        run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "node-configurable-http-proxy"],
            env=env, stdout=subprocess.DEVNULL)
        system = shutil.which("configurable-http-proxy")
        if system:
            return system
    raise SystemExit("[course] JupyterHub needs configurable-http-proxy: install Node.js and npm (or, on Debian, "
                     "`apt-get install node-configurable-http-proxy`) and run this again")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hub_arguments(argv: list[str]):
    import argparse

    parser = argparse.ArgumentParser(prog="course.py hub", description=(
        "Run a class JupyterHub on this machine: one hub user per roster row plus instructors and TAs, the nbgrader "
        "exchange, students' servers on the course's venv. Listens on 127.0.0.1 only unless --ip says otherwise; "
        "README 'Running a class on JupyterHub' says how to expose it safely."))
    parser.add_argument("--roster", type=Path, required=True, help="CSV with a student_id column (one hub user each)")
    parser.add_argument("--instructor", action="append", help="instructor account (hub admin, formgrader); "
                        "repeatable; default: instructor")
    parser.add_argument("--ta", action="append", default=[], help="TA account (formgrader); repeatable")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("--port", type=int, default=8000, help="port of the hub's web address (default 8000)")
    parser.add_argument("--exchange", type=Path, help="nbgrader exchange root (default: <course>/.hub/exchange)")
    parser.add_argument("--course-root", type=Path, default=ROOT, help="course folder (default: this repository)")
    parser.add_argument("--system-users", action="store_true", help="run each student's server as the Linux "
                        "account of the same name (needs root and `useradd -m` accounts): students cannot read "
                        "each other's files")
    return parser.parse_args(argv)


def hub_settings(args):
    sys.path.insert(0, str(ROOT / "hub"))
    from classroom import RosterError, Settings, check_names

    try:
        settings = Settings(course_root=args.course_root, roster=args.roster,
                            instructors=check_names(args.instructor or ["instructor"], "instructor"),
                            tas=check_names(args.ta, "TA"), exchange=args.exchange, venv=VENV, ip=args.ip,
                            port=args.port, hub_port=free_port(), proxy_api_port=free_port(),
                            system_users=args.system_users)
        students = settings.students
    except RosterError as error:
        raise SystemExit(f"[course] {error}")
    clash = sorted(set(students) & set(settings.staff))
    if clash:
        raise SystemExit(f"[course] on the roster and also instructor or TA: {clash}")
    if args.system_users:
        import pwd

        missing = [s for s in students if not _account_exists(pwd, s)]
        if os.geteuid() != 0:
            raise SystemExit("[course] --system-users starts servers as other accounts: run the hub as root")
        if missing:
            raise SystemExit(f"[course] --system-users: no Linux account for {missing} (`useradd -m NAME`)")
    return settings, students


def _account_exists(pwd, name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def protect_course(course_root: Path) -> None:
    """Students' servers run on this machine: the reference solutions (hidden tests) and the gradebook must not be
    readable by their accounts, while the venv, lectures and data stay readable."""
    for name in ("solutions", "autograder"):
        folder = course_root / name
        if folder.is_dir():
            os.chmod(folder, folder.stat().st_mode & ~0o077)
    blocked = [str(p) for p in [course_root, *course_root.parents] if not p.stat().st_mode & 0o001]
    if blocked:
        say(f"warning: students' accounts cannot enter {blocked} (no o+x): their servers will not start")


def open_hub(argv: list[str]) -> int:
    args = hub_arguments(argv)
    ensure_venv()
    settings, students = hub_settings(args)
    settings.proxy_command = ensure_proxy()
    from classroom import prepare_exchange, write_passwords

    settings.prepare_state()
    prepare_exchange(settings.exchange)
    if args.system_users:
        protect_course(settings.course_root)
    passwords = settings.private / "passwords.csv"
    write_passwords(passwords, students + settings.staff)
    command = [str(BIN / "jupyterhub"), "-f", str(ROOT / "hub" / "jupyterhub_config.py")]
    env = venv_environment(offline=False)
    env.update(settings.to_environment())
    shown = "127.0.0.1" if args.ip in ("127.0.0.1", "localhost") else args.ip
    say(f"class hub for {len(students)} students, instructors {settings.instructors}, TAs {settings.tas}")
    say(f"open http://{shown}:{args.port}/ and log in with a user name and its password from {passwords}")
    say(f"nbgrader exchange: {settings.exchange} (course id llmcourse); press Ctrl-C to stop the hub and every server")
    os.chdir(settings.private)
    os.execve(command[0], command, env)


def main(argv: list[str]) -> int:
    # `course.py --port=9999` passes options straight to JupyterLab
    action, rest = (argv[0], argv[1:]) if argv and not argv[0].startswith("-") else ("open", argv)
    if action in ("open", "lab"):
        return open_course(rest)
    if action == "test":
        return run_tests(rest)
    if action == "hub":
        return open_hub(rest)
    if action == "setup":
        ensure_venv()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
