"""A VAE as a point on the rate-distortion plane (Alemi et al. 2018), and the units it uses.

The negative ELBO of an image splits in two: the distortion D = E_q[-log p(x|z)], what
the code fails to say about the image, and the rate R = KL(q(z|x) || p(z)), what the
code costs to send. Training with a weight beta on the rate (Higgins et al. 2017)
minimises D + beta R, so a sweep over beta traces a curve on the (R, D) plane; the
ELBO's iso-lines there are the lines R + D = constant.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch
from torch import Tensor

from .._validate import check_images, check_seed
from ..distributions import gaussian_kl
from .latent_usage import active_units

__all__ = ["rate_distortion", "sweep_rows"]


def _require_vae(model: Any) -> None:
    if not getattr(model, "is_variational", False):
        raise TypeError(f"expected a VAE (a model with an encoder q(z|x)); got {type(model).__name__}")


def rate_distortion(model: Any, x: Tensor, seed: int = 0) -> tuple[float, float]:
    """(rate, distortion) of a VAE on images x (N, 1, 28, 28), each a mean over images, nats per image.

    rate: KL(q(z|x) || N(0, I)) in closed form; distortion: -log p(x|z) for one z ~ q(z|x)
    per image (drawn with ``seed``). Their sum is the negative ELBO.
    """
    _require_vae(model)
    x = check_images(x).to(model.device)
    generator = torch.Generator(device=model.device).manual_seed(check_seed(seed))
    with torch.no_grad():
        mu, logvar = model.posterior(x.flatten(1))
        z = mu + torch.randn(mu.shape, generator=generator, device=mu.device) * (0.5 * logvar).exp()
        distortion = -model.log_likelihood(model.decode_logits(z), x)
        return float(gaussian_kl(mu, logvar).mean()), float(distortion.mean())


def sweep_rows(models: Mapping[float, Any], x: Tensor, seed: int = 0) -> list[dict[str, float]]:
    """One row per model of a beta sweep, {beta: VAE}: beta, rate, distortion, -ELBO (nats) and active units."""
    if not isinstance(models, Mapping) or not models:
        raise TypeError(f"expected models as a non-empty dict {{beta: VAE}}; got {type(models).__name__}")
    rows = []
    for beta, model in models.items():
        rate, distortion = rate_distortion(model, x, seed)
        rows.append({"beta": float(beta), "rate": rate, "distortion": distortion,
                     "negative elbo": rate + distortion, "active units": active_units(model, x)})
    return rows
