"""Figures of anomaly detection: ROC curves, and scores of normal images against unusual ones."""

from __future__ import annotations

from typing import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..analysis.anomaly import auroc, roc_curve


def plot_roc_curves(normal: Mapping[str, np.ndarray], anomalous: Mapping[str, Mapping[str, np.ndarray]],
                    title: str = "ROC curves", ncols: int = 3, panel_width: float = 3.3) -> Figure:
    """One panel per kind of anomaly (ncols to a row), one ROC curve per score, the AUROC in the legend.

    normal: {score name: (N0,) scores of normal images}. anomalous: {kind of anomaly:
    {score name: (N1,) scores}}, the same score names. Higher scores mean more anomalous.
    The dotted diagonal is a detector that guesses.
    """
    kinds = list(anomalous)
    ncols = min(ncols, len(kinds))
    nrows = -(-len(kinds) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_width * ncols, (panel_width + 0.3) * nrows + 0.4),
                             squeeze=False)
    for ax, kind in zip(axes.flat, kinds):
        for i, (score, values) in enumerate(anomalous[kind].items()):
            fpr, tpr, _ = roc_curve(normal[score], values)
            ax.plot(fpr, tpr, color=f"C{i}", label=f"{score}: {auroc(normal[score], values):.2f}")
        ax.plot([0, 1], [0, 1], color="0.6", linestyle=":", linewidth=1)
        ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="false positive rate", ylabel="true positive rate",
               title=kind, aspect="equal")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="x-small", loc="lower right", title="AUROC", title_fontsize="x-small")
    for ax in list(axes.flat)[len(kinds):]:
        ax.set_axis_off()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_score_histograms(groups: Mapping[str, np.ndarray], xlabel: str, title: str,
                          marks: Mapping[str, float] | None = None, bins: int = 40,
                          ax: Axes | None = None) -> Axes:
    """Histograms (as densities) of one score for several groups of images, with optional marked values.

    groups: {group name: (N,) scores}; the first group is drawn filled (the normal images).
    marks: {label: score} vertical lines for single images (a blank image).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.4))
    values = np.concatenate([np.asarray(v, dtype=float) for v in groups.values()]
                            + [np.asarray(list((marks or {}).values()), dtype=float)])
    edges = np.linspace(values.min(), values.max(), bins + 1)
    for i, (name, scores) in enumerate(groups.items()):
        ax.hist(np.asarray(scores, dtype=float), bins=edges, density=True, color=f"C{i}", label=name,
                alpha=0.5 if i == 0 else 1.0, histtype="stepfilled" if i == 0 else "step", linewidth=1.5)
    for j, (label, value) in enumerate((marks or {}).items()):
        ax.axvline(value, color=f"C{len(groups) + j}", linestyle="--", label=label)
    ax.set(xlabel=xlabel, ylabel="density", title=title)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return ax

