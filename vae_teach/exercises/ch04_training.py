"""Exercise checks for chapter 4 (training a VAE).

Each check prints a pass or one hint naming the mistake and returns a bool (see ``_checking``).
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from ..analysis.grids import normal_quantile_axis, quantile_grid
from ..distributions import gaussian_kl
from ..models.mlp import VAE
from ._checking import Hint, call, checker, compare

__all__ = ["check_negative_elbo", "check_sample_prior", "check_quantile_axis"]


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
    try:
        got = call(fn, logits, x, mu, logvar)
    except Hint as hint:
        if "between 0 and 1" not in str(hint):
            raise
        raise Hint(f"{hint}. binary_cross_entropy takes probabilities; the decoder gives logits: "
                   "use binary_cross_entropy_with_logits(logits, x)") from None
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    kl = gaussian_kl(mu, logvar)
    expected = (bce + kl).mean()
    n = logits.shape[0]
    probs = torch.sigmoid(logits)
    compare(got, expected, what="your loss", mistakes={
        "that is the ELBO; the loss to minimise is its negative: recon + KL": -expected,
        "your reconstruction term averages over the pixels; sum it over the 784 pixels of each image":
            F.binary_cross_entropy_with_logits(logits, x) + kl.mean(),
        "your loss sums over the batch; take the mean over examples so it reads in nats per example":
            (bce + kl).sum(),
        "one loss per example; return their mean over the batch, one number": bce + kl,
        "your reconstruction term sums over the batch, your KL averages: take the mean of both":
            bce.sum() + kl.mean(),
        "your KL term sums over the batch, your reconstruction averages: take the mean of both":
            bce.mean() + kl.sum(),
        "you applied the sigmoid before binary_cross_entropy_with_logits; it takes raw logits":
            (F.binary_cross_entropy_with_logits(probs, x, reduction="none")
             .flatten(1).sum(1) + kl).mean(),
        "you swapped the arguments of binary_cross_entropy_with_logits: the logits come first, "
        "then the target x": (F.binary_cross_entropy_with_logits(x, logits, reduction="none")
                              .flatten(1).sum(1) + kl).mean(),
        "squared error is the Gaussian decoder's reconstruction term; this decoder is Bernoulli: "
        "binary cross-entropy": ((probs - x).pow(2).flatten(1).sum(1) + kl).mean(),
        "your KL term is averaged over the latent dimensions; sum it over them":
            (bce + kl / mu.shape[1]).mean(),
        "the KL enters with weight 1/2 (counted the 1/2 twice?); -ELBO = recon + KL":
            (bce + 0.5 * kl).mean(),
    }, shapes={(n,): "one loss per example; return their mean over the batch, one number"},
        terms={"the KL term": kl.mean(), "the reconstruction term": bce.mean()},
        factor_hints={float(n): "your loss sums over the batch; take the mean over examples"})
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
        if z.dim() == 2 and z.shape[0] == self.latent_dim != z.shape[1]:
            raise ValueError(f"codes of shape {tuple(z.shape)}, one per column; decode takes one code "
                             "per row, (n, model.latent_dim): torch.randn(n, model.latent_dim)")
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


@checker("sampling from the prior", own=(VAE.sample,))
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


@checker("Normal-quantile grid", own=(normal_quantile_axis, quantile_grid))
def check_quantile_axis(fn: Callable[[int], Tensor]) -> str:
    """Exercise ex-ch4-quantiles: ``fn(n)`` -> (n,) positions z_i = Phi^-1((i + 0.5) / n) of the N(0, 1) quantiles."""
    n = 10
    got = call(fn, n)
    normal = torch.distributions.Normal(0.0, 1.0)
    expected = normal.icdf((torch.arange(n, dtype=torch.float32) + 0.5) / n)
    centres = (torch.arange(n, dtype=torch.float32) + 0.5) / n
    if isinstance(got, Tensor) and got.shape == (n,) and torch.allclose(got.float(), centres, atol=1e-4):
        raise Hint("those are the probabilities (i + 0.5) / n; map them to z through the inverse "
                   "CDF, torch.distributions.Normal(0, 1).icdf")
    if isinstance(got, Tensor) and got.shape == (n,) and not torch.isfinite(got).all():
        raise Hint("your grid has infinite ends: the quantiles of 0 and 1 are -inf and +inf; "
                   "use the cell centres (i + 0.5) / n")
    if isinstance(got, Tensor) and got.shape == (n,) and got.is_floating_point():
        steps = got.diff()
        if torch.allclose(steps, steps.mean().expand(n - 1), rtol=1e-3) and steps.mean() > 0:
            raise Hint("your grid is evenly spaced in z; space it evenly in probability: "
                       "Normal quantiles Phi^-1((i + 0.5) / n) (torch.distributions.Normal(0, 1).icdf)")
    cells = "one at the centre of each of n cells of equal probability"
    compare(got, expected, what="your grid", atol=1e-4, mistakes={
        "use the cell centres (i + 0.5) / n, not (i + 1) / (n + 1)":
            normal.icdf((torch.arange(n, dtype=torch.float32) + 1) / (n + 1)),
        "your grid runs from high to low; order it from the lowest quantile up": expected.flip(0),
        "cdf is Phi itself; the quantiles come from its inverse, icdf": normal.cdf(centres),
        "erfinv takes 2p - 1: Phi^-1(p) = sqrt(2) * erfinv(2p - 1)": torch.erfinv(centres),
        "erfinv takes 2p - 1, not p: Phi^-1(p) = sqrt(2) * erfinv(2p - 1)":
            2 ** 0.5 * torch.erfinv(centres),
    }, shapes={(n + 1,): f"your grid has n + 1 points; expected n, {cells}",
               (n - 1,): f"your grid has n - 1 points; expected n, {cells}"},
        factor_hints={2 ** -0.5: "erfinv needs a factor sqrt(2): Phi^-1(p) = sqrt(2) * erfinv(2p - 1)"})
    return "equal prior mass between neighbours: dense near 0, sparse in the tails"
