"""Figures of chapter 1: an image beside its 784-vector, a bar per class."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from .validate import check_images


def show_image_and_vector(image: Tensor, label: int | None = None) -> Figure:
    """One image (1, 28, 28) as a picture (left) and as the vector of its 784 values (right).

    Grey bands mark where each of the 28 rows starts, so that the reader sees the
    rows of the picture laid end to end.
    """
    x = check_images(image.reshape(1, 1, 28, 28), "image")[0, 0].detach().cpu()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 2.8), gridspec_kw={"width_ratios": [1, 3.2]})
    left.imshow(x.numpy(), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    left.set_title("as an image, (1, 28, 28)" + (f"\nlabel {label}" if label is not None else ""), fontsize=10)
    left.set_xlabel("column")
    left.set_ylabel("row")
    for row in range(0, 28, 2):
        right.axvspan(row * 28, (row + 1) * 28, color="0.93", lw=0)
    right.plot(np.arange(784), x.flatten().numpy(), lw=0.9, color="C0")
    right.set(xlim=(0, 783), ylim=(-0.02, 1.05), xlabel="pixel index = 28 x row + column",
              ylabel="pixel value", title="the same image as a vector of 784 values (bands: rows)")
    fig.tight_layout()
    return fig


def plot_per_class(values: Tensor | Sequence[float], ylabel: str, title: str,
                   class_names: Sequence[str] | None = None, ax: Axes | None = None,
                   xlabel: str = "class") -> Axes:
    """A bar per class: values (C,), labelled with class_names (default 0..C-1)."""
    values = torch.as_tensor(values).detach().cpu().numpy()
    names = list(class_names) if class_names is not None else [str(i) for i in range(len(values))]
    if len(names) != len(values):
        raise ValueError(f"expected one class name per value ({len(values)}); got {len(names)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 2.8))
    ax.bar(names, values, color="C0")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(axis="y", alpha=0.3)
    return ax
