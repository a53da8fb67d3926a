"""Grids of codes to decode: evenly spaced, or at Normal quantiles (the decoded manifold)."""

from __future__ import annotations

import torch
from torch import Tensor

from .._validate import check_positive_int


def normal_quantile_axis(n: int) -> Tensor:
    """(n,) positions z_i = Phi^-1((i + 0.5) / n): equal N(0, 1) mass between neighbours."""
    check_positive_int(n, "n")
    return torch.distributions.Normal(0.0, 1.0).icdf((torch.arange(n, dtype=torch.float32) + 0.5) / n)


def grid_from_axes(z1: Tensor, z2: Tensor, high_z2_first: bool = True) -> Tensor:
    """(len(z2) * len(z1), 2) codes at every pair (z1[j], z2[i]), row-major: z_1 moves fastest.

    z1, z2: increasing 1-D axes. Rows run from the highest z_2 down when ``high_z2_first``
    (as an image grid shows codes: high z_2 on the top row), else from the lowest up (a
    table indexed by increasing coordinates, as the quadrature in ``marginal`` keeps it).
    """
    if z1.dim() != 1 or z2.dim() != 1:
        raise ValueError(f"expected two 1-D axes; got shapes {tuple(z1.shape)} and {tuple(z2.shape)}")
    rows, columns = torch.meshgrid(z2.flip(0) if high_z2_first else z2, z1, indexing="ij")
    return torch.stack([columns.reshape(-1), rows.reshape(-1)], dim=1)


def quantile_grid(n: int) -> Tensor:
    """(n * n, 2) codes on an n x n grid at Normal quantiles, row-major as an image grid shows them.

    Row r (top to bottom) has z_2 = axis[n - 1 - r] (high z_2 at the top), column c has z_1 = axis[c].
    """
    axis = normal_quantile_axis(n)
    return grid_from_axes(axis, axis)


def square_grid(n: int, low: float, high: float) -> Tensor:
    """(n * n, 2) codes evenly spaced over [low, high]^2, row-major with high z_2 on the top row."""
    check_positive_int(n, "n")
    if not high > low:
        raise ValueError(f"expected high > low; got low={low!r}, high={high!r}")
    axis = torch.linspace(low, high, n)
    return grid_from_axes(axis, axis)
