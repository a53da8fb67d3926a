"""Exercise checks for chapter 8 (evaluating a VAE).

Each check prints a pass or one hint naming the mistake and returns a bool (see ``exercises``).
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor

from ..analysis.evaluation import delta_method_se, iwae_curve, nested_iwae, repeated_draws
from ._checking import Hint, call, checker, compare

__all__ = ["check_iwae_from_weights", "check_iwae_standard_error"]


def _log_weights(k_total: int = 60, n: int = 4, seed: int = 0) -> Tensor:
    """Log weights like a real VAE's on these images: float32, around -120 nats, where exp underflows to 0."""
    g = torch.Generator().manual_seed(seed)
    return -120.0 + 3.0 * torch.randn(k_total, n, generator=g) + torch.arange(n, dtype=torch.float32)


@checker("IWAE_k from log weights", own=(nested_iwae, iwae_curve, repeated_draws))
def check_iwae_from_weights(fn: Callable[[Tensor, int], Tensor]) -> str:
    """Exercise ex-ch8-iwae: ``fn(log_w, k)`` -> (N,) IWAE_k of each image from the first k rows of log_w (K, N)."""
    log_w = _log_weights()
    k = 10
    got = call(fn, log_w.clone(), k)
    expected = torch.logsumexp(log_w[:k], dim=0) - math.log(k)
    if isinstance(got, Tensor) and got.shape == expected.shape:
        if not torch.isfinite(got).all():
            raise Hint("your values are not finite: exp(-120) is 0 in float32, so "
                       "log(mean(exp(log_w))) is log(0); use torch.logsumexp(log_w[:k], dim=0) - log(k), "
                       "which takes out the largest weight before exponentiating")
        if torch.allclose(got.float(), torch.logsumexp(log_w, dim=0) - math.log(log_w.shape[0]), atol=1e-4):
            raise Hint("you used all K weights; IWAE_k uses the first k rows only (log_w[:k])")
    compare(got, expected, what="your IWAE_k", atol=1e-4, mistakes={
        "that is the mean log weight, the ELBO estimate: IWAE averages the weights and then takes "
        "the log (log of a mean, not mean of logs)": log_w[:k].mean(0),
        f"missing the - log k: logsumexp adds the k weights; IWAE averages them, so subtract "
        f"log(k) = {math.log(k):.3f}": torch.logsumexp(log_w[:k], dim=0),
        "you took the logsumexp over the images (dim=1); the samples are the rows, dim=0":
            torch.logsumexp(log_w[:k], dim=1) - math.log(k),
    })
    one = call(fn, log_w.clone(), 1)
    compare(one, log_w[0], what="your IWAE_1 (k = 1 should give the first log weight)", atol=1e-4)
    return "IWAE_k matches, and k = 1 gives the first log weight"


@checker("standard error of IWAE_k", own=(repeated_draws, iwae_curve, nested_iwae, delta_method_se))
def check_iwae_standard_error(fn: Callable[[Tensor, int], tuple[Tensor, Tensor]]) -> str:
    """Exercise ex-ch8-se: ``fn(log_w, k)`` -> (mean (N,), se (N,)) over the K // k disjoint groups
    of k rows of log_w (K, N): each group one IWAE_k draw."""
    log_w = _log_weights(k_total=62, seed=1)  # 62 // 5 = 12 groups, two rows left over
    k = 5
    got = call(fn, log_w.clone(), k)
    if not (isinstance(got, tuple) and len(got) == 2):
        raise Hint("return two tensors, (mean, se), each of shape (N,)")
    groups = log_w.shape[0] // k
    draws = torch.logsumexp(log_w[:groups * k].reshape(groups, k, -1), dim=1) - math.log(k)
    mean, se = draws.mean(0), draws.std(dim=0) / math.sqrt(groups)
    compare(got[0], mean, what="your mean of the draws", atol=1e-4, mistakes={
        "your draws overlap or are nested; split the first K // k * k rows into K // k disjoint "
        "groups of k, e.g. log_w[:groups * k].reshape(groups, k, N)":
            torch.stack([torch.logsumexp(log_w[:(g + 1) * k], 0) - math.log((g + 1) * k)
                         for g in range(groups)]).mean(0),
    })
    compare(got[1], se, what="your standard error", atol=1e-5, mistakes={
        "that is the spread of one draw (the standard deviation); the standard error of their mean "
        "divides it by sqrt(number of draws)": draws.std(dim=0),
        "divide the standard deviation by the square root of the number of draws, not by the "
        "number itself": draws.std(dim=0) / groups,
    }, factor_hints={
        math.sqrt((groups - 1) / groups): "you used the population standard deviation (dividing by n); "
        "the sample standard deviation divides by n - 1 (torch's std does by default)",
    })
    return f"mean and standard error of the {groups} draws match"
