"""The comparison table and the literature's protocol: notes read from the model, numbers from the oracles
of the objectives, and the full-MNIST path run offline on a tiny copy in MNIST's IDX format."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

import vae_teach as vt
from vae_teach.analysis import comparison
from vae_teach.training.fit import History


def test_comparability_is_read_from_the_model():
    assert vt.comparability(vt.VAE(latent_dim=2)) == "comparable"
    assert vt.comparability(vt.VAE(latent_dim=2), beta=4.0) == "comparable (trained with beta = 4)"
    assert vt.comparability(vt.VAE(latent_dim=2, likelihood="gaussian")).startswith("not comparable: gaussian")
    conditional = SimpleNamespace(takes_labels=True, likelihood="bernoulli")
    assert vt.comparability(conditional).startswith("not comparable: log p(x|y)")


@pytest.fixture()
def tiny_registry(monkeypatch, tmp_path):
    """Two untrained VAEs in place of the registry's, and the evaluation cache in a temporary folder."""
    models = {"small": vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0),
              "wide": vt.VAE(latent_dim=3, hidden_dims=(32,), seed=1)}
    history = History(loss=[1.0, 0.5], recon=[1.0, 0.5], kl=[0.0, 0.0], seconds=[1.5, 2.5])
    monkeypatch.setattr(comparison, "pretrained", lambda name, data: (models[name], history))
    monkeypatch.setattr(comparison, "recipe", lambda name: SimpleNamespace(fit={}))
    monkeypatch.setenv("VAE_TEACH_CACHE", str(tmp_path))
    return models


def test_compare_models_rows_match_the_objectives(tiny_registry):
    x = vt.load_mnist().test_x[:4]
    table = vt.compare_models(["small", "wide"], data=None, images=x, k=50, seed=0)
    assert list(table.index) == ["small", "wide"]
    assert set(table.attrs["per_image"]) == {"small", "wide"}
    assert float(table.attrs["per_image"]["small"].mean()) == pytest.approx(table.loc["small", "IWAE"])
    for name, model in tiny_registry.items():
        row = table.loc[name]
        with torch.no_grad():  # the same draws: iwae_per_example with the same seed
            iwae = vt.iwae_per_example(model, x, k=50, generator=torch.Generator().manual_seed(0)).double()
            mu, logvar = model.encode(x)
        assert row["IWAE"] == pytest.approx(float(iwae.mean()), abs=1e-3)
        assert row["KL"] == pytest.approx(float(vt.gaussian_kl(mu, logvar).mean()), rel=1e-5)
        assert row["ELBO"] < row["IWAE"]
        assert row["parameters"] == sum(p.numel() for p in model.parameters())
        assert row["train s"] == pytest.approx(4.0) and row["note"] == "comparable"
        assert row["MC se"] > 0 and row["images se"] > 0


def test_binarize_draws_each_pixel_with_its_grey_level():
    x = torch.full((200, 1, 28, 28), 0.3)
    b = vt.binarize(x, seed=0)
    assert set(b.unique().tolist()) <= {0.0, 1.0}
    assert float(b.mean()) == pytest.approx(0.3, abs=0.01)  # 156,800 Bernoulli(0.3) pixels
    assert torch.equal(b, vt.binarize(x, seed=0))


def _write_idx_mnist(root, images, labels):
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)

    def write_idx(name, array):
        header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
        (raw / name).write_bytes(header + array.astype(np.uint8).tobytes())

    for prefix, (x, y) in (("train", (images[:60], labels[:60])), ("t10k", (images[60:], labels[60:]))):
        write_idx(f"{prefix}-images-idx3-ubyte", x)
        write_idx(f"{prefix}-labels-idx1-ubyte", y)


def test_the_full_mnist_path_runs_offline_on_a_local_idx_copy(tmp_path, monkeypatch):
    # The chapter's section 4 with VAE_TEACH_DATA=mnist: load through the environment, train the
    # 50-D recipe on what was loaded, run the protocol, and the paragraph's condition holds.
    from vae_teach.data.mnist import subset_uint8
    train_u8, train_y, _, _ = subset_uint8()
    _write_idx_mnist(tmp_path / "data", train_u8[:80], train_y[:80])
    monkeypatch.setenv("VAE_TEACH_DATA", "mnist")
    monkeypatch.setenv("VAE_TEACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VAE_TEACH_CACHE", str(tmp_path / "cache"))
    data = vt.load_mnist()
    assert data.name == "mnist" and data.train_x.shape == (60, 1, 28, 28) and data.test_x.shape[0] == 20
    model, history = vt.pretrained("vae-50d", data)
    assert history.epochs == 40
    result = vt.standard_protocol(model, data.test_x, k=64, n_images=10)
    assert result.n_images == 10 and result.k == 64
    assert math.isfinite(result.mean) and result.mean < 0 and result.images_se > 0
    with pytest.raises(ValueError, match=r"2 <= n_images <= 20"):
        vt.standard_protocol(model, data.test_x, n_images=50)
