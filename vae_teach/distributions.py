"""The distributions a VAE is built from, each written once.

The prior and the posterior are diagonal Gaussians over codes ``z`` (N, D); the
likelihood p(x|z) is a distribution over the 784 pixels of an image. Every
function returns per-example values of shape (N,), in nats, unless it says
otherwise. The pixel likelihoods (:class:`Bernoulli`, :class:`Gaussian`, :class:`LearnedGaussian`,
:class:`ContinuousBernoulli`) are the pluggable piece of a model: a decoder outputs raw
numbers, the likelihood turns them into log p(x|z) and into the image shown.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

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


def free_bits_kl(mu: Tensor, logvar: Tensor, nats_per_dim: float) -> Tensor:
    """The KL term with free bits (Kingma et al. 2016), per dimension: (N,), nats.

    mu, logvar: (N, D). A dimension whose KL, averaged over the batch, is below
    nats_per_dim is charged nats_per_dim instead, a constant with no gradient: the
    optimiser gains nothing by pushing it lower. The mean over the batch of the result
    is sum over k of max(nats_per_dim, mean over n of KL_nk).
    """
    kl = gaussian_kl_per_dim(mu, logvar)
    below = kl.mean(dim=0, keepdim=True) < nats_per_dim
    return torch.where(below, torch.full_like(kl, float(nats_per_dim)), kl).sum(dim=-1)


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


class LearnedGaussian(nn.Module):
    """p(x|z) = N(out, sigma^2 I) with ONE sigma for all pixels, learned with the model.

    This is the sigma-VAE of Rybkin et al. (2021) with a single trained parameter
    ``log_sigma`` (not their per-batch analytic optimum). initial_sigma: its start value.
    Being an ``nn.Module``, it is saved with the model's weights and trained by ``fit``.
    """

    name = "learned_gaussian"

    def __init__(self, initial_sigma: float = 0.1) -> None:
        super().__init__()
        sigma = check_real(initial_sigma, "gaussian_sigma", allow_minimum=False)
        self.log_sigma = nn.Parameter(torch.tensor(math.log(sigma)))

    @property
    def sigma(self) -> float:
        """The current standard deviation, in pixel units."""
        return float(self.log_sigma.detach().exp())

    def log_prob(self, out: Tensor, x: Tensor) -> Tensor:
        """log N(x; out, sigma^2 I) summed over pixels; out, x: (N, ...). Returns (N,), nats."""
        log_sigma = self.log_sigma.clamp(min=-6.0)  # sigma >= 0.0025: a perfect fit cannot run off to -inf
        sq = (x.flatten(1) - out.flatten(1)).pow(2).sum(dim=1)
        return -0.5 * sq * torch.exp(-2.0 * log_sigma) - x[0].numel() * (log_sigma + 0.5 * LOG_2PI)

    def mean(self, out: Tensor) -> Tensor:
        """The image shown: the mean pixels, clamped to [0, 1]."""
        return out.clamp(0.0, 1.0)

    def output_bias(self, mean_image: Tensor) -> Tensor:
        """The output bias that decodes to mean_image: the pixels themselves."""
        return mean_image


#: Below this |logit| the continuous Bernoulli's formulas divide 0 by 0: a Taylor series takes over.
_CB_TAYLOR = 0.1


def continuous_bernoulli_log_normalizer(logits: Tensor) -> Tensor:
    """log C(lambda), lambda = sigmoid(logits), elementwise: the term that makes the continuous
    Bernoulli (Loaiza-Ganem & Cunningham 2019) a density on [0, 1].

    C(lambda) = 2 artanh(1 - 2 lambda) / (1 - 2 lambda), which in logits l is l / tanh(l / 2)
    (2 at l = 0, i.e. lambda = 0.5). Near l = 0 both forms are 0 / 0, so a Taylor series
    log 2 + l^2 / 12 - 7 l^4 / 1440 is used for |l| < 0.1 (its error there is below 1e-9).
    Same shape as logits, nats.
    """
    a = logits.abs()
    safe = torch.where(a < _CB_TAYLOR, torch.ones_like(a), a)
    exact = torch.log(safe) - torch.log(torch.tanh(0.5 * safe))
    series = math.log(2.0) + a.pow(2) / 12.0 - 7.0 * a.pow(4) / 1440.0
    return torch.where(a < _CB_TAYLOR, series, exact)


def continuous_bernoulli_mean(logits: Tensor) -> Tensor:
    """E[x] under the continuous Bernoulli, elementwise: 1 / (1 - exp(-l)) - 1 / l (0.5 at l = 0)."""
    small = logits.abs() < _CB_TAYLOR
    safe = torch.where(small, torch.ones_like(logits), logits)
    exact = -1.0 / torch.expm1(-safe) - 1.0 / safe
    series = 0.5 + logits / 12.0 - logits.pow(3) / 720.0
    return torch.where(small, series, exact)


class ContinuousBernoulli:
    """p(x|z) = prod over pixels of CB(x; sigmoid(out)), a density on [0, 1] (Loaiza-Ganem & Cunningham 2019).

    log p = x log lambda + (1 - x) log(1 - lambda) + log C(lambda): the Bernoulli formula the
    usual VAE applies to grey pixels, plus the normaliser that formula lacks. The image
    shown is the distribution's mean, which is not lambda.
    """

    name = "continuous_bernoulli"

    def log_prob(self, out: Tensor, x: Tensor) -> Tensor:
        """log p(x|z) for decoder logits out and images x, both (N, ...). Returns (N,), nats."""
        return _bernoulli_log_prob(out, x) + continuous_bernoulli_log_normalizer(out.flatten(1)).sum(dim=1)

    def mean(self, out: Tensor) -> Tensor:
        """The image shown: the mean of each pixel's continuous Bernoulli, in [0, 1]."""
        return continuous_bernoulli_mean(out)

    def output_bias(self, mean_image: Tensor) -> Tensor:
        """A bias near the mean image: its log-odds (the CB mean is pulled towards 0.5 from there)."""
        return torch.logit(mean_image.clamp(1e-3, 1.0 - 1e-3))


PixelLikelihood = Bernoulli | Gaussian | LearnedGaussian | ContinuousBernoulli

LIKELIHOODS = ("bernoulli", "gaussian", "learned_gaussian", "continuous_bernoulli")


def pixel_likelihood(name: str, gaussian_sigma: float = 0.1) -> PixelLikelihood:
    """The pixel likelihood called ``name`` (one of ``LIKELIHOODS``).

    gaussian_sigma: the fixed sigma of "gaussian", the initial sigma of "learned_gaussian".
    """
    if name == "bernoulli":
        return Bernoulli()
    if name == "gaussian":
        return Gaussian(gaussian_sigma)
    if name == "learned_gaussian":
        return LearnedGaussian(gaussian_sigma)
    if name == "continuous_bernoulli":
        return ContinuousBernoulli()
    raise ValueError(f"expected likelihood to be one of {LIKELIHOODS}; got {name!r}")
