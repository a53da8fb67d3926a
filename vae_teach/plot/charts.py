"""Charts of measurements: per-class bars, error against code size, angles, compression, paths."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from torch import Tensor

from ..analysis.latent_usage import prior_norm_band
from ..analysis.paths import path_norms


def plot_per_class(values: Tensor | Sequence[float], ylabel: str, title: str,
                   class_names: Sequence[str] | None = None, ax: Axes | None = None,
                   xlabel: str = "class") -> Axes:
    """A bar per class: values (C,), labelled with class_names (default 0..C-1)."""
    values = torch.as_tensor(values).detach().cpu().numpy()
    names = list(class_names) if class_names is not None else [str(i) for i in range(len(values))]
    if len(names) != len(values):
        raise ValueError(f"expected one class name per value ({len(values)}); got {len(names)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 2.8))
    ax.bar(names, values, color="C0")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(axis="y", alpha=0.3)
    return ax


def plot_principal_angles(angles: Mapping[str, Tensor], title: str = "Principal angles to the PCA subspace",
                          ax: Axes | None = None) -> Axes:
    """One line of principal angles (degrees, smallest first) per named subspace."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    for i, (name, values) in enumerate(angles.items()):
        values = torch.as_tensor(values).cpu().numpy()
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", ms=4, label=name, color=f"C{i}")
    ax.set(xlabel="angle index (smallest first)", ylabel="angle (degrees)", ylim=(-3, 93), title=title)
    ax.set_yticks([0, 15, 30, 45, 60, 75, 90])
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plot_error_vs_k(ks: Sequence[int], errors: Mapping[str, Mapping[int, float]],
                    title: str = "Test reconstruction error against code size", ax: Axes | None = None,
                    baselines: Mapping[str, float] | None = None,
                    seeds: Mapping[str, Mapping[int, Sequence[float]]] | None = None) -> Axes:
    """Squared error per test image against the number of codes k (log2 axis), one line per method.

    baselines: {label: error} for guesses that use no code at all (the mean image), drawn
    as dashed horizontal lines. seeds: {method: {k: errors}} of the same method retrained
    with other seeds, drawn as small dots in the method's colour, so the seed-to-seed
    spread is visible beside each line.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6))
    markers = "os^D"
    colours = {}
    for i, (name, by_k) in enumerate(errors.items()):
        colours[name] = f"C{i}"
        ax.plot(list(ks), [by_k[k] for k in ks], marker=markers[i % 4], label=name, color=f"C{i}")
    for name, by_k in (seeds or {}).items():
        if name not in colours:
            raise ValueError(f"expected seeds for one of the methods {list(colours)}; got {name!r}")
        for k, values in by_k.items():
            # Hollow and a little to the right of the line's marker, which would hide them.
            ax.plot([k * 1.12] * len(values), list(values), "o", ms=4, mfc="none", color=colours[name],
                    label=f"{name}, other seeds" if k == next(iter(by_k)) else None)
    for j, (label, value) in enumerate((baselines or {}).items()):
        if not np.isfinite(value):
            raise ValueError(f"expected a finite baseline error for {label!r}; got {value!r}")
        ax.axhline(float(value), ls="--", lw=1.2, color=("0.35", "0.6")[j % 2], label=label)
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(ks), [str(k) for k in ks])
    ax.set(xlabel="code size k (numbers per image)", ylabel="squared error per image", title=title)
    ax.grid(alpha=0.3)
    # Beside the plot: inside, it covered the baselines' lines.
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def plot_compression(rows: Sequence[Mapping], raw_bytes: float, png_bytes: float | None = None,
                     title: str = "Bytes per image against reconstruction error",
                     ax: Axes | None = None) -> Axes:
    """Each row {"method", "k", "bytes", "error"}: error against stored bytes per image (log x).

    raw_bytes (error 0) and png_bytes (lossless, error 0) are drawn as reference lines.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.8))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    for i, method in enumerate(methods):
        mine = [r for r in rows if r["method"] == method]
        ax.plot([r["bytes"] for r in mine], [r["error"] for r in mine], marker="os^D"[i % 4],
                label=method, color=f"C{i}")
        for r in mine:
            # The label of the highest error at each k goes above its point, the others' below
            # (ties: the first method above), so that the labels of two methods whose points
            # nearly meet sit on opposite sides, wherever the curves cross.
            others = [(o["error"], -methods.index(o["method"])) for o in rows
                      if o["k"] == r["k"] and o["method"] != method]
            above = all((r["error"], -i) > other for other in others)
            ax.annotate(f"k={r['k']}", (r["bytes"], r["error"]), textcoords="offset points",
                        xytext=(4, 5) if above else (4, -11), fontsize=7, color=f"C{i}")
    ax.axvline(raw_bytes, color="grey", linestyle=":", label=f"raw uint8 image ({raw_bytes:.0f} B, error 0)")
    if png_bytes is not None:
        ax.axvline(png_bytes, color="black", linestyle="--", label=f"PNG, lossless ({png_bytes:.0f} B, error 0)")
    ax.set_xscale("log")
    ax.margins(y=0.12)  # room for a label below the lowest point and above the highest
    ax.set(xlabel="bytes per image (log scale)", ylabel="squared error per image", title=title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    return ax


def plot_path_norms(paths: Mapping[str, Tensor], d: int, title: str = "Norm of the code along the path",
                    ax: Axes | None = None) -> Axes:
    """||z(t)|| along each path (steps, d), over the band where 90 % of prior samples' norms lie."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    low, mid, high = prior_norm_band(d)
    ax.axhspan(low, high, color="0.85", label="90 % of prior samples' norms")
    ax.axhline(np.sqrt(d), color="0.3", linestyle=":", label=f"sqrt(d) = {np.sqrt(d):.2f}")
    for name, path in paths.items():
        t = np.linspace(0.0, 1.0, path.shape[0])
        ax.plot(t, path_norms(path).numpy(), marker="o", markersize=3, label=name)
    ax.set(xlabel="position on the path t", ylabel="||z||", title=title, ylim=(0, None))
    ax.legend(loc="lower left", fontsize=9)
    return ax


def plot_kl_per_dimension(kl: Tensor, title: str = "KL per latent dimension", ax: Axes | None = None) -> Axes:
    """Bar chart of the mean KL of each dimension (D,), largest first, labelled by dimension."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    order = torch.argsort(kl, descending=True)
    ax.bar(range(len(kl)), kl[order].numpy(), color="tab:blue")
    ax.set_xticks(range(len(kl)), [f"z[{int(k)}]" for k in order], rotation=60, fontsize=8)
    ax.set(xlabel="latent dimension (sorted)", ylabel="mean KL (nats)", title=title)
    return ax


def plot_arithmetic_success(amounts: Sequence[float], shares: Mapping[str, np.ndarray],
                            title: str = "Does adding a class-mean difference change the digit?",
                            ax: Axes | None = None) -> Axes:
    """Share judged as the target class against the amount moved, one line per (source -> target)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    for name, s in shares.items():
        ax.plot(amounts, s, marker="o", markersize=3, label=name)
    ax.axvline(1.0, color="0.5", linestyle=":", label="amount 1: z + mean[to] - mean[from]")
    ax.set(xlabel="amount moved along mean[to] - mean[from]", ylabel="share classified as 'to'",
           ylim=(-0.02, 1.02), title=title)
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_kl_per_dimension_grid(kls: Mapping[str, Tensor], title: str = "KL per latent dimension",
                               threshold: float | None = None) -> plt.Figure:
    """One numbered panel per model: the mean KL of each dimension (D,), largest first, on a shared axis.

    kls: model name -> (D,) KL per dimension in nats. threshold: a dashed line (e.g. a free-bits floor).
    """
    if not kls:
        raise ValueError("expected at least one model's KL per dimension; got none")
    fig, axes = plt.subplots(1, len(kls), figsize=(1.9 * len(kls) + 0.8, 3.1), sharey=True, squeeze=False)
    for i, (ax, (name, kl)) in enumerate(zip(axes[0], kls.items())):
        values = torch.sort(torch.as_tensor(kl).detach().cpu(), descending=True).values.numpy()
        ax.bar(np.arange(1, len(values) + 1), values, color="tab:blue")
        if threshold is not None:
            ax.axhline(threshold, color="0.4", linestyle="--", linewidth=1)
        ax.set_title(f"({i + 1}) {name}", fontsize=8)
        ax.set_xlabel("dimension (sorted)")
        ax.grid(axis="y", alpha=0.3)
    axes[0, 0].set_ylabel("mean KL (nats)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
