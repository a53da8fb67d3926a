"""The exercise framework: a check prints a pass or one hint naming the mistake, and never raises."""

from __future__ import annotations

import signal
import threading
import time

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
    (ex.check_ink, lambda x: x.mean(dim=(1, 2, 3)), lambda x: x.mean(dim=(2, 3)), "the channel too"),
    (ex.check_flatten, lambda x: x.flatten(1), lambda x: x.transpose(2, 3).flatten(1), "row by row"),
])
def test_chapter_1_checks_pass_the_solution_and_name_the_mistake(capsys, check, right, wrong, words):
    assert check(right) is True
    capsys.readouterr()
    assert check(wrong) is False
    assert words in capsys.readouterr().out.replace("\n  ", " ")


def test_a_long_message_wraps_to_fit_a_code_output_of_the_book_and_a_solution_box(capsys):
    @checker("long")
    def check_long():
        raise Hint("word " * 40)

    check_long()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 1 and all(len(line) <= 70 for line in lines), lines
    assert all(line.startswith("  ") for line in lines[1:])  # later lines indented under the first


# ------------------------------------------------------------ time limit
# The "endless" loops below end by themselves after 30 s, so that a broken time limit
# fails these tests (too slow) instead of hanging the test run.

def _endless(x):
    stop = time.monotonic() + 30.0
    while time.monotonic() < stop:  # the student's loop that never ends
        pass
    return x


def _endless_swallowing(x):
    stop = time.monotonic() + 30.0
    while time.monotonic() < stop:
        try:
            time.sleep(0.01)
        except Exception:  # noqa: BLE001 - a student's catch-all must not swallow the stop
            pass
    return x


def _timed_check(check, answer) -> tuple[bool, float]:
    started = time.monotonic()
    result = check(answer)
    return result, time.monotonic() - started


@pytest.mark.parametrize("answer", [_endless, _endless_swallowing, lambda x: time.sleep(30) or x],
                         ids=["loop", "loop with except Exception", "sleep"])
def test_an_endless_student_function_gets_a_hint_within_the_time_limit(capsys, monkeypatch, answer):
    monkeypatch.setenv("VAE_TEACH_CHECK_SECONDS", "1")
    result, seconds = _timed_check(ex.check_flatten, answer)
    out = capsys.readouterr().out.replace("\n  ", " ")
    assert result is False and seconds < 5, f"took {seconds:.1f} s"
    assert out.startswith(HINT) and "after 1 s" in out and "loop that never ends" in out, out
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL and signal.getitimer(signal.ITIMER_REAL) == (0, 0)


def test_the_hint_names_the_line_the_loop_was_on(capsys):
    @checker("limited", seconds=0.5)
    def check_limited(fn):
        call(fn, 1)
    assert check_limited(_endless) is False
    assert "while time.monotonic() < stop" in capsys.readouterr().out


def test_a_check_run_from_another_thread_is_stopped_too(capsys):
    """No SIGALRM outside the main thread (nor on Windows): the watchdog thread stops the loop."""
    @checker("limited", seconds=1)
    def check_limited(fn):
        call(fn, 1)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(zip(("result", "seconds"),
                                                                 _timed_check(check_limited, _endless))))
    worker.start()
    worker.join(40)
    assert outcome["result"] is False and outcome["seconds"] < 5, outcome
    assert "after 1 s" in capsys.readouterr().out


def test_a_check_within_its_limit_is_untouched_and_leaves_no_timer(capsys):
    @checker("quick", seconds=0.3)
    def check_quick(fn):
        compare(call(fn, EXPECTED), EXPECTED)
    assert check_quick(lambda x: x.clone()) is True
    time.sleep(1.0)  # past the limit: a timer left armed would fire now
    assert capsys.readouterr().out.startswith(PASS)
    assert signal.getitimer(signal.ITIMER_REAL) == (0, 0)


# A check whose exercise is a function the package has refuses the package's own answer, however
# the student reached it (the facade, the defining module, a name imported under another name).
def _via_facade(mu, logvar):
    import vae_teach as vt
    return vt.gaussian_kl(mu, logvar)


def _via_module(mu, logvar):
    from vae_teach.distributions import gaussian_kl as kl
    return kl(mu, logvar)


@pytest.mark.parametrize("check, answer, name", [
    (ex.check_gaussian_kl, _via_facade, "vt.gaussian_kl"),
    (ex.check_gaussian_kl, _via_module, "vt.gaussian_kl"),
    (ex.check_reparameterize, lambda mu, lv: __import__("vae_teach").reparameterize(mu, lv), "vt.reparameterize"),
    (ex.check_slerp, lambda a, b, n: __import__("vae_teach").slerp(a, b, n), "vt.slerp"),
])
def test_calling_the_package_s_own_answer_gets_a_hint_to_write_it(check, answer, name, capsys):
    assert check(answer) is False
    out = capsys.readouterr().out.replace("\n  ", " ")
    assert out.startswith(HINT) and f"calls {name}, the package's own answer" in out, out


def test_the_package_s_other_functions_stay_allowed(capsys):
    import vae_teach as vt

    def monte_carlo_kl(mu, logvar, n_samples):  # the chapter's solution uses vt.log_normal_diag
        z = mu + torch.exp(0.5 * logvar) * torch.randn(n_samples, *mu.shape)
        return (vt.log_normal_diag(z, mu, logvar) - vt.log_standard_normal(z)).mean(dim=0)

    assert ex.check_monte_carlo_kl(monte_carlo_kl) is True, capsys.readouterr().out


# ------------------------------------------------------------ the most specific hint wins

def test_a_known_mistake_is_named_before_its_wrong_shape():
    wrong = EXPECTED.sum(dim=0)  # a reduction over the batch: the shape alone says little
    assert hint_of(lambda: compare(wrong, EXPECTED, mistakes={"summed the batch": wrong})) == "summed the batch"


def test_a_known_mistake_holding_nan_is_named_before_the_nan_hint():
    wrong = torch.tensor([1.0, float("nan"), 3.0, float("nan")])
    assert hint_of(lambda: compare(wrong.clone(), EXPECTED, mistakes={"log of a negative": wrong})) \
        == "log of a negative"


def test_a_shape_the_check_knows_gets_its_hint():
    assert hint_of(lambda: compare(torch.zeros(2, 2), EXPECTED, shapes={(2, 2): "a grid"})) == "a grid"


@pytest.mark.parametrize("got, words", [
    (torch.zeros(4, 1), "of size 1 left over"),
    (torch.zeros(1, 4), "of size 1 left over"),
    (torch.zeros(()), "one number"),
    ([torch.zeros(()) for _ in range(4)], "stack them"),
])
def test_compare_names_the_usual_cause_of_a_wrong_shape(got, words):
    assert words in hint_of(compare, got, EXPECTED)


def test_compare_names_swapped_rows_and_columns():
    assert "rows and columns are swapped" in hint_of(compare, torch.zeros(3, 2), torch.zeros(2, 3))


def test_compare_names_a_tensor_where_one_number_belongs():
    assert "expected one number" in hint_of(compare, EXPECTED, EXPECTED.sum())


def test_name_mistake_names_a_known_mistake_and_lets_anything_else_through():
    from vae_teach.exercises._checking import name_mistake
    wrong = torch.tensor([4.0, 3.0, 2.0, 1.0])
    assert hint_of(lambda: name_mistake(wrong.clone(), {"reversed": wrong})) == "reversed"
    for other in (EXPECTED, torch.zeros(2), [wrong], None):
        name_mistake(other, {"reversed": wrong})  # nothing to say: no hint
