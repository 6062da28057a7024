"""Lecture 02 (self-attention): the attention explorer widget reacts to its controls, and the lecture's stored
results say what the lecture claims (ICE #0 with sqrt(3) and with the slide's 2, the 1e-6 matches with PyTorch)."""
from __future__ import annotations

import numpy as np
import pytest

from llmcourse.paths import REPO_ROOT

LECTURE = REPO_ROOT / "lectures" / "02_self_attention.ipynb"


def fake_attention(sentence):
    """Deterministic (layers=2, heads=3) row-stochastic attention for the words of `sentence`."""
    tokens = sentence.lower().split()
    rng = np.random.default_rng(len(sentence))
    weights = rng.random((2, 3, len(tokens), len(tokens)))
    return tokens, weights / weights.sum(-1, keepdims=True)


@pytest.fixture()
def explorer():
    from llmcourse.widgets import attention_explorer

    calls = []

    def attention_of(sentence):
        calls.append(sentence)
        return fake_attention(sentence)

    panel = attention_explorer(attention_of, ["the cat saw it", "it was a very long day"], focus_token="it")
    return panel, calls


def shown(panel):
    (output,) = panel.output.outputs
    return output["data"]["text/plain"], output["data"]["image/png"]


def controls(panel):
    import ipywidgets as widgets

    found = {}
    stack = [panel]
    while stack:
        widget = stack.pop()
        if isinstance(widget, widgets.Dropdown):
            found["sentence"] = widget
        elif isinstance(widget, widgets.IntSlider):
            found[widget.description] = widget
        stack.extend(getattr(widget, "children", ()))
    return found


def test_explorer_draws_the_first_map_and_names_the_focus_token(explorer):
    panel, calls = explorer
    text, png = shown(panel)
    tokens, weights = fake_attention("the cat saw it")
    target = tokens[int(np.argmax(weights[0, 0, tokens.index("it")]))]
    assert text.startswith("layer 0, head 0: 'it' puts most attention on") and f"'{target}'" in text
    assert len(png) > 1000
    assert calls == ["the cat saw it"]


def test_moving_each_control_redraws_the_output(explorer):
    panel, calls = explorer
    found = controls(panel)
    assert set(found) == {"sentence", "layer", "head"}
    assert (found["layer"].max, found["head"].max) == (1, 2), "slider ranges come from the weights' shape"
    seen = [shown(panel)]
    found["head"].value = 2
    seen.append(shown(panel))
    found["layer"].value = 1
    seen.append(shown(panel))
    found["sentence"].value = "it was a very long day"
    seen.append(shown(panel))
    assert len({png for _, png in seen}) == 4, "every move must change the drawn map"
    assert seen[2][0].startswith("layer 1, head 2")
    found["sentence"].value = "the cat saw it"
    assert calls == ["the cat saw it", "it was a very long day"], "attention is computed once per sentence"


def test_explorer_without_the_focus_token_still_draws():
    from llmcourse.widgets import attention_explorer

    panel = attention_explorer(fake_attention, ["a b c"], layer=1, head=2, focus_token="it")
    text, _ = shown(panel)
    assert text == "layer 1, head 2"


def ice0_weights(scale):
    x = np.array([[1, 2, 3, -1], [3, -4, -7, 5]], float)
    w_q = np.array([[-1, 2, 0], [2, 3, -5], [1, 0, 0], [-3, 1, 2]], float)
    w_k = np.array([[1, 2, 3], [2, 4, 3], [3, 0, 3], [-1, 5, 2]], float)
    scores = (x @ w_q) @ (x @ w_k).T / scale
    e = np.exp(scores - scores.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def stored_text():
    import nbformat

    notebook = nbformat.read(LECTURE, as_version=4)       # joins the stored multi-line strings
    return "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)


def test_ice0_answer_does_not_depend_on_the_scale():
    for scale in (np.sqrt(3), 2.0):
        weights = ice0_weights(scale)
        assert weights[1].argmax() == 1 and weights[1, 1] > 0.999999
    assert abs(ice0_weights(np.sqrt(3))[0, 1] - 0.999903) < 1e-6   # the lecture's check_yourself values
    assert abs(ice0_weights(2.0)[0, 1] - 0.999665) < 1e-6


def test_lecture_shows_both_scales_and_the_torch_matches():
    text = stored_text()
    assert "d_k = 3, so sqrt(d_k) = 1.7321 (the slide divides by 2)" in text
    assert text.count("-> it attends to token 2") == 2, "ICE #0 is worked with sqrt(3) and with the slide's 2"
    for label in ("MHA output vs nn.MultiheadAttention", "causal MHA vs nn.MultiheadAttention",
                  "layer_norm vs nn.LayerNorm", "encoder block vs TransformerEncoderLayer"):
        line = next(line for line in text.splitlines() if line.startswith(label))
        assert "approximate: True" in line, line
    assert "heads whose largest weight from 'it' is on 'animal'" in text
    assert "All checks passed" in text


def test_fully_masked_row_says_which_pytorch_layer_does_what():
    text = stored_text()
    lines = {line.split(" fully masked row -> ")[0].strip(): line.split(" -> ")[1] for line in text.splitlines()
             if " fully masked row -> " in line}
    assert lines == {"F.scaled_dot_product_attention": "['0.0', '0.0', '0.0']",
                     "nn.MultiheadAttention, need_weights=True": "['nan', 'nan', 'nan']",
                     "nn.MultiheadAttention, need_weights=False": "['0.0', '0.0', '0.0']"}


def test_heads_for_animal_and_tired_and_the_512_limit():
    text = stored_text()
    assert "heads whose largest weight from 'it' is on 'tired': [(1, 4), (1, 7), (2, 1), (2, 3), (2, 8), (5, 9)]" in text
    assert "this model: d_model = 384, 12 heads of d_k = 32" in text and "d_model = 512, 8 heads of d_k = 64" in text
    assert "position table: (512, 384)" in text and "513 tokens -> RuntimeError" in text


def test_prose_does_not_hard_code_model_numbers():
    import nbformat

    notebook = nbformat.read(LECTURE, as_version=4)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for number in ("0.64", "40 of 72", "36 of 72", "layer 3 head 1"):
        assert number not in prose, f"{number!r} depends on the model (LLMCOURSE_MODEL): print it instead"
    assert "because its learned position table" in prose, "BERT's 512 limit is its position table"
    assert "Cheng et al. 2016" in prose, "self-attention predates the 2017 paper"
