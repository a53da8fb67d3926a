"""Do a model's samples cover the data? Class coverage and k-NN manifold precision and recall.

"Mode collapse" is a claim about coverage: the samples land on a few of the data's
modes. Two outside measures test it, neither of which knows any model's codes:

- class coverage: the fixed digit classifier (``vt.digit_classifier``) reads the
  samples; the share of each digit, and the effective number of classes
  exp(entropy of the shares), against the same numbers for the data;
- manifold precision and recall (Kynkaenniemi et al. 2019): in a feature space, each
  set's manifold is the union of balls around its points, each ball reaching that
  point's k-th nearest neighbour in its own set. Precision: the share of samples inside
  the data's manifold (are they realistic?); recall: the share of data inside the
  samples' manifold (is all of the data covered?). The features are the classifier's
  hidden layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from .._validate import check_images, check_positive_int

__all__ = ["classifier_features", "knn_radii", "inside_manifold", "manifold_precision_recall",
           "effective_classes", "sample_coverage"]

#: Rows of the distance matrix computed at once: 2,000 x N float32 distances stay under a few tens of MB.
_CHUNK = 2000


def _features(value: object, name: str) -> Tensor:
    if not isinstance(value, Tensor) or value.dim() != 2 or value.shape[0] < 1 or value.is_complex():
        got = f"shape {tuple(value.shape)}" if isinstance(value, Tensor) else type(value).__name__
        raise ValueError(f"expected {name} as a (N, F) float tensor of features; got {got}")
    value = value.detach().cpu().float()
    if not torch.isfinite(value).all():
        raise ValueError(f"expected finite {name}; got NaN or infinite values")
    return value


def classifier_features(classifier: Any, images: Tensor) -> Tensor:
    """The digit classifier's last hidden layer (after its ReLU) for images (N, 1, 28, 28): (N, H).

    A feature space that knows digits but no model's codes (the role Inception features play
    for natural images in Kynkaenniemi et al.).
    """
    net = getattr(classifier, "net", None)
    if not isinstance(net, torch.nn.Sequential) or len(net) < 3:
        raise TypeError(f"expected the digit classifier (vt.digit_classifier()); got {type(classifier).__name__}")
    x = check_images(images, "images").flatten(1)
    with torch.no_grad():
        return torch.cat([net[:-1](x[i:i + _CHUNK].to(classifier.device)).cpu()
                          for i in range(0, len(x), _CHUNK)])


def knn_radii(features: Tensor, k: int = 3) -> Tensor:
    """Distance from each point (N, F) to its k-th nearest other point of the same set: (N,), feature units."""
    features = _features(features, "features")
    k = check_positive_int(k, "k")
    if k >= len(features):
        raise ValueError(f"expected k below the number of points ({len(features)}); got k = {k}")
    radii = []
    for i in range(0, len(features), _CHUNK):
        d = torch.cdist(features[i:i + _CHUNK], features)
        d[torch.arange(d.shape[0]), torch.arange(i, i + d.shape[0])] = float("inf")  # not its own neighbour
        radii.append(d.topk(k, dim=1, largest=False).values[:, -1])
    return torch.cat(radii)


def inside_manifold(support: Tensor, queries: Tensor, k: int = 3) -> Tensor:
    """Whether each query (M, F) lies in a ball of some support point (N, F) of radius its k-NN radius: (M,) bool.

    A point on a ball's edge counts as inside (distance <= radius), as in the paper's definition.
    """
    support, queries = _features(support, "support"), _features(queries, "queries")
    if support.shape[1] != queries.shape[1]:
        raise ValueError(f"expected support and queries with the same number of features; got "
                         f"{support.shape[1]} and {queries.shape[1]}")
    radii = knn_radii(support, k)
    inside = []
    for i in range(0, len(queries), _CHUNK):
        d = torch.cdist(queries[i:i + _CHUNK], support)
        inside.append((d <= radii[None, :]).any(dim=1))
    return torch.cat(inside)


def manifold_precision_recall(real: Tensor, generated: Tensor, k: int = 3) -> tuple[float, float]:
    """(precision, recall) of generated features (M, F) against real ones (N, F), each a share in [0, 1].

    precision: share of generated points inside the real manifold; recall: share of real
    points inside the generated manifold (Kynkaenniemi et al. 2019, k = 3 as there).
    Compare sets of equal size: a larger set has smaller balls.
    """
    precision = float(inside_manifold(real, generated, k).float().mean())
    recall = float(inside_manifold(generated, real, k).float().mean())
    return precision, recall


def effective_classes(counts: Tensor | np.ndarray) -> float:
    """exp(entropy) of the class shares of ``counts`` (C,): C for a uniform spread, 1 for a single class."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 1 or (counts < 0).any() or counts.sum() <= 0:
        raise ValueError(f"expected counts as a (C,) array of non-negative numbers with a positive sum; "
                         f"got {counts!r:.80}")
    shares = counts[counts > 0] / counts.sum()
    return float(np.exp(-(shares * np.log(shares)).sum()))


def sample_coverage(classifier: Any, real: Tensor, generated: Tensor, k: int = 3) -> dict[str, Any]:
    """How well images ``generated`` (M, 1, 28, 28) cover ``real`` ones (N, 1, 28, 28), by the digit classifier.

    Returns ``shares`` (10,) of each digit the classifier reads in the generated images,
    ``effective_classes`` (their exp-entropy), ``smallest`` (the smallest share),
    ``precision`` and ``recall`` (``manifold_precision_recall`` in the classifier's hidden
    features, on the first n = min(M, N) images of each set, so that both sets are of one size)
    and ``digit_like`` (share read with probability >= 0.9). The shares use all M images.
    """
    from .classifier import judge_digits

    verdict = judge_digits(classifier, generated)
    counts = torch.as_tensor(verdict["classes"], dtype=torch.float64)
    n = min(len(real), len(generated))
    precision, recall = manifold_precision_recall(classifier_features(classifier, real[:n]),
                                                  classifier_features(classifier, generated[:n]), k)
    shares = (counts / counts.sum()).numpy()
    return {"shares": shares, "effective_classes": effective_classes(counts.numpy()),
            "smallest": float(shares.min()), "precision": precision, "recall": recall,
            "digit_like": verdict["digit_like"]}
