"""The explorer page's decoder: export (int8 / float16), the page's arithmetic in numpy, refusals."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import vae_teach as vt
from vae_teach.explore import export as web
from vae_teach.explore.quantize import quantize_compensated, quantize_rows

# A small trained pair, shared by the tests of this module (a few seconds on a CPU).


@pytest.fixture(scope="module")
def data():
    return vt.load_mnist()


@pytest.fixture(scope="module")
def ae2(data):
    model = vt.Autoencoder(latent_dim=2, hidden_dims=(200,), seed=0)
    vt.fit(model, data.train_x[:1000], epochs=3, progress=False)
    return model


def _grid(codes: torch.Tensor, n: int = 40) -> torch.Tensor:
    low, high = codes.min(0).values, codes.max(0).values
    a, b = torch.linspace(low[0], high[0], n), torch.linspace(low[1], high[1], n)
    return torch.stack(torch.meshgrid(a, b, indexing="ij"), dim=-1).reshape(-1, 2)


def _torch_pixels(model, z: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return model.decode(z).reshape(len(z), 784).numpy()


def test_int8_round_trip_is_within_half_a_step_per_weight(ae2):
    spec = web.export_decoder(ae2)
    big = ae2.decoder[2].weight.detach().numpy()
    w, _ = web.dequantize(spec)[1]
    step = np.abs(big).max(axis=1, keepdims=True) / 127
    assert spec["layers"][1]["dtype"] == "int8"
    assert np.all(np.abs(w - big) <= step / 2 + 1e-7)


def test_small_first_layer_travels_as_float16(ae2):
    spec = web.export_decoder(ae2)
    w, b = web.dequantize(spec)[0]
    first = ae2.decoder[0]
    assert spec["layers"][0]["dtype"] == "float16"
    assert np.array_equal(w, first.weight.detach().numpy().astype(np.float16).astype(np.float32))
    assert np.array_equal(b, first.bias.detach().numpy())


def test_float16_export_round_trip(ae2):
    spec = web.export_decoder(ae2, dtype="float16")
    for (w, _), lin in zip(web.dequantize(spec), [ae2.decoder[0], ae2.decoder[2]]):
        assert np.allclose(w, lin.weight.detach().numpy(), rtol=1e-3, atol=1e-4)


def test_calibrated_int8_decode_agrees_with_torch_within_002(ae2, data):
    codes = vt.encode_dataset(ae2, data.test_x)
    grid = _grid(codes)
    spec = web.export_decoder(ae2, calibration=grid)
    held_out = _grid(codes, n=23) + 0.01  # points between the calibration grid's
    for z in (grid, held_out, codes):
        assert np.abs(web.decode_numpy(spec, z.numpy()) - _torch_pixels(ae2, z)).max() < 0.02


def test_compensated_rounding_beats_plain_rounding_on_the_layer_output():
    g = torch.Generator().manual_seed(0)
    inputs = torch.relu(torch.randn(2000, 2, generator=g) @ torch.randn(2, 64, generator=g)).double().numpy()
    w = torch.randn(100, 64, generator=g).double().numpy()
    plain_q, plain_s = quantize_rows(w)
    comp_q, comp_s = quantize_compensated(w, inputs)
    exact = inputs @ w.T
    plain = np.abs(inputs @ (plain_q * plain_s[:, None]).T - exact).mean()
    compensated = np.abs(inputs @ (comp_q * comp_s[:, None]).T - exact).mean()
    assert compensated < 0.5 * plain


class ConvDecoderModel(nn.Module):
    latent_dim, likelihood = 2, "bernoulli"

    def __init__(self) -> None:
        super().__init__()
        self.decoder = nn.Sequential(nn.Linear(2, 49), nn.Unflatten(1, (1, 7, 7)), nn.ConvTranspose2d(1, 1, 4, 4))


def test_export_refuses_a_convolutional_decoder_naming_mlp():
    with pytest.raises(web.UnsupportedModelError, match="MLP decoders only.*ConvTranspose2d"):
        web.export_decoder(ConvDecoderModel())


def test_export_refuses_an_unknown_activation():
    model = vt.VAE(latent_dim=2, hidden_dims=(16,))
    model.decoder[1] = nn.Tanh()
    with pytest.raises(web.UnsupportedModelError, match="Tanh"):
        web.export_decoder(model)


def test_export_refuses_calibration_codes_of_the_wrong_size(ae2):
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        web.export_decoder(ae2, calibration=torch.zeros(10, 3))


def test_decode_numpy_refuses_codes_of_the_wrong_size(ae2):
    with pytest.raises(ValueError, match=r"shape \(N, 2\); got \(5, 3\)"):
        web.decode_numpy(web.export_decoder(ae2, "float16"), np.zeros((5, 3)))
