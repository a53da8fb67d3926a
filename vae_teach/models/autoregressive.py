"""A VAE whose decoder also sees the pixels above and to the left: powerful enough to ignore z.

p(x|z) = prod over pixels i (raster order) of Bernoulli(x_i; sigmoid(f_i(z) + sum_{j<i} W_ij x_j)):
the MLP decoder's logits f(z) plus a linear autoregressive term over the earlier pixels
(a fully visible sigmoid belief net, Frey 1998, added to the decoder). The earlier pixels
explain much of each pixel, so the code has less left to carry: the set-up in which
posterior collapse was first reported for text (Bowman et al. 2016).
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import Tensor, nn

from .._validate import PIXELS, check_codes, check_real
from ..distributions import _bernoulli_log_prob, free_bits_kl, gaussian_kl
from .base import LossParts, register
from .mlp import VAE


@register
class PixelARVAE(VAE):
    """MLP VAE (Bernoulli) whose decoder adds a masked linear term over the previous pixels.

    latent_dim, hidden_dims, seed: as for ``VAE``. The autoregressive weights W (784, 784),
    strictly lower triangular, start at zero, so training starts from the plain VAE's
    initial weights. free_bits: nats per latent dimension below which the KL is not
    penalised (Kingma et al. 2016; 0 = the plain ELBO), see ``distributions.free_bits_kl``.
    """

    def __init__(self, latent_dim: int = 20, hidden_dims: Sequence[int] = (200,), free_bits: float = 0.0,
                 seed: int | None = 0) -> None:
        super().__init__(latent_dim=latent_dim, hidden_dims=hidden_dims, seed=seed)
        self.free_bits = check_real(free_bits, "free_bits")
        self.autoregressive = nn.Parameter(torch.zeros(PIXELS, PIXELS))
        self.register_buffer("mask", torch.tril(torch.ones(PIXELS, PIXELS), diagonal=-1))

    def config(self) -> dict[str, Any]:
        return {"class": "PixelARVAE", "latent_dim": self.latent_dim, "hidden_dims": list(self.hidden_dims),
                "free_bits": self.free_bits, "seed": self.seed}

    def log_likelihood(self, decoder_out: Tensor, x: Tensor) -> Tensor:
        """log p(x|z): decoder_out (N, 1, 28, 28) = f(z), x (N, 1, 28, 28); returns (N,), nats."""
        x_flat = x.flatten(1)
        logits = decoder_out.flatten(1) + x_flat @ (self.autoregressive * self.mask).T
        return _bernoulli_log_prob(logits, x_flat)

    def decode(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        """Images (N, 1, 28, 28) for codes z (N, D), one pixel at a time in raster order.

        Each pixel's probability is fed to the later pixels in place of a sampled pixel (a
        deterministic pass, comparable with the other models' mean images; not a sample).
        """
        z = check_codes(z, self.latent_dim)
        self.check_labels(y, z.shape[0])
        with torch.no_grad():
            base = self.decode_logits(z.to(self.device, torch.float32)).flatten(1)
            weights = self.autoregressive * self.mask
            pixels = torch.zeros_like(base)
            for i in range(PIXELS):
                pixels[:, i] = torch.sigmoid(base[:, i] + pixels[:, :i] @ weights[i, :i])
        return pixels.reshape(-1, 1, 28, 28)

    def loss_parts(self, x: Tensor, y: Tensor | None = None, *, beta: float = 1.0,
                   generator: torch.Generator | None = None, x_input: Tensor | None = None) -> LossParts:
        """recon = -log p(x|z) for one z ~ q(z|x); kl = KL(q(z|x) || p(z)); loss = recon + beta * kl,
        with the KL term under free bits when ``free_bits`` > 0. Each (N,), nats."""
        out = self(x if x_input is None else x_input, generator=generator)
        recon = -self.log_likelihood(out.logits, x)
        kl = gaussian_kl(out.mu, out.logvar)
        penalty = free_bits_kl(out.mu, out.logvar, self.free_bits) if self.free_bits > 0 else kl
        return LossParts(recon + beta * penalty, recon, kl)
