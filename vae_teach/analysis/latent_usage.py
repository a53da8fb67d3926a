"""How a model uses its latent space: the norm of prior codes, and KL per dimension."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from .._validate import check_images
from ..distributions import gaussian_kl_per_dim


def prior_norm_band(d: int, n: int = 20_000, seed: int = 0) -> tuple[float, float, float]:
    """(5 %, 50 %, 95 %) quantiles of ||z|| for z ~ N(0, I_d), estimated from n samples."""
    z = torch.randn(n, d, generator=torch.Generator().manual_seed(seed))
    q = torch.quantile(z.norm(dim=1), torch.tensor([0.05, 0.5, 0.95]))
    return float(q[0]), float(q[1]), float(q[2])


def kl_per_dimension(vae: Any, x: Tensor) -> Tensor:
    """Mean over images x (N, 1, 28, 28) of KL(q(z_k|x) || N(0, 1)) for each latent dimension k: (D,), nats."""
    x = check_images(x)
    with torch.no_grad():
        mu, logvar = vae.encode(x)
    return gaussian_kl_per_dim(mu, logvar).mean(dim=0).cpu()
