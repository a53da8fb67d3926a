"""The decoder's weights for the explorer page, and the page's arithmetic in numpy.

``export_decoder`` packs an MLP decoder (Linear, ReLU, ..., Linear) as int8
weights with one float32 scale per output row (or as float16), base64-encoded;
the page (``static/core.js``) dequantizes them once and decodes codes with
typed arrays, so neither the built book nor JupyterLab needs a kernel to explore. Only MLP decoders can be exported (the JS
knows Linear and ReLU and nothing else); any other decoder is refused with
``UnsupportedModelError``. ``decode_numpy`` does the page's arithmetic in
numpy, so tests can hold the exported decoder to torch's.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any, Sequence

import numpy as np
import torch
from torch import Tensor, nn

from .._validate import check_codes
from .quantize import quantize_mlp

__all__ = ["UnsupportedModelError", "mlp_layers", "export_decoder", "decoder_skeleton", "network_bytes",
           "dequantize", "decode_numpy", "reference", "MAX_NETWORK_BYTES", "MAX_PAGE_BYTES"]

#: Budgets of DESIGN.md: bytes one network adds to an explorer's page (its exported decoder) ...
MAX_NETWORK_BYTES = 600_000
#: ... and bytes of one explorer's whole view (weights, codes, images, script, CSS).
MAX_PAGE_BYTES = 2_500_000
#: Layers with fewer weights than this stay float16 even when int8 is asked for.
SMALL_LAYER = 16_384


class UnsupportedModelError(TypeError):
    """The model's decoder is not an MLP that the explorer page can run."""


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def _unb64(text: str, dtype: Any) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def mlp_layers(model: Any) -> list[nn.Linear]:
    """The Linear layers of ``model.decoder``, checked to be Linear (ReLU Linear)*.

    Raises UnsupportedModelError for anything else (convolutions, other
    activations, a model without a ``decoder``).
    """
    decoder = getattr(model, "decoder", None)
    kinds = [type(m).__name__ for m in decoder] if isinstance(decoder, nn.Sequential) else None
    ok = (kinds is not None and len(kinds) % 2 == 1
          and all(k == ("Linear" if i % 2 == 0 else "ReLU") for i, k in enumerate(kinds)))
    if not ok:
        got = f"a decoder of layers {kinds}" if kinds is not None else f"{type(model).__name__} without an nn.Sequential decoder"
        raise UnsupportedModelError(
            "the explorers run MLP decoders only (the page decodes in JavaScript): nn.Sequential(Linear, ReLU, ..., Linear) "
            f"(vt.Autoencoder or vt.VAE); got {got}. For another decoder, decode in Python instead "
            "(vt.show_images(model.decode(z))).")
    if getattr(model, "likelihood", "bernoulli") not in ("bernoulli", "gaussian"):
        raise UnsupportedModelError(f"expected likelihood 'bernoulli' or 'gaussian'; got {model.likelihood!r}")
    layers = [m for m in decoder if isinstance(m, nn.Linear)]
    if layers[-1].out_features != 784:
        raise UnsupportedModelError(f"expected a decoder ending in 784 pixels; got {layers[-1].out_features}")
    return layers


def export_decoder(model: Any, dtype: str = "int8", calibration: Tensor | None = None) -> dict[str, Any]:
    """The decoder as a JSON-able dict the page's JS can run.

    dtype "int8": each weight row (one output unit) is w_row ~= q_row * scale_row
    with q in [-127, 127] and scale = max|w_row| / 127 (float32); "float16": weights
    rounded to half precision. Biases stay float32. Layers with fewer than
    ``SMALL_LAYER`` weights (the codes -> hidden layer) stay float16 even for "int8".
    calibration: (M, latent_dim) codes from the region the page will decode; with
    them the int8 rounding compensates its own error (``vae_teach.quantize``),
    without them each weight is rounded on its own.
    Keys: ``latent_dim``, ``output`` ("sigmoid" for a Bernoulli decoder, "clamp" for a
    Gaussian one), ``layers`` (each with in, out, dtype, w, scale, b as base64, little-endian).
    """
    if dtype not in ("int8", "float16"):
        raise ValueError(f"expected dtype 'int8' or 'float16'; got {dtype!r}")
    linears = mlp_layers(model)
    weights = [lin.weight.detach().cpu().double().numpy() for lin in linears]
    biases = [lin.bias.detach().cpu().double().numpy() for lin in linears]
    if calibration is not None:
        calibration = check_codes(calibration, linears[0].in_features, "calibration").detach().cpu().double().numpy()
    quantized = quantize_mlp(weights, biases, calibration, SMALL_LAYER) if dtype == "int8" else None
    layers = []
    for k, (lin, w, b) in enumerate(zip(linears, weights, biases)):
        if quantized is not None and quantized[k][1] is None:
            layers.append(_layer(lin, "float16", _b64(quantized[k][0].astype("<f2")), None, _b64(b.astype("<f4"))))
        elif quantized is not None:
            layers.append(_layer(lin, "int8", _b64(quantized[k][0]), _b64(quantized[k][1].astype("<f4")),
                                 _b64(b.astype("<f4"))))
        else:
            layers.append(_layer(lin, "float16", _b64(w.astype("<f2")), None, _b64(b.astype("<f4"))))
    return _spec(model, layers)


def _layer(lin: nn.Linear, dtype: str, w: str, scale: str | None, b: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"in": lin.in_features, "out": lin.out_features, "dtype": dtype, "b": b, "w": w}
    if scale is not None:
        entry["scale"] = scale
    return entry


def _spec(model: Any, layers: list[dict[str, Any]]) -> dict[str, Any]:
    return {"latent_dim": layers[0]["in"], "output": "sigmoid" if model.likelihood == "bernoulli" else "clamp",
            "layers": layers}


def decoder_skeleton(model: Any, dtype: str = "int8") -> dict[str, Any]:
    """``export_decoder``'s dict with each base64 string replaced by as many "A"s: its exact size, no rounding work."""
    if dtype not in ("int8", "float16"):
        raise ValueError(f"expected dtype 'int8' or 'float16'; got {dtype!r}")

    def text(n_bytes: int) -> str:  # base64 of n bytes: 4 characters per started 3 bytes
        return "A" * (4 * math.ceil(n_bytes / 3))
    layers = []
    for lin in mlp_layers(model):
        n_out, n_weights = lin.out_features, lin.weight.numel()
        if dtype == "int8" and n_weights >= SMALL_LAYER:
            layers.append(_layer(lin, "int8", text(n_weights), text(4 * n_out), text(4 * n_out)))
        else:
            layers.append(_layer(lin, "float16", text(2 * n_weights), None, text(4 * n_out)))
    return _spec(model, layers)


def network_bytes(model: Any, dtype: str = "int8") -> int:
    """Bytes the model's exported decoder adds to an explorer's page (its JSON), from its layer sizes alone."""
    return len(json.dumps(decoder_skeleton(model, dtype), separators=(",", ":")))


def dequantize(spec: dict[str, Any]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W (out, in), b (out,)) float32 per layer, as the page rebuilds them."""
    result = []
    for layer in spec["layers"]:
        n_out, n_in = layer["out"], layer["in"]
        if layer["dtype"] == "int8":
            q = _unb64(layer["w"], np.int8).reshape(n_out, n_in).astype(np.float32)
            w = q * _unb64(layer["scale"], "<f4")[:, None]
        else:
            w = _unb64(layer["w"], "<f2").astype(np.float32).reshape(n_out, n_in)
        result.append((w.astype(np.float32), _unb64(layer["b"], "<f4").copy()))
    return result


def decode_numpy(spec: dict[str, Any], z: np.ndarray) -> np.ndarray:
    """The page's decode in numpy: codes z (N, latent_dim) -> pixels (N, 784) float32 in [0, 1].

    Like the JS: float32 weights, sums in float64, each layer's output stored as float32.
    """
    x = np.asarray(z, dtype=np.float32)
    if x.ndim not in (1, 2) or x.shape[-1] != spec["latent_dim"]:
        raise ValueError(f"expected codes z of shape (N, {spec['latent_dim']}); got {x.shape}")
    x = x.reshape(-1, spec["latent_dim"])
    layers = dequantize(spec)
    for k, (w, b) in enumerate(layers):
        y = x.astype(np.float64) @ w.T.astype(np.float64) + b
        x = (np.maximum(y, 0.0) if k < len(layers) - 1 else y).astype(np.float32)
    if spec["output"] == "sigmoid":
        with np.errstate(over="ignore"):  # exp(-x) overflows to inf for x < -709: the pixel is 0, as in the JS
            return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(np.float32)
    return np.clip(x, 0.0, 1.0)


def reference(model: Any, name: str, z: Sequence[float]) -> dict[str, Any]:
    """torch's decode of one code, carried in the page so a browser test can hold the JS to it."""
    with torch.no_grad():
        pixels = model.decode(torch.tensor([list(z)], dtype=torch.float32)).reshape(-1).cpu().numpy()
    return {"model": name, "z": [float(v) for v in z], "pixels": _b64(pixels.astype("<f4"))}
