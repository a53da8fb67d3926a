"""What codes cost to store: bytes per image beside the reconstruction error."""

from __future__ import annotations

import io

import numpy as np
import torch
from PIL import Image
from torch import Tensor

from .._validate import check_images, check_positive_int
from .codes import encode_dataset
from .pca import pca_decode, pca_encode
from .probes import RAW_IMAGE_BYTES
from .reconstruction import reconstruction_error

BYTES_PER_VALUE = {torch.float32: 4, torch.float16: 2, torch.bfloat16: 2}


def code_bytes(k: int, dtype: torch.dtype = torch.float16) -> int:
    """Bytes to store one image's code of k numbers in dtype (float32: 4 each, float16: 2)."""
    check_positive_int(k, "k")
    if dtype not in BYTES_PER_VALUE:
        raise ValueError(f"expected dtype in {sorted(map(str, BYTES_PER_VALUE))}; got {dtype}")
    return k * BYTES_PER_VALUE[dtype]


def compression_ratio(k: int, dtype: torch.dtype = torch.float16) -> float:
    """Raw image bytes (784) over code bytes: how many times smaller the code is."""
    return RAW_IMAGE_BYTES / code_bytes(k, dtype)


def round_trip(codes: Tensor, dtype: torch.dtype = torch.float16) -> Tensor:
    """Codes as they come back after being stored in dtype: (N, k) float32 with the rounding applied."""
    if dtype not in BYTES_PER_VALUE:
        raise ValueError(f"expected dtype in {sorted(map(str, BYTES_PER_VALUE))}; got {dtype}")
    return codes.detach().to(dtype).to(torch.float32)


def png_sizes(images: Tensor) -> np.ndarray:
    """Size in bytes of each image saved as its own 8-bit greyscale PNG (lossless): (N,) int64.

    images: (N, 1, 28, 28) in [0, 1], rounded to 8 bits first.
    """
    x = check_images(images, "images").detach().cpu()
    pixels = (x[:, 0].numpy() * 255.0).round().astype(np.uint8)
    sizes = []
    for image in pixels:
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG", optimize=True)  # uint8 (28, 28): 8-bit grey
        sizes.append(len(buffer.getvalue()))
    return np.asarray(sizes, dtype=np.int64)


def png_bytes(images: Tensor) -> float:
    """Mean size in bytes of each image saved as its own 8-bit greyscale PNG (lossless).

    images: (N, 1, 28, 28) in [0, 1]. A lossless yardstick for the codes' sizes.
    """
    return float(np.mean(png_sizes(images)))


def parameter_bytes(module: torch.nn.Module, dtype: torch.dtype = torch.float16) -> int:
    """Bytes to ship a module's weights once, stored in dtype."""
    if dtype not in BYTES_PER_VALUE:
        raise ValueError(f"expected dtype in {sorted(map(str, BYTES_PER_VALUE))}; got {dtype}")
    return sum(p.numel() for p in module.parameters()) * BYTES_PER_VALUE[dtype]


def compression_rows(sweep, x: Tensor, dtype: torch.dtype = torch.float16) -> list[dict]:
    """For each k of a sweep: bytes per image of the stored code and the error after decoding it.

    Codes are rounded to dtype before decoding, as storing them would. x: (N, 1, 28, 28).
    Returns rows {"method", "k", "bytes", "ratio", "error"}.
    """
    rows = []
    for k in sweep.ks:
        model, pca = sweep.models[k], sweep.pcas[k]
        with torch.no_grad():
            ae_hat = model.decode(round_trip(encode_dataset(model, x), dtype)).cpu()
        pca_hat = pca_decode(pca, round_trip(pca_encode(pca, x), dtype))
        for method, x_hat in (("autoencoder", ae_hat), ("PCA", pca_hat)):
            rows.append({"method": method, "k": k, "bytes": code_bytes(k, dtype),
                         "ratio": compression_ratio(k, dtype), "error": reconstruction_error(x_hat, x)})
    return rows
