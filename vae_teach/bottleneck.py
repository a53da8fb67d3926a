"""Experiments on the bottleneck: reconstruction error, a sweep over code sizes, staged training.

The chapters call these so that a cell shows the idea and not the loop.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, NamedTuple, Sequence

import torch
from torch import Tensor

from .cache import CheckpointError, cache_dir, cache_key, load_weights, save_model
from .losses import squared_error
from .models import Autoencoder
from .pca import PCA, fit_pca, pca_reconstruct, truncate_pca
from .train import History, fit
from .validate import check_images


def reconstruction_error(x_hat: Tensor, x: Tensor) -> float:
    """Mean over images of the summed squared pixel error: mean_n sum_pixels (x_hat - x)^2.

    x_hat, x: (N, 1, 28, 28) in [0, 1]. The unit of the book's error numbers
    ("squared error per image"), the same as Hinton & Salakhutdinov (2006) report.
    """
    x_hat, x = check_images(x_hat, "x_hat"), check_images(x, "x")
    if x_hat.shape != x.shape:
        raise ValueError(f"expected x_hat and x of the same shape; got {tuple(x_hat.shape)} and {tuple(x.shape)}")
    return float(squared_error(x_hat.detach().cpu().double(), x.detach().cpu().double()).mean())


def model_error(model, x: Tensor, x_input: Tensor | None = None) -> float:
    """reconstruction_error of model.reconstruct(x_input) against x (x_input defaults to x)."""
    with torch.no_grad():
        x_hat = model.reconstruct(x if x_input is None else x_input).cpu()
    return reconstruction_error(x_hat, x)


def fit_in_phases(model, train_x: Tensor, phases: Sequence[dict[str, Any]], *,
                  directory: str | os.PathLike | None = None, **common: Any) -> History:
    """Train with ``fit`` several times in a row (e.g. a falling learning rate), cached as one run.

    phases: e.g. ``[dict(epochs=30, lr=1e-2), dict(epochs=30, lr=1e-3)]``; each dict is
    passed to ``fit`` on top of ``common``. The cache key covers the whole list, so a
    cached result is only reused for exactly the same schedule. Returns one History.
    """
    if not phases or not all(isinstance(p, dict) and "epochs" in p for p in phases):
        raise ValueError(f"expected phases as a non-empty list of dicts with 'epochs'; got {phases!r}")
    train_x = check_images(train_x, "train_x")
    plan = [sorted({**common, **p}.items(), key=lambda kv: kv[0]) for p in phases]
    key = cache_key(model, train_x, {"phases": [[(k, v) for k, v in step if k != "test_x"] for step in plan],
                                     "test_x": common.get("test_x")})
    path = (Path(directory) if directory is not None else cache_dir()) / f"phased-{key}.pt"
    if path.exists():
        try:
            history = load_weights(model, path)
            model.eval()
            return history if history is not None else History()
        except CheckpointError as error:  # retrained, like cached_fit does
            warnings.warn(f"model cache: {error}; retraining", stacklevel=2)
    history = History()
    for step in phases:
        history = fit(model, train_x, history=history, **{**common, **step})
        if history.interrupted:
            return history
    save_model(model, path, history)
    return history


class SweepResult(NamedTuple):
    """A bottleneck sweep: for each code size k, the trained AE, its history and PCA with k components.

    ae_error, pca_error: test reconstruction error (squared error per image) by k.
    """

    ks: tuple[int, ...]
    models: dict[int, Autoencoder]
    histories: dict[int, History]
    pcas: dict[int, PCA]
    ae_error: dict[int, float]
    pca_error: dict[int, float]


def bottleneck_sweep(train_x: Tensor, test_x: Tensor, ks: Sequence[int] = (2, 4, 8, 16, 32, 64),
                     hidden_dims: Sequence[int] = (256,), epochs: int = 30, lr: float = 3e-3,
                     seed: int = 0, **fit_kwargs: Any) -> SweepResult:
    """Train one MLP autoencoder (squared error) per code size k, cached, and fit PCA with k components.

    train_x, test_x: (N, 1, 28, 28). Errors are measured on test_x with pixels clamped
    to [0, 1] for both methods.
    """
    from .cache import cached_fit

    models, histories, pcas, ae_error, pca_error = {}, {}, {}, {}, {}
    largest = fit_pca(train_x, max(ks))  # one SVD; smaller PCAs are its first components
    for k in ks:
        model = Autoencoder(latent_dim=k, hidden_dims=tuple(hidden_dims), likelihood="gaussian", seed=seed)
        histories[k] = cached_fit(model, train_x, epochs=epochs, lr=lr, seed=seed, test_x=test_x, **fit_kwargs)
        models[k] = model.cpu().eval()
        pcas[k] = truncate_pca(largest, k)
        ae_error[k] = model_error(model, test_x)
        pca_error[k] = reconstruction_error(pca_reconstruct(pcas[k], test_x), test_x)
    return SweepResult(tuple(ks), models, histories, pcas, ae_error, pca_error)
