"""Corruptions: ``corrupt(x, generator) -> x_noisy``, for denoising autoencoders and anomaly tests.

Both plug into ``vt.fit(..., corrupt=...)``; parameters other than the defaults go
through ``functools.partial`` (which the model cache also keys on).
"""

from __future__ import annotations

import torch
from torch import Tensor

from .._validate import check_images


def _check_generator(generator: object) -> torch.Generator:
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"expected a torch.Generator (e.g. torch.Generator().manual_seed(0)); "
                        f"got {type(generator).__name__}")
    return generator


def gaussian_noise(x: Tensor, generator: torch.Generator, std: float = 0.5) -> Tensor:
    """Gaussian noise: x + std * eps, eps ~ N(0, 1) per pixel, clamped to [0, 1]; (N, 1, 28, 28) in and out.

    x: (N, 1, 28, 28) in [0, 1]. Returns a new tensor of the same shape; x is unchanged.
    """
    x = check_images(x)
    generator = _check_generator(generator)
    if not std >= 0:
        raise ValueError(f"expected std >= 0; got {std!r}")
    eps = torch.randn(x.shape, generator=generator, device=generator.device, dtype=x.dtype)
    return (x + std * eps.to(x.device)).clamp(0.0, 1.0)


def mask_pixels(x: Tensor, generator: torch.Generator, p: float = 0.5) -> Tensor:
    """Masking noise: each pixel of x (N, 1, 28, 28) set to 0 with probability p, independently.

    x: (N, 1, 28, 28) in [0, 1]. Kept pixels keep their value (no rescaling: the
    image should still look like the digit with holes). Returns a new tensor.
    """
    x = check_images(x)
    generator = _check_generator(generator)
    if not 0.0 <= p < 1.0:
        raise ValueError(f"expected a masking probability p in [0, 1); got {p!r}")
    keep = torch.rand(x.shape, generator=generator, device=generator.device) >= p
    return x * keep.to(x.device, x.dtype)


def occlude_block(x: Tensor, generator: torch.Generator, size: int = 10, value: float = 1.0) -> Tensor:
    """An occluding square: a size x size block of each image set to value, at a random place.

    x: (N, 1, 28, 28) in [0, 1]. Each image gets its own block, its top-left corner drawn
    uniformly so that the block lies inside the image. value 1.0 is full ink (a solid patch
    over or beside the digit); 0.0 erases. Returns a new tensor; x is unchanged.
    """
    x = check_images(x)
    generator = _check_generator(generator)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 28:
        raise ValueError(f"expected a block size as an int in [1, 28]; got {size!r}")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"expected a block value in [0, 1]; got {value!r}")
    n = x.shape[0]
    corners = torch.randint(0, 28 - size + 1, (n, 2), generator=generator, device=generator.device).cpu()
    steps = torch.arange(28)
    rows = (steps >= corners[:, :1]) & (steps < corners[:, :1] + size)      # (N, 28)
    cols = (steps >= corners[:, 1:]) & (steps < corners[:, 1:] + size)      # (N, 28)
    block = (rows[:, :, None] & cols[:, None, :])[:, None].to(x.device)     # (N, 1, 28, 28)
    return torch.where(block, torch.full_like(x, value), x)


def rotate_quarter(x: Tensor, generator: torch.Generator | None = None, turns: int = 1) -> Tensor:
    """Each image of x (N, 1, 28, 28) rotated by turns x 90 degrees, counter-clockwise as drawn.

    Deterministic: generator is accepted (and ignored) so that the corruption has the same
    signature as the others. Returns a new tensor of the same shape.
    """
    x = check_images(x)
    if isinstance(turns, bool) or not isinstance(turns, int):
        raise ValueError(f"expected turns as an int (quarter turns); got {turns!r}")
    return torch.rot90(x, turns, dims=(2, 3)).contiguous()
