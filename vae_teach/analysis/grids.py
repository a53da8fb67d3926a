"""Grids of codes to decode: evenly spaced, or at Normal quantiles (the decoded manifold)."""

from __future__ import annotations

import torch
from torch import Tensor

from .._validate import check_positive_int


def normal_quantile_axis(n: int) -> Tensor:
    """(n,) positions z_i = Phi^-1((i + 0.5) / n): equal N(0, 1) mass between neighbours."""
    check_positive_int(n, "n")
    return torch.distributions.Normal(0.0, 1.0).icdf((torch.arange(n, dtype=torch.float32) + 0.5) / n)


def quantile_grid(n: int) -> Tensor:
    """(n * n, 2) codes on an n x n grid at Normal quantiles, row-major as an image grid shows them.

    Row r (top to bottom) has z_2 = axis[n - 1 - r] (high z_2 at the top), column c has z_1 = axis[c].
    """
    axis = normal_quantile_axis(n)
    z2, z1 = torch.meshgrid(axis.flip(0), axis, indexing="ij")
    return torch.stack([z1.reshape(-1), z2.reshape(-1)], dim=1)


def square_grid(n: int, low: float, high: float) -> Tensor:
    """(n * n, 2) codes evenly spaced over [low, high]^2, row-major with high z_2 on the top row."""
    check_positive_int(n, "n")
    if not high > low:
        raise ValueError(f"expected high > low; got low={low!r}, high={high!r}")
    axis = torch.linspace(low, high, n)
    z2, z1 = torch.meshgrid(axis.flip(0), axis, indexing="ij")
    return torch.stack([z1.reshape(-1), z2.reshape(-1)], dim=1)
