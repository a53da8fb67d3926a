"""Exercise checks for chapter 5 (exploring the latent space).

Each check prints a pass or one hint naming the mistake and returns a bool (see ``exercises``).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
from torch import Tensor

from ..analysis.paths import interpolate, lerp, slerp
from ._checking import Hint, call, checker, compare, name_mistake

__all__ = ["check_slerp", "check_find_code", "check_neighbourhood"]


@checker("spherical interpolation", own=(slerp, interpolate))
def check_slerp(fn: Callable[[Tensor, Tensor, int], Tensor]) -> str:
    """Exercise ex-ch5-slerp: ``fn(z0, z1, steps)`` -> (steps, D) codes along the great circle."""
    g = torch.Generator().manual_seed(0)
    z0, z1 = torch.randn(16, generator=g), torch.randn(16, generator=g)
    z1 = z1 / z1.norm() * z0.norm()
    try:
        got = call(fn, z0, z1, 5)
    except Hint as hint:
        if "must match" in str(hint):
            raise Hint(f"{hint}. t needs an axis of its own to weight each code: "
                       "t = torch.linspace(0, 1, steps)[:, None], shape (steps, 1)") from None
        raise
    if isinstance(got, Tensor) and got.shape == (16, 5):
        raise Hint("your path has shape (D, steps); return one code per row, shape (steps, D)")
    expected = slerp(z0, z1, 5)
    if isinstance(got, Tensor) and got.shape == expected.shape and not torch.isfinite(got).all():
        raise Hint("your path holds NaN: arccos of a number outside [-1, 1]? Divide the dot product "
                   "by |z0| |z1| (and clamp it to [-1, 1]) before the arccos")
    t = torch.linspace(0, 1, 5)[:, None]
    omega = torch.arccos(torch.dot(z0, z1) / (z0.norm() * z1.norm()))
    name_mistake(got, {
        "you left out the division by sin(omega): slerp = (sin((1 - t) omega) z0 + sin(t omega) z1) "
        "/ sin(omega)": torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1,
        "your path runs from z1 to z0: weight z0 by sin((1 - t) omega) and z1 by sin(t omega)":
            expected.flip(0),
    }, atol=1e-4)
    if isinstance(got, Tensor) and got.shape == expected.shape:
        if torch.allclose(got.float(), lerp(z0, z1, 5), atol=1e-4):
            raise Hint("this is the straight line (lerp): its norm dips in the middle; weight z0 and z1 "
                       "by sin((1 - t) omega) / sin(omega) and sin(t omega) / sin(omega)")
        if not torch.allclose(got[0].float(), z0, atol=1e-4) or not torch.allclose(got[-1].float(), z1, atol=1e-4):
            raise Hint("the path should start at z0 (t = 0) and end at z1 (t = 1); check the order of "
                       "the two weights, and that t runs over torch.linspace(0, 1, steps)")
        norms = got.float().norm(dim=1)
        if not torch.allclose(norms, z0.norm().expand(5), rtol=1e-3):
            raise Hint("for two codes of equal norm every point of a slerp path has that norm; yours "
                       f"goes from {float(norms.min()):.2f} to {float(norms.max()):.2f}: is omega the angle "
                       "arccos(z0 . z1 / (|z0| |z1|))?")
    compare(got, expected, what="your path", atol=1e-4)
    tiny = call(fn, z0, z0 + 1e-7, 3)
    if not (isinstance(tiny, Tensor) and torch.isfinite(tiny).all()):
        raise Hint("for two (almost) equal codes omega is 0 and sin(omega) is 0: fall back to lerp "
                   "when omega is tiny, instead of dividing by zero")
    return "ends, norm and middle all match"


@checker("find a digit's code")
def check_find_code(fn: Callable[[Any, Tensor], Tensor], model: Any, images: Tensor) -> str:
    """Exercise ex-ch5-code: ``fn(vae, images)`` -> posterior means mu, (N, D), for images (N, 1, 28, 28)."""
    x = images[:4]
    with torch.no_grad():
        mu, logvar = model.encode(x)
        got = call(fn, model, x)
    if isinstance(got, tuple) and hasattr(got, "_fields"):
        raise Hint(f"you returned the model's whole output ({type(got).__name__}); the code of a "
                   "digit is the mean mu of vae.encode(images)")
    if isinstance(got, tuple):
        raise Hint("you returned a tuple (mu, logvar?): the code of a digit is the mean mu alone")
    if isinstance(got, Tensor) and got.shape == mu.shape and torch.allclose(got, logvar, atol=1e-5):
        raise Hint("that is logvar; the code is the first output of vae.encode, mu")
    if isinstance(got, Tensor) and got.shape == mu.shape and torch.allclose(got, (0.5 * logvar).exp(), atol=1e-5):
        raise Hint("that is the standard deviation exp(0.5 * logvar); the code is the mean mu")
    if isinstance(got, Tensor) and got.shape == mu.shape and not torch.allclose(got, mu, atol=1e-4):
        again = call(fn, model, x)
        if isinstance(again, Tensor) and not torch.allclose(got, again):
            raise Hint("your codes change from call to call: you sampled z; use the posterior mean mu, "
                       "which is what the explorers plot")
    compare(got, mu, what="your codes", atol=1e-4, shapes={
        mu.shape[1:]: "one code; expected one per image, (N, D): encode the whole batch of images"})
    return "the posterior means of the digits"


@checker("decode a neighbourhood")
def check_neighbourhood(fn: Callable[[Tensor, float, int], Tensor]) -> str:
    """Exercise ex-ch5-grid: ``fn(z, radius, n)`` -> (n * n, 2) codes on an n x n grid spanning
    z +- radius in both coordinates, first coordinate changing slowest (row by row)."""
    z = torch.tensor([0.5, -1.0])
    got = call(fn, z, 1.0, 3)
    a = torch.linspace(-1.0, 1.0, 3)
    expected = z + torch.stack(torch.meshgrid(a, a, indexing="ij"), dim=-1).reshape(-1, 2)
    if isinstance(got, (tuple, list)) and len(got) == 2 and all(isinstance(v, Tensor) for v in got):
        raise Hint("meshgrid gives one tensor per coordinate; stack them, torch.stack(..., dim=-1), "
                   "and reshape to (n * n, 2)")
    if isinstance(got, Tensor) and got.shape == (3, 3, 2):
        raise Hint("your grid has shape (n, n, 2); reshape it to (n * n, 2) so decode gets one code per row")
    if isinstance(got, Tensor) and got.shape == expected.shape:
        if torch.allclose(got, expected - z, atol=1e-5):
            raise Hint("your grid is centred on (0, 0); add the digit's code z to every point")
        if torch.allclose(got.float().mean(0), z, atol=1e-5) and not torch.allclose(got, expected, atol=1e-5):
            flipped = expected.reshape(3, 3, 2).transpose(0, 1).reshape(-1, 2)
            if torch.allclose(got, flipped, atol=1e-5):
                raise Hint("right points, wrong order: let the first coordinate change slowest "
                           "(meshgrid with indexing='ij')")
            span = float((got.max(0).values - got.min(0).values).max())
            if not math.isclose(span, 2.0, rel_tol=1e-3):
                raise Hint(f"your grid spans {span:.2f} across; it should reach from z - radius to z + radius "
                           "(2 * radius across)")
    compare(got, expected, what="your grid", atol=1e-5, shapes={
        (3, 2): "n points along a line; the grid has n * n, one per pair (a[i], a[j]): "
                "torch.meshgrid(a, a, indexing='ij')"})
    return "an n x n grid around the code"
