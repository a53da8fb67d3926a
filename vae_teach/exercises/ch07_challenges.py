"""Exercise checks for chapter 7 (challenges): fix a buggy VAE loss, write free bits.

Each check prints a pass or one hint naming the mistake and returns a bool (see ``_checking``).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from ..distributions import free_bits_kl, gaussian_kl_per_dim
from ..models.mlp import VAE
from ._checking import Hint, call, checker, compare

__all__ = ["check_fixed_loss", "check_free_bits", "BUGGY_LOSS_BUGS"]

#: The four bugs of the exercise's buggy loss, by what the hint says about each.
BUGGY_LOSS_BUGS = {
    "std": "z uses logvar as the standard deviation (it is exp(0.5 * logvar))",
    "sigmoid": "the sigmoid is applied before binary_cross_entropy_with_logits (a double sigmoid)",
    "pixels": "the reconstruction term is averaged over the pixels (sum it over them)",
    "batch": "the KL term is summed over the batch while the reconstruction is averaged",
}


def negative_elbo_with(vae: Any, x: Tensor, eps: Tensor, bugs: frozenset[str] = frozenset()) -> Tensor:
    """The batch loss of the exercise's loss function with the named bugs left in (none: -ELBO, batch mean).

    vae: a Bernoulli VAE; x: (N, 1, 28, 28); eps: (N, D) the noise of the reparameterization.
    Returns a 0-d tensor, nats per example (when no bug is left).
    """
    mu, logvar = vae.encode(x)
    std = logvar if "std" in bugs else torch.exp(0.5 * logvar)
    logits = vae.decode_logits(mu + std * eps).flatten(1)
    if "sigmoid" in bugs:
        logits = torch.sigmoid(logits)
    bce = F.binary_cross_entropy_with_logits(logits, x.flatten(1), reduction="none")
    recon = bce.mean(1) if "pixels" in bugs else bce.sum(1)
    kl = gaussian_kl_per_dim(mu, logvar).sum(1)
    return recon.mean() + (kl.sum() if "batch" in bugs else kl.mean())


def _exercise_vae() -> tuple[VAE, Tensor, Tensor]:
    vae = VAE(latent_dim=4, hidden_dims=(32,), seed=0)
    g = torch.Generator().manual_seed(1)
    x = torch.rand(6, 1, 28, 28, generator=g)
    with torch.no_grad():  # a trained-looking encoder: logvar well below 0, so std and logvar differ
        vae.logvar_head.bias.fill_(-2.0)
    return vae, x, torch.randn(6, 4, generator=g)


@checker("fix the buggy loss")
def check_fixed_loss(fn: Callable[[Any, Tensor, Tensor], Tensor]) -> str:
    """Exercise ex-ch7-bugs: ``fn(vae, x, eps)`` -> the batch mean of -ELBO (a 0-d tensor, nats),
    with z = mu + exp(0.5 * logvar) * eps. The hint names every bug still in the answer."""
    vae, x, eps = _exercise_vae()
    with torch.no_grad():
        got = call(fn, vae, x, eps)
        expected = negative_elbo_with(vae, x, eps)
        mistakes = {}
        for k in range(len(BUGGY_LOSS_BUGS), 0, -1):
            for left in combinations(BUGGY_LOSS_BUGS, k):
                named = "; ".join(BUGGY_LOSS_BUGS[b] for b in left)
                count = "one bug is" if k == 1 else f"{k} bugs are"
                mistakes[f"{count} still in: {named}"] = negative_elbo_with(vae, x, eps, frozenset(left))
    if isinstance(got, Tensor) and got.dim() != 0 and got.shape == (x.shape[0],):
        raise Hint("you return one loss per example; return their mean over the batch, one number")
    compare(got, expected, what="your loss", atol=1e-3, mistakes=mistakes)
    return "the ELBO's terms, each summed over its dimensions and averaged over the batch"


@checker("free bits", own=(free_bits_kl,))
def check_free_bits(fn: Callable[[Tensor, Tensor, float], Tensor]) -> str:
    """Exercise ex-ch7-free-bits: ``fn(mu, logvar, nats)`` -> the batch's KL term under free bits,
    sum over dimensions k of max(nats, mean over the batch of KL_k): a 0-d tensor, nats."""
    g = torch.Generator().manual_seed(0)
    scales = torch.tensor([2.0, 1.0, 0.3, 0.05, 0.0])  # from a used dimension to a collapsed one
    mu = (torch.randn(8, 5, generator=g) * scales).requires_grad_()
    logvar = (0.1 * torch.randn(8, 5, generator=g) * scales).requires_grad_()
    nats = 0.25
    got = call(fn, mu, logvar, nats)
    per_dim = gaussian_kl_per_dim(mu, logvar).detach()
    expected = per_dim.mean(0).clamp(min=nats).sum()
    compare(got, expected, what="your KL term", atol=1e-5, mistakes={
        "you floor each example's KL; free bits floors each dimension's KL averaged over the batch":
            per_dim.clamp(min=nats).sum(1).mean(),
        "you floor the total KL; free bits floors each latent dimension on its own":
            per_dim.sum(1).mean().clamp(min=nats),
        "you floor the total KL at nats per dimension times D; the floor is per dimension":
            per_dim.sum(1).mean().clamp(min=nats * per_dim.shape[1]),
        "you took the minimum: free bits is max(nats, KL), a floor, not a ceiling":
            per_dim.mean(0).clamp(max=nats).sum(),
        "you sum over the batch; average each dimension's KL over the batch":
            per_dim.sum(0).clamp(min=nats).sum(),
        "you dropped the dimensions below the floor; they still count nats each":
            per_dim.mean(0)[per_dim.mean(0) >= nats].sum(),
    }, factor_hints={0.5: "off by a factor 1/2: KL = 0.5 * (mu^2 + exp(logvar) - 1 - logvar), "
                          "with the 1/2 counted once"})
    if not got.requires_grad:
        raise Hint("your KL term has no gradient: compute it with torch operations on mu and logvar "
                   "(no .item(), no .detach()), or training cannot use it")
    grad_mu, = torch.autograd.grad(got, mu)
    below = per_dim.mean(0) < nats
    if float(grad_mu[:, below].abs().max()) > 0.0:
        raise Hint("a dimension below the floor still has a gradient: it should cost a constant nats, "
                   "so the optimiser gains nothing by pushing it lower (torch.clamp or torch.maximum)")
    return "each dimension floored at its free bits, with no gradient below the floor"
