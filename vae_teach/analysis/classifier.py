"""An outside judge of decoded images, and what latent arithmetic does by its verdict."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch import Tensor

from .._validate import check_images
from .codes import encode_dataset
from .paths import class_means


def pixel_classifier(images: Tensor, labels: Tensor, k: int = 5) -> Any:
    """A k-nearest-neighbour classifier on raw pixels (scikit-learn): an outside judge of decoded images.

    images (N, 1, 28, 28) in [0, 1], labels (N,). It knows nothing of any model's codes.
    """
    from sklearn.neighbors import KNeighborsClassifier

    x = check_images(images).reshape(len(images), -1).cpu().numpy()
    return KNeighborsClassifier(n_neighbors=k).fit(x, labels.cpu().numpy())


def arithmetic_success(model: Any, images: Tensor, labels: Tensor, source: int, target: int,
                       amounts: Sequence[float], classifier: Any) -> np.ndarray:
    """Share of the ``source`` digits in images whose code z + a (mean[target] - mean[source]),
    decoded, the classifier calls ``target``, for each amount a. Returns (len(amounts),).

    Class means are taken over the codes of all of ``images``.
    """
    codes = encode_dataset(model, images)
    means = class_means(codes, labels)
    z = codes[labels == source]
    direction = means[target] - means[source]
    shares = []
    with torch.no_grad():
        for a in amounts:
            decoded = model.decode(z + float(a) * direction).reshape(len(z), -1).cpu().numpy()
            shares.append(float(np.mean(classifier.predict(decoded) == target)))
    return np.array(shares)
