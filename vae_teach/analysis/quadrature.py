"""A deterministic ELBO: Gauss-Hermite quadrature over q(z|x) in place of Monte Carlo draws.

The ELBO is E_q[log p(x|z)] - KL(q(z|x) || p(z)). The KL of a diagonal Gaussian q to
N(0, I) has a closed form; the expectation has none, and the usual estimate draws z
at random, so two evaluations of one image disagree. With a low-dimensional latent the
expectation can be done by quadrature instead: for q = N(mu, diag sigma^2),

    E_q[f(z)] ~= sum_{i,j} w_i w_j / pi * f(mu + sqrt(2) * sigma * (t_i, t_j))   (D = 2),

with (t_i, w_i) the order-n Gauss-Hermite nodes and weights (weight function exp(-t^2)).
The rule is exact when f is a polynomial of degree <= 2n - 1 in each coordinate, and it
costs n^D decoder passes per image. The same nodes, carried into a web page, let
JavaScript compute the very same number (``vt.draw_explorer``).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from .._validate import check_images, check_positive_int
from ..distributions import gaussian_kl

__all__ = ["gauss_hermite", "quadrature_points", "quadrature_elbo", "DEFAULT_ORDER", "MAX_QUADRATURE_POINTS"]

#: Points per latent dimension by default: 4 x 4 on a 2-D latent (the draw explorer's page, under 5 ms an
#: update); against 16 x 16 points, 0.01 nats off for the median test digit of vae-2d-h200, 0.35 at worst
#: of 300 (benchmarks/draw_explorer.py).
DEFAULT_ORDER = 4
#: n^D, the decoder passes per image, is refused above this: the rule grows exponentially in D.
MAX_QUADRATURE_POINTS = 4096


def gauss_hermite(order: int) -> tuple[Tensor, Tensor]:
    """Nodes t (order,) and weights w (order,) for the integral of f(t) exp(-t^2) over the real line.

    float64. sum_i w_i f(t_i) is exact for polynomials f of degree <= 2 order - 1.
    """
    check_positive_int(order, "order")
    nodes, weights = np.polynomial.hermite.hermgauss(order)
    return torch.from_numpy(nodes), torch.from_numpy(weights)


def quadrature_points(order: int, latent_dim: int) -> tuple[Tensor, Tensor]:
    """Standardised points u (order^D, D) and weights (order^D,) with E_{u ~ N(0, I)}[f(u)] ~= sum weights * f(u).

    u = sqrt(2) t over the product grid of Gauss-Hermite nodes; the weights are the products
    of w_i / sqrt(pi) and sum to 1. Row-major: the last coordinate varies fastest. float64.
    """
    check_positive_int(latent_dim, "latent_dim")
    nodes, weights = gauss_hermite(order)
    if order ** latent_dim > MAX_QUADRATURE_POINTS:
        raise ValueError(f"expected order ** latent_dim <= {MAX_QUADRATURE_POINTS} decoder passes per image; got "
                         f"order {order} with latent_dim {latent_dim} ({order ** latent_dim}): quadrature suits "
                         "latent_dim 1-3 (use vt.elbo_per_example with samples for larger latents)")
    grids = torch.meshgrid(*([nodes] * latent_dim), indexing="ij")
    u = math.sqrt(2.0) * torch.stack([g.reshape(-1) for g in grids], dim=1)
    w = weights / math.sqrt(math.pi)
    w_grids = torch.meshgrid(*([w] * latent_dim), indexing="ij")
    return u, torch.stack([g.reshape(-1) for g in w_grids], dim=1).prod(dim=1)


def quadrature_elbo(model, x: Tensor, order: int = DEFAULT_ORDER, batch_size: int = 500) -> Tensor:
    """The ELBO of each image x (N, 1, 28, 28) by Gauss-Hermite quadrature over q(z|x): (N,) float64, nats.

    E_q[log p(x|z)] uses order^D decoder passes per image (D = model.latent_dim; order 4 on a
    2-D latent: 16); the KL term is closed-form. Deterministic: the same image always gets
    the same number. model: a VAE (an encoder q(z|x) = N(mu, diag exp(logvar))).
    """
    if not getattr(model, "is_variational", False):
        raise TypeError(f"quadrature_elbo needs a VAE (a model with an encoder q(z|x)); got {type(model).__name__}")
    x = check_images(x)
    check_positive_int(batch_size, "batch_size")
    u, weights = quadrature_points(order, model.latent_dim)
    u32 = u.to(model.device, torch.float32)
    scores = []
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            batch = x[start:start + batch_size].to(model.device)
            mu, logvar = model.posterior(batch.flatten(1))
            sigma = (0.5 * logvar).exp()
            z = mu[:, None, :] + sigma[:, None, :] * u32[None]  # (B, P, D)
            logits = model.decode_logits(z.reshape(-1, model.latent_dim))
            target = batch.repeat_interleave(len(u), dim=0)
            log_lik = model.log_likelihood(logits.double(), target.double()).reshape(len(batch), len(u))
            expected = (log_lik.cpu() * weights[None]).sum(dim=1)
            scores.append(expected - gaussian_kl(mu.double(), logvar.double()).cpu())
    return torch.cat(scores)
