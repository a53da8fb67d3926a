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
    mistakes are the most specific hints; the special case q = prior (KL 0) only after it.
    """
    mu, logvar = _mu_logvar()
    got = call(fn, mu, logvar)
    if isinstance(got, Tensor) and got.shape == mu.shape:
        raise Hint("your KL has one value per latent dimension (shape (N, D)); sum over dim=1 to get one per example")
    if isinstance(got, Tensor) and got.shape == mu.shape[1:]:
        raise Hint("you summed over the examples (dim=0); sum over the latent dimensions (dim=1) instead, "
                   "to get one KL per example")
    expected = gaussian_kl(mu, logvar)
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


@checker("Monte Carlo KL", own=(monte_carlo_kl,))
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
