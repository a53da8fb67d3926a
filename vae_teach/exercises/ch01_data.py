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
    got = call(fn, x)
    column_order = x.transpose(2, 3).reshape(len(x), -1)
    compare(got, x.reshape(len(x), -1), what="your vectors",
            mistakes={"your vectors read each image column by column; flatten row by row "
                      "(reshape keeps the row order)": column_order})
    return "each image is now a vector of 784 pixel values"


@checker("pixels to [0, 1]")
def check_to_unit(fn: Callable[[Tensor], Tensor]) -> str:
    """Exercise ex-to-unit: ``fn(pixels)`` maps uint8 pixels in 0..255 to float32 in [0, 1]."""
    g = torch.Generator().manual_seed(1)
    pixels = torch.randint(0, 256, (4, 1, 28, 28), generator=g, dtype=torch.uint8)
    got = call(fn, pixels)
    compare(got, pixels.float() / 255.0, what="your images",
            factor_hints={255.0: "your images still run from 0 to 255: divide by 255",
                          255.0 / 256.0: "divide by 255, the largest pixel value, not by 256"})
    return "0.0 is no ink, 1.0 is full ink (drawn dark)"


@checker("ink per image")
def check_ink(fn: Callable[[Tensor], Tensor]) -> str:
    """Exercise ex-ink: ``fn(images)`` returns the mean pixel value of each image, shape (N,)."""
    x = _sample_images(seed=2)
    got = call(fn, x)
    compare(got, x.mean(dim=(1, 2, 3)), what="your ink values",
            factor_hints={784.0: "your values are 784 times too large: that is the sum of the "
                                 "pixels; take the mean"})
    return "one number per image, the mean pixel value"
