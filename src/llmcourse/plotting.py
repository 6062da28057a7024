"""Plots shared by all lectures. One heatmap helper serves similarity, attention and positional-encoding matrices."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

# Figures drawn here get at least this resolution (setup_notebook's default of 80 dpi blurs small labels).
DPI = 110
# Tick labels are shrunk to fit their cell, but never below this size: below it, only every k-th label is drawn.
SMALLEST_FONT = 5.5
LARGEST_FONT = 9.0


def _as_array(matrix) -> np.ndarray:
    if hasattr(matrix, "detach"):  # a torch tensor
        matrix = matrix.detach().cpu().numpy()
    return np.asarray(matrix, dtype=float)


def _sharpen(figure) -> None:
    if figure.get_dpi() < DPI:
        figure.set_dpi(DPI)


def text_colour(rgba) -> str:
    """"black" or "white", whichever contrasts more with a background colour (WCAG relative luminance).

    Comparing a value with the matrix's mean fails for diverging maps (RdBu is dark at BOTH ends); the colour
    itself is what the reader sees."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # contrast with black (L + 0.05) / 0.05 beats contrast with white 1.05 / (L + 0.05) when L > 0.179
    return "black" if luminance > 0.179 else "white"


def _cell_points(ax, count: int, axis: str) -> float:
    """How many points one row (axis "y") or column (axis "x") of the matrix gets on the page."""
    box = ax.get_position()
    inches = (box.width * ax.figure.get_figwidth()) if axis == "x" else (box.height * ax.figure.get_figheight())
    return 72.0 * inches / max(count, 1)


def _fit_tick_labels(ax, labels: Sequence[str], axis: str, *, largest: float = LARGEST_FONT) -> None:
    """Set one tick per label, with a font small enough that neighbours do not overlap; if even SMALLEST_FONT does
    not fit, label every k-th position only (the others keep an unlabelled tick)."""
    labels = [str(label) for label in labels]
    spacing = _cell_points(ax, len(labels), axis)
    # A line of text is about 1.2 font sizes tall (ascenders and descenders). x labels are rotated by 45 degrees:
    # neighbours are spacing * sin(45) = 0.71 spacing apart across the text direction.
    room = spacing * (0.58 if axis == "x" else 0.8)
    size = min(largest, room)
    step = 1
    while size < SMALLEST_FONT and step < len(labels):
        step += 1
        size = min(largest, room * step)
    shown = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    if axis == "x":
        ax.set_xticks(range(len(labels)), labels=shown, rotation=45, ha="right", rotation_mode="anchor",
                      fontsize=size)
    else:
        ax.set_yticks(range(len(labels)), labels=shown, fontsize=size)


def heatmap(matrix, *, row_labels: Sequence[str] | None = None, col_labels: Sequence[str] | None = None,
            title: str | None = None, xlabel: str | None = None, ylabel: str | None = None, ax=None,
            cmap: str = "viridis", vmin: float | None = None, vmax: float | None = None,
            annotate: bool | None = None, fmt: str = ".2f", colorbar: bool = True,
            colorbar_label: str | None = None):
    """Draw a 2-D matrix (NumPy array or torch tensor) as a heatmap and return the Axes.

    Labels are drawn when given (shrunk to fit, never overlapping); without labels the ticks are integer indices.
    Values are written in the cells when `annotate` is True (by default only for matrices of at most 12 x 12), in
    black or white, whichever reads better on that cell's colour. A colour bar (with `colorbar_label`) says what
    the colours mean.
    """
    values = _as_array(matrix)
    if values.ndim != 2:
        raise ValueError(f"heatmap needs a 2-D matrix, got shape {values.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(min(1.5 + 0.55 * values.shape[1], 10), min(1.0 + 0.45 * values.shape[0], 8)))
    _sharpen(ax.figure)
    # a large matrix has more cells than pixels: "nearest" would drop most of them (moire), "antialiased" averages
    interpolation = "nearest" if max(values.shape) <= 100 else "antialiased"
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation=interpolation)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if row_labels is not None:
        _fit_tick_labels(ax, row_labels, "y")
    if col_labels is not None:
        _fit_tick_labels(ax, col_labels, "x")
    if annotate is None:
        annotate = values.shape[0] <= 12 and values.shape[1] <= 12
    if annotate:
        size = min(8.0, 0.45 * _cell_points(ax, values.shape[1], "x"), 0.6 * _cell_points(ax, values.shape[0], "y"))
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                ax.text(j, i, format(value, fmt), ha="center", va="center", fontsize=max(size, 5.0),
                        color=text_colour(image.cmap(image.norm(value))))
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        if colorbar_label:
            bar.set_label(colorbar_label)
    return ax


def heatmap_grid(matrices, *, row_titles: Sequence[str] | None = None, col_titles: Sequence[str] | None = None,
                 tick_labels: Sequence[str] | None = None, cell_size: float = 1.6, cmap: str = "viridis",
                 title: str | None = None, vmin: float = 0.0, vmax: float | None = None,
                 colorbar_label: str | None = "value", xlabel: str | None = None, ylabel: str | None = None):
    """A grid of heatmaps, e.g. layer x head attention maps (UvA DL style). `matrices[r][c]` is one 2-D matrix.

    All cells share one colour scale (vmin..vmax, by default 0..the largest value), explained by one colour bar.
    Returns the Figure. Tick labels (tokens) are drawn on the left column and bottom row only, shrunk to fit (or
    thinned to every k-th label when even a small font does not fit); `xlabel` / `ylabel` name the axes of the
    bottom-left cell.
    """
    rows, cols = len(matrices), len(matrices[0])
    if vmax is None:
        vmax = max(float(np.nanmax(_as_array(m))) for row in matrices for m in row)
    fig, axes = plt.subplots(rows, cols, figsize=(cell_size * cols + 1.2, cell_size * rows + 0.9), squeeze=False,
                             layout="constrained")
    _sharpen(fig)
    fig.get_layout_engine().set(w_pad=0.01, h_pad=0.01, wspace=0.0, hspace=0.0)
    for r in range(rows):
        for c in range(cols):
            ax = axes[r][c]
            heatmap(matrices[r][c], ax=ax, cmap=cmap, vmin=vmin, vmax=vmax, annotate=False, colorbar=False)
            ax.set_xticks([])
            ax.set_yticks([])
            if tick_labels is not None and c == 0:
                _fit_tick_labels(ax, tick_labels, "y", largest=7)
            if tick_labels is not None and r == rows - 1:
                _fit_tick_labels(ax, tick_labels, "x", largest=7)
            if row_titles is not None and c == 0:
                ax.set_ylabel(row_titles[r], fontsize=8)
            if col_titles is not None and r == 0:
                ax.set_title(col_titles[c], fontsize=8)
    if xlabel:
        axes[-1][0].set_xlabel(xlabel, fontsize=8)
    if ylabel and row_titles is None:
        axes[-1][0].set_ylabel(ylabel, fontsize=8)
    # a wide grid at full resolution would be shrunk by the browser, and its labels with it: cap it at ~1,200 px
    fig.set_dpi(min(DPI, max(72.0, 1200 / fig.get_figwidth())))
    bar = fig.colorbar(axes[0][0].images[0], ax=axes, fraction=0.02, pad=0.01)
    if colorbar_label:
        bar.set_label(colorbar_label)
    if title:
        fig.suptitle(title)
    return fig


def plot_curves(curves: Mapping[str, Sequence[float]], *, xlabel: str = "step", ylabel: str = "loss",
                title: str | None = None, ax=None, logy: bool = False):
    """Line plot of one or more named series (loss curves, accuracies) against their index. Returns the Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    _sharpen(ax.figure)
    for name, values in curves.items():
        ax.plot(range(1, len(values) + 1), _as_array(values), label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    return ax


def scatter_2d(points, labels: Sequence[str] | None = None, groups: Sequence[str] | None = None, *,
               title: str | None = None, ax=None, max_labels: int = 60, xlabel: str | None = None,
               ylabel: str | None = None):
    """Scatter plot of 2-D points (e.g. a PCA projection of embeddings), coloured by group, with text labels.

    Name the axes with `xlabel` / `ylabel` (e.g. "first principal component")."""
    points = _as_array(points)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5.5))
    _sharpen(ax.figure)
    if groups is None:
        ax.scatter(points[:, 0], points[:, 1], s=18)
    else:
        groups = list(groups)
        names = sorted(set(groups))
        colours = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
        for k, group in enumerate(names):
            chosen = [i for i, g in enumerate(groups) if g == group]
            ax.scatter(points[chosen, 0], points[chosen, 1], s=18, label=str(group), color=colours(k))
        ax.legend(fontsize=7, loc="best", ncols=2)
    if labels is not None:
        for i, label in enumerate(list(labels)[:max_labels]):
            ax.annotate(label, points[i], fontsize=7, alpha=0.8, xytext=(2, 2), textcoords="offset points")
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax


def project_2d(vectors) -> np.ndarray:
    """Project vectors to 2-D with PCA (scikit-learn), deterministic up to the sign convention it fixes."""
    from sklearn.decomposition import PCA

    return PCA(n_components=2, svd_solver="full").fit_transform(_as_array(vectors))
