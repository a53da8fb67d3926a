"""Figures of chapter 8: how IWAE_k converges with k, and the two gaps per image."""

from __future__ import annotations

from typing import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..analysis.evaluation import IWAECurve
from ..analysis.gaps import InferenceGaps


def plot_iwae_convergence(curve: IWAECurve, title: str = "IWAE_k against k, from one set of draws") -> Figure:
    """Two panels from an IWAECurve of N images: (1) the mean over images of IWAE_k minus that of the
    largest k, with two Monte Carlo standard errors, for the nested single draw and for the mean of
    the repeated draws; (2) the standard deviation of one IWAE_k draw (mean over images) against k,
    with a 1 / sqrt(k) line for reference. Returns the figure."""
    ks = curve.ks.double().numpy()
    n = curve.mean.shape[1]
    reference = float(curve.mean[-1].mean())
    mean = curve.mean.mean(1).numpy() - reference
    mean_se = (curve.se.pow(2).sum(1).sqrt() / n).numpy()
    first = curve.first.mean(1).numpy() - reference
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.errorbar(ks, mean, yerr=2 * mean_se, marker="o", ms=3, capsize=2, label="mean of repeated draws (± 2 se)")
    left.plot(ks, first, color="C1", lw=1, marker=".", label="one nested draw (first k samples)")
    left.axhline(0.0, color="0.4", lw=0.8, ls=":")
    left.set(xscale="log", xlabel="k (importance samples)",
             ylabel=f"IWAE_k − IWAE_{int(ks[-1])}, nats", title="(1) bias: the bound rises with k")
    left.legend(fontsize="small")
    repeated = curve.draws.numpy() >= 2
    sd = (curve.se * curve.draws.double().sqrt()[:, None]).mean(1).numpy()
    right.plot(ks[repeated], sd[repeated], marker="o", ms=3, label="spread of one draw (mean over images)")
    right.plot(ks[repeated], sd[repeated][0] / np.sqrt(ks[repeated] / ks[repeated][0]), color="0.5", ls="--",
               label="1 / sqrt(k) from the first point")
    right.set(xscale="log", yscale="log", xlabel="k (importance samples)", ylabel="standard deviation, nats",
              title="(2) spread of one IWAE_k draw")
    right.legend(fontsize="small")
    for ax in (left, right):
        ax.grid(alpha=0.3, which="both")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_gaps(gaps: Mapping[str, InferenceGaps], title: str = "Where the ELBO loses nats, per image") -> Figure:
    """One panel per model: each image's approximation gap (bottom) and amortization gap (on top),
    images sorted by their total gap, with the amortization gap's two standard errors as a line.
    The y axis is linear up to 1 nat and logarithmic above. gaps: {panel title: InferenceGaps}.
    Returns the figure."""
    fig, axes = plt.subplots(1, len(gaps), figsize=(4.2 * len(gaps), 3.8), squeeze=False)
    for i, (ax, (name, g)) in enumerate(zip(axes[0], gaps.items())):
        order = np.argsort((g.approximation + g.amortization).numpy())
        approx, amort = g.approximation.numpy()[order], g.amortization.numpy()[order]
        place = np.arange(len(order))
        ax.bar(place, approx, width=1.0, color="C0", label="approximation")
        ax.bar(place, amort, bottom=approx, width=1.0, color="C1", label="amortization")
        if float(g.se.abs().max()) > 0:
            ax.errorbar(place, approx + amort, yerr=2 * g.se.numpy()[order], fmt="none", ecolor="0.3",
                        elinewidth=0.6, label="± 2 se")
        ax.set(xlabel="image (sorted by total gap)", title=f"({i + 1}) {name}")
        ax.grid(alpha=0.3, axis="y")
    for ax in axes[0]:
        # linear below 1 nat, where the approximation gaps are; logarithmic above, where a few
        # images' amortization gaps reach 100 nats
        ax.set_yscale("symlog", linthresh=1.0, linscale=1.5)
        ax.set_ylim(bottom=0.0)
        ax.set_ylabel("gap, nats (linear to 1, then log)")
    axes[0][0].legend(fontsize="small", loc="upper left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
