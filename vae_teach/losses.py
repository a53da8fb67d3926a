"""The terms of the VAE objective, each written once: reconstruction, KL, ELBO, IWAE.

Per-example functions return shape (N,) in nats; ``elbo`` and ``iwae`` return the
mean over a data set as a float. -ELBO is the training loss.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .models import VAE
from .validate import check_images, check_positive_int

LOG_2PI = math.log(2.0 * math.pi)


def reparameterize(mu: Tensor, logvar: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """z = mu + exp(logvar / 2) * eps with eps ~ N(0, I); differentiable in mu and logvar.

    mu, logvar: (..., D). Returns a tensor of the same shape.
    """
    eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype,
                      device=generator.device if generator is not None else mu.device)
    return mu + torch.exp(0.5 * logvar) * eps.to(mu.device)


def bernoulli_log_likelihood(logits: Tensor, x: Tensor) -> Tensor:
    """log p(x|z) = sum over pixels of x log p + (1 - x) log(1 - p), p = sigmoid(logits).

    logits, x: (N, ...) with the same number of elements per example. Returns (N,), nats.
    Computed from logits (stable for large |logits|); x may be grey levels in [0, 1].
    """
    flat_logits, flat_x = logits.flatten(1), x.flatten(1)
    if flat_x.shape != flat_logits.shape:
        raise ValueError(f"expected logits and x with the same shape per example; got logits "
                         f"{tuple(logits.shape)} and x {tuple(x.shape)}")
    bce = F.binary_cross_entropy_with_logits(flat_logits, flat_x, reduction="none")
    return -bce.sum(dim=1)


def gaussian_log_likelihood(mean: Tensor, x: Tensor, sigma: float) -> Tensor:
    """log N(x; mean, sigma^2 I) summed over pixels. mean, x: (N, ...). Returns (N,), nats."""
    sq = (x.flatten(1) - mean.flatten(1)).pow(2).sum(dim=1)
    n_pixels = x[0].numel()
    return -0.5 * sq / sigma**2 - n_pixels * (math.log(sigma) + 0.5 * LOG_2PI)


def squared_error(x_hat: Tensor, x: Tensor) -> Tensor:
    """Sum of squared pixel differences per example. x_hat, x: (N, ...). Returns (N,)."""
    return (x_hat.flatten(1) - x.flatten(1)).pow(2).sum(dim=1)


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) for each example.

    mu, logvar: (N, D). Returns (N,), in nats.
    """
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=-1)


def log_normal_diag(z: Tensor, mu: Tensor, logvar: Tensor) -> Tensor:
    """log N(z; mu, diag exp(logvar)), summed over the last dimension. Shapes broadcast; returns (...)."""
    return -0.5 * (LOG_2PI + logvar + (z - mu).pow(2) / logvar.exp()).sum(dim=-1)


def log_standard_normal(z: Tensor) -> Tensor:
    """log N(z; 0, I), summed over the last dimension: (..., D) -> (...)."""
    return -0.5 * (LOG_2PI + z.pow(2)).sum(dim=-1)


def reconstruction_log_likelihood(model, decoder_out: Tensor, x: Tensor) -> Tensor:
    """log p(x|z) under the model's likelihood; decoder_out is ``model.decode_logits(z)``. Returns (N,)."""
    if model.likelihood == "bernoulli":
        return bernoulli_log_likelihood(decoder_out, x)
    return gaussian_log_likelihood(decoder_out, x, model.gaussian_sigma)


class LossParts(NamedTuple):
    """Per-example terms of a training loss, each (N,), nats: loss = recon + beta * kl."""

    loss: Tensor
    recon: Tensor
    kl: Tensor


def loss_parts(model, x: Tensor, beta: float = 1.0, generator: torch.Generator | None = None,
               x_input: Tensor | None = None) -> LossParts:
    """The training loss of a model on a batch, per example.

    VAE: recon = -log p(x|z) for one z ~ q(z|x), kl = KL(q(z|x) || p(z)), loss = recon + beta * kl
    (the negative ELBO when beta = 1).
    Autoencoder: recon = binary cross-entropy summed over pixels (Bernoulli) or the
    summed squared error (Gaussian); kl = 0.
    x: (N, 1, 28, 28) targets; x_input: what the encoder sees (default x; a corrupted
    copy for a denoising autoencoder).
    """
    x_in = x if x_input is None else x_input
    if isinstance(model, VAE):
        out = model(x_in, generator=generator)
        recon = -reconstruction_log_likelihood(model, out.logits, x)
        kl = gaussian_kl(out.mu, out.logvar)
        return LossParts(recon + beta * kl, recon, kl)
    out = model(x_in)
    if model.likelihood == "bernoulli":
        recon = -bernoulli_log_likelihood(out.logits, x)
    else:
        recon = squared_error(out.logits, x)
    return LossParts(recon, recon, torch.zeros_like(recon))


def _require_vae(model, what: str) -> None:
    if not isinstance(model, VAE):
        raise TypeError(f"{what} needs a VAE (a model with an encoder q(z|x)); got {type(model).__name__}")


def elbo_per_example(model, x: Tensor, n_samples: int = 1,
                     generator: torch.Generator | None = None) -> Tensor:
    """Monte Carlo ELBO for each image, averaged over n_samples draws of z ~ q(z|x).

    x: (N, 1, 28, 28). Returns (N,), nats (negative numbers).
    """
    _require_vae(model, "elbo")
    mu, logvar = model.encode_flat(x.flatten(1))
    kl = gaussian_kl(mu, logvar)
    log_lik = torch.zeros_like(kl)
    for _ in range(n_samples):
        z = reparameterize(mu, logvar, generator=generator)
        log_lik += reconstruction_log_likelihood(model, model.decode_logits(z), x)
    return log_lik / n_samples - kl


def iwae_per_example(model, x: Tensor, k: int, generator: torch.Generator | None = None) -> Tensor:
    """The importance-weighted bound (Burda et al. 2015) for each image.

    log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x). k = 1 is the ELBO in
    expectation; the bound rises with k towards log p(x). x: (N, 1, 28, 28). Returns (N,).
    """
    _require_vae(model, "iwae")
    mu, logvar = model.encode_flat(x.flatten(1))
    z = reparameterize(mu.expand(k, *mu.shape), logvar.expand(k, *logvar.shape), generator=generator)
    decoded = model.decode_logits(z.reshape(-1, mu.shape[1]))
    targets = x.expand(k, *x.shape).reshape(-1, *x.shape[1:])
    log_lik = reconstruction_log_likelihood(model, decoded, targets).reshape(k, -1)
    log_weights = log_lik + log_standard_normal(z) - log_normal_diag(z, mu, logvar)
    return torch.logsumexp(log_weights, dim=0) - math.log(k)


def mean_over_batches(fn, model, x: Tensor, batch_size: int, seed: int) -> Tensor:
    """Mean over images x (N, 1, 28, 28) of fn(batch, generator) -> (B,) or (B, K); no gradients.

    The model is in eval mode meanwhile, and the generator is seeded, so the result repeats.
    Returns a float64 tensor of shape () or (K,).
    """
    x = check_images(x)
    generator = torch.Generator(device=model.device).manual_seed(seed)
    was_training = model.training
    model.eval()
    total = torch.zeros((), dtype=torch.float64)
    try:
        with torch.no_grad():
            for start in range(0, x.shape[0], batch_size):
                batch = x[start:start + batch_size].to(model.device)
                total = total + fn(batch, generator).double().sum(dim=0).cpu()
    finally:
        model.train(was_training)
    return total / x.shape[0]


def elbo(model, x: Tensor, n_samples: int = 1, batch_size: int = 1000, seed: int = 0) -> float:
    """Mean ELBO per example over images x (N, 1, 28, 28), in nats (a negative number).

    -ELBO is the training loss. n_samples: draws of z per image; seed makes it repeatable.
    """
    check_positive_int(n_samples, "n_samples")
    return float(mean_over_batches(lambda b, g: elbo_per_example(model, b, n_samples, g),
                                   model, x, batch_size, seed))


def iwae(model, x: Tensor, k: int = 100, batch_size: int | None = None, seed: int = 0) -> float:
    """Mean importance-weighted bound on log p(x) over images x, in nats; >= elbo, rises with k."""
    check_positive_int(k, "k")
    batch_size = batch_size or max(1, 20_000 // k)
    return float(mean_over_batches(lambda b, g: iwae_per_example(model, b, k, g), model, x, batch_size, seed))
