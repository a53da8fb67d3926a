import numpy as np
import pytest
import torch

import vae_teach as vt


@pytest.fixture(scope="module")
def ae():
    return vt.Autoencoder(latent_dim=3)


@pytest.fixture(scope="module")
def vae():
    return vt.VAE(latent_dim=4)


def test_wrong_image_shape_names_expected_and_received(ae):
    with pytest.raises(ValueError, match=r"expected x .*\(N, 1, 28, 28\).*got shape \(5, 3, 32, 32\)"):
        ae.encode(torch.rand(5, 3, 32, 32))


def test_uint8_images_are_refused_with_the_fix(vae):
    with pytest.raises(ValueError, match=r"uint8.*/ 255"):
        vae.encode(torch.randint(0, 256, (2, 1, 28, 28), dtype=torch.uint8))


def test_float_images_in_0_255_are_refused(ae):
    with pytest.raises(ValueError, match=r"with values in \[0, 1\]; got .*values in \[.*, 25[0-9.]*\].*divide by 255"):
        ae.encode(torch.rand(2, 1, 28, 28) * 255.0)


def test_nan_images_are_refused(vae):
    x = torch.rand(2, 1, 28, 28)
    x[0, 0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        vae.encode(x)


def test_empty_tensor_is_refused(ae):
    with pytest.raises(ValueError, match="empty"):
        ae.encode(torch.empty(0, 1, 28, 28))


def test_numpy_input_is_refused_with_a_pointer(ae):
    with pytest.raises(TypeError, match="ndarray"):
        ae.encode(np.zeros((2, 1, 28, 28), dtype=np.float32))


def test_flat_and_unchanneled_images_are_accepted(ae):
    assert ae.encode(torch.rand(3, 784)).shape == (3, 3)
    assert ae.encode(torch.rand(3, 28, 28)).shape == (3, 3)


@pytest.mark.parametrize("latent_dim", [0, -2, 2.5, True])
def test_bad_latent_size_is_refused(latent_dim):
    with pytest.raises(ValueError, match="latent_dim"):
        vt.VAE(latent_dim=latent_dim)


def test_bad_hidden_dims_are_refused():
    with pytest.raises(ValueError, match="hidden_dims"):
        vt.Autoencoder(latent_dim=2, hidden_dims=400)


def test_decode_with_codes_of_the_wrong_width_names_both(vae):
    with pytest.raises(ValueError, match=r"shape \(N, 4\); got shape \(5, 2\)"):
        vae.decode(torch.zeros(5, 2))


def test_decode_with_nan_codes_is_refused(ae):
    with pytest.raises(ValueError, match="NaN"):
        ae.decode(torch.full((1, 3), float("nan")))


def test_fit_refuses_bad_training_arguments(ae):
    x = torch.rand(8, 1, 28, 28)
    with pytest.raises(ValueError, match="epochs"):
        vt.fit(ae, x, epochs=0)
    with pytest.raises(ValueError, match="lr"):
        vt.fit(ae, x, epochs=1, lr=-1.0)
