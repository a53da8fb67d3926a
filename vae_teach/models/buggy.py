"""The VAE losses people get wrong, each as a model the cache can key: ``BuggyVAE(bug=...)``.

Each bug is one line of a training loss written by hand; chapter 7 trains one model
per bug from the same start and then scores it with the *correct* ELBO
(``vt.elbo``), which the bug never sees. ``loss_parts`` reports what the buggy code
would have minimised (``loss``) beside the true terms (``recon``, ``kl``).
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import Tensor

from .._validate import PIXELS
from ..distributions import gaussian_kl
from .base import LossParts, register
from .mlp import VAE

#: Each bug by name, with the line of a hand-written loss that causes it.
BUGS: dict[str, str] = {
    "kl_mean_over_dims": "kl = (0.5 * (mu**2 + logvar.exp() - 1 - logvar)).mean()",
    "recon_mean_over_pixels": "recon = F.binary_cross_entropy(x_hat, x)  # mean over pixels",
    "logvar_as_std": "z = mu + logvar * torch.randn_like(mu)",
    "double_sigmoid": "recon = F.binary_cross_entropy_with_logits(torch.sigmoid(out), x)",
    "batch_kl_sum": "loss = recon.mean() + kl.sum()  # KL of the batch summed",
}


@register
class BuggyVAE(VAE):
    """The MLP VAE (same architecture, same initial weights as ``VAE`` with the same seed) trained
    with one of the common bugs of ``BUGS``.

    bug: a key of ``BUGS``. "double_sigmoid" also changes the model: its decoder ends in a
    sigmoid whose output the Bernoulli likelihood reads as logits, so pixel probabilities
    stay within sigmoid(0) = 0.5 and sigmoid(1) = 0.73; every other bug leaves a plain VAE,
    trained with the wrong weights on its terms (or the wrong noise).
    """

    def __init__(self, latent_dim: int = 20, hidden_dims: Sequence[int] = (400,), bug: str = "kl_mean_over_dims",
                 seed: int | None = 0) -> None:
        if bug not in BUGS:
            raise ValueError(f"expected bug as one of {', '.join(BUGS)}; got {bug!r}")
        super().__init__(latent_dim=latent_dim, hidden_dims=hidden_dims, seed=seed)
        self.bug = bug

    def config(self) -> dict[str, Any]:
        return {"class": "BuggyVAE", "latent_dim": self.latent_dim, "hidden_dims": list(self.hidden_dims),
                "bug": self.bug, "seed": self.seed}

    def decode_logits(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        out = super().decode_logits(z, y)
        return torch.sigmoid(out) if self.bug == "double_sigmoid" else out

    def loss_parts(self, x: Tensor, y: Tensor | None = None, *, beta: float = 1.0,
                   generator: torch.Generator | None = None, x_input: Tensor | None = None) -> LossParts:
        """loss: what the buggy code minimises, per example (its batch mean is the buggy batch loss);
        recon = -log p(x|z) for the z the buggy code sampled; kl = KL(q(z|x) || p(z)). Each (N,), nats."""
        source = x if x_input is None else x_input
        mu, logvar = self.posterior(source.flatten(1))
        noise = torch.randn(mu.shape, generator=generator, dtype=mu.dtype,
                            device=generator.device if generator is not None else mu.device).to(mu.device)
        std = logvar if self.bug == "logvar_as_std" else torch.exp(0.5 * logvar)
        recon = -self.log_likelihood(self.decode_logits(mu + std * noise), x)
        kl = gaussian_kl(mu, logvar)
        if self.bug == "kl_mean_over_dims":
            loss = recon + beta * kl / self.latent_dim
        elif self.bug == "recon_mean_over_pixels":
            loss = recon / PIXELS + beta * kl
        elif self.bug == "batch_kl_sum":
            loss = recon + beta * x.shape[0] * kl  # its mean over the batch: recon.mean() + kl.sum()
        else:
            loss = recon + beta * kl
        return LossParts(loss, recon, kl)
