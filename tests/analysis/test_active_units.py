"""Active units (Burda et al. 2015) against a direct numpy computation on a linear encoder."""

import numpy as np
import pytest
import torch

import vae_teach as vt


@pytest.fixture
def linear_vae_and_images():
    # hidden_dims=(): mu = W x + b, so the variance of each mu over the images is known in numpy.
    vae = vt.VAE(latent_dim=4, hidden_dims=(), seed=0)
    x = torch.rand(300, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        weight = vae.mu_head.weight
        weight[1].zero_()               # dimension 1: the same mean for every image
        weight[2].mul_(0.05)            # dimension 2: a tiny spread
        weight[3].mul_(5.0)             # dimension 3: a large spread
    return vae, x


def test_posterior_mean_variance_matches_numpy(linear_vae_and_images):
    vae, x = linear_vae_and_images
    w = vae.mu_head.weight.detach().double().numpy()
    b = vae.mu_head.bias.detach().double().numpy()
    mu = x.reshape(300, -1).double().numpy() @ w.T + b
    expected = np.var(mu, axis=0)
    assert np.allclose(vt.posterior_mean_variance(vae, x, batch_size=128).numpy(), expected, rtol=1e-4, atol=1e-9)


def test_active_units_counts_the_dimensions_above_the_threshold(linear_vae_and_images):
    vae, x = linear_vae_and_images
    w = vae.mu_head.weight.detach().double().numpy()
    spread = np.var(x.reshape(300, -1).double().numpy() @ w.T, axis=0)
    assert spread[1] == 0.0
    for threshold in (0.01, 1e-5, float(np.sort(spread)[2]) * 0.999):
        assert vt.active_units(vae, x, threshold=threshold) == int((spread > threshold).sum())


def test_active_units_refuses_a_threshold_that_is_not_positive(linear_vae_and_images):
    vae, x = linear_vae_and_images
    with pytest.raises(ValueError, match="expected threshold as a number > 0"):
        vt.active_units(vae, x, threshold=0)


def test_active_units_of_a_conditional_model_read_its_labels():
    # A linear encoder whose first code reads pixel 0 only: Var_x(mu_0) = w^2 Var(x_0), an
    # oracle that needs no encoder; the labels reach the encoder (a CVAE needs them).
    model = vt.ConditionalVAE(latent_dim=3, hidden_dims=(), seed=0)
    x = torch.rand(200, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    y = torch.arange(200) % 10
    with pytest.raises(ValueError):
        vt.active_units(model, x)
    assert vt.active_units(model, x, y=y) == int((vt.posterior_mean_variance(model, x, y=y) > 0.01).sum())
