"""The pixel likelihoods, held to torch.distributions."""

import math

import pytest
import torch
from torch.distributions import Bernoulli, Normal

import vae_teach as vt


def test_bernoulli_likelihood_matches_torch_on_grey_levels_too():
    g = torch.Generator().manual_seed(0)
    logits, x = 3 * torch.randn(6, 1, 28, 28, generator=g), torch.rand(6, 1, 28, 28, generator=g)
    expected = -torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    binary = (x > 0.5).float()
    assert torch.allclose(vt.Bernoulli().log_prob(logits, x), expected, atol=1e-4)
    assert torch.allclose(vt.Bernoulli().log_prob(logits, binary),
                          Bernoulli(logits=logits).log_prob(binary).flatten(1).sum(1), atol=1e-3)
    assert torch.allclose(vt.Bernoulli().mean(logits), torch.sigmoid(logits))


def test_gaussian_likelihood_matches_torch():
    g = torch.Generator().manual_seed(1)
    mean, x = torch.rand(4, 1, 28, 28, generator=g), torch.rand(4, 1, 28, 28, generator=g)
    expected = Normal(mean, 0.3).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(vt.Gaussian(0.3).log_prob(mean, x), expected, atol=1e-3)
    assert vt.Gaussian(0.3).mean(torch.tensor([-0.5, 0.5, 1.5])).tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize("sigma", [0.0, -1.0, math.inf, math.nan, "0.1"])
def test_gaussian_refuses_a_sigma_that_is_not_a_finite_positive_number(sigma):
    with pytest.raises(ValueError, match="expected gaussian_sigma as a finite number > 0"):
        vt.Gaussian(sigma)


def test_output_bias_decodes_a_zero_hidden_layer_to_the_mean_image():
    mean = torch.linspace(0.01, 0.99, 784)
    assert torch.allclose(torch.sigmoid(vt.Bernoulli().output_bias(mean)), mean, atol=1e-6)
    assert torch.equal(vt.Gaussian(0.1).output_bias(mean), mean)


def test_kl_per_dimension_sums_to_the_kl():
    mu, logvar = torch.randn(5, 3), torch.randn(5, 3)
    expected = torch.distributions.kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0))
    assert torch.allclose(vt.gaussian_kl_per_dim(mu, logvar), expected, atol=1e-5)
    assert torch.allclose(vt.gaussian_kl(mu, logvar), expected.sum(1), atol=1e-5)


def test_the_exported_likelihoods_check_their_inputs():
    logits = torch.zeros(1, 784)
    with pytest.raises(ValueError, match=r"expected x as pixel values in \[0, 1\].*values in \[5, 5\]"):
        vt.bernoulli_log_likelihood(logits, torch.full((1, 784), 5.0))
    with pytest.raises(ValueError, match=r"same shape per example; got logits \(1, 784\) and x \(1, 10\)"):
        vt.bernoulli_log_likelihood(logits, torch.rand(1, 10))
    with pytest.raises(TypeError, match="as tensors; got ndarray"):
        vt.bernoulli_log_likelihood(logits.numpy(), torch.rand(1, 784))
    with pytest.raises(ValueError, match=r"expected sigma as a finite number > 0; got 0"):
        vt.gaussian_log_likelihood(logits, torch.rand(1, 784), sigma=0)


@pytest.mark.parametrize("sigma", [None, True, float("inf"), 1e400])
def test_gaussian_sigma_of_a_vae_must_be_a_finite_positive_number(sigma):
    with pytest.raises(ValueError, match=f"expected gaussian_sigma as a finite number > 0; got {sigma!r}"):
        vt.VAE(latent_dim=2, hidden_dims=(8,), likelihood="gaussian", gaussian_sigma=sigma)
