"""Paths and directions in a latent space: interpolation, traversal, class-mean arithmetic.

Every function takes and returns codes as float tensors; a path of ``steps``
codes between z0 and z1 is a (steps, D) tensor whose first row is z0 and last
row is z1.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .._validate import check_positive_int

__all__ = ["lerp", "slerp", "interpolate", "traversal_codes", "class_means", "class_direction",
           "move_along", "path_norms"]


def _pair(z0: Tensor, z1: Tensor) -> tuple[Tensor, Tensor]:
    """Two codes of the same size D, as float (D,) vectors."""
    for name, z in (("z0", z0), ("z1", z1)):
        if not isinstance(z, Tensor):
            raise TypeError(f"expected {name} as a float tensor of shape (D,); got {type(z).__name__}")
    a, b = z0.detach().reshape(-1).double(), z1.detach().reshape(-1).double()
    if a.shape != b.shape or a.numel() == 0:
        raise ValueError(f"expected z0 and z1 of the same shape (D,); got {tuple(z0.shape)} and {tuple(z1.shape)}")
    if not (torch.isfinite(a).all() and torch.isfinite(b).all()):
        raise ValueError("expected finite codes z0 and z1; got NaN or infinite values")
    return a, b


def _weights(steps: int) -> Tensor:
    check_positive_int(steps, "steps")
    if steps < 2:
        raise ValueError(f"expected steps >= 2 (a path has both ends); got {steps}")
    return torch.linspace(0.0, 1.0, steps, dtype=torch.float64)


def lerp(z0: Tensor, z1: Tensor, steps: int = 8) -> Tensor:
    """Straight line from z0 to z1 (D,): (1 - t) z0 + t z1 for steps values of t in [0, 1]; (steps, D).

    z0, z1: (D,) (or (1, D)) codes. Returns (steps, D) float32.
    """
    a, b = _pair(z0, z1)
    t = _weights(steps)[:, None]
    return ((1.0 - t) * a + t * b).float()


def slerp(z0: Tensor, z1: Tensor, steps: int = 8) -> Tensor:
    """Spherical interpolation along the great circle from z0 to z1 (D,) (Shoemake 1985): (steps, D).

    z(t) = sin((1 - t) omega) / sin(omega) z0 + sin(t omega) / sin(omega) z1, where
    omega is the angle between z0 and z1. For codes of equal norm every point keeps
    that norm; for unequal norms the norm moves smoothly between the two.
    When the angle is tiny (or a code is zero) the formula is 0/0 and the straight
    line is the same path, so lerp is returned. Returns (steps, D) float32.
    """
    a, b = _pair(z0, z1)
    t = _weights(steps)[:, None]
    na, nb = a.norm(), b.norm()
    if na < 1e-12 or nb < 1e-12:
        return lerp(z0, z1, steps)
    cos = torch.clamp(a @ b / (na * nb), -1.0, 1.0)
    omega = torch.arccos(cos)
    if omega < 1e-6:
        return lerp(z0, z1, steps)
    if math.pi - float(omega) < 1e-6:
        raise ValueError("slerp is undefined for opposite codes (angle pi): every great circle joins them; "
                         "perturb one code or use lerp")
    s = torch.sin(omega)
    return (torch.sin((1.0 - t) * omega) / s * a + torch.sin(t * omega) / s * b).float()


def interpolate(z0: Tensor, z1: Tensor, steps: int = 8, method: str = "linear") -> Tensor:
    """``lerp`` (method="linear") or ``slerp`` (method="spherical"); returns (steps, D)."""
    if method == "linear":
        return lerp(z0, z1, steps)
    if method == "spherical":
        return slerp(z0, z1, steps)
    raise ValueError(f"expected method 'linear' or 'spherical'; got {method!r}")


def traversal_codes(z: Tensor, dim: int, values: Tensor | list[float]) -> Tensor:
    """Copies of code z (D,) with dimension ``dim`` set to each of ``values`` in turn: (len(values), D).

    The other D - 1 coordinates stay fixed. Returns (len(values), D) float32.
    """
    if not isinstance(z, Tensor):
        raise TypeError(f"expected z as a float tensor of shape (D,); got {type(z).__name__}")
    base = z.detach().reshape(-1).float()
    d = base.numel()
    if isinstance(dim, bool) or not isinstance(dim, int) or not 0 <= dim < d:
        raise ValueError(f"expected dim as an int in [0, {d - 1}] for a code of size {d}; got {dim!r}")
    v = torch.as_tensor(values, dtype=torch.float32).reshape(-1)
    if v.numel() == 0:
        raise ValueError("expected at least one value to sweep; got none")
    codes = base.repeat(v.numel(), 1)
    codes[:, dim] = v
    return codes


def class_means(codes: Tensor, labels: Tensor, n_classes: int = 10) -> Tensor:
    """Mean code of each class: (n_classes, D) from codes (N, D) and labels (N,) in [0, n_classes).

    A class with no example gets NaN, so it cannot pass unnoticed.
    """
    if codes.dim() != 2 or labels.shape != (codes.shape[0],):
        raise ValueError(f"expected codes (N, D) and labels (N,); got {tuple(codes.shape)} and {tuple(labels.shape)}")
    labels = labels.long()
    if labels.numel() and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"expected labels in [0, {n_classes}); got values in [{int(labels.min())}, {int(labels.max())}]")
    sums = torch.zeros(n_classes, codes.shape[1], dtype=torch.float64).index_add_(0, labels, codes.double())
    counts = torch.bincount(labels, minlength=n_classes).double()[:, None]
    return (sums / counts).float()


def class_direction(codes: Tensor, labels: Tensor, source: int, target: int) -> Tensor:
    """mean(codes of class ``target``) - mean(codes of class ``source``): a (D,) direction."""
    means = class_means(codes, labels)
    for name, c in (("source", source), ("target", target)):
        if not 0 <= int(c) < means.shape[0] or torch.isnan(means[int(c)]).any():
            raise ValueError(f"expected {name} to be a class present in labels; got {c!r}")
    return means[int(target)] - means[int(source)]


def move_along(z: Tensor, direction: Tensor, amounts: Tensor | list[float]) -> Tensor:
    """Codes z + a * direction for each a in ``amounts``: (len(amounts), D) float32."""
    base = z.detach().reshape(-1).float()
    d = direction.detach().reshape(-1).float()
    if base.shape != d.shape:
        raise ValueError(f"expected z and direction of the same size; got {tuple(base.shape)} and {tuple(d.shape)}")
    a = torch.as_tensor(amounts, dtype=torch.float32).reshape(-1, 1)
    return base + a * d


def path_norms(path: Tensor) -> Tensor:
    """Euclidean norm ||z|| of each code on a path (steps, D): (steps,)."""
    if path.dim() != 2:
        raise ValueError(f"expected a path of shape (steps, D); got {tuple(path.shape)}")
    return path.norm(dim=1)
