"""Latent codes of a whole data set."""

from __future__ import annotations

import torch
from torch import Tensor

from .models import VAE
from .validate import check_images


def encode_dataset(model, x: Tensor, batch_size: int = 1000) -> Tensor:
    """Codes of images x (N, 1, 28, 28): the AE's z, or the VAE's posterior mean mu. Returns (N, D) on CPU."""
    x = check_images(x)
    chunks = []
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            batch = x[start:start + batch_size].to(model.device).flatten(1)
            codes = model.encode_flat(batch)[0] if isinstance(model, VAE) else model.encoder(batch)
            chunks.append(codes.cpu())
    return torch.cat(chunks)
