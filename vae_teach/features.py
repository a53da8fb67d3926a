"""What codes are worth: a linear classifier on them, and what they cost to store.

Feature extraction is judged by a linear probe (logistic regression on the codes);
compression by bytes per image beside the reconstruction error.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import torch
from PIL import Image
from torch import Tensor

from .validate import check_images, check_positive_int

#: Bytes of one raw MNIST image: 784 pixels, one byte (uint8) each.
RAW_IMAGE_BYTES = 784
BYTES_PER_VALUE = {torch.float32: 4, torch.float16: 2, torch.bfloat16: 2}


def _as_2d_numpy(features: Tensor | np.ndarray, name: str) -> np.ndarray:
    array = features.detach().cpu().numpy() if isinstance(features, Tensor) else np.asarray(features)
    if array.ndim != 2 or not np.isfinite(array).all():
        raise ValueError(f"expected {name} as a finite (N, D) array; got shape {array.shape}")
    return array.astype(np.float64)


def linear_probe_accuracy(train_features: Tensor, train_y: Tensor, test_features: Tensor,
                          test_y: Tensor, max_iter: int = 300, C: float = 0.05) -> float:
    """Test accuracy of a multinomial logistic regression trained on features (N, D) -> labels (N,).

    Features are standardised with the training mean and std first, so that codes of any
    scale get the same treatment; C is the inverse L2 penalty, the same for every feature
    set. Returns a fraction in [0, 1].
    """
    from threadpoolctl import threadpool_limits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    xtr, xte = _as_2d_numpy(train_features, "train_features"), _as_2d_numpy(test_features, "test_features")
    ytr, yte = np.asarray(train_y).ravel(), np.asarray(test_y).ravel()
    if len(xtr) != len(ytr) or len(xte) != len(yte) or xtr.shape[1] != xte.shape[1]:
        raise ValueError(f"expected one label per row and the same D; got train {xtr.shape} with {len(ytr)} "
                         f"labels, test {xte.shape} with {len(yte)} labels")
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=max_iter, C=C))
    with warnings.catch_warnings():
        # A probe stopped at max_iter is still a fair, fixed-budget comparison.
        warnings.simplefilter("ignore", ConvergenceWarning)
        # One BLAS thread: the problem is small, and on a busy 2-core machine extra
        # threads made the fit 15 times slower (measured).
        with threadpool_limits(limits=1):
            probe.fit(xtr, ytr)
            return float(probe.score(xte, yte))


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


def png_bytes(images: Tensor) -> float:
    """Mean size in bytes of each image saved as its own 8-bit greyscale PNG (lossless).

    images: (N, 1, 28, 28) in [0, 1]. A lossless yardstick for the codes' sizes.
    """
    x = check_images(images, "images").detach().cpu()
    pixels = (x[:, 0].numpy() * 255.0).round().astype(np.uint8)
    sizes = []
    for image in pixels:
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG", optimize=True)  # uint8 (28, 28): 8-bit grey
        sizes.append(len(buffer.getvalue()))
    return float(np.mean(sizes))


def parameter_bytes(module: torch.nn.Module, dtype: torch.dtype = torch.float16) -> int:
    """Bytes to ship a module's weights once, stored in dtype."""
    if dtype not in BYTES_PER_VALUE:
        raise ValueError(f"expected dtype in {sorted(map(str, BYTES_PER_VALUE))}; got {dtype}")
    return sum(p.numel() for p in module.parameters()) * BYTES_PER_VALUE[dtype]


def probe_rows(sweep, data, ks: tuple[int, ...] = (2, 8, 32)) -> list[dict]:
    """Linear-probe test accuracies: raw pixels, then AE codes beside PCA codes for each k.

    sweep: a :class:`~vae_teach.SweepResult` holding models and PCAs for ks;
    data: an ImageData. Returns rows {"features", "numbers per image", "accuracy"}.
    """
    from .latent import encode_dataset
    from .pca import pca_encode

    rows = [{"features": "raw pixels", "numbers per image": RAW_IMAGE_BYTES,
             "accuracy": linear_probe_accuracy(data.train_x.flatten(1), data.train_y,
                                               data.test_x.flatten(1), data.test_y)}]
    for k in ks:
        model, pca = sweep.models[k], sweep.pcas[k]
        for name, encode in (("AE codes", lambda x: encode_dataset(model, x)),
                             ("PCA codes", lambda x: pca_encode(pca, x))):
            rows.append({"features": name, "numbers per image": k, "accuracy": linear_probe_accuracy(
                encode(data.train_x), data.train_y, encode(data.test_x), data.test_y)})
    return rows


def compression_rows(sweep, x: Tensor, dtype: torch.dtype = torch.float16) -> list[dict]:
    """For each k of a sweep: bytes per image of the stored code and the error after decoding it.

    Codes are rounded to dtype before decoding, as storing them would. x: (N, 1, 28, 28).
    Returns rows {"method", "k", "bytes", "ratio", "error"}.
    """
    from .bottleneck import reconstruction_error
    from .latent import encode_dataset
    from .pca import pca_decode, pca_encode

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
