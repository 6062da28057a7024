"""How the hub starts a user's JupyterLab: students and staff differ in who they run as, where, and which
nbgrader tools they see.

- A student's server runs the course's venv (`jupyterhub-singleuser`) in the student's home, with the nbgrader
  configuration in `hub/student/` (Assignment List and Validate only; `student_id` = the hub user). With
  `--system-users` it runs as the student's own Linux account (LocalProcessSpawner), so one student cannot read
  another's files; otherwise (a one-machine demo) every server runs as the hub's user in `.hub/homes/<name>/`.
- An instructor's or TA's server runs as the hub's user (who owns the course folder and its gradebook) with the
  course folder as its root and `hub/staff/` (formgrader on the course's `autograder/`).
- A student's first start copies `lectures/` into their home, so the first thing they see is the first lecture.
"""
from __future__ import annotations

import os
import pwd
import shutil
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Bool, List, Unicode

from classroom import COURSE_ID, HUB_DIR

# Variables the hub's environment passes on to every server: the course is offline-first, and an instructor who
# sets these when starting the hub wants them in the students' kernels too.
PASSED_ON = ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "TOKENIZERS_PARALLELISM", "LLMCOURSE_MODEL"]


class CourseSpawner(LocalProcessSpawner):
    course_root = Unicode(config=True, help="The course folder (lectures/, exercises/, autograder/).")
    venv = Unicode(config=True, help="The course's venv; servers run its jupyterhub-singleuser.")
    exchange = Unicode(config=True, help="nbgrader exchange root.")
    state_dir = Unicode(config=True, help="The hub's state folder; non-system users' homes are under homes/.")
    staff = List(Unicode(), config=True, help="Hub users who get formgrader (instructors and TAs).")
    system_users = Bool(False, config=True, help="Run students' servers as their own Linux accounts.")

    @property
    def is_staff(self) -> bool:
        return self.user.name in self.staff

    @property
    def as_system_user(self) -> bool:
        return self.system_users and not self.is_staff

    @property
    def home(self) -> Path:
        if self.as_system_user:
            return Path(pwd.getpwnam(self.user.name).pw_dir)
        return Path(self.state_dir) / "homes" / self.user.name

    def make_preexec_fn(self, name):
        if self.as_system_user:
            return super().make_preexec_fn(name)  # setuid to the student, cd to their home
        home = str(self.home)

        def preexec():
            os.chdir(home)

        return preexec

    def user_env(self, env):
        if self.as_system_user:
            return super().user_env(env)
        env.update(USER=self.user.name, HOME=str(self.home), SHELL="/bin/bash")
        return env

    def get_env(self):
        env = super().get_env()
        bin_dir = str(Path(self.venv) / "bin")
        role = "staff" if self.is_staff else "student"
        env.update({
            "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', os.defpath)}",  # nbgrader shells out to alembic
            "VIRTUAL_ENV": self.venv,
            # Read-only configuration above the venv's own (the user's ~/.jupyter still comes first).
            "JUPYTER_CONFIG_PATH": str(HUB_DIR / role),
            "LLMCOURSE_COURSE_ROOT": self.course_root,
            "LLMCOURSE_EXCHANGE": self.exchange,
            "LLMCOURSE_COURSE_ID": COURSE_ID,
        })
        env.update({k: os.environ[k] for k in PASSED_ON if k in os.environ})
        return env

    def get_args(self):
        args = super().get_args()
        if not self.as_system_user and os.geteuid() == 0:
            args.append("--allow-root")  # the hub's own user is root (CI); a student's server never is
        return args

    async def start(self):
        self.cmd = [str(Path(self.venv) / "bin" / "jupyterhub-singleuser")]
        self.notebook_dir = self.course_root if self.is_staff else str(self.home)
        self._provision_home()
        return await super().start()

    def _provision_home(self) -> None:
        home = self.home
        if not self.as_system_user:
            home.mkdir(parents=True, exist_ok=True)
        if self.is_staff:
            return
        if not home.is_dir():
            raise RuntimeError(f"{self.user.name}'s home {home} does not exist (create the account with useradd -m)")
        lectures = home / "lectures"
        if not lectures.exists():
            shutil.copytree(Path(self.course_root) / "lectures", lectures,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            if self.as_system_user:
                account = pwd.getpwnam(self.user.name)
                for folder, _, files in os.walk(lectures):
                    os.chown(folder, account.pw_uid, account.pw_gid)
                    for name in files:
                        os.chown(os.path.join(folder, name), account.pw_uid, account.pw_gid)
