"""The convolutional VAE: shapes, bad inputs, its loss against torch.distributions, the cache and fit."""

from __future__ import annotations

import pytest
import torch
from torch.distributions import Bernoulli, Normal, kl_divergence

import vae_teach as vt


@pytest.fixture(scope="module")
def images():
    return vt.load_mnist().test_x[:16]


@pytest.fixture(scope="module")
def model():
    return vt.ConvVAE(latent_dim=3, channels=(4, 8), seed=0)


def test_shapes_of_codes_images_and_losses(model, images):
    mu, logvar = model.encode(images)
    assert mu.shape == logvar.shape == (16, 3)
    decoded = model.decode(mu.detach())
    assert decoded.shape == (16, 1, 28, 28) and 0 <= float(decoded.min()) and float(decoded.max()) <= 1
    assert model.sample(5, seed=0).shape == (5, 1, 28, 28)
    for x in (images, images.flatten(1)):  # fit hands loss_parts flattened batches
        parts = model.loss_parts(x)
        assert parts.loss.shape == parts.recon.shape == parts.kl.shape == (16,)


def test_loss_parts_match_torch_distributions(model, images):
    mu, logvar = model.encode(images)
    eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(3))
    z = mu + (0.5 * logvar).exp() * eps
    expected_recon = -Bernoulli(logits=model.decode_logits(z), validate_args=False).log_prob(images).flatten(1).sum(1)
    expected_kl = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(1)
    parts = model.loss_parts(images, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(parts.recon, expected_recon, rtol=1e-5, atol=1e-3)
    assert torch.allclose(parts.kl, expected_kl, rtol=1e-5, atol=1e-5)


def test_elbo_and_iwae_accept_it(model, images):
    elbo = vt.elbo(model, images, n_samples=20)
    assert vt.iwae(model, images, k=50) > elbo


@pytest.mark.parametrize("channels", [(8,), (8, 16, 32), (0, 8), "32,64", 16])
def test_bad_channels_are_refused_with_what_was_expected(channels):
    with pytest.raises(ValueError, match="expected channels as two positive ints"):
        vt.ConvVAE(channels=channels)


def test_bad_latent_dim_images_and_codes_are_refused(model):
    with pytest.raises(ValueError, match="latent_dim"):
        vt.ConvVAE(latent_dim=0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        model.encode(torch.full((2, 1, 28, 28), 255.0))
    with pytest.raises(ValueError, match="3"):
        model.decode(torch.zeros(2, 5))
    with pytest.raises(ValueError, match="takes no labels"):
        vt.elbo(model, torch.zeros(2, 1, 28, 28), y=torch.zeros(2, dtype=torch.long))


def test_output_bias_starts_at_the_mean_images_log_odds(images):
    fresh = vt.ConvVAE(latent_dim=3, channels=(4, 8))
    mean = images.mean(0)
    fresh.init_output_bias(mean)
    expected = torch.logit(mean.clamp(1e-3, 1 - 1e-3)).reshape(1, 1, 28, 28)
    assert torch.allclose(fresh.decoder[-1].bias, expected)


def test_saved_and_rebuilt_from_its_config(model, tmp_path):
    path = tmp_path / "conv.pt"
    vt.save_model(model, path)
    loaded, _ = vt.load_model(path)
    assert isinstance(loaded, vt.ConvVAE) and loaded.config() == model.config()
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), loaded.parameters()))
    rebuilt = vt.build_model(model.config())
    assert all(torch.equal(p, q) for p, q in zip(vt.ConvVAE(3, (4, 8), seed=0).parameters(), rebuilt.parameters()))


def test_fit_trains_it_and_lowers_the_loss(images):
    x = vt.load_mnist().train_x[:256]
    fresh = vt.ConvVAE(latent_dim=3, channels=(4, 8))
    history = vt.fit(fresh, x, epochs=3, batch_size=64, lr=2e-3, progress=False)
    assert history.epochs == 3 and int(fresh.epochs_trained) == 3
    assert history.loss[-1] < history.loss[0]
