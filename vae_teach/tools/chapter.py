"""A chapter as the student sees it: its cells read, the solutions taken out of its markdown.

``read_chapter`` reads a ``.md`` chapter through jupytext (refusing other files with
a message that says what the file is); ``student_markdown`` walks the directives
that ``directives.find_directives`` found in a markdown cell and keeps everything
but the solutions, with a state (``Scan``) that carries an open
``{solution-start}`` across cells, so the code cells of a solution are dropped too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

from .directives import EXERCISE_DIRECTIVES, Directive, DirectiveError, find_directives

__all__ = ["ChapterError", "Scan", "read_chapter", "student_markdown", "check_labels", "exercise_labels",
           "exercise_cells", "solution_cells"]


class ChapterError(ValueError):
    """A chapter that cannot become a student notebook: not a MyST chapter, or its exercises do not match up."""


def read_chapter(chapter: str | Path) -> nbformat.NotebookNode:
    """A chapter file as jupytext reads it, or a ChapterError saying what the file is instead."""
    path = Path(chapter)
    if path.suffix.lower() != ".md":
        raise ChapterError(f"expected a chapter as a MyST markdown file (.md, as in book/); got {path}")
    if not path.is_file():
        raise ChapterError(f"no such chapter file: {path}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ChapterError(f"{path}: expected UTF-8 text (a MyST markdown chapter); byte {error.start} is "
                           f"{data[error.start:error.start + 1]!r}: is it a binary file?") from None
    if "\0" in text:
        raise ChapterError(f"{path}: expected a MyST markdown chapter; it holds NUL bytes (a binary file?)")
    try:
        return jupytext.reads(text, fmt="md")
    except Exception as error:  # noqa: BLE001 - jupytext's errors name no file
        raise ChapterError(f"{path}: jupytext cannot read it as a MyST notebook: {error}") from None


@dataclass
class Scan:
    """State while walking a chapter's cells."""
    path: Path
    exercises: list[str] = field(default_factory=list)
    solutions: list[str] = field(default_factory=list)
    open_exercise: str | None = None
    in_solution: str | None = None


_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def _exercise_title(number: int, label: str) -> list[str]:
    return [f"**Exercise {number}** (`{label}`)", ""]


# The two directive families the scan follows: the Scan list that collects their labels, the
# Scan field that holds the one still open (between -start and -end), and the error for a
# directive without a label.
_FAMILIES = {"exercise": ("exercises", "open_exercise", "an {{{name}}} without a :label:"),
             "solution": ("solutions", "in_solution", "a {{{name}}} that names no exercise label")}


def _open(d: Directive, scan: Scan, where: str) -> None:
    """An {exercise(-start)} or {solution(-start)}: record its label; a -start one stays open."""
    labels, still_open, unlabelled = _FAMILIES[d.name.split("-")[0]]
    if not d.label:
        raise ChapterError(f"{where}: " + unlabelled.format(name=d.name))
    getattr(scan, labels).append(d.label)
    if d.name.endswith("-start"):
        setattr(scan, still_open, d.label)


def _close(d: Directive, scan: Scan, where: str) -> None:
    """An {exercise-end} or {solution-end}: it must close an open -start."""
    family = d.name.split("-")[0]
    still_open = _FAMILIES[family][1]
    if getattr(scan, still_open) is None:
        raise ChapterError(f"{where}: {{{family}-end}} without {{{family}-start}}")
    setattr(scan, still_open, None)


def _keep(lines: list[str], start: int, stop: int, scan: Scan, out: list[str]) -> None:
    """Lines [start, stop) go to the student's text unless they sit inside a solution."""
    if scan.in_solution is None:
        out += lines[start:stop]


def _emit(lines: list[str], start: int, stop: int, found: list[Directive], scan: Scan, out: list[str]) -> None:
    """The student version of lines [start, stop), whose exercise directives are ``found``; updates ``scan``."""
    where = scan.path.name
    for d in found:
        _keep(lines, start, d.start, scan, out)
        start = d.stop
        if d.name not in EXERCISE_DIRECTIVES:  # a container (admonition, dropdown, ...): keep it, minus what it hides
            _emit(lines, d.start, d.stop, d.children, scan, out)
            continue
        if d.name in ("exercise", "exercise-start", "solution", "solution-start") and not d.closed:
            raise ChapterError(f"{where}: {{{d.name}}} {d.label or ''} is not closed in its markdown cell "
                               f"(a code cell cannot sit inside a one-block directive; use "
                               f"{{{d.name.split('-')[0]}-start}} ... {{{d.name.split('-')[0]}-end}})")
        if d.name.endswith("-end"):
            _close(d, scan, where)
            continue
        _open(d, scan, where)
        if d.name in ("exercise-start", "exercise"):
            if scan.in_solution is None:
                out += _exercise_title(len(scan.exercises), d.label)
            _emit(lines, d.body_start, d.body_stop, [c for c in d.children if c.start >= d.body_start],
                  scan, out)
    _keep(lines, start, stop, scan, out)


def student_markdown(source: str, scan: Scan) -> str | None:
    """The student version of a markdown cell (None to drop it); updates ``scan``."""
    try:
        found = find_directives(source)
    except DirectiveError as error:
        raise ChapterError(f"{scan.path.name}: {error}") from None
    lines = source.splitlines()
    kept: list[str] = []
    _emit(lines, 0, len(lines), found, scan, kept)
    # JupyterLab does not know MyST roles; a citation becomes [key].
    text = _CITE.sub(lambda m: f"[{m[1]}]", "\n".join(kept)).strip()
    return text or None


def check_labels(scan: Scan, seen: dict[str, str]) -> None:
    """Refuse unmatched or repeated labels, naming them (``seen``: label -> chapter, book-wide)."""
    where = scan.path.name
    if scan.open_exercise is not None:
        raise ChapterError(f"{where}: exercise '{scan.open_exercise}' has no {{exercise-end}}")
    if scan.in_solution is not None:
        raise ChapterError(f"{where}: solution '{scan.in_solution}' has no {{solution-end}}")
    for label in scan.exercises:
        if label in seen:
            raise ChapterError(f"{where}: exercise label '{label}' is already used in {seen[label]}")
        seen[label] = where
    if len(set(scan.exercises)) != len(scan.exercises):
        raise ChapterError(f"{where}: an exercise label is used twice: {scan.exercises}")
    missing = [label for label in scan.exercises if label not in scan.solutions]
    if missing:
        raise ChapterError(f"{where}: exercise '{missing[0]}' has no matching solution "
                           f"(expected a {{solution-start}} {missing[0]})")
    orphans = [label for label in scan.solutions if label not in scan.exercises]
    if orphans:
        raise ChapterError(f"{where}: solution '{orphans[0]}' matches no exercise label in this "
                           f"chapter (labels: {', '.join(scan.exercises) or 'none'})")


def _code_cells_by_label(chapter: str | Path, inside: str) -> dict[str, list[str]]:
    scan = Scan(Path(chapter))
    found: dict[str, list[str]] = {}
    for cell in read_chapter(chapter).cells:
        if cell.cell_type == "markdown":
            student_markdown(cell.source, scan)
        elif cell.cell_type == "code":
            label = scan.open_exercise if inside == "exercise" else scan.in_solution
            if label is not None:
                found.setdefault(label, []).append(cell.source)
    return found


def exercise_labels(chapter: str | Path) -> list[str]:
    """The ``:label:`` of every exercise of a chapter, in order."""
    scan = Scan(Path(chapter))
    for cell in read_chapter(chapter).cells:
        if cell.cell_type == "markdown":
            student_markdown(cell.source, scan)
    return scan.exercises


def solution_cells(chapter: str | Path) -> dict[str, list[str]]:
    """The code cells inside each solution of a chapter: label -> cell sources."""
    return _code_cells_by_label(chapter, "solution")


def exercise_cells(chapter: str | Path) -> dict[str, list[str]]:
    """The code cells inside each exercise of a chapter (the stubs a student fills): label -> cell sources."""
    return _code_cells_by_label(chapter, "exercise")
