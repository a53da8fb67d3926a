"""Outside judges of decoded images (the fixed digit classifier, a k-NN on pixels), and their verdicts."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch import Tensor

from .._validate import check_images
from .codes import encode_dataset
from .paths import class_means


#: The confidence from which judge_digits counts a decoded image as digit-like.
DIGIT_LIKE = 0.9


def judge_digits(classifier: Any, images: Tensor, threshold: float = DIGIT_LIKE) -> dict[str, Any]:
    """What the fixed digit classifier (``vt.digit_classifier``) makes of images (N, 1, 28, 28) in [0, 1].

    Returns a dict: ``confidence``, the mean over images of the top class probability (0.1 to 1);
    ``digit_like``, the share of images whose top probability is at least ``threshold``;
    ``classes``, a (10,) integer array counting the images per predicted digit;
    ``predicted``, the (N,) predicted digits.
    """
    if not 0.0 < float(threshold) <= 1.0:
        raise ValueError(f"expected threshold in (0, 1]; got {threshold!r}")
    if not callable(getattr(classifier, "probabilities", None)):
        raise TypeError(f"expected the digit classifier (vt.digit_classifier()); got {type(classifier).__name__}")
    probabilities = classifier.probabilities(check_images(images, "images"))
    top, predicted = probabilities.max(dim=1)
    return {"confidence": float(top.mean()),
            "digit_like": float((top >= threshold).float().mean()),
            "classes": np.bincount(predicted.numpy(), minlength=probabilities.shape[1]),
            "predicted": predicted}


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

    classifier: the digit classifier (``vt.digit_classifier``) or a scikit-learn one on
    flattened pixels (``pixel_classifier``).

    Class means are taken over the codes of all of ``images``.
    """
    codes = encode_dataset(model, images)
    means = class_means(codes, labels)
    z = codes[labels == source]
    direction = means[target] - means[source]
    shares = []
    with torch.no_grad():
        for a in amounts:
            decoded = model.decode(z + float(a) * direction)
            if callable(getattr(classifier, "probabilities", None)):
                verdict = classifier.predict(decoded).numpy()
            else:
                verdict = classifier.predict(decoded.reshape(len(z), -1).cpu().numpy())
            shares.append(float(np.mean(verdict == target)))
    return np.array(shares)
