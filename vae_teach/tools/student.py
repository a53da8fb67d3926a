"""Write student notebooks: one ``.ipynb`` per chapter, solutions removed, stubs kept.

Usage (from the repository root)::

    python -m vae_teach.student                  # every book/NN_*.md into student/
    python -m vae_teach.student --out handout book/01_data.md

A chapter marks exercises with sphinx-exercise's gated directives::

    ```{exercise-start}            ```{solution-start} ex-flatten
    :label: ex-flatten             :class: dropdown
    ```                            ```
    ... text and code cells ...    ... text and code cells ...
    ```{exercise-end}              ```{solution-end}
    ```                            ```

(or the one-block ``{exercise}`` / ``{solution}`` directives). The student
notebook keeps the exercise text and its stub cells, drops every solution
(its markdown and its code cells), clears outputs and widget state. A chapter
whose exercise has no solution, whose solution names no exercise, or whose
labels repeat, is refused with the label named.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

__all__ = ["ChapterError", "chapters", "exercise_cells", "exercise_labels", "main", "solution_cells",
           "student_notebook", "write_student_notebooks"]

# An opening fence of a MyST directive: ```{name} argument   (or :::{name})
_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+)\}\s*(?P<arg>.*?)\s*$")
_LABEL = re.compile(r"^:label:\s*(?P<label>\S+)\s*$")
_EXERCISE_DIRECTIVES = {"exercise", "exercise-start", "exercise-end",
                        "solution", "solution-start", "solution-end"}


class ChapterError(ValueError):
    """A chapter's exercises and solutions do not match up."""


@dataclass
class _Block:
    """One directive of interest found in a markdown cell."""
    name: str
    label: str | None
    lines: list[str]  # the whole directive, fences included


@dataclass
class _Scan:
    """State while walking a chapter's cells."""
    path: Path
    exercises: list[str] = field(default_factory=list)
    solutions: list[str] = field(default_factory=list)
    open_exercise: str | None = None
    in_solution: str | None = None


def _blocks(source: str) -> list[str | _Block]:
    """Split markdown into plain lines and exercise/solution directive blocks."""
    lines, out, i = source.splitlines(), [], 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if not match or match["name"] not in _EXERCISE_DIRECTIVES:
            out.append(lines[i])
            i += 1
            continue
        fence, j = match["fence"], i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        body = lines[i:j + 1]
        label = match["arg"] or None
        for line in body[1:]:
            found = _LABEL.match(line.strip())
            if found and match["name"] in ("exercise", "exercise-start"):
                label = found["label"]
        out.append(_Block(match["name"], label, body))
        i = j + 1
    return out


_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def _exercise_title(number: int, label: str) -> list[str]:
    return [f"**Exercise {number}** (`{label}`)", ""]


def _exercise_text(block: _Block, number: int) -> list[str]:
    """The exercise as plain markdown: a bold title, then the body without options."""
    body = [line for line in block.lines[1:-1] if not re.match(r"^:[a-z-]+:", line.strip())]
    return _exercise_title(number, block.label or "") + body


def _markdown(source: str, scan: _Scan) -> str | None:
    """The student version of a markdown cell (None to drop it); updates ``scan``."""
    kept: list[str] = []
    where = scan.path.name
    for part in _blocks(source):
        if isinstance(part, str):
            if scan.in_solution is None:
                kept.append(part)
            continue
        if part.name in ("exercise-start", "exercise"):
            if not part.label:
                raise ChapterError(f"{where}: an {{{part.name}}} without a :label:")
            scan.exercises.append(part.label)
            if part.name == "exercise-start":
                scan.open_exercise = part.label
                kept += _exercise_title(len(scan.exercises), part.label)
            else:
                kept += _exercise_text(part, len(scan.exercises))
        elif part.name == "exercise-end":
            if scan.open_exercise is None:
                raise ChapterError(f"{where}: {{exercise-end}} without {{exercise-start}}")
            scan.open_exercise = None
        elif part.name in ("solution-start", "solution"):
            if not part.label:
                raise ChapterError(f"{where}: a {{{part.name}}} that names no exercise label")
            scan.solutions.append(part.label)
            if part.name == "solution-start":
                scan.in_solution = part.label
        elif part.name == "solution-end":
            if scan.in_solution is None:
                raise ChapterError(f"{where}: {{solution-end}} without {{solution-start}}")
            scan.in_solution = None
    # JupyterLab does not know MyST roles; a citation becomes [key].
    text = _CITE.sub(lambda m: f"[{m[1]}]", "\n".join(kept)).strip()
    return text or None


def _check_labels(scan: _Scan, seen: dict[str, str]) -> None:
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


def student_notebook(chapter: str | Path, seen: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The student notebook of one chapter (``.md``, jupytext MyST): solutions out, stubs in.

    ``seen`` (label -> chapter) carries exercise labels across chapters, so that
    a label used twice in the book is refused. Raises :class:`ChapterError`.
    """
    path = Path(chapter)
    source = jupytext.read(path)
    scan = _Scan(path)
    cells = []
    for cell in source.cells:
        if cell.cell_type == "markdown":
            text = _markdown(cell.source, scan)
            if text is not None:
                cells.append(nbformat.v4.new_markdown_cell(text))
        elif scan.in_solution is None:
            if cell.cell_type == "code":
                tags = [t for t in cell.metadata.get("tags", []) if t != "remove-output"]
                new = nbformat.v4.new_code_cell(cell.source)
                if tags:
                    new.metadata["tags"] = tags
                cells.append(new)
            else:
                cells.append(nbformat.v4.new_raw_cell(cell.source))
    _check_labels(scan, {} if seen is None else seen)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(notebook)
    return notebook


def _code_cells_by_label(chapter: str | Path, inside: str) -> dict[str, list[str]]:
    scan = _Scan(Path(chapter))
    found: dict[str, list[str]] = {}
    for cell in jupytext.read(Path(chapter)).cells:
        if cell.cell_type == "markdown":
            _markdown(cell.source, scan)
        elif cell.cell_type == "code":
            label = scan.open_exercise if inside == "exercise" else scan.in_solution
            if label is not None:
                found.setdefault(label, []).append(cell.source)
    return found


def exercise_labels(chapter: str | Path) -> list[str]:
    """The ``:label:`` of every exercise of a chapter, in order."""
    scan = _Scan(Path(chapter))
    for cell in jupytext.read(Path(chapter)).cells:
        if cell.cell_type == "markdown":
            _markdown(cell.source, scan)
    return scan.exercises


def solution_cells(chapter: str | Path) -> dict[str, list[str]]:
    """The code cells inside each solution of a chapter: label -> cell sources."""
    return _code_cells_by_label(chapter, "solution")


def exercise_cells(chapter: str | Path) -> dict[str, list[str]]:
    """The code cells inside each exercise of a chapter (the stubs a student fills): label -> cell sources."""
    return _code_cells_by_label(chapter, "exercise")


def chapters(book: str | Path = "book") -> list[Path]:
    """The chapter files of the book, in order: ``book/NN_*.md``."""
    return sorted(Path(book).glob("[0-9][0-9]_*.md"))


def write_student_notebooks(paths: list[Path], out: str | Path = "student") -> list[Path]:
    """Write one student notebook per chapter into ``out``; return the files written.

    Every chapter is checked before anything is written.
    """
    seen: dict[str, str] = {}
    notebooks = [(p, student_notebook(p, seen)) for p in paths]
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path, notebook in notebooks:
        target = folder / (path.stem + ".ipynb")
        nbformat.write(notebook, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m vae_teach.student [--out DIR] [CHAPTER.md ...]``."""
    parser = argparse.ArgumentParser(prog="python -m vae_teach.student", description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapter .md files (default: book/NN_*.md)")
    parser.add_argument("--out", default="student", help="output folder (default: student)")
    parser.add_argument("--book", default="book", help="book folder (default: book)")
    args = parser.parse_args(argv)
    paths = args.chapters or chapters(args.book)
    if not paths:
        print(f"no chapters found: expected files {args.book}/NN_*.md", file=sys.stderr)
        return 2
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"no such chapter file: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        written = write_student_notebooks(paths, args.out)
    except ChapterError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    for target in written:
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
