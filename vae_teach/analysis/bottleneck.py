"""The bottleneck sweep: one autoencoder per code size beside PCA with as many components."""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

from torch import Tensor

from ..models.mlp import Autoencoder
from ..training.fit import History
from ..training.recipes import squared_error_autoencoder
from .pca import PCA, fit_pca, pca_reconstruct, truncate_pca
from .reconstruction import model_error, reconstruction_error


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
    to [0, 1] for both methods. With the default arguments the autoencoders are the
    recipes "ae-2d" ... "ae-64d" (``vt.pretrained``), trained once for every chapter.
    """
    models, histories, pcas, ae_error, pca_error = {}, {}, {}, {}, {}
    largest = fit_pca(train_x, max(ks))  # one SVD; smaller PCAs are its first components
    for k in ks:
        recipe = squared_error_autoencoder(k, hidden_dims, epochs=epochs, lr=lr, seed=seed, **fit_kwargs)
        model, histories[k] = recipe.train(train_x, test_x)
        models[k] = model.cpu().eval()
        pcas[k] = truncate_pca(largest, k)
        ae_error[k] = model_error(model, test_x)
        pca_error[k] = reconstruction_error(pca_reconstruct(pcas[k], test_x), test_x)
    return SweepResult(tuple(ks), models, histories, pcas, ae_error, pca_error)
