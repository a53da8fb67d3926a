import numpy as np
import pytest
import torch

import vae_teach as vt


def test_autoencoder_shapes_and_decode_range():
    ae = vt.Autoencoder(latent_dim=5, hidden_dims=(64, 32))
    x = torch.rand(7, 1, 28, 28)
    z = ae.encode(x)
    assert z.shape == (7, 5)
    images = ae.decode(z)
    assert images.shape == (7, 1, 28, 28)
    assert float(images.detach().min()) >= 0.0 and float(images.detach().max()) <= 1.0


def test_vae_encode_returns_mu_and_logvar_and_forward_names_parts():
    vae = vt.VAE(latent_dim=6, hidden_dims=(32,))
    x = torch.rand(4, 1, 28, 28)
    mu, logvar = vae.encode(x)
    assert mu.shape == logvar.shape == (4, 6)
    out = vae(x)
    assert out.logits.shape == (4, 1, 28, 28) and out.z.shape == (4, 6)
    assert torch.allclose(out.mu, mu) and torch.allclose(out.logvar, logvar)


def test_vae_decode_is_sigmoid_of_logits():
    vae = vt.VAE(latent_dim=3, hidden_dims=(16,))
    z = torch.randn(5, 3)
    assert torch.allclose(vae.decode(z), torch.sigmoid(vae.decode_logits(z)))


def test_linear_autoencoder_has_no_nonlinearity():
    ae = vt.Autoencoder(latent_dim=4, hidden_dims=(), likelihood="gaussian")
    assert [type(m).__name__ for m in ae.encoder] == ["Linear"]
    assert [type(m).__name__ for m in ae.decoder] == ["Linear"]


def test_same_seed_same_initial_weights_and_global_rng_untouched():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a, b = vt.VAE(latent_dim=2, seed=7), vt.VAE(latent_dim=2, seed=7)
    assert torch.equal(torch.rand(1), before)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    c = vt.VAE(latent_dim=2, seed=8)
    assert not torch.equal(next(a.parameters()), next(c.parameters()))


def test_build_model_round_trips_the_config():
    vae = vt.VAE(latent_dim=3, hidden_dims=(50, 20), likelihood="gaussian", gaussian_sigma=0.2, seed=1)
    rebuilt = vt.build_model(vae.config())
    assert rebuilt.config() == vae.config()
    assert all(torch.equal(p, q) for p, q in zip(vae.parameters(), rebuilt.parameters()))


def test_prior_samples_are_images_and_repeatable():
    vae = vt.VAE(latent_dim=3, hidden_dims=(16,))
    first, second = vae.sample(6, seed=0), vae.sample(6, seed=0)
    assert first.shape == (6, 1, 28, 28) and torch.equal(first, second)


def test_output_bias_init_gives_the_log_odds_of_the_mean_image():
    vae = vt.VAE(latent_dim=2, hidden_dims=(8,))
    mean = torch.rand(784) * 0.8 + 0.1
    vae.init_output_bias(mean)
    with torch.no_grad():
        vae.decoder[-1].weight.zero_()
        assert torch.allclose(vae.decode(torch.randn(3, 2)).reshape(3, 784), mean.expand(3, 784), atol=1e-6)


def test_output_bias_init_of_a_gaussian_decoder_is_the_mean_itself():
    ae = vt.Autoencoder(latent_dim=2, hidden_dims=(), likelihood="gaussian")
    mean = torch.rand(784)
    ae.init_output_bias(mean)
    assert torch.equal(ae.decoder[-1].bias.detach(), mean)


def _layer_shapes(model):
    return [tuple(p.shape) for p in model.parameters()]


@pytest.mark.parametrize("cls", [vt.Autoencoder, vt.VAE])
def test_hidden_dims_from_a_generator_build_the_same_model_as_a_tuple(cls):
    from_generator = cls(latent_dim=3, hidden_dims=(h for h in (32, 16)))
    from_tuple = cls(latent_dim=3, hidden_dims=(32, 16))
    assert from_generator.hidden_dims == (32, 16) and _layer_shapes(from_generator) == _layer_shapes(from_tuple)
    assert cls(latent_dim=3, hidden_dims=np.array([32, 16])).config() == from_tuple.config()


@pytest.mark.parametrize("hidden_dims", [None, 400, "400", (400, 0), (400, 2.5), [True]])
def test_hidden_dims_that_are_no_sequence_of_positive_ints_are_refused(hidden_dims):
    with pytest.raises(ValueError, match=r"expected hidden_dims as a sequence of positive ints, e.g. \(400,\)"):
        vt.VAE(latent_dim=2, hidden_dims=hidden_dims)
