"""Digits from another source: scikit-learn's 8x8 ``load_digits``, brought to MNIST's format.

scikit-learn ships 1,797 handwritten digits (UCI "optical recognition" set) as
8x8 images with values 0-16, so they are on every machine that has the book's
requirements, with no network. They were written by other people, scanned by
another device and downsampled another way than MNIST: data from the same task
but another distribution, which is what an anomaly detector should notice.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F

#: MNIST's digits are scaled into a 20x20 box and centred in the 28x28 image; so are these.
BOX = 20


def upsample_digits(pixels: np.ndarray | Tensor) -> Tensor:
    """8x8 images with values 0-16 (N, 8, 8) or (N, 64) -> (N, 1, 28, 28) float32 in [0, 1].

    Each image is divided by 16, upsampled to 20x20 by bilinear interpolation
    (``torch.nn.functional.interpolate``, half-pixel centres, ``align_corners=False``),
    and padded with 4 blank pixels on every side, like MNIST's 20x20 box in 28x28.
    """
    x = torch.as_tensor(np.asarray(pixels), dtype=torch.float32)
    if x.dim() == 2 and x.shape[1] == 64:
        x = x.reshape(-1, 8, 8)
    if x.dim() != 3 or x.shape[1:] != (8, 8):
        raise ValueError(f"expected 8x8 images of shape (N, 8, 8) or (N, 64); got {tuple(x.shape)}")
    if x.numel() and (float(x.min()) < 0 or float(x.max()) > 16):
        raise ValueError(f"expected values in [0, 16] (scikit-learn's load_digits); got "
                         f"{float(x.min())} to {float(x.max())}")
    big = F.interpolate((x / 16.0)[:, None], size=(BOX, BOX), mode="bilinear", align_corners=False)
    pad = (28 - BOX) // 2
    return F.pad(big, (pad, pad, pad, pad)).clamp(0.0, 1.0)


def load_sklearn_digits() -> tuple[Tensor, Tensor]:
    """scikit-learn's 1,797 digits as MNIST-like images: (1797, 1, 28, 28) float32 in [0, 1], labels (1797,) int64.

    See ``upsample_digits`` for how the 8x8 images become 28x28. Offline: the data
    ship inside scikit-learn.
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return upsample_digits(bunch.images), torch.as_tensor(bunch.target, dtype=torch.int64)
