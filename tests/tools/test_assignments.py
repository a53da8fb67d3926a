"""nbgrader source assignments: solutions inside nbgrader's markers, autograder cells that assert each check.

The end-to-end test runs nbgrader's own ``generate_assignment`` and ``autograde`` on a temporary
course with two submissions of chapter 3 and reads their scores from nbgrader's gradebook.
nbgrader lives in ``.venv-nbgrader`` (``make test`` makes it: nbgrader on top of ``.venv``), so
that its JupyterLab extensions stay out of the students' JupyterLab.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from vae_teach.exercises import EXERCISES
from vae_teach.tools.assignments import BEGIN, END, assignment_notebook, write_course
from vae_teach.tools.student import chapters, solution_cells

ROOT = Path(__file__).resolve().parents[2]
NBGRADER = ROOT / ".venv-nbgrader" / "bin" / "nbgrader"
CHAPTER = ROOT / "book" / "03_from_ae_to_vae.md"


@pytest.mark.parametrize("chapter", chapters(ROOT / "book"), ids=lambda p: p.stem)
def test_each_checked_exercise_has_its_solution_in_markers_and_a_one_point_test(chapter):
    notebook = assignment_notebook(chapter)
    graded = {c.metadata["nbgrader"]["grade_id"]: c for c in notebook.cells if "nbgrader" in c.metadata}
    checked = [label for label, e in EXERCISES.items() if e.chapter == chapter.stem and e.check is not None]
    assert set(graded) == {*checked, *(f"{label}-test" for label in checked)}
    for label in checked:
        solution, test = graded[label], graded[f"{label}-test"]
        assert solution.metadata["nbgrader"]["solution"] and not solution.metadata["nbgrader"]["grade"]
        assert test.metadata["nbgrader"] == {"grade": True, "grade_id": f"{label}-test", "locked": True,
                                             "points": 1, "schema_version": 3, "solution": False}
        assert BEGIN in solution.source and END in solution.source
        assert test.source.startswith(f"assert vt.exercises.{EXERCISES[label].check.__name__}(")
    # no line of a solution outside the markers in the exercises' cells, but the stub's own def line
    outside = "\n".join(re.sub(rf"{BEGIN}.*?{END}", "", c.source, flags=re.S) for c in notebook.cells
                        if "nbgrader" in c.metadata)
    for label, cells in solution_cells(chapter).items():
        if EXERCISES[label].check is None:
            continue
        for line in "\n".join(cells).splitlines():
            if line.strip() and not line.startswith("def ") and "vt.exercises.check_" not in line:
                assert line not in outside, (label, line)


def test_a_check_call_wrapped_over_lines_becomes_one_autograder_assert():
    # chapter 6 wraps its style-transfer check to fit the book's column
    notebook = assignment_notebook(ROOT / "book" / "06_applications.md")
    graded = {c.metadata["nbgrader"]["grade_id"]: c for c in notebook.cells if "nbgrader" in c.metadata}
    test = graded["ex-ch6-style-test"].source
    assert test.startswith("assert vt.exercises.check_style_transfer(restyle, cvae, data.test_x, data.test_y), ")
    compile(test, "<autograder cell>", "exec")
    solution = graded["ex-ch6-style"].source
    assert "check_style_transfer" not in solution and "data.test_y" not in solution
    compile(solution, "<solution cell>", "exec")


def test_an_out_path_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "course").write_text("")
    with pytest.raises(ValueError, match=r"expected --out to be a folder; .*course is a file"):
        write_course([CHAPTER], tmp_path / "course")


def _nbgrader_missing() -> str | None:
    return None if NBGRADER.is_file() else f"nbgrader is not installed at {NBGRADER} (make .venv-nbgrader/.installed)"


def _run(course: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader runs `alembic` (its database migrations) from PATH
    env = {**os.environ, "TQDM_DISABLE": "1", "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([str(NBGRADER), *args], cwd=course, env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


def _fill(released: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A student's submission: the released notebook with some stubs answered (label -> function body)."""
    notebook = nbformat.from_dict(json.loads(json.dumps(released)))
    for cell in notebook.cells:
        label = cell.metadata.get("nbgrader", {}).get("grade_id")
        if label in answers:
            head = cell.source.split("\n")[0]
            cell.source = head + "\n" + answers[label]
    return notebook


def _bodies() -> dict[str, str]:
    """Each chapter-3 exercise's solution body (under its def line), from the chapter's solutions."""
    bodies = {}
    for label, cells in solution_cells(CHAPTER).items():
        lines = cells[0].splitlines()
        bodies[label] = "\n".join(line for line in lines[1:] if "vt.exercises.check_" not in line)
    return bodies


def test_nbgrader_scores_two_submissions(tmp_path):
    reason = _nbgrader_missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"nbgrader test cannot run under CI: {reason}", pytrace=False)
        pytest.skip(reason)
    course = tmp_path / "course"
    write_course([CHAPTER], course)
    source = course / "source" / CHAPTER.stem / f"{CHAPTER.stem}.ipynb"
    notebook = nbformat.read(source, as_version=4)
    # only what is graded, and the imports: the chapter's models would cost minutes of CI
    notebook.cells = [c for c in notebook.cells if "nbgrader" in c.metadata or c.source.startswith("import")]
    nbformat.write(notebook, source)
    _run(course, "generate_assignment", CHAPTER.stem, "--force")
    released = nbformat.read(course / "release" / CHAPTER.stem / f"{CHAPTER.stem}.ipynb", as_version=4)
    assert BEGIN not in json.dumps(released) and "raise NotImplementedError()" in json.dumps(released)
    bodies = _bodies()
    for student, answers in [("alice", {"ex-ch3-kl": bodies["ex-ch3-kl"]}), ("bob", bodies)]:
        folder = course / "submitted" / student / CHAPTER.stem
        folder.mkdir(parents=True)
        nbformat.write(_fill(released, answers), folder / f"{CHAPTER.stem}.ipynb")
    _run(course, "autograde", CHAPTER.stem, "--force")
    scores = subprocess.run(
        [str(NBGRADER.parent / "python"), "-c",
         "import json, sys\nfrom nbgrader.api import Gradebook\n"
         "with Gradebook('sqlite:///' + sys.argv[1]) as gb:\n"
         "    print(json.dumps({s.student.id: [s.score, s.max_score] for s in "
         "gb.find_assignment(sys.argv[2]).submissions}))",
         str(course / "gradebook.db"), CHAPTER.stem],
        capture_output=True, text=True, timeout=120, check=True).stdout
    assert json.loads(scores) == {"alice": [1.0, 3.0], "bob": [3.0, 3.0]}


def test_a_cell_calling_a_check_that_does_not_parse_is_refused_not_skipped():
    from vae_teach.tools.assignments import _check_call
    with pytest.raises(ValueError, match=r"calls check_ink is not valid Python"):
        _check_call("x = (1,\nvt.exercises.check_ink(ink)\n", "check_ink")
    assert _check_call("x = (1,\n", "check_ink") is None  # no check in it: nothing to lose
    before, statement = "a = 1\n", "vt.exercises.check_ink(\n    ink, strict=True);\n"
    call = _check_call(before + statement + "b = 2\n", "check_ink")
    assert (call.args, call.start, call.end) == ("ink, strict=True", len(before), len(before + statement))
