"""Helpers shared by the exercise checks' tests: the hint a check prints, as a student sees it."""

from __future__ import annotations

import pytest

from vae_teach.exercises import HINT, PASS

# Words of the fallback messages of ``compare``: a mistake the check knows must never end there.
GENERIC = ("off by a constant", "NaN or infinite", "differs from the expected values", "the check stopped on",
           "the right number of values, but shape")


@pytest.fixture
def hint_for(capsys):
    """``hint_for(check, fn, *args)``: run the check on a wrong answer, assert it printed one hint that
    fits the book's column (70 characters a line) and is not a generic fallback; return its text on
    one line."""
    def run(check, fn, *args) -> str:
        capsys.readouterr()
        assert check(fn, *args) is False
        lines = capsys.readouterr().out.splitlines()
        assert lines and lines[0].startswith(HINT), lines
        assert all(len(line) <= 70 for line in lines), lines
        assert all(line.startswith("  ") for line in lines[1:]), lines  # one message, wrapped
        text = " ".join(line.strip() for line in lines)
        assert not any(words in text for words in GENERIC), text
        return text
    return run


@pytest.fixture
def passes(capsys):
    """``passes(check, fn, *args)``: the check accepts the answer and prints one pass."""
    def run(check, fn, *args) -> bool:
        capsys.readouterr()
        ok = check(fn, *args)
        out = capsys.readouterr().out
        assert ok is True and out.startswith(PASS), out
        return True
    return run
