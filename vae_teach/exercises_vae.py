"""Exercise checks for chapters 3 and 4 (from autoencoder to VAE; training a VAE).

Each check prints a pass or one hint naming the mistake and returns a bool (see ``exercises``).
"""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from .exercises import Hint, call, checker, compare
from .losses import gaussian_kl

__all__ = ["check_gaussian_kl", "check_reparameterize", "check_monte_carlo_kl",
           "check_negative_elbo", "check_sample_prior", "check_quantile_axis"]


def _mu_logvar(n: int = 8, d: int = 4, seed: int = 0) -> tuple[Tensor, Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g), 0.8 * torch.randn(n, d, generator=g)


# ---------------------------------------------------------------- chapter 3


@checker("Gaussian KL")
def check_gaussian_kl(fn: Callable[[Tensor, Tensor], Tensor]) -> str:
    """Exercise ex-ch3-kl: ``fn(mu, logvar)`` -> KL(N(mu, exp(logvar)) || N(0, I)) per example, (N,)."""
    mu, logvar = _mu_logvar()
    zero = call(fn, torch.zeros(2, 4), torch.zeros(2, 4))
    if isinstance(zero, Tensor) and zero.shape == (2, 4):
        raise Hint("your KL has one value per latent dimension (shape (N, D)); sum over dim=1 to get one per example")
    got = call(fn, mu, logvar)
    if isinstance(got, Tensor) and got.shape == mu.shape:
        raise Hint("your KL has one value per latent dimension (shape (N, D)); sum over dim=1 to get one per example")
    expected = gaussian_kl(mu, logvar)
    compare(zero, torch.zeros(2), what="your KL at mu=0, logvar=0 (q equals the prior, so KL must be 0)",
            terms={"the -1 term": -2.0 * torch.ones(2)})
    compare(got, expected, what="your KL", mistakes={
        "you averaged over the latent dimensions; the KL of independent dimensions is their sum":
            expected / mu.shape[1],
        "your formula treats logvar as the standard deviation; sigma^2 = exp(logvar)":
            0.5 * (mu.pow(2) + logvar.pow(2) - 1 - torch.log(logvar.pow(2))).sum(1),
        "you used exp(logvar / 2), the standard deviation, where the variance exp(logvar) belongs":
            0.5 * (mu.pow(2) + (0.5 * logvar).exp() - 1 - logvar).sum(1),
    }, terms={"the mu^2 term": 0.5 * mu.pow(2).sum(1), "the exp(logvar) term": 0.5 * logvar.exp().sum(1),
              "the -1 term": -0.5 * mu.shape[1] * torch.ones(mu.shape[0]),
              "the -logvar term": -0.5 * logvar.sum(1)},
        factor_hints={2.0: "your KL is twice the right value: the closed form has a factor 1/2 in front"})
    return "zero when q is the prior, positive otherwise, summed over the latent dimensions"


@checker("reparameterization")
def check_reparameterize(fn: Callable[[Tensor, Tensor], Tensor]) -> str:
    """Exercise ex-ch3-reparam: ``fn(mu, logvar)`` -> z ~ N(mu, exp(logvar)), differentiable in mu and logvar."""
    n = 20_000
    mu = torch.tensor([2.0, -1.0]).expand(n, 2).clone()
    logvar = torch.tensor([math.log(4.0), math.log(0.25)]).expand(n, 2).clone()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        z = call(fn, mu, logvar)
    if not isinstance(z, Tensor):
        raise Hint(f"your function returned {type(z).__name__}; expected a tensor z shaped like mu")
    if z.shape != mu.shape:
        raise Hint(f"your z has shape {tuple(z.shape)}; expected the shape of mu, {tuple(mu.shape)}")
    if z.detach().std(dim=0).max() < 1e-6:
        raise Hint("your z is not random: add noise eps ~ N(0, I) (torch.randn_like(mu)) scaled by the std")
    mean, std = z.detach().mean(dim=0), z.detach().std(dim=0)
    true_std = torch.tensor([2.0, 0.5])
    if torch.allclose(std, torch.tensor([4.0, 0.25]), rtol=0.05):
        raise Hint("the spread of your z is exp(logvar), the variance; the standard deviation is exp(0.5 * logvar)")
    if torch.allclose(std, torch.tensor([math.log(4.0), math.log(0.25)]).abs(), rtol=0.05):
        raise Hint("you scaled eps by logvar itself; the standard deviation is exp(0.5 * logvar)")
    if not torch.allclose(std, true_std, rtol=0.05):
        raise Hint(f"the spread of your z is {std.tolist()} per dimension; expected the standard deviations "
                   f"{true_std.tolist()} = exp(0.5 * logvar)")
    if not torch.allclose(mean, mu[0], atol=0.1):
        raise Hint(f"the mean of your z is {mean.tolist()}; expected mu = {mu[0].tolist()}: z = mu + std * eps")
    mu_leaf, logvar_leaf = mu[:4].clone().requires_grad_(True), logvar[:4].clone().requires_grad_(True)
    z_small = call(fn, mu_leaf, logvar_leaf)
    if not z_small.requires_grad:
        raise Hint("no gradient reaches mu and logvar: your sample is cut from the graph (.sample(), "
                   ".detach() or torch.no_grad()); write z = mu + std * eps with eps = torch.randn_like(mu)")
    z_small.sum().backward()
    if mu_leaf.grad is None or not torch.allclose(mu_leaf.grad, torch.ones_like(mu_leaf)):
        raise Hint("dz/dmu should be 1: torch.normal(mu, std) samples without a gradient path; "
                   "write z = mu + std * eps with eps = torch.randn_like(mu)")
    if logvar_leaf.grad is None or logvar_leaf.grad.abs().max() == 0:
        raise Hint("no gradient reaches logvar: the noise must be scaled by exp(0.5 * logvar) inside the graph")
    return "the right distribution, and gradients flow to mu and logvar"


@checker("Monte Carlo KL")
def check_monte_carlo_kl(fn: Callable[[Tensor, Tensor, int], Tensor]) -> str:
    """Exercise ex-ch3-mc-kl: ``fn(mu, logvar, n_samples)`` -> a sampled estimate of the KL, one number per example."""
    mu, logvar = _mu_logvar(n=3, d=2, seed=1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        got = call(fn, mu, logvar, 20_000)
    expected = gaussian_kl(mu, logvar)
    got = compare(got, expected, what="your estimate", atol=0.15, rtol=0.03,
                  mistakes={"your estimate averages over the latent dimensions; sum the log densities over them":
                            expected / 2})
    one, other = call(fn, mu, logvar, 1), call(fn, mu, logvar, 1)
    if isinstance(one, Tensor) and torch.allclose(one, other) and not torch.allclose(one, expected, atol=1e-4):
        raise Hint("two calls with one sample gave the same value: draw fresh z ~ q each call")
    return "the sampled KL agrees with the closed form within Monte Carlo error"


# ---------------------------------------------------------------- chapter 4


def _elbo_batch(seed: int = 0) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    g = torch.Generator().manual_seed(seed)
    logits = 2.0 * torch.randn(5, 1, 28, 28, generator=g)
    x = torch.rand(5, 1, 28, 28, generator=g)
    mu, logvar = torch.randn(5, 3, generator=g), 0.5 * torch.randn(5, 3, generator=g)
    return logits, x, mu, logvar


@checker("negative ELBO")
def check_negative_elbo(fn: Callable[[Tensor, Tensor, Tensor, Tensor], Tensor]) -> str:
    """Exercise ex-ch4-loss: ``fn(logits, x, mu, logvar)`` -> the batch mean of -ELBO, a scalar in nats.

    -ELBO per example = (binary cross-entropy summed over pixels) + KL(q(z|x) || N(0, I)).
    """
    logits, x, mu, logvar = _elbo_batch()
    got = call(fn, logits, x, mu, logvar)
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    kl = gaussian_kl(mu, logvar)
    expected = (bce + kl).mean()
    n = logits.shape[0]
    compare(got, expected, what="your loss", mistakes={
        "your reconstruction term averages over the pixels; sum it over the 784 pixels of each image":
            F.binary_cross_entropy_with_logits(logits, x) + kl.mean(),
        "your loss sums over the batch; take the mean over examples so it reads in nats per example":
            (bce + kl).sum(),
        "you applied the sigmoid before binary_cross_entropy_with_logits; it takes raw logits":
            (F.binary_cross_entropy_with_logits(torch.sigmoid(logits), x, reduction="none")
             .flatten(1).sum(1) + kl).mean(),
        "your KL term is averaged over the latent dimensions; sum it over them":
            (bce + kl / mu.shape[1]).mean(),
        "the KL enters with weight 1/2 (counted the 1/2 twice?); -ELBO = recon + KL":
            (bce + 0.5 * kl).mean(),
    }, terms={"the KL term": kl.mean(), "the reconstruction term": bce.mean()},
        factor_hints={float(n): "your loss sums over the batch; take the mean over examples"})
    if got.dim() != 0:
        raise Hint("return one number (a 0-d tensor), the mean over the batch")
    return "recon summed over pixels, plus the KL, averaged over the batch"


class _RecordingModel:
    """Stands in for a trained model: records the codes it is asked to decode."""

    def __init__(self, latent_dim: int = 3) -> None:
        self.latent_dim = latent_dim
        self.likelihood = "bernoulli"
        self.codes: list[Tensor] = []
        self._w = torch.randn(latent_dim, 784, generator=torch.Generator().manual_seed(0))

    def _record(self, z: Tensor) -> Tensor:
        self.codes.append(z.detach().clone())
        if z.dim() != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"expected codes of shape (n, model.latent_dim) = (n, {self.latent_dim}); "
                             f"got {tuple(z.shape)}")
        return z @ self._w

    def decode_logits(self, z: Tensor) -> Tensor:
        return self._record(z).reshape(-1, 1, 28, 28)

    def decoder(self, z: Tensor) -> Tensor:
        return self._record(z)

    def decode(self, z: Tensor) -> Tensor:
        return torch.sigmoid(self._record(z)).reshape(-1, 1, 28, 28)


@checker("sampling from the prior")
def check_sample_prior(fn: Callable[[object, int], Tensor]) -> str:
    """Exercise ex-ch4-sample: ``fn(model, n)`` -> n images (n, 1, 28, 28) decoded from z ~ N(0, I)."""
    model = _RecordingModel()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        images = call(fn, model, 4000)
    if not model.codes:
        raise Hint("your function never decoded a code: call model.decode(z)")
    z = torch.cat([c.reshape(-1, c.shape[-1]) for c in model.codes])
    if z.shape[1] != model.latent_dim:
        raise Hint(f"your codes have {z.shape[1]} dimensions; the model's latent has model.latent_dim = "
                   f"{model.latent_dim}")
    if z.shape[0] != 4000:
        raise Hint(f"you decoded {z.shape[0]} codes; expected n = 4000")
    mean, std = z.mean(0), z.std(0)
    if torch.allclose(mean, torch.full_like(mean, 0.5), atol=0.05) and torch.allclose(std, torch.full_like(std, 0.289), atol=0.03):
        raise Hint("your codes are uniform on [0, 1] (torch.rand); the prior is N(0, I): use torch.randn")
    if not (mean.abs().max() < 0.1 and (std - 1).abs().max() < 0.1):
        raise Hint(f"your codes have mean {[round(v, 2) for v in mean.tolist()]} and std "
                   f"{[round(v, 2) for v in std.tolist()]}; the prior N(0, I) has mean 0 and std 1")
    if not isinstance(images, Tensor) or images.numel() != 4000 * 784:
        raise Hint("return the decoded images, a tensor of shape (n, 1, 28, 28)")
    if images.min() < 0 or images.max() > 1:
        raise Hint("your images leave [0, 1]: those are logits; return model.decode(z), which applies the sigmoid")
    if images.shape != (4000, 1, 28, 28):
        raise Hint(f"your images have shape {tuple(images.shape)}; expected (n, 1, 28, 28)")
    return "codes from N(0, I), decoded into images"


@checker("Normal-quantile grid")
def check_quantile_axis(fn: Callable[[int], Tensor]) -> str:
    """Exercise ex-ch4-quantiles: ``fn(n)`` -> (n,) positions z_i = Phi^-1((i + 0.5) / n) of the N(0, 1) quantiles."""
    n = 10
    got = call(fn, n)
    normal = torch.distributions.Normal(0.0, 1.0)
    expected = normal.icdf((torch.arange(n, dtype=torch.float32) + 0.5) / n)
    if isinstance(got, Tensor) and got.shape == (n,) and not torch.isfinite(got).all():
        raise Hint("your grid has infinite ends: the quantiles of 0 and 1 are -inf and +inf; "
                   "use the cell centres (i + 0.5) / n")
    if isinstance(got, Tensor) and got.shape == (n,) and got.is_floating_point():
        steps = got.diff()
        if torch.allclose(steps, steps.mean().expand(n - 1), rtol=1e-3) and steps.mean() > 0:
            raise Hint("your grid is evenly spaced in z; space it evenly in probability: "
                       "Normal quantiles Phi^-1((i + 0.5) / n) (torch.distributions.Normal(0, 1).icdf)")
    compare(got, expected, what="your grid", atol=1e-4, mistakes={
        "use the cell centres (i + 0.5) / n, not (i + 1) / (n + 1)":
            normal.icdf((torch.arange(n, dtype=torch.float32) + 1) / (n + 1)),
    })
    return "equal prior mass between neighbours: dense near 0, sparse in the tails"
