import functools

import pytest
import torch

import vae_teach as vt


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_gaussian_noise_has_the_asked_std_away_from_the_clamp():
    x = torch.full((200, 1, 28, 28), 0.5)
    noisy = vt.gaussian_noise(x, _gen(), std=0.1)
    assert float((noisy - x).std()) == pytest.approx(0.1, rel=0.02)


def test_gaussian_noise_stays_in_unit_range_and_leaves_input_alone():
    x = torch.rand(8, 1, 28, 28)
    before = x.clone()
    noisy = vt.gaussian_noise(x, _gen(), std=1.0)
    assert torch.equal(x, before)
    assert float(noisy.min()) >= 0.0 and float(noisy.max()) <= 1.0


def test_same_seed_gives_same_noise():
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(vt.gaussian_noise(x, _gen(3)), vt.gaussian_noise(x, _gen(3)))
    assert torch.equal(vt.mask_pixels(x, _gen(3)), vt.mask_pixels(x, _gen(3)))


def test_mask_pixels_zeroes_a_share_p_and_keeps_the_rest_unchanged():
    x = 0.1 + 0.9 * torch.rand(100, 1, 28, 28)
    masked = vt.mask_pixels(x, _gen(), p=0.3)
    zeroed = masked == 0
    assert float(zeroed.float().mean()) == pytest.approx(0.3, abs=0.01)
    assert torch.equal(masked[~zeroed], x[~zeroed])


def test_mask_pixels_with_p_zero_is_the_identity():
    x = torch.rand(3, 1, 28, 28)
    assert torch.equal(vt.mask_pixels(x, _gen(), p=0.0), x)


@pytest.mark.parametrize("p", [-0.1, 1.0, 2])
def test_mask_pixels_refuses_a_bad_probability(p):
    with pytest.raises(ValueError, match="masking probability"):
        vt.mask_pixels(torch.rand(2, 1, 28, 28), _gen(), p=p)


def test_corruptions_refuse_a_missing_generator():
    with pytest.raises(TypeError, match="torch.Generator"):
        vt.gaussian_noise(torch.rand(2, 1, 28, 28), 0)


def test_corruptions_plug_into_fit_as_denoising_training():
    x = torch.rand(64, 1, 28, 28)
    ae = vt.Autoencoder(latent_dim=2, hidden_dims=(16,), likelihood="gaussian")
    history = vt.fit(ae, x, epochs=1, batch_size=32, progress=False,
                     corrupt=functools.partial(vt.mask_pixels, p=0.5))
    assert history.epochs == 1 and history.recon[0] > 0
