"""Chapter 7's figures: the rate-distortion plane, class coverage of samples, 2-D embeddings of codes."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from .style import DIGIT_COLOURS


def plot_rate_distortion(rows: Sequence[Mapping[str, float]], title: str = "The beta sweep on the rate-distortion "
                         "plane", ax: Axes | None = None) -> Axes:
    """Each row {"beta", "rate", "distortion"} (nats) as a labelled point, over the ELBO's iso-lines.

    The negative ELBO is rate + distortion, so its iso-lines are the lines of slope -1; they
    are drawn every 10 nats, dashed, and the line through the best (lowest) point is solid.
    """
    if not rows:
        raise ValueError("expected at least one row {beta, rate, distortion}; got none")
    rate = np.array([r["rate"] for r in rows], dtype=float)
    distortion = np.array([r["distortion"] for r in rows], dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.6))
    r_max, d_min, d_max = rate.max() * 1.15 + 1, distortion.min() * 0.92, distortion.max() * 1.05
    best = float((rate + distortion).min())
    grid = np.linspace(0.0, r_max, 2)
    for level in np.arange(np.ceil(d_min / 10) * 10, d_max + r_max + 10, 10):
        ax.plot(grid, level - grid, color="0.75", lw=0.8, ls="--", zorder=0)
    ax.plot(grid, best - grid, color="0.3", lw=1.2,
            label=f"-ELBO = {best:.1f} nats (the best point's iso-line)")
    ax.plot(rate, distortion, "-o", color="C0", label="one VAE per beta")
    for r in rows:
        ax.annotate(f"\u03b2 = {r['beta']:g}", (r["rate"], r["distortion"]), textcoords="offset points",
                    xytext=(6, 4), fontsize=9)
    ax.set(xlim=(0, r_max), ylim=(d_min, d_max), xlabel="rate R = KL(q(z|x) || p(z)) (nats per image)",
           ylabel="distortion D = -log p(x|z) (nats per image)", title=title)
    ax.plot([], [], color="0.75", lw=0.8, ls="--", label="iso-lines of -ELBO = R + D, every 10 nats")
    ax.legend(fontsize="small", loc="upper right")
    ax.grid(alpha=0.2)
    return ax


def plot_class_shares(shares: Mapping[str, np.ndarray | Tensor], reference: np.ndarray | Tensor,
                      title: str = "Which digits do the samples show?", ax: Axes | None = None,
                      reference_label: str = "the data") -> Axes:
    """Grouped bars: the share of each digit (10,) the classifier reads in each model's samples,
    with the data's shares (``reference``, (10,)) as a black tick over each group, labelled
    ``reference_label`` in the legend."""
    if not shares:
        raise ValueError("expected at least one {model name: shares (10,)}; got none")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.6))
    width = 0.8 / len(shares)
    digits = np.arange(10)
    for i, (name, values) in enumerate(shares.items()):
        values = np.asarray(values, dtype=float)
        if values.shape != (10,):
            raise ValueError(f"expected shares of shape (10,) for {name!r}; got {values.shape}")
        ax.bar(digits - 0.4 + width * (i + 0.5), values, width, label=name, color=f"C{i}")
    ax.hlines(np.asarray(reference, dtype=float), digits - 0.42, digits + 0.42, color="black", lw=2,
              label=reference_label)
    ax.set_xticks(digits)
    ax.set(xlabel="digit the classifier reads", ylabel="share of the images", title=title)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small", ncol=2)
    return ax


def plot_embeddings(maps: Mapping[str, Tensor | np.ndarray], labels: Tensor | np.ndarray,
                    axis_names: Sequence[tuple[str, str]], title: str = "Codes in two dimensions, coloured by digit",
                    point_size: float = 4.0) -> Figure:
    """2-D embeddings side by side, {panel title: (N, 2)}, coloured by the same digit labels (N,).

    axis_names: one (x label, y label) per panel, e.g. ("PC 1", "PC 2"). One legend, right of the last panel.
    """
    if not maps or len(axis_names) != len(maps):
        raise ValueError(f"expected one (x, y) axis name pair per panel ({len(maps)}); got {len(axis_names)}")
    labels = np.asarray(labels.cpu() if isinstance(labels, Tensor) else labels)
    fig, axes = plt.subplots(1, len(maps), figsize=(4.6 * len(maps) + 1.2, 4.4), squeeze=False)
    for ax, (name, points), (xname, yname) in zip(axes[0], maps.items(), axis_names):
        points = np.asarray(torch.as_tensor(points).detach().cpu())
        if points.shape != (len(labels), 2):
            raise ValueError(f"expected ({len(labels)}, 2) points for {name!r}; got {points.shape}")
        for digit in range(10):
            mine = points[labels == digit]
            ax.scatter(mine[:, 0], mine[:, 1], s=point_size, color=DIGIT_COLOURS[digit], label=str(digit), alpha=0.8)
        ax.set(title=name, xlabel=xname, ylabel=yname)
    axes[0, -1].legend(markerscale=3, fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5),
                       frameon=False, title="digit")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
