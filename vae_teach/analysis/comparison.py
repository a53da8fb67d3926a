"""Every named model on one scale: the comparison table of chapter 8.

Each row scores one model of the registry (``training.recipes``), loaded from the model cache,
on the same images: IWAE_k with its Monte Carlo standard error and its image-sampling error
(bootstrap), the ELBO, the KL, active units, parameters and training seconds. The note on
whether a row compares with the others is read from the model and its recipe, never from a
list of names, so a model added later gets the right note.
"""

from __future__ import annotations

import math
from typing import Mapping, NamedTuple, Sequence

import pandas as pd
import torch
from torch import Tensor

from .._validate import check_images
from ..data.mnist import ImageData
from ..distributions import gaussian_kl
from ..training.recipes import pretrained, recipe
from .eval_cache import cached_evaluation
from .latent_usage import active_units
from .evaluation import bootstrap_se, importance_log_weights, iwae_curve, parameter_count


def comparability(model, beta: float = 1.0) -> str:
    """Whether a model's IWAE compares with a Bernoulli VAE's log p(x), and why not.

    Read from the model: ``takes_labels`` (a conditional model scores log p(x|y), with the label
    given), ``likelihood`` (a continuous likelihood gives densities, whose nats are not
    probabilities of the same images); beta: the KL weight it was trained with (it changes the
    training objective, not what is evaluated: the row compares, the model is just trained for
    something else).
    """
    if getattr(model, "takes_labels", False):
        return "not comparable: log p(x|y), the label is given"
    likelihood = getattr(model, "likelihood", "bernoulli")
    if likelihood != "bernoulli":
        return f"not comparable: {likelihood} likelihood, a density"
    if beta != 1.0:
        return f"comparable (trained with beta = {beta:g})"
    return "comparable"


def _labels_for(model, images_y: Tensor | None) -> Tensor | None:
    return images_y if getattr(model, "takes_labels", False) else None


def compare_models(names: Sequence[str], data: ImageData, images: Tensor, labels: Tensor | None = None,
                   k: int = 1_000, seed: int = 0, log_weights: Mapping[str, Tensor] | None = None
                   ) -> pd.DataFrame:
    """One row per named model, all scored on the same images (N, 1, 28, 28): a DataFrame indexed by name.

    Columns (nats per image unless named otherwise): IWAE (IWAE_k, mean over the images of the
    mean of the repeated draws), MC se (its Monte Carlo standard error), images se (bootstrap over
    the images), ELBO (the mean log weight, same draws), KL (closed form, encoder's q), active
    (Burda et al.'s active units over the images), latent, parameters, train s (the seconds its
    History recorded, on the machine that trained it), note (``comparability``).
    labels: (N,) the images' labels, for conditional models. The log weights (k per image) are
    cached (``cached_evaluation``), so a second run only loads them. ``table.attrs["per_image"]``
    holds each model's (N,) IWAE_k per image, for paired comparisons. log_weights: tables
    already computed for some names ((K, N) with K >= k, drawn on these images; the first k are used).
    """
    images = check_images(images)
    rows, per_image = {}, {}
    for name in names:
        model, history = pretrained(name, data)
        y = _labels_for(model, labels)
        if log_weights is not None and name in log_weights:
            log_w = log_weights[name][:k]
            if log_w.shape != (k, images.shape[0]):
                raise ValueError(f"expected log_weights[{name!r}] of shape (>= {k}, {images.shape[0]}); "
                                 f"got {tuple(log_weights[name].shape)}")
        else:
            log_w = cached_evaluation(importance_log_weights, model, images, k=k, seed=seed, y=y).log_w
        curve = iwae_curve(log_w, [k])
        mean = curve.mean[0]
        per_image[name] = mean
        per_image_elbo = log_w.mean(0)
        with torch.no_grad():
            mu, logvar = model.posterior(images.flatten(1).to(model.device), y)
        beta = float(recipe(name).fit.get("beta", 1.0))
        rows[name] = {
            "IWAE": float(mean.mean()),
            "MC se": float(curve.se[0].pow(2).sum().sqrt() / mean.shape[0]),
            "images se": float(bootstrap_se(mean, seed=seed)),
            "ELBO": float(per_image_elbo.mean()),
            "KL": float(gaussian_kl(mu, logvar).mean()),
            "active": active_units(model, images, y=y),
            "latent": int(model.latent_dim),
            "parameters": parameter_count(model),
            "train s": float(sum(history.seconds)) if history.seconds else math.nan,
            "note": comparability(model, beta),
        }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")
    table.attrs["per_image"] = per_image  # name -> (N,) IWAE_k of each image, for paired comparisons
    return table


def binarize(x: Tensor, seed: int = 0) -> Tensor:
    """Binarized images: each pixel 1 with probability its grey level, else 0 (one fixed draw).

    x: (N, 1, 28, 28) in [0, 1]. Returns the same shape, values 0.0 or 1.0. The literature's
    "binarized MNIST" test sets are drawn so, once, with a fixed seed.
    """
    x = check_images(x)
    return torch.bernoulli(x, generator=torch.Generator().manual_seed(seed))


class ProtocolResult(NamedTuple):
    """IWAE_k on binarized test images: mean (nats per image), mc_se (Monte Carlo, delta method),
    images_se (bootstrap over the images), n_images, k."""

    mean: float
    mc_se: float
    images_se: float
    n_images: int
    k: int


def standard_protocol(model, test_x: Tensor, k: int = 5_000, n_images: int = 20, seed: int = 0) -> ProtocolResult:
    """The literature's evaluation (Burda et al. 2015): IWAE_k on binarized test images, k = 5,000.

    test_x: (N, 1, 28, 28) grey test images; n_images of them, drawn with the seed, are binarized
    once (``binarize``) and scored. The log weights are cached (``cached_evaluation``).
    """
    test_x = check_images(test_x, "test_x")
    if not 2 <= n_images <= test_x.shape[0]:
        raise ValueError(f"expected 2 <= n_images <= {test_x.shape[0]} (the test images); got {n_images}")
    pick = torch.randperm(test_x.shape[0], generator=torch.Generator().manual_seed(seed))[:n_images]
    images = binarize(test_x[pick], seed=seed)
    log_w = cached_evaluation(importance_log_weights, model, images, k=k, seed=seed).log_w
    curve = iwae_curve(log_w, [k])
    values = curve.mean[0]
    return ProtocolResult(float(values.mean()), float(curve.se[0].pow(2).sum().sqrt() / n_images),
                          float(bootstrap_se(values, seed=seed)), n_images, k)
