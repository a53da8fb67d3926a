"""What codes are worth as features: a linear classifier (a probe) on them."""

from __future__ import annotations

import warnings

import numpy as np
from torch import Tensor

from .codes import encode_dataset
from .pca import pca_encode

#: Bytes of one raw MNIST image: 784 pixels, one byte (uint8) each.
RAW_IMAGE_BYTES = 784


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
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

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


def probe_rows(sweep, data, ks: tuple[int, ...] = (2, 8, 32)) -> list[dict]:
    """Linear-probe test accuracies: raw pixels, then AE codes beside PCA codes for each k.

    sweep: a :class:`~vae_teach.SweepResult` holding models and PCAs for ks;
    data: an ImageData. Returns rows {"features", "numbers per image", "accuracy"}.
    """
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
