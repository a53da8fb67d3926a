import numpy as np
import pytest
import torch

import vae_teach as vt
from vae_teach import bottleneck


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


def test_fit_in_phases_trains_every_phase_then_loads_from_the_cache(tmp_path, monkeypatch):
    x = torch.rand(64, 1, 28, 28)
    phases = [dict(epochs=2, lr=1e-2), dict(epochs=1, lr=1e-3)]
    first = vt.Autoencoder(latent_dim=2, hidden_dims=(), likelihood="gaussian")
    history = vt.fit_in_phases(first, x, phases, directory=tmp_path, progress=False)
    assert history.epochs == 3

    def no_training(*args, **kwargs):
        raise AssertionError("fit was called although the result is cached")

    monkeypatch.setattr(bottleneck, "fit", no_training)
    second = vt.Autoencoder(latent_dim=2, hidden_dims=(), likelihood="gaussian")
    assert vt.fit_in_phases(second, x, phases, directory=tmp_path, progress=False).epochs == 3
    assert all(torch.equal(p, q) for p, q in zip(first.state_dict().values(), second.state_dict().values()))


def test_fit_in_phases_refuses_a_phase_without_epochs(tmp_path):
    with pytest.raises(ValueError, match="epochs"):
        vt.fit_in_phases(vt.Autoencoder(2, hidden_dims=()), torch.rand(8, 1, 28, 28), [dict(lr=1e-3)],
                         directory=tmp_path)


def test_bottleneck_sweep_gives_one_model_and_two_errors_per_k(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_TEACH_CACHE", str(tmp_path))
    g = torch.Generator().manual_seed(0)
    train, test = torch.rand(128, 1, 28, 28, generator=g), torch.rand(32, 1, 28, 28, generator=g)
    sweep = vt.bottleneck_sweep(train, test, ks=(2, 8), hidden_dims=(16,), epochs=1, progress=False)
    assert sweep.ks == (2, 8) and sweep.models[8].latent_dim == 8
    assert set(sweep.ae_error) == set(sweep.pca_error) == {2, 8}
    assert sweep.pca_error[8] < sweep.pca_error[2]  # more components never fit worse on this data
    assert np.isfinite(list(sweep.ae_error.values())).all()
