"""The exercise framework: a check prints a pass or one hint naming the mistake, and never raises."""

from __future__ import annotations

import pytest
import torch

from vae_teach import exercises as ex
from vae_teach.exercises import HINT, PASS, Hint, call, checker, compare


def hint_of(fn, *args) -> str:
    """The hint ``compare``/``call`` raise for a wrong answer."""
    with pytest.raises(Hint) as info:
        fn(*args)
    return str(info.value)


EXPECTED = torch.tensor([1.0, 2.0, 3.0, 4.0])


def test_compare_accepts_a_close_answer():
    compare(EXPECTED + 1e-7, EXPECTED)


def test_compare_names_a_wrong_shape():
    message = hint_of(compare, torch.zeros(3), EXPECTED)
    assert "shape (3,)" in message and "expected (4,)" in message


def test_compare_names_a_reduction_over_everything():
    assert "one number" in hint_of(compare, EXPECTED.mean(), EXPECTED)


def test_compare_names_an_integer_dtype():
    message = hint_of(compare, EXPECTED.long(), EXPECTED)
    assert "dtype int64" in message and "float" in message


def test_compare_names_a_flipped_sign():
    assert "sign is flipped" in hint_of(compare, -EXPECTED, EXPECTED)


def test_compare_names_a_constant_offset():
    assert "off by a constant, +0.5" in hint_of(compare, EXPECTED + 0.5, EXPECTED)


def test_compare_names_a_constant_factor():
    assert "constant factor, 2" in hint_of(compare, 2 * EXPECTED, EXPECTED)


def test_compare_uses_the_hint_given_for_a_known_factor():
    hint = hint_of(lambda: compare(784 * EXPECTED, EXPECTED, factor_hints={784.0: "sum, not mean"}))
    assert hint == "sum, not mean"


def test_compare_names_a_missing_term():
    recon, kl = torch.tensor([5.0, 6.0, 7.0]), torch.tensor([0.5, 0.1, 0.9])
    hint = hint_of(lambda: compare(recon, recon + kl, what="your loss", terms={"the KL term": kl}))
    assert hint == "your loss: the KL term is missing"


def test_compare_names_a_term_with_the_wrong_sign():
    recon, kl = torch.tensor([5.0, 6.0, 7.0]), torch.tensor([0.5, 0.1, 0.9])
    assert "wrong sign" in hint_of(lambda: compare(recon - kl, recon + kl, terms={"the KL term": kl}))


def test_compare_names_a_known_mistake():
    wrong = torch.tensor([4.0, 3.0, 2.0, 1.0])
    assert hint_of(lambda: compare(wrong, EXPECTED, mistakes={"reversed": wrong})) == "reversed"


def test_compare_names_a_numpy_array():
    assert "numpy array" in hint_of(compare, EXPECTED.numpy(), EXPECTED)


def test_compare_reports_the_largest_difference_otherwise():
    got = EXPECTED.clone()
    got[2] = 10.0
    assert "index (2,)" in hint_of(compare, got, EXPECTED)


def test_call_names_a_missing_return():
    def stub(x):
        ...  # your code here
    assert "returns None" in hint_of(call, stub, 1)


def test_call_names_the_exception_and_the_line():
    def broken(x):
        return x / undefined_name  # noqa: F821
    message = hint_of(call, broken, 1)
    assert "NameError" in message and "undefined_name" in message


def test_call_names_an_argument_changed_in_place():
    assert "in place" in hint_of(call, lambda x: x.mul_(2), torch.ones(3))


def test_a_check_prints_a_pass_and_returns_true(capsys):
    assert ex.check_flatten(lambda x: x.reshape(len(x), -1)) is True
    assert capsys.readouterr().out.replace("\n  ", " ").startswith(PASS)


@pytest.mark.parametrize("answer", [
    lambda x: None,
    lambda x: 1 / 0,
    lambda x: x.reshape(-1),
    lambda x: x.transpose(2, 3).reshape(len(x), -1),
    "not a function",
])
def test_a_check_never_raises_and_prints_one_hint(capsys, answer):
    assert ex.check_flatten(answer) is False
    out = capsys.readouterr().out.replace("\n  ", " ")
    assert out.startswith(HINT) and out.count("\n") == 1, out


def test_a_bug_in_a_check_becomes_a_hint_not_a_traceback(capsys):
    @checker("broken check")
    def check_broken(fn):
        raise KeyError("oops")
    assert check_broken(lambda: 1) is False
    assert "KeyError" in capsys.readouterr().out.replace("\n  ", " ")


@pytest.mark.parametrize("check, right, wrong, words", [
    (ex.check_to_unit, lambda p: p.float() / 255, lambda p: p.float(), "divide by 255"),
    (ex.check_to_unit, lambda p: p.float() / 255, lambda p: p.double() / 255, "float64"),
    (ex.check_ink, lambda x: x.mean(dim=(1, 2, 3)), lambda x: x.sum(dim=(1, 2, 3)), "sum"),
    (ex.check_ink, lambda x: x.mean(dim=(1, 2, 3)), lambda x: x.mean(dim=(2, 3)), "shape"),
    (ex.check_flatten, lambda x: x.flatten(1), lambda x: x.transpose(2, 3).flatten(1), "row by row"),
])
def test_chapter_1_checks_pass_the_solution_and_name_the_mistake(capsys, check, right, wrong, words):
    assert check(right) is True
    capsys.readouterr()
    assert check(wrong) is False
    assert words in capsys.readouterr().out.replace("\n  ", " ")


def test_a_long_message_wraps_to_fit_a_code_output_of_the_book(capsys):
    @checker("long")
    def check_long():
        raise Hint("word " * 40)

    check_long()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 1 and all(len(line) <= 76 for line in lines), lines
    assert all(line.startswith("  ") for line in lines[1:])  # later lines indented under the first
