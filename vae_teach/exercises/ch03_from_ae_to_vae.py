"""Exercise checks for chapter 3 (from autoencoder to VAE).

Each check prints a pass or one hint naming the mistake and returns a bool (see ``exercises``).
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor

from ..analysis.estimators import monte_carlo_kl
from ..distributions import gaussian_kl, gaussian_kl_per_dim, reparameterize
from ._checking import Hint, call, checker, compare

__all__ = ["check_gaussian_kl", "check_reparameterize", "check_monte_carlo_kl"]


def _mu_logvar(n: int = 8, d: int = 4, seed: int = 0) -> tuple[Tensor, Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g), 0.8 * torch.randn(n, d, generator=g)


@checker("Gaussian KL", own=(gaussian_kl, gaussian_kl_per_dim))
def check_gaussian_kl(fn: Callable[[Tensor, Tensor], Tensor]) -> str:
    """Exercise ex-ch3-kl: ``fn(mu, logvar)`` -> KL(N(mu, exp(logvar)) || N(0, I)) per example, (N,).

    The general probe (8 examples, 4 dimensions, random mu and logvar) comes first: its named
    mistakes (matched before any generic shape, NaN or offset hint) are the most specific hints;
    the special case q = prior (KL 0) only after it.
    """
    mu, logvar = _mu_logvar()
    n, d = mu.shape
    got = call(fn, mu, logvar)
    expected = gaussian_kl(mu, logvar)
    per_example = "sum over the latent dimensions only (dim=1), one KL per example"
    as_variance = 0.5 * (mu.pow(2) + logvar - 1 - torch.log(logvar)).sum(1)  # NaN where logvar < 0, as theirs
    compare(got, expected, what="your KL", mistakes={
        "you averaged over the latent dimensions; the KL of independent dimensions is their sum":
            expected / d,
        "your formula treats logvar as the standard deviation; sigma^2 = exp(logvar)":
            0.5 * (mu.pow(2) + logvar.pow(2) - 1 - torch.log(logvar.pow(2))).sum(1),
        "your formula treats logvar as the variance; the variance is exp(logvar), and "
        "log(variance) is logvar itself": as_variance,
        "you used exp(logvar / 2), the standard deviation, where the variance exp(logvar) belongs":
            0.5 * (mu.pow(2) + (0.5 * logvar).exp() - 1 - logvar).sum(1),
        "you used mu where mu^2 belongs (mu.pow(2))": 0.5 * (mu + logvar.exp() - 1 - logvar).sum(1),
        f"you averaged the KL over the examples into one number; {per_example}": expected.mean(),
        f"your KL has one value per latent dimension (shape (N, D)); {per_example}":
            0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar),
        f"you summed over the examples (dim=0); {per_example}":
            0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(0),
    }, shapes={(): f"one number for the whole batch; {per_example}",
               (n, d): f"your KL has one value per latent dimension (shape (N, D)); {per_example}",
               (d,): f"you summed over the examples (dim=0); {per_example}"},
        terms={"the mu^2 term": 0.5 * mu.pow(2).sum(1), "the exp(logvar) term": 0.5 * logvar.exp().sum(1),
               "the -1 term": -0.5 * d * torch.ones(n), "the -logvar term": -0.5 * logvar.sum(1)},
        factor_hints={2.0: "your KL is twice the right value: the closed form has a factor 1/2 in front",
                      -2.0: "your KL is -2 times the right value: the -1/2 in front of "
                            "sum(1 + logvar - mu^2 - exp(logvar)) is missing"})
    zero = call(fn, torch.zeros(2, 4), torch.zeros(2, 4))
    compare(zero, torch.zeros(2), what="your KL at mu=0, logvar=0 (q equals the prior, so KL must be 0)",
            terms={"the -1 term": -2.0 * torch.ones(2)})
    return "zero when q is the prior, positive otherwise, summed over the latent dimensions"


@checker("reparameterization", own=(reparameterize,))
def check_reparameterize(fn: Callable[[Tensor, Tensor], Tensor]) -> str:
    """Exercise ex-ch3-reparam: ``fn(mu, logvar)`` -> z ~ N(mu, exp(logvar)), differentiable in mu and logvar."""
    n = 20_000
    mu = torch.tensor([2.0, -1.0]).expand(n, 2).clone()
    logvar = torch.tensor([math.log(4.0), math.log(0.25)]).expand(n, 2).clone()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        try:
            z = call(fn, mu, logvar)
        except Hint as hint:
            if "must match" not in str(hint):
                raise
            raise Hint(f"{hint}. The noise eps needs the shape of mu, one number per example and "
                       "dimension: eps = torch.randn_like(mu)") from None
    if not isinstance(z, Tensor):
        raise Hint(f"your function returned {type(z).__name__}; expected a tensor z shaped like mu")
    if z.shape != mu.shape:
        raise Hint(f"your z has shape {tuple(z.shape)}; expected the shape of mu, {tuple(mu.shape)}")
    z = z.detach()
    if not torch.isfinite(z).all():
        raise Hint("your z holds NaN: a square root or log of logvar, which is negative for a "
                   "variance below 1? The standard deviation is exp(0.5 * logvar)")
    mean, std = z.mean(dim=0), z.std(dim=0)
    true_std, variance = torch.tensor([2.0, 0.5]), torch.tensor([4.0, 0.25])
    if std.max() < 1e-6:
        if not torch.allclose(z, mu):
            raise Hint("every row of your z got the same noise: draw eps with the shape of mu, "
                       "torch.randn_like(mu), one number per example and dimension")
        raise Hint("your z is not random: add noise eps ~ N(0, I) (torch.randn_like(mu)) scaled by the std")
    if torch.allclose(std, variance, rtol=0.05):
        raise Hint("the spread of your z is exp(logvar), the variance; the standard deviation is exp(0.5 * logvar)")
    if torch.allclose(std, 0.5 * variance, rtol=0.05):
        raise Hint("0.5 * exp(logvar) is half the variance; the standard deviation is "
                   "exp(0.5 * logvar): the 1/2 goes inside the exp")
    if torch.allclose(std, logvar[0].abs(), rtol=0.05):
        raise Hint("you scaled eps by logvar itself; the standard deviation is exp(0.5 * logvar)")
    if torch.allclose(std, 0.5 * logvar[0].abs(), rtol=0.05):
        raise Hint("you scaled eps by logvar / 2 without the exp; the standard deviation is "
                   "exp(0.5 * logvar)")
    if torch.allclose(std, true_std / 12 ** 0.5, rtol=0.05):
        raise Hint("your noise is uniform on [0, 1] (torch.rand_like); eps ~ N(0, I) is torch.randn_like(mu)")
    if not torch.allclose(std, true_std, rtol=0.05):
        raise Hint(f"the spread of your z is {[round(v, 3) for v in std.tolist()]} per dimension; "
                   f"expected the standard deviations {true_std.tolist()} = exp(0.5 * logvar)")
    if torch.allclose(mean, torch.zeros(2), atol=0.1):
        raise Hint("your z is centred on 0, not on mu: z = mu + std * eps")
    if not torch.allclose(mean, mu[0], atol=0.1):
        raise Hint(f"the mean of your z is {[round(v, 3) for v in mean.tolist()]}; expected mu = "
                   f"{mu[0].tolist()}: z = mu + std * eps")
    mu_leaf, logvar_leaf = mu[:4].clone().requires_grad_(True), logvar[:4].clone().requires_grad_(True)
    with torch.random.fork_rng(devices=[]):  # the student's random numbers leave theirs alone
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


@checker("Monte Carlo KL", own=(monte_carlo_kl,))
def check_monte_carlo_kl(fn: Callable[[Tensor, Tensor, int], Tensor]) -> str:
    """Exercise ex-ch3-mc-kl: ``fn(mu, logvar, n_samples)`` -> a sampled estimate of the KL, one number per example."""
    mu, logvar = _mu_logvar(n=3, d=2, seed=1)
    n_samples = 20_000
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        try:
            got = call(fn, mu, logvar, n_samples)
        except Hint as hint:
            if "must match" not in str(hint):
                raise
            raise Hint(f"{hint}. Draw one eps per sample, example and dimension: "
                       "torch.randn(n_samples, *mu.shape), shape (n_samples, N, D)") from None
    expected = gaussian_kl(mu, logvar)
    n, d = mu.shape
    var = logvar.exp()
    prior_sampled = -0.5 * (logvar + (1 + mu.pow(2)) / var - 1).sum(1)  # E_p[log q - log p] = -KL(p || q)
    got = compare(got, expected, what="your estimate", atol=0.15, rtol=0.03, mistakes={
        "your estimate averages over the latent dimensions; sum the log densities over them": expected / d,
        "you summed over the samples; average them (dim=0), whatever n_samples is": expected * n_samples,
        "you drew z from the prior N(0, I); the KL is an average under q: z = mu + std * eps":
            prior_sampled,
    }, shapes={(n_samples, n): "one value per sample; average over the samples (dim=0)",
               (n_samples, n, d): "one value per sample and latent dimension: sum the log densities "
                                  "over the dimensions, then average over the samples",
               (n, d): "one value per latent dimension: sum the log densities over the "
                       "dimensions (dim=-1)",
               (): "one number for the whole batch; expected one estimate per example: average "
                   "over the samples (dim=0) only"})
    with torch.random.fork_rng(devices=[]):
        one, other = call(fn, mu, logvar, 1), call(fn, mu, logvar, 1)
    if isinstance(one, Tensor) and torch.allclose(one, other) and not torch.allclose(one, expected, atol=1e-4):
        raise Hint("two calls with one sample gave the same value: draw fresh z ~ q each call")
    return "the sampled KL agrees with the closed form within Monte Carlo error"
