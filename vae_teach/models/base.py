"""The interface every model of the book has: what training, evaluation and the explorers call.

A model maps images x (N, 1, 28, 28) in [0, 1] to codes z (N, D) and back. It
carries its own objective (``loss_parts``), so ``fit``, ``evaluate``, the model
cache and the explorers never ask which kind of model they hold. A variational
model (``is_variational = True``) also gives the parameters of q(z|x)
(``posterior``), which the ELBO and the importance-weighted bound need.

Labels ``y`` (N,) pass through every method, for conditional models; a model
that takes no labels refuses them (``takes_labels = False``).
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Sequence

import torch
from torch import Tensor, nn

from .._validate import check_codes, check_images, check_seed
from ..distributions import PixelLikelihood


class LossParts(NamedTuple):
    """Per-example terms of a training loss, each (N,), nats: loss = recon + beta * kl."""

    loss: Tensor
    recon: Tensor
    kl: Tensor


def mlp(sizes: Sequence[int], activate_last: bool = False) -> nn.Sequential:
    """Linear layers between consecutive sizes, ReLU between them (and after the last if asked)."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2 or activate_last:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class ImageModel(nn.Module):
    """Base class of the book's models: a decoder from codes to images, a likelihood, a config.

    Subclasses build ``decoder`` (codes -> raw outputs) and set ``pixel_likelihood``
    (one of :mod:`~vae_teach.distributions`' pixel likelihoods), and implement
    ``codes_flat``, ``loss_parts`` and ``config``; variational ones also ``posterior``.
    """

    latent_dim: int
    likelihood: str
    pixel_likelihood: PixelLikelihood
    decoder: nn.Module
    #: True for models with an encoder q(z|x): the ELBO and IWAE need it.
    is_variational: bool = False
    #: True for models that condition on a label y (N,).
    takes_labels: bool = False

    def _init_seeded(self, seed: int | None, build: Callable[[], None]) -> None:
        # Saved with the weights: fit initialises the output bias from the data only
        # on a model that has never been trained.
        self.register_buffer("epochs_trained", torch.zeros((), dtype=torch.int64))
        seed = check_seed(seed, allow_none=True)
        if seed is None:
            build()
            return
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            build()

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def check_labels(self, y: Tensor | None, n: int) -> Tensor | None:
        """Labels for n examples: refused by a model that takes none, required by one that does."""
        if not self.takes_labels:
            if y is not None:
                raise ValueError(f"{type(self).__name__} takes no labels; got y of shape {tuple(y.shape)} "
                                 "(only a conditional model uses them)")
            return None
        if not isinstance(y, Tensor) or y.shape != (n,) or y.is_floating_point():
            got = f"shape {tuple(y.shape)}, dtype {y.dtype}" if isinstance(y, Tensor) else type(y).__name__
            raise ValueError(f"expected y as integer labels of shape ({n},); got {got}")
        return y

    def init_output_bias(self, mean_image: Tensor) -> None:
        """Set the decoder's last bias so that a zero hidden layer decodes to the mean image.

        mean_image: (784,) or (1, 28, 28) mean training pixels in [0, 1]. For a
        Bernoulli decoder the bias is their log-odds; for a Gaussian one, the pixels.
        Training then starts from the mean digit instead of uniform grey.
        """
        last = [m for m in self.decoder.modules() if isinstance(m, nn.Linear)][-1]
        mean = mean_image.detach().reshape(-1).to(last.bias.device, last.bias.dtype)
        with torch.no_grad():
            last.bias.copy_(self.pixel_likelihood.output_bias(mean))

    def decode_logits(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        """Raw decoder output for codes z (N, D): (N, 1, 28, 28) logits or pixel means; no input checks."""
        return self.decoder(z).reshape(-1, 1, 28, 28)

    def log_likelihood(self, decoder_out: Tensor, x: Tensor) -> Tensor:
        """log p(x|z) for raw decoder outputs (``decode_logits(z)``) and images x: (N,), nats."""
        return self.pixel_likelihood.log_prob(decoder_out, x)

    def decode(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        """Images in [0, 1] for codes z of shape (N, D) (or (D,)); returns (N, 1, 28, 28)."""
        z = check_codes(z, self.latent_dim)
        y = self.check_labels(y, z.shape[0])
        out = self.decode_logits(z.to(self.device, torch.float32), y)
        return self.pixel_likelihood.mean(out)

    def codes_flat(self, x_flat: Tensor, y: Tensor | None = None) -> Tensor:
        """The deterministic code of each flattened image (N, 784): (N, D); no input checks."""
        raise NotImplementedError

    def codes(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        """The code of each image x (N, 1, 28, 28): the AE's z, the VAE's posterior mean mu. (N, D)."""
        x = check_images(x)
        return self.codes_flat(x.to(self.device).flatten(1), self.check_labels(y, x.shape[0]))

    def reconstruct(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        """decode(codes(x)): (N, 1, 28, 28) images in [0, 1]."""
        return self.decode(self.codes(x, y), y)

    def loss_parts(self, x: Tensor, y: Tensor | None = None, *, beta: float = 1.0,
                   generator: torch.Generator | None = None, x_input: Tensor | None = None) -> LossParts:
        """The training loss on a batch x (N, 1, 28, 28) or (N, 784), per example; no input checks.

        x_input: what the encoder sees (default x; a corrupted copy for denoising).
        """
        raise NotImplementedError

    def posterior(self, x_flat: Tensor, y: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """(mu, logvar) of q(z|x), each (N, D), for flattened images (N, 784); variational models only."""
        raise TypeError(f"{type(self).__name__} has no encoder q(z|x): it is not a variational model")

    def config(self) -> dict[str, Any]:
        """Everything that determines the architecture and the initial weights."""
        raise NotImplementedError

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "class")


MODEL_CLASSES: dict[str, type[nn.Module]] = {}


def register(cls: type[nn.Module]) -> type[nn.Module]:
    """Class decorator: make ``build_model`` (and so checkpoints) know this model class by name.

    Any module with ``config()`` and the training interface (``loss_parts``, ``check_labels``,
    ``init_output_bias``, an ``epochs_trained`` buffer) can be registered: an ImageModel or the
    digit classifier.
    """
    MODEL_CLASSES[cls.__name__] = cls
    return cls


def is_model(obj: object) -> bool:
    """True for the book's models: an ImageModel, or an instance of any registered class (the digit classifier)."""
    return isinstance(obj, (ImageModel, *MODEL_CLASSES.values()))


def build_model(config: dict[str, Any]) -> nn.Module:
    """Rebuild a model (fresh weights) from ``model.config()``."""
    kwargs = dict(config)
    name = kwargs.pop("class", None)
    if name not in MODEL_CLASSES:
        raise ValueError(f"expected a config with 'class' in {sorted(MODEL_CLASSES)}; got {name!r}")
    return MODEL_CLASSES[name](**kwargs)
