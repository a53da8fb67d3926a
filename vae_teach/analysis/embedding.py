"""Pictures of codes with more than two dimensions: PCA and t-SNE (scikit-learn) down to two.

PCA is linear: its two axes are the directions of largest variance, and distances in the
picture are the codes' distances with the other directions dropped. t-SNE (van der Maaten
and Hinton 2008) is not: it keeps each code's nearest neighbours near, and nothing else, so
the sizes of its clusters and the gaps between them carry no meaning of their own.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .._validate import check_positive_int, check_seed

__all__ = ["embed_pca", "embed_tsne"]


def _codes(codes: object) -> np.ndarray:
    array = codes.detach().cpu().numpy() if isinstance(codes, Tensor) else np.asarray(codes)
    if array.ndim != 2 or array.shape[0] < 3 or array.shape[1] < 2 or not np.isfinite(array).all():
        raise ValueError(f"expected codes as a finite (N, D) array with N >= 3 and D >= 2; got shape {array.shape}")
    return array.astype(np.float64)


def embed_pca(codes: Tensor) -> tuple[Tensor, Tensor]:
    """Codes (N, D) projected on their two principal axes: ((N, 2), explained variance share (2,))."""
    from sklearn.decomposition import PCA

    pca = PCA(n_components=2).fit(_codes(codes))
    return (torch.as_tensor(pca.transform(_codes(codes)), dtype=torch.float32),
            torch.as_tensor(pca.explained_variance_ratio_, dtype=torch.float32))


def embed_tsne(codes: Tensor, perplexity: float = 30.0, seed: int = 0, max_iter: int = 500) -> Tensor:
    """A t-SNE map of codes (N, D): (N, 2), in t-SNE's own units (which mean nothing as distances).

    perplexity: about how many neighbours each code keeps near (5 to 50 is usual); it must be
    below N. The map starts from PCA (a deterministic start) and runs ``max_iter`` steps
    (at least 250, the early-exaggeration phase), on one thread.
    """
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    array = _codes(codes)
    if not 0 < float(perplexity) < len(array):
        raise ValueError(f"expected perplexity in (0, {len(array)}) (below the number of codes); got {perplexity!r}")
    if check_positive_int(max_iter, "max_iter") < 250:
        raise ValueError(f"expected max_iter >= 250 (t-SNE's early-exaggeration phase alone is 250); got {max_iter}")
    with threadpool_limits(limits=1):
        tsne = TSNE(n_components=2, perplexity=float(perplexity), init="pca", random_state=check_seed(seed),
                    max_iter=max_iter)
        return torch.as_tensor(tsne.fit_transform(array), dtype=torch.float32)
