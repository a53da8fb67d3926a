"""Where an autoencoder's codes lie, and what random codes miss.

A plain autoencoder gives no rule for picking codes to decode. These helpers draw
codes from the box the training codes occupy and measure how far they fall from
any training code: the "holes" that a VAE (chapter 3) is built to fill.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .._validate import check_images, check_positive_int


def _check_codes(codes: Tensor, name: str = "codes", min_rows: int = 2) -> Tensor:
    if not isinstance(codes, Tensor) or codes.dim() != 2 or codes.shape[0] < min_rows:
        shape = tuple(codes.shape) if isinstance(codes, Tensor) else type(codes).__name__
        raise ValueError(f"expected {name} as a float tensor of shape (N, D) with N >= {min_rows}; got {shape}")
    if not torch.isfinite(codes).all():
        raise ValueError(f"expected finite {name}; got NaN or infinite values")
    return codes.detach().cpu().float()


def encode_dataset(model, x: Tensor, batch_size: int = 1000, y: Tensor | None = None) -> Tensor:
    """Codes of images x (N, 1, 28, 28): the AE's z, or the VAE's posterior mean mu. Returns (N, D) on CPU.

    y: (N,) labels for a conditional model.
    """
    x = check_images(x)
    check_positive_int(batch_size, "batch_size")
    chunks = []
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            batch = x[start:start + batch_size].to(model.device).flatten(1)
            labels = y[start:start + batch_size].to(model.device) if y is not None else None
            chunks.append(model.codes_flat(batch, labels).cpu())
    return torch.cat(chunks)


def random_codes_like(codes: Tensor, n: int, seed: int = 0) -> Tensor:
    """n codes drawn uniformly from the bounding box of codes (N, D): (n, D).

    The box spans each dimension's min to max over the given codes, so every random
    code is "in range"; whether it is near any real code is another matter.
    """
    codes = _check_codes(codes)
    check_positive_int(n, "n")
    low, high = codes.min(dim=0).values, codes.max(dim=0).values
    generator = torch.Generator().manual_seed(seed)
    return low + (high - low) * torch.rand(n, codes.shape[1], generator=generator)


def nearest_distance(queries: Tensor, codes: Tensor, exclude_self: bool = False) -> Tensor:
    """Euclidean distance from each query (M, D) to its nearest code in codes (N, D): (M,).

    exclude_self: queries are the codes themselves; ignore each code's zero distance to itself.
    """
    queries, codes = _check_codes(queries, "queries", min_rows=1), _check_codes(codes)
    if queries.shape[1] != codes.shape[1]:
        raise ValueError(f"expected queries of shape (M, {codes.shape[1]}); got {tuple(queries.shape)}")
    if exclude_self and queries.shape != codes.shape:
        raise ValueError("exclude_self needs queries to be the codes themselves (same shape)")
    nearest = []
    for start in range(0, queries.shape[0], 1000):  # blocks keep the distance matrix small
        block = torch.cdist(queries[start:start + 1000].double(), codes.double())
        if exclude_self:
            rows = torch.arange(block.shape[0])
            block[rows, rows + start] = float("inf")
        nearest.append(block.min(dim=1).values)
    return torch.cat(nearest).float()


def share_in_holes(random_codes: Tensor, codes: Tensor, quantile: float = 0.99) -> tuple[float, float]:
    """Share of random codes farther from every training code than most training codes are from theirs.

    The threshold is the ``quantile`` of the training codes' nearest-neighbour distances
    (a training code is rarely that isolated). Returns (share in [0, 1], threshold).
    """
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"expected quantile in (0, 1); got {quantile!r}")
    typical = nearest_distance(codes, codes, exclude_self=True)
    threshold = float(torch.quantile(typical.double(), quantile))
    far = nearest_distance(random_codes, codes) > threshold
    return float(far.float().mean()), threshold


def sample_fitted_gaussian(codes: Tensor, n: int, seed: int = 0) -> Tensor:
    """n codes from N(mean, cov) fitted to codes (N, D): a plain autoencoder's best-effort 'prior'.

    Returns (n, D) float32.
    """
    if codes.dim() != 2 or codes.shape[0] < codes.shape[1] + 1:
        raise ValueError(f"expected codes of shape (N, D) with N > D; got {tuple(codes.shape)}")
    check_positive_int(n, "n")
    c = codes.detach().double().cpu()
    mean, cov = c.mean(dim=0), torch.cov(c.T).reshape(c.shape[1], c.shape[1])
    chol = torch.linalg.cholesky(cov + 1e-9 * torch.eye(c.shape[1], dtype=c.dtype))
    eps = torch.randn(n, c.shape[1], generator=torch.Generator().manual_seed(seed), dtype=c.dtype)
    return (mean + eps @ chol.T).float()


def empty_cell_fraction(codes: Tensor, low: float, high: float, bins: int = 20) -> float:
    """Fraction of the bins x bins cells of [low, high]^2 that hold no code of codes (N, 2)."""
    if codes.dim() != 2 or codes.shape[1] != 2:
        raise ValueError(f"expected codes of shape (N, 2); got {tuple(codes.shape)}")
    counts = torch.histogramdd(codes.detach().cpu().float(), bins=[bins, bins],
                               range=[low, high, low, high]).hist
    return float((counts == 0).float().mean())
