"""Reconstruction error in the book's unit: squared error per image, summed over pixels."""

from __future__ import annotations

import torch
from torch import Tensor

from .._validate import check_images
from ..data.stats import mean_images
from ..distributions import squared_error


def reconstruction_error(x_hat: Tensor, x: Tensor) -> float:
    """Mean over images of the summed squared pixel error: mean_n sum_pixels (x_hat - x)^2.

    x_hat, x: (N, 1, 28, 28) in [0, 1]. The unit of the book's error numbers
    ("squared error per image"), the same as Hinton & Salakhutdinov (2006) report.
    """
    x_hat, x = check_images(x_hat, "x_hat"), check_images(x, "x")
    if x_hat.shape != x.shape:
        raise ValueError(f"expected x_hat and x of the same shape; got {tuple(x_hat.shape)} and {tuple(x.shape)}")
    return float(squared_error(x_hat.detach().cpu().double(), x.detach().cpu().double()).mean())


def model_error(model, x: Tensor, x_input: Tensor | None = None) -> float:
    """Squared error per image of model.reconstruct(x_input) against x (N, 1, 28, 28); x_input defaults to x."""
    with torch.no_grad():
        x_hat = model.reconstruct(x if x_input is None else x_input).cpu()
    return reconstruction_error(x_hat, x)


def mean_image_error(train_x: Tensor, test_x: Tensor) -> float:
    """Squared error per test image of the simplest model: the mean training image for every test image.

    train_x: (N, 1, 28, 28), test_x: (M, 1, 28, 28), both in [0, 1]. The mean
    image is the one fixed guess with the least squared error on the training
    set, so a model that does not get below this number (same unit as
    ``reconstruction_error``) does no better than a guess that ignores its input.
    """
    train_x, test_x = check_images(train_x, "train_x"), check_images(test_x, "test_x")
    mean = mean_images(train_x)  # (1, 1, 28, 28)
    return reconstruction_error(mean.expand_as(test_x), test_x)
