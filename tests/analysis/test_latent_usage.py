"""KL per latent dimension against torch.distributions."""

import torch
from torch.distributions import Normal, kl_divergence

import vae_teach as vt


def test_kl_per_dimension_is_the_mean_over_images_of_each_coordinates_kl():
    vae = vt.VAE(latent_dim=3, hidden_dims=(8,), seed=0)
    x = torch.rand(20, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        mu, logvar = vae.encode(x)
    expected = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).mean(dim=0)
    assert torch.allclose(vt.kl_per_dimension(vae, x), expected, atol=1e-6)
