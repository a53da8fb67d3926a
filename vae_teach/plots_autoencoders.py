"""Figures of chapter 2: the autoencoder diagram, error against code size, angles, maps, compression."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Polygon, Rectangle
from torch import Tensor

from .plots import plot_latent_scatter

ENCODER_COLOUR, CODE_COLOUR, DECODER_COLOUR = "#9ecae1", "#fdae6b", "#a1d99b"


def _image_at(fig: Figure, ax: Axes, image: Tensor | None, x: float, label: str) -> None:
    """Draw a 28x28 image (or an empty frame) centred at data x, with a label under it."""
    if image is not None:
        pixels = torch.as_tensor(image).detach().cpu().reshape(28, 28).numpy()
        ax.imshow(pixels, cmap="gray_r", vmin=0, vmax=1, extent=(x - 1.0, x + 1.0, -1.0, 1.0),
                  interpolation="nearest", zorder=2)
    ax.add_patch(Rectangle((x - 1.0, -1.0), 2.0, 2.0, fill=False, lw=1.0, zorder=3))
    ax.text(x, -1.35, label, ha="center", va="top", fontsize=10)


def draw_autoencoder_diagram(image: Tensor | None = None, reconstruction: Tensor | None = None,
                             latent_dim: int = 2, hidden_dims: Sequence[int] = (256,)) -> Figure:
    """The autoencoder as a picture: x -> encoder -> code z -> decoder -> x_hat, and the loss between.

    image, reconstruction: optional (1, 28, 28) images drawn at the two ends.
    latent_dim, hidden_dims: the sizes printed on the blocks.
    """
    fig, ax = plt.subplots(figsize=(9, 3.4))
    hidden = " → ".join(str(h) for h in hidden_dims)
    enc_sizes = " → ".join(["784", *(str(h) for h in hidden_dims), str(latent_dim)])
    dec_sizes = " → ".join([str(latent_dim), *(str(h) for h in reversed(hidden_dims)), "784"])
    _image_at(fig, ax, image, 0.0, "input $x$\n784 pixels")
    ax.add_patch(Polygon([(1.5, 1.0), (4.0, 0.35), (4.0, -0.35), (1.5, -1.0)], closed=True,
                         facecolor=ENCODER_COLOUR, edgecolor="black"))
    ax.text(2.75, 0.0, "encoder\n$z = f(x)$", ha="center", va="center", fontsize=10)
    ax.text(2.75, -1.35, enc_sizes, ha="center", va="top", fontsize=9)
    ax.add_patch(Rectangle((4.2, -0.35), 0.8, 0.7, facecolor=CODE_COLOUR, edgecolor="black"))
    ax.text(4.6, 0.0, "$z$", ha="center", va="center", fontsize=12)
    ax.text(4.6, 0.55, f"code\n{latent_dim} numbers", ha="center", va="bottom", fontsize=9)
    ax.text(4.6, -1.35, "bottleneck", ha="center", va="top", fontsize=9)
    ax.add_patch(Polygon([(5.2, 0.35), (7.7, 1.0), (7.7, -1.0), (5.2, -0.35)], closed=True,
                         facecolor=DECODER_COLOUR, edgecolor="black"))
    ax.text(6.45, 0.0, "decoder\n$\\hat{x} = g(z)$", ha="center", va="center", fontsize=10)
    ax.text(6.45, -1.35, dec_sizes, ha="center", va="top", fontsize=9)
    _image_at(fig, ax, reconstruction, 9.2, "reconstruction $\\hat{x}$\n784 pixels")
    for x0, x1 in ((1.0, 1.5), (7.7, 8.2)):
        ax.add_patch(FancyArrowPatch((x0, 0), (x1, 0), arrowstyle="-|>", mutation_scale=12))
    ax.add_patch(FancyArrowPatch((0.0, 1.05), (9.2, 1.05), connectionstyle="arc3,rad=-0.18",
                                 arrowstyle="<|-|>", mutation_scale=12, color="firebrick", linestyle="--"))
    ax.text(4.6, 1.9, "reconstruction loss  $\\sum_{\\mathrm{pixels}} (x - \\hat{x})^2$",
            ha="center", va="bottom", fontsize=10, color="firebrick")
    ax.set_xlim(-1.3, 10.5)
    ax.set_ylim(-2.1, 2.4)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"An autoencoder (hidden layers: {hidden or 'none'})")
    fig.tight_layout()
    return fig


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
                    title: str = "Test reconstruction error against code size", ax: Axes | None = None) -> Axes:
    """Squared error per test image against the number of codes k (log2 axis), one line per method."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6))
    markers = "os^D"
    for i, (name, by_k) in enumerate(errors.items()):
        ax.plot(list(ks), [by_k[k] for k in ks], marker=markers[i % 4], label=name, color=f"C{i}")
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(ks), [str(k) for k in ks])
    ax.set(xlabel="code size k (numbers per image)", ylabel="squared error per image", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


def plot_code_maps(maps: Sequence[tuple[Tensor, Tensor, str]], point_size: float = 3.0) -> Figure:
    """2-D code maps side by side: each (codes (N, 2), labels (N,), title), coloured by digit."""
    fig, axes = plt.subplots(1, len(maps), figsize=(4.4 * len(maps) + 1.0, 4.2), squeeze=False)
    for i, (ax, (codes, labels, title)) in enumerate(zip(axes[0], maps)):
        plot_latent_scatter(codes, labels, title=title, ax=ax, point_size=point_size)
        if i < len(maps) - 1:
            ax.get_legend().remove()
    fig.tight_layout()
    return fig


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
            ax.annotate(f"k={r['k']}", (r["bytes"], r["error"]), textcoords="offset points",
                        xytext=(4, 4), fontsize=7, color=f"C{i}")
    ax.axvline(raw_bytes, color="grey", linestyle=":", label=f"raw uint8 image ({raw_bytes:.0f} B, error 0)")
    if png_bytes is not None:
        ax.axvline(png_bytes, color="black", linestyle="--", label=f"PNG, lossless ({png_bytes:.0f} B, error 0)")
    ax.set_xscale("log")
    ax.set(xlabel="bytes per image (log scale)", ylabel="squared error per image", title=title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    return ax


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
