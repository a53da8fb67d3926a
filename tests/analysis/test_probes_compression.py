import io

import pytest
import torch
from PIL import Image

import vae_teach as vt
from vae_teach.analysis.compression import parameter_bytes


def test_linear_probe_is_perfect_on_separable_features():
    g = torch.Generator().manual_seed(0)
    labels = torch.arange(200) % 4
    centres = 10 * torch.randn(4, 3, generator=g)
    features = centres[labels] + 0.1 * torch.randn(200, 3, generator=g)
    assert vt.linear_probe_accuracy(features[:150], labels[:150], features[150:], labels[150:]) == 1.0


def test_linear_probe_is_near_chance_on_features_unrelated_to_labels():
    g = torch.Generator().manual_seed(1)
    features, labels = torch.randn(2000, 5, generator=g), torch.randint(0, 2, (2000,), generator=g)
    accuracy = vt.linear_probe_accuracy(features[:1000], labels[:1000], features[1000:], labels[1000:])
    assert accuracy == pytest.approx(0.5, abs=0.06)


def test_linear_probe_refuses_labels_of_the_wrong_length():
    with pytest.raises(ValueError, match="one label per row"):
        vt.linear_probe_accuracy(torch.rand(10, 2), torch.zeros(9), torch.rand(5, 2), torch.zeros(5))


def test_code_bytes_and_compression_ratio():
    assert vt.code_bytes(32, torch.float32) == 128 and vt.code_bytes(32, torch.float16) == 64
    assert vt.compression_ratio(16, torch.float16) == pytest.approx(784 / 32)


def test_code_bytes_refuses_an_unknown_dtype():
    with pytest.raises(ValueError, match="dtype"):
        vt.code_bytes(4, torch.int64)


def test_round_trip_through_float16_rounds_to_half_precision():
    z = torch.tensor([[1.0 + 2 ** -12, 3.0]])
    back = vt.round_trip(z, torch.float16)
    assert back.dtype == torch.float32 and torch.equal(back, torch.tensor([[1.0, 3.0]]))


def test_png_bytes_matches_pillow_and_a_blank_image_is_smaller_than_noise():
    blank, noise = torch.zeros(1, 1, 28, 28), torch.rand(1, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    buffer = io.BytesIO()
    Image.fromarray((noise[0, 0].numpy() * 255).round().astype("uint8")).save(buffer, format="PNG", optimize=True)
    assert vt.png_bytes(noise) == len(buffer.getvalue())
    assert vt.png_bytes(blank) < vt.png_bytes(noise)


def test_parameter_bytes_counts_every_weight():
    layer = torch.nn.Linear(10, 3)  # 30 weights + 3 biases
    assert parameter_bytes(layer, torch.float16) == 66


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    import os

    old = os.environ.get("VAE_TEACH_CACHE")
    os.environ["VAE_TEACH_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    g = torch.Generator().manual_seed(0)
    data = vt.ImageData(torch.rand(100, 1, 28, 28, generator=g), torch.arange(100) % 10,
                        torch.rand(50, 1, 28, 28, generator=g), torch.arange(50) % 10, "random", tuple("0123456789"))
    sweep = vt.bottleneck_sweep(data.train_x, data.test_x, ks=(2, 4), hidden_dims=(8,), epochs=1, progress=False)
    if old is None:
        os.environ.pop("VAE_TEACH_CACHE")
    else:
        os.environ["VAE_TEACH_CACHE"] = old
    return sweep, data


def test_probe_rows_list_pixels_then_ae_and_pca_for_each_k(tiny_sweep):
    sweep, data = tiny_sweep
    rows = vt.probe_rows(sweep, data, ks=(2, 4))
    assert [(r["features"], r["numbers per image"]) for r in rows] == [
        ("raw pixels", 784), ("AE codes", 2), ("PCA codes", 2), ("AE codes", 4), ("PCA codes", 4)]
    assert all(0.0 <= r["accuracy"] <= 1.0 for r in rows)


def test_compression_rows_report_float16_bytes_and_the_error_after_rounding(tiny_sweep):
    sweep, data = tiny_sweep
    rows = vt.compression_rows(sweep, data.test_x, dtype=torch.float16)
    ae2 = next(r for r in rows if r["method"] == "autoencoder" and r["k"] == 2)
    assert ae2["bytes"] == 4 and ae2["ratio"] == pytest.approx(196.0)
    # float16 rounding of the codes changes the error only a little
    assert ae2["error"] == pytest.approx(sweep.ae_error[2], rel=1e-2)
