"""Exercise checks for chapter 6 (applications: anomaly detection, the conditional VAE).

Each check prints a pass or one hint naming the mistake and returns a bool (see ``exercises``).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import torch
from torch import Tensor

from ..analysis.anomaly import auroc, auroc_interval, bootstrap_aurocs, complexity_corrected, png_nats
from ._checking import Hint, call, checker, compare

__all__ = ["check_auroc", "check_complexity_score", "check_style_transfer"]


def _as_float(got: Any, what: str) -> float:
    if isinstance(got, Tensor) and got.numel() == 1:
        return float(got)
    if isinstance(got, (float, int, np.floating, np.integer)) and not isinstance(got, bool):
        return float(got)
    raise Hint(f"{what} should be one number (a float); got {type(got).__name__}"
               + (f" of shape {tuple(got.shape)}" if isinstance(got, (Tensor, np.ndarray)) else ""))


def _pairs(normal: Tensor, anomalous: Tensor) -> tuple[float, float, float]:
    """Shares of (anomalous, normal) pairs where the anomalous score is above, equal, below."""
    diff = anomalous[:, None] - normal[None, :]
    return float((diff > 0).double().mean()), float((diff == 0).double().mean()), float((diff < 0).double().mean())


@checker("AUROC by hand", own=(auroc, auroc_interval, bootstrap_aurocs))
def check_auroc(fn: Callable[[Tensor, Tensor], float]) -> str:
    """Exercise ex-ch6-auroc: ``fn(normal, anomalous)`` -> the AUROC, a float, for 1-D score tensors."""
    g = torch.Generator().manual_seed(0)
    normal = torch.randint(0, 6, (300,), generator=g).double()
    anomalous = torch.randint(2, 9, (200,), generator=g).double()
    above, tied, below = _pairs(normal, anomalous)
    got = _as_float(call(fn, normal, anomalous), "the AUROC")
    expected = above + 0.5 * tied
    if math.isclose(got, below + 0.5 * tied, abs_tol=1e-6):
        raise Hint("that is 1 - AUROC: count the pairs where the ANOMALOUS score is the higher one "
                   "(higher scores mean more anomalous)")
    if math.isclose(got, above, abs_tol=1e-6):
        raise Hint("ties count for nothing in your AUROC; a tied pair is a coin toss for the detector: "
                   "count it one half")
    if math.isclose(got, above + tied, abs_tol=1e-6):
        raise Hint("ties count as a win in your AUROC; a tied pair is a coin toss for the detector: "
                   "count it one half")
    if math.isclose(got, above * 300 * 200, rel_tol=1e-6) or math.isclose(got, expected * 300 * 200, rel_tol=1e-6):
        raise Hint("that is a count of pairs; divide by the number of pairs, len(normal) * len(anomalous)")
    if not math.isclose(got, expected, abs_tol=1e-6):
        raise Hint(f"your AUROC is {got:.4f}; the share of (anomalous, normal) pairs in which the anomalous "
                   f"score is higher, ties counting 1/2, is {expected:.4f}")
    separated = _as_float(call(fn, torch.arange(5.0), torch.arange(5.0) + 10), "the AUROC")
    if not math.isclose(separated, 1.0, abs_tol=1e-6):
        raise Hint(f"anomalous scores all above the normal ones should give 1.0; yours gives {separated:.4f}")
    return "the share of pairs ranked right, ties counting one half"


@checker("complexity-corrected score", own=(complexity_corrected, png_nats))
def check_complexity_score(fn: Callable[[Tensor, Tensor], Tensor], images: Tensor) -> str:
    """Exercise ex-ch6-complexity: ``fn(negative_elbo, images)`` -> (N,) scores, -ELBO minus the PNG
    length of each image in nats; negative_elbo (N,) in nats, images (N, 1, 28, 28) in [0, 1]."""
    x = images[:6]
    nll = torch.linspace(80.0, 130.0, x.shape[0], dtype=torch.float64)
    expected = complexity_corrected(nll, x)
    length = png_nats(x)
    got = call(fn, nll.clone(), x.clone())
    if isinstance(got, Tensor) and got.numel() == 1:
        raise Hint("you returned one number; give one score per image, shape (N,): the PNG length of "
                   "each image, not of the set")
    in_bytes = length / (8 * math.log(2))
    mistakes = {
        "you subtracted the PNG length in bytes; convert to nats: bytes * 8 bits, times ln 2 nats per bit":
            nll - in_bytes,
        "you subtracted the PNG length in bits; -ELBO is in nats: multiply the bits by ln 2": nll - in_bytes * 8,
        "you added the PNG length: the score is -ELBO MINUS the compressed length": nll + length,
        "you subtracted the mean PNG length of all images; use each image's own length":
            nll - length.mean(),
        "the score is -ELBO - L(x), not L(x) - (-ELBO): check the order of the subtraction": length - nll,
    }
    compare(got, expected, what="your scores", atol=1e-3, mistakes=mistakes)
    return "-ELBO minus each image's PNG length in nats"


@checker("one handwriting, another digit")
def check_style_transfer(fn: Callable[[Any, Tensor, int, int], Tensor], model: Any, images: Tensor,
                         labels: Tensor) -> str:
    """Exercise ex-ch6-style: ``fn(cvae, image, label, digit)`` -> (1, 1, 28, 28), the image (1, 1, 28, 28)
    of digit ``label`` redrawn as ``digit``: its posterior mean under its own label, decoded with ``digit``."""
    x, y = images[:1], labels[:1]
    digit = (int(y[0]) + 3) % 10
    with torch.no_grad():
        mu, logvar = model.encode(x, y)
        expected = model.decode(mu, torch.tensor([digit]))
        wrong_label = model.decode(model.encode(x, torch.tensor([digit]))[0], torch.tensor([digit]))
        logits = model.decode_logits(mu, torch.tensor([digit]))
        got = call(fn, model, x, int(y[0]), digit)
    if isinstance(got, tuple):
        raise Hint("you returned a tuple; return the decoded image alone, shape (1, 1, 28, 28)")
    if isinstance(got, Tensor) and got.shape == expected.shape and not torch.allclose(got, expected, atol=1e-4):
        again = call(fn, model, x, int(y[0]), digit)
        if isinstance(again, Tensor) and not torch.allclose(got, again):
            raise Hint("your image changes from call to call: you decoded a sampled z; decode the "
                       "posterior mean mu")
    compare(got, expected, what="your image", atol=1e-4, mistakes={
        "you encoded the image with the new digit's label; encode it with its own label (what it IS), "
        "then decode with the new one": wrong_label,
        "those are logits (decode_logits); decode gives pixel probabilities in [0, 1]": logits,
    })
    return "the same style, drawn as another digit"
