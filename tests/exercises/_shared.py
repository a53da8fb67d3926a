"""Tests that every chapter module with a table of solutions runs alike (chapters 3 and 4)."""

from __future__ import annotations

from typing import Callable

import pytest


def stub(*args):
    ...  # an unfilled exercise


def solution_tests(solutions: list[tuple[Callable, Callable]]) -> tuple[Callable, Callable]:
    """Two tests over ``solutions`` ([(check, solution)]): each solution gets the check's pass, and a
    stub (an unfilled exercise, returning None) gets a hint, not a traceback. Bind them to names
    starting with ``test_`` in the chapter's module, so that pytest collects them there."""

    @pytest.mark.parametrize("check, solution", solutions)
    def solution_passes(passes, check, solution):
        passes(check, solution)

    @pytest.mark.parametrize("check", [check for check, _ in solutions])
    def stub_gets_a_hint_not_a_traceback(hint_for, check):
        assert "returns None" in hint_for(check, stub)

    return solution_passes, stub_gets_a_hint_not_a_traceback
