"""Chapters ask for the book's named models by name (``vt.pretrained``) instead of repeating a recipe.

The test reads every chapter's code cells in order and follows, with a small
static evaluator, each model a chapter builds (``vt.VAE(...)``,
``vt.Autoencoder(...)``, any model class of vt) into the training call that
trains it (``vt.fit``, ``vt.cached_fit``, ``vt.fit_in_phases``). A model with
the configuration AND the training arguments of a registry entry fails the
test, naming the entry to use. Values the evaluator cannot follow make a call
unknown, never a match (no false alarms; the self-tests below show that the
chapters' original hand-written calls are caught).
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import vae_teach as vt
from test_chapter_api import CHAPTERS, code_cells

UNKNOWN = object()
TRAINING = {"fit", "cached_fit", "fit_in_phases"}


@dataclass(frozen=True)
class Built:
    """A model a chapter constructs: its class name and evaluated keyword arguments."""
    cls: str
    args: tuple
    kwargs: tuple


@dataclass(frozen=True)
class Partial:
    func: str
    kwargs: tuple


def _model_class(name: str) -> type | None:
    obj = getattr(vt, name, None)
    return obj if inspect.isclass(obj) and issubclass(obj, vt.ImageModel) else None


class Evaluator:
    """Follows assignments and literal loops through a chapter's cells; records training calls."""

    def __init__(self) -> None:
        self.env: dict[Any, Any] = {}
        self.trainings: list[tuple[str, Built, dict[str, Any], int, str]] = []
        self.where = ""

    def value(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.value(e) for e in node.elts]
            return UNKNOWN if any(i is UNKNOWN for i in items) else tuple(items)
        if isinstance(node, ast.Dict):
            keys, values = [self.value(k) for k in node.keys if k is not None], [self.value(v) for v in node.values]
            if len(keys) != len(node.keys) or any(x is UNKNOWN for x in keys + values):
                return UNKNOWN
            return dict(zip(keys, values))
        if isinstance(node, ast.Name):
            return self.env.get(node.id, UNKNOWN)
        if isinstance(node, ast.Subscript):
            base, index = self._target_name(node.value), self.value(node.slice)
            if not base or index is UNKNOWN:
                return UNKNOWN
            whole = self.env.get(base)
            if isinstance(whole, dict):
                return whole.get(index, UNKNOWN)
            return self.env.get((base, index), UNKNOWN)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.value(node.operand)
            return -inner if isinstance(inner, (int, float)) else UNKNOWN
        if isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            return f"{owner}.{node.attr}" if owner in ("data", "vt") else UNKNOWN
        if isinstance(node, ast.JoinedStr):
            parts = [self.value(v.value) if isinstance(v, ast.FormattedValue) else v.value for v in node.values]
            return UNKNOWN if any(p is UNKNOWN for p in parts) else "".join(str(p) for p in parts)
        if isinstance(node, ast.Call):
            return self.call(node)
        return UNKNOWN

    def _target_name(self, node: ast.AST) -> str | None:
        return node.id if isinstance(node, ast.Name) else None

    def _arguments(self, node: ast.Call) -> tuple[list[Any], dict[str, Any]] | None:
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return None
        return [self.value(a) for a in node.args], {k.arg: self.value(k.value) for k in node.keywords}

    def call(self, node: ast.Call) -> Any:
        func = node.func
        arguments = self._arguments(node)
        if arguments is None:
            return UNKNOWN
        args, kwargs = arguments
        if isinstance(func, ast.Name) and func.id == "dict" and not args:
            return UNKNOWN if UNKNOWN in kwargs.values() else kwargs
        if isinstance(func, ast.Attribute) and func.attr in ("items", "keys", "values") and not args:
            mapping = self.value(func.value)
            return tuple(getattr(mapping, func.attr)()) if isinstance(mapping, dict) else UNKNOWN
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner, name = func.value.id, func.attr
            if owner == "functools" and name == "partial" and args:
                inner = args[0]
                return Partial(inner, tuple(sorted(kwargs.items()))) if isinstance(inner, str) else UNKNOWN
            if owner == "vt" and _model_class(name):
                if any(v is UNKNOWN for v in [*args, *kwargs.values()]):
                    return UNKNOWN
                return Built(name, tuple(args), tuple(sorted(kwargs.items())))
            if owner == "vt" and name in TRAINING and args:
                if isinstance(args[0], Built):
                    self.trainings.append((name, args[0], {"args": args[1:], **kwargs}, node.lineno, self.where))
        return UNKNOWN

    def assign(self, target: ast.AST, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = value
        elif isinstance(target, ast.Subscript):
            base, index = self._target_name(target.value), self.value(target.slice)
            if base and index is not UNKNOWN:
                whole = self.env.get(base)
                if isinstance(whole, dict):
                    self.env[base] = {**whole, index: value}
                else:
                    self.env[(base, index)] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value if isinstance(value, tuple) and len(value) == len(target.elts) else None
            for i, element in enumerate(target.elts):
                self.assign(element, values[i] if values else UNKNOWN)

    def run(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, ast.Assign):
                value = self.value(statement.value)
                for target in statement.targets:
                    self.assign(target, value)
            elif isinstance(statement, ast.For):
                items = self.value(statement.iter)
                if isinstance(items, tuple):
                    for item in items:
                        self.assign(statement.target, item)
                        self.run(statement.body)
                else:
                    self.assign(statement.target, UNKNOWN)
                    self.run(statement.body)
            elif isinstance(statement, (ast.With, ast.If, ast.Try)):
                for block in ("body", "orelse", "finalbody"):
                    self.run(getattr(statement, block, []))
            elif isinstance(statement, ast.Expr):
                self.value(statement.value)


def _normal(value: Any) -> Any:
    """Recipes and chapters in one comparable form (partials by function name, dicts sorted)."""
    if isinstance(value, functools.partial):
        return ("partial", value.func.__name__, tuple(sorted(value.keywords.items())))
    if isinstance(value, Partial):
        return ("partial", value.func.removeprefix("vt."), value.kwargs)
    if isinstance(value, dict) or hasattr(value, "keys"):
        return tuple(sorted((k, _normal(v)) for k, v in dict(value).items()))
    if isinstance(value, (list, tuple)):
        return tuple(_normal(v) for v in value)
    return value


def training_signature(kind: str, arguments: dict[str, Any]) -> tuple | None:
    """What a training call trains: (kind, fit arguments, phases, test curves, labels); None if unknown."""
    arguments = dict(arguments)
    positional = list(arguments.pop("args"))
    if not positional or positional.pop(0) != "data.train_x":
        return None
    if kind == "fit_in_phases":
        if not positional and "phases" not in arguments:
            return None
        phases = positional.pop(0) if positional else arguments.pop("phases")
    else:
        phases = None
        arguments.setdefault("epochs", positional.pop(0) if positional else 10)
    if positional or UNKNOWN in arguments.values() or phases is UNKNOWN:
        return None
    for ignored in ("progress", "device", "directory"):
        arguments.pop(ignored, None)
    test = arguments.pop("test_x", None) == "data.test_x"
    labels = arguments.pop("y", None) == "data.train_y"
    arguments.pop("test_y", None)
    return ("fit_in_phases" if phases is not None else "fit", _normal(arguments), _normal(phases), test, labels)


def recipe_signature(recipe: vt.Recipe) -> tuple:
    kind = "fit_in_phases" if recipe.phases is not None else "fit"
    return (kind, _normal(recipe.fit), _normal(recipe.phases), recipe.test_curves, recipe.labels)


def duplicates(trainings) -> list[str]:
    """A message for each training call that repeats a registry recipe."""
    by_key = {(_normal(r.build().config()), recipe_signature(r)): name for name, r in vt.RECIPES.items()}
    found = []
    for kind, built, arguments, line, where in trainings:
        signature = training_signature(kind, arguments)
        if signature is None:
            continue
        config = _normal(getattr(vt, built.cls)(*built.args, **dict(built.kwargs)).config())
        if (config, signature) in by_key:
            name = by_key[(config, signature)]
            found.append(f"{where}, line {line}: builds and trains the registry's {name!r} by hand; "
                         f"use `model, history = vt.pretrained({name!r}, data)`")
    return found


def trainings_of(cells: list[ast.Module], where: str = "") -> list:
    evaluator = Evaluator()
    for number, tree in enumerate(cells, start=1):
        evaluator.where = f"{where}code cell {number}"
        evaluator.run(tree.body)
    return evaluator.trainings


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_a_chapter_asks_for_registry_models_by_name(chapter: Path):
    found = duplicates(trainings_of([tree for _, tree in code_cells(chapter)], f"{chapter.name}, "))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_model_name_a_chapter_asks_for_is_registered(chapter: Path):
    unknown = []
    for number, tree in code_cells(chapter):
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "vt"
                    and node.func.attr in ("pretrained", "recipe") and node.args):
                name = Evaluator().value(node.args[0])
                if isinstance(name, str) and name not in vt.RECIPES:
                    unknown.append(f"code cell {number}: {name!r}")
    assert not unknown, f"{chapter.name} asks for models vt.RECIPES does not have: {unknown}"


# The chapters' hand-written calls before the registry (commit a2c4b03): each must be caught.
HAND_WRITTEN = {
    "chapter 3": ("""
ae = vt.Autoencoder(latent_dim=2, hidden_dims=(256,), likelihood="gaussian", seed=0)
vt.cached_fit(ae, data.train_x, epochs=30, lr=3e-3, seed=0, test_x=data.test_x)
vae = vt.VAE(latent_dim=2, seed=0)
vae_history = vt.cached_fit(vae, data.train_x, epochs=40, seed=0, test_x=data.test_x)
""", ["ae-2d", "vae-2d"]),
    "chapter 4 loop": ("""
latent_sizes = [2, 10, 20, 50]
vaes, histories = {}, {}
for d in latent_sizes:
    vaes[d] = vt.VAE(latent_dim=d, seed=0)
    histories[d] = vt.cached_fit(vaes[d], data.train_x, epochs=40, seed=0, test_x=data.test_x)
""", ["vae-2d", "vae-10d", "vae-20d", "vae-50d"]),
    "chapter 5 loop": ("""
ae2 = vt.Autoencoder(latent_dim=2, hidden_dims=(200,), seed=0)
vae2 = vt.VAE(latent_dim=2, hidden_dims=(200,), seed=0)
vae16 = vt.VAE(latent_dim=16, hidden_dims=(200,), seed=0)
for model in (ae2, vae2, vae16):
    vt.cached_fit(model, data.train_x, epochs=60, test_x=data.test_x)
""", ["ae-2d-h200", "vae-2d-h200", "vae-16d-h200"]),
    "chapter 2 phases": ("""
k = 16
linear = vt.Autoencoder(latent_dim=k, hidden_dims=(), likelihood="gaussian")
schedule = [dict(epochs=15, lr=1e-2, batch_size=32),
            dict(epochs=15, lr=1e-3, batch_size=256),
            dict(epochs=10, lr=1e-4, batch_size=500)]
vt.fit_in_phases(linear, data.train_x, schedule, seed=0);
""", ["linear-ae-16d"]),
    "chapter 2 denoising": ("""
noises = {"Gaussian, std 0.5": functools.partial(vt.gaussian_noise, std=0.5),
          "masking, p = 0.5": functools.partial(vt.mask_pixels, p=0.5)}
daes = {}
for name, corrupt in noises.items():
    dae = vt.Autoencoder(latent_dim=32, hidden_dims=(256,),
                         likelihood="gaussian")
    vt.cached_fit(dae, data.train_x, epochs=15, lr=3e-3, seed=0,
                  corrupt=corrupt)
    daes[name] = dae
""", ["dae-32d-noise-15ep", "dae-32d-mask-15ep"]),
    "chapter 6 conv and conditional": ("""
conv = vt.ConvVAE(latent_dim=20, channels=(16, 32), seed=0)
vt.cached_fit(conv, data.train_x, epochs=6, batch_size=64, lr=2e-3, seed=0, test_x=data.test_x)
cvae = vt.ConditionalVAE(latent_dim=20, hidden_dims=(400,), seed=0)
vt.cached_fit(cvae, data.train_x, epochs=40, seed=0, y=data.train_y, test_x=data.test_x, test_y=data.test_y)
""", ["conv-vae-20d", "cvae-20d"]),
}


@pytest.mark.parametrize("case", list(HAND_WRITTEN))
def test_the_hand_written_originals_are_caught(case):
    source, expected = HAND_WRITTEN[case]
    found = duplicates(trainings_of([ast.parse(source)]))
    assert [re.search(r"by hand; .*vt.pretrained\('([^']+)'", m)[1] for m in found] == expected, found


@pytest.mark.parametrize("source", [
    "m = vt.VAE(latent_dim=2, seed=0)\nvt.cached_fit(m, data.train_x, epochs=41, seed=0, test_x=data.test_x)",
    "m = vt.VAE(latent_dim=2, seed=1)\nvt.cached_fit(m, data.train_x, epochs=40, seed=0, test_x=data.test_x)",
    "m = vt.VAE(latent_dim=2, seed=0)\nvt.cached_fit(m, data.train_x, epochs=40, seed=0)",
    "m = vt.VAE(latent_dim=2, seed=0)\nvt.cached_fit(m, data.train_x, epochs=40, seed=0, test_x=data.test_x, beta=4.0)",
    "m = vt.VAE(latent_dim=2, seed=0)\nvt.cached_fit(m, other_x, epochs=40, seed=0, test_x=data.test_x)",
], ids=["epochs", "init-seed", "no-test-curves", "beta", "other-data"])
def test_a_different_model_or_training_is_not_a_duplicate(source):
    assert not duplicates(trainings_of([ast.parse(source)]))
