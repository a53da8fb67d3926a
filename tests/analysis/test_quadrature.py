"""quadrature_elbo against oracles it did not write: Gaussian moments, a closed-form ELBO, a huge Monte Carlo."""

import math

import pytest
import torch
from torch.distributions import Normal

import vae_teach as vt
from vae_teach.analysis.quadrature import gauss_hermite, quadrature_points

SIGMA = 0.2


def _double_factorial(k: int) -> int:
    return 1 if k <= 0 else k * _double_factorial(k - 2)


@pytest.mark.parametrize("order", [1, 3, 5, 8])
def test_the_rule_is_exact_for_normal_moments_up_to_degree_2n_minus_1(order):
    u, w = quadrature_points(order, 1)
    assert float(w.sum()) == pytest.approx(1.0, abs=1e-13)
    for k in range(2 * order):
        exact = 0 if k % 2 else _double_factorial(k - 1)  # E[u^k] for u ~ N(0, 1)
        assert float((w * u[:, 0] ** k).sum()) == pytest.approx(exact, rel=1e-10, abs=1e-10), k


def test_two_dimensional_points_are_the_product_rule():
    u, w = quadrature_points(3, 2)
    assert u.shape == (9, 2) and w.shape == (9,)
    # E[u1^2 u2^4] = 1 * 3, E[u1^4] = 3, E[u1 u2] = 0 under N(0, I)
    assert float((w * u[:, 0] ** 2 * u[:, 1] ** 4).sum()) == pytest.approx(3.0, rel=1e-12)
    assert float((w * u[:, 0] * u[:, 1]).sum()) == pytest.approx(0.0, abs=1e-12)
    nodes, _ = gauss_hermite(3)
    assert torch.equal(u[1], math.sqrt(2) * torch.stack([nodes[0], nodes[1]]))  # last coordinate fastest


def linear_gaussian_vae(seed: int = 0) -> vt.VAE:
    """x = W z + b + SIGMA noise: log p(x|z) is quadratic in z, so E_q has a closed form."""
    model = vt.VAE(latent_dim=2, hidden_dims=(), likelihood="gaussian", gaussian_sigma=SIGMA, seed=seed)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model.decoder[0].weight.copy_(0.05 * torch.randn(784, 2, generator=g))
        model.decoder[0].bias.fill_(0.4)
        model.logvar_head.bias.fill_(-1.0)
    return model


def test_linear_gaussian_decoder_matches_the_closed_form_elbo():
    model = linear_gaussian_vae()
    x = vt.load_mnist().test_x[:6]
    with torch.no_grad():
        mu, logvar = model.posterior(x.flatten(1))
    mu, var = mu.double(), logvar.double().exp()
    w = model.decoder[0].weight.detach().double()
    b = model.decoder[0].bias.detach().double()
    mean = mu @ w.T + b
    # E_q ||x - W z - b||^2 = ||x - W mu - b||^2 + sum_j ||W_:j||^2 var_j
    spread = (var * w.pow(2).sum(0)).sum(1)
    expected_log_lik = Normal(mean, SIGMA).log_prob(x.flatten(1).double()).sum(1) - 0.5 * spread / SIGMA**2
    kl = 0.5 * (var + mu.pow(2) - 1 - var.log()).sum(1)
    got = vt.quadrature_elbo(model, x, order=2)
    assert got.dtype == torch.float64 and got.shape == (6,)
    assert torch.allclose(got, expected_log_lik - kl, atol=1e-3, rtol=0)


def test_a_trained_relu_vae_agrees_with_a_huge_monte_carlo_within_its_standard_error():
    data = vt.load_mnist()
    model = vt.VAE(latent_dim=2, hidden_dims=(32,), seed=0)
    vt.fit(model, data.train_x[:1000], epochs=2, progress=False)
    x = data.test_x[:4]
    g = torch.Generator().manual_seed(1)
    samples = 40_000
    with torch.no_grad():
        mu, logvar = model.posterior(x.flatten(1))
        for n in range(len(x)):
            z = mu[n] + (0.5 * logvar[n]).exp() * torch.randn(samples, 2, generator=g)
            log_lik = model.log_likelihood(model.decode_logits(z).double(),
                                           x[n:n + 1].expand(samples, 1, 28, 28).double())
            kl = vt.gaussian_kl(mu[n:n + 1].double(), logvar[n:n + 1].double())
            mc, se = float(log_lik.mean() - kl), float(log_lik.std() / samples ** 0.5)
            got = float(vt.quadrature_elbo(model, x[n:n + 1], order=12))
            assert abs(got - mc) < 4 * se + 0.01, (n, got, mc, se)


def test_deterministic_and_batch_independent():
    model = linear_gaussian_vae(1)
    x = vt.load_mnist().test_x[:7]
    assert torch.equal(vt.quadrature_elbo(model, x, batch_size=3), vt.quadrature_elbo(model, x, batch_size=3))
    assert torch.allclose(vt.quadrature_elbo(model, x, batch_size=2), vt.quadrature_elbo(model, x), atol=1e-9)


def test_bad_inputs_are_refused_with_what_came_in():
    x = vt.load_mnist().test_x[:2]
    with pytest.raises(TypeError, match="needs a VAE.*Autoencoder"):
        vt.quadrature_elbo(vt.Autoencoder(latent_dim=2), x)
    with pytest.raises(ValueError, match="order"):
        vt.quadrature_elbo(linear_gaussian_vae(), x, order=0)
    with pytest.raises(ValueError, match="latent_dim 20"):
        vt.quadrature_elbo(vt.VAE(latent_dim=20), x)
    with pytest.raises(TypeError, match="float images"):
        vt.quadrature_elbo(linear_gaussian_vae(), x.numpy())
