import numpy as np
import pytest
import torch

import vae_teach as vt


def test_bottleneck_sweep_gives_one_model_and_two_errors_per_k(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_TEACH_CACHE", str(tmp_path))
    g = torch.Generator().manual_seed(0)
    train, test = torch.rand(128, 1, 28, 28, generator=g), torch.rand(32, 1, 28, 28, generator=g)
    sweep = vt.bottleneck_sweep(train, test, ks=(2, 8), hidden_dims=(16,), epochs=1, progress=False)
    assert sweep.ks == (2, 8) and sweep.models[8].latent_dim == 8
    assert set(sweep.ae_error) == set(sweep.pca_error) == {2, 8}
    assert sweep.pca_error[8] < sweep.pca_error[2]  # more components never fit worse on this data
    assert np.isfinite(list(sweep.ae_error.values())).all()
