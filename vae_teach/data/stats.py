"""Numbers about the data that a modeller needs (chapter 1): split sizes, balance, pixel statistics.

Every function takes images (N, 1, 28, 28) in [0, 1] and, where classes matter,
labels (N,) int64, and returns plain numbers or tensors.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .._validate import check_images

#: Images in the full data sets that ``load_mnist("mnist")`` / ``("fashion")`` download.
FULL_SIZES = {"mnist": {"train": 60_000, "test": 10_000}, "fashion": {"train": 60_000, "test": 10_000}}


def _labels(y: Tensor, n: int) -> Tensor:
    y = torch.as_tensor(y)
    if y.dim() != 1 or len(y) != n or y.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"expected labels as an int tensor of shape ({n},); got {y.dtype} {tuple(y.shape)}")
    return y.long()


def split_summary(data) -> list[dict]:
    """One row per split of an ImageData: images, images per class (min and max), share of all images."""
    total = len(data.train_y) + len(data.test_y)
    rows = []
    for name, y in (("train", data.train_y), ("test", data.test_y)):
        counts = torch.bincount(_labels(y, len(y)), minlength=len(data.class_names))
        rows.append({"split": name, "images": len(y), "per class, fewest": int(counts.min()),
                     "per class, most": int(counts.max()), "share of all images": len(y) / total})
    return rows


def pixel_stats(x: Tensor, full_ink: float = 0.98) -> dict[str, float]:
    """Summary of the pixel values of images x (N, 1, 28, 28) in [0, 1].

    min, max, mean: over all pixels. Every pixel falls in exactly one of three
    shares (they sum to 1): zero_share, pixels exactly 0 (background);
    grey_share, pixels strictly between 0 and full_ink (anti-aliased edges and
    faint strokes); full_share, pixels at full_ink or above (the core of a
    stroke). grey_share_of_ink: grey pixels as a share of the non-zero ones.
    ink_pixels: non-zero pixels per image, on average (out of 784).
    """
    x = check_images(x)
    if not 0.0 < full_ink <= 1.0:
        raise ValueError(f"expected full_ink in (0, 1]; got {full_ink}")
    flat = x.flatten(1)
    nonzero = flat > 0
    grey = nonzero & (flat < full_ink)
    n_nonzero = int(nonzero.sum())
    return {
        "min": float(flat.min()), "max": float(flat.max()), "mean": float(flat.mean()),
        "zero_share": float((~nonzero).float().mean()),
        "grey_share": float(grey.float().mean()),
        "full_share": float((flat >= full_ink).float().mean()),
        "grey_share_of_ink": float(grey.sum()) / n_nonzero if n_nonzero else 0.0,
        "ink_pixels": float(nonzero.float().sum(dim=1).mean()),
    }


def mean_images(x: Tensor, y: Tensor | None = None, n_classes: int = 10) -> Tensor:
    """The mean image (1, 1, 28, 28) of x, or with labels y the mean image of each class (n_classes, 1, 28, 28)."""
    x = check_images(x)
    if y is None:
        return x.mean(dim=0, keepdim=True)
    y = _labels(y, len(x))
    means = []
    for c in range(n_classes):
        members = x[y == c]
        if len(members) == 0:
            raise ValueError(f"expected at least one image of class {c}; got none")
        means.append(members.mean(dim=0))
    return torch.stack(means)


def nonzero_share_by_class(x: Tensor, y: Tensor, n_classes: int = 10) -> Tensor:
    """Mean share of non-zero pixels in an image, per class: (n_classes,) in [0, 1]. How sparse a digit is."""
    x = check_images(x)
    y = _labels(y, len(x))
    share = (x.flatten(1) > 0).float().mean(dim=1)
    return torch.stack([share[y == c].mean() for c in range(n_classes)])


def memory_bytes(n_images: int, dtype: torch.dtype = torch.float32) -> int:
    """Bytes that n_images 28x28 images take in memory as a tensor of dtype."""
    if n_images < 0:
        raise ValueError(f"expected n_images >= 0; got {n_images}")
    return n_images * 784 * torch.empty((), dtype=dtype).element_size()


def exact_overlap(a: Tensor, b: Tensor) -> int:
    """How many images of b (M, 1, 28, 28) also appear, pixel for pixel (at 8-bit precision), in a (N, ...)."""
    a, b = check_images(a, "a"), check_images(b, "b")

    def keys(x: Tensor) -> list[bytes]:
        return [row.tobytes() for row in (x.flatten(1) * 255).round().to(torch.uint8).cpu().numpy()]

    seen = set(keys(a))
    return sum(key in seen for key in keys(b))
