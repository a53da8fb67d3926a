"""Write nbgrader *source* assignments from the chapters: one assignment per chapter, for JupyterHub courses.

Usage (from the repository root)::

    python -m vae_teach.tools.assignments               # every chapter into nbgrader/  (make nbgrader)
    python -m vae_teach.tools.assignments --out course book/03_from_ae_to_vae.md

Each chapter becomes ``<out>/source/<chapter>/<chapter>.ipynb``: the student notebook,
where every exercise with a check has its solution inside nbgrader's solution markers
(``### BEGIN SOLUTION`` / ``### END SOLUTION``, under the stub's own ``def`` line) and is
followed by a locked autograder cell that asserts the check's result, one point each.
``nbgrader generate_assignment`` removes the solutions; ``nbgrader autograde`` runs the
tests, so a wrong answer loses its point. ``<out>/nbgrader_config.py`` sets the cell
time limit (the chapters load or train their models) and the course folder.
Open exercises (no check) stay as in the student notebook, graded by reading.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..exercises import EXERCISES
from .student import chapters, solution_cells, student_notebook

__all__ = ["CELL_TIMEOUT", "assignment_notebook", "main", "write_course"]

#: Seconds per cell for nbgrader's autograder (a chapter may train a model on first use).
CELL_TIMEOUT = 900
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def _nbgrader(grade_id: str, *, solution: bool = False, grade: bool = False, points: int = 0) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": grade, "schema_version": 3, "solution": solution}
    if grade:
        meta["points"] = points
    return meta


@dataclass(frozen=True)
class _CheckCall:
    """Where a cell calls a check: the call's lines ``[start, end)`` (character offsets) and its arguments."""

    start: int
    end: int
    args: str


def _check_call(source: str, check: str) -> _CheckCall | None:
    """The top-level statement of ``source`` that calls ``check`` (``vt.exercises.check(...)``), if any.

    Read with ``ast``, so a call may span lines (a long one is wrapped to fit the book's column).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        if re.search(rf"\b{check}\s*\(", source):  # the exercise would silently lose its test
            raise ValueError(f"a cell that calls {check} is not valid Python ({error.msg}, line {error.lineno}):"
                             f"\n{source}") from error
        return None
    offsets = [0]
    for line in io.StringIO(source, newline="").readlines():  # the line breaks ast counts, no others
        offsets.append(offsets[-1] + len(line))
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name != check:
            continue
        parts = [ast.get_source_segment(source, arg) for arg in call.args]
        parts += [f"{kw.arg}={ast.get_source_segment(source, kw.value)}" if kw.arg
                  else f"**{ast.get_source_segment(source, kw.value)}" for kw in call.keywords]
        return _CheckCall(offsets[node.lineno - 1], offsets[node.end_lineno], ", ".join(parts))
    return None


def _solution_cell(stub: str, solution: str, check: str) -> str:
    """The stub's code with the solution inside the markers, and without the check call.

    When the solution defines the stub's function, only the function's body goes inside the
    markers, so that the released notebook keeps the ``def`` line the student fills in.
    """
    call = _check_call(solution, check)
    body = (solution[:call.start] + solution[call.end:] if call else solution).rstrip()
    definition = re.match(r"def (\w+)\(", stub.strip())
    lines = body.splitlines()
    if definition and lines and lines[0].startswith(f"def {definition.group(1)}(") and all(
            not line or line.startswith((" ", "\t")) for line in lines[1:]):
        inner = "\n".join(lines[1:])
        indent = re.match(r"\s*", next((line for line in lines[1:] if line.strip()), "    ")).group(0)
        return f"{lines[0]}\n{indent}{BEGIN}\n{inner}\n{indent}{END}"
    return f"{BEGIN}\n{body}\n{END}"


def assignment_notebook(chapter: str | Path) -> nbformat.NotebookNode:
    """The nbgrader source notebook of one chapter (see the module's docstring)."""
    chapter = Path(chapter)
    notebook = student_notebook(chapter)
    solutions = solution_cells(chapter)
    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        for label, exercise in EXERCISES.items():
            if exercise.chapter != chapter.stem or exercise.check is None:
                continue
            name = exercise.check.__name__
            call = _check_call(cell.source, name)
            if call is None:
                continue
            solved = next((s for s in solutions.get(label, []) if _check_call(s, name)), None)
            if solved is None:
                raise ValueError(f"{chapter}: exercise {label} has no solution cell calling {name}")
            cell.source = _solution_cell(cell.source[:call.start].rstrip(), solved, name)
            cell.metadata["nbgrader"] = _nbgrader(label, solution=True)
            test = nbformat.v4.new_code_cell(f"assert vt.exercises.{name}({call.args}), "
                                             f"\"{label}: see the hint printed above\"")
            test.metadata["nbgrader"] = _nbgrader(f"{label}-test", grade=True, points=1)
            cells.append(test)
    notebook.cells = cells
    nbformat.validate(notebook)
    return notebook


_CONFIG = '''\
# nbgrader configuration of the vae-teach course (written by python -m vae_teach.tools.assignments).
c = get_config()  # noqa: F821 - nbgrader provides it
c.CourseDirectory.root = "."
# The chapters load or train their models: give each cell time.
c.ExecutePreprocessor.timeout = {timeout}
'''


def write_course(paths: list[Path], out: str | Path = "nbgrader") -> list[Path]:
    """Write ``<out>/source/<chapter>/<chapter>.ipynb`` for each chapter and ``<out>/nbgrader_config.py``."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"expected --out to be a folder; {out} is a file")
    notebooks = [(path, assignment_notebook(path)) for path in paths]  # every chapter checked before writing
    written = []
    for path, notebook in notebooks:
        target = out / "source" / path.stem / f"{path.stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    (out / "nbgrader_config.py").write_text(_CONFIG.format(timeout=CELL_TIMEOUT))
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m vae_teach.tools.assignments [--out DIR] [CHAPTER.md ...]``."""
    parser = argparse.ArgumentParser(prog="python -m vae_teach.tools.assignments",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapter .md files (default: book/NN_*.md)")
    parser.add_argument("--out", default="nbgrader", help="course folder (default: nbgrader)")
    args = parser.parse_args(argv)
    paths = args.chapters or chapters("book")
    missing = [str(p) for p in paths if not p.is_file()]
    if not paths or missing:
        print(f"no such chapter file: {', '.join(missing) or 'book/NN_*.md'}", file=sys.stderr)
        return 2
    try:
        written = write_course(paths, args.out)
    except ValueError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    for target in written:
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
