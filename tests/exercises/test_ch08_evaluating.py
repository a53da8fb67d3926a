"""Chapter 8's exercise checks: solutions pass, stubs and typical mistakes get one hint, the package's answer is refused."""

from __future__ import annotations

import math

import torch

import vae_teach as vt
from vae_teach.analysis.evaluation import nested_iwae, repeated_draws
from vae_teach.exercises import HINT, PASS


def _said(capsys) -> str:
    return capsys.readouterr().out.replace("\n  ", " ")


def _iwae_solution(log_w, k):
    return torch.logsumexp(log_w[:k], dim=0) - math.log(k)


def _se_solution(log_w, k):
    groups = log_w.shape[0] // k
    draws = torch.logsumexp(log_w[:groups * k].reshape(groups, k, -1), dim=1) - math.log(k)
    return draws.mean(0), draws.std(dim=0) / math.sqrt(groups)


def _stub(*args):
    ...


def test_iwae_solution_passes_and_stub_hints(capsys):
    assert vt.exercises.check_iwae_from_weights(_iwae_solution)
    assert _said(capsys).startswith(PASS)
    assert not vt.exercises.check_iwae_from_weights(_stub)
    assert _said(capsys).startswith(HINT)


def test_iwae_check_names_the_mean_of_logs(capsys):
    assert not vt.exercises.check_iwae_from_weights(lambda w, k: w[:k].mean(0))
    assert "log of a mean" in _said(capsys)


def test_iwae_check_names_the_missing_log_k(capsys):
    assert not vt.exercises.check_iwae_from_weights(lambda w, k: torch.logsumexp(w[:k], dim=0))
    assert "missing the - log k" in _said(capsys)


def test_iwae_check_names_the_underflow(capsys):
    assert not vt.exercises.check_iwae_from_weights(lambda w, k: w[:k].exp().mean(0).log())
    assert "torch.logsumexp" in _said(capsys)


def test_iwae_check_names_all_k_weights(capsys):
    assert not vt.exercises.check_iwae_from_weights(lambda w, k: torch.logsumexp(w, 0) - math.log(w.shape[0]))
    assert "first k rows" in _said(capsys)


def test_iwae_check_refuses_the_package_answer(capsys):
    assert not vt.exercises.check_iwae_from_weights(lambda w, k: nested_iwae(w, k))
    assert "nested_iwae" in _said(capsys)


def test_se_solution_passes_and_stub_hints(capsys):
    assert vt.exercises.check_iwae_standard_error(_se_solution)
    assert _said(capsys).startswith(PASS)
    assert not vt.exercises.check_iwae_standard_error(_stub)
    assert _said(capsys).startswith(HINT)


def test_se_check_names_the_standard_deviation_and_the_population_sd(capsys):
    def spread(log_w, k):
        mean, se = _se_solution(log_w, k)
        return mean, se * math.sqrt(log_w.shape[0] // k)
    assert not vt.exercises.check_iwae_standard_error(spread)
    assert "sqrt(number of draws)" in _said(capsys)

    def population(log_w, k):
        groups = log_w.shape[0] // k
        draws = torch.logsumexp(log_w[:groups * k].reshape(groups, k, -1), dim=1) - math.log(k)
        return draws.mean(0), draws.std(dim=0, correction=0) / math.sqrt(groups)
    assert not vt.exercises.check_iwae_standard_error(population)
    assert "n - 1" in _said(capsys)


def test_se_check_refuses_the_package_answer(capsys):
    def with_package(log_w, k):
        draws = repeated_draws(log_w, k)
        return draws.mean(0), draws.std(0) / draws.shape[0] ** 0.5
    assert not vt.exercises.check_iwae_standard_error(with_package)
    assert "repeated_draws" in _said(capsys)
