"""Curves: training histories and what the estimators of chapter 3 converge to."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from ..analysis.estimators import GradientVariance
from ..training.fit import History


#: What each History term is, as a panel title.
TERM_NAMES = {"loss": "loss (-ELBO for a VAE)", "recon": "reconstruction -log p(x|z)", "kl": "KL(q(z|x) || p(z))"}


def plot_history(history: History | Mapping[str, History], terms: Sequence[str] | None = None, *,
                 test: bool = True, ylabel: str = "nats per example", title: str = "Training curves",
                 axes: Axes | Sequence[Axes] | None = None) -> Figure:
    """Per-epoch training curves: one panel per term, one colour per model, train solid and test dashed.

    history: one History, or {name: History} to compare models (several histories side by side).
    terms: History fields to draw, each in its own panel, from "loss", "recon" and "kl";
    default ("recon", "kl") when a model has a KL term (a VAE), else ("loss",).
    test: draw the test curves where the history has them. ylabel: the unit, e.g. "squared
    error per image" for a Gaussian autoencoder. title: the panel's title when there is one
    panel, else the figure's (the panels are then titled by term). axes: one Axes per term to
    draw into (default: a new figure). Returns the figure.
    """
    named = dict(history) if isinstance(history, Mapping) else {"": history}
    if terms is None:
        terms = ("recon", "kl") if any(k > 0 for h in named.values() for k in h.kl) else ("loss",)
    unknown = [t for t in terms if t not in TERM_NAMES]
    if unknown or not terms:
        raise ValueError(f"expected terms from {tuple(TERM_NAMES)}; got {tuple(terms)!r}")
    new_figure = axes is None
    if new_figure:
        size = (7, 3.2) if len(terms) == 1 else (4.5 * len(terms), 3.6)
        axes = plt.subplots(1, len(terms), figsize=size, squeeze=False)[1][0]
    axes = [axes] if isinstance(axes, Axes) else list(axes)
    if len(axes) != len(terms):
        raise ValueError(f"expected one Axes per term ({len(terms)}); got {len(axes)}")
    for i, (name, h) in enumerate(named.items()):
        epochs = np.arange(1, h.epochs + 1)
        for ax, term in zip(axes, terms):
            for split, values, style in (("train", getattr(h, term), "-"), ("test", getattr(h, f"test_{term}"), "--")):
                if values and (split == "train" or test):
                    ax.plot(epochs, values, color=f"C{i}", linestyle=style, label=f"{name}, {split}" if name else split)
    for ax, term in zip(axes, terms):
        ax.set(xlabel="epoch", ylabel=ylabel, title=title if len(terms) == 1 else TERM_NAMES[term])
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize="small")
    fig = axes[0].figure
    if len(terms) > 1:
        fig.suptitle(title)
    if new_figure:
        fig.tight_layout()
    return fig


def plot_kl_convergence(sample_sizes: Sequence[int], estimates: Tensor, exact: float,
                        title: str = "Monte Carlo KL converges to the closed form") -> plt.Axes:
    """estimates: (len(sample_sizes), R) repeated estimates; mean and 10-90 % band against n, log x axis."""
    est = estimates.detach().cpu().numpy()
    n = np.asarray(sample_sizes)
    _, ax = plt.subplots(figsize=(8, 3.6))
    ax.fill_between(n, np.percentile(est, 10, axis=1), np.percentile(est, 90, axis=1), alpha=0.3,
                    label="10-90 % of repeated estimates")
    ax.plot(n, est.mean(axis=1), "o-", label="mean of the estimates")
    ax.axhline(exact, color="k", linestyle="--", label=f"closed form, {exact:.3f} nats")
    ax.set(xscale="log", xlabel="samples per estimate, n", ylabel="KL estimate (nats)", title=title)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def plot_gradient_variance(result: GradientVariance, title: str = "Variance of two unbiased gradient estimators"
                           ) -> plt.Axes:
    """Total variance of the score-function and reparameterized gradients against samples, log-log."""
    _, ax = plt.subplots(figsize=(8, 3.8))
    ax.plot(result.n_samples, result.score, "o-", label="score function (REINFORCE)")
    ax.plot(result.n_samples, result.reparam, "s-", label="reparameterized")
    ax.set(xscale="log", yscale="log", xlabel="samples per gradient estimate",
           ylabel="variance of the estimate\n(summed over coordinates)", title=title)
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    return ax


def plot_bound_gaps(ks: Sequence[int], bounds: Tensor, log_px: Tensor, names: Sequence[str] | None = None,
                    se: Tensor | None = None,
                    title: str = "log p(x) minus the bound, for each test digit") -> plt.Axes:
    """Gap log p(x) - IWAE(k) against k, log-log, one line per image.

    bounds: (len(ks), N) IWAE(k) per image (k = 1: the ELBO); log_px: (N,), nats.
    names: N legend entries (default "image 1", ...). se: (len(ks), N) standard errors of
    the bounds, drawn as error bars (two standard errors each side).
    """
    gaps = (log_px[None].double() - bounds.double()).cpu().numpy()
    n = gaps.shape[1]
    names = list(names) if names is not None else [f"image {i + 1}" for i in range(n)]
    if len(names) != n:
        raise ValueError(f"expected {n} names, one per image; got {len(names)}")
    floor = 0.02  # gaps below this are Monte Carlo noise (they can even come out negative)
    _, ax = plt.subplots(figsize=(8, 3.8))
    ax.axhspan(1e-3, floor, color="0.9", label="within Monte Carlo noise")
    shown = np.maximum(gaps, floor)
    for i in range(n):
        if se is None:
            ax.plot(ks, shown[:, i], "o-", label=names[i])
            continue
        err = 2.0 * se[:, i].double().cpu().numpy()
        low = np.clip(shown[:, i] - np.maximum(gaps[:, i] - err, floor / 2), 0.0, None)
        ax.errorbar(ks, shown[:, i], yerr=[low, err], fmt="o-", capsize=3, label=names[i])
    ax.set_ylim(bottom=floor / 2)
    ax.set(xscale="log", yscale="log", xlabel="k (importance samples; k = 1 is the ELBO)",
           ylabel="log p(x) - bound (nats)", title=title)
    ax.legend(fontsize="small", ncol=2)
    ax.grid(alpha=0.3, which="both")
    return ax
