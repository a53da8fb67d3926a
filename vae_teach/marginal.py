"""log p(x) of a 2-D-latent VAE by quadrature over a latent grid, and the true posterior on that grid.

With a 2-D latent the integral p(x) = integral p(x|z) p(z) dz can be done on a fine grid:
log p(x) ~= logsumexp_ij [log p(x|z_ij) + log p(z_ij)] + log(cell area). The decoder does not
depend on x, so the grid is decoded once and every image is scored against it with one
matrix product (vectorised: seconds for a few images, not minutes).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .losses import log_normal_diag, log_standard_normal
from .validate import check_images, check_positive_int


class GridPosterior(NamedTuple):
    """Quadrature results for N images on a G x G latent grid.

    log_px: (N,) log p(x), nats. log_joint: (N, G, G) log p(x, z) at the grid points.
    posterior: (N, G, G) p(z|x) * cell area (each image's grid sums to 1).
    axis: (G,) grid coordinates along each latent axis (cell centres); cell_area: float;
    extent: the grid covers [-extent, extent]^2.
    """

    log_px: Tensor
    log_joint: Tensor
    posterior: Tensor
    axis: Tensor
    cell_area: float
    extent: float


def latent_grid(grid_size: int, extent: float) -> tuple[Tensor, Tensor, float]:
    """Cell centres of a grid_size x grid_size grid over [-extent, extent]^2.

    Returns (axis (G,), points (G*G, 2) in row-major order: point [i*G + j] = (axis[j], axis[i]),
    cell area). Row i is the second latent coordinate, column j the first, as in an image.
    """
    check_positive_int(grid_size, "grid_size")
    if not extent > 0:
        raise ValueError(f"expected extent > 0; got {extent!r}")
    width = 2.0 * extent / grid_size
    axis = -extent + width * (torch.arange(grid_size, dtype=torch.float64) + 0.5)
    z2, z1 = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([z1.reshape(-1), z2.reshape(-1)], dim=1)
    return axis, points, width * width


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


def log_marginal_grid(model, x: Tensor, grid_size: int = 200, extent: float = 6.0,
                      chunk: int = 10_000) -> GridPosterior:
    """log p(x) of a VAE with a 2-D latent by quadrature over [-extent, extent]^2.

    model: a VAE (any model with ``latent_dim == 2``, ``decode_logits`` and ``likelihood``).
    x: (N, 1, 28, 28) images in [0, 1]. grid_size: G points per axis (G*G decoder calls in all,
    shared by every image). extent: half-width of the square; it must cover the posterior
    mass (check by enlarging it and refining the grid: the answer should not move).
    chunk: grid points decoded at a time (bounds memory). Computed in float64.
    Returns a GridPosterior with log_px (N,) in nats and the posterior on the grid.
    """
    if getattr(model, "latent_dim", None) != 2:
        raise ValueError(f"expected a model with a 2-D latent (quadrature needs latent_dim == 2); "
                         f"got latent_dim={getattr(model, 'latent_dim', None)!r}")
    x = check_images(x)
    check_positive_int(chunk, "chunk")
    axis, points, area = latent_grid(grid_size, extent)
    x_flat = x.flatten(1).to(torch.float64).cpu()
    was_training = model.training
    model.eval()
    tables = []
    try:
        with torch.no_grad():
            for start in range(0, points.shape[0], chunk):
                z = points[start:start + chunk]
                decoded = model.decode_logits(z.to(model.device, torch.float32))
                decoded = decoded.flatten(1).to(torch.float64).cpu()
                tables.append(_log_likelihood_table(model, x_flat, decoded) + log_standard_normal(z))
    finally:
        model.train(was_training)
    log_joint = torch.cat(tables, dim=1)
    log_px = torch.logsumexp(log_joint, dim=1) + math.log(area)
    posterior = torch.exp(log_joint - torch.logsumexp(log_joint, dim=1, keepdim=True))
    g = grid_size
    return GridPosterior(log_px, log_joint.reshape(-1, g, g), posterior.reshape(-1, g, g), axis, area,
                        float(extent))


def kl_to_true_posterior(grid: GridPosterior, mu: Tensor, logvar: Tensor) -> Tensor:
    """KL(q(z|x) || p(z|x)) per image by quadrature on the same grid, nats.

    grid: from ``log_marginal_grid``; mu, logvar: (N, 2) parameters of q(z|x).
    log p(z|x) = log p(x, z) - log p(x). q must put its mass inside the grid.
    Returns (N,).
    """
    if mu.shape != logvar.shape or mu.dim() != 2 or mu.shape[1] != 2 or mu.shape[0] != grid.log_px.shape[0]:
        raise ValueError(f"expected mu and logvar of shape ({grid.log_px.shape[0]}, 2); "
                         f"got {tuple(mu.shape)} and {tuple(logvar.shape)}")
    _, points, area = latent_grid(grid.axis.shape[0], grid.extent)
    mu64, logvar64 = mu.detach().cpu().double(), logvar.detach().cpu().double()
    log_q = log_normal_diag(points[None], mu64[:, None], logvar64[:, None])  # (N, M)
    q_mass = torch.exp(log_q) * area
    log_post = grid.log_joint.flatten(1) - grid.log_px[:, None]
    return (q_mass * (log_q - log_post)).sum(dim=1)


def expected_iwae(model, x: Tensor, ks: list[int], budget: int = 10_000, seed: int = 0) -> Tensor:
    """E[IWAE_k] per image for each k, estimated by averaging budget // k independent IWAE_k draws.

    A single IWAE_k value is random; the bound ELBO <= E[IWAE_k] <= log p(x) holds for its mean.
    k = 1 gives the ELBO (averaged over ``budget`` samples). x: (N, 1, 28, 28).
    Returns (len(ks), N), nats.
    """
    from .losses import iwae_per_example

    x = check_images(x).to(model.device)
    generator = torch.Generator(device=model.device).manual_seed(seed)
    rows = []
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for k in ks:
                check_positive_int(k, "k")
                repeats = max(1, budget // k)
                draws = []
                for start in range(0, repeats, max(1, 20_000 // (k * x.shape[0]))):
                    m = min(repeats - start, max(1, 20_000 // (k * x.shape[0])))
                    batch = x.repeat(m, 1, 1, 1)  # m independent IWAE_k draws per image, in one pass
                    draws.append(iwae_per_example(model, batch, k, generator).reshape(m, x.shape[0]))
                rows.append(torch.cat(draws).double().mean(dim=0).cpu())
    finally:
        model.train(was_training)
    return torch.stack(rows)
