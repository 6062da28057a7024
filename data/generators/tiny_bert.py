#!/usr/bin/env python3
"""Write data/tiny_bert/: the tiny BERT that lecture 04 pre-trains (masked LM + next-sentence prediction on
data/bert_corpus, 2 layers, hidden size 64, its own WordPiece vocabulary), for lecture 06's fill-mask pipeline.

It is not generated here but **trained**, by lecture 04 itself: `--model` executes lectures/04_bert_pretraining.ipynb
in a fresh kernel (seeded, one torch thread: about a minute) and saves its `model` and `small_tokenizer` with
`save_pretrained`. Trained floats are not byte-identical across CPUs, so every file is a DERIVED_FILE (the byte test
of tests/test_data_generators.py skips them); instead lecture 04 compares the model it has just trained with this
shipped one (same vocabulary, same weights within 1e-4), and says so in its stored output.

    .venv/bin/python data/generators/tiny_bert.py --model   # re-train and save (after changing lecture 04)
"""
from __future__ import annotations

import argparse
from pathlib import Path

SEED = 0   # lecture 04's: setup_notebook(0), torch.manual_seed(0), torch.Generator().manual_seed(0)
ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "data" / "tiny_bert"
LECTURE = ROOT / "lectures" / "04_bert_pretraining.ipynb"
DERIVED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")
SAVE = """import tempfile as _tempfile, shutil as _shutil, pathlib as _pathlib
with _tempfile.TemporaryDirectory() as _folder:
    model.save_pretrained(_folder)
    small_tokenizer.save_pretrained(_folder)
    _out = _pathlib.Path({out!r})
    _out.mkdir(parents=True, exist_ok=True)
    for _name in {names!r}:
        _shutil.copy(_pathlib.Path(_folder) / _name, _out / _name)
"""


def write(out_dir: Path = OUT_DIR) -> None:
    """Nothing to write from a seed alone: every file is trained (see --model)."""


def train_and_save(out_dir: Path = OUT_DIR) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(LECTURE, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(SAVE.format(out=str(out_dir), names=list(DERIVED_FILES))))
    NotebookClient(notebook, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(LECTURE.parent)}}).execute()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--model", action="store_true", help="run lecture 04 and save its model into --out")
    arguments = parser.parse_args()
    if arguments.model:
        train_and_save(arguments.out)
    else:
        write(arguments.out)
