"""Plots shared by all lectures. One heatmap helper serves similarity, attention and positional-encoding matrices."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def _as_array(matrix) -> np.ndarray:
    if hasattr(matrix, "detach"):  # a torch tensor
        matrix = matrix.detach().cpu().numpy()
    return np.asarray(matrix, dtype=float)


def heatmap(matrix, *, row_labels: Sequence[str] | None = None, col_labels: Sequence[str] | None = None,
            title: str | None = None, xlabel: str | None = None, ylabel: str | None = None, ax=None,
            cmap: str = "viridis", vmin: float | None = None, vmax: float | None = None,
            annotate: bool | None = None, fmt: str = ".2f", colorbar: bool = True):
    """Draw a 2-D matrix (NumPy array or torch tensor) as a heatmap and return the Axes.

    Labels are drawn when given; values are written in the cells when `annotate` is True (by default only for
    matrices of at most 12 x 12).
    """
    values = _as_array(matrix)
    if values.ndim != 2:
        raise ValueError(f"heatmap needs a 2-D matrix, got shape {values.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(min(1.0 + 0.5 * values.shape[1], 10), min(1.0 + 0.45 * values.shape[0], 8)))
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    if row_labels is not None:
        ax.set_yticks(range(len(row_labels)), labels=list(row_labels))
    if col_labels is not None:
        ax.set_xticks(range(len(col_labels)), labels=list(col_labels), rotation=45, ha="right")
    if annotate is None:
        annotate = values.shape[0] <= 12 and values.shape[1] <= 12
    if annotate:
        middle = np.nanmean(values)
        for (i, j), value in np.ndenumerate(values):
            ax.text(j, i, format(value, fmt), ha="center", va="center", fontsize=8,
                    color="white" if value < middle else "black")
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax


def heatmap_grid(matrices, *, row_titles: Sequence[str] | None = None, col_titles: Sequence[str] | None = None,
                 tick_labels: Sequence[str] | None = None, cell_size: float = 1.6, cmap: str = "viridis",
                 title: str | None = None):
    """A grid of heatmaps, e.g. layer x head attention maps (UvA DL style). `matrices[r][c]` is one 2-D matrix.

    Returns the Figure. Tick labels (tokens) are drawn on the left column and bottom row only.
    """
    rows, cols = len(matrices), len(matrices[0])
    fig, axes = plt.subplots(rows, cols, figsize=(cell_size * cols + 1, cell_size * rows + 0.8), squeeze=False)
    for r in range(rows):
        for c in range(cols):
            ax = axes[r][c]
            heatmap(matrices[r][c], ax=ax, cmap=cmap, vmin=0, annotate=False, colorbar=False)
            ax.set_xticks([])
            ax.set_yticks([])
            if tick_labels is not None and c == 0:
                ax.set_yticks(range(len(tick_labels)), labels=list(tick_labels), fontsize=6)
            if tick_labels is not None and r == rows - 1:
                ax.set_xticks(range(len(tick_labels)), labels=list(tick_labels), fontsize=6, rotation=90)
            if row_titles is not None and c == 0:
                ax.set_ylabel(row_titles[r], fontsize=8)
            if col_titles is not None and r == 0:
                ax.set_title(col_titles[c], fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_curves(curves: Mapping[str, Sequence[float]], *, xlabel: str = "step", ylabel: str = "loss",
                title: str | None = None, ax=None, logy: bool = False):
    """Line plot of one or more named series (loss curves, accuracies) against their index. Returns the Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
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
               title: str | None = None, ax=None, max_labels: int = 60):
    """Scatter plot of 2-D points (e.g. a PCA projection of embeddings), coloured by group, with text labels."""
    points = _as_array(points)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5.5))
    if groups is None:
        ax.scatter(points[:, 0], points[:, 1], s=18)
    else:
        groups = list(groups)
        for group in sorted(set(groups)):
            chosen = [i for i, g in enumerate(groups) if g == group]
            ax.scatter(points[chosen, 0], points[chosen, 1], s=18, label=str(group))
        ax.legend(fontsize=7, loc="best", ncols=2)
    if labels is not None:
        for i, label in enumerate(list(labels)[:max_labels]):
            ax.annotate(label, points[i], fontsize=7, alpha=0.8, xytext=(2, 2), textcoords="offset points")
    if title:
        ax.set_title(title)
    return ax


def project_2d(vectors) -> np.ndarray:
    """Project vectors to 2-D with PCA (scikit-learn), deterministic up to the sign convention it fixes."""
    from sklearn.decomposition import PCA

    return PCA(n_components=2, svd_solver="full").fit_transform(_as_array(vectors))
