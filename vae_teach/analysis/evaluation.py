"""Evaluating a VAE: log p(x) by importance sampling, with its Monte Carlo and image-sampling errors.

Everything starts from the log importance weights of each image,
log w_i = log p(x, z_i) - log q(z_i|x) with z_i ~ q(z|x), drawn once (``importance_log_weights``).
From one (K, N) table of them:

- IWAE_k for every k <= K from the same draws (the first k weights: a nested curve);
- repeated draws of IWAE_k (the K // k disjoint groups of k weights), whose spread gives a
  Monte Carlo standard error per image;
- for the largest k, where there is one group only, the delta-method error sqrt(1/ESS - 1/k);
- the standard error of a mean over images by a vectorised bootstrap (which images were drawn).

Also the model summaries of an evaluation table: active units (Burda et al. 2015) and parameters.
"""

from __future__ import annotations

import math
import time
from typing import NamedTuple, Sequence

import torch
from torch import Tensor

from .._validate import check_images, check_positive_int, check_seed
from ..objectives import sampled_log_weights

#: Decoded images per chunk: as fast as any on a CPU (500 to 5,000 rows ran alike; a chunk of 20,000
#: rows, 63 MB a tensor, ran ~1.5x slower) and small, so the memory stays flat whatever k.
ROWS_PER_CHUNK = 2_000


class LogWeights(NamedTuple):
    """Log importance weights of N images: log_w (K, N) float64 nats; seconds: wall time to compute them."""

    log_w: Tensor
    seconds: float


def importance_log_weights(model, x: Tensor, k: int, seed: int = 0, y: Tensor | None = None,
                           proposal: tuple[Tensor, Tensor] | None = None) -> LogWeights:
    """K = k log importance weights log p(x, z_i) - log q(z_i|x), z_i ~ q(z|x), of each image x (N, 1, 28, 28).

    q is the encoder's q(z|x), or proposal = (mu, logvar), (N, D) each: any diagonal Gaussian per
    image (a better one, closer to the posterior, gives a tighter bound at the same k).
    Returns LogWeights(log_w (k, N) float64 in nats, seconds of wall time). Memory: the decoder
    sees at most ``ROWS_PER_CHUNK`` rows at a time, and the table itself is k x N x 8 bytes
    (5,000 x 200 images: 8 MB). y: (N,) labels for a conditional model. No gradients.
    """
    if not getattr(model, "is_variational", False):
        raise TypeError(f"expected a VAE (a model with q(z|x)); got {type(model).__name__}")
    x = check_images(x).to(model.device)
    check_positive_int(k, "k")
    y = model.check_labels(y, x.shape[0])
    generator = torch.Generator(device=model.device).manual_seed(check_seed(seed))
    start = time.perf_counter()
    was_training = model.training
    model.eval()
    # One table allocated up front and filled in place: small tensors kept between the large
    # temporaries of the chunks fragment the heap, and the process grew by ~1 GB at k = 5,000.
    log_w = torch.empty(k, x.shape[0], dtype=torch.float64)
    try:
        with torch.no_grad():
            mu, logvar = model.posterior(x.flatten(1), y) if proposal is None else _checked_proposal(model, x, proposal)
            per_chunk = max(1, ROWS_PER_CHUNK // x.shape[0])
            for done in range(0, k, per_chunk):
                m = min(per_chunk, k - done)
                log_w[done:done + m] = sampled_log_weights(model, x, mu, logvar, m, generator, y)
    finally:
        model.train(was_training)
    return LogWeights(log_w, time.perf_counter() - start)


def _checked_proposal(model, x: Tensor, proposal: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
    shape = (x.shape[0], model.latent_dim)
    if (not isinstance(proposal, tuple) or len(proposal) != 2
            or not all(isinstance(t, Tensor) and t.shape == shape for t in proposal)):
        got = [tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__ for t in proposal] \
            if isinstance(proposal, tuple) else type(proposal).__name__
        raise ValueError(f"expected proposal as (mu, logvar), each of shape {shape}; got {got}")
    return proposal[0].float().to(model.device), proposal[1].float().to(model.device)


def _check_log_w(log_w: Tensor) -> Tensor:
    if not isinstance(log_w, Tensor) or log_w.ndim != 2 or log_w.shape[0] < 1:
        got = tuple(log_w.shape) if isinstance(log_w, Tensor) else type(log_w).__name__
        raise ValueError(f"expected log weights of shape (K, N) (samples by images); got {got}")
    return log_w.double()


def _check_k(k: int, total: int) -> int:
    check_positive_int(k, "k")
    if k > total:
        raise ValueError(f"expected k <= {total}, the number of log weights per image; got {k}")
    return k


def nested_iwae(log_w: Tensor, k: int) -> Tensor:
    """IWAE_k of each image from the first k of its log weights log_w (K, N): (N,), nats."""
    log_w = _check_log_w(log_w)
    k = _check_k(k, log_w.shape[0])
    return torch.logsumexp(log_w[:k], dim=0) - math.log(k)


def repeated_draws(log_w: Tensor, k: int) -> Tensor:
    """K // k independent draws of IWAE_k per image, one per disjoint group of k log weights: (K // k, N)."""
    log_w = _check_log_w(log_w)
    k = _check_k(k, log_w.shape[0])
    groups = log_w.shape[0] // k
    return torch.logsumexp(log_w[:groups * k].reshape(groups, k, -1), dim=1) - math.log(k)


def delta_method_se(log_w: Tensor, k: int | None = None) -> Tensor:
    """Monte Carlo standard error of IWAE_k per image from one draw of k weights, the first k of log_w (K, N).

    log of a mean of k weights has variance ~ Var(w) / (k E[w]^2) = 1 / ESS - 1 / k, with the
    effective sample size ESS = (sum w)^2 / sum w^2. A first-order estimate: it is too small
    when the weights are heavy-tailed (one weight dominates and a rarer, larger one is unseen).
    Returns (N,), nats. k: default all K.
    """
    log_w = _check_log_w(log_w)
    k = _check_k(log_w.shape[0] if k is None else k, log_w.shape[0])
    normalised = torch.softmax(log_w[:k], dim=0)
    return (normalised.pow(2).sum(0) - 1.0 / k).clamp(min=0.0).sqrt()


class IWAECurve(NamedTuple):
    """IWAE_k of N images for several k, all from one table of K log weights per image.

    ks: (L,) the k values. first: (L, N) IWAE_k from the first k weights (nested: one draw).
    mean: (L, N) the mean of the K // k repeated draws (a better estimate of E[IWAE_k]);
    se: (L, N) its Monte Carlo standard error (spread of the draws / sqrt(draws)), or, where
    there is one draw only (k > K / 2), the delta-method error of that draw. draws: (L,). Nats.
    """

    ks: Tensor
    first: Tensor
    mean: Tensor
    se: Tensor
    draws: Tensor


def iwae_curve(log_w: Tensor, ks: Sequence[int]) -> IWAECurve:
    """IWAE_k for each k in ks (each <= K) from the log weights log_w (K, N): an IWAECurve, nats."""
    log_w = _check_log_w(log_w)
    firsts, means, errors, counts = [], [], [], []
    for k in ks:
        draws = repeated_draws(log_w, k)
        firsts.append(nested_iwae(log_w, k))
        means.append(draws.mean(0))
        if draws.shape[0] >= 2:
            errors.append(draws.std(dim=0) / math.sqrt(draws.shape[0]))
        else:
            errors.append(delta_method_se(log_w, k))
        counts.append(draws.shape[0])
    return IWAECurve(torch.tensor(list(ks)), torch.stack(firsts), torch.stack(means), torch.stack(errors),
                     torch.tensor(counts))


def bootstrap_se(values: Tensor, resamples: int = 2_000, seed: int = 0) -> Tensor:
    """Standard error of the mean over images by the bootstrap: values (..., N) -> (...).

    Each resample draws N images with replacement (one (resamples, N) index table, so the
    whole bootstrap is one gather); the result is the standard deviation of the resampled means.
    It measures how much the mean depends on which images were drawn, not the Monte Carlo noise.
    """
    if not isinstance(values, Tensor) or values.ndim < 1 or values.shape[-1] < 2:
        got = tuple(values.shape) if isinstance(values, Tensor) else type(values).__name__
        raise ValueError(f"expected values of shape (..., N) with N >= 2 images; got {got}")
    check_positive_int(resamples, "resamples")
    n = values.shape[-1]
    index = torch.randint(n, (resamples, n), generator=torch.Generator().manual_seed(check_seed(seed)))
    means = values.double()[..., index].mean(-1)  # (..., resamples)
    return means.std(dim=-1)


def samples_for_precision(draw_sd: Tensor, k: Tensor | Sequence[int], target_se: float) -> Tensor:
    """Decoded samples per image for IWAE_k to reach a Monte Carlo standard error target_se (nats).

    draw_sd: (L,) the standard deviation of one IWAE_k draw at each k. Averaging r draws gives
    draw_sd / sqrt(r), so r = ceil((draw_sd / target_se)^2) draws of k samples each (at least one).
    Returns (L,) samples = r * k. Multiply by seconds per sample for the cost.
    """
    if not target_se > 0:
        raise ValueError(f"expected target_se > 0 nats; got {target_se!r}")
    k = torch.as_tensor(k, dtype=torch.float64)
    repeats = torch.ceil((draw_sd.double() / target_se).pow(2)).clamp(min=1.0)
    return repeats * k


def parameter_count(model) -> int:
    """Trainable numbers of a model (encoder and decoder together)."""
    return sum(p.numel() for p in model.parameters())
