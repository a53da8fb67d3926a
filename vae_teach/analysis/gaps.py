"""Where the ELBO loses nats: the approximation gap and the amortization gap (Cremer et al. 2018).

log p(x) - ELBO(encoder's q) = [log p(x) - ELBO(best q)] + [ELBO(best q) - ELBO(encoder's q)]
                             =  approximation gap        +  amortization gap

"best q" is the best diagonal Gaussian for that one image. Two ways to find it: on a 2-D
latent, by quadrature (``analysis.marginal.best_diagonal_gaussian``); in any dimension, by
optimising q per image with Adam on its ELBO (``optimise_gaussian``, vectorised over images).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import Tensor

from .._validate import check_images, check_positive_int, check_seed
from ..distributions import gaussian_kl, log_normal_diag
from .marginal import GridPosterior, log_marginal_grid, minimise_each


def _posterior_of(model, x: Tensor) -> tuple[Tensor, Tensor]:
    with torch.no_grad():
        return model.posterior(x.flatten(1), None)


def _check_q(mu: Tensor, logvar: Tensor, n: int, d: int) -> None:
    if not (isinstance(mu, Tensor) and isinstance(logvar, Tensor)) or mu.shape != (n, d) or logvar.shape != (n, d):
        got = [tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__ for t in (mu, logvar)]
        raise ValueError(f"expected mu and logvar of shape ({n}, {d}); got {got[0]} and {got[1]}")


def _log_likelihoods(model, x: Tensor, mu: Tensor, logvar: Tensor, noise: Tensor) -> Tensor:
    """log p(x|z) at z = mu + exp(logvar / 2) * noise; noise (S, N, D) -> (S, N)."""
    z = mu + (0.5 * logvar).exp() * noise
    s, n, d = noise.shape
    out = model.decode_logits(z.reshape(s * n, d))
    return model.log_likelihood(out, x.expand(s, *x.shape).reshape(s * n, *x.shape[1:])).reshape(s, n)


def optimise_gaussian(model, x: Tensor, steps: int = 100, samples: int = 16, lr: float = 0.05,
                      init: tuple[Tensor, Tensor] | None = None, seed: int = 0,
                      fixed_noise: bool = False) -> tuple[Tensor, Tensor]:
    """The diagonal Gaussian q_n = N(mu_n, exp(logvar_n)) that maximises each image's ELBO, found by Adam.

    x: (N, 1, 28, 28). Every image has its own (mu, logvar), all optimised at once (the images
    do not interact, so one Adam on the summed ELBO optimises each). The ELBO is the closed-form
    KL plus the reconstruction term averaged over ``samples`` draws of z. By default the draws
    are fresh at every step (an unbiased gradient) and the learning rate falls from lr to
    lr / 100 (cosine), so the noise averages out; fixed_noise=True reuses one set of draws (a
    deterministic objective, but with few samples q then fits those draws: in 20 dimensions, 8
    fixed draws cost several nats of ELBO on fresh ones). init: the start, (N, D) each; default
    the encoder's q. Returns (mu, logvar), (N, D) each, detached.
    The model's own weights are not changed (gradients are taken with respect to q only).
    """
    x = check_images(x).to(model.device)
    n, d = x.shape[0], model.latent_dim
    check_positive_int(steps, "steps")
    check_positive_int(samples, "samples")
    if not lr > 0:
        raise ValueError(f"expected lr > 0; got {lr!r}")
    start_mu, start_logvar = init if init is not None else _posterior_of(model, x)
    _check_q(start_mu, start_logvar, n, d)
    mu = start_mu.detach().clone().float().to(model.device).requires_grad_(True)
    logvar = start_logvar.detach().clone().float().to(model.device).requires_grad_(True)
    generator = torch.Generator(device=model.device).manual_seed(check_seed(seed))
    noise = torch.randn(samples, n, d, generator=generator, device=model.device)
    optimiser = torch.optim.Adam([mu, logvar], lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, steps, eta_min=lr / 100)
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            for _ in range(steps):
                if not fixed_noise:
                    noise = torch.randn(samples, n, d, generator=generator, device=model.device)
                elbo = _log_likelihoods(model, x, mu, logvar, noise).mean(0) - gaussian_kl(mu, logvar)
                grads = torch.autograd.grad(-elbo.sum(), [mu, logvar])
                mu.grad, logvar.grad = grads
                optimiser.step()
                schedule.step()
    finally:
        model.train(was_training)
    return mu.detach(), logvar.detach()


def best_gaussian_on_grid(grid: GridPosterior, max_iter: int = 100) -> tuple[Tensor, Tensor, Tensor]:
    """The diagonal Gaussian closest to each image's true posterior on its quadrature grid: argmin KL(q || p(z|x)).

    grid: ``log_marginal_grid`` of N images (a 2-D latent). The KL of each image is computed on
    its grid as the KL between q's and p's shares of the grid cells (q renormalised there by a
    softmax, so a q that drifts off the grid gives a large KL, never 0 / 0 or NaN), and the summed
    KL is minimised with L-BFGS (max_iter iterations). Two starts per image, the posterior's
    mean and its mode (the highest grid point: a posterior with two bumps has its mean between
    them), each with the posterior's variances; the better one is kept. No decoding: the grid
    holds log p(x, z). Returns (mu (N, 2), logvar (N, 2), kl (N,)), float64, kl in nats: the
    approximation gap of each image. (``marginal.best_diagonal_gaussian`` is the same search
    from one start with q unnormalised: fine for a few images, NaN for all once one q leaves its grid.)
    """
    check_positive_int(max_iter, "max_iter")
    n, g = grid.log_joint.shape[0], grid.log_joint.shape[1]
    z1 = grid.axes[:, 0][:, None, :].expand(n, g, g)  # column j at axes[n, 0, j]
    z2 = grid.axes[:, 1][:, :, None].expand(n, g, g)  # row i at axes[n, 1, i]
    points = torch.stack([z1, z2], dim=-1).reshape(n, g * g, 2).repeat(2, 1, 1)
    log_post_mass = ((grid.log_joint - grid.log_px[:, None, None]).reshape(n, g * g)
                     + grid.cell_area.log()[:, None]).repeat(2, 1)  # log of p's share of each cell
    weights = grid.posterior.reshape(n, g * g)
    mean = (weights[..., None] * points[:n]).sum(1)
    var = (weights[..., None] * (points[:n] - mean[:, None]).pow(2)).sum(1).clamp(min=1e-12)
    mode = points[torch.arange(n), weights.argmax(dim=1)]
    mu = torch.cat([mean, mode]).requires_grad_(True)
    logvar = var.log().repeat(2, 1).requires_grad_(True)

    def kl() -> Tensor:
        # q's and p's shares of each cell, both normalised on the grid: the KL of two discrete
        # distributions, >= 0 whatever q does (p's shares sum to 1: see GridPosterior)
        log_q_mass = torch.log_softmax(log_normal_diag(points, mu[:, None], logvar[:, None]), dim=1)
        return (log_q_mass.exp() * (log_q_mass - log_post_mass)).sum(1)

    minimise_each(kl, [mu, logvar], max_iter)
    with torch.no_grad():
        values = kl().reshape(2, n)
        rows = values.argmin(dim=0) * n + torch.arange(n)
        return mu.detach()[rows].clone(), logvar.detach()[rows].clone(), values.min(dim=0).values


class ElboEstimate(NamedTuple):
    """Monte Carlo ELBO of each image under a given q: mean (N,) and its standard error se (N,), nats."""

    mean: Tensor
    se: Tensor


def gaussian_elbo(model, x: Tensor, mu: Tensor, logvar: Tensor, samples: int = 500, seed: int = 0) -> ElboEstimate:
    """ELBO(q) = E_q[log p(x|z)] - KL(q || p(z)) for q = N(mu, exp(logvar)) per image, by Monte Carlo.

    x: (N, 1, 28, 28); mu, logvar: (N, D). The KL is exact; the reconstruction term averages
    ``samples`` fresh draws, and its standard error is the standard error of the ELBO.
    Returns an ElboEstimate of (N,) float64 tensors, nats.
    """
    x = check_images(x).to(model.device)
    _check_q(mu, logvar, x.shape[0], model.latent_dim)
    check_positive_int(samples, "samples")
    if samples < 2:
        raise ValueError(f"expected samples >= 2 (a standard error needs two); got {samples}")
    mu, logvar = mu.float().to(model.device), logvar.float().to(model.device)
    generator = torch.Generator(device=model.device).manual_seed(check_seed(seed))
    per_chunk = max(1, 4_000 // x.shape[0])
    parts = []
    with torch.no_grad():
        for done in range(0, samples, per_chunk):
            m = min(per_chunk, samples - done)
            noise = torch.randn(m, *mu.shape, generator=generator, device=model.device)
            parts.append(_log_likelihoods(model, x, mu, logvar, noise).double().cpu())
        log_lik = torch.cat(parts)
        kl = gaussian_kl(mu, logvar).double().cpu()
    return ElboEstimate(log_lik.mean(0) - kl, log_lik.std(0) / math.sqrt(samples))


class InferenceGaps(NamedTuple):
    """The two gaps of N images, (N,) each, nats.

    log_px: log p(x) (exact by quadrature, or a lower bound such as IWAE_k);
    elbo_best: ELBO of the best diagonal Gaussian per image; elbo_encoder: ELBO of the encoder's q;
    approximation = log_px - elbo_best; amortization = elbo_best - elbo_encoder;
    se: standard error of the amortization gap (Monte Carlo; zero where both ELBOs are exact).
    """

    log_px: Tensor
    elbo_best: Tensor
    elbo_encoder: Tensor
    approximation: Tensor
    amortization: Tensor
    se: Tensor


def gaps_from(log_px: Tensor, elbo_best: Tensor, elbo_encoder: Tensor, se: Tensor | None = None) -> InferenceGaps:
    """InferenceGaps from log p(x) (or a bound), ELBO(best q) and ELBO(encoder's q), all (N,) nats."""
    values = [torch.as_tensor(v).double().cpu() for v in (log_px, elbo_best, elbo_encoder)]
    if len({tuple(v.shape) for v in values}) != 1 or values[0].ndim != 1:
        raise ValueError(f"expected log_px, elbo_best and elbo_encoder of one shape (N,); "
                         f"got {[tuple(v.shape) for v in values]}")
    lp, best, enc = values
    se = torch.zeros_like(lp) if se is None else torch.as_tensor(se).double().cpu()
    return InferenceGaps(lp, best, enc, lp - best, best - enc, se)


def gaps_by_quadrature(model, x: Tensor, elbo_encoder: Tensor, elbo_encoder_se: Tensor | None = None,
                       grid_size: int = 60, zoom: int = 30) -> InferenceGaps:
    """Both gaps of images x (N, 1, 28, 28) under a 2-D VAE, with log p(x) exact by quadrature.

    The best diagonal Gaussian minimises KL(q || p(z|x)) on each image's grid
    (``best_gaussian_on_grid``), so ELBO(best q) = log p(x) - that KL, without sampling.
    elbo_encoder: (N,) the encoder's ELBO (e.g. the mean of its log importance weights),
    with its standard error elbo_encoder_se (N,). grid_size, zoom: ``log_marginal_grid``'s grids.
    """
    grid = log_marginal_grid(model, x, grid_size=grid_size, extent=6.0, zoom=zoom)
    _, _, kl_best = best_gaussian_on_grid(grid)
    return gaps_from(grid.log_px, grid.log_px - kl_best, elbo_encoder, elbo_encoder_se)
