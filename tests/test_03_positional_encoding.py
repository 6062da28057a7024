"""Lecture 03 (positional encoding): the slide's printed matrix is what the stored lecture shows, and the widget
panel redraws for every slider with the values it was given."""
from __future__ import annotations

import nbformat
import numpy as np

from llmcourse.paths import REPO_ROOT
from llmcourse.widgets import positional_encoding_panel

LECTURE = REPO_ROOT / "lectures" / "03_positional_encoding.ipynb"

# getPositionEncoding(seq_len=4, d=4, n=100) as NumPy prints it (SIT330 week 7, seed 004)
SLIDE_PRINT = """[[ 0.          1.          0.          1.        ]
 [ 0.84147098  0.54030231  0.09983342  0.99500417]
 [ 0.90929743 -0.41614684  0.19866933  0.98006658]
 [ 0.14112001 -0.9899925   0.29552021  0.95533649]]
"""


def _encode(seq_len, d, n=10000):
    k = np.arange(seq_len, dtype=float)[:, None]
    j = np.arange(d)
    angles = k / float(n) ** (2 * (j // 2) / d)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))


def test_stored_lecture_prints_the_slide_matrix():
    notebook = nbformat.read(LECTURE, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "getPositionEncoding(seq_len=4" in c.source)
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    assert printed == SLIDE_PRINT, f"the lecture no longer prints the slide's matrix:\n{printed}"


def test_panel_redraws_for_every_slider():
    calls = []

    def encode(seq_len, d, n):
        calls.append((seq_len, d, round(n)))
        return _encode(seq_len, d, n)

    panel = positional_encoding_panel(encode, seq_len=20, d=16, n=10000)
    length, dim, base = panel.children[0].children
    texts = [panel.output.outputs[0]["text"]]
    length.value, dim.value, base.value = 30, 8, 100
    for control, value in ((length, 31), (dim, 10), (base, 1000)):
        control.value = value
        texts.append(panel.output.outputs[0]["text"])
        assert "image/png" in panel.output.outputs[1]["data"], "each redraw shows the plots"
    assert len(set(texts)) == len(texts), f"a slider move did not change the panel's text: {texts}"
    assert calls[0] == (20, 16, 10000) and calls[-1] == (31, 10, 1000), calls
    assert texts[-1].startswith("length 31, d = 10, n = 1000: PE(0).PE(0) = 5.00"), texts[-1]


def _printed() -> str:
    notebook = nbformat.read(LECTURE, as_version=4)
    return "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)


def test_stored_rope_section():
    printed = _printed()
    assert "raw PE(k).PE(j):           spread along a diagonal below 1e-12 (rounding)" in printed
    projected = next(line for line in printed.splitlines() if line.startswith("PE(k) W_Q . PE(j) W_K:"))
    assert float(projected.split("spread along a diagonal ")[1].split()[0]) > 1, projected
    assert "RoPE after the projections, spread below 1e-12 (rounding)" in printed
    assert "our RoPE == transformers' RoPE within 1e-4: True" in printed
    line = next(line for line in printed.splitlines() if line.startswith("ours vs apply_rotary_pos_emb, float64 angles"))
    assert "approximate: True" in line


def test_rope_matches_transformers_for_other_sizes():
    # the lecture's rope() (interleaved pairs) against the library (halves), for another width, base and offset
    import torch
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb

    notebook = nbformat.read(LECTURE, as_version=4)
    namespace = {"np": np}
    exec(next(c.source for c in notebook.cells if c.source.startswith("def rope(")).split("\n\n\nx_a")[0], namespace)
    d, positions = 16, np.arange(100, 140)
    x = np.random.default_rng(0).normal(size=(len(positions), d))
    halves = np.concatenate([np.arange(0, d, 2), np.arange(1, d, 2)])
    config = LlamaConfig(hidden_size=d, num_attention_heads=1, head_dim=d, max_position_embeddings=200,
                         rope_theta=500.0)
    as_heads = torch.from_numpy(x[:, halves])[None, None]
    cos, sin = LlamaRotaryEmbedding(config)(as_heads, torch.from_numpy(positions)[None])
    library, _ = apply_rotary_pos_emb(as_heads, as_heads, cos, sin)
    assert np.abs(namespace["rope"](x, positions, n=500.0)[:, halves] - library[0, 0].numpy()).max() < 1e-4


def test_learned_table_is_described_honestly():
    notebook = nbformat.read(LECTURE, as_version=4)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "smooth, banded structure" not in prose
    assert "interpretation" in prose and "gives no\nreason" in prose, "the paper gives no reason for sqrt(d)"
    assert "An encoding that can be computed for any position is not a model that\ngeneralises to it" in prose
    printed = _printed()
    assert "position 0 ([CLS]): norm 2.36, cosine with position 1 0.28" in printed
