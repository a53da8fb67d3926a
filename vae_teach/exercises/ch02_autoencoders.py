"""Checks for chapter 2's exercises (autoencoders), built on :mod:`vae_teach.exercises`.

Each check prints a pass or one hint and returns a bool; it never raises at the student.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ..analysis.compression import compression_ratio
from ..analysis.reconstruction import reconstruction_error
from ..data.corruptions import mask_pixels
from ._checking import Hint, call, checker, compare

__all__ = ["check_reconstruction_error", "check_mask_pixels", "check_compression_ratio",
           "check_linear_ae_forward"]


def _pair(seed: int = 0, n: int = 5) -> tuple[Tensor, Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=g), torch.rand(n, 1, 28, 28, generator=g)


@checker("reconstruction error", own=(reconstruction_error,))
def check_reconstruction_error(fn: Callable[[Tensor, Tensor], Tensor]) -> str:
    """Exercise ex-ch2-recon-error: ``fn(x_hat, x)`` is the summed squared error of each image, shape (N,)."""
    x_hat, x = _pair()
    n = len(x)
    got = call(fn, x_hat, x)
    diff = (x_hat - x).flatten(1)
    per_image = "sum over each image's pixels only: .flatten(1).sum(dim=1)"
    compare(got, diff.pow(2).sum(dim=1), what="your errors", mistakes={
        "you took the absolute difference; square it instead": diff.abs().sum(dim=1),
        "you took the square root (the Euclidean distance); leave the squared error un-rooted":
            diff.pow(2).sum(dim=1).sqrt(),
        "you summed the differences without squaring them: positive and negative errors cancel":
            diff.sum(dim=1),
        "F.mse_loss averages over every pixel of the batch; use reduction='none', then "
        f"{per_image}": diff.pow(2).mean(),
        "you averaged the images' errors into one number; return one error per image":
            diff.pow(2).sum(dim=1).mean(),
    }, shapes={
        (): f"one number for the whole batch; expected one error per image: {per_image}",
        (1, 28, 28): f"you summed over the images (dim=0); {per_image}",
        (784,): f"you summed over the images (dim=0); {per_image}",
        (n, 1): "one error per image and channel: sum over the channel too, .flatten(1).sum(dim=1)",
        (n, 1, 28, 28): f"one squared error per pixel; {per_image}",
        (n, 784): f"one squared error per pixel; {per_image}",
    }, factor_hints={1 / 784: "your errors are 784 times too small: that is the mean over pixels; "
                              "sum over the pixels instead",
                     0.5: "your errors are half the summed squared error: drop the factor 1/2"})
    return "one summed squared error per image"


@checker("masking noise", own=(mask_pixels,))
def check_mask_pixels(fn: Callable[[Tensor, float, torch.Generator], Tensor]) -> str:
    """Exercise ex-ch2-mask: ``fn(x, p, generator)`` zeroes each pixel with probability p, keeps the rest."""
    g = torch.Generator().manual_seed(3)
    x = 0.2 + 0.8 * torch.rand(64, 1, 28, 28, generator=g)  # no zero pixels, so zeros are the mask
    p = 0.3
    got = call(fn, x, p, torch.Generator().manual_seed(0))
    if not isinstance(got, Tensor):
        raise Hint(f"your function returned {type(got).__name__}; expected a tensor like x")
    if got.shape != x.shape:
        raise Hint(f"your masked images have shape {tuple(got.shape)}; expected the shape of x, {tuple(x.shape)}")
    zeroed = got == 0
    kept_same = torch.isclose(got, x)
    if bool((kept_same | zeroed).all()) is False:
        if torch.allclose(got[~zeroed], x[~zeroed] / (1 - p), atol=1e-5):
            raise Hint("the kept pixels were divided by (1 - p), as dropout does; keep their values "
                       "unchanged so the image still looks like the digit")
        if bool(((got == 0) | (got == 1)).all()):
            raise Hint("you returned the mask of 0s and 1s; return the masked images, x * mask")
        if bool((kept_same | (got == 1)).all()):
            raise Hint("your masked pixels are 1 (full ink); masking sets them to 0")
        raise Hint("some pixels are neither 0 nor their original value: multiply x by a 0/1 mask, "
                   "do not add noise")
    per_image = zeroed.flatten(1).float().mean(dim=1)
    if bool(((per_image == 0) | (per_image == 1)).all()):
        raise Hint("you masked whole images, not pixels: draw one random number per pixel, "
                   "torch.rand(x.shape, generator=generator)")
    if bool((zeroed == zeroed[:1]).all()):
        raise Hint("every image has the same pixels masked: draw one random number per pixel of "
                   "each image, torch.rand(x.shape, generator=generator)")
    share = float(zeroed.float().mean())
    if abs(share - (1 - p)) < 0.03:
        raise Hint(f"you zeroed {share:.0%} of the pixels with p = {p}: that is 1 - p; "
                   "zero a pixel when rand < p, keep it otherwise")
    if abs(share - p) > 0.03:
        raise Hint(f"you zeroed {share:.0%} of the pixels; with p = {p} about {p:.0%} should be 0")
    again = call(fn, x, p, torch.Generator().manual_seed(0))
    if not torch.equal(got, again):
        raise Hint("two calls with generators of the same seed gave different masks: draw the random "
                   "numbers with the generator, e.g. torch.rand(x.shape, generator=generator)")
    return f"about {share:.0%} of the pixels are masked, the rest unchanged"


@checker("compression ratio", own=(compression_ratio,))
def check_compression_ratio(fn: Callable[[int, int], float]) -> str:
    """Exercise ex-ch2-ratio: ``fn(k, bytes_per_number)`` = 784 raw bytes / (k * bytes_per_number)."""
    cases = [(2, 4), (16, 2), (32, 4), (64, 1)]
    got = [call(fn, k, b) for k, b in cases]
    if not all(isinstance(v, (int, float)) or (isinstance(v, Tensor) and v.numel() == 1) for v in got):
        raise Hint(f"return one number (a float) per call; got {type(got[0]).__name__}")
    got_t = torch.tensor([float(v) for v in got], dtype=torch.float64)
    expected = torch.tensor([784 / (k * b) for k, b in cases], dtype=torch.float64)
    compare(got_t, expected, what="your ratios",
            mistakes={"your ratio is upside down: divide the raw size (784 bytes) by the code size":
                      1 / expected,
                      "your ratio ignores bytes_per_number: a code of k numbers takes k * bytes_per_number "
                      "bytes": torch.tensor([784 / k for k, _ in cases], dtype=torch.float64),
                      "784 / k * bytes_per_number divides by k, then multiplies: put the code size "
                      "in parentheses, 784 / (k * bytes_per_number)":
                      torch.tensor([784 / k * b for k, b in cases], dtype=torch.float64),
                      "integer division (//) drops the fraction; divide with /":
                      torch.tensor([784 // (k * b) for k, b in cases], dtype=torch.float64)},
            factor_hints={4.0: "your raw size is 4 bytes per pixel; a stored MNIST pixel is one byte "
                               "(uint8), so an image is 784 bytes",
                          8.0: "your raw size is in bits (784 * 8); count bytes on both sides: an "
                               "image is 784 bytes",
                          1 / 8: "your code size is in bits; count bytes on both sides: a code takes "
                                 "k * bytes_per_number bytes"})
    return "e.g. 32 float32 codes make an image about 6 times smaller"


@checker("linear autoencoder forward pass")
def check_linear_ae_forward(fn: Callable[..., Tensor]) -> str:
    """Exercise ex-ch2-linear: ``fn(x, enc_w, enc_b, dec_w, dec_b)`` -> x_hat (N, 784).

    Weights use nn.Linear's layout: enc_w (k, 784), enc_b (k,), dec_w (784, k), dec_b (784,).
    """
    g = torch.Generator().manual_seed(5)
    x = torch.rand(6, 784, generator=g)
    enc_w, enc_b = torch.randn(8, 784, generator=g) / 28, torch.randn(8, generator=g)
    dec_w, dec_b = torch.randn(784, 8, generator=g) / 3, torch.randn(784, generator=g)
    try:
        got = call(fn, x, enc_w, enc_b, dec_w, dec_b)
    except Hint as hint:
        if "cannot be multiplied" in str(hint) or "size mismatch" in str(hint):
            raise Hint(f"{hint}. nn.Linear stores a weight as (out_features, in_features): compute "
                       "x @ enc_w.T + enc_b") from None
        if "must match" in str(hint):
            raise Hint(f"{hint}. Each bias goes with its own layer: enc_b (k,) after enc_w, "
                       "dec_b (784,) after dec_w") from None
        raise
    z = x @ enc_w.T + enc_b
    if isinstance(got, Tensor) and tuple(got.shape) == (6, 8):
        raise Hint("you returned the code z (N, k); decode it too: x_hat = z @ dec_w.T + dec_b")
    compare(got, z @ dec_w.T + dec_b, what="your x_hat",
            mistakes={"the decoder bias dec_b is missing": z @ dec_w.T,
                      "the encoder bias enc_b is missing": (x @ enc_w.T) @ dec_w.T + dec_b,
                      "both biases are missing": (x @ enc_w.T) @ dec_w.T,
                      "a linear autoencoder has no activation: drop the sigmoid": torch.sigmoid(z @ dec_w.T + dec_b),
                      "a linear autoencoder has no activation: drop the ReLU":
                          torch.relu(z) @ dec_w.T + dec_b,
                      "a linear autoencoder has no activation: drop the sigmoid on the code":
                          torch.sigmoid(z) @ dec_w.T + dec_b,
                      "you decoded with enc_w (tied weights); the decoder has its own weights: "
                      "z @ dec_w.T + dec_b": z @ enc_w + dec_b})
    return "x_hat = (x @ enc_w.T + enc_b) @ dec_w.T + dec_b"
