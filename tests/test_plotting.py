"""llmcourse.plotting: annotations readable on every cell colour, tick labels that do not overlap, integer ticks,
colour bars that say what the colours mean, axis labels where asked."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from llmcourse.plotting import DPI, SMALLEST_FONT, heatmap, heatmap_grid, scatter_2d, text_colour


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def contrast(text: str, rgba) -> float:
    """WCAG contrast ratio between black or white text and a background colour."""
    def luminance(rgb):
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    text_l = 0.0 if text == "black" else 1.0
    light, dark = max(text_l, luminance(rgba)), min(text_l, luminance(rgba))
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("cmap", ["RdBu", "viridis", "Blues", "coolwarm"])
def test_annotation_colour_is_the_more_readable_one_on_every_colour(cmap):
    colours = plt.get_cmap(cmap)(np.linspace(0, 1, 101))
    for rgba in colours:
        chosen = text_colour(rgba)
        other = "white" if chosen == "black" else "black"
        assert contrast(chosen, rgba) >= contrast(other, rgba), (cmap, rgba, chosen)
        assert contrast(chosen, rgba) >= 4.5, f"{chosen} on {rgba} is hard to read"


def test_rdbu_annotations_are_white_on_both_dark_ends_and_black_in_the_pale_middle():
    # The old rule (compare with the mean) wrote black on navy and white on near-white.
    matrix = np.array([[-1.0, 0.0, 1.0]])
    ax = heatmap(matrix, cmap="RdBu", vmin=-1, vmax=1, annotate=True)
    colours = [t.get_color() for t in ax.texts]
    assert colours == ["white", "black", "white"]


def test_ticks_are_integers_without_labels():
    ax = heatmap(np.random.default_rng(0).random((20, 7)), annotate=False)
    ax.figure.canvas.draw()
    for ticks in (ax.get_xticks(), ax.get_yticks()):
        inside = [t for t in ticks if -0.5 <= t <= 19.5]
        assert inside and all(float(t).is_integer() for t in inside), ticks


def _line_height(label, renderer) -> float:
    """Height in pixels of the label's text laid out horizontally (with ascenders and descenders)."""
    probe = label.figure.text(0, 0, "Tg" + label.get_text(), fontsize=label.get_fontsize(), rotation=0)
    height = probe.get_window_extent(renderer).height
    probe.remove()
    return height


@pytest.mark.parametrize("n", [5, 15, 40])
def test_token_labels_never_overlap(n):
    tokens = [f"token{i}" for i in range(n)]
    fig, ax = plt.subplots(figsize=(5.5, 4.8))
    heatmap(np.eye(n), row_labels=tokens, col_labels=tokens, ax=ax, annotate=False)
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for axis, labels in (("x", ax.get_xticklabels()), ("y", ax.get_yticklabels())):
        shown = [label for label in labels if label.get_text()]
        assert min(label.get_fontsize() for label in shown) >= SMALLEST_FONT
        # distance between neighbouring labels, across the direction the text runs
        anchors = [ax.transData.transform((label.get_position()[0], 0) if axis == "x" else (0, label.get_position()[1]))
                   for label in shown]
        step = min(np.hypot(*(b - a)) for a, b in zip(anchors, anchors[1:]))
        across = step * (np.sin(np.radians(shown[0].get_rotation())) if axis == "x" else 1.0)
        assert _line_height(shown[0], renderer) <= across, f"{axis} labels overlap: {n} labels, font {shown[0].get_fontsize():.1f}"
    shown = [label.get_text() for label in ax.get_yticklabels() if label.get_text()]
    assert shown[0] == "token0" and (n > 20 or len(shown) == n), "small matrices label every row"


def test_figures_are_sharper_than_the_notebook_default():
    ax = heatmap(np.eye(3))
    assert ax.figure.get_dpi() >= DPI


def test_colour_bar_is_labelled():
    ax = heatmap(np.eye(3), colorbar_label="cosine similarity")
    bars = [a for a in ax.figure.axes if a is not ax]
    assert len(bars) == 1 and bars[0].get_ylabel() == "cosine similarity"


def test_grid_has_one_shared_colour_bar_and_scale():
    rng = np.random.default_rng(0)
    maps = [[rng.random((4, 4)) * (r + 1) for _ in range(3)] for r in range(2)]
    fig = heatmap_grid(maps, row_titles=["a", "b"], col_titles=["x", "y", "z"], tick_labels=list("abcd"),
                       colorbar_label="attention weight")
    cells = [ax for ax in fig.axes if ax.images]
    assert len(cells) == 6
    assert {ax.images[0].get_clim() for ax in cells} == {(0.0, max(m.max() for row in maps for m in row))}
    bars = [ax for ax in fig.axes if not ax.images and ax.get_ylabel() == "attention weight"]
    assert len(bars) == 1, "one colour bar explains the shared scale"


def test_scatter_names_its_axes():
    ax = scatter_2d(np.zeros((3, 2)), groups=["a", "b", "a"], xlabel="first principal component",
                    ylabel="second principal component")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("first principal component", "second principal component")
