"""Curves: training histories and what the estimators of chapter 3 converge to."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from torch import Tensor

from ..analysis.estimators import GradientVariance


def plot_history(history, title: str = "Training curves", ax: Axes | None = None) -> Axes:
    """Per-epoch loss (and recon / KL for a VAE), train solid and test dashed, in nats per example."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    epochs = np.arange(1, history.epochs + 1)
    is_vae = any(k > 0 for k in history.kl)
    series = [("loss", "loss (-ELBO)" if is_vae else "reconstruction loss")]
    if is_vae:
        series += [("recon", "reconstruction"), ("kl", "KL")]
    for i, (key, label) in enumerate(series):
        colour = f"C{i}"
        ax.plot(epochs, getattr(history, key), color=colour, label=f"{label}, train")
        test = getattr(history, f"test_{key}")
        if test:
            ax.plot(epochs, test, color=colour, linestyle="--", label=f"{label}, test")
    ax.set_xlabel("epoch")
    ax.set_ylabel("nats per example")
    ax.set_title(title)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def plot_training_curve(history, title: str = "Training curve", ax: Axes | None = None) -> Axes:
    """Squared error per image, train (solid) and test (dashed), against epoch."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    epochs = np.arange(1, history.epochs + 1)
    ax.plot(epochs, history.recon, label="train", color="C0")
    if history.test_recon:
        ax.plot(epochs, history.test_recon, label="test", color="C0", linestyle="--")
    ax.set(xlabel="epoch", ylabel="squared error per image", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


def plot_recon_kl(histories: Mapping[str, object], title: str = "Reconstruction and KL per epoch") -> plt.Figure:
    """Two panels (reconstruction, KL), one colour per model, train solid and test dashed; nats per example."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for i, (name, h) in enumerate(histories.items()):
        epochs = np.arange(1, h.epochs + 1)
        for ax, key in zip(axes, ("recon", "kl")):
            ax.plot(epochs, getattr(h, key), color=f"C{i}", label=f"{name}, train")
            if getattr(h, f"test_{key}"):
                ax.plot(epochs, getattr(h, f"test_{key}"), color=f"C{i}", linestyle="--", label=f"{name}, test")
    for ax, name in zip(axes, ("reconstruction -log p(x|z)", "KL(q(z|x) || p(z))")):
        ax.set(xlabel="epoch", ylabel="nats per example", title=name)
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize="small")
    fig.suptitle(title)
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


def plot_bound_gaps(ks: Sequence[int], bounds: Tensor, log_px: Tensor,
                    title: str = "log p(x) minus the bound, for each test digit") -> plt.Axes:
    """bounds: (len(ks), N) IWAE(k) per digit (k=1: the ELBO); log_px: (N,). Gap against k, log-log."""
    gaps = (log_px[None].double() - bounds.double()).cpu().numpy()
    floor = 0.02  # gaps below this are Monte Carlo noise (they can even come out negative)
    _, ax = plt.subplots(figsize=(8, 3.8))
    ax.axhspan(1e-3, floor, color="0.9", label="within Monte Carlo noise")
    gaps = np.maximum(gaps, floor)
    for i in range(gaps.shape[1]):
        ax.plot(ks, gaps[:, i], "o-", label=f"digit {i + 1}")
    ax.set_ylim(bottom=floor / 2)
    ax.set(xscale="log", yscale="log", xlabel="k (importance samples; k = 1 is the ELBO)",
           ylabel="log p(x) - bound (nats)", title=title)
    ax.legend(fontsize="small", ncol=2)
    ax.grid(alpha=0.3, which="both")
    return ax
