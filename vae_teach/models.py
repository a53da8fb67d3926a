"""MLP autoencoder and VAE on 28x28 images.

Both decoders return logits internally (for a Bernoulli likelihood) or pixel
means (for a Gaussian one); ``decode(z)`` always returns images in [0, 1].
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import torch
from torch import Tensor, nn

from .validate import PIXELS, check_codes, check_images, check_positive_int

LIKELIHOODS = ("bernoulli", "gaussian")


class AEOutput(NamedTuple):
    """Autoencoder forward pass. logits: (N, 1, 28, 28) decoder output; z: (N, D) codes."""

    logits: Tensor
    z: Tensor


class VAEOutput(NamedTuple):
    """VAE forward pass.

    logits: (N, 1, 28, 28) decoder output for the sampled z (logits for a Bernoulli
    likelihood, pixel means for a Gaussian one); mu, logvar: (N, D) parameters of
    q(z|x); z: (N, D) the sample mu + exp(logvar / 2) * eps.
    """

    logits: Tensor
    mu: Tensor
    logvar: Tensor
    z: Tensor


def mlp(sizes: Sequence[int], activate_last: bool = False) -> nn.Sequential:
    """Linear layers between consecutive sizes, ReLU between them (and after the last if asked)."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2 or activate_last:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _check_config(latent_dim: object, hidden_dims: object, likelihood: object) -> tuple[int, ...]:
    check_positive_int(latent_dim, "latent_dim")
    if isinstance(hidden_dims, int) or not all(
            isinstance(h, int) and not isinstance(h, bool) and h > 0 for h in hidden_dims):  # type: ignore[union-attr]
        raise ValueError(f"expected hidden_dims as a sequence of positive ints, e.g. (400,); got {hidden_dims!r}")
    if likelihood not in LIKELIHOODS:
        raise ValueError(f"expected likelihood to be one of {LIKELIHOODS}; got {likelihood!r}")
    return tuple(hidden_dims)  # type: ignore[arg-type]


class _ImageModel(nn.Module):
    """What the AE and the VAE share: a decoder from codes to images, a config, seeding."""

    latent_dim: int
    likelihood: str
    decoder: nn.Sequential

    def _init_seeded(self, seed: int | None, build) -> None:
        # Saved with the weights: fit initialises the output bias from the data only
        # on a model that has never been trained.
        self.register_buffer("epochs_trained", torch.zeros((), dtype=torch.int64))
        if seed is None:
            build()
            return
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            build()

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def init_output_bias(self, mean_image: Tensor) -> None:
        """Set the decoder's last bias so that a zero hidden layer decodes to the mean image.

        mean_image: (784,) or (1, 28, 28) mean training pixels in [0, 1]. For a
        Bernoulli decoder the bias is their log-odds; for a Gaussian one, the pixels.
        Training then starts from the mean digit instead of uniform grey.
        """
        last = self.decoder[-1]
        mean = mean_image.detach().reshape(-1).to(last.bias.device, last.bias.dtype)
        with torch.no_grad():
            if self.likelihood == "bernoulli":
                last.bias.copy_(torch.logit(mean.clamp(1e-3, 1.0 - 1e-3)))
            else:
                last.bias.copy_(mean)

    def decode_logits(self, z: Tensor) -> Tensor:
        """Raw decoder output for codes z (N, D): (N, 1, 28, 28) logits or pixel means."""
        return self.decoder(z).reshape(-1, 1, 28, 28)

    def decode(self, z: Tensor) -> Tensor:
        """Images in [0, 1] for codes z of shape (N, D) (or (D,)); returns (N, 1, 28, 28)."""
        z = check_codes(z, self.latent_dim)
        out = self.decode_logits(z.to(self.device, torch.float32))
        return torch.sigmoid(out) if self.likelihood == "bernoulli" else out.clamp(0.0, 1.0)

    def config(self) -> dict[str, Any]:
        """Everything that determines the architecture and the initial weights."""
        raise NotImplementedError

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "class")


class Autoencoder(_ImageModel):
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
        self.hidden_dims = _check_config(latent_dim, hidden_dims, likelihood)
        self.latent_dim, self.likelihood, self.seed = latent_dim, likelihood, seed

        def build() -> None:
            self.encoder = mlp([PIXELS, *self.hidden_dims, latent_dim])
            self.decoder = mlp([latent_dim, *reversed(self.hidden_dims), PIXELS])

        self._init_seeded(seed, build)

    def config(self) -> dict[str, Any]:
        return {"class": "Autoencoder", "latent_dim": self.latent_dim,
                "hidden_dims": list(self.hidden_dims), "likelihood": self.likelihood, "seed": self.seed}

    def encode(self, x: Tensor) -> Tensor:
        """Codes z (N, D) for images x (N, 1, 28, 28) in [0, 1]."""
        x = check_images(x)
        return self.encoder(x.to(self.device).flatten(1))

    def forward(self, x: Tensor) -> AEOutput:
        z = self.encoder(x.flatten(1))
        return AEOutput(logits=self.decode_logits(z), z=z)

    def reconstruct(self, x: Tensor) -> Tensor:
        """decode(encode(x)): (N, 1, 28, 28) images in [0, 1]."""
        return self.decode(self.encode(x))


class VAE(_ImageModel):
    """A variational autoencoder with an MLP encoder q(z|x) = N(mu, diag exp(logvar)) and MLP decoder.

    Encoder: 784 -> hidden_dims -> (mu, logvar), each (N, latent_dim).
    Decoder: latent_dim -> reversed(hidden_dims) -> 784 logits (Bernoulli likelihood,
    the default) or pixel means (Gaussian likelihood with fixed std ``gaussian_sigma``).
    Prior: p(z) = N(0, I).
    seed: seeds the initial weights (None: use the global RNG).
    """

    def __init__(self, latent_dim: int = 20, hidden_dims: Sequence[int] = (400,),
                 likelihood: str = "bernoulli", gaussian_sigma: float = 0.1,
                 seed: int | None = 0) -> None:
        super().__init__()
        self.hidden_dims = _check_config(latent_dim, hidden_dims, likelihood)
        if not gaussian_sigma > 0:
            raise ValueError(f"expected gaussian_sigma > 0; got {gaussian_sigma!r}")
        self.latent_dim, self.likelihood, self.seed = latent_dim, likelihood, seed
        self.gaussian_sigma = float(gaussian_sigma)

        def build() -> None:
            self.encoder = mlp([PIXELS, *self.hidden_dims], activate_last=True)
            width = self.hidden_dims[-1] if self.hidden_dims else PIXELS
            self.mu_head = nn.Linear(width, latent_dim)
            self.logvar_head = nn.Linear(width, latent_dim)
            self.decoder = mlp([latent_dim, *reversed(self.hidden_dims), PIXELS])

        self._init_seeded(seed, build)

    def config(self) -> dict[str, Any]:
        return {"class": "VAE", "latent_dim": self.latent_dim, "hidden_dims": list(self.hidden_dims),
                "likelihood": self.likelihood, "gaussian_sigma": self.gaussian_sigma, "seed": self.seed}

    def encode_flat(self, x_flat: Tensor) -> tuple[Tensor, Tensor]:
        """(mu, logvar), each (N, D), for flattened images (N, 784); no input checks."""
        h = self.encoder(x_flat)
        return self.mu_head(h), self.logvar_head(h)

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Parameters of q(z|x) for images x (N, 1, 28, 28) in [0, 1]: (mu, logvar), each (N, D)."""
        x = check_images(x)
        return self.encode_flat(x.to(self.device).flatten(1))

    def forward(self, x: Tensor, generator: torch.Generator | None = None) -> VAEOutput:
        from .losses import reparameterize

        mu, logvar = self.encode_flat(x.flatten(1))
        z = reparameterize(mu, logvar, generator=generator)
        return VAEOutput(logits=self.decode_logits(z), mu=mu, logvar=logvar, z=z)

    def sample(self, n: int, seed: int | None = None) -> Tensor:
        """n images decoded from z ~ N(0, I) (decoder means): (n, 1, 28, 28)."""
        check_positive_int(n, "n")
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        z = torch.randn(n, self.latent_dim, generator=generator)
        return self.decode(z)

    def reconstruct(self, x: Tensor) -> Tensor:
        """Decode the posterior mean: decode(mu(x)), (N, 1, 28, 28) in [0, 1]."""
        return self.decode(self.encode(x)[0])


MODEL_CLASSES = {"Autoencoder": Autoencoder, "VAE": VAE}


def build_model(config: dict[str, Any]) -> _ImageModel:
    """Rebuild a model (fresh weights) from ``model.config()``."""
    kwargs = dict(config)
    name = kwargs.pop("class", None)
    if name not in MODEL_CLASSES:
        raise ValueError(f"expected a config with 'class' in {sorted(MODEL_CLASSES)}; got {name!r}")
    return MODEL_CLASSES[name](**kwargs)
