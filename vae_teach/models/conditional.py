"""A conditional VAE (Sohn et al. 2015): encoder and decoder both read the digit label.

The label y (N,) enters as a one-hot vector (N, n_classes), concatenated to the
flattened image in the encoder, q(z|x, y), and to the code in the decoder,
p(x|z, y). The prior stays p(z) = N(0, I), independent of y, so the ELBO
bounds log p(x|y): z is left to carry what the label does not say (the style).
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from .._validate import PIXELS, check_codes, check_images, check_positive_int, check_seed
from ..distributions import gaussian_kl, pixel_likelihood, reparameterize
from .base import ImageModel, LossParts, mlp, register
from .mlp import _check_hidden_dims


@register
class ConditionalVAE(ImageModel):
    """An MLP VAE conditioned on a label: q(z|x, y) = N(mu, diag exp(logvar)), p(x|z, y) Bernoulli.

    Encoder: [x (784), one_hot(y) (n_classes)] -> hidden_dims -> (mu, logvar), each (N, latent_dim).
    Decoder: [z (latent_dim), one_hot(y)] -> reversed(hidden_dims) -> 784 logits.
    Every method that takes images or codes also takes y: (N,) integer labels in [0, n_classes).
    seed: seeds the initial weights (None: use the global RNG).
    """

    is_variational = True
    takes_labels = True

    def __init__(self, latent_dim: int = 20, hidden_dims: Sequence[int] = (400,), n_classes: int = 10,
                 seed: int | None = 0) -> None:
        super().__init__()
        self.hidden_dims = _check_hidden_dims(latent_dim, hidden_dims)
        self.latent_dim, self.n_classes = int(latent_dim), check_positive_int(n_classes, "n_classes")
        self.likelihood = "bernoulli"
        self.pixel_likelihood = pixel_likelihood("bernoulli")
        self.seed = check_seed(seed, allow_none=True)

        def build() -> None:
            self.encoder = mlp([PIXELS + self.n_classes, *self.hidden_dims], activate_last=True)
            width = self.hidden_dims[-1] if self.hidden_dims else PIXELS + self.n_classes
            self.mu_head = nn.Linear(width, self.latent_dim)
            self.logvar_head = nn.Linear(width, self.latent_dim)
            self.decoder = mlp([self.latent_dim + self.n_classes, *reversed(self.hidden_dims), PIXELS])

        self._init_seeded(self.seed, build)

    def config(self) -> dict[str, Any]:
        return {"class": "ConditionalVAE", "latent_dim": self.latent_dim, "hidden_dims": list(self.hidden_dims),
                "n_classes": self.n_classes, "seed": self.seed}

    def check_labels(self, y: Tensor | None, n: int) -> Tensor:
        """Labels for n examples: (n,) integers in [0, n_classes); anything else is refused."""
        y = super().check_labels(y, n)
        assert y is not None  # takes_labels: the base class refuses None
        if n and (int(y.min()) < 0 or int(y.max()) >= self.n_classes):
            raise ValueError(f"expected labels in [0, {self.n_classes}); got values from {int(y.min())} "
                             f"to {int(y.max())}")
        return y

    def _one_hot(self, y: Tensor, like: Tensor) -> Tensor:
        return F.one_hot(y.to(like.device).long(), self.n_classes).to(like.dtype)

    def posterior(self, x_flat: Tensor, y: Tensor | None = None) -> tuple[Tensor, Tensor]:
        if y is None:
            raise ValueError("ConditionalVAE needs labels y (N,) beside the images")
        h = self.encoder(torch.cat([x_flat, self._one_hot(y, x_flat)], dim=1))
        return self.mu_head(h), self.logvar_head(h)

    def decode_logits(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        if y is None:
            raise ValueError("ConditionalVAE needs labels y (N,) to decode")
        return self.decoder(torch.cat([z, self._one_hot(y, z)], dim=1)).reshape(-1, 1, 28, 28)

    def encode(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """Parameters of q(z|x, y) for images x (N, 1, 28, 28) and labels y (N,): (mu, logvar), each (N, D)."""
        x = check_images(x)
        y = self.check_labels(y, x.shape[0])
        return self.posterior(x.to(self.device).flatten(1), y)

    def codes_flat(self, x_flat: Tensor, y: Tensor | None = None) -> Tensor:
        return self.posterior(x_flat, y)[0]

    def loss_parts(self, x: Tensor, y: Tensor | None = None, *, beta: float = 1.0,
                   generator: torch.Generator | None = None, x_input: Tensor | None = None) -> LossParts:
        """recon = -log p(x|z, y) for one z ~ q(z|x, y), kl = KL(q(z|x, y) || p(z)), loss = recon + beta * kl
        (the negative conditional ELBO when beta = 1). x: (N, 1, 28, 28) or (N, 784); y: (N,). Each (N,), nats."""
        mu, logvar = self.posterior((x if x_input is None else x_input).flatten(1), y)
        z = reparameterize(mu, logvar, generator=generator)
        recon = -self.log_likelihood(self.decode_logits(z, y), x.reshape(-1, 1, 28, 28))
        kl = gaussian_kl(mu, logvar)
        return LossParts(recon + beta * kl, recon, kl)

    def sample(self, y: Tensor, seed: int | None = None) -> Tensor:
        """One image per label of y (N,), decoded from z ~ N(0, I): (N, 1, 28, 28) decoder means."""
        if not isinstance(y, Tensor):
            y = torch.as_tensor(y)
        y = self.check_labels(y.reshape(-1), y.numel())
        seed = check_seed(seed, allow_none=True)
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        z = torch.randn(y.shape[0], self.latent_dim, generator=generator)
        return self.decode(z, y)

    def decode_as(self, z: Tensor, digits: Sequence[int] | Tensor) -> Tensor:
        """Each code of z (N, D) decoded with each label of digits (L,): (N * L, 1, 28, 28), code-major.

        Row n * L + l is code n drawn as digit digits[l]: one handwriting style, every digit.
        """
        z = check_codes(z, self.latent_dim).to(self.device, torch.float32)
        labels = torch.as_tensor(digits).reshape(-1)
        labels = self.check_labels(labels, labels.numel())
        return self.decode(z.repeat_interleave(labels.numel(), dim=0), labels.repeat(z.shape[0]))
