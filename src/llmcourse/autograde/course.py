"""Where a course's files are (the repository by default; tests use a scratch course with the same layout)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from llmcourse.paths import REPO_ROOT


@dataclass(frozen=True)
class Course:
    root: Path = REPO_ROOT

    @property
    def autograder(self) -> Path:
        return self.root / "autograder"

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def exercises(self) -> Path:
        return self.root / "exercises"

    @property
    def submitted(self) -> Path:
        return self.autograder / "submitted"

    @property
    def autograded(self) -> Path:
        return self.autograder / "autograded"

    @property
    def feedback(self) -> Path:
        return self.autograder / "feedback"

    @property
    def exports(self) -> Path:
        return self.autograder / "exports"

    @property
    def db_path(self) -> Path:
        return self.autograder / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def templates(self, assignment: str) -> list[Path]:
        notebooks = sorted((self.solutions / assignment).glob("*.ipynb"))
        if not notebooks:
            raise FileNotFoundError(f"solutions/{assignment}/ holds no notebook")
        return notebooks

    def students_with(self, assignment: str) -> list[str]:
        if not self.submitted.is_dir():
            return []
        return sorted(p.name for p in self.submitted.iterdir() if (p / assignment).is_dir())

    def env(self) -> dict:
        import sys

        bin_dir = str(Path(sys.executable).parent)
        return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


def venv_bin_on_path() -> None:
    """nbgrader's Gradebook shells out to `alembic`: make the running venv's bin/ findable."""
    import sys

    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
