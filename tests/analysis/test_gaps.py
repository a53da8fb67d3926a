"""The two gaps and the per-image optimisers, held against the linear-Gaussian VAE's closed form.

For that model the posterior is Gaussian with precision L; the best diagonal Gaussian (the
ELBO's optimum over q) has the posterior's mean and variances 1 / L_ii (Bishop 2006, 10.1.2),
and every KL between Gaussians is closed form (torch.distributions): oracles the code under test
does not use.
"""

import pytest
import torch
from torch.distributions import MultivariateNormal, kl_divergence

import vae_teach as vt
from vae_teach.analysis.gaps import (best_gaussian_on_grid, gaps_by_quadrature, gaps_from, gaussian_elbo,
                                     optimise_gaussian)

from test_marginal import linear_gaussian_truth, linear_gaussian_vae, some_images


@pytest.fixture(scope="module")
def closed_form():
    """The model, 3 images, and the closed forms: log p(x), mean-field optimum, encoder's q and the KLs."""
    model = linear_gaussian_vae()
    x = some_images(3)
    log_px, post_mean, post_cov = linear_gaussian_truth(model, x)
    posterior = MultivariateNormal(post_mean, covariance_matrix=post_cov)
    best_var = 1.0 / torch.linalg.inv(post_cov).diagonal()
    best = MultivariateNormal(post_mean, covariance_matrix=torch.diag(best_var).expand(3, 2, 2))
    with torch.no_grad():
        enc_mu, enc_logvar = model.encode(x)
    encoder = MultivariateNormal(enc_mu.double(), covariance_matrix=torch.diag_embed(enc_logvar.double().exp()))
    return dict(model=model, x=x, log_px=log_px, post_mean=post_mean, best_var=best_var,
                kl_best=kl_divergence(best, posterior), kl_encoder=kl_divergence(encoder, posterior),
                enc_mu=enc_mu, enc_logvar=enc_logvar)


def test_best_gaussian_on_grid_is_the_mean_field_optimum(closed_form):
    c = closed_form
    grid = vt.log_marginal_grid(c["model"], c["x"], grid_size=60, extent=6.0, zoom=40)
    mu, logvar, kl = best_gaussian_on_grid(grid)
    assert torch.allclose(mu, c["post_mean"], atol=2e-3)
    assert torch.allclose(logvar.exp(), c["best_var"].expand(3, 2), rtol=2e-2)
    assert torch.allclose(kl, c["kl_best"], atol=2e-3)


def test_both_gaps_by_quadrature_match_the_closed_form(closed_form):
    c = closed_form
    elbo_encoder = c["log_px"] - c["kl_encoder"]  # log p(x) = ELBO + KL(q || p(z|x))
    gaps = gaps_by_quadrature(c["model"], c["x"], elbo_encoder, grid_size=60, zoom=40)
    assert torch.allclose(gaps.log_px, c["log_px"], atol=1e-3)
    assert torch.allclose(gaps.approximation, c["kl_best"], atol=2e-3)
    assert torch.allclose(gaps.amortization, c["kl_encoder"] - c["kl_best"], atol=2e-3)
    assert (gaps.amortization > 0.1).all()  # the untrained encoder is far from the posterior


def test_adam_per_image_finds_the_mean_field_optimum(closed_form):
    c = closed_form
    mu, logvar = optimise_gaussian(c["model"], c["x"], steps=300, samples=64, lr=0.05)
    assert torch.allclose(mu.double(), c["post_mean"], atol=0.05)
    assert torch.allclose(logvar.exp().double(), c["best_var"].expand(3, 2), rtol=0.15)
    # its ELBO is the optimum's, log p(x) - KL(best || posterior), within the Monte Carlo error
    elbo = gaussian_elbo(c["model"], c["x"], mu, logvar, samples=4000, seed=1)
    expected = c["log_px"] - c["kl_best"]
    assert ((elbo.mean - expected).abs() < 4 * elbo.se + 0.02).all(), f"{elbo.mean} vs {expected}"


def test_adam_per_image_leaves_the_model_unchanged(closed_form):
    c = closed_form
    before = {k: v.clone() for k, v in c["model"].state_dict().items()}
    optimise_gaussian(c["model"], c["x"], steps=5, samples=4)
    assert all(torch.equal(before[k], v) for k, v in c["model"].state_dict().items())
    assert all(p.grad is None for p in c["model"].parameters())


def test_gaussian_elbo_of_the_encoder_matches_the_closed_form(closed_form):
    c = closed_form
    elbo = gaussian_elbo(c["model"], c["x"], c["enc_mu"], c["enc_logvar"], samples=4000)
    expected = c["log_px"] - c["kl_encoder"]
    assert ((elbo.mean - expected).abs() < 4 * elbo.se).all(), f"{elbo.mean} vs {expected} (se {elbo.se})"


def test_gaps_from_adds_up_to_the_total_gap():
    g = gaps_from(torch.tensor([-90.0, -80.0]), torch.tensor([-91.0, -80.5]), torch.tensor([-95.0, -81.0]))
    assert torch.allclose(g.approximation + g.amortization, g.log_px - g.elbo_encoder)
    assert g.approximation.tolist() == [1.0, 0.5] and g.amortization.tolist() == [4.0, 0.5]


def test_bad_inputs_are_refused_with_what_was_expected(closed_form):
    c = closed_form
    with pytest.raises(ValueError, match=r"shape \(3, 2\)"):
        gaussian_elbo(c["model"], c["x"], torch.zeros(3, 5), torch.zeros(3, 5))
    with pytest.raises(ValueError, match="samples >= 2"):
        gaussian_elbo(c["model"], c["x"], c["enc_mu"], c["enc_logvar"], samples=1)
    with pytest.raises(ValueError, match=r"one shape \(N,\)"):
        gaps_from(torch.zeros(3), torch.zeros(2), torch.zeros(3))
