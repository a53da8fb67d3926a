"""Diagrams the book draws itself: the autoencoder."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Polygon, Rectangle
from torch import Tensor

from .images import show_ink

ENCODER_COLOUR, CODE_COLOUR, DECODER_COLOUR = "#9ecae1", "#fdae6b", "#a1d99b"


def _image_at(fig: Figure, ax: Axes, image: Tensor | None, x: float, label: str) -> None:
    """Draw a 28x28 image (or an empty frame) centred at data x, with a label under it."""
    if image is not None:
        pixels = torch.as_tensor(image).detach().cpu().reshape(28, 28).numpy()
        show_ink(ax, pixels, extent=(x - 1.0, x + 1.0, -1.0, 1.0), zorder=2)
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
