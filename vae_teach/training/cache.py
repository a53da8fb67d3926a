"""Checkpoints and the model cache that spares the chapters from retraining.

A checkpoint is a dict of plain types and tensors (``config``, ``state_dict``,
``history``), written atomically and read with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable, Sequence

import torch
from torch import Tensor

from .._version import __version__
from .._validate import check_images
from ..models.base import build_model
from .fit import History, fit

#: Environment variable for the model cache folder (default ``~/.cache/vae_teach/models``).
CACHE_ENV_VAR = "VAE_TEACH_CACHE"
CHECKPOINT_FORMAT = 1


class CheckpointError(ValueError):
    """A checkpoint file is corrupt, truncated, or holds another architecture."""


def cache_dir() -> Path:
    """The model cache folder: $VAE_TEACH_CACHE, else ~/.cache/vae_teach/models."""
    env = os.environ.get(CACHE_ENV_VAR)
    return Path(env) if env else Path.home() / ".cache" / "vae_teach" / "models"


def save_model(model, path: str | os.PathLike, history: History | None = None) -> Path:
    """Write model config, weights and (optionally) history to path, atomically.

    A crash or Ctrl-C during the write leaves any earlier file at path intact.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "vae_teach": __version__,
        "config": json.dumps(model.config(), sort_keys=True),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "history": json.dumps(history.as_dict()) if history is not None else None,
    }
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _read_checkpoint(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many kinds for a truncated or foreign file
        raise CheckpointError(f"{path} is not a readable vae_teach checkpoint "
                              f"(truncated or corrupt?): {type(error).__name__}: {error}") from error
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path} is not a vae_teach checkpoint (format {CHECKPOINT_FORMAT} "
                              f"dict with config, state_dict, history)")
    return payload


def load_model(path: str | os.PathLike) -> tuple[Any, History | None]:
    """Rebuild the model saved at path and load its weights: returns (model, history or None)."""
    payload = _read_checkpoint(Path(path))
    model = build_model(json.loads(payload["config"]))
    _load_state(model, payload, Path(path))
    return model, _history(payload)


def load_weights(model, path: str | os.PathLike) -> History | None:
    """Load the weights saved at path into model, which must have the same architecture."""
    payload = _read_checkpoint(Path(path))
    saved = json.loads(payload["config"])
    current = model.config()
    different = {k for k in set(saved) | set(current) if k != "seed" and saved.get(k) != current.get(k)}
    if different:
        raise CheckpointError(
            f"{path} holds a {saved.get('class')} with "
            + ", ".join(f"{k}={saved.get(k)!r}" for k in sorted(different))
            + f"; the model given is a {current.get('class')} with "
            + ", ".join(f"{k}={current.get(k)!r}" for k in sorted(different)))
    _load_state(model, payload, Path(path))
    return _history(payload)


def _load_state(model, payload: dict, path: Path) -> None:
    try:
        model.load_state_dict(payload["state_dict"])
    except (RuntimeError, KeyError, TypeError) as error:
        raise CheckpointError(f"{path}: weights do not fit {type(model).__name__}: {error}") from error


def _history(payload: dict) -> History | None:
    return History.from_dict(json.loads(payload["history"])) if payload.get("history") else None


def fingerprint(x: Tensor) -> str:
    """A short content hash of a tensor (shape, dtype and bytes)."""
    digest = hashlib.sha256(f"{tuple(x.shape)}|{x.dtype}".encode())
    digest.update(x.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def _describe_callable(fn) -> str | None:
    if fn is None:
        return None
    if isinstance(fn, functools.partial):
        return f"partial({_describe_callable(fn.func)}, {fn.args!r}, {sorted(fn.keywords.items())!r})"
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def cache_key(model, train_x: Tensor, fit_kwargs: dict[str, Any]) -> str:
    """Hash of everything that determines a trained model: config, data, training arguments, versions."""
    kwargs = dict(fit_kwargs)
    test_x = kwargs.pop("test_x", None)
    for name in ("y", "test_y"):  # labels are data: keyed by content, like the images
        if kwargs.get(name) is not None:
            kwargs[name] = fingerprint(kwargs[name])
    kwargs.pop("progress", None)
    kwargs.pop("device", None)
    kwargs["corrupt"] = _describe_callable(kwargs.get("corrupt"))
    parts = {
        "config": model.config(),
        "train_x": fingerprint(train_x),
        "test_x": fingerprint(test_x) if test_x is not None else None,
        "fit": sorted(kwargs.items()),
        "vae_teach": __version__,
        "torch": torch.__version__.split("+")[0],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=repr).encode()).hexdigest()[:24]


def _load_or_train(model, path: Path, train: Callable[[], History]) -> History:
    """The cache's one core: load the weights at path, or train and save them there.

    A corrupt or mismatched file is reported with a warning and retrained; an
    interrupted training is returned but not saved.
    """
    if path.exists():
        try:
            history = load_weights(model, path)
            model.eval()
            return history if history is not None else History()
        except CheckpointError as error:
            warnings.warn(f"model cache: {error}; retraining", stacklevel=3)
    history = train()
    if not history.interrupted:
        save_model(model, path, history)
    return history


def cached_fit(model, train_x: Tensor, epochs: int = 10, *, directory: str | os.PathLike | None = None,
               **fit_kwargs: Any) -> History:
    """``fit`` with a disk cache: load the trained weights if this exact training ran before.

    The key covers model.config() (architecture and init seed), the training data,
    every ``fit`` argument, and the package and torch versions; any change retrains.
    A corrupt or mismatched cache file is reported with a warning and retrained.
    An interrupted training is returned but not cached.
    """
    train_x = check_images(train_x, "train_x")
    fit_kwargs["epochs"] = epochs
    key = cache_key(model, train_x, fit_kwargs)
    path = Path(directory) if directory is not None else cache_dir()
    path = path / f"{model.config()['class'].lower()}-{key}.pt"
    return _load_or_train(model, path, lambda: fit(model, train_x, **fit_kwargs))


def fit_in_phases(model, train_x: Tensor, phases: Sequence[dict[str, Any]], *,
                  directory: str | os.PathLike | None = None, **common: Any) -> History:
    """Train with ``fit`` several times in a row (e.g. a falling learning rate), cached as one run.

    phases: e.g. ``[dict(epochs=30, lr=1e-2), dict(epochs=30, lr=1e-3)]``; each dict is
    passed to ``fit`` on top of ``common``. The cache key covers the whole list, so a
    cached result is only reused for exactly the same schedule. Returns one History.
    """
    if not phases or not all(isinstance(p, dict) and "epochs" in p for p in phases):
        raise ValueError(f"expected phases as a non-empty list of dicts with 'epochs'; got {phases!r}")
    train_x = check_images(train_x, "train_x")
    plan = [sorted({**common, **p}.items(), key=lambda kv: kv[0]) for p in phases]
    key = cache_key(model, train_x, {"phases": [[(k, v) for k, v in step if k != "test_x"] for step in plan],
                                     "test_x": common.get("test_x")})
    path = (Path(directory) if directory is not None else cache_dir()) / f"phased-{key}.pt"

    def train() -> History:
        history = History()
        for step in phases:
            history = fit(model, train_x, history=history, **{**common, **step})
            if history.interrupted:
                break
        return history

    return _load_or_train(model, path, train)
