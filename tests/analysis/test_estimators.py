"""Both gradient estimators are unbiased (checked on an objective with a closed-form gradient); their variances differ."""

import pytest
import torch

import vae_teach as vt
from vae_teach.analysis.estimators import (gradient_variance, monte_carlo_kl, reconstruction_objective,
                                 reparameterized_gradient, score_function_gradient)

MU = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
LOGVAR = torch.tensor([0.0, -1.0, 0.5], dtype=torch.float64)


def squared_norm(z):
    """f(z) = |z|^2: E_q f = |mu|^2 + sum exp(logvar), so d/dmu = 2 mu, d/dlogvar = exp(logvar)."""
    return z.pow(2).sum(dim=-1)


TRUE_GRAD_MU, TRUE_GRAD_LOGVAR = 2 * MU, LOGVAR.exp()


@pytest.mark.parametrize("estimator", [score_function_gradient, reparameterized_gradient])
def test_estimator_mean_matches_the_closed_form_gradient(estimator):
    g_mu, g_lv = estimator(squared_norm, MU, LOGVAR, n_samples=100, n_repeats=2000,
                           generator=torch.Generator().manual_seed(0))
    for estimate, truth in ((g_mu, TRUE_GRAD_MU), (g_lv, TRUE_GRAD_LOGVAR)):
        standard_error = estimate.std(dim=0) / estimate.shape[0] ** 0.5
        assert (estimate.mean(dim=0) - truth).abs().le(5 * standard_error + 1e-9).all(), \
            f"{estimator.__name__}: mean {estimate.mean(0)} vs true {truth}"


def test_reparameterized_gradient_of_a_linear_objective_has_no_variance():
    a = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)
    g_mu, _ = reparameterized_gradient(lambda z: (z * a).sum(-1), MU, LOGVAR, n_samples=3, n_repeats=50,
                                       generator=torch.Generator().manual_seed(0))
    assert torch.allclose(g_mu, a.expand(50, 3))


def test_score_function_variance_exceeds_reparameterized_variance():
    result = gradient_variance(squared_norm, MU, LOGVAR, sample_sizes=[1, 10, 100], n_repeats=300)
    assert all(s > 3 * r for s, r in zip(result.score, result.reparam))


def test_variance_falls_as_one_over_the_number_of_samples():
    result = gradient_variance(squared_norm, MU, LOGVAR, sample_sizes=[10, 1000], n_repeats=400)
    for variances in (result.score, result.reparam):
        assert variances[0] / variances[1] == pytest.approx(100, rel=0.35)


def test_monte_carlo_kl_converges_to_gaussian_kl():
    estimates = monte_carlo_kl(MU, LOGVAR, n_samples=20_000, n_repeats=20,
                               generator=torch.Generator().manual_seed(0))
    exact = vt.gaussian_kl(MU[None], LOGVAR[None])[0]
    assert float(estimates.mean()) == pytest.approx(float(exact), abs=0.01)


def test_monte_carlo_kl_with_one_sample_is_unbiased_but_spread():
    estimates = monte_carlo_kl(MU, LOGVAR, n_samples=1, n_repeats=20_000,
                               generator=torch.Generator().manual_seed(1))
    exact = float(vt.gaussian_kl(MU[None], LOGVAR[None])[0])
    assert float(estimates.mean()) == pytest.approx(exact, abs=5 * float(estimates.std()) / 20_000**0.5)
    assert float(estimates.std()) > 0.5


def test_reconstruction_objective_matches_bernoulli_log_likelihood():
    model = vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0)
    x = vt.load_mnist().test_x[:1]
    z = torch.randn(4, 5, 2, generator=torch.Generator().manual_seed(0))
    values = reconstruction_objective(model, x)(z)
    with torch.no_grad():
        expected = vt.bernoulli_log_likelihood(model.decode_logits(z.reshape(-1, 2)), x.expand(20, 1, 28, 28))
    assert values.shape == (4, 5)
    assert torch.allclose(values.detach().reshape(-1), expected)


def test_estimators_reject_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        score_function_gradient(squared_norm, MU, LOGVAR[:2], n_samples=1)
