"""What the model cache keys on: a JSON-able description of every value that determines a training.

Tensors are keyed by content, plain values by value, and functions (a ``corrupt=``
lambda, a redefined function, a closure, a ``functools.partial``) by what they
compute: their bytecode and constants, their default arguments, the values their
closures hold and the module-level values they read, recursively. Two lambdas that
differ only in a constant get different keys; the same function defined twice gets
one. A value the cache cannot describe is refused with the way to name it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import numbers
import sys
import types
from typing import Any

import numpy as np
import torch
from torch import Tensor


class UnkeyableError(TypeError):
    """A training argument the model cache cannot describe by its content."""


def fingerprint(x: Tensor) -> str:
    """A short content hash of a tensor (shape, dtype and bytes)."""
    digest = hashlib.sha256(f"{tuple(x.shape)}|{x.dtype}".encode())
    digest.update(x.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def _hash(description: Any) -> str:
    return hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()[:16]


def _library_version(fn: Any) -> str | None:
    """The version of the installed package a function comes from (None for __main__ and unversioned code).

    A versioned library's functions are keyed by name and version: what they compute
    changes only with the version, and their module globals need not be hashed.
    """
    module = getattr(fn, "__module__", None) or "__main__"
    if module == "__main__":
        return None
    version = getattr(sys.modules.get(module.split(".")[0]), "__version__", None)
    return str(version) if version is not None else None


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _code_key(code: types.CodeType, seen: set[int]) -> Any:
    consts = [_code_key(c, seen) if isinstance(c, types.CodeType) else key_of(c, "a constant", seen)
              for c in code.co_consts]
    return ["code", code.co_code.hex(), consts, list(code.co_names), code.co_argcount, code.co_kwonlyargcount]


def _function_key(fn: types.FunctionType, seen: set[int]) -> Any:
    version = _library_version(fn)
    if version is not None:
        return ["library function", fn.__module__, fn.__qualname__, version]
    if id(fn) in seen:  # a recursive function reads itself from its globals
        return ["recursion", fn.__qualname__]
    seen = seen | {id(fn)}
    code = fn.__code__
    closure = {name: cell.cell_contents for name, cell in zip(code.co_freevars, fn.__closure__ or ())
               if _has_contents(cell)}
    read_globals = {name: fn.__globals__[name] for name in sorted(_code_names(code)) if name in fn.__globals__}
    return ["function", _hash(_code_key(code, seen)),
            key_of(fn.__defaults__, f"the defaults of {fn.__qualname__}", seen),
            key_of(fn.__kwdefaults__, f"the keyword defaults of {fn.__qualname__}", seen),
            {name: key_of(value, f"{name!r}, which {fn.__qualname__} closes over", seen)
             for name, value in closure.items()},
            {name: key_of(value, f"the global {name!r}, which {fn.__qualname__} reads", seen)
             for name, value in read_globals.items()}]


def _has_contents(cell: types.CellType) -> bool:
    try:
        cell.cell_contents
    except ValueError:  # a cell not yet filled
        return False
    return True


def key_of(value: Any, name: str = "value", seen: set[int] | None = None) -> Any:
    """A JSON-able description of value by its content, or UnkeyableError naming what cannot be described.

    name: what the value is, for the error message ("corrupt", "a global 'std' ...").
    """
    seen = set() if seen is None else seen
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return ["float", repr(value)]  # repr: exact, and JSON has no NaN
    if isinstance(value, numbers.Number):  # numpy scalars
        return [type(value).__name__, repr(value.item() if hasattr(value, "item") else value)]
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, [key_of(v, name, seen) for v in value]]
    if isinstance(value, dict):
        return ["dict", sorted([repr(k), key_of(v, name, seen)] for k, v in value.items())]
    if isinstance(value, Tensor):
        return ["tensor", fingerprint(value)]
    if isinstance(value, np.ndarray):
        return ["array", fingerprint(torch.from_numpy(np.ascontiguousarray(value)))]
    if isinstance(value, (torch.device, torch.dtype)):
        return [type(value).__name__, str(value)]
    if isinstance(value, types.ModuleType):
        return ["module", value.__name__]
    if isinstance(value, type):
        return ["class", value.__module__, value.__qualname__]
    if dataclasses.is_dataclass(value):
        return [type(value).__name__, key_of(dataclasses.asdict(value), name, seen)]
    if isinstance(value, functools.partial):
        return ["partial", key_of(value.func, name, seen), key_of(value.args, name, seen),
                key_of(value.keywords, name, seen)]
    if isinstance(value, types.FunctionType):
        return _function_key(value, seen)
    if isinstance(value, np.ufunc) or (isinstance(value, types.BuiltinFunctionType)
                                       and isinstance(getattr(value, "__self__", None), (types.ModuleType, type(None)))):
        return ["library callable", getattr(value, "__module__", None), getattr(value, "__qualname__", repr(value)),
                _library_version(value)]
    raise UnkeyableError(
        f"the model cache cannot key {name}: it is a {type(value).__name__}, whose content it cannot describe. "
        "Give cached_fit a module-level function, or functools.partial(function, name=value) with plain "
        "values (numbers, strings, tuples, tensors), e.g. corrupt=functools.partial(vt.gaussian_noise, std=0.3)")
