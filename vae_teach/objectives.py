"""The objectives: the training loss, the ELBO and the importance-weighted bound (IWAE).

Per-example functions return shape (N,) in nats; ``elbo`` and ``iwae`` return the
mean over a data set as a float. -ELBO is the training loss. Each model carries
its own loss (``model.loss_parts``); the bounds need a variational model (one
with q(z|x)), whatever its architecture or likelihood.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ._validate import check_images, check_positive_int, check_real, check_seed
from .distributions import (
    gaussian_kl,
    log_normal_diag,
    log_standard_normal,
    reparameterize,
)
from .models.base import LossParts

__all__ = ["LossParts", "loss_parts", "reconstruction_log_likelihood", "elbo_per_example", "iwae_per_example",
           "mean_over_batches", "elbo", "iwae", "sampled_log_weights", "IWAE_MAX_ROWS"]


def reconstruction_log_likelihood(model, decoder_out: Tensor, x: Tensor) -> Tensor:
    """log p(x|z) under the model's likelihood; decoder_out is ``model.decode_logits(z)``. Returns (N,)."""
    return model.log_likelihood(decoder_out, x)


def loss_parts(model, x: Tensor, beta: float = 1.0, generator: torch.Generator | None = None,
               x_input: Tensor | None = None, y: Tensor | None = None) -> LossParts:
    """The training loss on a batch x (N, 1, 28, 28), per example: LossParts of (N,) tensors, nats.

    VAE: recon = -log p(x|z) for one z ~ q(z|x), kl = KL(q(z|x) || p(z)), loss = recon + beta * kl
    (the negative ELBO when beta = 1).
    Autoencoder: recon = binary cross-entropy summed over pixels (Bernoulli) or the
    summed squared error (Gaussian); kl = 0.
    x: (N, 1, 28, 28) targets; x_input: what the encoder sees (default x; a corrupted
    copy for a denoising autoencoder); y: (N,) labels for a conditional model.
    """
    x = check_images(x).to(model.device)
    x_input = check_images(x_input, "x_input").to(model.device) if x_input is not None else None
    if x_input is not None and x_input.shape != x.shape:
        raise ValueError(f"expected x_input with the shape of x, {tuple(x.shape)}; got {tuple(x_input.shape)}")
    y = model.check_labels(y, x.shape[0])
    return model.loss_parts(x, y, beta=check_real(beta, "beta"), generator=generator, x_input=x_input)


def _require_variational(model, what: str) -> None:
    if not getattr(model, "is_variational", False):
        raise TypeError(f"{what} needs a VAE (a variational model: one with an encoder q(z|x)); "
                        f"got {type(model).__name__}")


def _checked_batch(model, x: object, y: Tensor | None, what: str) -> tuple[Tensor, Tensor | None]:
    """The public per-example functions check what the mean functions check once per data set."""
    _require_variational(model, what)
    images = check_images(x).to(model.device)
    labels = model.check_labels(y, images.shape[0])
    return images, labels.to(model.device) if labels is not None else None


#: The importance-weighted bound decodes at most this many images at a time, whatever k and the
#: batch: each (rows, 784) float32 tensor of a chunk is then at most 63 MB.
IWAE_MAX_ROWS = 20_000


def elbo_per_example(model, x: Tensor, n_samples: int = 1,
                     generator: torch.Generator | None = None, y: Tensor | None = None) -> Tensor:
    """Monte Carlo ELBO of each image x (N, 1, 28, 28) over n_samples draws of z ~ q(z|x): (N,), nats (< 0)."""
    x, y = _checked_batch(model, x, y, "elbo")
    return _elbo_per_example(model, x, check_positive_int(n_samples, "n_samples"), generator, y)


def _elbo_per_example(model, x: Tensor, n_samples: int, generator: torch.Generator | None,
                      y: Tensor | None) -> Tensor:
    mu, logvar = model.posterior(x.flatten(1), y)
    kl = gaussian_kl(mu, logvar)
    log_lik = torch.zeros_like(kl)
    for _ in range(n_samples):
        z = reparameterize(mu, logvar, generator=generator)
        log_lik += model.log_likelihood(model.decode_logits(z, y), x)
    return log_lik / n_samples - kl


def iwae_per_example(model, x: Tensor, k: int, generator: torch.Generator | None = None,
                     y: Tensor | None = None) -> Tensor:
    """The importance-weighted bound (Burda et al. 2015) of each image x (N, 1, 28, 28): (N,), nats.

    log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x). k = 1 is the ELBO in
    expectation; the bound rises with k towards log p(x).
    Memory is bounded whatever k and N: the k samples and the N images are taken in
    chunks of at most ``IWAE_MAX_ROWS`` (20,000) decoded images, and the sum over the
    samples is accumulated with a running log-sum-exp, so no (k, N, 784) tensor is ever
    built (a chunk's pixel tensors are at most 20,000 x 784 float32, 63 MB each; with no
    gradients the peak is about 0.2 GB for the MLP VAEs, the same at k = 10^6 as at 10^5).
    """
    x, y = _checked_batch(model, x, y, "iwae")
    return _iwae_per_example(model, x, check_positive_int(k, "k"), generator, y)


def sampled_log_weights(model, x: Tensor, mu: Tensor, logvar: Tensor, m: int,
                        generator: torch.Generator | None = None, y: Tensor | None = None) -> Tensor:
    """log w = log p(x|z) + log p(z) - log q(z|x) for ``m`` draws z ~ q = N(mu, diag exp(logvar)) per image.

    ``x``: images (N, ...) matching the model's likelihood; ``mu``, ``logvar``: (N, D), the proposal
    (usually the encoder's posterior); ``y``: labels (N,) for a conditional model. Returns (m, N),
    nats; the draws are reparameterised, so gradients reach ``mu`` and ``logvar``.
    """
    z = reparameterize(mu.expand(m, *mu.shape), logvar.expand(m, *logvar.shape), generator=generator)
    labels = y.expand(m, *y.shape).reshape(-1) if y is not None else None
    logits = model.decode_logits(z.reshape(-1, mu.shape[1]), labels)
    targets = x.expand(m, *x.shape).reshape(-1, *x.shape[1:])
    log_lik = model.log_likelihood(logits, targets).reshape(m, -1)
    return log_lik + log_standard_normal(z) - log_normal_diag(z, mu, logvar)


def _iwae_per_example(model, x: Tensor, k: int, generator: torch.Generator | None, y: Tensor | None) -> Tensor:
    pieces = [_iwae_piece(model, x[start:start + IWAE_MAX_ROWS], k, generator,
                          y[start:start + IWAE_MAX_ROWS] if y is not None else None)
              for start in range(0, x.shape[0], IWAE_MAX_ROWS)]
    return torch.cat(pieces)


def _iwae_piece(model, x: Tensor, k: int, generator: torch.Generator | None, y: Tensor | None) -> Tensor:
    """The bound for a batch of at most IWAE_MAX_ROWS images, its k samples taken a chunk at a time."""
    mu, logvar = model.posterior(x.flatten(1), y)
    samples_per_chunk = max(1, IWAE_MAX_ROWS // x.shape[0])
    total: Tensor | None = None
    for done in range(0, k, samples_per_chunk):
        log_weights = sampled_log_weights(model, x, mu, logvar, min(samples_per_chunk, k - done), generator, y)
        part = torch.logsumexp(log_weights, dim=0)
        total = part if total is None else torch.logaddexp(total, part)
    return total - math.log(k)


def mean_over_batches(fn, model, x: Tensor, batch_size: int, seed: int, y: Tensor | None = None) -> Tensor:
    """Mean over images x (N, 1, 28, 28) of fn(batch, generator, labels) -> (B,) or (B, K); no gradients.

    The model is in eval mode meanwhile, and the generator is seeded (an int, see
    ``check_seed``), so the result repeats. y: (N,) labels, batched beside x (None for
    unconditional models). Returns a float64 tensor of shape () or (K,).
    """
    x = check_images(x)
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    y = model.check_labels(y, x.shape[0]) if hasattr(model, "check_labels") else y
    generator = torch.Generator(device=model.device).manual_seed(seed)
    was_training = model.training
    model.eval()
    total = torch.zeros((), dtype=torch.float64)
    try:
        with torch.no_grad():
            for start in range(0, x.shape[0], batch_size):
                batch = x[start:start + batch_size].to(model.device)
                labels = y[start:start + batch_size].to(model.device) if y is not None else None
                total = total + fn(batch, generator, labels).double().sum(dim=0).cpu()
    finally:
        model.train(was_training)
    return total / x.shape[0]


def elbo(model, x: Tensor, n_samples: int = 1, batch_size: int = 1000, seed: int = 0,
         y: Tensor | None = None) -> float:
    """Mean ELBO per example over images x (N, 1, 28, 28), in nats (a negative number).

    -ELBO is the training loss. n_samples: draws of z per image; seed (an int) makes it repeatable.
    """
    _require_variational(model, "elbo")
    check_positive_int(n_samples, "n_samples")
    return float(mean_over_batches(lambda b, g, lab: _elbo_per_example(model, b, n_samples, g, lab),
                                   model, x, batch_size, seed, y))


def iwae(model, x: Tensor, k: int = 100, batch_size: int | None = None, seed: int = 0,
         y: Tensor | None = None) -> float:
    """Mean importance-weighted bound on log p(x) over images x (N, 1, 28, 28), nats; >= elbo, rises with k.

    batch_size: images per batch (default: as many as keep k x batch within ``IWAE_MAX_ROWS``
    decoded images). Memory stays bounded whatever k: see ``iwae_per_example``.
    """
    _require_variational(model, "iwae")
    check_positive_int(k, "k")
    batch_size = max(1, IWAE_MAX_ROWS // k) if batch_size is None else batch_size
    return float(mean_over_batches(lambda b, g, lab: _iwae_per_example(model, b, k, g, lab),
                                   model, x, batch_size, seed, y))
