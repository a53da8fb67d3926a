"""Latent spaces: codes coloured by digit, random codes and holes, posteriors on the plane."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib import patheffects
from matplotlib.patches import Circle, Ellipse
from torch import Tensor

from ..analysis.grids import square_grid
from ..analysis.marginal import GridPosterior
from .images import image_grid, show_ink
from .style import DIGIT_COLOURS, PRIOR_RADII


def draw_prior(ax: Axes, radii: Sequence[float] = PRIOR_RADII) -> None:
    """The prior N(0, I) on a 2-D latent map: dashed circles of the given radii (standard deviations)."""
    for i, radius in enumerate(radii):
        ax.add_patch(Circle((0.0, 0.0), radius, fill=False, linestyle="--", linewidth=0.9, color="0.25",
                            label="prior N(0, I): " + ", ".join(f"{r:g}" for r in radii) + " sd" if i == 0 else None))


def label_clusters(ax: Axes, codes: np.ndarray, labels: np.ndarray, class_names: Sequence[str] | None = None) -> None:
    """Write each class's name at the median of its 2-D codes (N, 2), outlined in white to stay legible."""
    outline = [patheffects.withStroke(linewidth=3, foreground="white")]
    for cls in np.unique(labels):
        x, y = np.median(codes[labels == cls], axis=0)
        name = class_names[cls] if class_names is not None else str(cls)
        ax.text(x, y, name, ha="center", va="center", fontsize=11, fontweight="bold", path_effects=outline)


def plot_latent_scatter(codes: Tensor, labels: Tensor, title: str = "Latent codes", ax: Axes | None = None,
                        class_names: Sequence[str] | None = None, point_size: float = 4.0,
                        prior: bool = True) -> Axes:
    """Scatter of 2-D codes (N, 2) coloured by label (N,), each class named at its median, one legend entry per class.

    prior: draw the prior N(0, I) as dashed circles at 1 and 2 standard deviations. The axes'
    ticks are matplotlib's round values (0 among them whenever an axis crosses it).
    """
    codes = torch.as_tensor(codes).detach().cpu()
    if codes.dim() != 2 or codes.shape[1] != 2:
        raise ValueError(f"expected codes of shape (N, 2); got {tuple(codes.shape)}")
    labels = torch.as_tensor(labels).cpu().numpy()
    if labels.shape != (codes.shape[0],):
        raise ValueError(f"expected labels of shape ({codes.shape[0]},); got {labels.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 5))
    for cls in np.unique(labels):
        pts = codes[labels == cls].numpy()
        name = class_names[cls] if class_names is not None else str(cls)
        ax.scatter(pts[:, 0], pts[:, 1], s=point_size, color=DIGIT_COLOURS[int(cls) % 10], label=name, alpha=0.8)
    if prior:
        draw_prior(ax)
    label_clusters(ax, codes.numpy(), labels, class_names)
    ax.set_aspect("equal", adjustable="datalim")  # one latent unit is as long on both axes: circles stay round
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_title(title)
    ax.legend(markerscale=3, fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    return ax


def plot_latent_maps(maps: Mapping[str, Tensor], labels: Tensor, title: str = "2-D latent maps, coloured by digit",
                     point_size: float = 3.0, prior: bool = True) -> Figure:
    """2-D maps side by side, {panel title: codes (N, 2)}, all coloured by the same labels (N,); one legend.

    Each panel is a ``plot_latent_scatter``; the legend of the digits stands right of the last one.
    prior: draw the prior N(0, I) on every panel (leave it out for maps of models that have none,
    such as an autoencoder or PCA, where it would suggest a reference those codes never had).
    """
    if not maps:
        raise ValueError("expected at least one map {title: codes}; got none")
    fig, axes = plt.subplots(1, len(maps), figsize=(4.4 * len(maps) + 1.0, 4.4), squeeze=False)
    for i, (ax, (name, codes)) in enumerate(zip(axes[0], maps.items())):
        plot_latent_scatter(codes, labels, title=name, ax=ax, point_size=point_size, prior=prior)
        if i < len(maps) - 1:
            ax.get_legend().remove()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_codes_and_random(codes: Tensor, labels: Tensor, random_codes: Tensor,
                          title: str = "Training codes (dots) and random codes (crosses)",
                          ax: Axes | None = None) -> Axes:
    """2-D training codes coloured by digit with random codes drawn over them as black crosses."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.6))
    plot_latent_scatter(codes, labels, title=title, ax=ax, point_size=3.0)
    random_codes = torch.as_tensor(random_codes).cpu().numpy()
    ax.scatter(random_codes[:, 0], random_codes[:, 1], marker="x", s=30, color="black", label="random")
    for i, (x, y) in enumerate(random_codes):
        ax.annotate(str(i + 1), (x, y), textcoords="offset points", xytext=(3, 3), fontsize=7)
    return ax


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
    show_ink(right, _decoded_square(model, low, high, n), extent=(low, high, low, high))
    right.set(xlabel="$z_1$", ylabel="$z_2$", title=f"decoded {n} x {n} grid, same square")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_posteriors(grid: GridPosterior, mu: Tensor, logvar: Tensor, images: Tensor,
                    names: Sequence[str] | None = None,
                    title: str = "True posterior p(z|x) (shaded) and the encoder's q(z|x) (ellipses)"
                    ) -> plt.Figure:
    """One column per image: the image, then p(z|x) on the grid with q's 1- and 2-sigma ellipses.

    grid: ``log_marginal_grid`` of the N images (N, 1, 28, 28); mu, logvar: (N, 2) parameters of
    q(z|x); names: N panel titles (default "image 1", ...). Every panel spans the same width of
    the plane (one scale: the widest posterior or 2-sigma ellipse decides it), centred on its
    own posterior; the shading is p(z|x) relative to its peak in each panel.
    """
    n = images.shape[0]
    names = list(names) if names is not None else [f"image {i + 1}" for i in range(n)]
    if len(names) != n:
        raise ValueError(f"expected {n} names, one per image; got {len(names)}")
    # about 2 inches a column: five columns still fit the book's text column with readable labels
    fig, axes = plt.subplots(2, n, figsize=(1.9 * n + 0.5, 4.6), gridspec_kw={"height_ratios": [0.7, 2.0]},
                             squeeze=False)
    mu, std = mu.detach().cpu().double().numpy(), torch.exp(0.5 * logvar.detach().cpu().double()).numpy()
    windows = []
    for i in range(n):
        # the window holds the posterior's mass (cells above 1e-3 of the peak) and q's 2-sigma ellipse
        post = grid.posterior[i].numpy()
        z2, z1 = np.meshgrid(grid.axes[i, 1].numpy(), grid.axes[i, 0].numpy(), indexing="ij")
        mass = post > 1e-3 * post.max()
        xs = np.concatenate([z1[mass], [mu[i, 0] - 2 * std[i, 0], mu[i, 0] + 2 * std[i, 0]]])
        ys = np.concatenate([z2[mass], [mu[i, 1] - 2 * std[i, 1], mu[i, 1] + 2 * std[i, 1]]])
        windows.append(((xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2,
                        max(xs.max() - xs.min(), ys.max() - ys.min())))
    half = 0.55 * max(w[2] for w in windows)
    levels = np.linspace(0.0, 1.0, 9)[1:]  # fractions of each panel's peak; below 1/8 stays white
    for i in range(n):
        show_ink(axes[0, i], images[i, 0].detach().cpu().numpy())
        axes[0, i].set_axis_off()
        axes[0, i].set_title(names[i], fontsize=12)
        ax, post = axes[1, i], grid.posterior[i].numpy()
        ax.contourf(grid.axes[i, 0].numpy(), grid.axes[i, 1].numpy(), post / post.max(), levels=levels,
                    cmap="Blues")
        for k in (1, 2):
            ax.add_patch(Ellipse((float(mu[i, 0]), float(mu[i, 1])), 2 * k * float(std[i, 0]),
                                 2 * k * float(std[i, 1]), fill=False, color="C3", lw=1.5,
                                 linestyle="-" if k == 1 else "--", label=f"q(z|x): {k} sigma"))
        cx, cy, _ = windows[i]
        ax.set(xlim=(cx - half, cx + half), ylim=(cy - half, cy + half), xlabel="$z_1$", aspect="equal")
        ax.tick_params(labelsize=9)
        ax.xaxis.set_major_locator(plt.MaxNLocator(3))
        ax.yaxis.set_major_locator(plt.MaxNLocator(4))
        if i == 0:
            ax.set_ylabel("$z_2$")
    handles, labels = axes[1, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False, fontsize=11)
    fig.suptitle(f"{title}\neach panel {2 * half:.2g} wide in $z_1$ and $z_2$", fontsize=12)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig
