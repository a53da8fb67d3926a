"""log_marginal_grid against models whose log p(x) is known: a linear-Gaussian decoder, and IWAE with huge k."""

import math

import pytest
import torch
from torch.distributions import MultivariateNormal, kl_divergence

import vae_teach as vt
from vae_teach.analysis.marginal import kl_to_true_posterior, latent_grid, log_marginal_grid

SIGMA = 0.2


def linear_gaussian_vae(seed: int = 0) -> vt.VAE:
    """A VAE whose decoder is x = W z + b + sigma * noise: then p(x) = N(b, W W^T + sigma^2 I)."""
    model = vt.VAE(latent_dim=2, hidden_dims=(), likelihood="gaussian", gaussian_sigma=SIGMA, seed=seed)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        linear = model.decoder[0]
        linear.weight.copy_(0.02 * torch.randn(784, 2, generator=g))
        linear.bias.fill_(0.5)
    return model


def linear_gaussian_truth(model: vt.VAE, x: torch.Tensor):
    """Closed form for the linear-Gaussian model: (log p(x) (N,), posterior mean (N, 2), posterior cov (2, 2))."""
    w = model.decoder[0].weight.detach().double()
    b = model.decoder[0].bias.detach().double()
    x_flat = x.flatten(1).double()
    marginal = MultivariateNormal(b, covariance_matrix=w @ w.T + SIGMA**2 * torch.eye(784, dtype=torch.float64))
    post_cov = torch.linalg.inv(torch.eye(2, dtype=torch.float64) + w.T @ w / SIGMA**2)
    post_mean = (x_flat - b) @ w @ post_cov.T / SIGMA**2
    return marginal.log_prob(x_flat), post_mean, post_cov


def posterior_moments(result):
    """Mean (N, 2) and variance (N, 2) of each image's grid posterior."""
    z1 = result.axes[:, 0, None, :].expand_as(result.posterior)
    z2 = result.axes[:, 1, :, None].expand_as(result.posterior)
    mean = torch.stack([(result.posterior * z).sum((1, 2)) for z in (z1, z2)], dim=1)
    second = torch.stack([(result.posterior * z**2).sum((1, 2)) for z in (z1, z2)], dim=1)
    return mean, second - mean**2


def some_images(n: int = 4, seed: int = 1) -> torch.Tensor:
    return 0.3 + 0.4 * torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def test_latent_grid_covers_the_square_with_cell_centres():
    axis, points, area = latent_grid(4, 2.0)
    assert torch.allclose(axis, torch.tensor([-1.5, -0.5, 0.5, 1.5], dtype=torch.float64))
    assert points.shape == (16, 2) and area == pytest.approx(1.0)
    assert points[1].tolist() == [-0.5, -1.5]  # row-major: the first coordinate moves fastest


def test_log_marginal_grid_matches_linear_gaussian_closed_form():
    model = linear_gaussian_vae()
    x = some_images()
    expected, _, _ = linear_gaussian_truth(model, x)
    result = log_marginal_grid(model, x, grid_size=200, extent=6.0)
    assert torch.allclose(result.log_px, expected, atol=1e-4)


def test_grid_posterior_mean_matches_linear_gaussian_posterior():
    model = linear_gaussian_vae()
    x = some_images()
    _, post_mean, post_cov = linear_gaussian_truth(model, x)
    result = log_marginal_grid(model, x, grid_size=200, extent=6.0)
    mean, _ = posterior_moments(result)
    assert torch.allclose(result.posterior.sum((1, 2)), torch.ones(4, dtype=torch.float64))
    assert torch.allclose(mean, post_mean, atol=1e-4)


def test_kl_to_true_posterior_matches_gaussian_kl_oracle():
    model = linear_gaussian_vae()
    x = some_images()
    _, post_mean, post_cov = linear_gaussian_truth(model, x)
    mu = post_mean + torch.tensor([0.3, -0.2], dtype=torch.float64)
    logvar = torch.log(torch.tensor([[0.05, 0.2]], dtype=torch.float64)).expand(4, 2)
    q = MultivariateNormal(mu, covariance_matrix=torch.diag_embed(logvar.exp()))
    expected = kl_divergence(q, MultivariateNormal(post_mean, covariance_matrix=post_cov))
    result = log_marginal_grid(model, x, grid_size=200, extent=6.0)
    assert torch.allclose(kl_to_true_posterior(model, x, mu, logvar, result.log_px), expected, atol=1e-3)


@pytest.fixture(scope="module")
def bernoulli_vae():
    """An untrained Bernoulli VAE with a sharpened decoder: its posterior is narrow (std ~0.15) and inside
    [-6, 6]^2, and its encoder (q ~ N(0, I)) is a proposal with which IWAE converges at large k."""
    model = vt.VAE(latent_dim=2, hidden_dims=(32,), seed=0)
    with torch.no_grad():
        model.decoder[0].weight.mul_(3.0)
    return model, vt.load_mnist().test_x[:3]


def test_log_marginal_grid_agrees_with_iwae_at_huge_k(bernoulli_vae):
    model, x = bernoulli_vae
    exact = log_marginal_grid(model, x, grid_size=200, extent=6.0).log_px
    with torch.no_grad():
        bound = vt.iwae_per_example(model, x, k=20_000, generator=torch.Generator().manual_seed(0)).double()
    assert torch.allclose(bound, exact, atol=0.2), f"IWAE(k=20000) {bound} vs quadrature {exact}"


def test_log_marginal_grid_converges_when_the_grid_is_refined(bernoulli_vae):
    model, x = bernoulli_vae
    coarse = log_marginal_grid(model, x, grid_size=150, extent=6.0).log_px
    fine = log_marginal_grid(model, x, grid_size=300, extent=8.0).log_px
    assert torch.allclose(coarse, fine, atol=1e-2)


def test_monte_carlo_elbo_plus_kl_to_true_posterior_equals_log_px(bernoulli_vae):
    model, x = bernoulli_vae
    grid = log_marginal_grid(model, x, grid_size=300, extent=6.0)
    mean, var = posterior_moments(grid)
    mu, logvar = mean.float(), var.log().float()  # a q(z|x) close to the true posterior, so MC is precise
    k = 20_000
    with torch.no_grad():
        z = vt.reparameterize(mu.expand(k, 3, 2), logvar.expand(k, 3, 2), torch.Generator().manual_seed(0))
        logits = model.decode_logits(z.reshape(-1, 2))
        log_lik = vt.bernoulli_log_likelihood(logits, x.expand(k, 3, 1, 28, 28).reshape(-1, 1, 28, 28))
    elbo = log_lik.reshape(k, 3).double().mean(0) - vt.gaussian_kl(mu, logvar).double()
    assert torch.allclose(elbo + kl_to_true_posterior(model, x, mu, logvar, grid.log_px), grid.log_px, atol=0.05)
    assert (elbo < grid.log_px).all()


def test_log_marginal_grid_rejects_a_latent_that_is_not_2d():
    with pytest.raises(ValueError, match="latent_dim == 2"):
        log_marginal_grid(vt.VAE(latent_dim=3), some_images(1))


def test_chunking_does_not_change_the_answer():
    model = linear_gaussian_vae()
    x = some_images(2)
    whole = log_marginal_grid(model, x, grid_size=50, chunk=10_000).log_px
    pieces = log_marginal_grid(model, x, grid_size=50, chunk=7).log_px
    assert torch.allclose(whole, pieces, atol=1e-9)
    assert math.isfinite(float(whole.sum()))


def test_expected_iwae_rises_with_k_towards_log_px(bernoulli_vae):
    from vae_teach.analysis.marginal import expected_iwae
    model, x = bernoulli_vae
    bounds = expected_iwae(model, x, [1, 10, 1000], budget=4000)
    exact = log_marginal_grid(model, x, grid_size=200, extent=6.0).log_px
    assert (bounds[0] < bounds[1]).all() and (bounds[1] < bounds[2]).all()
    assert (bounds[2] <= exact + 0.05).all()


def test_expected_iwae_at_k1_is_the_elbo(bernoulli_vae):
    from vae_teach.analysis.marginal import expected_iwae
    model, x = bernoulli_vae
    bound = expected_iwae(model, x, [1], budget=2000)[0]
    with torch.no_grad():  # 2000 independent one-sample ELBOs per image, in one batch
        draws = vt.elbo_per_example(model, x.repeat(2000, 1, 1, 1), n_samples=1,
                                    generator=torch.Generator().manual_seed(3)).reshape(2000, 3).double()
    standard_error = (2 * draws.var(dim=0) / 2000).sqrt()  # of a difference of two such means
    assert ((bound - draws.mean(dim=0)).abs() < 5 * standard_error).all()


def test_zoomed_grid_agrees_with_a_fine_global_grid(bernoulli_vae):
    model, x = bernoulli_vae
    zoomed = log_marginal_grid(model, x, grid_size=60, extent=6.0, zoom=60).log_px
    fine = log_marginal_grid(model, x, grid_size=400, extent=6.0, zoom=None).log_px
    assert torch.allclose(zoomed, fine, atol=1e-3)


def test_zoomed_grid_resolves_a_posterior_narrower_than_a_coarse_cell():
    model = linear_gaussian_vae()
    with torch.no_grad():
        model.decoder[0].weight.mul_(30.0)  # posterior std ~0.01, a sixth of a coarse cell
    x = some_images(2)
    expected, _, post_cov = linear_gaussian_truth(model, x)
    assert float(post_cov.diagonal().sqrt().max()) < 0.02
    coarse = log_marginal_grid(model, x, grid_size=200, extent=6.0, zoom=None).log_px
    zoomed = log_marginal_grid(model, x, grid_size=200, extent=6.0).log_px
    assert torch.allclose(zoomed, expected, atol=1e-3)
    assert not torch.allclose(coarse, expected, atol=1e-3)


def test_best_diagonal_gaussian_matches_the_mean_field_closed_form():
    # For a Gaussian posterior with precision L, the diagonal q minimising KL(q || p) has p's mean
    # and variances 1 / L_ii (Bishop 2006, section 10.1.2): an oracle the optimiser does not know.
    from vae_teach.analysis.marginal import best_diagonal_gaussian
    model = linear_gaussian_vae()
    x = some_images(3)
    _, post_mean, post_cov = linear_gaussian_truth(model, x)
    variances = 1.0 / torch.linalg.inv(post_cov).diagonal()
    q = MultivariateNormal(post_mean, covariance_matrix=torch.diag(variances).expand(3, 2, 2))
    expected = kl_divergence(q, MultivariateNormal(post_mean, covariance_matrix=post_cov))
    mu, logvar, kl = best_diagonal_gaussian(log_marginal_grid(model, x, grid_size=200, extent=6.0))
    assert torch.allclose(mu, post_mean, atol=1e-3)
    assert torch.allclose(logvar.exp(), variances.expand(3, 2), rtol=1e-2)
    assert torch.allclose(kl, expected, atol=1e-3)


def test_iwae_estimates_standard_error_matches_the_spread_over_seeds(bernoulli_vae):
    from vae_teach.analysis.marginal import iwae_estimates
    model, x = bernoulli_vae
    runs = [iwae_estimates(model, x, [1, 10], budget=200, seed=s) for s in range(12)]
    means = torch.stack([r.mean for r in runs])  # (12, 2, 3)
    stated = torch.stack([r.se for r in runs]).mean(0)
    observed = means.std(dim=0)
    assert runs[0].draws.tolist() == [200, 20]
    assert ((observed / stated - 1).abs() < 0.6).all(), f"stated {stated}, observed {observed}"


def test_iwae_estimates_refuses_fewer_than_two_draws(bernoulli_vae):
    from vae_teach.analysis.marginal import iwae_estimates
    model, x = bernoulli_vae
    with pytest.raises(ValueError, match="min_draws >= 2"):
        iwae_estimates(model, x, [1], min_draws=1)


def test_best_diagonal_gaussian_beats_the_encoder_and_agrees_with_quadrature(bernoulli_vae):
    from vae_teach.analysis.marginal import best_diagonal_gaussian
    model, x = bernoulli_vae
    grid = log_marginal_grid(model, x, grid_size=200, extent=6.0)
    mu, logvar, kl = best_diagonal_gaussian(grid)
    with torch.no_grad():
        enc_mu, enc_logvar = model.encode(x)
    encoder_kl = kl_to_true_posterior(model, x, enc_mu, enc_logvar, grid.log_px)
    assert (kl <= encoder_kl + 1e-6).all() and (kl >= 0).all()
    # kl_to_true_posterior decodes the Gaussian's own box: an independent quadrature of the same KL
    assert torch.allclose(kl_to_true_posterior(model, x, mu, logvar, grid.log_px), kl, atol=1e-3)
