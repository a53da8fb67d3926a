"""Measurements and figures of chapter 5: norms along paths, KL per dimension, latent arithmetic.

Each function does one measurement or draws one figure, so a chapter cell stays a line or two.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from torch import Tensor

from .latent import encode_dataset
from .latent_ops import class_means, path_norms
from .validate import check_images

__all__ = ["prior_norm_band", "plot_path_norms", "kl_per_dimension", "plot_kl_per_dimension",
           "pixel_classifier", "arithmetic_success", "plot_arithmetic_success"]


def prior_norm_band(d: int, n: int = 20_000, seed: int = 0) -> tuple[float, float, float]:
    """(5 %, 50 %, 95 %) quantiles of ||z|| for z ~ N(0, I_d), estimated from n samples."""
    z = torch.randn(n, d, generator=torch.Generator().manual_seed(seed))
    q = torch.quantile(z.norm(dim=1), torch.tensor([0.05, 0.5, 0.95]))
    return float(q[0]), float(q[1]), float(q[2])


def plot_path_norms(paths: Mapping[str, Tensor], d: int, title: str = "Norm of the code along the path",
                    ax: Axes | None = None) -> Axes:
    """||z(t)|| along each path (steps, d), over the band where 90 % of prior samples' norms lie."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    low, mid, high = prior_norm_band(d)
    ax.axhspan(low, high, color="0.85", label="90 % of prior samples' norms")
    ax.axhline(np.sqrt(d), color="0.3", linestyle=":", label=f"sqrt(d) = {np.sqrt(d):.2f}")
    for name, path in paths.items():
        t = np.linspace(0.0, 1.0, path.shape[0])
        ax.plot(t, path_norms(path).numpy(), marker="o", markersize=3, label=name)
    ax.set(xlabel="position on the path t", ylabel="||z||", title=title, ylim=(0, None))
    ax.legend(loc="lower left", fontsize=9)
    return ax


def kl_per_dimension(vae: Any, x: Tensor) -> Tensor:
    """Mean over images x (N, 1, 28, 28) of KL(q(z_k|x) || N(0, 1)) for each latent dimension k: (D,), nats."""
    x = check_images(x)
    with torch.no_grad():
        mu, logvar = vae.encode(x)
    return (0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)).mean(dim=0).cpu()


def plot_kl_per_dimension(kl: Tensor, title: str = "KL per latent dimension", ax: Axes | None = None) -> Axes:
    """Bar chart of the mean KL of each dimension (D,), largest first, labelled by dimension."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    order = torch.argsort(kl, descending=True)
    ax.bar(range(len(kl)), kl[order].numpy(), color="tab:blue")
    ax.set_xticks(range(len(kl)), [f"z[{int(k)}]" for k in order], rotation=60, fontsize=8)
    ax.set(xlabel="latent dimension (sorted)", ylabel="mean KL (nats)", title=title)
    return ax


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


def plot_arithmetic_success(amounts: Sequence[float], shares: Mapping[str, np.ndarray],
                            title: str = "Does adding a class-mean difference change the digit?",
                            ax: Axes | None = None) -> Axes:
    """Share judged as the target class against the amount moved, one line per (source -> target)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    for name, s in shares.items():
        ax.plot(amounts, s, marker="o", markersize=3, label=name)
    ax.axvline(1.0, color="0.5", linestyle=":", label="amount 1: z + mean[to] - mean[from]")
    ax.set(xlabel="amount moved along mean[to] - mean[from]", ylabel="share classified as 'to'",
           ylim=(-0.02, 1.02), title=title)
    ax.legend(fontsize=8, loc="upper left")
    return ax
