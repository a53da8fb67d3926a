"""The explorers' checks at construction: each refusal names what was expected and what came in.

The rule for numbers the page shows (steps, span): a value the page's controls cannot
show is refused, with the range in the message, never clamped, so the page shows
exactly what was asked. Models are checked for what would break the page later (a
decoder the JS cannot run, NaN weights, NaN codes, a page over its size budget) so
that nothing fails at display, in matplotlib or in the browser.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Mapping

import numpy as np
import torch
from torch import Tensor, nn

from .._validate import check_images
from .export import MAX_NETWORK_BYTES, MAX_PAGE_BYTES, mlp_layers, network_bytes

__all__ = ["check_int_in", "check_span", "check_models", "check_labels", "check_images_and_labels",
           "check_codes", "check_budget", "position"]


def check_int_in(value: object, name: str, low: int, high: int, why: str = "") -> int:
    """An integer (Python or numpy) in [low, high], as int; bools refused. ``why``: where the range comes from."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise ValueError(f"expected {name} as an int in [{low}, {high}]{why}; got {value!r}")
    return int(value)


def check_span(span: object, low: float, high: float, step: float) -> float:
    """A finite number in [low, high] on the slider's grid of ``step``, as float."""
    ok = (not isinstance(span, bool) and isinstance(span, numbers.Real) and math.isfinite(span)
          and low <= span <= high and math.isclose(span / step, round(span / step), abs_tol=1e-9))
    if not ok:
        raise ValueError(f"expected span as a number in [{low:g}, {high:g}] in steps of {step:g} (latent units, "
                         f"the page's slider); got {span!r}")
    return float(span)


def _describe(value: object) -> str:
    if isinstance(value, nn.Module):
        return f"a {type(value).__name__}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"{type(value).__name__} {value!r:.60}"


def check_models(models: object, name: str | None = None) -> dict[str, Any]:
    """name -> model, each with an MLP decoder the page runs and finite weights.

    name: the explorer shows one model, given bare and labelled ``name`` (a dict is refused there);
    None: ``models`` must be a dict, name -> model.
    """
    if name is not None:
        if isinstance(models, Mapping):
            raise TypeError(f"expected one model (this explorer shows one; name= labels it); got a dict of "
                            f"{len(models)}: pass the model itself")
        models = {name: models}
    elif not isinstance(models, Mapping):
        raise TypeError(f"expected models as a dict, name -> model, e.g. {{'AE': ae, 'VAE': vae}} (the names "
                        f"label the rows); got {_describe(models)}")
    if not models:
        raise ValueError("expected a dict of at least one model, name -> model; got an empty dict")
    for key, model in models.items():
        if not isinstance(key, str):
            raise TypeError(f"expected model names as str; got {key!r}")
        mlp_layers(model)  # refuses decoders the page cannot run
        bad = [k for k, p in model.named_parameters() if not torch.isfinite(p).all()]
        if bad:
            raise ValueError(f"model {key!r} has NaN or infinite weights ({', '.join(bad[:3])}"
                             f"{', ...' if len(bad) > 3 else ''}): its training diverged; train it again, "
                             "e.g. with a smaller learning rate")
    return dict(models)


def check_labels(labels: object, n: int) -> Tensor:
    """Digit labels (N,): an int tensor, or a list / numpy array of ints, as an int64 tensor in [0, 9]."""
    given = labels
    if isinstance(labels, (list, tuple, np.ndarray)):
        try:
            labels = torch.as_tensor(np.asarray(labels))
        except (TypeError, ValueError, RuntimeError):  # strings, ragged lists: described below
            pass
    ok = (isinstance(labels, Tensor) and labels.shape == (n,) and not labels.is_floating_point()
          and not labels.is_complex() and labels.dtype != torch.bool)
    if not ok:
        got = type(given).__name__
        if isinstance(labels, Tensor):
            got += f" of shape {tuple(labels.shape)}, dtype {str(labels.dtype).replace('torch.', '')}"
        raise ValueError(f"expected labels as ints, one per image, shape ({n},) (a tensor, list or numpy "
                         f"array); got {got}")
    labels = labels.long().cpu()
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) > 9):
        raise ValueError(f"expected digit labels in [0, 9]; got values in [{int(labels.min())}, {int(labels.max())}]")
    return labels


def check_images_and_labels(images: object, labels: object) -> tuple[Tensor, Tensor]:
    """Images (N, 1, 28, 28) in [0, 1] and their digit labels (N,)."""
    x = check_images(images, "images")
    return x, check_labels(labels, x.shape[0])


def check_codes(name: str, codes: Tensor) -> Tensor:
    """The codes a model gave the images (N, D): refused if any is NaN or infinite, naming the dimensions."""
    bad = ~torch.isfinite(codes)
    if bad.any():
        dims = sorted({int(d) for d in torch.nonzero(bad)[:, 1]})
        rows = int(bad.any(dim=1).sum())
        raise ValueError(f"model {name!r} encodes {rows} of {codes.shape[0]} images to NaN or infinite codes "
                         f"(latent dimension{'s' if len(dims) > 1 else ''} {dims}): its encoder is broken, "
                         "e.g. diverged training; the page could not place or decode them")
    return codes


def check_budget(models: Mapping[str, Any], page_bytes: int) -> None:
    """Refuse a view over DESIGN.md's budgets: MAX_NETWORK_BYTES per decoder, MAX_PAGE_BYTES per view."""
    for name, model in models.items():
        size = network_bytes(model)
        if size > MAX_NETWORK_BYTES:
            widths = [lin.out_features for lin in mlp_layers(model)[:-1]]
            raise ValueError(f"the decoder of {name!r} (hidden layers {widths}) would add {size / 1000:,.0f} KB "
                             f"to the page; the budget is {MAX_NETWORK_BYTES / 1000:,.0f} KB per network "
                             "(DESIGN.md): explore a model with smaller hidden layers, e.g. hidden_dims=(400,), "
                             "or decode in Python (vt.show_images(model.decode(z)))")
    if page_bytes > MAX_PAGE_BYTES:
        raise ValueError(f"this explorer's page would be {page_bytes / 1e6:.2f} MB; the budget is "
                         f"{MAX_PAGE_BYTES / 1e6:.1f} MB per page (DESIGN.md): show fewer models or fewer images")


def position(index: list[int], labels: Tensor, digit: object, name: str) -> int:
    """Where in the gallery ``index`` the first example of class ``digit`` is; ``name``: the argument."""
    for pos, i in enumerate(index):
        if int(labels[i]) == digit:
            return pos
    present = sorted({int(labels[i]) for i in index})
    raise ValueError(f"expected {name} from the digits present in the labels {present}; got {digit!r} "
                     f"(pass {name}=... with digits from that list)")
