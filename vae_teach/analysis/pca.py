"""Principal component analysis, the linear baseline of every autoencoder in the book.

PCA keeps the k directions of largest variance of the centred training images.
A linear autoencoder trained with squared error spans the same subspace;
:func:`principal_angles` measures how close two subspaces are.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from .._validate import PIXELS, check_images, check_positive_int


class PCA(NamedTuple):
    """A fitted PCA: mean (784,), components (k, 784), explained_variance (k,) in pixel units squared.

    mean: (784,) mean training image (flattened). components: (k, 784), orthonormal
    rows, largest variance first. explained_variance: (k,) variance of the training
    data along each component (pixel units squared). total_variance: the sum over all
    784 directions, so ``explained_variance / total_variance`` is the share kept.
    """

    mean: Tensor
    components: Tensor
    explained_variance: Tensor
    total_variance: float

    @property
    def k(self) -> int:
        return self.components.shape[0]


def _flat(x: Tensor, name: str = "x") -> Tensor:
    return check_images(x, name).flatten(1).detach().cpu().double()


def fit_pca(x: Tensor, k: int) -> PCA:
    """PCA of images x (N, 1, 28, 28) in [0, 1], keeping k components (1 <= k <= min(N, 784)).

    Computed from the SVD of the centred data in float64 (no sampling, so it is exact).
    """
    check_positive_int(k, "k")
    flat = _flat(x)
    if k > min(flat.shape):
        raise ValueError(f"expected k <= min(N, 784) = {min(flat.shape)}; got k={k}")
    mean = flat.mean(dim=0)
    _, s, vt = torch.linalg.svd(flat - mean, full_matrices=False)
    variance = s.pow(2) / (flat.shape[0] - 1)
    # The sign of a singular vector is arbitrary; fix it so that results are repeatable.
    signs = torch.sign(vt[:k].sum(dim=1))
    signs[signs == 0] = 1.0
    components = vt[:k] * signs[:, None]
    return PCA(mean.float(), components.float(), variance[:k].float(), float(variance.sum()))


def truncate_pca(pca: PCA, k: int) -> PCA:
    """The PCA with only the first k components: the same as ``fit_pca(x, k)``, without a new SVD.

    PCA is nested: the top-k subspace is spanned by the first k of the top-K components.
    """
    check_positive_int(k, "k")
    if k > pca.k:
        raise ValueError(f"expected k <= {pca.k}, the components this PCA has; got k={k}")
    return PCA(pca.mean, pca.components[:k], pca.explained_variance[:k], pca.total_variance)


def pca_encode(pca: PCA, x: Tensor) -> Tensor:
    """Coordinates of images x (N, 1, 28, 28) along the components: (N, k)."""
    return ((_flat(x) - pca.mean.double()) @ pca.components.double().T).float()


def pca_decode(pca: PCA, codes: Tensor, clip: bool = True) -> Tensor:
    """Images (N, 1, 28, 28) from PCA codes (N, k): mean + codes @ components.

    clip: clamp the pixels to [0, 1], as an autoencoder's ``decode`` does, so that
    errors of the two are compared on the same footing. Unclipped pixels can leave [0, 1].
    """
    codes = torch.as_tensor(codes)
    if codes.dim() != 2 or codes.shape[1] != pca.k:
        raise ValueError(f"expected codes of shape (N, {pca.k}); got {tuple(codes.shape)}")
    flat = pca.mean.double() + codes.double() @ pca.components.double()
    if clip:
        flat = flat.clamp(0.0, 1.0)
    return flat.float().reshape(-1, 1, 28, 28)


def pca_reconstruct(pca: PCA, x: Tensor, clip: bool = True) -> Tensor:
    """Project images x (N, 1, 28, 28) onto the PCA subspace and back: (N, 1, 28, 28)."""
    return pca_decode(pca, pca_encode(pca, x), clip=clip)


def _orthonormal_basis(a: Tensor, name: str) -> Tensor:
    a = torch.as_tensor(a).detach().cpu().double()
    if a.dim() != 2 or a.shape[0] < a.shape[1]:
        raise ValueError(f"expected {name} as a (n, k) matrix whose k <= n columns span a subspace; "
                         f"got shape {tuple(a.shape)}")
    q, r = torch.linalg.qr(a)
    if (r.diagonal().abs() <= 1e-10 * r.diagonal().abs().max()).any():
        raise ValueError(f"expected the columns of {name} to be linearly independent")
    return q


def principal_angles(a: Tensor, b: Tensor) -> Tensor:
    """Principal angles between the column spaces of a (n, k) and b (n, k), in degrees, smallest first.

    0 degrees means a shared direction, 90 an orthogonal one; all k angles near 0
    means the two subspaces are the same. Both the cosines (singular values of
    qa^T qb) and the sines (singular values of qb - qa qa^T qb) are used, so small
    angles stay accurate where arccos alone would lose them to rounding.
    """
    qa, qb = _orthonormal_basis(a, "a"), _orthonormal_basis(b, "b")
    if qa.shape != qb.shape:
        raise ValueError(f"expected a and b of the same shape; got {tuple(qa.shape)} and {tuple(qb.shape)}")
    cos = torch.linalg.svdvals(qa.T @ qb).clamp(0.0, 1.0)          # descending: smallest angle first
    sin = torch.linalg.svdvals(qb - qa @ (qa.T @ qb)).clamp(0.0, 1.0).flip(0)  # ascending
    return torch.rad2deg(torch.atan2(sin, cos)).float()


def decoder_basis(model) -> Tensor:
    """The columns a linear autoencoder decodes onto: its decoder weight, (784, k).

    The decoder of ``Autoencoder(k, hidden_dims=())`` is x_hat = W z + b; the
    reconstructions lie in b + span(W), which is what PCA's subspace is compared with.
    """
    layers = [m for m in model.decoder if isinstance(m, torch.nn.Linear)]
    if len(layers) != 1 or len(model.decoder) != 1:
        raise ValueError("expected a linear autoencoder (hidden_dims=()), whose decoder is one Linear layer; "
                         f"got a decoder of {len(model.decoder)} modules")
    weight = layers[0].weight.detach().cpu()
    if weight.shape[0] != PIXELS:
        raise ValueError(f"expected a decoder weight of shape (784, k); got {tuple(weight.shape)}")
    return weight
