"""Where the course's files are, wherever the notebook was started from."""
from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"


def data_path(*parts: str) -> Path:
    """Path of a file the course ships under data/, with a clear error if it is missing."""
    path = DATA_DIR.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the course ships it under data/ (see data/README.md).")
    return path
