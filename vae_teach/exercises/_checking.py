"""Checks for the book's exercises: a pass, or one hint that names the mistake.

A check never raises at the student. It prints one line, starting with
:data:`PASS` or :data:`HINT`, and returns ``True`` or ``False``.

Writing a check for a new exercise takes a few lines::

    @checker("Gaussian KL", own=(vt.gaussian_kl,))      # the package's answer is refused
    def check_gaussian_kl(fn) -> str:
        mu, logvar = torch.randn(8, 4), torch.randn(8, 4)
        got = call(fn, mu, logvar)                      # None, exceptions -> hints
        compare(got, vt.gaussian_kl(mu, logvar), what="your KL",
                mistakes={"sum over the latent dimensions, not the mean": ...},
                shapes={(4,): "you summed over the examples (dim=0); ..."})
        return "your KL matches the closed form"        # optional pass message

Each common mistake gets the hint that names it: write the value it gives
into ``mistakes`` (NaN included: matched before the NaN hint) or the shape it
gives into ``shapes``, and run the probe that tells it apart first; a
check's own probes can name ``mistakes`` before them with :func:`name_mistake`.

:func:`call` runs the student's function and turns its failures (an
exception, a ``return`` left out, an input changed in place) into hints;
:func:`compare` diagnoses a wrong answer: a known mistake first (the most
specific hint), then type, shape, dtype, NaN, a flipped sign, a missing term,
a constant factor or offset (``_diagnosis`` words the type and shape hints).

A check that runs longer than its time limit (an infinite loop in the
student's function) stops with a hint naming the line it was on; see
``_time_limit`` for the limit and how it works on each system.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import textwrap
import traceback
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch
from torch import Tensor

from ._diagnosis import close, shape_mistake, type_mistake
from ._time_limit import OutOfTime, limit_seconds, run_limited

__all__ = ["PASS", "HINT", "Hint", "checker", "call", "compare", "name_mistake"]

#: First characters of the line a check prints when the answer is right.
PASS = "✔ Correct"
#: First characters of the line a check prints when it found a mistake.
HINT = "✘ Not yet"


#: Environment variable naming a file where each check appends its verdict as a JSON line
#: ({"check", "status": "pass" | "hint" | "timeout", "message"}): how ``python -m vae_teach.grade``
#: learns the results of a notebook it runs. Unset (the student's own kernel): nothing is written.
RESULTS_ENV_VAR = "VAE_TEACH_GRADE_RESULTS"


def _record(check: str, status: str, message: str) -> None:
    path = os.environ.get(RESULTS_ENV_VAR)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"check": check, "status": status, "message": message}) + "\n")


#: Characters per printed line: a check's message fits a code output of the book at 1280 px, in a
#: solution's dropdown too (narrower than the page's column).
WIDTH = 70


def _say(text: str) -> None:
    """Print a check's message wrapped at WIDTH, later lines indented under the first."""
    print(textwrap.fill(text, WIDTH, subsequent_indent="  ", break_on_hyphens=False))


class Hint(Exception):
    """A mistake found in the student's answer; the message is the hint shown."""


# The package's own answers to the running check's exercise: {code object: name}, innermost check last.
_OWN: list[dict[Any, str]] = []


def _own_codes(own: Sequence[Callable[..., Any]]) -> dict[Any, str]:
    codes = {}
    for f in own:
        f = inspect.unwrap(f)
        codes[f.__code__] = f"vt.{f.__qualname__}"
    return codes


def checker(title: str, seconds: float | None = None, own: Sequence[Callable[..., Any]] = ()
            ) -> Callable[[Callable[..., str | None]], Callable[..., bool]]:
    """Turn a function that raises :class:`Hint` into a check that prints and returns a bool.

    The decorated function may return a short pass message. Any other
    exception (from student code not run through :func:`call`, or a bug in
    the check) is reported as a hint too, never as a traceback. A check
    running past ``seconds`` (None: ``VAE_TEACH_CHECK_SECONDS`` or
    ``_time_limit.TIME_LIMIT``) is stopped with a hint about a loop that never ends.
    """
    def decorate(body: Callable[..., str | None]) -> Callable[..., bool]:
        @functools.wraps(body)
        def run(*args: Any, **kwargs: Any) -> bool:
            limit = limit_seconds(seconds)
            _OWN.append(codes)
            try:
                message = run_limited(body, limit, *args, **kwargs)
            except OutOfTime as stop:
                text = (f"the check stopped your code after {limit:g} s{_where(stop)}. "
                        "Does it ever finish? Look for a loop that never ends (a `while` whose condition "
                        "stays true, a loop over a list it keeps growing). A slow machine? Set "
                        "os.environ['VAE_TEACH_CHECK_SECONDS'] to more seconds.")
                _say(f"{HINT} ({title}): {text}")
                _record(body.__name__, "timeout", text)
                return False
            except Hint as hint:
                _say(f"{HINT} ({title}): {hint}")
                _record(body.__name__, "hint", str(hint))
                return False
            except Exception as error:  # noqa: BLE001 - the student must never see a traceback
                text = f"the check stopped on {type(error).__name__}: {error}"
                _say(f"{HINT} ({title}): {text}")
                _record(body.__name__, "hint", text)
                return False
            finally:
                _OWN.pop()
            _say(f"{PASS} ({title})" + (f": {message}" if message else "."))
            _record(body.__name__, "pass", message or "")
            return True
        return run
    codes = _own_codes(own)
    return decorate


def _where(error: BaseException) -> str:
    """' (line N: code)' of the last frame outside torch and vae_teach, or ''."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if "vae_teach" not in f.filename and "torch" not in f.filename]
    if not frames:
        return ""
    frame = frames[-1]
    return f" (line {frame.lineno}: {frame.line.strip()})" if frame.line else f" (line {frame.lineno})"


def _uses_own(fn: Any, own: dict[Any, str], depth: int = 2) -> str | None:
    """The name of the function in ``own`` that the student's ``fn`` uses, or None: read from the
    code (nested functions included), not run. A name looked up as an attribute or imported
    (``vt.gaussian_kl``, ``from vae_teach.distributions import gaussian_kl as kl``) or a global bound
    to an own function; the student's helper functions are read alike, ``depth`` levels deep."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    code = getattr(inspect.unwrap(fn), "__code__", getattr(type(fn).__call__, "__code__", None))
    if code is None:
        return None
    names_of_own = {c.co_name: name for c, name in own.items()}
    scope = getattr(inspect.unwrap(fn), "__globals__", {})
    codes, names = [code], set()
    while codes:
        c = codes.pop()
        names.update(c.co_names)
        codes.extend(k for k in c.co_consts if inspect.iscode(k))
    for n in sorted(names):
        value = scope.get(n)
        target = getattr(inspect.unwrap(value), "__code__", None) if callable(value) else None
        if target in own:
            return own[target]
        if n in names_of_own and (value is None or target is None):
            return names_of_own[n]  # vt.gaussian_kl, or an import inside the function
        if depth > 0 and inspect.isfunction(value) and not value.__module__.startswith(("vae_teach", "torch")):
            found = _uses_own(value, own, depth - 1)
            if found:
                return found
    return None


def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the student's ``fn`` and return its result, or raise a :class:`Hint`.

    Hints: not a function; ``NotImplementedError``; any exception (with the
    line it came from); ``None`` returned (a missing ``return``); a tensor
    argument changed in place; a use of the package's own answer to the
    exercise (the check's ``own``: see ``_uses_own``).
    """
    name = getattr(fn, "__name__", "your function")
    if not callable(fn):
        raise Hint(f"expected a function; got {type(fn).__name__} {fn!r:.60}")
    originals = [a.detach().clone() if isinstance(a, Tensor) else None for a in args]
    own = _OWN[-1] if _OWN else {}
    used = _uses_own(fn, own) if own else None
    if used:
        raise Hint(f"{name} calls {used}, the package's own answer to this exercise: write it "
                   "yourself with torch operations (the check compares your code with it)")
    try:
        result = fn(*args, **kwargs)
    except NotImplementedError:
        raise Hint(f"{name} is not written yet: replace the placeholder with your code") from None
    except Exception as error:  # noqa: BLE001
        raise Hint(f"{name} raised {type(error).__name__}: {error}{_where(error)}") from None
    if result is None or result is Ellipsis:
        raise Hint(f"{name} returns None: compute the answer and `return` it")
    for i, (arg, original) in enumerate(zip(args, originals)):
        if original is not None and (arg.shape != original.shape or not torch.equal(arg, original)):
            raise Hint(f"{name} changed its argument {i + 1} in place; work on a copy "
                       "(x = x.clone()) or use operations that return new tensors")
    return result


def _name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def _constant(values: Tensor, atol: float) -> float | None:
    """The value every entry of ``values`` shares (within atol), else None."""
    finite = values[torch.isfinite(values)]
    if finite.numel() == 0 or finite.numel() != values.numel():
        return None
    mid = float(finite.median())
    return mid if float((finite - mid).abs().max()) <= atol else None


def name_mistake(got: Any, mistakes: Mapping[str, Tensor], *, atol: float = 1e-5, rtol: float = 1e-4) -> None:
    """Raise the hint of the first mistake whose value ``got`` matches (any shape, NaN matching
    NaN); do nothing for anything else, a non-tensor included. For a check that must name its known
    mistakes before its own probes (``compare`` does this itself)."""
    if isinstance(got, Tensor):
        for hint, wrong in mistakes.items():
            if close(got.detach().double().cpu(), wrong.detach().double().cpu(), atol, rtol):
                raise Hint(hint)


def compare(got: Any, expected: Tensor, what: str = "your result", *, atol: float = 1e-5,
            rtol: float = 1e-4, mistakes: Mapping[str, Tensor] | None = None,
            terms: Mapping[str, Tensor] | None = None,
            factor_hints: Mapping[float, str] | None = None,
            shapes: Mapping[tuple[int, ...], str] | None = None) -> Tensor:
    """Compare the student's ``got`` with ``expected``; raise a :class:`Hint` naming the mistake.

    The most specific hint wins: after the type, a wrong value is matched
    against ``mistakes`` (hint -> the value that mistake gives, of any shape,
    NaN included) before anything generic; then the shape (``shapes``: a wrong
    shape -> its hint; see ``_diagnosis.shape_mistake``), dtype, NaN/inf, a
    flipped sign, a missing term (``terms``: name -> the term, included in
    ``expected`` with a plus sign), a term with the wrong sign or counted twice, a constant
    factor (``factor_hints``: factor -> hint), a constant offset.
    Returns ``got`` as a tensor when it matches.
    """
    wrong_type = type_mistake(got, expected, what)
    if wrong_type:
        raise Hint(wrong_type)
    if not isinstance(got, Tensor):
        got = torch.tensor(float(got), dtype=expected.dtype)
    got_d, exp_d = got.detach().double().cpu(), expected.detach().double().cpu()
    if not close(got_d, exp_d, atol, rtol):
        name_mistake(got_d, mistakes or {}, atol=atol, rtol=rtol)
    wrong_shape = shape_mistake(tuple(got.shape), tuple(expected.shape), what, shapes)
    if wrong_shape:
        raise Hint(wrong_shape)
    if expected.is_floating_point() and not got.is_floating_point():
        raise Hint(f"{what}: dtype {_name(got.dtype)}; expected a float tensor ({_name(expected.dtype)}): "
                   "integer arithmetic loses the fractions")
    if got.dtype != expected.dtype:
        raise Hint(f"{what}: dtype {_name(got.dtype)}; expected {_name(expected.dtype)}")
    if not torch.isfinite(got_d).all() and torch.isfinite(exp_d).all():
        raise Hint(f"{what}: contains NaN or infinite values")
    if close(got_d, exp_d, atol, rtol):
        return got
    if float(exp_d.abs().max()) > atol and close(got_d, -exp_d, atol, rtol):
        raise Hint(f"{what}: the sign is flipped")
    for name, term in (terms or {}).items():
        term = term.detach().double().cpu()
        if close(got_d, exp_d - term, atol, rtol):
            raise Hint(f"{what}: {name} is missing")
        if close(got_d, exp_d - 2 * term, atol, rtol):
            raise Hint(f"{what}: {name} has the wrong sign")
        if close(got_d, exp_d + term, atol, rtol):
            raise Hint(f"{what}: {name} is counted twice (its factor 1/2 left out?)")
    nonzero = exp_d.abs() > 1e-8
    if nonzero.any():
        ratio = got_d[nonzero] / exp_d[nonzero]
        factor = _constant(ratio, 1e-4 * max(1.0, abs(float(ratio.median()))))
        if factor is not None and abs(factor - 1.0) > 1e-4 and close(got_d, factor * exp_d, atol, rtol):
            for known, hint in (factor_hints or {}).items():
                if abs(factor - known) <= 1e-3 * abs(known):
                    raise Hint(hint)
            raise Hint(f"{what}: off by a constant factor, {factor:.4g} times the expected values")
    offset = _constant(got_d - exp_d, max(atol, 1e-6))
    if offset is not None:
        raise Hint(f"{what}: off by a constant, {offset:+.4g} from the expected values everywhere")
    diff = (got_d - exp_d).abs()
    index = tuple(int(i) for i in np.unravel_index(int(diff.argmax()), tuple(diff.shape)))
    raise Hint(f"{what}: differs from the expected values, largest difference {float(diff.max()):.4g} "
               f"at index {index} (got {float(got_d[index]):.4g}, expected {float(exp_d[index]):.4g})")
