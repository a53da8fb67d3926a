"""What a wrong answer's type or shape says about the mistake behind it, in words a student can act on.

Each function returns the hint's text, or None when it has nothing to say;
``_checking.compare`` raises it. A shape hint names the mistake that usually
gives that shape (a dimension of size 1 kept by ``keepdim=True``, rows and
columns swapped, a reduction over everything) before it quotes any sizes,
since the sizes come from the check's inputs, which the student never saw.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch
from torch import Tensor

__all__ = ["type_mistake", "shape_mistake", "close"]


def close(a: Tensor, b: Tensor, atol: float, rtol: float) -> bool:
    """Same shape and values within tolerance; NaN matches NaN (a mistake's value may hold NaN)."""
    return a.shape == b.shape and bool(torch.allclose(a.double(), b.double(), atol=atol, rtol=rtol,
                                                      equal_nan=True))


def type_mistake(got: Any, expected: Tensor, what: str) -> str | None:
    """The hint for a value that is not a tensor (a number where one is expected passes), or None."""
    if isinstance(got, Tensor):
        return None
    if isinstance(got, np.ndarray):
        return f"{what}: a numpy array; expected a torch tensor (use torch.as_tensor)"
    if isinstance(got, (int, float)) and expected.dim() == 0:
        return None
    if isinstance(got, (list, tuple)) and got and all(isinstance(v, Tensor) for v in got):
        if expected.dim() >= 1 and len(got) == expected.shape[0]:
            return (f"{what}: a {type(got).__name__} of {len(got)} tensors; stack them into one "
                    "tensor (torch.stack) with one row per entry")
        return (f"{what}: a {type(got).__name__} of {len(got)} tensors; return one tensor of "
                f"shape {tuple(expected.shape)}")
    kind = "a number" if isinstance(got, (int, float)) else type(got).__name__
    return f"{what}: {kind}; expected a tensor of shape {tuple(expected.shape)}"


def shape_mistake(have: tuple[int, ...], want: tuple[int, ...], what: str,
                  shapes: Mapping[tuple[int, ...], str] | None = None) -> str | None:
    """The hint for a result of shape ``have`` where ``want`` is right, or None if they agree.

    ``shapes`` maps a wrong shape the check expects from a known mistake (summing over the
    batch instead of the features, say) to the hint that names it; it is tried first.
    """
    if have == want:
        return None
    for shape, hint in (shapes or {}).items():
        if tuple(shape) == have:
            return hint
    if len(have) == 0:
        return (f"{what}: one number; expected one value per row (shape {want}): reduce over "
                "the other dimensions only (dim=...), not over the rows")
    if len(want) == 0:
        return (f"{what}: a tensor of shape {have}; expected one number (a 0-d tensor): "
                "reduce it (.mean() or .sum()) as the exercise says")
    if len(have) > len(want) and tuple(n for n in have if n != 1) == tuple(n for n in want if n != 1):
        one = len(have) - len(want) == 1
        return (f"{what}: shape {have} instead of {want}, "
                f"{'a dimension' if one else 'dimensions'} of size 1 left over: reduce without "
                f"keepdim=True, or .squeeze() {'it' if one else 'them'}")
    if len(have) < len(want) and tuple(n for n in want if n != 1) == have:
        return (f"{what}: a dimension of size 1 is missing, shape {have} instead of {want}: "
                "keep it (keepdim=True, or x[:, None])")
    if len(want) == 2 and have == want[::-1]:
        return (f"{what}: rows and columns are swapped, shape {have} instead of {want}: "
                "one row per entry expected (transpose with .T, or build it row by row)")
    if int(np.prod(have)) == int(np.prod(want)):
        return f"{what}: the right number of values, but shape {have}; expected {want}"
    return f"{what}: shape {have}; expected {want}"
