"""The distributions a VAE is built from, each written once.

The prior and the posterior are diagonal Gaussians over codes ``z`` (N, D); the
likelihood p(x|z) is a distribution over the 784 pixels of an image. Every
function returns per-example values of shape (N,), in nats, unless it says
otherwise. The pixel likelihoods (:class:`Bernoulli`, :class:`Gaussian`) are the
pluggable piece of a model: a decoder outputs raw numbers, the likelihood turns
them into log p(x|z) and into the image shown.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from ._validate import check_real, describe

LOG_2PI = math.log(2.0 * math.pi)


def reparameterize(mu: Tensor, logvar: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """z = mu + exp(logvar / 2) * eps, eps ~ N(0, I): mu, logvar (..., D) -> z (..., D), differentiable in both.

    mu, logvar: (..., D). Returns a tensor of the same shape.
    """
    eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype,
                      device=generator.device if generator is not None else mu.device)
    return mu + torch.exp(0.5 * logvar) * eps.to(mu.device)


def gaussian_kl_per_dim(mu: Tensor, logvar: Tensor) -> Tensor:
    """KL(N(mu_k, exp(logvar_k)) || N(0, 1)) for every coordinate k: same shape as mu, nats."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) for each example: mu, logvar (N, D) -> (N,), nats."""
    return gaussian_kl_per_dim(mu, logvar).sum(dim=-1)


def log_normal_diag(z: Tensor, mu: Tensor, logvar: Tensor) -> Tensor:
    """log N(z; mu, diag exp(logvar)), summed over the last dimension. Shapes broadcast; returns (...)."""
    return -0.5 * (LOG_2PI + logvar + (z - mu).pow(2) / logvar.exp()).sum(dim=-1)


def log_standard_normal(z: Tensor) -> Tensor:
    """log N(z; 0, I), summed over the last dimension: (..., D) -> (...)."""
    return -0.5 * (LOG_2PI + z.pow(2)).sum(dim=-1)


def _check_pair(out: Tensor, x: Tensor, out_name: str) -> None:
    """Decoder outputs and images as tensors with the same number of elements per example."""
    if not isinstance(out, Tensor) or not isinstance(x, Tensor):
        raise TypeError(f"expected {out_name} and x as tensors; got {type(out).__name__} and {type(x).__name__}")
    if out.dim() == 0 or x.dim() == 0 or out.flatten(1).shape != x.flatten(1).shape:
        raise ValueError(f"expected {out_name} and x with the same shape per example; got {out_name} "
                         f"{tuple(out.shape)} and x {tuple(x.shape)}")


def _bernoulli_log_prob(logits: Tensor, x: Tensor) -> Tensor:
    # The unchecked core, for the models' training steps (their inputs were checked once, at fit).
    bce = F.binary_cross_entropy_with_logits(logits.flatten(1), x.flatten(1), reduction="none")
    return -bce.sum(dim=1)


def bernoulli_log_likelihood(logits: Tensor, x: Tensor) -> Tensor:
    """log p(x|z) = sum over pixels of x log p + (1 - x) log(1 - p), p = sigmoid(logits).

    logits, x: (N, ...) with the same number of elements per example. Returns (N,), nats.
    Computed from logits (stable for large |logits|); x may be grey levels in [0, 1]
    (anything else, e.g. 0-255 pixels, is refused: the formula is no log-likelihood there).
    """
    _check_pair(logits, x, "logits")
    if x.numel() and not bool(((x >= 0) & (x <= 1)).all()):
        raise ValueError(f"expected x as pixel values in [0, 1] (Bernoulli means); got {describe(x)}")
    return _bernoulli_log_prob(logits, x)


def gaussian_log_likelihood(mean: Tensor, x: Tensor, sigma: float) -> Tensor:
    """log N(x; mean, sigma^2 I) summed over pixels. mean, x: (N, ...). Returns (N,), nats.

    sigma: the fixed standard deviation, a finite number > 0.
    """
    _check_pair(mean, x, "mean")
    return _gaussian_log_prob(mean, x, check_real(sigma, "sigma", allow_minimum=False))


def _gaussian_log_prob(mean: Tensor, x: Tensor, sigma: float) -> Tensor:
    sq = (x.flatten(1) - mean.flatten(1)).pow(2).sum(dim=1)
    n_pixels = x[0].numel()
    return -0.5 * sq / sigma**2 - n_pixels * (math.log(sigma) + 0.5 * LOG_2PI)


def squared_error(x_hat: Tensor, x: Tensor) -> Tensor:
    """Sum of squared pixel differences per example. x_hat, x: (N, ...). Returns (N,)."""
    return (x_hat.flatten(1) - x.flatten(1)).pow(2).sum(dim=1)


class Bernoulli:
    """p(x|z) = prod over pixels of Bernoulli(sigmoid(out)): the decoder outputs logits."""

    name = "bernoulli"

    def log_prob(self, out: Tensor, x: Tensor) -> Tensor:
        """log p(x|z) for decoder outputs out and images x, both (N, ...). Returns (N,), nats."""
        return _bernoulli_log_prob(out, x)

    def mean(self, out: Tensor) -> Tensor:
        """The image shown for decoder outputs out: pixel probabilities sigmoid(out), in [0, 1]."""
        return torch.sigmoid(out)

    def output_bias(self, mean_image: Tensor) -> Tensor:
        """The output bias that decodes to mean_image (pixels in [0, 1]): its log-odds."""
        return torch.logit(mean_image.clamp(1e-3, 1.0 - 1e-3))


class Gaussian:
    """p(x|z) = N(out, sigma^2 I) with a fixed sigma: the decoder outputs pixel means."""

    name = "gaussian"

    def __init__(self, sigma: float) -> None:
        self.sigma = check_real(sigma, "gaussian_sigma", allow_minimum=False)

    def log_prob(self, out: Tensor, x: Tensor) -> Tensor:
        """log N(x; out, sigma^2 I) summed over pixels; out, x: (N, ...). Returns (N,), nats."""
        return _gaussian_log_prob(out, x, self.sigma)

    def mean(self, out: Tensor) -> Tensor:
        """The image shown: the mean pixels, clamped to [0, 1]."""
        return out.clamp(0.0, 1.0)

    def output_bias(self, mean_image: Tensor) -> Tensor:
        """The output bias that decodes to mean_image: the pixels themselves."""
        return mean_image


LIKELIHOODS = ("bernoulli", "gaussian")


def pixel_likelihood(name: str, gaussian_sigma: float = 0.1) -> Bernoulli | Gaussian:
    """The pixel likelihood called ``name`` ("bernoulli" or "gaussian", the latter with gaussian_sigma)."""
    if name == "bernoulli":
        return Bernoulli()
    if name == "gaussian":
        return Gaussian(gaussian_sigma)
    raise ValueError(f"expected likelihood to be one of {LIKELIHOODS}; got {name!r}")
