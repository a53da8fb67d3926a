"""Diagrams the book draws itself: the autoencoder and the variational autoencoder."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon, Rectangle
from torch import Tensor

from .images import show_ink

ENCODER_COLOUR, CODE_COLOUR, DECODER_COLOUR = "#9ecae1", "#fdae6b", "#a1d99b"


def _image_at(fig: Figure, ax: Axes, image: Tensor | None, x: float, label: str, fontsize: float = 10) -> None:
    """Draw a 28x28 image (or an empty frame) centred at data x, with a label under it."""
    if image is not None:
        pixels = torch.as_tensor(image).detach().cpu().reshape(28, 28).numpy()
        show_ink(ax, pixels, extent=(x - 1.0, x + 1.0, -1.0, 1.0), zorder=2)
    ax.add_patch(Rectangle((x - 1.0, -1.0), 2.0, 2.0, fill=False, lw=1.0, zorder=3))
    ax.text(x, -1.35, label, ha="center", va="top", fontsize=fontsize)


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


def _box(ax: Axes, x0: float, x1: float, y0: float, y1: float, text: str, colour: str,
         fontsize: float = 12, **kwargs) -> None:
    """A rounded box over [x0, x1] x [y0, y1] with centred text."""
    ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0.05,rounding_size=0.12",
                                facecolor=colour, edgecolor="black", **kwargs))
    ax.text((x0 + x1) / 2, (y0 + y1) / 2, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], **kwargs) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, shrinkA=0, shrinkB=0,
                                 **kwargs))


def draw_vae_diagram(image: Tensor | None = None, reconstruction: Tensor | None = None,
                     latent_dim: int = 2, hidden_dims: Sequence[int] = (400,)) -> Figure:
    """The VAE as a picture: x -> encoder -> (mu, logvar) -> z = mu + sigma * eps -> decoder -> x_hat.

    The two terms of the loss (reconstruction and KL to the prior) are drawn where they are
    computed; eps is drawn as the one random input. image, reconstruction: optional
    (1, 28, 28) images in [0, 1] drawn at the two ends. latent_dim, hidden_dims: the layer
    sizes printed under the encoder and the decoder.
    """
    fig, ax = plt.subplots(figsize=(8.4, 4.2))
    enc_sizes = " → ".join(["784", *(str(h) for h in hidden_dims), f"{latent_dim} + {latent_dim}"])
    dec_sizes = " → ".join([str(latent_dim), *(str(h) for h in reversed(hidden_dims)), "784"])
    _image_at(fig, ax, image, 0.0, "input $x$\n784 pixels", fontsize=11)
    ax.add_patch(Polygon([(1.4, 1.1), (3.6, 0.45), (3.6, -0.45), (1.4, -1.1)], closed=True,
                         facecolor=ENCODER_COLOUR, edgecolor="black"))
    ax.text(2.5, 0.0, "encoder\n$q_\\phi(z|x)$", ha="center", va="center", fontsize=12)
    ax.text(2.5, -1.35, enc_sizes, ha="center", va="top", fontsize=11)
    _box(ax, 4.1, 5.5, 0.35, 1.05, "mu", ENCODER_COLOUR)
    _box(ax, 4.1, 5.5, -1.05, -0.35, "logvar", ENCODER_COLOUR)
    _box(ax, 6.2, 8.5, -0.55, 0.55, "$z = \\mu + \\sigma\\,\\varepsilon$\n$\\sigma = e^{\\mathrm{logvar}/2}$",
         CODE_COLOUR, fontsize=12, linestyle="--")
    ax.add_patch(Circle((7.35, -2.0), 0.5, facecolor="white", edgecolor="black"))
    ax.text(7.35, -2.0, "$\\varepsilon$", ha="center", va="center", fontsize=14)
    ax.text(7.35, -2.6, "$\\varepsilon \\sim \\mathcal{N}(0, I)$:\nthe only random input", ha="center",
            va="top", fontsize=11)
    ax.add_patch(Polygon([(9.0, 0.45), (11.2, 1.1), (11.2, -1.1), (9.0, -0.45)], closed=True,
                         facecolor=DECODER_COLOUR, edgecolor="black"))
    ax.text(10.1, 0.0, "decoder\n$p_\\theta(x|z)$", ha="center", va="center", fontsize=12)
    ax.text(10.1, -1.35, dec_sizes + "\nlogits", ha="center", va="top", fontsize=11)
    _image_at(fig, ax, reconstruction, 12.7, "$\\hat{x}$ =\nsigmoid(logits)", fontsize=11)
    for start, end in (((1.0, 0.0), (1.4, 0.0)), ((3.6, 0.25), (4.05, 0.6)), ((3.6, -0.25), (4.05, -0.6)),
                       ((5.55, 0.6), (6.15, 0.25)), ((5.55, -0.6), (6.15, -0.25)),
                       ((7.35, -1.5), (7.35, -0.6)), ((8.55, 0.0), (9.0, 0.0)), ((11.2, 0.0), (11.7, 0.0))):
        _arrow(ax, start, end, color="black")
    ax.text(8.75, 0.12, "$z$", ha="center", va="bottom", fontsize=12)
    # The two terms of the loss, in red, where they are computed.
    ax.add_patch(FancyArrowPatch((0.0, 1.05), (12.7, 1.05), connectionstyle="arc3,rad=-0.12",
                                 arrowstyle="<|-|>", mutation_scale=14, color="firebrick", linestyle="--"))
    ax.text(6.35, 2.0, "reconstruction term  $-\\log p_\\theta(x|z)$  (Bernoulli, summed over pixels)",
            ha="center", va="bottom", fontsize=12, color="firebrick")
    _arrow(ax, (4.6, -1.1), (4.45, -1.75), color="firebrick", linestyle="--")
    ax.text(4.3, -1.85, "KL term\n$\\mathrm{KL}(q_\\phi(z|x)\\,\\|\\,p(z))$\n$p(z) = \\mathcal{N}(0, I)$",
            ha="center", va="top", fontsize=12, color="firebrick")
    ax.text(12.7, -2.55, "loss = −ELBO\n= reconstruction + KL", ha="center", va="top", fontsize=12,
            color="firebrick")
    ax.set_xlim(-1.3, 14.0)
    ax.set_ylim(-3.4, 2.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"A variational autoencoder (hidden layers: {' → '.join(map(str, hidden_dims)) or 'none'}, "
                 f"latent size {latent_dim})", fontsize=13)
    fig.tight_layout()
    return fig
