"""Monte Carlo estimators behind chapter 3: the KL by sampling, and two gradient estimators.

The objective is L(mu, logvar) = E_{z ~ N(mu, diag exp(logvar))}[f(z)]. Two unbiased estimates
of its gradient from S samples:

- score function (REINFORCE): mean_s f(z_s) * grad log q(z_s) (z_s sampled, no gradient through f);
- reparameterized: mean_s grad f(mu + exp(logvar / 2) * eps_s) (the gradient flows through f).

Both are computed for R independent repeats at once, so the spread of the R estimates measures
the estimator's variance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import torch
from torch import Tensor

from .._validate import check_images, check_positive_int
from ..distributions import (
    bernoulli_log_likelihood,
    log_normal_diag,
    log_standard_normal,
)

Objective = Callable[[Tensor], Tensor]


def _noise(mu: Tensor, logvar: Tensor, n_samples: int, n_repeats: int,
           generator: torch.Generator | None) -> Tensor:
    """eps ~ N(0, I) of shape (n_samples, n_repeats, D) for q = N(mu, diag exp(logvar)), after checking the arguments.

    Every estimator draws its noise here, so that with the same generator they all see the same eps.
    """
    if mu.dim() != 1 or mu.shape != logvar.shape:
        raise ValueError(f"expected mu and logvar as vectors of the same shape (D,); "
                         f"got {tuple(mu.shape)} and {tuple(logvar.shape)}")
    check_positive_int(n_samples, "n_samples")
    check_positive_int(n_repeats, "n_repeats")
    return torch.randn(n_samples, n_repeats, mu.shape[0], generator=generator, dtype=mu.dtype)


def monte_carlo_kl(mu: Tensor, logvar: Tensor, n_samples: int, n_repeats: int = 1,
                   generator: torch.Generator | None = None) -> Tensor:
    """Sampled KL(N(mu, diag exp(logvar)) || N(0, I)): mean over n_samples of log q(z) - log p(z).

    mu, logvar: (D,). Returns (n_repeats,) independent estimates, nats.
    """
    eps = _noise(mu, logvar, n_samples, n_repeats, generator)
    z = mu + torch.exp(0.5 * logvar) * eps
    return (log_normal_diag(z, mu, logvar) - log_standard_normal(z)).mean(dim=0)


def _leaves(mu: Tensor, logvar: Tensor, n_repeats: int) -> tuple[Tensor, Tensor]:
    """One copy of (mu, logvar) per repeat, as leaves: the gradient of repeat r lands in row r."""
    return (mu.detach().expand(n_repeats, -1).clone().requires_grad_(True),
            logvar.detach().expand(n_repeats, -1).clone().requires_grad_(True))


def reparameterized_gradient(f: Objective, mu: Tensor, logvar: Tensor, n_samples: int,
                             n_repeats: int = 1, generator: torch.Generator | None = None
                             ) -> tuple[Tensor, Tensor]:
    """Reparameterized estimates of d/d(mu, logvar) E_q[f(z)] from n_samples draws each.

    f: maps z (..., D) to values (...). mu, logvar: (D,).
    Returns (grad_mu, grad_logvar), each (n_repeats, D).
    """
    eps = _noise(mu, logvar, n_samples, n_repeats, generator)
    m, lv = _leaves(mu, logvar, n_repeats)
    z = m + torch.exp(0.5 * lv) * eps                  # the noise is an input; z is a function of m, lv
    f(z).mean(dim=0).sum().backward()                  # repeats are independent: summing keeps them apart
    return m.grad, lv.grad


def score_function_gradient(f: Objective, mu: Tensor, logvar: Tensor, n_samples: int,
                            n_repeats: int = 1, generator: torch.Generator | None = None
                            ) -> tuple[Tensor, Tensor]:
    """Score-function (REINFORCE) estimates of d/d(mu, logvar) E_q[f(z)] from n_samples draws each.

    Uses mean_s f(z_s) * grad log q(z_s): f is only evaluated, never differentiated.
    f: maps z (..., D) to values (...). mu, logvar: (D,).
    Returns (grad_mu, grad_logvar), each (n_repeats, D).
    """
    eps = _noise(mu, logvar, n_samples, n_repeats, generator)
    m, lv = _leaves(mu, logvar, n_repeats)
    with torch.no_grad():
        z = m + torch.exp(0.5 * lv) * eps              # a sample: no path from f back to mu, logvar
        values = f(z)
    (values * log_normal_diag(z, m, lv)).mean(dim=0).sum().backward()
    return m.grad, lv.grad


@dataclass
class GradientVariance:
    """Variance of the two estimators against the number of samples.

    n_samples: the sample sizes; score, reparam: total variance (summed over the coordinates of
    the gradient in mu and logvar) of each estimator at each size, over n_repeats repeats.
    """

    n_samples: list[int]
    score: list[float]
    reparam: list[float]
    n_repeats: int


def gradient_variance(f: Objective, mu: Tensor, logvar: Tensor, sample_sizes: Sequence[int],
                      n_repeats: int = 100, seed: int = 0) -> GradientVariance:
    """Measure both estimators' variance on the same objective E_q[f(z)] at each sample size.

    mu, logvar: (D,). Returns a GradientVariance (one entry per sample size).
    """
    check_positive_int(n_repeats, "n_repeats")
    if n_repeats < 2:
        raise ValueError(f"expected n_repeats >= 2 to measure a variance; got {n_repeats}")
    generator = torch.Generator().manual_seed(seed)
    result = GradientVariance([], [], [], n_repeats)
    for n in sample_sizes:
        for name, estimator in (("score", score_function_gradient), ("reparam", reparameterized_gradient)):
            g_mu, g_lv = estimator(f, mu, logvar, int(n), n_repeats, generator)
            total = torch.cat([g_mu, g_lv], dim=1).var(dim=0).sum()
            getattr(result, name).append(float(total))
        result.n_samples.append(int(n))
    return result


def reconstruction_objective(model, x: Tensor) -> Objective:
    """f(z) = log p(x|z) for one image under a Bernoulli decoder: E_q[f] is the ELBO's first term.

    x: (1, 1, 28, 28). The returned f maps z (..., D) to log p(x|z) of shape (...), nats.
    """
    x = check_images(x)
    if x.shape[0] != 1:
        raise ValueError(f"expected one image of shape (1, 1, 28, 28); got {tuple(x.shape)}")
    if model.likelihood != "bernoulli":
        raise ValueError(f"expected a Bernoulli decoder; got likelihood={model.likelihood!r}")
    target = x.to(model.device)

    def f(z: Tensor) -> Tensor:
        flat = z.reshape(-1, z.shape[-1]).to(model.device, torch.float32)
        logits = model.decode_logits(flat)
        return bernoulli_log_likelihood(logits, target.expand(flat.shape[0], -1, -1, -1)).reshape(z.shape[:-1])

    return f
