"""Student notebooks: no solutions, clean, executable; stubs give hints, not tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from vae_teach.exercises import HINT, PASS
from vae_teach.tools.student import ChapterError, chapters, solution_cells, student_notebook, write_student_notebooks

from conftest import ROOT, build_env

CHAPTERS = chapters(ROOT / "book")


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """Each chapter's student notebook, made on first use (chapter stem -> file).

    Chapter by chapter, so that a refused chapter fails its own tests only.
    """
    out = tmp_path_factory.mktemp("student")

    class Notebooks(dict):
        def __missing__(self, stem: str) -> Path:
            target = out / f"{stem}.ipynb"
            nbformat.write(student_notebook(ROOT / "book" / f"{stem}.md"), target)
            self[stem] = target
            return target
    return Notebooks()


def test_the_command_writes_one_notebook_per_chapter(tmp_path):
    result = subprocess.run([sys.executable, "-m", "vae_teach.student", "--out", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sorted(p.stem for p in tmp_path.glob("*.ipynb")) == [c.stem for c in CHAPTERS]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_is_clean(written, chapter):
    raw = json.loads(written[chapter.stem].read_text())
    notebook = nbformat.reads(json.dumps(raw), as_version=4)
    nbformat.validate(notebook)
    assert "widgets" not in notebook.metadata, "widget state left in the notebook"
    assert "jupytext" not in notebook.metadata
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "outputs not cleared"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_has_no_solutions_and_keeps_the_stubs(written, chapter):
    notebook = nbformat.read(written[chapter.stem], as_version=4)
    text = "\n".join(c.source for c in notebook.cells)
    assert "{solution" not in text and "{exercise" not in text, "MyST exercise directives left in"
    solutions = solution_cells(chapter)
    for label, sources in solutions.items():
        for source in sources:
            assert source.strip() not in text, f"solution code of {label} left in the notebook"
        assert f"(`{label}`)" in text, f"exercise {label} is missing from the notebook"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_and_stubs_give_hints(written, chapter, tmp_path):
    notebook = nbformat.read(written[chapter.stem], as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=build_env())  # raises CellExecutionError, naming the cell, on any traceback
    checks = [c for c in notebook.cells if c.cell_type == "code" and "vt.exercises.check_" in c.source]
    assert checks, f"{chapter.name}: no checked exercise left in the student notebook"
    for cell in checks:
        out = "".join(o.get("text", "") for o in cell.outputs)
        assert HINT in out and PASS not in out, f"{chapter.name}: stub output {out!r} for\n{cell.source}"
        assert not [o for o in cell.outputs if o.output_type == "error"]


# ------------------------------------------------------------ refusals

HEADER = "---\njupytext:\n  text_representation: {extension: .md, format_name: myst}\n---\n# Chapter\n\n"
EXERCISE = "```{{exercise-start}}\n:label: {label}\n```\nDo it.\n\n```{{code-cell}} ipython3\nx = ...\n```\n```{{exercise-end}}\n```\n\n"
SOLUTION = "```{{solution-start}} {label}\n:class: dropdown\n```\n```{{code-cell}} ipython3\nx = 1\n```\n```{{solution-end}}\n```\n\n"


def write_chapter(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(HEADER + body)
    return path


def test_a_matched_exercise_is_accepted(tmp_path):
    path = write_chapter(tmp_path, "01_ok.md", EXERCISE.format(label="ex-a") + SOLUTION.format(label="ex-a"))
    notebook = student_notebook(path)
    sources = [c.source for c in notebook.cells]
    assert "x = ..." in sources and "x = 1" not in sources


def test_an_exercise_without_solution_is_refused_by_name(tmp_path):
    path = write_chapter(tmp_path, "01_bad.md", EXERCISE.format(label="ex-lonely"))
    with pytest.raises(ChapterError, match="exercise 'ex-lonely' has no matching solution"):
        student_notebook(path)


def test_a_solution_with_a_wrong_label_is_refused_by_name(tmp_path):
    body = EXERCISE.format(label="ex-a") + SOLUTION.format(label="ex-a") + SOLUTION.format(label="ex-typo")
    path = write_chapter(tmp_path, "01_bad.md", body)
    with pytest.raises(ChapterError, match="solution 'ex-typo' matches no exercise"):
        student_notebook(path)


def test_a_label_used_in_two_chapters_is_refused(tmp_path):
    body = EXERCISE.format(label="ex-a") + SOLUTION.format(label="ex-a")
    paths = [write_chapter(tmp_path, name, body) for name in ("01_a.md", "02_b.md")]
    with pytest.raises(ChapterError, match="'ex-a' is already used in 01_a.md"):
        write_student_notebooks(paths, tmp_path / "out")
    assert not (tmp_path / "out").exists(), "notebooks were written despite the refusal"


def test_the_command_refuses_with_the_label_and_a_nonzero_exit(tmp_path):
    path = write_chapter(tmp_path, "01_bad.md", EXERCISE.format(label="ex-lonely"))
    result = subprocess.run([sys.executable, "-m", "vae_teach.student", "--out", str(tmp_path / "out"),
                             str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "01_bad.md" in result.stderr and "ex-lonely" in result.stderr
