"""Evaluations are cached like models: ``cached_evaluation(fn, model, *args, **kwargs)``.

An expensive evaluation (5,000 importance samples for 100 images) is saved beside the model
cache, in ``<model cache>/evaluations``, named by a hash of everything that determines it: the
model's weights and config, the function (by the model cache's own keying, ``training.keys``:
a library function by name and version, any other by what it computes), and every argument
(tensors by content). The same call again loads the file. A result is a tensor, a number, or a
tuple / NamedTuple of them; files are written atomically and read with ``weights_only=True``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import tempfile
import warnings
from collections import namedtuple
from pathlib import Path
from typing import Any, Callable

import torch
from torch import Tensor

from .._version import __version__
from ..training.cache import cache_dir
from ..training.keys import fingerprint, key_of


def model_fingerprint(model) -> str:
    """A content hash of a model: its config (when it has one) and every tensor of its state_dict."""
    config = model.config() if hasattr(model, "config") else type(model).__qualname__
    state = {name: fingerprint(t) for name, t in model.state_dict().items()}
    text = json.dumps({"config": key_of(config, "the model's config"), "state": state}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def evaluation_key(fn: Callable[..., Any], model, args: tuple, kwargs: dict[str, Any]) -> str:
    """The hash that names a cached evaluation: model content, function, arguments, versions."""
    parts = {"model": model_fingerprint(model), "fn": key_of(fn, "the evaluation function"),
             "args": key_of(list(args), "an argument of the evaluation"),
             "kwargs": {k: key_of(v, f"the argument {k!r}") for k, v in sorted(kwargs.items())},
             "vae_teach": __version__, "torch": torch.__version__.split("+")[0]}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def _pack(result: Any) -> dict[str, Any]:
    if isinstance(result, (Tensor, float, int)):
        return {"kind": "value", "values": [result]}
    if isinstance(result, tuple) and all(isinstance(v, (Tensor, float, int)) for v in result):
        fields = list(getattr(result, "_fields", []))
        cls = type(result)
        return {"kind": "tuple", "values": list(result), "fields": fields,
                "class": [cls.__module__, cls.__qualname__] if fields else None}
    raise TypeError(f"cached_evaluation stores a tensor, a number or a tuple / NamedTuple of them; "
                    f"got {type(result).__name__}")


def _unpack(stored: dict[str, Any]) -> Any:
    values = stored["values"]
    if stored["kind"] == "value":
        return values[0]
    if not stored.get("fields"):
        return tuple(values)
    module, name = stored["class"]
    cls = getattr(importlib.import_module(module), name, None) if module.startswith("vae_teach") else None
    if cls is None or list(getattr(cls, "_fields", [])) != stored["fields"]:
        cls = namedtuple(name.split(".")[-1], stored["fields"])  # the class moved: same fields, by name
    return cls(*values)


def cached_evaluation(fn: Callable[..., Any], model, *args: Any,
                      directory: str | os.PathLike | None = None, **kwargs: Any) -> Any:
    """``fn(model, *args, **kwargs)``, loaded from the evaluation cache when this exact call ran before.

    directory: the evaluation cache folder (default ``<model cache>/evaluations``, the model
    cache being ``$VAE_TEACH_CACHE`` or ``~/.cache/vae_teach/models``). A cache that cannot be
    written (a classroom's read-only folder) only costs the recomputation, with a warning;
    an unreadable file is recomputed. Returns what fn returns (a NamedTuple comes back as its class).
    """
    if not callable(fn):
        raise TypeError(f"expected fn as the evaluation function fn(model, ...); got {type(fn).__name__}")
    folder = Path(directory) if directory is not None else cache_dir() / "evaluations"
    path = folder / f"{getattr(fn, '__name__', 'evaluation')}-{evaluation_key(fn, model, args, kwargs)}.pt"
    if path.is_file():
        try:
            return _unpack(torch.load(path, weights_only=True))
        except Exception as error:  # noqa: BLE001 - a broken file is recomputed, never fatal
            warnings.warn(f"evaluation cache: cannot read {path} ({error}); recomputing", stacklevel=2)
    result = fn(model, *args, **kwargs)
    packed = _pack(result)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as handle:
            torch.save(packed, handle)
        os.replace(handle.name, path)
    except OSError as error:
        warnings.warn(f"evaluation cache: could not save to {path} ({error}); the result is returned, "
                      "not cached", stacklevel=2)
    return result
