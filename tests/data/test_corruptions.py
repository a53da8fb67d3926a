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


def test_occluding_block_paints_one_square_of_the_asked_size_per_image():
    x = torch.zeros(50, 1, 28, 28)
    blocked = vt.occlude_block(x, _gen(), size=6, value=1.0)
    painted = blocked[:, 0] == 1.0
    assert torch.equal(painted.sum(dim=(1, 2)), torch.full((50,), 36))
    rows, cols = painted.any(dim=2), painted.any(dim=1)
    assert torch.equal(rows.sum(1), torch.full((50,), 6)) and torch.equal(cols.sum(1), torch.full((50,), 6))
    # the places differ between images and repeat with the seed
    assert len({tuple(r.nonzero()[0].tolist() + c.nonzero()[0].tolist()) for r, c in zip(rows, cols)}) > 10
    assert torch.equal(blocked, vt.occlude_block(x, _gen(), size=6, value=1.0))


def test_occluding_block_keeps_other_pixels_and_the_input():
    x = torch.rand(4, 1, 28, 28)
    before = x.clone()
    blocked = vt.occlude_block(x, _gen(1), size=28, value=0.25)
    assert torch.equal(x, before) and torch.all(blocked == 0.25)
    partly = vt.occlude_block(x, _gen(1), size=5, value=0.0)
    unchanged = partly == x
    assert int((~unchanged).sum()) <= 4 * 25 and int(unchanged.sum()) >= 4 * (784 - 25)


@pytest.mark.parametrize("kwargs, message", [
    (dict(size=0), r"expected a block size as an int in \[1, 28\]; got 0"),
    (dict(size=29), "got 29"),
    (dict(value=2.0), r"expected a block value in \[0, 1\]"),
])
def test_occluding_block_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        vt.occlude_block(torch.zeros(1, 1, 28, 28), _gen(), **kwargs)


def test_rotation_by_quarter_turns_is_numpys_rot90():
    import numpy as np
    x = torch.rand(3, 1, 28, 28)
    for turns in (1, 2, 3, -1):
        expected = np.rot90(x.numpy(), turns, axes=(2, 3))
        assert np.array_equal(vt.rotate_quarter(x, turns=turns).numpy(), expected)
    assert torch.equal(vt.rotate_quarter(vt.rotate_quarter(x, turns=2), turns=2), x)
    with pytest.raises(ValueError, match="expected turns as an int"):
        vt.rotate_quarter(x, turns=0.5)
