"""A VAE whose decoder also sees the pixels above and to the left: powerful enough to ignore z.

p(x|z) = prod over pixels i (raster order) of Bernoulli(x_i; sigmoid(f_i(z) + g_i(x_<i))):
the MLP decoder's logits f(z) plus a small PixelCNN-style term g (van den Oord et al.
2016): a masked convolution over the already-drawn neighbours of each pixel, a ReLU, and a
1x1 convolution to one logit. The neighbours explain much of each pixel, so the code has
less left to carry: the set-up in which posterior collapse is usually met (Bowman et al.
2016 for text, Chen et al. 2017 for images).
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._validate import check_codes, check_positive_int, check_real
from ..distributions import _bernoulli_log_prob, free_bits_kl, gaussian_kl
from .base import LossParts, register
from .mlp import VAE


def causal_mask(kernel: int) -> Tensor:
    """(kernel, kernel) ones over the pixels drawn before the centre in raster order: the rows
    above it and the pixels to its left (PixelCNN's mask "A"; the centre itself excluded)."""
    mask = torch.ones(kernel, kernel)
    mask[kernel // 2, kernel // 2:] = 0.0
    mask[kernel // 2 + 1:] = 0.0
    return mask


@register
class PixelARVAE(VAE):
    """MLP VAE (Bernoulli) whose decoder adds a masked-convolution term over the earlier pixels.

    latent_dim, hidden_dims, seed: as for ``VAE``. channels, kernel: the masked convolution
    (1 -> channels, kernel x kernel, odd). The 1x1 output weights start at zero, so training
    starts from the plain VAE. free_bits: nats per latent dimension below which the KL is not
    penalised (Kingma et al. 2016; 0 = the plain ELBO), see ``distributions.free_bits_kl``.
    """

    def __init__(self, latent_dim: int = 20, hidden_dims: Sequence[int] = (200,), channels: int = 4,
                 kernel: int = 5, free_bits: float = 0.0, seed: int | None = 0) -> None:
        super().__init__(latent_dim=latent_dim, hidden_dims=hidden_dims, seed=seed)
        self.channels, self.kernel = check_positive_int(channels, "channels"), check_positive_int(kernel, "kernel")
        if self.kernel % 2 == 0:
            raise ValueError(f"expected kernel as an odd size (3, 5, 7); got {kernel}")
        self.free_bits = check_real(free_bits, "free_bits")
        g = torch.Generator().manual_seed(self.seed if self.seed is not None else int(torch.randint(2**31, ())))
        self.context = nn.Parameter(torch.randn(self.channels, 1, self.kernel, self.kernel, generator=g) / self.kernel)
        self.context_bias = nn.Parameter(torch.zeros(self.channels))
        self.readout = nn.Parameter(torch.zeros(self.channels))
        self.register_buffer("mask", causal_mask(self.kernel))

    def config(self) -> dict[str, Any]:
        return {"class": "PixelARVAE", "latent_dim": self.latent_dim, "hidden_dims": list(self.hidden_dims),
                "channels": self.channels, "kernel": self.kernel, "free_bits": self.free_bits, "seed": self.seed}

    def context_logits(self, x: Tensor) -> Tensor:
        """g(x_<i) for every pixel of images x (N, 1, 28, 28): (N, 784), from earlier pixels only."""
        hidden = F.relu(F.conv2d(x.reshape(-1, 1, 28, 28), self.context * self.mask, self.context_bias,
                                 padding=self.kernel // 2))
        return torch.einsum("nchw,c->nhw", hidden, self.readout).flatten(1)

    def log_likelihood(self, decoder_out: Tensor, x: Tensor) -> Tensor:
        """log p(x|z): decoder_out (N, 1, 28, 28) = f(z), x (N, 1, 28, 28); returns (N,), nats."""
        return _bernoulli_log_prob(decoder_out.flatten(1) + self.context_logits(x), x.flatten(1))

    def decode(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        """Images (N, 1, 28, 28) for codes z (N, D), one pixel at a time in raster order.

        Each pixel's probability is fed to the later pixels in place of a sampled pixel (a
        deterministic pass, comparable with the other models' mean images; not a sample).
        """
        z = check_codes(z, self.latent_dim)
        self.check_labels(y, z.shape[0])
        k, pad = self.kernel, self.kernel // 2
        with torch.no_grad():
            base = self.decode_logits(z.to(self.device, torch.float32)).reshape(-1, 28, 28)
            canvas = torch.zeros(base.shape[0], 28 + 2 * pad, 28 + 2 * pad, device=base.device)
            weights = (self.context * self.mask).reshape(self.channels, k * k)
            for r in range(28):
                for c in range(28):
                    patch = canvas[:, r:r + k, c:c + k].reshape(-1, k * k)
                    hidden = F.relu(patch @ weights.T + self.context_bias)
                    canvas[:, r + pad, c + pad] = torch.sigmoid(base[:, r, c] + hidden @ self.readout)
        return canvas[:, pad:pad + 28, pad:pad + 28].reshape(-1, 1, 28, 28).clone()

    def loss_parts(self, x: Tensor, y: Tensor | None = None, *, beta: float = 1.0,
                   generator: torch.Generator | None = None, x_input: Tensor | None = None) -> LossParts:
        """recon = -log p(x|z) for one z ~ q(z|x); kl = KL(q(z|x) || p(z)); loss = recon + beta * kl,
        with the KL term under free bits when ``free_bits`` > 0. Each (N,), nats."""
        out = self(x if x_input is None else x_input, generator=generator)
        recon = -self.log_likelihood(out.logits, x)
        kl = gaussian_kl(out.mu, out.logvar)
        penalty = free_bits_kl(out.mu, out.logvar, self.free_bits) if self.free_bits > 0 else kl
        return LossParts(recon + beta * penalty, recon, kl)
