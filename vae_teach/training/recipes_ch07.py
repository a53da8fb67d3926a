"""Chapter 7's named models (part A: likelihoods, the bug gallery, posterior collapse).

Every model is the 784-200-20 MLP VAE of the chapter's beta sweep, from the same initial
weights (seed 0); what changes is the likelihood, the loss (a bug) or the decoder.
"""

from __future__ import annotations

from ..models.autoregressive import PixelARVAE
from ..models.buggy import BUGS, BuggyVAE
from ..models.mlp import VAE
from .recipe import Recipe

#: The gallery's short training: every likelihood and every bug trains this many epochs.
BRIEF_EPOCHS = 10
#: The fixed sigmas of the Gaussian likelihoods compared in chapter 7 (pixel units).
SIGMAS = (0.1, 0.3, 1.0)
#: The remedies of posterior collapse: KL annealing's length and the free-bits floor (nats per dimension).
ANNEALING_EPOCHS = 5
FREE_BITS = 0.5
_CHAPTER = ("07_challenges",)
_NET = dict(latent_dim=20, hidden_dims=(200,), seed=0)


def _brief(name: str, summary: str, model: type, **config: object) -> Recipe:
    return Recipe(name, f"MLP VAE 784-200-20, {summary}, {BRIEF_EPOCHS} epochs", model, {**_NET, **config},
                  dict(epochs=BRIEF_EPOCHS, seed=0), chapters=_CHAPTER)


def _ar(name: str, summary: str, free_bits: float = 0.0, **fit: object) -> Recipe:
    return Recipe(name, f"VAE 784-200-20 whose decoder also sees the earlier pixels (a masked 5x5 "
                  f"convolution, 4 channels), {summary}, {BRIEF_EPOCHS} epochs",
                  PixelARVAE, {**_NET, "channels": 4, "kernel": 5, "free_bits": free_bits},
                  dict(epochs=BRIEF_EPOCHS, seed=0, **fit), chapters=_CHAPTER)


def challenge_recipes() -> list[Recipe]:
    """The recipes of chapter 7's part A, in the order the chapter uses them."""
    return [
        _brief("vae-20d-brief", "Bernoulli decoder", VAE),
        *(_brief(f"vae-20d-gaussian-s{s:g}", f"Gaussian decoder with fixed sigma {s:g}", VAE,
                 likelihood="gaussian", gaussian_sigma=s) for s in SIGMAS),
        _brief("vae-20d-learned-sigma", "Gaussian decoder with one learned sigma (sigma-VAE)", VAE,
               likelihood="learned_gaussian", gaussian_sigma=0.3),
        _brief("vae-20d-cb", "continuous Bernoulli decoder", VAE, likelihood="continuous_bernoulli"),
        *(_brief(f"buggy-vae-{bug.replace('_', '-')}", f"trained with the bug {bug}", BuggyVAE, bug=bug)
          for bug in BUGS),
        _ar("ar-vae-20d", "the plain ELBO"),
        _ar("ar-vae-20d-annealed", f"KL annealed over {ANNEALING_EPOCHS} epochs", kl_warmup_epochs=ANNEALING_EPOCHS),
        _ar("ar-vae-20d-free-bits", f"free bits of {FREE_BITS:g} nats per dimension", free_bits=FREE_BITS),
    ]
