"""MLP autoencoder and VAE on 28x28 images.

Both decoders output raw numbers (logits for a Bernoulli likelihood, pixel
means for a Gaussian one); ``decode(z)`` always returns images in [0, 1].
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import torch
from torch import Tensor, nn

from .._validate import PIXELS, check_images, check_positive_int, check_seed
from ..distributions import Gaussian, gaussian_kl, pixel_likelihood, reparameterize, squared_error
from .base import ImageModel, LossParts, mlp, register


class AEOutput(NamedTuple):
    """Autoencoder forward pass. logits: (N, 1, 28, 28) decoder output; z: (N, D) codes."""

    logits: Tensor
    z: Tensor


class VAEOutput(NamedTuple):
    """VAE forward pass: logits (N, 1, 28, 28); mu, logvar, z (N, D).

    logits: (N, 1, 28, 28) decoder output for the sampled z (logits for a Bernoulli
    likelihood, pixel means for a Gaussian one); mu, logvar: (N, D) parameters of
    q(z|x); z: (N, D) the sample mu + exp(logvar / 2) * eps.
    """

    logits: Tensor
    mu: Tensor
    logvar: Tensor
    z: Tensor


def _check_hidden_dims(latent_dim: object, hidden_dims: object) -> tuple[int, ...]:
    check_positive_int(latent_dim, "latent_dim")
    expected = "expected hidden_dims as a sequence of positive ints, e.g. (400,), or () for no hidden layer"
    if isinstance(hidden_dims, (str, bytes)) or not hasattr(hidden_dims, "__iter__"):
        raise ValueError(f"{expected}; got {hidden_dims!r}")
    dims = tuple(hidden_dims)  # materialised once: a generator would be empty after a second pass
    try:
        return tuple(check_positive_int(h, "each hidden size") for h in dims)
    except ValueError:
        raise ValueError(f"{expected}; got {dims!r}") from None


@register
class Autoencoder(ImageModel):
    """A deterministic MLP autoencoder: 784 -> hidden_dims -> latent_dim -> reversed(hidden_dims) -> 784.

    latent_dim: size of the code z. hidden_dims: hidden layer sizes of the encoder
    (the decoder mirrors them); ``()`` gives a linear autoencoder.
    likelihood: ``"bernoulli"`` (decoder gives logits, trained with binary cross-entropy)
    or ``"gaussian"`` (decoder gives pixels directly, trained with squared error).
    seed: seeds the initial weights (None: use the global RNG).
    """

    def __init__(self, latent_dim: int = 2, hidden_dims: Sequence[int] = (400,),
                 likelihood: str = "bernoulli", seed: int | None = 0) -> None:
        super().__init__()
        self.hidden_dims = _check_hidden_dims(latent_dim, hidden_dims)
        self.pixel_likelihood = pixel_likelihood(likelihood)
        self.latent_dim, self.likelihood, self.seed = int(latent_dim), likelihood, check_seed(seed, allow_none=True)

        def build() -> None:
            self.encoder = mlp([PIXELS, *self.hidden_dims, self.latent_dim])
            self.decoder = mlp([self.latent_dim, *reversed(self.hidden_dims), PIXELS])

        self._init_seeded(self.seed, build)

    def config(self) -> dict[str, Any]:
        return {"class": "Autoencoder", "latent_dim": self.latent_dim,
                "hidden_dims": list(self.hidden_dims), "likelihood": self.likelihood, "seed": self.seed}

    def encode(self, x: Tensor) -> Tensor:
        """Codes z (N, D) for images x (N, 1, 28, 28) in [0, 1]."""
        return self.codes(x)

    def codes_flat(self, x_flat: Tensor, y: Tensor | None = None) -> Tensor:
        return self.encoder(x_flat)

    def forward(self, x: Tensor) -> AEOutput:
        z = self.encoder(x.flatten(1))
        return AEOutput(logits=self.decode_logits(z), z=z)

    def loss_parts(self, x: Tensor, y: Tensor | None = None, *, beta: float = 1.0,
                   generator: torch.Generator | None = None, x_input: Tensor | None = None) -> LossParts:
        """recon = binary cross-entropy summed over pixels (Bernoulli) or the summed squared
        error (Gaussian); kl = 0; loss = recon. Each (N,)."""
        out = self(x if x_input is None else x_input)
        if self.likelihood == "bernoulli":
            recon = -self.log_likelihood(out.logits, x)
        else:
            recon = squared_error(out.logits, x)
        return LossParts(recon, recon, torch.zeros_like(recon))


@register
class VAE(ImageModel):
    """A variational autoencoder with an MLP encoder q(z|x) = N(mu, diag exp(logvar)) and MLP decoder.

    Encoder: 784 -> hidden_dims -> (mu, logvar), each (N, latent_dim).
    Decoder: latent_dim -> reversed(hidden_dims) -> 784 logits (Bernoulli likelihood,
    the default) or pixel means (Gaussian likelihood with fixed std ``gaussian_sigma``).
    Prior: p(z) = N(0, I).
    seed: seeds the initial weights (None: use the global RNG).
    """

    is_variational = True

    def __init__(self, latent_dim: int = 20, hidden_dims: Sequence[int] = (400,),
                 likelihood: str = "bernoulli", gaussian_sigma: float = 0.1,
                 seed: int | None = 0) -> None:
        super().__init__()
        self.hidden_dims = _check_hidden_dims(latent_dim, hidden_dims)
        self.pixel_likelihood = pixel_likelihood(likelihood, gaussian_sigma)
        self.gaussian_sigma = Gaussian(gaussian_sigma).sigma  # checked even when unused: it is in the config
        self.latent_dim, self.likelihood, self.seed = int(latent_dim), likelihood, check_seed(seed, allow_none=True)

        def build() -> None:
            self.encoder = mlp([PIXELS, *self.hidden_dims], activate_last=True)
            width = self.hidden_dims[-1] if self.hidden_dims else PIXELS
            self.mu_head = nn.Linear(width, self.latent_dim)
            self.logvar_head = nn.Linear(width, self.latent_dim)
            self.decoder = mlp([self.latent_dim, *reversed(self.hidden_dims), PIXELS])

        self._init_seeded(self.seed, build)

    def config(self) -> dict[str, Any]:
        return {"class": "VAE", "latent_dim": self.latent_dim, "hidden_dims": list(self.hidden_dims),
                "likelihood": self.likelihood, "gaussian_sigma": self.gaussian_sigma, "seed": self.seed}

    def posterior(self, x_flat: Tensor, y: Tensor | None = None) -> tuple[Tensor, Tensor]:
        h = self.encoder(x_flat)
        return self.mu_head(h), self.logvar_head(h)

    def encode_flat(self, x_flat: Tensor) -> tuple[Tensor, Tensor]:
        """(mu, logvar), each (N, D), for flattened images (N, 784); no input checks."""
        return self.posterior(x_flat)

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Parameters of q(z|x) for images x (N, 1, 28, 28) in [0, 1]: (mu, logvar), each (N, D)."""
        x = check_images(x)
        return self.posterior(x.to(self.device).flatten(1))

    def codes_flat(self, x_flat: Tensor, y: Tensor | None = None) -> Tensor:
        return self.posterior(x_flat)[0]

    def forward(self, x: Tensor, generator: torch.Generator | None = None) -> VAEOutput:
        mu, logvar = self.posterior(x.flatten(1))
        z = reparameterize(mu, logvar, generator=generator)
        return VAEOutput(logits=self.decode_logits(z), mu=mu, logvar=logvar, z=z)

    def loss_parts(self, x: Tensor, y: Tensor | None = None, *, beta: float = 1.0,
                   generator: torch.Generator | None = None, x_input: Tensor | None = None) -> LossParts:
        """recon = -log p(x|z) for one z ~ q(z|x), kl = KL(q(z|x) || p(z)), loss = recon + beta * kl
        (the negative ELBO when beta = 1). Each (N,), nats."""
        out = self(x if x_input is None else x_input, generator=generator)
        recon = -self.log_likelihood(out.logits, x)
        kl = gaussian_kl(out.mu, out.logvar)
        return LossParts(recon + beta * kl, recon, kl)

    def sample(self, n: int, seed: int | None = None) -> Tensor:
        """n images decoded from z ~ N(0, I) (decoder means): (n, 1, 28, 28)."""
        check_positive_int(n, "n")
        seed = check_seed(seed, allow_none=True)
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        z = torch.randn(n, self.latent_dim, generator=generator)
        return self.decode(z)
