"""The named models the chapters share: one recipe per name, trained once and cached.

A chapter asks for a model by name instead of repeating its architecture and
training arguments::

    vae, history = vt.pretrained("vae-2d")      # chapters 3 and 4: the 2-D VAE
    print(vt.recipe("vae-2d"))                  # the two lines of code it stands for

A recipe trains through ``cached_fit`` (or ``fit_in_phases``) with exactly the
arguments it lists, so the model cache holds one copy per name, shared by every
chapter, and a chapter that once wrote those lines out by hand gets the same
weights. ``python -m vae_teach.tools.models`` (``make models``) trains every
recipe ahead of a class.

Adding a model (chapters 6-8): one ``Recipe`` in ``RECIPES``; a new model class
(a conv VAE, a conditional VAE) registers itself with ``models.base.register``
and goes in ``model``; a conditional model sets ``labels=True`` (training then
gets ``y`` and ``test_y``); another likelihood is a ``config`` entry
(``likelihood=...``). Never change a recipe in place: its cached weights, and
the numbers the chapters glue from them, would change with it; add a new name.
"""

from __future__ import annotations

import functools
import os
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from ..data.corruptions import gaussian_noise, mask_pixels
from ..data.mnist import ImageData, load_mnist
from ..models.base import ImageModel
from ..models.classifier import DigitClassifier
from ..models.conditional import ConditionalVAE
from ..models.conv import ConvVAE
from ..models.mlp import VAE, Autoencoder
from .fit import History
from .recipe import Recipe
from .recipes_ch07 import challenge_recipes


def squared_error_autoencoder(k: int, hidden_dims: Sequence[int] = (256,), epochs: int = 30, lr: float = 3e-3,
                              seed: int = 0, **fit_kwargs: Any) -> Recipe:
    """Chapter 2's MLP autoencoder 784-hidden_dims-k with squared error: the "ae-{k}d" recipes
    (with the defaults) and every model of ``bottleneck_sweep``."""
    dims = tuple(hidden_dims) if isinstance(hidden_dims, (list, tuple)) else hidden_dims  # the model checks it
    custom = (dims, epochs, lr, seed, fit_kwargs) != ((256,), 30, 3e-3, 0, {})
    hidden = "-".join(str(h) for h in dims) if isinstance(dims, tuple) else str(dims)
    return Recipe(f"ae-{k}d" + ("-custom" if custom else ""),
                  f"MLP autoencoder 784-{hidden + '-' if hidden else ''}{k}, squared error, "
                  f"{epochs} epochs at lr {lr:g}",
                  Autoencoder, dict(latent_dim=k, hidden_dims=dims, likelihood="gaussian", seed=seed),
                  dict(epochs=epochs, lr=lr, seed=seed, **fit_kwargs),
                  chapters=() if custom else ("02_autoencoders",) + (("03_from_ae_to_vae", "04_training_a_vae")
                                                                     if k == 2 else ())
                  + (("06_applications",) if k == 32 else ()))


def _denoising_ae(name: str, corruption: str, corrupt: functools.partial, epochs: int) -> Recipe:
    return Recipe(name, f"denoising MLP autoencoder 784-256-32 trained on {corruption}, {epochs} epochs",
                  Autoencoder, dict(latent_dim=32, hidden_dims=(256,), likelihood="gaussian", seed=0),
                  dict(epochs=epochs, lr=3e-3, seed=0, corrupt=corrupt), test_curves=False,
                  chapters=("02_autoencoders",))


def _vae(d: int, chapters: tuple[str, ...]) -> Recipe:
    return Recipe(f"vae-{d}d", f"MLP VAE 784-400-{d}, Bernoulli decoder, 40 epochs at fit's defaults",
                  VAE, dict(latent_dim=d, hidden_dims=(400,), seed=0), dict(epochs=40, seed=0),
                  chapters=chapters)


def _explorer_model(model: type[ImageModel], d: int, chapters: tuple[str, ...] = ()) -> Recipe:
    kind = "autoencoder" if model is Autoencoder else "VAE"
    # Trained without an explicit seed argument (fit's default, 0): the cache key has none.
    return Recipe(f"{'ae' if model is Autoencoder else 'vae'}-{d}d-h200",
                  f"MLP {kind} 784-200-{d}, Bernoulli decoder, 60 epochs (the explorers' models)",
                  model, dict(latent_dim=d, hidden_dims=(200,), seed=0), dict(epochs=60),
                  chapters=("05_exploring_latent_space", *chapters))


# Chapter 6: the anomaly detectors never see the digit 6 (its ink is the closest to the average
# digit's, so a score cannot flag it by its amount of ink alone); the conditional VAE; the conv VAE
# and its MLP twin, trained alike for a few epochs (a conv epoch costs several MLP epochs on a CPU).
HELD_OUT_DIGIT = 6
_CH6 = ("06_applications",)
_FEW_EPOCHS = dict(epochs=6, batch_size=64, lr=2e-3, seed=0)


def _chapter_6() -> list[Recipe]:
    d = HELD_OUT_DIGIT
    return [
        Recipe(f"vae-20d-no{d}", f"MLP VAE 784-400-20 as vae-20d, trained without the digit {d}", VAE,
               dict(latent_dim=20, hidden_dims=(400,), seed=0), dict(epochs=40, seed=0), test_curves=False,
               held_out=d, chapters=_CH6),
        Recipe(f"ae-20d-no{d}", f"MLP autoencoder 784-400-20, Bernoulli decoder, 40 epochs, without the digit {d}",
               Autoencoder, dict(latent_dim=20, hidden_dims=(400,), seed=0), dict(epochs=40, seed=0),
               test_curves=False, held_out=d, chapters=_CH6),
        Recipe("cvae-20d", "conditional MLP VAE 784+10-400-20, label one-hot into encoder and decoder, 40 epochs",
               ConditionalVAE, dict(latent_dim=20, hidden_dims=(400,), seed=0), dict(epochs=40, seed=0),
               labels=True, chapters=_CH6),
        Recipe("conv-vae-20d", "convolutional VAE, channels 16 and 32, 20-D codes, 6 epochs of batch 64",
               ConvVAE, dict(latent_dim=20, channels=(16, 32), seed=0), _FEW_EPOCHS, chapters=_CH6),
        Recipe("vae-20d-6ep", "MLP VAE 784-400-20 trained as conv-vae-20d: 6 epochs of batch 64",
               VAE, dict(latent_dim=20, hidden_dims=(400,), seed=0), _FEW_EPOCHS, chapters=_CH6),
    ]


#: Chapter 7's beta sweep: betas of the 20-D VAE with 200 hidden units (one shared start, seed 0).
BETAS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def _beta_vae(beta: float) -> Recipe:
    return Recipe(f"beta-vae-20d-b{beta:g}", f"MLP VAE 784-200-20, Bernoulli decoder, beta {beta:g}, 20 epochs",
                  VAE, dict(latent_dim=20, hidden_dims=(200,), seed=0), dict(epochs=20, beta=beta, seed=0),
                  chapters=("07_challenges",))


_LINEAR_PHASES = (dict(epochs=15, lr=1e-2, batch_size=32),
                  dict(epochs=15, lr=1e-3, batch_size=256),
                  dict(epochs=10, lr=1e-4, batch_size=500))

#: Every named model of the book, by name.
RECIPES: Mapping[str, Recipe] = MappingProxyType({r.name: r for r in [
    *(squared_error_autoencoder(k) for k in (2, 4, 8, 16, 32, 64)),
    # Half the plain "ae-32d"'s epochs (chapter 2's time budget): the comparison, if anything, favours the plain one.
    _denoising_ae("dae-32d-noise-15ep", "Gaussian noise (std 0.5)", functools.partial(gaussian_noise, std=0.5), 15),
    _denoising_ae("dae-32d-mask-15ep", "masked pixels (p = 0.5)", functools.partial(mask_pixels, p=0.5), 15),
    Recipe("linear-ae-16d", "linear autoencoder 784-16-784, squared error, three phases of falling lr",
           Autoencoder, dict(latent_dim=16, hidden_dims=(), likelihood="gaussian", seed=0), dict(seed=0),
           phases=_LINEAR_PHASES, test_curves=False, chapters=("02_autoencoders",)),
    _vae(2, ("03_from_ae_to_vae", "04_training_a_vae")),
    _vae(10, ("04_training_a_vae",)),
    _vae(20, ("04_training_a_vae", "06_applications")),
    _vae(50, ("04_training_a_vae",)),
    _explorer_model(Autoencoder, 2),
    _explorer_model(VAE, 2, ("06_applications", "08_evaluating")),
    _explorer_model(VAE, 16),
    *(_beta_vae(beta) for beta in BETAS),
    *challenge_recipes(),  # chapter 7, part A: likelihoods, bugs, posterior collapse
    Recipe("digit-classifier", "MLP digit classifier 784-256-10 on pixels, cross-entropy, 20 epochs (the judge "
           "of decoded images)", DigitClassifier, dict(hidden_dims=(256,), seed=0), dict(epochs=20, lr=2e-3, seed=0),
           labels=True, chapters=("02_autoencoders", "04_training_a_vae", "05_exploring_latent_space",
                                  "06_applications")),
    *_chapter_6(),
]})


def digit_classifier(data: ImageData | None = None, *,
                     directory: str | os.PathLike | None = None) -> DigitClassifier:
    """The book's fixed digit classifier (recipe "digit-classifier"), trained once on data.train_x and cached.

    Its ``predict(images)`` gives (N,) digits and ``probabilities(images)`` (N, 10); judge decoded
    images with ``vt.judge_digits``.
    """
    model, _ = pretrained("digit-classifier", data, directory=directory)
    return model  # type: ignore[return-value]


def recipe(name: str) -> Recipe:
    """The recipe of the model called ``name`` (see ``RECIPES``); print it to see its code."""
    if name not in RECIPES:
        raise ValueError(f"expected a model name from vt.RECIPES ({', '.join(RECIPES)}); got {name!r}")
    return RECIPES[name]


def pretrained(name: str, data: ImageData | None = None, *,
               directory: str | os.PathLike | None = None) -> tuple[ImageModel, History]:
    """The model called ``name``, trained on data.train_x (cached): returns (model, history).

    data: an ImageData (default ``load_mnist()``: the book's 5k subset). The first call
    trains (seconds to a minute on a CPU) and saves to the model cache
    (``$VAE_TEACH_CACHE``, or ``directory``); every later call, from any chapter, loads.
    The model comes back in eval mode; history is its per-epoch History (losses in nats
    per example). Names: ``vt.RECIPES``, e.g. "ae-2d", "vae-2d", "vae-20d".
    """
    chosen = recipe(name)
    data = data if data is not None else load_mnist()
    if not isinstance(data, ImageData):
        raise TypeError(f"expected data as an ImageData (vt.load_mnist()); got {type(data).__name__}")
    train, test = (slice(None), slice(None)) if chosen.held_out is None else (
        data.train_y != chosen.held_out, data.test_y != chosen.held_out)
    return chosen.train(data.train_x[train], data.test_x[test] if chosen.test_curves else None,
                        y=data.train_y[train] if chosen.labels else None,
                        test_y=data.test_y[test] if chosen.labels and chosen.test_curves else None,
                        directory=directory)
