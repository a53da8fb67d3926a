import torch

import vae_teach as vt


def test_encode_dataset_gives_the_posterior_mean_of_a_vae():
    vae = vt.VAE(latent_dim=3, hidden_dims=(16,))
    x = torch.rand(7, 1, 28, 28)
    with torch.no_grad():
        assert torch.allclose(vt.encode_dataset(vae, x, batch_size=3), vae.encode(x)[0], atol=1e-5)


def test_encode_dataset_gives_the_codes_of_an_autoencoder():
    ae = vt.Autoencoder(latent_dim=2, hidden_dims=(16,))
    x = torch.rand(5, 1, 28, 28)
    with torch.no_grad():
        assert torch.allclose(vt.encode_dataset(ae, x), ae.encode(x), atol=1e-5)
