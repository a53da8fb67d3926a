"""Exercise checks for chapter 1 (the data).

Each check prints a pass or one hint naming the mistake and returns a bool (see ``_checking``).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ._checking import call, checker, compare

__all__ = ["check_flatten", "check_to_unit", "check_ink"]


def _sample_images(n: int = 6, seed: int = 0) -> Tensor:
    """A small deterministic batch of fake images, (n, 1, 28, 28) float32 in [0, 1]."""
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=g)


@checker("flatten")
def check_flatten(fn: Callable[[Tensor], Tensor]) -> str:
    """Exercise ex-flatten: ``fn(images)`` turns (N, 1, 28, 28) images into (N, 784) vectors."""
    x = _sample_images()
    n = len(x)
    got = call(fn, x)
    row_by_row = x.reshape(n, -1)
    compare(got, row_by_row, what="your vectors", mistakes={
        "your vectors read each image column by column; flatten row by row (reshape keeps the "
        "row order)": x.transpose(2, 3).reshape(n, -1),
        "the images are already in [0, 1]: flattening keeps each value, do not divide by 255":
            row_by_row / 255,
    }, shapes={
        (n * 784,): "you flattened the whole batch into one long vector; keep one row per image: "
                    "images.reshape(len(images), -1)",
        (784, n): "one column per image; expected one row per image, (N, 784): "
                  "images.reshape(len(images), -1)",
        (n, 28, 28): "your images are still 28 x 28 grids: flatten the two pixel dimensions "
                     "into one of 784",
        (n, 1, 784): "one row per image, but the channel dimension is still there: "
                     "images.reshape(len(images), -1) gives (N, 784)",
    })
    return "each image is now a vector of 784 pixel values"


@checker("pixels to [0, 1]")
def check_to_unit(fn: Callable[[Tensor], Tensor]) -> str:
    """Exercise ex-to-unit: ``fn(pixels)`` maps uint8 pixels in 0..255 to float32 in [0, 1].

    Two probes: full-range pixels (0..255), where most mistakes show, then a faint batch
    (none above 200), where dividing by the batch's own largest value shows.
    """
    g = torch.Generator().manual_seed(1)
    for pixels in (torch.randint(0, 256, (4, 1, 28, 28), generator=g, dtype=torch.uint8),
                   torch.randint(10, 201, (4, 1, 28, 28), generator=g, dtype=torch.uint8)):
        got = call(fn, pixels)
        unit, p = pixels.float() / 255.0, pixels.float()
        compare(got, unit, what="your images", mistakes={
            "your images are inverted (1 - x): 0.0 is no ink (the background), 1.0 is full ink":
                1 - unit,
            "your images run from -1 to 1; this book's run from 0 to 1: divide by 255 only":
                2 * unit - 1,
            "you standardised the pixels (mean 0, std 1); map them to [0, 1] instead: divide "
            "by 255": (p - p.mean()) / p.std(),
            "you standardised with MNIST's mean and std; this book keeps pixels in [0, 1]: "
            "divide by 255 only": (unit - 0.1307) / 0.3081,
            "you divided by the largest pixel of the batch; divide by 255, the largest possible "
            "value, so that a faint batch stays faint": p / p.max(),
            "you stretched the batch to fill [0, 1] (min-max); divide by 255, so that every "
            "image keeps its own ink": (p - p.min()) / (p.max() - p.min()),
        }, factor_hints={255.0: "your images still run from 0 to 255: divide by 255",
                         255.0 / 256.0: "divide by 255, the largest pixel value, not by 256"})
    return "0.0 is no ink, 1.0 is full ink (drawn dark)"


@checker("ink per image")
def check_ink(fn: Callable[[Tensor], Tensor]) -> str:
    """Exercise ex-ink: ``fn(images)`` returns the mean pixel value of each image, shape (N,)."""
    x = _sample_images(seed=2)
    n = len(x)
    got = call(fn, x)
    per_image = "average over each image's pixels, dim=(1, 2, 3)"
    compare(got, x.mean(dim=(1, 2, 3)), what="your ink values", shapes={
        (): f"one number for the whole batch; expected one per image: {per_image} only",
        (1, 28, 28): f"you averaged over the images (dim=0), which gives a mean image; {per_image}",
        (784,): f"you averaged over the images (dim=0), which gives a mean image; {per_image}",
        (n, 1): "one value per image and channel: average over the channel too, dim=(1, 2, 3)",
        (n, 28, 28): f"you averaged over the channel only; {per_image}",
    }, factor_hints={784.0: "your values are 784 times too large: that is the sum of the "
                            "pixels; take the mean"})
    return "one number per image, the mean pixel value"
