"""Figures the chapters share: image grids, training curves, latent maps."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from torch import Tensor

#: Ten distinct colours for the ten digits, used by every latent map in the book.
DIGIT_CMAP = "tab10"


def image_grid(images: Tensor, nrow: int = 8, padding: int = 2) -> np.ndarray:
    """Tile images (N, 1, H, W) in [0, 1] into one (rows*(H+p)+p, nrow*(W+p)+p) array.

    The padding is a light grey (0.15) so that tiles stay apart when ink is drawn dark on white.
    """
    images = images.detach().cpu().float().reshape(-1, *images.shape[-2:])
    n, h, w = images.shape
    ncol = min(nrow, n)
    nrows = -(-n // ncol)
    grid = np.full((nrows * (h + padding) + padding, ncol * (w + padding) + padding), 0.15, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, ncol)
        top, left = padding + r * (h + padding), padding + c * (w + padding)
        grid[top:top + h, left:left + w] = images[i].numpy()
    return grid


def show_images(images: Tensor, nrow: int = 8, title: str | None = None, ax: Axes | None = None,
                scale: float = 0.6) -> Axes:
    """Show images (N, 1, 28, 28) in [0, 1] as a grid, ink dark on white, no axes.

    scale: inches per image when a new figure is made.
    """
    grid = image_grid(images, nrow)
    if ax is None:
        n = images.shape[0]
        ncol, nrows = min(nrow, n), -(-n // min(nrow, n))
        _, ax = plt.subplots(figsize=(max(2.0, scale * ncol), max(1.0, scale * nrows + (0.4 if title else 0))))
    ax.imshow(grid, cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def show_rows(rows: Sequence[Tensor], labels: Sequence[str], title: str | None = None,
              scale: float = 0.6) -> plt.Figure:
    """Rows of images with a label on the left of each, e.g. originals above reconstructions.

    rows: tensors (n, 1, 28, 28) with the same n.
    """
    n = rows[0].shape[0]
    fig, axes = plt.subplots(len(rows), 1, figsize=(max(3.0, scale * n + 1.0), scale * len(rows) + 0.5),
                             squeeze=False)
    for ax, row, label in zip(axes[:, 0], rows, labels):
        ax.imshow(image_grid(row, nrow=n), cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_ylabel(label, rotation=0, ha="right", va="center")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


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


def plot_latent_scatter(codes: Tensor, labels: Tensor, title: str = "Latent codes", ax: Axes | None = None,
                        class_names: Sequence[str] | None = None, point_size: float = 4.0) -> Axes:
    """Scatter of 2-D codes (N, 2) coloured by label (N,), one legend entry per class."""
    codes = torch.as_tensor(codes).detach().cpu()
    if codes.dim() != 2 or codes.shape[1] != 2:
        raise ValueError(f"expected codes of shape (N, 2); got {tuple(codes.shape)}")
    labels = torch.as_tensor(labels).cpu().numpy()
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 5))
    cmap = plt.get_cmap(DIGIT_CMAP)
    for cls in np.unique(labels):
        pts = codes[labels == cls].numpy()
        name = class_names[cls] if class_names is not None else str(cls)
        ax.scatter(pts[:, 0], pts[:, 1], s=point_size, color=cmap(int(cls) % 10), label=name, alpha=0.8)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_title(title)
    ax.legend(markerscale=3, fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    return ax
