"""Checks for the book's exercises (``vt.exercises.check_*``): a pass, or one hint that names the mistake.

A check never raises at the student: it prints one line, starting with
``PASS`` or ``HINT``, and returns ``True`` or ``False``. The checks are
written per chapter (``ch01_data`` ... ``ch08_evaluating``) on the machinery
of ``_checking`` (:func:`checker`, :func:`call`, :func:`compare`), and
``registry.EXERCISES`` maps each exercise label to its check.
"""

from ._checking import HINT, PASS, Hint, call, checker, compare
from .ch01_data import check_flatten, check_ink, check_to_unit
from .ch02_autoencoders import (check_compression_ratio, check_linear_ae_forward, check_mask_pixels,
                                check_reconstruction_error)
from .ch03_from_ae_to_vae import check_gaussian_kl, check_monte_carlo_kl, check_reparameterize
from .ch04_training import check_negative_elbo, check_quantile_axis, check_sample_prior
from .ch05_latent_space import check_find_code, check_neighbourhood, check_slerp
from .ch06_applications import check_auroc, check_complexity_score, check_style_transfer
from .ch07_challenges import check_fixed_loss, check_free_bits
from .ch08_evaluating import check_iwae_from_weights, check_iwae_standard_error
from .registry import EXERCISES, Exercise, check_for

__all__ = [
    "PASS", "HINT", "Hint", "checker", "call", "compare", "EXERCISES", "Exercise", "check_for",
    "check_flatten", "check_to_unit", "check_ink",
    "check_reconstruction_error", "check_mask_pixels", "check_compression_ratio", "check_linear_ae_forward",
    "check_gaussian_kl", "check_reparameterize", "check_monte_carlo_kl",
    "check_negative_elbo", "check_sample_prior", "check_quantile_axis",
    "check_slerp", "check_find_code", "check_neighbourhood",
    "check_auroc", "check_complexity_score", "check_style_transfer",
    "check_fixed_loss", "check_free_bits",
    "check_iwae_from_weights", "check_iwae_standard_error",
]
