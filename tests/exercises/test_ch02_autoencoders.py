import torch

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
