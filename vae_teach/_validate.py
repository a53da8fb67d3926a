"""Checks at the package boundary: bad input fails early, with what was expected and what came in."""

from __future__ import annotations

import torch
from torch import Tensor

IMAGE_SHAPE = (1, 28, 28)
PIXELS = 784


def describe(x: Tensor) -> str:
    """A short description of a tensor for error messages: shape, dtype, range."""
    if x.numel() == 0:
        return f"an empty tensor of shape {tuple(x.shape)}"
    values = x.detach()
    if values.is_floating_point():
        finite = values[torch.isfinite(values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.numel() else (float("nan"),) * 2
    else:
        low, high = float(values.min()), float(values.max())
    return f"shape {tuple(x.shape)}, dtype {str(x.dtype).replace('torch.', '')}, values in [{low:g}, {high:g}]"


def check_images(x: object, name: str = "x") -> Tensor:
    """Validate a batch of images and return it as (N, 1, 28, 28) float.

    Accepts float tensors of shape (N, 1, 28, 28), (N, 28, 28) or (N, 784)
    with values in [0, 1].
    """
    expected = f"expected {name} as float images of shape (N, 1, 28, 28) with values in [0, 1]"
    if not isinstance(x, Tensor):
        raise TypeError(f"{expected}; got {type(x).__name__} (use torch.as_tensor first)")
    if x.numel() == 0:
        raise ValueError(f"{expected}; got {describe(x)}")
    if not x.is_floating_point():
        hint = " (uint8 pixels in 0-255: use x.float() / 255)" if x.dtype == torch.uint8 else ""
        raise ValueError(f"{expected}; got {describe(x)}{hint}")
    if x.shape[1:] == IMAGE_SHAPE:
        images = x
    elif x.shape[1:] == (28, 28) or (x.dim() == 2 and x.shape[1] == PIXELS):
        images = x.reshape(-1, *IMAGE_SHAPE)
    else:
        raise ValueError(f"{expected}; got shape {tuple(x.shape)}")
    if torch.isnan(images).any() or torch.isinf(images).any():
        raise ValueError(f"{expected}; got NaN or infinite values ({describe(x)})")
    low, high = float(images.min()), float(images.max())
    if low < 0.0 or high > 1.0:
        hint = " (pixels in 0-255? divide by 255)" if high > 1.0 and high <= 255.0 else ""
        raise ValueError(f"{expected}; got {describe(x)}{hint}")
    return images


def check_codes(z: object, latent_dim: int, name: str = "z") -> Tensor:
    """Validate latent codes: a finite float tensor of shape (N, latent_dim) (or (latent_dim,))."""
    expected = f"expected {name} as float codes of shape (N, {latent_dim})"
    if not isinstance(z, Tensor):
        raise TypeError(f"{expected}; got {type(z).__name__}")
    if z.dim() == 1:
        z = z.unsqueeze(0)
    if z.dim() != 2 or z.shape[1] != latent_dim or z.shape[0] == 0:
        raise ValueError(f"{expected}; got shape {tuple(z.shape)}")
    if not z.is_floating_point():
        raise ValueError(f"{expected}; got dtype {z.dtype}")
    if not torch.isfinite(z).all():
        raise ValueError(f"{expected}; got NaN or infinite values")
    return z


def _check_int_at_least(value: object, name: str, minimum: int, expected: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"expected {name} to be {expected}; got {value!r}")
    return value


def check_positive_int(value: object, name: str) -> int:
    """An int >= 1 (bools refused), or a ValueError naming the argument."""
    return _check_int_at_least(value, name, 1, "a positive integer")


def check_nonnegative_int(value: object, name: str) -> int:
    """An int >= 0 (bools refused), or a ValueError naming the argument."""
    return _check_int_at_least(value, name, 0, "an int >= 0")
