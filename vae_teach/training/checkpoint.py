"""Checkpoints: a model's config, weights and history in one file, written atomically, read safely.

A checkpoint is a dict of plain types and tensors (``format``, ``vae_teach``,
``config`` and ``history`` as JSON text, ``state_dict``), written to a temporary
file beside the target and renamed over it, and read with
``torch.load(weights_only=True)``, so a crafted file cannot run code. Every part
is checked on reading: a file that is not exactly what ``save_model`` writes is a
:class:`CheckpointError` saying what is wrong.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from .._version import __version__
from ..models.base import ImageModel, build_model, is_model
from .fit import History

CHECKPOINT_FORMAT = 1
#: A temporary file whose writer is gone (its process id no longer runs) or that nobody has
#: written for this long is left over from a killed write, and is removed by the next save.
STALE_TEMPORARY_SECONDS = 3600.0
_TEMPORARY_SUFFIX = ".vt.tmp"
# <target name>.<writer's process id>.<random>.vt.tmp, as save_model names them
_TEMPORARY_NAME = re.compile(r"\.(\d+)\.[A-Za-z0-9_]+" + re.escape(_TEMPORARY_SUFFIX) + "$")
_HISTORY_FIELDS = {f.name: f.type for f in dataclasses.fields(History)}


class CheckpointError(ValueError):
    """A checkpoint file is corrupt, truncated, or holds another architecture."""


def _check_path(path: object, what: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"expected {what} as a file path (a str or pathlib.Path); got {type(path).__name__}")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; {what} is a checkpoint file, e.g. {path / 'model.pt'}")
    return path


def save_model(model: ImageModel, path: str | os.PathLike, history: History | None = None) -> Path:
    """Write model config, weights and (optionally) history to path, atomically; returns the path.

    A crash, Ctrl-C or SIGKILL during the write leaves any earlier file at path intact;
    temporary files that killed writers left in the folder are removed here.
    """
    if not is_model(model):
        raise TypeError(f"expected a vae_teach model (vt.Autoencoder, vt.VAE, ...) to save; "
                        f"got {type(model).__name__}")
    if history is not None and not isinstance(history, History):
        raise TypeError(f"expected history as a History (what fit returns) or None; got {type(history).__name__}")
    path = _check_path(path, "path")
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "vae_teach": __version__,
        "config": json.dumps(model.config(), sort_keys=True),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "history": json.dumps(history.as_dict()) if history is not None else None,
    }
    remove_stale_temporaries(path.parent)
    # The writer's process id in the name tells a later save whether this file is still being written.
    fd, tmp = tempfile.mkstemp(prefix=f"{path.name}.{os.getpid()}.", suffix=_TEMPORARY_SUFFIX, dir=path.parent)
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


def _process_running(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows: rely on the age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary checkpoint files in folder whose writer is gone; returns those removed.

    Stale: the process id in its name no longer runs, or nobody has written it for
    ``STALE_TEMPORARY_SECONDS``. A file that a live process is still writing is kept.
    """
    removed = []
    for candidate in folder.glob("*" + _TEMPORARY_SUFFIX):
        match = _TEMPORARY_NAME.search(candidate.name)
        if match is None:
            continue
        try:
            idle = time.time() - candidate.stat().st_mtime
        except FileNotFoundError:  # its writer renamed it meanwhile
            continue
        if idle < STALE_TEMPORARY_SECONDS and _process_running(int(match.group(1))):
            continue
        candidate.unlink(missing_ok=True)
        removed.append(candidate)
    return removed


def _read_checkpoint(path: object) -> dict[str, Any]:
    path = _check_path(path, "path")
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


def _json_part(payload: dict, key: str, path: Path) -> Any:
    text = payload.get(key)
    if not isinstance(text, str):
        raise CheckpointError(f"{path}: its {key} should be JSON text; it is a {type(text).__name__}")
    try:
        return json.loads(text)
    except ValueError as error:
        raise CheckpointError(f"{path}: its {key} is not valid JSON ({error})") from error


def _saved_config(payload: dict, path: Path) -> tuple[dict[str, Any], ImageModel]:
    """The saved config, and a fresh model built from it; the config must be exactly the model's."""
    config = _json_part(payload, "config", path)
    if not isinstance(config, dict):
        raise CheckpointError(f"{path}: its config should be a JSON object; it is {config!r}")
    try:
        model = build_model(config)
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: its config does not describe a vae_teach model ({error})") from error
    expected = model.config()
    if config != expected:
        extra = sorted(set(config) - set(expected))
        missing = sorted(set(expected) - set(config))
        raise CheckpointError(f"{path}: its config is not a {config.get('class')}'s config "
                              f"(unknown keys {extra}, missing keys {missing}; saved {config}, expected {expected})")
    return config, model


def _saved_history(payload: dict, path: Path) -> History | None:
    if payload.get("history") is None:
        return None
    values = _json_part(payload, "history", path)
    if not isinstance(values, dict) or not set(values) <= set(_HISTORY_FIELDS):
        got = sorted(values) if isinstance(values, dict) else type(values).__name__
        raise CheckpointError(f"{path}: its history should hold some of {sorted(_HISTORY_FIELDS)}; got {got}")
    for name, value in values.items():
        numbers = isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                  for v in value)
        if (name == "interrupted" and not isinstance(value, bool)) or (name != "interrupted" and not numbers):
            raise CheckpointError(f"{path}: its history's {name} should be "
                                  f"{'true or false' if name == 'interrupted' else 'a list of numbers'}; "
                                  f"got {value!r:.80}")
    return History.from_dict(values)


def _load_state(model: ImageModel, payload: dict, path: Path) -> None:
    state = payload.get("state_dict")
    if not isinstance(state, dict) or not all(isinstance(v, Tensor) for v in state.values()):
        raise CheckpointError(f"{path}: its state_dict should be a dict of tensors")
    broken = sorted(name for name, t in state.items() if t.is_floating_point() and not bool(torch.isfinite(t).all()))
    if broken:  # checked before loading: a refused file leaves the model as it was
        raise CheckpointError(f"{path} holds non-finite weights ({', '.join(broken)}): a diverged training")
    try:
        model.load_state_dict(state)
    except (RuntimeError, KeyError, TypeError) as error:
        raise CheckpointError(f"{path}: weights do not fit {type(model).__name__}: {error}") from error


def load_model(path: str | os.PathLike) -> tuple[ImageModel, History | None]:
    """Rebuild the model saved at path and load its weights: returns (model, history or None)."""
    payload = _read_checkpoint(path)
    path = Path(path)
    _, model = _saved_config(payload, path)
    history = _saved_history(payload, path)
    _load_state(model, payload, path)
    return model, history


def load_weights(model: ImageModel, path: str | os.PathLike) -> History | None:
    """Load the weights saved at path into model, which must have the same architecture."""
    if not is_model(model):
        raise TypeError(f"expected a vae_teach model to load weights into; got {type(model).__name__}")
    payload = _read_checkpoint(path)
    path = Path(path)
    saved, _ = _saved_config(payload, path)
    history = _saved_history(payload, path)
    current = model.config()
    different = {k for k in set(saved) | set(current) if k != "seed" and saved.get(k) != current.get(k)}
    if different:
        raise CheckpointError(
            f"{path} holds a {saved.get('class')} with "
            + ", ".join(f"{k}={saved.get(k)!r}" for k in sorted(different))
            + f"; the model given is a {current.get('class')} with "
            + ", ".join(f"{k}={current.get(k)!r}" for k in sorted(different)))
    _load_state(model, payload, path)
    return history
