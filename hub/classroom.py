"""The class a hub serves: roster, roles, course folders and the nbgrader exchange.

Standard library only: `course.py hub` imports it with the system Python (before the venv exists) and
`jupyterhub_config.py` imports it inside the hub. Every setting travels from `course.py hub` to the hub as an
`LLMCOURSE_*` environment variable (`Settings.to_environment` / `Settings.from_environment`), so the
configuration is also usable without course.py: set the variables and run `jupyterhub -f hub/jupyterhub_config.py`.
"""
from __future__ import annotations

import csv
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

HUB_DIR = Path(__file__).resolve().parent
REPO_ROOT = HUB_DIR.parent
COURSE_ID = "llmcourse"  # autograder/nbgrader_config.py: CourseDirectory.course_id
# A hub name that is also a valid Linux user name (the students may be system users) and nbgrader student id.
USERNAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")

# nbgrader's own exchange permissions (nbgrader/exchange/default/release_assignment.py): the root is writable by
# everyone, sticky so no one removes another's files; the course folder and outbound are readable; inbound is
# write-only for students (they can drop a submission but not list anyone's), setgid so submissions get the
# instructors' group; feedback can be entered but not listed (a student opens only the file named by the hash of
# their own submission).
EXCHANGE_ROOT_MODE = 0o1777
EXCHANGE_MODES = {"": 0o755, "outbound": 0o755, "inbound": 0o2733, "feedback": 0o711}


def write_passwords(path: Path, users: list[str]) -> dict[str, str]:
    """Keep existing passwords, add one for each new user; the file is private to the hub's user."""
    path = Path(path)
    known = read_passwords(path) if path.exists() else {}
    for user in users:
        known.setdefault(user, secrets.token_urlsafe(9))
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "password"])
        writer.writerows(sorted(known.items()))
    os.chmod(path, 0o600)
    return known


def read_passwords(path: Path) -> dict[str, str]:
    with open(path, newline="") as handle:
        return {row["username"]: row["password"] for row in csv.DictReader(handle)}


class RosterError(ValueError):
    pass


def read_roster(path: Path) -> list[str]:
    """Student ids from a roster CSV with a `student_id` column (the same file the grader's collect reads)."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"roster {path} does not exist")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "student_id" not in [f.strip() for f in reader.fieldnames]:
            raise RosterError(f"roster {path} needs a header row with a student_id column; found {reader.fieldnames}")
        ids, problems = [], []
        for number, row in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            student = row.get("student_id", "")
            if not student:
                continue
            if not USERNAME.match(student):
                problems.append(f"line {number}: {student!r} is not usable as a hub user name "
                                "(lower-case letters, digits, '-' and '_', at most 32, not starting with a digit)")
            elif student in ids:
                problems.append(f"line {number}: {student!r} is listed twice")
            else:
                ids.append(student)
    if problems:
        raise RosterError(f"roster {path}:\n  " + "\n  ".join(problems))
    if not ids:
        raise RosterError(f"roster {path} lists no student")
    return ids


def check_names(names: list[str], role: str) -> list[str]:
    bad = [n for n in names if not USERNAME.match(n)]
    if bad:
        raise RosterError(f"{role} names not usable as hub user names: {bad}")
    return names


def prepare_exchange(root: Path, course_id: str = COURSE_ID) -> Path:
    """Create the exchange with the permissions nbgrader needs; return the course's folder in it."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, EXCHANGE_ROOT_MODE)
    course = root / course_id
    for name, mode in EXCHANGE_MODES.items():
        folder = course / name if name else course
        folder.mkdir(exist_ok=True)
        os.chmod(folder, mode)
    return course


def exchange_problems(root: Path, course_id: str = COURSE_ID) -> list[str]:
    """What is wrong with an exchange's permissions (empty when nbgrader and the students can use it)."""
    problems = []
    wanted = {Path(root): EXCHANGE_ROOT_MODE}
    wanted.update({Path(root) / course_id / n if n else Path(root) / course_id: m for n, m in EXCHANGE_MODES.items()})
    for folder, mode in wanted.items():
        if not folder.is_dir():
            problems.append(f"{folder} is missing")
        elif stat.S_IMODE(folder.stat().st_mode) != mode:
            problems.append(f"{folder} has mode {oct(stat.S_IMODE(folder.stat().st_mode))}, needs {oct(mode)}")
    return problems


@dataclass
class Settings:
    """Everything the hub's configuration needs to know about the class."""
    course_root: Path = REPO_ROOT
    roster: Path = REPO_ROOT / "roster.csv"
    instructors: list[str] = field(default_factory=lambda: ["instructor"])
    tas: list[str] = field(default_factory=list)
    exchange: Path | None = None
    state: Path | None = None
    venv: Path = REPO_ROOT / ".venv"
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    proxy_command: str = "configurable-http-proxy"
    system_users: bool = False

    def __post_init__(self):
        self.course_root = Path(self.course_root).resolve()
        self.state = Path(self.state or self.course_root / ".hub").resolve()
        self.exchange = Path(self.exchange or self.state / "exchange").resolve()

    @property
    def private(self) -> Path:
        """The hub's own files (database, cookie secret, passwords): readable by the hub's user only."""
        return self.state / "hub"

    @property
    def homes(self) -> Path:
        """Homes of the servers that run as the hub's user (staff; students too without --system-users)."""
        return self.state / "homes"

    def prepare_state(self) -> None:
        """.hub/ can be entered by everyone (the exchange is inside) but not listed; hub/ and homes/ are private."""
        self.state.mkdir(parents=True, exist_ok=True)
        os.chmod(self.state, 0o711)
        for folder in (self.private, self.homes):
            folder.mkdir(exist_ok=True)
            os.chmod(folder, 0o700)

    @property
    def students(self) -> list[str]:
        return read_roster(self.roster)

    @property
    def staff(self) -> list[str]:
        return self.instructors + [t for t in self.tas if t not in self.instructors]

    def to_environment(self) -> dict[str, str]:
        return {
            "LLMCOURSE_COURSE_ROOT": str(self.course_root), "LLMCOURSE_ROSTER": str(Path(self.roster).resolve()),
            "LLMCOURSE_INSTRUCTORS": ",".join(self.instructors), "LLMCOURSE_TAS": ",".join(self.tas),
            "LLMCOURSE_EXCHANGE": str(self.exchange), "LLMCOURSE_HUB_STATE": str(self.state),
            "LLMCOURSE_VENV": str(Path(self.venv).resolve()), "LLMCOURSE_HUB_IP": self.ip,
            "LLMCOURSE_HUB_PORT": str(self.port), "LLMCOURSE_HUB_API_PORT": str(self.hub_port),
            "LLMCOURSE_PROXY_API_PORT": str(self.proxy_api_port), "LLMCOURSE_PROXY_COMMAND": self.proxy_command,
            "LLMCOURSE_SYSTEM_USERS": "1" if self.system_users else "0",
        }

    @classmethod
    def from_environment(cls, env=os.environ) -> "Settings":
        def names(key: str, default: str = "") -> list[str]:
            return [n.strip() for n in env.get(key, default).split(",") if n.strip()]

        return cls(
            course_root=Path(env.get("LLMCOURSE_COURSE_ROOT", REPO_ROOT)),
            roster=Path(env.get("LLMCOURSE_ROSTER", REPO_ROOT / "roster.csv")),
            instructors=names("LLMCOURSE_INSTRUCTORS", "instructor"), tas=names("LLMCOURSE_TAS"),
            exchange=env.get("LLMCOURSE_EXCHANGE") or None, state=env.get("LLMCOURSE_HUB_STATE") or None,
            venv=Path(env.get("LLMCOURSE_VENV", REPO_ROOT / ".venv")),
            ip=env.get("LLMCOURSE_HUB_IP", "127.0.0.1"), port=int(env.get("LLMCOURSE_HUB_PORT", 8000)),
            hub_port=int(env.get("LLMCOURSE_HUB_API_PORT", 8081)),
            proxy_api_port=int(env.get("LLMCOURSE_PROXY_API_PORT", 8001)),
            proxy_command=env.get("LLMCOURSE_PROXY_COMMAND", "configurable-http-proxy"),
            system_users=env.get("LLMCOURSE_SYSTEM_USERS", "0") == "1",
        )
