"""Images: grids of digits (one way of drawing them, ink dark on white), rows, the decoded manifold."""

from __future__ import annotations

import numbers
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from torch import Tensor

from .._validate import check_images
from ..analysis.grids import normal_quantile_axis, quantile_grid

#: Ink of the padding between tiles: light grey in figures and in the explorers' PNGs alike.
PAD_INK = 0.15


def as_images(images: Tensor | np.ndarray, name: str = "images") -> Tensor:
    """A batch to draw, checked: a tensor or numpy array of N >= 1 images in [0, 1] -> (N, 1, 28, 28).

    numpy arrays are accepted as they are (matplotlib users have them); anything else,
    an empty batch, a wrong shape or pixels outside [0, 1] get an error naming what came in.
    """
    if isinstance(images, np.ndarray):
        if images.dtype == object or not np.issubdtype(images.dtype, np.number):
            raise TypeError(f"expected {name} as a tensor or numeric numpy array of shape (N, 1, 28, 28); "
                            f"got a numpy array of dtype {images.dtype}")
        images = torch.from_numpy(np.ascontiguousarray(images))
    return check_images(images, name)


def image_grid(images: Tensor, nrow: int = 8, padding: int = 2, pad_value: float = PAD_INK) -> np.ndarray:
    """Tile images (N, 1, 28, 28) in [0, 1] into one (rows*(28+p)+p, ncol*(28+p)+p) float32 array of ink.

    ncol = min(nrow, N); images fill the rows left to right, top to bottom
    (``torchvision.utils.make_grid``). The padding has ink ``pad_value``, a light
    grey when drawn ink dark on white (``show_ink``), so tiles stay apart.
    images may be a numpy array; an empty batch is refused (``as_images``).
    """
    from torchvision.utils import make_grid  # here, not at the top: importing torchvision takes seconds

    if isinstance(nrow, bool) or not isinstance(nrow, numbers.Integral) or nrow < 1:
        raise ValueError(f"expected nrow as an int >= 1 (images per row); got {nrow!r}")
    x = as_images(images).detach().cpu().float()
    if x.shape[0] == 1:  # make_grid returns a lone image as it is, without the padding
        return F.pad(x[0, 0], (padding,) * 4, value=pad_value).numpy()
    return make_grid(x, nrow=nrow, padding=padding, pad_value=pad_value)[0].numpy()


def show_ink(ax: Axes, ink: np.ndarray, **imshow_kwargs) -> AxesImage:
    """Draw an array of ink in [0, 1] (an image or an ``image_grid``) the one way the book draws digits.

    Ink 0 is white, ink 1 black, each pixel a crisp square; ``imshow_kwargs`` (e.g. ``extent``) go to imshow.
    """
    return ax.imshow(ink, **{"cmap": "gray_r", "vmin": 0.0, "vmax": 1.0, "interpolation": "nearest",
                             **imshow_kwargs})


def show_images(images: Tensor, nrow: int = 8, title: str | None = None, ax: Axes | None = None,
                scale: float = 0.6, numbered: bool = False) -> Axes:
    """Show images (N, 1, 28, 28) in [0, 1] as a grid, ink dark on white, no axes.

    scale: inches per image when a new figure is made. numbered: write 1..N in the top-left
    corner of each tile, row by row, so that prose can point at "image 7".
    """
    images = as_images(images)
    grid = image_grid(images, nrow)
    n = images.shape[0]
    ncol = min(nrow, n)
    if ax is None:
        nrows = -(-n // ncol)
        _, ax = plt.subplots(figsize=(max(2.0, scale * ncol), max(1.0, scale * nrows + (0.4 if title else 0))))
    show_ink(ax, grid)
    if numbered:
        step = images.shape[-1] + 2  # a tile and image_grid's padding
        for i in range(n):
            row, col = divmod(i, ncol)
            ax.text(col * step + 3, row * step + 3, str(i + 1), color="C3", fontsize=7, ha="left", va="top")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def show_rows(rows: Sequence[Tensor], labels: Sequence[str], title: str | None = None,
              scale: float = 0.6, captions: Sequence[Sequence[str]] | None = None) -> plt.Figure:
    """Rows of images with a label on the left of each, e.g. originals above reconstructions.

    rows: tensors (n, 1, 28, 28) with the same n. scale: inches per image.
    captions: optional, one sequence of n short strings per row (a classifier's verdict, a
    value), written under each image of that row.
    """
    n = rows[0].shape[0]
    if captions is not None and (len(captions) != len(rows) or any(len(c) != n for c in captions)):
        got = [len(c) for c in captions]
        raise ValueError(f"expected captions as {len(rows)} rows of {n} strings, one per image; "
                         f"got rows of lengths {got}")
    row_height = scale * (1.35 if captions is not None else 1.0)
    fig, axes = plt.subplots(len(rows), 1, figsize=(max(3.0, scale * n + 1.0), row_height * len(rows) + 0.5),
                             squeeze=False)
    for r, (ax, row, label) in enumerate(zip(axes[:, 0], rows, labels)):
        show_ink(ax, image_grid(row, nrow=n))
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_ylabel(label, rotation=0, ha="right", va="center")
        if captions is not None:
            # Tiles are 28 pixels wide with 2 of padding (image_grid): centre k sits at 2 + 30 k + 14.
            ax.set_xticks([16 + 30 * k for k in range(n)], [str(c) for c in captions[r]])
            ax.tick_params(axis="x", length=0, pad=2)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_image_grids(grids: Sequence[tuple[Tensor, str]], nrow: int = 8,
                     title: str | None = None) -> plt.Figure:
    """Image grids side by side, each (n, 1, 28, 28) in [0, 1] with its own title."""
    fig, axes = plt.subplots(1, len(grids), figsize=(4.2 * len(grids), 4.6))
    for ax, (images, name) in zip(np.atleast_1d(axes), grids):
        show_ink(ax, image_grid(images, nrow=nrow))
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
    # n * 28 pixels drawn at about their own size: smoothed ("auto"), where "nearest" would drop or double rows
    show_ink(ax, image_grid(images, nrow=n, padding=0), interpolation="auto")
    axis = normal_quantile_axis(n).numpy()
    step = max(1, n // 5)
    ticks = np.arange((n // 2) % step, n, step)  # through the middle cell: z = 0 when n is odd
    ax.set_xticks(ticks * 28 + 14, [f"{axis[t]:.2f}" for t in ticks])
    ax.set_yticks(ticks * 28 + 14, [f"{axis[n - 1 - t]:.2f}" for t in ticks])
    ax.set(xlabel="$z_1$ (Normal quantile)", ylabel="$z_2$ (Normal quantile)", title=title)
    return ax


def show_image_and_vector(image: Tensor, label: int | None = None) -> Figure:
    """One image (1, 28, 28) as a picture (left) and as the vector of its 784 values (right).

    Grey bands mark where each of the 28 rows starts, so that the reader sees the
    rows of the picture laid end to end.
    """
    x = check_images(image.reshape(1, 1, 28, 28), "image")[0, 0].detach().cpu()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 2.8), gridspec_kw={"width_ratios": [1, 3.2]})
    show_ink(left, x.numpy())
    left.set_title("as an image, (1, 28, 28)" + (f"\nlabel {label}" if label is not None else ""), fontsize=10)
    left.set_xlabel("column")
    left.set_ylabel("row")
    for row in range(0, 28, 2):
        right.axvspan(row * 28, (row + 1) * 28, color="0.93", lw=0)
    right.plot(np.arange(784), x.flatten().numpy(), lw=0.9, color="C0")
    right.set(xlim=(0, 783), ylim=(-0.02, 1.05), xlabel="pixel index = 28 x row + column",
              ylabel="pixel value", title="the same image as a vector of 784 values (bands: rows)")
    fig.tight_layout()
    return fig
