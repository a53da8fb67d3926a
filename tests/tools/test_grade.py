"""Grading a class: five submissions of chapter 3's student notebook, graded into an exact grades.csv."""

from __future__ import annotations

import copy
import csv
import io
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from vae_teach.tools.grade import main
from vae_teach.tools.student import student_notebook

ROOT = Path(__file__).resolve().parents[2]
STUB = "...  # your code here"
KL = "0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)"


def _short_chapter_3() -> nbformat.NotebookNode:
    """Chapter 3's student notebook with its exercise cells and its imports only (the rest is not graded
    and would train models: CI time)."""
    notebook = student_notebook(ROOT / "book" / "03_from_ae_to_vae.md")
    keep = [c for c in notebook.cells if c.cell_type == "markdown" or "vt.exercises.check_" in c.source
            or c.source.startswith("import")]
    notebook.cells = keep
    return notebook


def _answer(notebook, function: str, body: str) -> None:
    cell = next(c for c in notebook.cells if f"def {function}(" in c.source)
    assert STUB in cell.source, cell.source
    cell.source = cell.source.replace(STUB, body)


def _submissions(folder: Path) -> None:
    base = _short_chapter_3()
    untouched = copy.deepcopy(base)
    solved = copy.deepcopy(base)
    _answer(solved, "my_gaussian_kl", f"return {KL}")
    flipped = copy.deepcopy(base)
    _answer(flipped, "my_gaussian_kl", f"return -{KL}")
    looping = copy.deepcopy(base)
    _answer(looping, "my_reparameterize", "while True:\n        pass")
    deleted = copy.deepcopy(base)
    deleted.cells = [c for c in deleted.cells if "def my_monte_carlo_kl(" not in c.source]
    for name, notebook in [("1_untouched", untouched), ("2_solved_kl", solved), ("3_flipped_kl", flipped),
                           ("4_infinite_loop", looping), ("5_deleted_cell", deleted)]:
        nbformat.write(notebook, folder / f"{name}_03_from_ae_to_vae.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class") / "submissions"
    folder.mkdir()
    _submissions(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    out = folder.parent / "grades.csv"
    result = subprocess.run([sys.executable, "-m", "vae_teach.grade", str(folder), "--out", str(out),
                             "--timeout", "120", "--jobs", "2"], capture_output=True, text=True, timeout=900, cwd=ROOT)
    return result, out, before, folder


NONE = "{} returns None: compute the answer and `return` it"
EXPECTED = [
    ["notebook", "ex-ch3-kl", "ex-ch3-reparam", "ex-ch3-mc-kl"],
    ["1_untouched_03_from_ae_to_vae.ipynb", NONE.format("my_gaussian_kl"), NONE.format("my_reparameterize"),
     NONE.format("my_monte_carlo_kl")],
    ["2_solved_kl_03_from_ae_to_vae.ipynb", "pass", NONE.format("my_reparameterize"),
     NONE.format("my_monte_carlo_kl")],
    ["3_flipped_kl_03_from_ae_to_vae.ipynb", "your KL: the sign is flipped", NONE.format("my_reparameterize"),
     NONE.format("my_monte_carlo_kl")],
    # the check's time limit stops the loop; the notebook goes on to the next exercise
    ["4_infinite_loop_03_from_ae_to_vae.ipynb", NONE.format("my_gaussian_kl"), "timeout",
     NONE.format("my_monte_carlo_kl")],
    ["5_deleted_cell_03_from_ae_to_vae.ipynb", NONE.format("my_gaussian_kl"), NONE.format("my_reparameterize"),
     "missing"],
]


def test_grading_writes_the_expected_table(graded):
    result, out, _, _ = graded
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(out.read_text()))) == EXPECTED


def test_grading_prints_a_summary_per_exercise(graded):
    result, out, _, _ = graded
    assert result.stdout.splitlines() == [
        f"ex-ch3-kl: 1/5 passed; most common: {NONE.format('my_gaussian_kl')!r} (3)",
        f"ex-ch3-reparam: 0/5 passed; most common: {NONE.format('my_reparameterize')!r} (4)",
        f"ex-ch3-mc-kl: 0/5 passed; most common: {NONE.format('my_monte_carlo_kl')!r} (4)",
        f"wrote {out}",
    ]


def test_grading_never_modifies_a_submission(graded):
    _, _, before, folder = graded
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_the_table_keeps_file_name_order_whatever_finishes_first(tmp_path, monkeypatch):
    # Three at a time, each notebook slower than the next by name: they finish in reverse order.
    import time

    from vae_teach.tools import grade as grading
    for name in ["a", "b", "c"]:
        nbformat.write(_short_chapter_3(), tmp_path / f"{name}_03_from_ae_to_vae.ipynb")
    finished = []

    def fake_grade(path, notebook, chapter, timeout, threads):
        time.sleep({"a": 0.6, "b": 0.3, "c": 0.0}[path.name[0]])
        finished.append(path.name[0])
        return grading.Grade(path.name, "03_from_ae_to_vae", {"ex-ch3-kl": path.name[0]})

    monkeypatch.setattr(grading, "_grade", fake_grade)
    grades = grading.grade_folder(tmp_path, jobs=3)
    assert finished == ["c", "b", "a"]
    assert [g.results["ex-ch3-kl"] for g in grades] == ["a", "b", "c"]


def test_a_file_that_is_not_a_notebook_is_refused_before_any_runs(tmp_path, monkeypatch):
    from vae_teach.tools import grade as grading
    nbformat.write(_short_chapter_3(), tmp_path / "a_03_from_ae_to_vae.ipynb")
    (tmp_path / "b.ipynb").write_text("not json")
    ran = []
    monkeypatch.setattr(grading, "_grade", lambda path, *args: ran.append(path))
    with pytest.raises(ValueError, match=r"b\.ipynb is not a readable notebook"):
        grading.grade_folder(tmp_path, jobs=2)
    assert ran == []


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_a_bad_jobs_count_is_refused(tmp_path, capsys, jobs):
    (tmp_path / "a.ipynb").write_text("{}")
    try:
        code = main([str(tmp_path), "--jobs", jobs])
    except SystemExit as stop:  # argparse's own refusal of a value that is not a number
        code = stop.code
    assert code == 2
    assert "jobs" in capsys.readouterr().err and not (tmp_path.parent / "grades.csv").exists()


def test_a_folder_without_notebooks_is_refused(tmp_path):
    result = subprocess.run([sys.executable, "-m", "vae_teach.grade", str(tmp_path)], capture_output=True,
                            text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2 and f"refused: no notebooks (*.ipynb) in {tmp_path}" in result.stderr


def test_a_notebook_of_no_chapter_is_refused(tmp_path, capsys):
    # main() in this process: the command line's own entry is run by the test above
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")]), tmp_path / "x.ipynb")
    assert main([str(tmp_path)]) == 2
    assert "cannot tell which chapter this notebook is" in capsys.readouterr().err
