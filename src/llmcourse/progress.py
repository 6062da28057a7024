"""Progress bars whose stored output is the finished bar.

tqdm's widget bar (`tqdm.auto` in a kernel with ipywidgets) stores only its first state as text ("0% 0/108"), and
its text bar stores every intermediate state joined by carriage returns. Here tqdm's text bar is drawn into ONE
IPython display output that is updated in place: JupyterLab shows it moving, and the saved notebook (JupyterLab,
nbconvert, nbclient) keeps the last state, e.g. "Product2Vec: 100%|...| 108/108 [00:01<00:00, 70.2it/s]".
Outside IPython it is tqdm's ordinary bar.
"""
from __future__ import annotations


class _DisplayLine:
    """A file-like target for tqdm that shows the latest line in one updatable IPython display output."""

    def __init__(self):
        from IPython.display import display

        self._handle = display(_Line(""), display_id=True)

    def write(self, text: str) -> None:
        line = text.replace("\n", "\r").split("\r")
        latest = next((part.rstrip() for part in reversed(line) if part.strip()), None)
        if latest is not None:
            self._handle.update(_Line(latest))

    def flush(self) -> None:
        pass


class _Line:
    """One line of plain text for IPython's display machinery."""

    def __init__(self, text: str):
        self.text = text

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.text)


def _in_ipython_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def progress(iterable=None, **kwargs):
    """`tqdm(iterable, **kwargs)` whose saved output is the finished bar (see the module's docstring).

    Use it like tqdm: `for step in progress(range(n), desc="training"): ...` or
    `with progress(total=n, desc="training") as bar: ... bar.update(1)`.
    """
    from tqdm.std import tqdm

    if _in_ipython_kernel():
        kwargs.setdefault("file", _DisplayLine())
        kwargs.setdefault("ascii", False)
        kwargs.setdefault("ncols", 90)
    return tqdm(iterable, **kwargs)
