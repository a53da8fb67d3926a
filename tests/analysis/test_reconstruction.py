import numpy as np
import pytest
import torch

import vae_teach as vt


def test_reconstruction_error_is_mean_over_images_of_summed_squares():
    g = torch.Generator().manual_seed(0)
    a, b = torch.rand(5, 1, 28, 28, generator=g), torch.rand(5, 1, 28, 28, generator=g)
    expected = ((a.numpy() - b.numpy()) ** 2).reshape(5, -1).sum(axis=1).mean()
    assert vt.reconstruction_error(a, b) == pytest.approx(float(expected), rel=1e-6)


def test_reconstruction_error_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        vt.reconstruction_error(torch.rand(3, 1, 28, 28), torch.rand(4, 1, 28, 28))


def test_model_error_feeds_the_noisy_input_but_scores_against_the_clean_target():
    ae = vt.Autoencoder(latent_dim=2, hidden_dims=(8,), likelihood="gaussian")
    clean, noisy = torch.rand(4, 1, 28, 28), torch.rand(4, 1, 28, 28)
    expected = vt.reconstruction_error(ae.reconstruct(noisy).detach(), clean)
    assert vt.model_error(ae, clean, noisy) == pytest.approx(expected)
