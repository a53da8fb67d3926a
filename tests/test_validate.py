import re

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


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16])
def test_floating_images_of_any_precision_are_converted_to_float32(vae, dtype):
    x = (torch.rand(3, 1, 28, 28) * 4).round() / 4  # exact in every one of these dtypes
    expected = vae.encode(x)
    assert all(torch.equal(a, b) for a, b in zip(vae.encode(x.to(dtype)), expected))
    assert vt.elbo(vae, x.to(dtype)) == vt.elbo(vae, x)


def test_numpy_images_are_refused_with_a_fix_that_works(ae):
    images = np.random.default_rng(0).random((2, 1, 28, 28))  # float64, as numpy makes them
    with pytest.raises(TypeError, match=r"got ndarray \(convert with torch.as_tensor\(x, dtype=torch.float32\)\)"):
        ae.encode(images)
    fixed = torch.as_tensor(images, dtype=torch.float32)
    assert ae.encode(fixed).shape == (2, 3)
    assert torch.allclose(ae.encode(torch.as_tensor(images)), ae.encode(fixed))  # the float64 route works too


def test_mnist_normalised_images_get_the_hint_that_undoes_the_normalisation(ae):
    x = vt.load_mnist().test_x[:20]
    with pytest.raises(ValueError, match=r"values in \[-0.42\d*, 2.82\d*\] \(standardised .* x \* 0.3081 \+ 0.1307") \
            as error:
        ae.encode((x - 0.1307) / 0.3081)
    assert "255" not in str(error.value)
    with pytest.raises(ValueError, match="negative pixels") as error:
        ae.encode(x - 0.5)
    assert "255" not in str(error.value)


SEEDED = {
    "VAE": lambda seed: vt.VAE(latent_dim=2, hidden_dims=(4,), seed=seed),
    "Autoencoder": lambda seed: vt.Autoencoder(latent_dim=2, hidden_dims=(4,), seed=seed),
    "fit": lambda seed: vt.fit(vt.Autoencoder(2, hidden_dims=()), torch.rand(4, 1, 28, 28), 1, seed=seed,
                               progress=False),
    "sample": lambda seed: vt.VAE(latent_dim=2, hidden_dims=(4,)).sample(2, seed=seed),
    "elbo": lambda seed: vt.elbo(vt.VAE(latent_dim=2, hidden_dims=(4,)), torch.rand(4, 1, 28, 28), seed=seed),
}


@pytest.mark.parametrize("entry", SEEDED)
@pytest.mark.parametrize("seed", [2.5, "abc", 2**70, -1, True])
def test_every_seed_follows_one_rule_and_bad_ones_are_refused(entry, seed):
    with pytest.raises(ValueError, match=rf"expected seed as an int in \[0, 2\*\*63\).*got {re.escape(repr(seed))}"):
        SEEDED[entry](seed)


@pytest.mark.parametrize("entry", SEEDED)
def test_numpy_int_seeds_work_and_none_means_unseeded_where_allowed(entry):
    SEEDED[entry](np.int64(3))
    if entry == "elbo":  # an estimate that promises to repeat needs a seed
        with pytest.raises(ValueError, match="got None"):
            SEEDED[entry](None)
    else:
        SEEDED[entry](None)
    assert vt.VAE(latent_dim=2, hidden_dims=(4,), seed=np.int64(3)).config()["seed"] == 3
    assert type(vt.VAE(latent_dim=2, hidden_dims=(4,), seed=np.int64(3)).config()["seed"]) is int


def test_images_that_carry_gradients_are_checked_without_a_warning():
    import warnings

    from vae_teach._validate import check_images
    x = torch.rand(2, 1, 28, 28, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch warns when a tensor that requires grad becomes a float
        assert check_images(x) is not None
