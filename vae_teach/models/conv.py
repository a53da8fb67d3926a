"""A convolutional VAE on 28x28 images, through the same interface as the MLP VAE.

Encoder: two stride-2 convolutions (28 -> 14 -> 7 pixels), then linear heads for
mu and logvar. Decoder: a linear layer back to a 7x7 feature map, then two
stride-2 transposed convolutions (7 -> 14 -> 28) and a learned bias per pixel.
Bernoulli likelihood, prior N(0, I). Because it implements ``posterior``,
``loss_parts`` and ``config``, ``vt.fit``, ``vt.elbo``, ``vt.iwae``, the model
cache and ``vt.pretrained`` use it unchanged.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import Tensor, nn

from .._validate import check_images, check_positive_int, check_seed
from ..distributions import gaussian_kl, pixel_likelihood, reparameterize
from .base import ImageModel, LossParts, register


#: The initial log-variance of q(z|x) (the logvar head's bias).
INITIAL_LOGVAR = -4.0


class PixelBias(nn.Module):
    """Adds a learned bias per pixel to (N, 1, 28, 28) maps: where the MLP's last Linear bias sits."""

    def __init__(self) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1, 1, 28, 28))

    def forward(self, x: Tensor) -> Tensor:
        return x + self.bias


def _check_channels(channels: object) -> tuple[int, int]:
    expected = "expected channels as two positive ints (first conv, second conv), e.g. (32, 64)"
    if isinstance(channels, (str, bytes)) or not hasattr(channels, "__iter__"):
        raise ValueError(f"{expected}; got {channels!r}")
    values = tuple(channels)
    try:
        checked = tuple(check_positive_int(c, "each channel count") for c in values)
    except ValueError:
        raise ValueError(f"{expected}; got {values!r}") from None
    if len(checked) != 2:
        raise ValueError(f"{expected}; got {len(checked)} values: {values!r}")
    return checked  # type: ignore[return-value]


@register
class ConvVAE(ImageModel):
    """A convolutional VAE: q(z|x) = N(mu, diag exp(logvar)) from a conv encoder, a transposed-conv decoder.

    latent_dim: size of z. channels: (c1, c2), feature maps of the two conv layers
    (the decoder mirrors them). Encoder: x (N, 1, 28, 28) -> conv 4x4 stride 2 -> (N, c1, 14, 14)
    -> conv 4x4 stride 2 -> (N, c2, 7, 7) -> flatten -> mu, logvar (N, latent_dim).
    Decoder: z -> (N, c2, 7, 7) -> (N, c1, 14, 14) -> (N, 1, 28, 28) logits (Bernoulli).
    seed: seeds the initial weights (None: use the global RNG).
    """

    is_variational = True

    def __init__(self, latent_dim: int = 20, channels: Sequence[int] = (32, 64), seed: int | None = 0) -> None:
        super().__init__()
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.channels = _check_channels(channels)
        self.likelihood = "bernoulli"
        self.pixel_likelihood = pixel_likelihood("bernoulli")
        self.seed = check_seed(seed, allow_none=True)
        c1, c2 = self.channels

        def build() -> None:
            self.encoder = nn.Sequential(
                nn.Conv2d(1, c1, 4, stride=2, padding=1), nn.ReLU(),
                nn.Conv2d(c1, c2, 4, stride=2, padding=1), nn.ReLU(), nn.Flatten())
            self.mu_head = nn.Linear(c2 * 49, self.latent_dim)
            self.logvar_head = nn.Linear(c2 * 49, self.latent_dim)
            # q(z|x) starts narrow (std e^-2 = 0.14): at initialisation the conv features of
            # different digits barely differ, and with std 1 the noise in z drowns them, the
            # decoder learns the mean image and ignores z for epochs (an early posterior collapse).
            nn.init.constant_(self.logvar_head.bias, INITIAL_LOGVAR)
            self.decoder = nn.Sequential(
                nn.Linear(self.latent_dim, c2 * 49), nn.ReLU(), nn.Unflatten(1, (c2, 7, 7)),
                nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1), nn.ReLU(),
                nn.ConvTranspose2d(c1, 1, 4, stride=2, padding=1, bias=False), PixelBias())

        self._init_seeded(self.seed, build)

    def config(self) -> dict[str, Any]:
        return {"class": "ConvVAE", "latent_dim": self.latent_dim, "channels": list(self.channels),
                "seed": self.seed}

    def init_output_bias(self, mean_image: Tensor) -> None:
        """Set the per-pixel output bias to the log-odds of the mean image (784,) or (1, 28, 28)."""
        bias = self.decoder[-1].bias
        mean = mean_image.detach().reshape(1, 1, 28, 28).to(bias.device, bias.dtype)
        with torch.no_grad():
            bias.copy_(self.pixel_likelihood.output_bias(mean))

    def posterior(self, x_flat: Tensor, y: Tensor | None = None) -> tuple[Tensor, Tensor]:
        h = self.encoder(x_flat.reshape(-1, 1, 28, 28))
        return self.mu_head(h), self.logvar_head(h)

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Parameters of q(z|x) for images x (N, 1, 28, 28) in [0, 1]: (mu, logvar), each (N, D)."""
        x = check_images(x)
        return self.posterior(x.to(self.device))

    def codes_flat(self, x_flat: Tensor, y: Tensor | None = None) -> Tensor:
        return self.posterior(x_flat)[0]

    def loss_parts(self, x: Tensor, y: Tensor | None = None, *, beta: float = 1.0,
                   generator: torch.Generator | None = None, x_input: Tensor | None = None) -> LossParts:
        """recon = -log p(x|z) for one z ~ q(z|x), kl = KL(q(z|x) || p(z)), loss = recon + beta * kl.
        x: (N, 1, 28, 28) or (N, 784). Each (N,), nats."""
        mu, logvar = self.posterior(x if x_input is None else x_input)
        z = reparameterize(mu, logvar, generator=generator)
        recon = -self.log_likelihood(self.decode_logits(z), x.reshape(-1, 1, 28, 28))
        kl = gaussian_kl(mu, logvar)
        return LossParts(recon + beta * kl, recon, kl)

    def sample(self, n: int, seed: int | None = None) -> Tensor:
        """n images decoded from z ~ N(0, I) (decoder means): (n, 1, 28, 28)."""
        check_positive_int(n, "n")
        seed = check_seed(seed, allow_none=True)
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        return self.decode(torch.randn(n, self.latent_dim, generator=generator))
