"""Figures of chapters 3 and 4: code-space holes, Monte Carlo convergence, bounds, posteriors, VAE training."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import LogNorm
from matplotlib.patches import Ellipse
from torch import Tensor

from .gradients import GradientVariance
from .marginal import GridPosterior
from .plots import image_grid, plot_latent_scatter
from .sampling import normal_quantile_axis, quantile_grid, square_grid


def _decoded_square(model, low: float, high: float, n: int) -> np.ndarray:
    """One picture of model.decode over an n x n grid of [low, high]^2 (high z_2 on top)."""
    with torch.no_grad():
        images = model.decode(square_grid(n, low, high))
    return image_grid(images, nrow=n, padding=0)


def plot_code_holes(codes: Tensor, model, low: float, high: float, n: int = 12, bins: int = 40,
                    title: str = "Where the training codes are, and what the decoder draws there") -> plt.Figure:
    """Left: density of 2-D codes (N, 2) over [low, high]^2 (empty cells white); right: model.decode on a grid of that square."""
    codes = codes.detach().cpu().numpy()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4.4))
    counts, xe, ye = np.histogram2d(codes[:, 0], codes[:, 1], bins=bins, range=[[low, high], [low, high]])
    mesh = left.pcolormesh(xe, ye, np.ma.masked_equal(counts.T, 0), cmap="viridis", norm=LogNorm())
    fig.colorbar(mesh, ax=left, label="training codes per cell")
    left.set(xlim=(low, high), ylim=(low, high), xlabel="$z_1$", ylabel="$z_2$", aspect="equal",
             title="training codes (white: none)")
    right.imshow(_decoded_square(model, low, high, n), cmap="gray_r", vmin=0, vmax=1,
                 extent=(low, high, low, high), interpolation="nearest")
    right.set(xlabel="$z_1$", ylabel="$z_2$", title=f"decoded {n} x {n} grid, same square")
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


def plot_posteriors(grid: GridPosterior, mu: Tensor, logvar: Tensor, images: Tensor,
                    title: str = "True posterior p(z|x) (filled) and the encoder's q(z|x) (ellipses)") -> plt.Figure:
    """One column per image: the image, then p(z|x) on the grid with q's 1- and 2-sigma ellipses."""
    n = images.shape[0]
    fig, axes = plt.subplots(2, n, figsize=(2.6 * n, 5.2), gridspec_kw={"height_ratios": [1, 2.4]})
    mu, std = mu.detach().cpu().double().numpy(), torch.exp(0.5 * logvar.detach().cpu().double()).numpy()
    for i in range(n):
        axes[0, i].imshow(images[i, 0].detach().cpu().numpy(), cmap="gray_r", vmin=0, vmax=1)
        axes[0, i].set_axis_off()
        axes[0, i].set_title(f"digit {i + 1}")
        post = grid.posterior[i].numpy()
        ax = axes[1, i]
        a1, a2 = grid.axes[i, 0].numpy(), grid.axes[i, 1].numpy()
        ax.set_facecolor(plt.get_cmap("Blues")(0.0))
        ax.contourf(a1, a2, post, levels=8, cmap="Blues")
        for k in (1, 2):
            ax.add_patch(Ellipse((float(mu[i, 0]), float(mu[i, 1])), 2 * k * float(std[i, 0]), 2 * k * float(std[i, 1]),
                                 fill=False, color="C3", linestyle="-" if k == 1 else "--"))
        # the window holds the posterior's mass (cells above 1e-4 of the peak) and q's 2-sigma ellipse
        z2, z1 = np.meshgrid(a2, a1, indexing="ij")
        mass = post > 1e-4 * post.max()
        xs = np.concatenate([z1[mass], [mu[i, 0] - 2 * std[i, 0], mu[i, 0] + 2 * std[i, 0]]])
        ys = np.concatenate([z2[mass], [mu[i, 1] - 2 * std[i, 1], mu[i, 1] + 2 * std[i, 1]]])
        centre, half = ((xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2), \
            0.6 * max(xs.max() - xs.min(), ys.max() - ys.min())
        ax.set(xlim=(centre[0] - half, centre[0] + half), ylim=(centre[1] - half, centre[1] + half),
               xlabel="$z_1$", aspect="equal")
        if i == 0:
            ax.set_ylabel("$z_2$")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


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


def plot_latent_maps(maps: Sequence[tuple[Tensor, str]], labels: Tensor,
                     title: str = "2-D latent maps, coloured by digit") -> plt.Figure:
    """Side-by-side scatters of 2-D codes (same labels, same colours); one shared legend on the right."""
    fig, axes = plt.subplots(1, len(maps), figsize=(4.2 * len(maps) + 0.8, 4.2))
    for ax, (codes, name) in zip(np.atleast_1d(axes), maps):
        plot_latent_scatter(codes, labels, title=name, ax=ax, point_size=3)
        if ax is not np.atleast_1d(axes)[-1]:
            ax.get_legend().remove()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_image_grids(grids: Sequence[tuple[Tensor, str]], nrow: int = 8,
                     title: str | None = None) -> plt.Figure:
    """Image grids side by side, each (n, 1, 28, 28) in [0, 1] with its own title."""
    fig, axes = plt.subplots(1, len(grids), figsize=(4.2 * len(grids), 4.6))
    for ax, (images, name) in zip(np.atleast_1d(axes), grids):
        ax.imshow(image_grid(images, nrow=nrow), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(name)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_manifold(model, n: int = 15, title: str = "The decoded manifold at Normal quantiles") -> plt.Axes:
    """model.decode on an n x n grid at N(0, 1) quantiles; ticks give the z values of the rows and columns."""
    with torch.no_grad():
        images = model.decode(quantile_grid(n))
    _, ax = plt.subplots(figsize=(6.4, 6.4))
    ax.imshow(image_grid(images, nrow=n, padding=0), cmap="gray_r", vmin=0, vmax=1)
    axis = normal_quantile_axis(n).numpy()
    ticks = np.arange(n)[:: max(1, n // 5)]
    ax.set_xticks(ticks * 28 + 14, [f"{axis[t]:.2f}" for t in ticks])
    ax.set_yticks(ticks * 28 + 14, [f"{axis[n - 1 - t]:.2f}" for t in ticks])
    ax.set(xlabel="$z_1$ (Normal quantile)", ylabel="$z_2$ (Normal quantile)", title=title)
    return ax


def html_table(rows: Sequence[Sequence[object]], headers: Sequence[str], digits: int = 2):
    """A small table as IPython HTML (rendered in Jupyter and in the built book); floats get ``digits`` decimals."""
    from html import escape

    from IPython.display import HTML

    def cell(v: object) -> str:
        return f"{v:.{digits}f}" if isinstance(v, float) else escape(str(v))

    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td style="text-align:right">{cell(v)}</td>' for v in row) + "</tr>"
                   for row in rows)
    return HTML(f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
