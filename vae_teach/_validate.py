"""Checks at the package boundary: bad input fails early, with what was expected and what came in."""

from __future__ import annotations

import math
import numbers

import torch
from torch import Tensor

IMAGE_SHAPE = (1, 28, 28)
PIXELS = 784
#: Seeds are ints in [0, SEED_LIMIT): inside what torch.manual_seed takes, with room for the seed + 1 that fit uses.
SEED_LIMIT = 2**63
#: MNIST's pixel mean and standard deviation, the constants of the usual ``transforms.Normalize``.
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
#: Floating dtypes converted to float32 at the boundary (the models' weights are float32).
_CONVERTED_DTYPES = (torch.float64, torch.float16, torch.bfloat16)


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


def _range_hint(low: float, high: float) -> str:
    """Why images might be outside [0, 1], from their range: 0-255 pixels, or standardised ones."""
    if low < 0.0:
        low_std, high_std = -MNIST_MEAN / MNIST_STD, (1.0 - MNIST_MEAN) / MNIST_STD
        if low >= low_std - 0.05 and high <= high_std + 0.05:
            return (f" (standardised with MNIST's mean {MNIST_MEAN} and std {MNIST_STD}, as transforms.Normalize "
                    f"does? undo it: x * {MNIST_STD} + {MNIST_MEAN})")
        return " (negative pixels: standardised images? map them back to [0, 1] first)"
    if 1.0 < high <= 255.0:
        return " (pixels in 0-255? divide by 255)"
    return ""


def check_images(x: object, name: str = "x") -> Tensor:
    """Validate a batch of images and return it as (N, 1, 28, 28) float32.

    Accepts float tensors of shape (N, 1, 28, 28), (N, 28, 28) or (N, 784)
    with values in [0, 1]; float64, float16 and bfloat16 images are converted to
    float32 (the dtype of the models' weights). Integer images and numpy arrays are
    refused with the conversion that fixes them.
    """
    expected = f"expected {name} as float images of shape (N, 1, 28, 28) with values in [0, 1]"
    if not isinstance(x, Tensor):
        hint = " (convert with torch.as_tensor(x, dtype=torch.float32))" if hasattr(x, "__array__") else ""
        raise TypeError(f"{expected}; got {type(x).__name__}{hint}")
    if x.numel() == 0:
        raise ValueError(f"{expected}; got {describe(x)}")
    if not x.is_floating_point():
        hint = " (uint8 pixels in 0-255: use x.float() / 255)" if x.dtype == torch.uint8 else ""
        raise ValueError(f"{expected}; got {describe(x)}{hint}")
    if x.dtype in _CONVERTED_DTYPES:
        x = x.to(torch.float32)
    if x.shape[1:] == IMAGE_SHAPE:
        images = x
    elif x.shape[1:] == (28, 28) or (x.dim() == 2 and x.shape[1] == PIXELS):
        images = x.reshape(-1, *IMAGE_SHAPE)
    else:
        raise ValueError(f"{expected}; got shape {tuple(x.shape)}")
    if torch.isnan(images).any() or torch.isinf(images).any():
        raise ValueError(f"{expected}; got NaN or infinite values ({describe(x)})")
    low, high = float(images.detach().min()), float(images.detach().max())  # no autograd warning
    if low < 0.0 or high > 1.0:
        raise ValueError(f"{expected}; got {describe(x)}{_range_hint(low, high)}")
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


def _is_int(value: object) -> bool:
    """True for Python and numpy integers; False for bools (True is not a count) and floats like 2.0."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_int_at_least(value: object, name: str, minimum: int, expected: str) -> int:
    if not _is_int(value) or value < minimum:
        raise ValueError(f"expected {name} to be {expected}; got {value!r}")
    return int(value)


def check_positive_int(value: object, name: str) -> int:
    """An int >= 1 (bools refused), or a ValueError naming the argument."""
    return _check_int_at_least(value, name, 1, "a positive integer")


def check_nonnegative_int(value: object, name: str) -> int:
    """An int >= 0 (bools refused), or a ValueError naming the argument."""
    return _check_int_at_least(value, name, 0, "an int >= 0")


def check_seed(value: object, name: str = "seed", allow_none: bool = False) -> int | None:
    """The one rule for seeds: an int (numpy ints too) in [0, 2**63), returned as a Python int.

    None is accepted only where it means "unseeded" (``allow_none``: initial weights,
    ``sample``, ``fit``); estimates that promise to repeat (``elbo``, ``iwae``,
    ``evaluate``) need an int. Anything else is a ValueError naming the argument.
    """
    if value is None and allow_none:
        return None
    if not _is_int(value) or not 0 <= value < SEED_LIMIT:
        unseeded = " or None (unseeded)" if allow_none else ""
        raise ValueError(f"expected {name} as an int in [0, 2**63){unseeded}; got {value!r}")
    return int(value)


def check_real(value: object, name: str, *, minimum: float = 0.0, allow_minimum: bool = True) -> float:
    """A finite real number (numpy scalars too, bools refused) >= minimum (> minimum without
    ``allow_minimum``), returned as a Python float; else a ValueError naming the argument."""
    bound = f">= {minimum:g}" if allow_minimum else f"> {minimum:g}"
    try:  # float() of a huge int overflows: not a usable number either
        number = float(value) if isinstance(value, numbers.Real) and not isinstance(value, bool) else math.nan
    except OverflowError:
        number = math.nan
    if not math.isfinite(number) or number < minimum or (number == minimum and not allow_minimum):
        raise ValueError(f"expected {name} as a finite number {bound}; got {value!r}")
    return number


def check_device(device: object) -> torch.device:
    """A torch.device for "cpu", "cuda", "cuda:N", "mps" or a torch.device, checked to exist on this machine."""
    expected = "expected device as 'cpu', 'cuda', 'cuda:N', 'mps', a torch.device or None (CUDA when present)"
    if not isinstance(device, (str, torch.device)):
        raise ValueError(f"{expected}; got {device!r}")
    try:
        parsed = torch.device(device)
    except RuntimeError:
        raise ValueError(f"{expected}; got {device!r}") from None
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(f"device={str(device)!r} asks for a CUDA GPU, but torch finds none here "
                               "(torch.cuda.is_available() is False); use device='cpu', or leave device=None "
                               "to take CUDA when present")
        if parsed.index is not None and parsed.index >= torch.cuda.device_count():
            raise RuntimeError(f"device={str(device)!r}: this machine has {torch.cuda.device_count()} CUDA "
                               f"device(s), numbered from 0")
    elif parsed.type == "mps" and not torch.backends.mps.is_available():
        raise RuntimeError(f"device={str(device)!r} asks for Apple's MPS, which torch cannot use here; use 'cpu'")
    elif parsed.type not in ("cpu", "mps"):
        raise ValueError(f"{expected}; got {device!r}")
    return parsed
