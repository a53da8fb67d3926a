"""log p(x) of a 2-D-latent VAE by quadrature over a latent grid, and the true posterior on that grid.

With a 2-D latent the integral p(x) = integral p(x|z) p(z) dz can be done on a fine grid:
log p(x) ~= logsumexp_ij [log p(x|z_ij) + log p(z_ij)] + log(cell area). The decoder does not
depend on x, so the grid is decoded once and every image is scored against it with one
matrix product (vectorised: seconds for a few images, not minutes).
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .._validate import check_images, check_positive_int
from ..distributions import log_normal_diag, log_standard_normal
from .grids import grid_from_axes


class GridPosterior(NamedTuple):
    """Quadrature results for N images, each on its own G x G latent grid.

    log_px: (N,) log p(x), nats. log_joint: (N, G, G) log p(x, z) at the grid points, row i at
    z_2 = axes[n, 1, i], column j at z_1 = axes[n, 0, j]. posterior: (N, G, G) p(z|x) * cell area
    (each image's grid sums to 1). axes: (N, 2, G) cell centres along z_1 and z_2.
    cell_area: (N,). extent: the first, coarse grid covered [-extent, extent]^2.
    """

    log_px: Tensor
    log_joint: Tensor
    posterior: Tensor
    axes: Tensor
    cell_area: Tensor
    extent: float


def latent_grid(grid_size: int, extent: float) -> tuple[Tensor, Tensor, float]:
    """Cell centres of a grid_size x grid_size grid over [-extent, extent]^2.

    Returns (axis (G,), points (G*G, 2) in row-major order: point [i*G + j] = (axis[j], axis[i]),
    cell area). Row i is the second latent coordinate, column j the first, as in an image.
    """
    check_positive_int(grid_size, "grid_size")
    if not extent > 0:
        raise ValueError(f"expected extent > 0; got {extent!r}")
    corner = torch.full((2,), float(extent), dtype=torch.float64)
    axes, points, area = _box_grid(-corner, corner, grid_size)
    return axes[0], points, area


def _log_likelihood_table(model, x_flat: Tensor, decoded: Tensor) -> Tensor:
    """log p(x_n | z_m) for every image n and grid point m: (N, M), float64.

    decoded: (M, 784) decoder output at the grid points (logits or pixel means).
    Bernoulli: sum x * logits - softplus(logits), a matrix product in x.
    Gaussian: -0.5 |x - mean|^2 / sigma^2 - const, expanded into a matrix product.
    """
    if model.likelihood == "bernoulli":
        return x_flat @ decoded.T - F.softplus(decoded).sum(dim=1)
    sigma = model.gaussian_sigma
    sq = x_flat.pow(2).sum(1, keepdim=True) - 2.0 * x_flat @ decoded.T + decoded.pow(2).sum(1)
    n_pixels = x_flat.shape[1]
    return -0.5 * sq / sigma**2 - n_pixels * (math.log(sigma) + 0.5 * math.log(2.0 * math.pi))


def _log_joint(model, x_flat: Tensor, points: Tensor, chunk: int) -> Tensor:
    """log p(x_n, z_m) for images x_flat (N, 784) float64 and points (M, 2) float64: (N, M)."""
    tables = []
    for start in range(0, points.shape[0], chunk):
        z = points[start:start + chunk]
        decoded = model.decode_logits(z.to(model.device, torch.float32)).flatten(1).to(torch.float64).cpu()
        tables.append(_log_likelihood_table(model, x_flat, decoded) + log_standard_normal(z))
    return torch.cat(tables, dim=1)


def _box_grid(low: Tensor, high: Tensor, grid_size: int) -> tuple[Tensor, Tensor, float]:
    """Cell centres of a grid_size^2 grid over the box [low_1, high_1] x [low_2, high_2] (float64).

    Returns (axes (2, G), points (G*G, 2) row-major with z_1 fastest, cell area). Rows run from
    low z_2 up, so that log_joint[n, i, j] sits at (axes[0, j], axes[1, i]) with both axes
    increasing, the order contour plots and posterior moments index it by (and the order the
    quadrature sums in: flipping it would move the last digits of log p(x)).
    """
    widths = (high - low) / grid_size
    axes = low[:, None] + widths[:, None] * (torch.arange(grid_size, dtype=torch.float64) + 0.5)
    return axes, grid_from_axes(axes[0], axes[1], high_z2_first=False), float(widths.prod())


def log_marginal_grid(model, x: Tensor, grid_size: int = 200, extent: float = 6.0,
                      chunk: int = 10_000, zoom: int | None = 100, threshold: float = 30.0) -> GridPosterior:
    """log p(x) (N,) in nats of images x (N, 1, 28, 28) under a 2-D-latent VAE by quadrature, and p(z|x) on a grid.

    Two passes. First a coarse G x G grid over [-extent, extent]^2, decoded once for all images
    (one matrix product scores every image). Then, unless ``zoom`` is None, a zoom x zoom grid per
    image over the box that holds that image's posterior mass (cells within ``threshold`` nats of
    the peak, plus one coarse cell each side): posteriors are often narrower than a coarse cell.
    model: a VAE (any model with ``latent_dim == 2``, ``decode_logits`` and ``likelihood``).
    x: (N, 1, 28, 28) images in [0, 1]. extent must cover the posterior mass (check by enlarging
    it and by refining the grid: the answer should not move). chunk: points decoded at a time.
    Computed in float64. Returns a GridPosterior (grids of zoom x zoom points, or G x G without
    zoom); log_px is (N,), nats.
    """
    if getattr(model, "latent_dim", None) != 2:
        raise ValueError(f"expected a model with a 2-D latent (quadrature needs latent_dim == 2); "
                         f"got latent_dim={getattr(model, 'latent_dim', None)!r}")
    x = check_images(x)
    check_positive_int(chunk, "chunk")
    axis, points, area = latent_grid(grid_size, extent)
    x_flat = x.flatten(1).to(torch.float64).cpu()
    n = x_flat.shape[0]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            log_joint = _log_joint(model, x_flat, points, chunk)
            g, axes = grid_size, axis.expand(n, 2, grid_size).clone()
            areas = torch.full((n,), area, dtype=torch.float64)
            if zoom is not None:
                check_positive_int(zoom, "zoom")
                coarse, g = log_joint, zoom
                log_joint, axes = torch.empty(n, g * g, dtype=torch.float64), torch.empty(n, 2, g, dtype=torch.float64)
                width = 2.0 * extent / grid_size
                for i in range(n):
                    keep = coarse[i] > coarse[i].max() - threshold
                    low = (points[keep].min(dim=0).values - width).clamp(min=-extent)
                    high = (points[keep].max(dim=0).values + width).clamp(max=extent)
                    axes[i], box_points, areas[i] = _box_grid(low, high, g)
                    log_joint[i] = _log_joint(model, x_flat[i:i + 1], box_points, chunk)[0]
    finally:
        model.train(was_training)
    total = torch.logsumexp(log_joint, dim=1)
    posterior = torch.exp(log_joint - total[:, None])
    return GridPosterior(total + areas.log(), log_joint.reshape(n, g, g), posterior.reshape(n, g, g),
                         axes, areas, float(extent))


def kl_to_true_posterior(model, x: Tensor, mu: Tensor, logvar: Tensor, log_px: Tensor,
                         grid_size: int = 200, width: float = 7.0) -> Tensor:
    """KL(q(z|x) || p(z|x)) per image by quadrature over q's own box, mu +- width * sigma; nats.

    log p(z|x) = log p(x, z) - log p(x), with log_px (N,) from ``log_marginal_grid``.
    x: (N, 1, 28, 28); mu, logvar: (N, 2) parameters of q(z|x). Returns (N,).
    """
    x = check_images(x)
    n = x.shape[0]
    if mu.shape != (n, 2) or logvar.shape != (n, 2) or log_px.shape != (n,):
        raise ValueError(f"expected mu and logvar of shape ({n}, 2) and log_px of shape ({n},); "
                         f"got {tuple(mu.shape)}, {tuple(logvar.shape)} and {tuple(log_px.shape)}")
    mu64, std64 = mu.detach().cpu().double(), torch.exp(0.5 * logvar.detach().cpu().double())
    x_flat = x.flatten(1).to(torch.float64).cpu()
    result = torch.empty(n, dtype=torch.float64)
    with torch.no_grad():
        for i in range(n):
            _, points, area = _box_grid(mu64[i] - width * std64[i], mu64[i] + width * std64[i], grid_size)
            log_q = log_normal_diag(points, mu64[i], 2.0 * std64[i].log())
            log_post = _log_joint(model, x_flat[i:i + 1], points, 10_000)[0] - float(log_px[i])
            q_mass = torch.exp(log_q) * area
            result[i] = (q_mass * (log_q - log_post)).sum() / q_mass.sum()
    return result


class BoundEstimate(NamedTuple):
    """Monte Carlo estimates of E[IWAE_k] for several k and N images.

    mean: (K, N) nats, the average of ``draws[j]`` independent IWAE_k values per image;
    se: (K, N) its standard error (sample standard deviation / sqrt(draws)); draws: (K,).
    """

    mean: Tensor
    se: Tensor
    draws: Tensor


def _iwae_draws(model, x: Tensor, k: int, repeats: int, generator: torch.Generator) -> Tensor:
    """repeats independent IWAE_k values of each image x (N, ...): (repeats, N) float64, on the CPU."""
    from ..objectives import iwae_per_example

    per_pass = max(1, 20_000 // (k * x.shape[0]))  # bounds memory: ~20,000 decoded images at once
    draws = []
    for start in range(0, repeats, per_pass):
        m = min(repeats - start, per_pass)
        batch = x.repeat(m, 1, 1, 1)  # m independent IWAE_k draws per image, in one pass
        draws.append(iwae_per_example(model, batch, k, generator).reshape(m, x.shape[0]))
    return torch.cat(draws).double().cpu()


def _reduce_draws(model, x: Tensor, ks: list[int], budget: int, min_draws: int, seed: int,
                  reduce: Callable[[Tensor], Any]) -> list[Any]:
    """For each k, reduce(draws) of max(min_draws, budget // k) independent IWAE_k draws per image.

    draws: (R, N) float64 nats for x (N, 1, 28, 28); one generator (``seed``) serves every k in
    order, and only one k's draws are held at a time. The model is in eval mode meanwhile.
    """
    x = check_images(x).to(model.device)
    generator = torch.Generator(device=model.device).manual_seed(seed)
    reduced = []
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for k in ks:
                check_positive_int(k, "k")
                reduced.append(reduce(_iwae_draws(model, x, k, max(min_draws, budget // k), generator)))
    finally:
        model.train(was_training)
    return reduced


def iwae_estimates(model, x: Tensor, ks: list[int], budget: int = 10_000, min_draws: int = 2,
                   seed: int = 0) -> BoundEstimate:
    """E[IWAE_k] per image for each k, with standard errors: max(min_draws, budget // k) draws each.

    A single IWAE_k value is random; the bound ELBO <= E[IWAE_k] <= log p(x) holds for its
    mean. k = 1 gives the ELBO. x: (N, 1, 28, 28). Returns a BoundEstimate ((K, N) nats).
    """
    check_positive_int(min_draws, "min_draws")
    if min_draws < 2:
        raise ValueError(f"expected min_draws >= 2 (a standard error needs two draws); got {min_draws}")
    rows = _reduce_draws(model, x, ks, budget, min_draws, seed, lambda draws: (
        draws.mean(dim=0), draws.std(dim=0) / draws.shape[0] ** 0.5, draws.shape[0]))
    means, errors, counts = zip(*rows)
    return BoundEstimate(torch.stack(means), torch.stack(errors), torch.tensor(counts))


def expected_iwae(model, x: Tensor, ks: list[int], budget: int = 10_000, seed: int = 0) -> Tensor:
    """E[IWAE_k] per image for each k, estimated by averaging budget // k independent IWAE_k draws.

    A single IWAE_k value is random; the bound ELBO <= E[IWAE_k] <= log p(x) holds for its mean.
    k = 1 gives the ELBO (averaged over ``budget`` samples). x: (N, 1, 28, 28).
    Returns (len(ks), N), nats. ``iwae_estimates`` adds standard errors.
    """
    return torch.stack(_reduce_draws(model, x, ks, budget, 1, seed, lambda draws: draws.mean(dim=0)))


def minimise_each(losses: Callable[[], Tensor], params: list[Tensor], max_iter: int) -> None:
    """Minimise every entry of ``losses()`` (N,) over ``params`` in place, by L-BFGS on their sum.

    The entries must not interact (each depends on its own rows of ``params``), so one optimiser
    on the sum minimises each of them; ``max_iter`` bounds L-BFGS's iterations.
    """
    optimiser = torch.optim.LBFGS(params, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure() -> Tensor:
        optimiser.zero_grad()
        total = losses().sum()
        total.backward()
        return total

    with torch.enable_grad():
        optimiser.step(closure)


def best_diagonal_gaussian(grid: GridPosterior, max_iter: int = 50) -> tuple[Tensor, Tensor, Tensor]:
    """The diagonal Gaussian closest to each true posterior: argmin over (mu, logvar) of KL(q || p(z|x)).

    grid: ``log_marginal_grid`` of N images (with its zoomed grids, which hold each posterior's
    mass). The KL is computed by quadrature on those grids and minimised with L-BFGS from the
    posterior's own mean and variances (no decoding: the grid already holds log p(x, z));
    max_iter bounds the L-BFGS iterations (about 30 suffice for a trained 2-D VAE).
    KL(best q || p(z|x)) is the *approximation gap* of a diagonal Gaussian family (Cremer et al.
    2018); an encoder's KL minus it is its *amortization gap*. Returns (mu, logvar, kl): (N, 2),
    (N, 2), (N,) nats, float64; ``kl_to_true_posterior`` at the returned mu and logvar agrees.
    """
    check_positive_int(max_iter, "max_iter")
    n, g = grid.log_joint.shape[0], grid.log_joint.shape[1]
    z1 = grid.axes[:, 0][:, None, :].expand(n, g, g)  # column j at axes[n, 0, j]
    z2 = grid.axes[:, 1][:, :, None].expand(n, g, g)  # row i at axes[n, 1, i]
    points = torch.stack([z1, z2], dim=-1).reshape(n, g * g, 2)
    log_post = (grid.log_joint - grid.log_px[:, None, None]).reshape(n, g * g)
    weights = grid.posterior.reshape(n, g * g)
    mean = (weights[..., None] * points).sum(1)
    var = (weights[..., None] * (points - mean[:, None]).pow(2)).sum(1)
    mu, logvar = mean.clone().requires_grad_(True), var.log().requires_grad_(True)

    def kl() -> Tensor:
        log_q = log_normal_diag(points, mu[:, None], logvar[:, None])  # (N, G*G)
        q_mass = torch.exp(log_q) * grid.cell_area[:, None]
        return (q_mass * (log_q - log_post)).sum(1) / q_mass.sum(1)

    minimise_each(kl, [mu, logvar], max_iter)
    with torch.no_grad():
        return mu.detach().clone(), logvar.detach().clone(), kl()
