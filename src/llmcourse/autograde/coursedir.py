"""Where a course's files are, read once from nbgrader's own `CourseDirectory` configured by the course's
autograder/nbgrader_config.py (the repository by default; tests use a scratch course with the same layout)."""
from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from llmcourse.paths import REPO_ROOT

CONFIG_FILE = "nbgrader_config.py"


def nbgrader_config(root: Path):
    """The course's autograder/nbgrader_config.py, loaded as nbgrader itself loads it (a fresh Config each time:
    callers such as the exchange add to it)."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    folder = Path(root) / "autograder"
    if not (folder / CONFIG_FILE).is_file():
        return Config()
    return PyFileConfigLoader(CONFIG_FILE, path=str(folder)).load_config()


@functools.cache
def nbgrader_course_directory(root: Path):
    """nbgrader's CourseDirectory with the course's own config (the folder names formgrader and nbgrader use)."""
    from nbgrader.coursedir import CourseDirectory

    config = nbgrader_config(root)
    config.CourseDirectory.root = str(root)  # the config computes it from its own place: the same folder
    return CourseDirectory(config=config)


@dataclass(frozen=True)
class CourseFolders:
    root: Path = REPO_ROOT

    @property
    def coursedir(self):
        return nbgrader_course_directory(Path(self.root))

    def _folder(self, name: str) -> Path:
        return Path(self.root) / getattr(self.coursedir, name)

    @property
    def autograder(self) -> Path:
        """Where nbgrader's config, the gradebook and everything the grader writes live."""
        return Path(self.root) / "autograder"

    @property
    def solutions(self) -> Path:
        return self._folder("source_directory")

    @property
    def exercises(self) -> Path:
        return self._folder("release_directory")

    @property
    def submitted(self) -> Path:
        return self._folder("submitted_directory")

    @property
    def autograded(self) -> Path:
        return self._folder("autograded_directory")

    @property
    def feedback(self) -> Path:
        return self._folder("feedback_directory")

    @property
    def solution_release(self) -> Path:
        return self._folder("solution_directory")

    @property
    def exports(self) -> Path:
        return self.autograder / "exports"

    @property
    def db_url(self) -> str:
        return self.coursedir.db_url

    @property
    def db_path(self) -> Path:
        return Path(self.db_url.removeprefix("sqlite:///"))

    def templates(self, assignment: str) -> list[Path]:
        notebooks = sorted((self.solutions / assignment).glob("*.ipynb"))
        if not notebooks:
            raise FileNotFoundError(f"solutions/{assignment}/ holds no notebook")
        return notebooks

    def assignments(self) -> list[str]:
        """Names of the assignments in solutions/ (psNN_topic), sorted."""
        return sorted(p.name for p in self.solutions.glob("ps[0-9][0-9]_*") if p.is_dir())

    def students_with(self, assignment: str) -> list[str]:
        if not self.submitted.is_dir():
            return []
        return sorted(p.name for p in self.submitted.iterdir() if (p / assignment).is_dir())

    def env(self) -> dict:
        bin_dir = str(Path(sys.executable).parent)
        return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


def venv_bin_on_path() -> None:
    """nbgrader's Gradebook shells out to `alembic`: make the running venv's bin/ findable."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
