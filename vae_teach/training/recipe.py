"""A recipe: how one named model is built and trained, and the chapter code it stands for.

The catalogue of named models is :mod:`vae_teach.training.recipes`.
"""

from __future__ import annotations

import functools
import os
import textwrap
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from torch import Tensor

from ..models.base import ImageModel
from .cache import cached_fit, fit_in_phases
from .fit import History


def _literal(value: Any) -> str:
    """Python source for a recipe argument (a number, a tuple, a corruption)."""
    if isinstance(value, functools.partial):
        keywords = "".join(f", {k}={_literal(v)}" for k, v in value.keywords.items())
        return f"functools.partial(vt.{value.func.__name__}{keywords})"
    if isinstance(value, Mapping):
        return "dict(" + ", ".join(f"{k}={_literal(v)}" for k, v in value.items()) + ")"
    return repr(value)


#: Characters per line of a printed recipe: it fits a code output in the book at 1280 px.
WIDTH = 76


def _wrap(opening: str, arguments: list[str], width: int = WIDTH) -> str:
    """A call, its arguments wrapped under the opening parenthesis once a line passes width."""
    lines, indent = [opening], " " * len(opening)
    for i, argument in enumerate(arguments):
        text = argument + (", " if i < len(arguments) - 1 else ")")
        last = lines[-1].split("\n")[-1]
        if len(last) + len(text.rstrip()) > width and last.strip() != opening.strip():
            lines[-1] = lines[-1].rstrip()
            lines.append(indent)
        lines[-1] += text
    return "\n".join(lines)


@dataclass(frozen=True)
class Recipe:
    """How one named model is built and trained.

    model, config: the model class and its keyword arguments (the seed included).
    fit: the keyword arguments of ``cached_fit`` (epochs, lr, seed, corrupt, ...), or, with
    ``phases``, the arguments common to every phase of ``fit_in_phases``.
    test_curves: train with ``test_x`` (the history then has test curves; the cache key covers it).
    labels: pass the labels (``y``, ``test_y``) to a conditional model.
    held_out: a digit left out of the training (and test-curve) images: the model never sees it
    (chapter 6's anomaly detectors); None trains on every image.
    chapters: the chapter files (book/NN_*.md stems) that use the model.
    """

    name: str
    summary: str
    model: type[ImageModel]
    config: Mapping[str, Any]
    fit: Mapping[str, Any]
    phases: tuple[Mapping[str, Any], ...] | None = None
    test_curves: bool = True
    labels: bool = False
    held_out: int | None = None
    chapters: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Read-only, so that no caller can change a recipe (and its cache key) in place.
        object.__setattr__(self, "config", MappingProxyType(dict(self.config)))
        object.__setattr__(self, "fit", MappingProxyType(dict(self.fit)))
        if self.phases is not None:
            object.__setattr__(self, "phases", tuple(MappingProxyType(dict(p)) for p in self.phases))

    def build(self) -> ImageModel:
        """The untrained model: the same initial weights every time (the config fixes the seed)."""
        return self.model(**self.config)

    def train(self, train_x: Tensor, test_x: Tensor | None = None, *, y: Tensor | None = None,
              test_y: Tensor | None = None,
              directory: str | os.PathLike | None = None) -> tuple[ImageModel, History]:
        """Build the model and train it on train_x (N, 1, 28, 28), cached: returns (model, history).

        test_x, y, test_y are passed on when given (y, test_y: (N,) labels, conditional models).
        directory: the model cache folder (default ``$VAE_TEACH_CACHE``).
        """
        model = self.build()
        extra: dict[str, Any] = {}
        if test_x is not None:
            extra["test_x"] = test_x
        if y is not None:
            extra["y"] = y
        if test_y is not None:
            extra["test_y"] = test_y
        if self.phases is None:
            history = cached_fit(model, train_x, directory=directory, **dict(self.fit), **extra)
        else:
            history = fit_in_phases(model, train_x, [dict(p) for p in self.phases], directory=directory,
                                    **dict(self.fit), **extra)
        return model, history

    def code(self) -> str:
        """The chapter code this recipe stands for: building the model and the training call."""
        def kept(name: str, split: str) -> str:  # data.train_x, or its images of the kept digits
            return f"data.{name}" + ("" if self.held_out is None else f"[data.{split}_y != {self.held_out}]")

        arguments = [f"{k}={_literal(v)}" for k, v in self.fit.items()]
        if self.labels:
            arguments += [f"y={kept('train_y', 'train')}"] + ([f"test_y={kept('test_y', 'test')}"]
                                                              if self.test_curves else [])
        if self.test_curves:
            arguments.append(f"test_x={kept('test_x', 'test')}")
        train = kept("train_x", "train")
        if self.phases is None:
            call = _wrap("history = vt.cached_fit(", ["model", train, *arguments])
        else:
            steps = "".join(f"\n    {_literal(p)}," for p in self.phases)
            call = _wrap("history = vt.fit_in_phases(", [f"model, {train}, [{steps}\n]", *arguments])
        config = [f"{k}={_literal(v)}" for k, v in self.config.items()]
        return _wrap(f"model = vt.{self.model.__name__}(", config) + "\n" + call

    def __str__(self) -> str:
        return textwrap.fill(f"{self.name}: {self.summary}", WIDTH, subsequent_indent="  ") + "\n" + self.code()
