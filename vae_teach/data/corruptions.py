"""Corruptions for denoising autoencoders: ``corrupt(x, generator) -> x_noisy``.

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
