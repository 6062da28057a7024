"""Checking what a submission contains before it is graded: its notebooks by name, nothing else, not too big."""
from __future__ import annotations

from pathlib import Path

EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")  # nbgrader's submit writes them beside the notebooks
MAX_NOTEBOOK_BYTES = 20 << 20


def unexpected_files(folder: Path, expected: list[str]) -> list[str]:
    """Files in a submission besides its notebooks (hidden files, e.g. .ipynb_checkpoints/, and the exchange's own
    timestamp.txt and submission_secret.txt do not count), as paths relative to the submission folder."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_dir() or any(part.startswith(".") for part in relative.parts):
            continue
        if relative.as_posix() not in expected and relative.as_posix() not in EXCHANGE_FILES:
            found.append(relative.as_posix())
    return found


def read_notebook(folder: Path, name: str, expected: list[str]) -> tuple[bytes | None, str]:
    """The submitted notebook `name` (one of `expected`), or None and why it is not graded."""
    extra = unexpected_files(folder, expected)
    other_notebooks = [e for e in extra if e.endswith(".ipynb")]
    path = folder / name
    if not path.is_file() and other_notebooks:
        return None, (f"{name} is missing; found {', '.join(other_notebooks[:3])} instead. Notebooks "
                      f"must keep their name: rename yours to {name} and submit again.")
    if not path.is_file():
        return None, f"{name} is missing from the submission."
    if extra:
        return None, (f"your submission has files the assignment does not ask for: {', '.join(extra[:10])}"
                      f"{'' if len(extra) <= 10 else ', ...'}. Nothing was graded: submit only "
                      f"{', '.join(expected)} and nothing else.")
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return None, f"{name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MB; it was not graded."
    return path.read_bytes(), ""
