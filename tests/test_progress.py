"""llmcourse.progress: in a real kernel the saved output is ONE display output holding the finished bar (not tqdm's
widget text "0% 0/n", not every intermediate state); outside IPython it is tqdm's ordinary bar."""
from __future__ import annotations

import io

import nbformat
from nbclient import NotebookClient

from llmcourse.progress import progress

CELL = """\
import time
from llmcourse.progress import progress
for _ in progress(range(30), desc="steps", mininterval=0):
    time.sleep(0.01)
with progress(total=4, desc="manual", mininterval=0) as bar:
    for _ in range(4):
        bar.update(1)
print("done")
"""


def test_a_kernel_stores_only_the_finished_bars(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = notebook.cells[0].outputs
    bars = [o for o in outputs if o.output_type == "display_data"]
    assert [o.data["text/plain"].split(":")[0] for o in bars] == ["steps", "manual"], outputs
    assert "100%" in bars[0].data["text/plain"] and "30/30" in bars[0].data["text/plain"]
    assert "4/4" in bars[1].data["text/plain"] and "\r" not in bars[1].data["text/plain"]
    streams = [o for o in outputs if o.output_type == "stream"]
    assert [(o.name, o.text) for o in streams] == [("stdout", "done\n")], "nothing on stderr, no partial bars"


def test_outside_ipython_it_is_an_ordinary_tqdm_bar():
    sink = io.StringIO()
    for _ in progress(range(3), desc="plain", file=sink, mininterval=0):
        pass
    assert "plain: 100%" in sink.getvalue() and "3/3" in sink.getvalue()
