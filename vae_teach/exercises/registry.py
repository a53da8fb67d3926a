"""Every exercise of the book by its ``:label:``, with the check that grades it.

A code exercise names the check its cell calls; an open exercise (an experiment
to run, a question to answer in words) has no automatic check and says so. A
test holds this table to the chapters: every label in a chapter is here, and
every entry here is a label in its chapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import ch01_data as ch1
from . import ch02_autoencoders as ch2
from . import ch03_from_ae_to_vae as ch3
from . import ch04_training as ch4
from . import ch05_latent_space as ch5
from . import ch06_applications as ch6
from . import ch07_challenges as ch7
from . import ch08_evaluating as ch8


@dataclass(frozen=True)
class Exercise:
    """One exercise: its label, its chapter file (book/NN_*.md stem), and its check (None if open)."""

    label: str
    chapter: str
    check: Callable[..., bool] | None

    @property
    def is_open(self) -> bool:
        """True for an exercise graded by reading, not by a check."""
        return self.check is None


def _chapter(chapter: str, entries: dict[str, Callable[..., bool] | None]) -> dict[str, Exercise]:
    return {label: Exercise(label, chapter, check) for label, check in entries.items()}


#: Every exercise of the book by label: label -> Exercise(label, chapter, check or None if open).
EXERCISES: dict[str, Exercise] = {
    **_chapter("01_data", {
        "ex-flatten": ch1.check_flatten,
        "ex-to-unit": ch1.check_to_unit,
        "ex-ink": ch1.check_ink,
        "ex-bernoulli": None,
    }),
    **_chapter("02_autoencoders", {
        "ex-ch2-recon-error": ch2.check_reconstruction_error,
        "ex-ch2-mask": ch2.check_mask_pixels,
        "ex-ch2-ratio": ch2.check_compression_ratio,
        "ex-ch2-linear": ch2.check_linear_ae_forward,
        "ex-ch2-mix": None,
        "ex-ch2-wider": None,
    }),
    **_chapter("03_from_ae_to_vae", {
        "ex-ch3-kl": ch3.check_gaussian_kl,
        "ex-ch3-reparam": ch3.check_reparameterize,
        "ex-ch3-mc-kl": ch3.check_monte_carlo_kl,
        "ex-ch3-iwae-k1": None,
        "ex-ch3-baseline": None,
    }),
    **_chapter("04_training_a_vae", {
        "ex-ch4-loss": ch4.check_negative_elbo,
        "ex-ch4-sample": ch4.check_sample_prior,
        "ex-ch4-quantiles": ch4.check_quantile_axis,
        "ex-ch4-ae-prior": None,
        "ex-ch4-beta": None,
    }),
    **_chapter("05_exploring_latent_space", {
        "ex-ch5-slerp": ch5.check_slerp,
        "ex-ch5-code": ch5.check_find_code,
        "ex-ch5-grid": ch5.check_neighbourhood,
        "ex-ch5-thickness": None,
        "ex-ch5-dims": None,
    }),
    **_chapter("06_applications", {
        "ex-ch6-auroc": ch6.check_auroc,
        "ex-ch6-complexity": ch6.check_complexity_score,
        "ex-ch6-style": ch6.check_style_transfer,
        "ex-ch6-other-digit": None,
        "ex-ch6-typicality": None,
    }),
    **_chapter("07_challenges", {
        "ex-ch7-bugs": ch7.check_fixed_loss,
        "ex-ch7-free-bits": ch7.check_free_bits,
        "ex-ch7-rd-plane": None,
        "ex-ch7-tsne": None,
    }),
    **_chapter("08_evaluating", {
        "ex-ch8-iwae": ch8.check_iwae_from_weights,
        "ex-ch8-se": ch8.check_iwae_standard_error,
        "ex-ch8-gap": None,
        "ex-ch8-paired": None,
    }),
}


def check_for(label: str) -> Callable[..., bool] | None:
    """The check of exercise ``label`` (None for an open exercise); KeyError names the known labels."""
    if label not in EXERCISES:
        raise KeyError(f"no exercise labelled {label!r}; known labels: {', '.join(sorted(EXERCISES))}")
    return EXERCISES[label].check
