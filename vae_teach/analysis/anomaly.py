"""Anomaly scores from a trained model, and how well they separate normal from anomalous images.

A score is one number per image, larger for "more anomalous": -ELBO, -IWAE (both
in nats), the reconstruction error, or the complexity-corrected score of Serra et
al. (2020). A detector flags images above a threshold; the ROC curve traces its
true and false positive rates over every threshold, and the AUROC (area under it)
is the probability that a random anomalous image scores above a random normal one
(ties count one half).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

from .._validate import check_images, check_positive_int, check_seed
from ..objectives import _elbo_per_example, _iwae_per_example, _require_variational
from .compression import png_sizes

__all__ = ["negative_elbo_scores", "negative_iwae_scores", "reconstruction_scores", "png_nats",
           "complexity_corrected", "auroc", "roc_curve", "bootstrap_aurocs", "auroc_interval", "AUROC"]


def _per_batch(model, x: Tensor, fn, batch_size: int, seed: int, y: Tensor | None = None) -> Tensor:
    """fn(batch, generator, labels) -> (B,) over x in batches, eval mode, no gradients: (N,) float64 on CPU."""
    x = check_images(x)
    y = model.check_labels(y, x.shape[0]) if hasattr(model, "check_labels") else y
    generator = torch.Generator(device=model.device).manual_seed(check_seed(seed))
    was_training = model.training
    model.eval()
    pieces = []
    try:
        with torch.no_grad():
            for start in range(0, x.shape[0], batch_size):
                labels = y[start:start + batch_size].to(model.device) if y is not None else None
                pieces.append(fn(x[start:start + batch_size].to(model.device), generator, labels).double().cpu())
    finally:
        model.train(was_training)
    return torch.cat(pieces) if pieces else torch.zeros(0, dtype=torch.float64)


def negative_elbo_scores(model, x: Tensor, n_samples: int = 10, seed: int = 0, y: Tensor | None = None) -> Tensor:
    """-ELBO of each image x (N, 1, 28, 28), averaged over n_samples draws of z: (N,) float64, nats.

    Higher is more anomalous. y: (N,) labels for a conditional model.
    """
    _require_variational(model, "negative_elbo_scores")
    n_samples = check_positive_int(n_samples, "n_samples")
    return -_per_batch(model, x, lambda b, g, lab: _elbo_per_example(model, b, n_samples, g, lab), 1000, seed, y)


def negative_iwae_scores(model, x: Tensor, k: int = 100, seed: int = 0, y: Tensor | None = None) -> Tensor:
    """-IWAE_k of each image x (N, 1, 28, 28): (N,) float64, nats; a tighter estimate of -log p(x) than -ELBO."""
    _require_variational(model, "negative_iwae_scores")
    k = check_positive_int(k, "k")
    batch = max(1, 20_000 // k)
    return -_per_batch(model, x, lambda b, g, lab: _iwae_per_example(model, b, k, g, lab), batch, seed, y)


def reconstruction_scores(model, x: Tensor, y: Tensor | None = None) -> Tensor:
    """Squared error between each image x (N, 1, 28, 28) and model.reconstruct(x), summed over pixels: (N,).

    For a VAE the reconstruction decodes the posterior mean; units: squared pixel values.
    """
    def error(batch: Tensor, generator: torch.Generator, labels: Tensor | None) -> Tensor:
        return (model.reconstruct(batch, labels) - batch).pow(2).flatten(1).sum(dim=1)

    return _per_batch(model, x, error, 1000, 0, y)


def png_nats(images: Tensor) -> Tensor:
    """The PNG-compressed length of each image (N, 1, 28, 28), in nats: bytes x 8 bits x ln 2. (N,) float64.

    Serra et al. (2020)'s complexity L(x): a lossless compressor's code length, a
    rough count of how much there is to describe in the image.
    """
    return torch.as_tensor(png_sizes(images), dtype=torch.float64) * 8.0 * math.log(2.0)


def complexity_corrected(negative_log_likelihood: Tensor, images: Tensor) -> Tensor:
    """Serra et al. (2020)'s score S(x) = -log p(x) - L(x), both in nats: (N,) float64.

    negative_log_likelihood: (N,) -ELBO or -IWAE of images (N, 1, 28, 28). Subtracting the
    compressed length removes what any compressor pays for an image, leaving what the model
    pays beyond it: a simple image (short PNG) is no longer rewarded for its simplicity.
    """
    nll = torch.as_tensor(negative_log_likelihood, dtype=torch.float64).cpu()
    complexity = png_nats(images)
    if nll.shape != complexity.shape:
        raise ValueError(f"expected one score per image, shape {tuple(complexity.shape)}; got {tuple(nll.shape)}")
    return nll - complexity


def _scores(values: object, name: str) -> np.ndarray:
    array = np.asarray(values.detach().cpu() if isinstance(values, Tensor) else values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"expected {name} as a non-empty 1-D array of scores; got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"expected finite {name}; got {int((~np.isfinite(array)).sum())} NaN or infinite values")
    return array


def auroc(normal: object, anomalous: object) -> float:
    """Area under the ROC curve: P(score of an anomalous image > score of a normal one), ties counting 1/2.

    normal, anomalous: 1-D scores (tensors or arrays), higher meaning more anomalous. 0.5 is chance;
    1.0 separates perfectly; below 0.5 the score ranks the anomalies as *more* normal.
    Computed from ranks (the Mann-Whitney U statistic).
    """
    s0, s1 = _scores(normal, "normal"), _scores(anomalous, "anomalous")
    return float(_auroc_rows(s0[None], s1[None])[0])


def _auroc_rows(s0: np.ndarray, s1: np.ndarray) -> np.ndarray:
    """AUROC of each row: s0 (B, n0) normal and s1 (B, n1) anomalous scores -> (B,)."""
    from scipy.stats import rankdata  # here, not at the top: scipy.stats adds ~1.3 s to `import vae_teach`

    n0, n1 = s0.shape[1], s1.shape[1]
    ranks = rankdata(np.concatenate([s0, s1], axis=1), axis=1)  # average ranks: ties share
    return (ranks[:, n0:].sum(axis=1) - n1 * (n1 + 1) / 2.0) / (n0 * n1)


def roc_curve(normal: object, anomalous: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ROC curve: (false positive rates, true positive rates, thresholds), each (T,).

    A point is the detector "score >= threshold", for every distinct score from the highest
    down; the curve starts at (0, 0) (threshold +inf) and ends at (1, 1).
    """
    s0, s1 = _scores(normal, "normal"), _scores(anomalous, "anomalous")
    thresholds = np.unique(np.concatenate([s0, s1]))[::-1]
    # The share of each group at or above each threshold, counted by binary search in the sorted scores.
    fpr = 1.0 - np.searchsorted(np.sort(s0), thresholds, side="left") / s0.size
    tpr = 1.0 - np.searchsorted(np.sort(s1), thresholds, side="left") / s1.size
    return (np.concatenate([[0.0], fpr]), np.concatenate([[0.0], tpr]),
            np.concatenate([[np.inf], thresholds]))


def resample_indices(n_normal: int, n_anomalous: int, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap indices, each group resampled with replacement on its own: (n_boot, n_normal), (n_boot, n_anomalous)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n_normal, (n_boot, n_normal)), rng.integers(0, n_anomalous, (n_boot, n_anomalous))


def bootstrap_aurocs(normal: object, anomalous: object, n_boot: int = 1000, seed: int = 0) -> np.ndarray:
    """The AUROC of n_boot bootstrap resamples (indices from ``resample_indices``): (n_boot,).

    Vectorised: every resample is ranked at once, so 1,000 resamples of 2,000 scores take about a second.
    """
    s0, s1 = _scores(normal, "normal"), _scores(anomalous, "anomalous")
    n_boot, seed = check_positive_int(n_boot, "n_boot"), check_seed(seed)
    i0, i1 = resample_indices(s0.size, s1.size, n_boot, seed)
    rows = max(1, int(2e7 // (s0.size + s1.size)))  # bounds memory: at most ~20 M ranks at a time
    return np.concatenate([_auroc_rows(s0[i0[b:b + rows]], s1[i1[b:b + rows]]) for b in range(0, n_boot, rows)])


class AUROC(NamedTuple):
    """An AUROC with its bootstrap percentile interval (low, high) at the given level."""

    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.value:.2f} ({self.low:.2f}–{self.high:.2f})"


def auroc_interval(normal: object, anomalous: object, n_boot: int = 1000, level: float = 0.95,
                   seed: int = 0) -> AUROC:
    """The AUROC and its bootstrap percentile interval: AUROC(value, low, high).

    Both groups are resampled with replacement, n_boot times; the interval holds the
    middle ``level`` of the resampled AUROCs.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"expected level in (0, 1), e.g. 0.95; got {level!r}")
    samples = bootstrap_aurocs(normal, anomalous, n_boot, seed)
    low, high = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2])
    return AUROC(auroc(normal, anomalous), float(low), float(high))
