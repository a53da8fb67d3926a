"""Chapter 7's pixel likelihoods: the continuous Bernoulli against numerical integration and
torch.distributions, the learned-sigma Gaussian against torch's Normal, and free bits by hand."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate
from torch.distributions import ContinuousBernoulli as TorchCB
from torch.distributions import Normal

import vae_teach as vt
from vae_teach.distributions import (continuous_bernoulli_log_normalizer, continuous_bernoulli_mean, free_bits_kl,
                                     pixel_likelihood)

# Logits from far in the tails to the Taylor region around lambda = 0.5 (logit 0), both signs.
LOGITS = [-30.0, -5.0, -1.0, -0.2, -0.1, -0.0999, -0.05, -1e-3, -1e-6, 0.0, 1e-6, 1e-3, 0.05, 0.0999, 0.1,
          0.2, 1.0, 5.0, 30.0]


def _log_normalizer_by_quadrature(logit: float) -> float:
    """log C(lambda) = -log of the integral over [0, 1] of lambda^x (1 - lambda)^(1 - x), by scipy.quad."""
    lam, one_minus = 1.0 / (1.0 + math.exp(-logit)), 1.0 / (1.0 + math.exp(logit))  # no 1 - lam cancellation
    integral, _ = integrate.quad(lambda x: lam**x * one_minus ** (1.0 - x), 0.0, 1.0, epsabs=1e-14)
    return -math.log(integral)


@pytest.mark.parametrize("logit", LOGITS)
def test_log_normalizer_matches_numerical_integration(logit):
    got = float(continuous_bernoulli_log_normalizer(torch.tensor([logit], dtype=torch.float64)))
    assert got == pytest.approx(_log_normalizer_by_quadrature(logit), abs=1e-7)


def test_log_normalizer_is_log_2_at_one_half_in_float32_too():
    at = continuous_bernoulli_log_normalizer(torch.tensor([0.0, 1e-30, -1e-30]))
    assert torch.isfinite(at).all()
    assert torch.allclose(at, torch.full((3,), math.log(2.0)))


@pytest.mark.parametrize("logit", LOGITS)
def test_mean_matches_numerical_integration(logit):
    lam, one_minus = 1.0 / (1.0 + math.exp(-logit)), 1.0 / (1.0 + math.exp(logit))
    c = math.exp(_log_normalizer_by_quadrature(logit))
    expected, _ = integrate.quad(lambda x: c * x * lam**x * one_minus ** (1.0 - x), 0.0, 1.0, epsabs=1e-14)
    got = float(continuous_bernoulli_mean(torch.tensor([logit], dtype=torch.float64)))
    assert got == pytest.approx(expected, abs=1e-7)


def test_continuous_bernoulli_log_prob_matches_torch_distributions():
    g = torch.Generator().manual_seed(0)
    logits = 4 * torch.randn(5, 1, 28, 28, generator=g, dtype=torch.float64)
    x = torch.rand(5, 1, 28, 28, generator=g, dtype=torch.float64)
    expected = TorchCB(logits=logits).log_prob(x).flatten(1).sum(1)
    got = pixel_likelihood("continuous_bernoulli").log_prob(logits, x)
    assert torch.allclose(got, expected, atol=1e-6)
    assert torch.allclose(vt.ContinuousBernoulli().mean(logits), TorchCB(logits=logits).mean, atol=1e-6)


def test_learned_gaussian_matches_normal_and_its_sigma_trains():
    g = torch.Generator().manual_seed(1)
    mean, x = torch.rand(4, 1, 28, 28, generator=g), torch.rand(4, 1, 28, 28, generator=g)
    lik = vt.LearnedGaussian(0.3)
    assert lik.sigma == pytest.approx(0.3)
    expected = Normal(mean, 0.3).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(lik.log_prob(mean, x), expected, atol=1e-3)
    vae = vt.VAE(latent_dim=2, hidden_dims=(8,), likelihood="learned_gaussian", gaussian_sigma=0.5, seed=0)
    assert "pixel_likelihood.log_sigma" in vae.state_dict()
    assert any(p is vae.pixel_likelihood.log_sigma for p in vae.parameters())


def test_learned_sigma_moves_towards_the_root_mean_squared_error():
    # For fixed means, the maximum-likelihood sigma is the RMS error per pixel (the sigma-VAE's optimum).
    g = torch.Generator().manual_seed(2)
    mean = torch.rand(64, 784, generator=g)
    x = (mean + 0.05 * torch.randn(64, 784, generator=g))
    lik = vt.LearnedGaussian(0.5)
    opt = torch.optim.Adam(lik.parameters(), lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        (-lik.log_prob(mean, x).mean()).backward()
        opt.step()
    rms = float((x - mean).pow(2).mean().sqrt())
    assert lik.sigma == pytest.approx(rms, rel=1e-2)


def test_unknown_likelihood_names_the_choices():
    with pytest.raises(ValueError, match="continuous_bernoulli"):
        pixel_likelihood("laplace")


def test_free_bits_by_hand():
    mu = torch.tensor([[2.0, 0.1, 0.0], [0.0, -0.1, 0.0]])
    logvar = torch.zeros(2, 3)
    # KL per dimension is mu^2 / 2: batch means 1.0, 0.005, 0 nats.
    kl = 0.5 * mu.pow(2)
    expected_mean = max(0.5, 1.0) + max(0.5, 0.005) + max(0.5, 0.0)
    got = free_bits_kl(mu, logvar, 0.5)
    assert got.shape == (2,)
    assert float(got.mean()) == pytest.approx(expected_mean)
    assert torch.allclose(got, kl[:, 0] + 1.0)  # the first dimension keeps its per-example KL
    assert torch.allclose(free_bits_kl(mu, logvar, 0.0), vt.gaussian_kl(mu, logvar))


def test_free_bits_gives_no_gradient_below_the_floor():
    mu = torch.tensor([[2.0, 0.1]], requires_grad=True)
    free_bits_kl(mu, torch.zeros(1, 2), 0.5).sum().backward()
    assert mu.grad.tolist() == [[2.0, 0.0]]
