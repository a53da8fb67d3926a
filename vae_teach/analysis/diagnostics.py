"""One row of measurements per trained VAE: the columns of chapter 7's tables.

Every number is computed with the *correct* objective, whatever loss trained the model
(a bug, a beta, free bits): the ELBO by ``objectives.elbo``, the rate as the mean
KL(q(z|x) || p(z)), the distortion as the squared error of the reconstructions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from .._validate import check_images, check_positive_int, check_seed
from ..distributions import gaussian_kl, reparameterize
from ..objectives import elbo
from .classifier import judge_digits
from .latent_usage import active_units


def prior_samples(model: Any, n: int, seed: int = 0) -> Tensor:
    """Decoder means of n codes z ~ N(0, I): (n, 1, 28, 28) images in [0, 1]."""
    check_positive_int(n, "n")
    z = torch.randn(n, model.latent_dim, generator=torch.Generator().manual_seed(check_seed(seed)))
    with torch.no_grad():
        return model.decode(z).cpu()


def vae_report(model: Any, x: Tensor, judge: Any, n_samples: int = 500, seed: int = 0) -> dict[str, float]:
    """Measurements of a VAE on test images x (N, 1, 28, 28), each a float:

    ``test ELBO`` (nats per image, one sample of z per image), ``KL`` (the rate: mean
    KL(q(z|x) || p(z)), nats), ``squared error`` (the distortion: sum over pixels of
    (x - decode(mu))^2, mean per image), ``active units`` (Burda et al.'s count),
    ``digit-like`` (share of n_samples prior samples the digit classifier ``judge``
    reads with probability >= 0.9) and ``top class`` (the share of those samples given
    the most frequent digit: 0.1 when the ten classes are even, 1.0 when all look alike).
    """
    x = check_images(x)
    with torch.no_grad():
        mu, logvar = model.encode(x)
        rate = float(gaussian_kl(mu, logvar).mean())
        distortion = float((model.decode(mu).cpu() - x).pow(2).flatten(1).sum(1).mean())
    verdict = judge_digits(judge, prior_samples(model, n_samples, seed))
    return {"test ELBO": elbo(model, x, seed=seed), "KL": rate, "squared error": distortion,
            "active units": float(active_units(model, x)), "digit-like": verdict["digit_like"],
            "top class": float(np.max(verdict["classes"]) / n_samples)}


def sampled_reconstructions(model: Any, x: Tensor, judge: Any, y: Tensor, seed: int = 0) -> dict[str, float]:
    """What sampling at evaluation does to a Bernoulli VAE's reconstructions of x (N, 1, 28, 28), labels y (N,).

    Returns the digit classifier's accuracy on three reconstructions: ``mean`` (decode(mu),
    the right one), ``sampled z`` (decode(z), z ~ q(z|x)) and ``sampled pixels`` (one draw
    of p(x|z) for z = mu: salt and pepper); and ``changes between calls``, the mean
    absolute pixel difference between two sampled-z reconstructions (0 for the mean).
    """
    x = check_images(x)
    g = torch.Generator().manual_seed(check_seed(seed))
    with torch.no_grad():
        mu, logvar = model.encode(x)
        mean = model.decode(mu).cpu()
        first = model.decode(reparameterize(mu.cpu(), logvar.cpu(), generator=g)).cpu()
        second = model.decode(reparameterize(mu.cpu(), logvar.cpu(), generator=g)).cpu()
        pixels = torch.bernoulli(mean, generator=g)

    def accuracy(images: Tensor) -> float:
        return float((judge.predict(images) == y.cpu()).float().mean())

    return {"mean": accuracy(mean), "sampled z": accuracy(first), "sampled pixels": accuracy(pixels),
            "changes between calls": float((first - second).abs().mean())}
