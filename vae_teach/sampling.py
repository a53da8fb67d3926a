"""Codes to decode: a grid at Normal quantiles (the decoded manifold), and a Gaussian fitted to codes."""

from __future__ import annotations

import torch
from torch import Tensor

from .validate import check_positive_int


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


def sample_fitted_gaussian(codes: Tensor, n: int, seed: int = 0) -> Tensor:
    """n codes from N(mean, cov) fitted to codes (N, D): a plain autoencoder's best-effort 'prior'.

    Returns (n, D) float32.
    """
    if codes.dim() != 2 or codes.shape[0] < codes.shape[1] + 1:
        raise ValueError(f"expected codes of shape (N, D) with N > D; got {tuple(codes.shape)}")
    check_positive_int(n, "n")
    c = codes.detach().double().cpu()
    mean, cov = c.mean(dim=0), torch.cov(c.T).reshape(c.shape[1], c.shape[1])
    chol = torch.linalg.cholesky(cov + 1e-9 * torch.eye(c.shape[1], dtype=c.dtype))
    eps = torch.randn(n, c.shape[1], generator=torch.Generator().manual_seed(seed), dtype=c.dtype)
    return (mean + eps @ chol.T).float()


def empty_cell_fraction(codes: Tensor, low: float, high: float, bins: int = 20) -> float:
    """Fraction of the bins x bins cells of [low, high]^2 that hold no code of codes (N, 2)."""
    if codes.dim() != 2 or codes.shape[1] != 2:
        raise ValueError(f"expected codes of shape (N, 2); got {tuple(codes.shape)}")
    counts = torch.histogramdd(codes.detach().cpu().float(), bins=[bins, bins],
                               range=[low, high, low, high]).hist
    return float((counts == 0).float().mean())
