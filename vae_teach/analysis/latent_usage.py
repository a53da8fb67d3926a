"""How a model uses its latent space: the norm of prior codes, KL per dimension, active units."""

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


#: Burda et al.'s (2015) threshold: a dimension is active when its posterior mean varies more than this.
ACTIVE_THRESHOLD = 0.01


def posterior_mean_variance(vae: Any, x: Tensor, batch_size: int = 1000, y: Tensor | None = None) -> Tensor:
    """Variance over images x (N, 1, 28, 28) of each dimension's posterior mean E_q[z_k|x]: (D,).

    Cov_x(E_q[z|x]) of Burda et al. (2015), its diagonal; the population variance (divided by N).
    y: (N,) labels, for a conditional model.
    """
    x = check_images(x).to(vae.device)
    if x.shape[0] < 2:
        raise ValueError(f"expected at least 2 images to measure a variance across images; got {x.shape[0]}")
    y = vae.check_labels(y, x.shape[0])
    with torch.no_grad():
        mu = torch.cat([vae.posterior(x[i:i + batch_size].flatten(1), None if y is None else y[i:i + batch_size])[0]
                        for i in range(0, x.shape[0], batch_size)])
    return mu.double().var(dim=0, unbiased=False).float().cpu()


def active_units(vae: Any, x: Tensor, threshold: float = ACTIVE_THRESHOLD, y: Tensor | None = None) -> int:
    """How many latent dimensions are active on images x (N, 1, 28, 28): those whose posterior
    mean varies across the images by more than threshold (Burda et al. 2015: 0.01).

    An inactive dimension gives every image the same posterior, usually the prior: the
    decoder cannot learn anything about x from it.
    """
    if not float(threshold) > 0.0:
        raise ValueError(f"expected threshold as a number > 0 (Burda et al. use 0.01); got {threshold!r}")
    return int((posterior_mean_variance(vae, x, y=y) > threshold).sum())
