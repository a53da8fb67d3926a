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

(or the one-block ``{exercise}`` / ``{solution}`` directives, in any form MyST
accepts: see ``directives``). The student notebook keeps the exercise text and
its stub cells, drops every solution (its markdown and its code cells), clears
outputs and widget state. A chapter whose exercise has no solution, whose
solution names no exercise, or whose labels repeat, is refused with the label
named; so is a file that is not a MyST markdown chapter.

A notebook already in the output folder that differs from the one the chapter
gives (a student's work, say) is kept, and named, unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .chapter import (ChapterError, Scan, check_labels, exercise_cells, exercise_labels, read_chapter,
                      solution_cells, student_markdown)

__all__ = ["ChapterError", "StudentFiles", "chapters", "exercise_cells", "exercise_labels", "main", "solution_cells",
           "student_notebook", "write_student_notebooks"]


@dataclass
class StudentFiles:
    """What ``write_student_notebooks`` did with each notebook: written, already up to date, or kept."""
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # differs from the generated one: not overwritten


def student_notebook(chapter: str | Path, seen: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The student notebook of one chapter (``.md``, jupytext MyST): solutions out, stubs in.

    ``seen`` (label -> chapter) carries exercise labels across chapters, so that
    a label used twice in the book is refused. Raises :class:`ChapterError`.
    """
    path = Path(chapter)
    source = read_chapter(path)
    scan = Scan(path)
    cells = []
    for cell in source.cells:
        if cell.cell_type == "markdown":
            text = student_markdown(cell.source, scan)
            if text is not None:
                cells.append(nbformat.v4.new_markdown_cell(text))
        elif scan.in_solution is None:
            if cell.cell_type == "code":
                tags = [t for t in cell.metadata.get("tags", []) if t != "remove-output"]
                new = nbformat.v4.new_code_cell(cell.source)
                if tags:
                    new.metadata["tags"] = tags
                if scan.open_exercise is not None:  # a stub: graded by its label (python -m vae_teach.grade)
                    new.metadata["vae_teach"] = {"exercise": scan.open_exercise}
                cells.append(new)
            else:
                cells.append(nbformat.v4.new_raw_cell(cell.source))
    check_labels(scan, {} if seen is None else seen)
    _stable_ids(cells, path.stem)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "vae_teach": {"chapter": path.stem},
    }
    nbformat.validate(notebook)
    return notebook


def _stable_ids(cells: list[nbformat.NotebookNode], chapter: str) -> None:
    """Cell ids that stay the same each time the notebooks are generated from the same chapter.

    An exercise's stub is named by its label (``ex-ch3-kl``, then ``ex-ch3-kl-2``, ...); every
    other cell by a hash of the chapter, its place among the cells and its text.
    """
    used: set[str] = set()
    for position, cell in enumerate(cells):
        label = cell.metadata.get("vae_teach", {}).get("exercise")
        if label:
            name, k = label, 1
            while name in used:
                k += 1
                name = f"{label}-{k}"
        else:
            name = hashlib.sha1(f"{chapter}|{position}|{cell.source}".encode()).hexdigest()[:12]
        cell["id"] = name
        used.add(name)


def chapters(book: str | Path = "book") -> list[Path]:
    """The chapter files of the book, in order: ``book/NN_*.md``."""
    return sorted(Path(book).glob("[0-9][0-9]_*.md"))


def _same_notebook(target: Path, notebook: nbformat.NotebookNode) -> bool:
    """Whether the file ``target`` holds ``notebook`` (cell ids aside: older versions made random ones)."""
    def content(text: str) -> object:
        data = json.loads(text)
        for cell in data.get("cells", []):
            cell.pop("id", None)
        return data
    try:
        return content(target.read_text(encoding="utf-8")) == content(nbformat.writes(notebook))
    except (OSError, ValueError, AttributeError):  # unreadable, not JSON, not a notebook: not ours
        return False


def write_student_notebooks(paths: list[Path], out: str | Path = "student", force: bool = False) -> StudentFiles:
    """Write one student notebook per chapter into the folder ``out``; say what happened to each file.

    Every chapter is checked before anything is written. A notebook already there that
    differs from the generated one is kept (``StudentFiles.kept``) unless ``force``.
    Raises ChapterError, NotADirectoryError if ``out`` is a file, OSError if it cannot be written.
    """
    seen: dict[str, str] = {}
    notebooks = [(Path(p), student_notebook(p, seen)) for p in paths]
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"expected --out to be a folder for the notebooks; {folder} is a file")
    folder.mkdir(parents=True, exist_ok=True)
    files = StudentFiles()
    for path, notebook in notebooks:
        target = folder / (path.stem + ".ipynb")
        if target.exists() and _same_notebook(target, notebook):
            files.unchanged.append(target)
        elif target.exists() and not force:
            files.kept.append(target)
        else:
            partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            nbformat.write(notebook, partial)
            os.replace(partial, target)  # whole or not at all
            files.written.append(target)
    return files


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m vae_teach.student [--out DIR] [--force] [CHAPTER.md ...]``."""
    parser = argparse.ArgumentParser(prog="python -m vae_teach.student", description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapter .md files (default: book/NN_*.md)")
    parser.add_argument("--out", default="student", help="output folder (default: student)")
    parser.add_argument("--book", default="book", help="book folder (default: book)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite notebooks that differ from the generated ones (a student's work!)")
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
        files = write_student_notebooks(paths, args.out, force=args.force)
    except ChapterError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # --out is a file, or a folder that cannot be written
        print(f"cannot write the notebooks into {args.out}: {error.strerror or error}", file=sys.stderr)
        return 2
    for target in files.written:
        print(f"wrote {target}")
    for target in files.unchanged:
        print(f"unchanged {target}")
    for target in files.kept:
        print(f"kept {target}: it differs from the generated notebook (your work?); --force overwrites it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
