"""The exercise registry and the chapters agree: every label has its entry, every code exercise its check.

``vt.exercises.EXERCISES`` maps each ``:label:`` of an ``{exercise-start}``
block to Exercise(label, chapter, check); an open exercise (no code check) is
registered with ``None``. The stub cell of a code exercise and its solution
cell call exactly the registered check, as ``vt.exercises.<check>``; an open
exercise's cells call none.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

import vae_teach as vt
from vae_teach.exercises import EXERCISES
from vae_teach.tools import student

# Each chapter is read once per session, not once per exercise.
exercise_cells = functools.lru_cache(student.exercise_cells)
exercise_labels = functools.lru_cache(student.exercise_labels)
solution_cells = functools.lru_cache(student.solution_cells)

BOOK = Path(__file__).resolve().parents[2] / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.md"))


def checks_called(sources: list[str]) -> list[str]:
    """The ``vt.exercises.check_*`` names called in some code cells, in order."""
    called = []
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            func = node.func if isinstance(node, ast.Call) else None
            if (isinstance(func, ast.Attribute) and func.attr.startswith("check_")
                    and isinstance(func.value, ast.Attribute) and func.value.attr == "exercises"
                    and isinstance(func.value.value, ast.Name) and func.value.value.id == "vt"):
                called.append(func.attr)
    return called


def test_the_book_has_exercises():
    assert CHAPTERS and all(exercise_labels(chapter) for chapter in CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_label_of_a_chapter_is_registered_for_that_chapter(chapter):
    for label in exercise_labels(chapter):
        assert label in EXERCISES, (f"{chapter.name}: exercise {label!r} has no entry in "
                                    f"vae_teach/exercises/registry.py (register its check, or None if open)")
        assert EXERCISES[label].chapter == chapter.stem, (
            f"{label!r} is in {chapter.name} but registered for {EXERCISES[label].chapter}")


def test_every_registered_label_is_in_its_chapter():
    labels = {chapter.stem: set(exercise_labels(chapter)) for chapter in CHAPTERS}
    for label, exercise in EXERCISES.items():
        assert exercise.label == label, f"EXERCISES[{label!r}] is labelled {exercise.label!r}"
        assert exercise.chapter in labels, f"{label!r} is registered for a chapter that does not exist: " \
                                           f"book/{exercise.chapter}.md"
        assert label in labels[exercise.chapter], f"{label!r} is registered but book/{exercise.chapter}.md " \
                                                  f"has no exercise with that :label:"


def test_every_registered_check_is_reachable_as_vt_exercises():
    for label, exercise in EXERCISES.items():
        if exercise.check is not None:
            name = exercise.check.__name__
            assert getattr(vt.exercises, name, None) is exercise.check, (
                f"{label!r}: its check {name} is not vt.exercises.{name}")
            assert name in vt.exercises.__all__


@pytest.mark.parametrize("label", sorted(EXERCISES))
def test_stub_and_solution_call_exactly_the_registered_check(label):
    exercise = EXERCISES[label]
    chapter = BOOK / f"{exercise.chapter}.md"
    stub = checks_called(exercise_cells(chapter).get(label, []))
    solution = checks_called(solution_cells(chapter).get(label, []))
    if exercise.is_open:
        assert not stub and not solution, (
            f"{label!r} is registered as open (None) but its cells call {stub + solution}; register the check")
        return
    expected = [exercise.check.__name__]
    assert stub == expected, (f"{label!r}: the exercise's stub cell should call vt.exercises.{expected[0]} "
                              f"once; it calls {stub or 'no check'}")
    assert solution == expected, (f"{label!r}: the solution cell should call vt.exercises.{expected[0]} "
                                  f"once; it calls {solution or 'no check'}")


def test_open_exercises_are_registered_explicitly_with_none():
    open_labels = [label for label, exercise in EXERCISES.items() if exercise.is_open]
    assert open_labels, "no open exercise registered; the book has exercises answered in words"
    assert all(EXERCISES[label].check is None for label in open_labels)


def test_check_for_names_the_known_labels():
    assert vt.exercises.check_for("ex-ch3-kl") is vt.exercises.check_gaussian_kl
    assert vt.exercises.check_for("ex-bernoulli") is None
    with pytest.raises(KeyError, match="known labels: .*ex-ch3-kl"):
        vt.exercises.check_for("ex-none")


def test_the_parser_finds_a_check_call():
    assert checks_called(["vt.exercises.check_ink(ink);\nprint(vt.exercises.check_flatten)"]) == ["check_ink"]


def _up_to_the_check(sources: list[str], check: str) -> str:
    """A solution's cells cut after the statement that calls the check (what follows uses the chapter's
    trained models, which this test does not build)."""
    code = "\n".join(sources)
    body = ast.parse(code).body
    last = next(i for i, node in enumerate(body) if check in checks_called([ast.unparse(node)]))
    return "\n".join(ast.unparse(node) for node in body[:last + 1])


@pytest.mark.parametrize("label", sorted(label for label, e in EXERCISES.items() if not e.is_open))
def test_the_book_s_solution_passes_its_check(label, capsys):
    """The chapter's own solution, as printed in the book, gets the check's pass."""
    import math
    import types

    import torch
    import torch.nn.functional as F

    exercise = EXERCISES[label]
    code = _up_to_the_check(solution_cells(BOOK / f"{exercise.chapter}.md")[label], exercise.check.__name__)
    namespace = {"vt": vt, "torch": torch, "F": F, "math": math,  # the chapter's imports
                 "vae2": vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0),  # stands in for chapter 5's model
                 "cvae": vt.ConditionalVAE(latent_dim=2, hidden_dims=(16,), seed=0),  # chapter 6's
                 "data": types.SimpleNamespace(test_x=torch.rand(8, 1, 28, 28),
                                               test_y=torch.randint(0, 10, (8,)))}
    capsys.readouterr()
    exec(compile(code, f"{exercise.chapter}.md:{label}", "exec"), namespace)  # noqa: S102 - the book's code
    out = capsys.readouterr().out
    assert out.startswith(vt.exercises.PASS), f"{label}: the book's solution gets {out!r}"
