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


def test_mean_image_error_scores_the_mean_training_image_against_each_test_image():
    # train: two flat images 0.2 and 0.4 -> mean 0.3; test: flat 0.5 and flat 0.3
    train = torch.stack([torch.full((1, 28, 28), v) for v in (0.2, 0.4)])
    test = torch.stack([torch.full((1, 28, 28), v) for v in (0.5, 0.3)])
    expected = (784 * 0.2 ** 2 + 0.0) / 2  # 15.68: half the test images miss by 0.2 per pixel
    assert vt.mean_image_error(train, test) == pytest.approx(expected, rel=1e-6)


def test_mean_image_error_refuses_images_out_of_range():
    with pytest.raises(ValueError, match="test_x"):
        vt.mean_image_error(torch.rand(3, 1, 28, 28), 255 * torch.rand(2, 1, 28, 28))
