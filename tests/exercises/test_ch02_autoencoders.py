import pytest
import torch
import torch.nn.functional as F

import vae_teach as vt
from vae_teach.exercises import HINT, PASS

ex = vt.exercises


def _run(check, fn, capsys):
    ok = check(fn)
    return ok, capsys.readouterr().out.replace("\n  ", " ")


# ------------------------------------------------------------------ solutions pass

def test_reconstruction_error_solution_passes(capsys):
    ok, out = _run(ex.check_reconstruction_error, lambda x_hat, x: (x_hat - x).pow(2).flatten(1).sum(1), capsys)
    assert ok and out.startswith(PASS)


def test_mask_pixels_solution_passes(capsys):
    def mask(x, p, generator):
        return x * (torch.rand(x.shape, generator=generator) >= p)
    ok, out = _run(ex.check_mask_pixels, mask, capsys)
    assert ok and out.startswith(PASS)


def test_library_mask_pixels_passes_its_own_exercise(capsys, monkeypatch):
    # the check refuses the package's own answer from a student; here it is the point, so allowed
    from vae_teach.exercises import _checking
    monkeypatch.setattr(_checking, "_uses_own", lambda fn, own: None)
    ok, _ = _run(ex.check_mask_pixels, lambda x, p, g: vt.mask_pixels(x, g, p=p), capsys)
    assert ok


def test_a_student_calling_mask_pixels_is_told_to_write_it(capsys):
    ok, out = _run(ex.check_mask_pixels, lambda x, p, g: vt.mask_pixels(x, g, p=p), capsys)
    assert not ok and "calls vt.mask_pixels, the package's own answer" in out.replace("\n  ", " ")


def test_compression_ratio_solution_passes(capsys):
    ok, out = _run(ex.check_compression_ratio, lambda k, b: 784 / (k * b), capsys)
    assert ok and out.startswith(PASS)


def test_linear_ae_forward_solution_passes(capsys):
    ok, out = _run(ex.check_linear_ae_forward, lambda x, ew, eb, dw, db: (x @ ew.T + eb) @ dw.T + db, capsys)
    assert ok and out.startswith(PASS)


# ------------------------------------------------------------------ stubs give a hint

def _stub(*args):
    ...


def test_every_stub_gets_a_hint_not_a_traceback(capsys):
    for check in (ex.check_reconstruction_error, ex.check_mask_pixels, ex.check_compression_ratio,
                  ex.check_linear_ae_forward):
        ok, out = _run(check, _stub, capsys)
        assert not ok and out.startswith(HINT) and "returns None" in out


# ------------------------------------------------------------------ mistakes get named

def test_mean_instead_of_sum_is_named(capsys):
    ok, out = _run(ex.check_reconstruction_error, lambda x_hat, x: (x_hat - x).pow(2).flatten(1).mean(1), capsys)
    assert not ok and "sum over the pixels" in out


def test_masking_with_probability_one_minus_p_is_named(capsys):
    ok, out = _run(ex.check_mask_pixels, lambda x, p, g: x * (torch.rand(x.shape, generator=g) < p), capsys)
    assert not ok and "1 - p" in out


def test_dropout_style_rescaling_is_named(capsys):
    ok, out = _run(ex.check_mask_pixels, lambda x, p, g: x * (torch.rand(x.shape, generator=g) >= p) / (1 - p),
                   capsys)
    assert not ok and "(1 - p)" in out


def test_mask_ignoring_the_generator_is_named(capsys):
    ok, out = _run(ex.check_mask_pixels, lambda x, p, g: x * (torch.rand(x.shape) >= p), capsys)
    assert not ok and "generator" in out


def test_upside_down_ratio_is_named(capsys):
    ok, out = _run(ex.check_compression_ratio, lambda k, b: (k * b) / 784, capsys)
    assert not ok and "upside down" in out


def test_wrong_transpose_in_forward_pass_is_named(capsys):
    ok, out = _run(ex.check_linear_ae_forward, lambda x, ew, eb, dw, db: (x @ ew + eb) @ dw + db, capsys)
    assert not ok and "(out_features, in_features)" in out


def test_missing_decoder_bias_is_named(capsys):
    ok, out = _run(ex.check_linear_ae_forward, lambda x, ew, eb, dw, db: (x @ ew.T + eb) @ dw.T, capsys)
    assert not ok and "dec_b is missing" in out


# ------------------------------------------------------------------ each common mistake, its own hint
# Written as a student would; every hint must be the one naming the mistake (see conftest's hint_for).

def _sq(x_hat, x):
    return (x_hat - x).pow(2)


@pytest.mark.parametrize("wrong, words", [
    (lambda x_hat, x: _sq(x_hat, x).flatten(1).mean(1), "784 times too small"),
    (lambda x_hat, x: (x_hat - x).abs().flatten(1).sum(1), "absolute difference"),
    (lambda x_hat, x: _sq(x_hat, x).flatten(1).sum(1).sqrt(), "square root"),
    (lambda x_hat, x: (x_hat - x).flatten(1).sum(1), "without squaring"),
    (lambda x_hat, x: 0.5 * _sq(x_hat, x).flatten(1).sum(1), "drop the factor 1/2"),
    (lambda x_hat, x: -_sq(x_hat, x).flatten(1).sum(1), "sign is flipped"),
    (lambda x_hat, x: F.mse_loss(x_hat, x), "F.mse_loss averages"),
    (lambda x_hat, x: F.mse_loss(x_hat, x, reduction="sum"), "one number for the whole batch"),
    (lambda x_hat, x: _sq(x_hat, x).sum(), "one number for the whole batch"),
    (lambda x_hat, x: _sq(x_hat, x).flatten(1).sum(1).mean(), "averaged the images' errors"),
    (lambda x_hat, x: _sq(x_hat, x).sum(dim=0), "summed over the images (dim=0)"),
    (lambda x_hat, x: _sq(x_hat, x).flatten(1).sum(0), "summed over the images (dim=0)"),
    (lambda x_hat, x: _sq(x_hat, x).sum(dim=(2, 3)), "sum over the channel too"),
    (lambda x_hat, x: _sq(x_hat, x), "one squared error per pixel"),
    (lambda x_hat, x: F.mse_loss(x_hat, x, reduction="none").flatten(1), "one squared error per pixel"),
    (lambda x_hat, x: _sq(x_hat, x).sum(dim=(1, 2, 3), keepdim=True), "keepdim=True"),
], ids=["mean over pixels", "abs", "sqrt", "no square", "factor 1/2", "sign", "mse_loss", "mse_loss sum",
        "sum of everything", "mean over the batch", "sum(dim=0)", "flat sum(0)", "sum(dim=(2, 3))",
        "no reduction", "mse none, flat", "keepdim"])
def test_reconstruction_error_mistakes_are_named(hint_for, wrong, words):
    assert words in hint_for(ex.check_reconstruction_error, wrong)


@pytest.mark.parametrize("wrong, words", [
    (lambda x, p, g: x * (torch.rand(x.shape, generator=g) < p), "that is 1 - p"),
    (lambda x, p, g: x * torch.bernoulli(torch.full_like(x, p), generator=g), "that is 1 - p"),
    (lambda x, p, g: x * (torch.rand(x.shape, generator=g) >= p) / (1 - p), "divided by (1 - p)"),
    (lambda x, p, g: x * (torch.rand(x.shape) >= p), "generator"),
    (lambda x, p, g: (torch.rand(x.shape, generator=g) >= p).float(), "you returned the mask"),
    (lambda x, p, g: torch.where(torch.rand(x.shape, generator=g) < p, 1.0, x), "masked pixels are 1"),
    (lambda x, p, g: x + 0.1 * torch.randn(x.shape, generator=g), "do not add noise"),
    (lambda x, p, g: x * (torch.rand(len(x), 1, 1, 1, generator=g) >= p), "whole images"),
    (lambda x, p, g: x * (torch.rand(1, 1, 28, 28, generator=g) >= p), "same pixels masked"),
    (lambda x, p, g: x.masked_fill_(torch.rand(x.shape, generator=g) < p, 0.0), "in place"),
], ids=["keeps p", "bernoulli(p)", "dropout scaling", "no generator", "the mask", "set to 1", "noise",
        "whole images", "one mask for all", "in place"])
def test_mask_pixels_mistakes_are_named(hint_for, wrong, words):
    assert words in hint_for(ex.check_mask_pixels, wrong)


@pytest.mark.parametrize("wrong, words", [
    (lambda k, b: (k * b) / 784, "upside down"),
    (lambda k, b: 784 / k, "ignores bytes_per_number"),
    (lambda k, b: 784 / k * b, "put the code size in parentheses"),
    (lambda k, b: 784 // (k * b), "integer division"),
    (lambda k, b: 784 * 4 / (k * b), "4 bytes per pixel"),
    (lambda k, b: 784 * 8 / (k * b), "in bits"),
    (lambda k, b: 784 / (8 * k * b), "code size is in bits"),
], ids=["upside down", "no bytes", "precedence", "floor", "float32 pixels", "raw in bits", "code in bits"])
def test_compression_ratio_mistakes_are_named(hint_for, wrong, words):
    assert words in hint_for(ex.check_compression_ratio, wrong)


@pytest.mark.parametrize("wrong, words", [
    (lambda x, ew, eb, dw, db: (x @ ew + eb) @ dw + db, "(out_features, in_features)"),
    (lambda x, ew, eb, dw, db: (x @ ew.T + eb) @ dw + db, "(out_features, in_features)"),
    (lambda x, ew, eb, dw, db: (x @ ew.T + db) @ dw.T + eb, "Each bias goes with its own layer"),
    (lambda x, ew, eb, dw, db: (x @ ew.T + eb) @ dw.T, "dec_b is missing"),
    (lambda x, ew, eb, dw, db: (x @ ew.T) @ dw.T + db, "enc_b is missing"),
    (lambda x, ew, eb, dw, db: (x @ ew.T) @ dw.T, "both biases are missing"),
    (lambda x, ew, eb, dw, db: torch.sigmoid((x @ ew.T + eb) @ dw.T + db), "drop the sigmoid"),
    (lambda x, ew, eb, dw, db: torch.relu(x @ ew.T + eb) @ dw.T + db, "drop the ReLU"),
    (lambda x, ew, eb, dw, db: torch.sigmoid(x @ ew.T + eb) @ dw.T + db, "sigmoid on the code"),
    (lambda x, ew, eb, dw, db: (x @ ew.T + eb) @ ew + db, "tied weights"),
    (lambda x, ew, eb, dw, db: x @ ew.T + eb, "you returned the code z"),
], ids=["no transposes", "decoder not transposed", "biases swapped", "no dec_b", "no enc_b", "no biases",
        "sigmoid", "relu", "sigmoid code", "tied", "code only"])
def test_linear_ae_forward_mistakes_are_named(hint_for, wrong, words):
    assert words in hint_for(ex.check_linear_ae_forward, wrong)
