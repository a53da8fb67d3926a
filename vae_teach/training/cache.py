"""The model cache that spares the chapters from retraining: ``cached_fit`` and ``fit_in_phases``.

A trained model is saved as a checkpoint (``checkpoint.py``) named by a hash of
everything that determines it (``keys.py``), and loaded instead of retrained when
the same training runs again. The folder is checked before training, so a
cache that cannot be written never costs a training run.
"""

from __future__ import annotations

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
from .checkpoint import CheckpointError, load_model, load_weights, save_model
from .fit import History, check_trainable, fit
from .keys import fingerprint, key_of

__all__ = ["CACHE_ENV_VAR", "CheckpointError", "cache_dir", "cache_key", "cached_fit", "fingerprint",
           "fit_in_phases", "load_model", "load_weights", "save_model"]

#: Environment variable for the model cache folder (default ``~/.cache/vae_teach/models``).
CACHE_ENV_VAR = "VAE_TEACH_CACHE"


def user_cache_dir() -> Path:
    """The per-user model cache folder, ~/.cache/vae_teach/models."""
    return Path.home() / ".cache" / "vae_teach" / "models"


def cache_dir() -> Path:
    """The model cache folder: $VAE_TEACH_CACHE, else ~/.cache/vae_teach/models."""
    env = os.environ.get(CACHE_ENV_VAR)
    return Path(env) if env else user_cache_dir()


def _fallback(path: Path) -> Path | None:
    """Where a model missing from a shared, read-only cache trains instead: the per-user cache.

    A classroom points $VAE_TEACH_CACHE at a folder of trained models that students can
    read but not write. Such a folder is only read: whether it takes files is asked of the
    operating system (os.access), never tried. None when path's folder is not that case.
    """
    env = os.environ.get(CACHE_ENV_VAR)
    folder = path.parent
    if not env or folder != Path(env) or not folder.is_dir() or os.access(folder, os.W_OK):
        return None
    own = user_cache_dir() / path.name
    return None if own.parent == folder else own


def cache_key(model, train_x: Tensor, fit_kwargs: dict[str, Any]) -> str:
    """Hash of everything that determines a trained model: config, data, training arguments, versions."""
    kwargs = dict(fit_kwargs)
    test_x = kwargs.pop("test_x", None)  # labels (y, test_y) are keyed by content too, by key_of
    kwargs.pop("progress", None)
    kwargs.pop("device", None)
    parts = {
        "config": model.config(),
        "train_x": fingerprint(train_x),
        "test_x": fingerprint(test_x) if test_x is not None else None,
        "fit": {name: key_of(value, name) for name, value in sorted(kwargs.items())},
        "vae_teach": __version__,
        "torch": torch.__version__.split("+")[0],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


_FIX = f"pass directory= a writable folder, or set ${CACHE_ENV_VAR}"


def _check_writable_folder(path: Path) -> None:
    """Before training: the checkpoint's folder exists (or can be made) and takes files.

    Only checked when a training is due: a cache hit loads from a read-only folder too
    (a classroom's shared cache).
    """
    folder, fix = path.parent, _FIX
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"model cache: {folder} is a file, not a folder; {fix}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise PermissionError(f"model cache: cannot write into {folder} ({error}); {fix}") from error


def _all_finite(model) -> bool:
    return all(bool(torch.isfinite(t).all()) for t in model.state_dict().values() if t.is_floating_point())


def _load_or_train(model, path: Path, train: Callable[[], History]) -> History:
    """The cache's one core: load the weights at path, or train and save them there.

    A corrupt or mismatched file (or one holding non-finite weights) is reported with a
    warning and retrained; an interrupted training is returned but not saved; a save that
    fails leaves the trained model in place, with a warning.
    """
    if path.is_dir():
        raise IsADirectoryError(f"model cache: {path} is a folder where the checkpoint file should go; "
                                f"remove it, or {_FIX}")
    if path.exists():
        try:
            history = load_weights(model, path)
            model.eval()
            return history if history is not None else History()
        except CheckpointError as error:
            warnings.warn(f"model cache: {error}; retraining", stacklevel=3)
    fallback = _fallback(path)
    if fallback is not None:
        warnings.warn(f"model cache: {path.name} is not in the shared, read-only cache {path.parent}; "
                      f"your own cache, {fallback.parent}, holds or trains it", stacklevel=3)
        return _load_or_train(model, fallback, train)
    _check_writable_folder(path)
    history = train()
    if history.interrupted:
        return history
    if not _all_finite(model):  # fit stops a divergence itself; this guards the cache whatever trained
        warnings.warn(f"model cache: the trained model has non-finite weights; not saved to {path}", stacklevel=3)
        return history
    try:
        save_model(model, path, history)
    except OSError as error:
        warnings.warn(f"model cache: could not save to {path} ({type(error).__name__}: {error}); "
                      "the trained model and its history are returned, but not cached", stacklevel=3)
    return history


def cached_fit(model, train_x: Tensor, epochs: int = 10, *, directory: str | os.PathLike | None = None,
               **fit_kwargs: Any) -> History:
    """``fit`` with a disk cache: load the trained weights if this exact training ran before.

    The key covers model.config() (architecture and init seed), the training data,
    every ``fit`` argument, and the package and torch versions; any change retrains.
    A corrupt or mismatched cache file is reported with a warning and retrained.
    An interrupted training is returned but not cached.
    """
    _check_cacheable(model, [fit_kwargs])
    train_x = check_images(train_x, "train_x")
    fit_kwargs["epochs"] = epochs
    key = cache_key(model, train_x, fit_kwargs)
    path = _folder(directory) / f"{model.config()['class'].lower()}-{key}.pt"
    return _load_or_train(model, path, lambda: fit(model, train_x, **fit_kwargs))


def _check_cacheable(model: object, settings: list[dict[str, Any]]) -> None:
    check_trainable(model)
    if any(step.get("seed", 0) is None for step in settings):
        raise ValueError("cached_fit needs seed as an int: an unseeded training (seed=None) is not determined "
                         "by its arguments, so the cache cannot stand for it (use vt.fit for an unseeded run)")


def _folder(directory: object) -> Path:
    if directory is None:
        return cache_dir()
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"expected directory as a folder path (a str or pathlib.Path) or None; "
                        f"got {type(directory).__name__}")
    return Path(directory)


def fit_in_phases(model, train_x: Tensor, phases: Sequence[dict[str, Any]], *,
                  directory: str | os.PathLike | None = None, **common: Any) -> History:
    """Train with ``fit`` several times in a row (e.g. a falling learning rate), cached as one run.

    phases: e.g. ``[dict(epochs=30, lr=1e-2), dict(epochs=30, lr=1e-3)]``; each dict is
    passed to ``fit`` on top of ``common``. The cache key covers the whole list, so a
    cached result is only reused for exactly the same schedule. Returns one History.
    """
    if not phases or not all(isinstance(p, dict) and "epochs" in p for p in phases):
        raise ValueError(f"expected phases as a non-empty list of dicts with 'epochs'; got {phases!r}")
    _check_cacheable(model, [{**common, **p} for p in phases])
    train_x = check_images(train_x, "train_x")
    plan = [sorted({**common, **p}.items(), key=lambda kv: kv[0]) for p in phases]
    key = cache_key(model, train_x, {"phases": [[(k, v) for k, v in step if k != "test_x"] for step in plan],
                                     "test_x": common.get("test_x")})
    path = _folder(directory) / f"phased-{key}.pt"

    def train() -> History:
        history = History()
        for step in phases:
            history = fit(model, train_x, history=history, **{**common, **step})
            if history.interrupted:
                break
        return history

    return _load_or_train(model, path, train)
