"""Student notebooks: no solutions, clean, executable; stubs give hints, not tracebacks."""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from vae_teach.exercises import HINT, PASS
from vae_teach.tools.student import (ChapterError, chapters, exercise_cells, exercise_labels, solution_cells,
                                     student_notebook, write_student_notebooks)
from vae_teach.tools.student import main as student_main

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


@pytest.fixture(scope="module")
def executed(written, tmp_path_factory) -> dict[str, tuple[Path | None, str]]:
    """Every chapter's student notebook run top to bottom by nbconvert, each in a fresh kernel
    (the test build's model cache), two at a time: the kernels are processes of their own, and
    the two-core CI machine runs the eight chapters in about half the time. stem -> (the
    executed notebook, or None when a cell raised or the time ran out; nbconvert's output)."""
    out = tmp_path_factory.mktemp("executed")

    def run(chapter: Path) -> tuple[Path | None, str]:
        # Whatever goes wrong is this chapter's failure only (its own test reports it).
        try:
            folder = out / chapter.stem
            folder.mkdir()
            source = folder / "student.ipynb"  # the kernel runs in the notebook's own folder
            shutil.copy(written[chapter.stem], source)
            target = folder / "executed.ipynb"
            command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                       "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.kernel_name=python3",
                       "--output", str(target), str(source)]
            env = {**build_env(), "OMP_NUM_THREADS": "1"}  # one core each: the two kernels share the machine
            result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=1800)
            return (target if result.returncode == 0 and target.is_file() else None), result.stdout + result.stderr
        except Exception as error:  # a refused chapter, a time-out: reported by this chapter's test
            return None, f"{type(error).__name__}: {error}"

    stems = [chapter.stem for chapter in CHAPTERS]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(stems, pool.map(run, CHAPTERS)))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_and_stubs_give_hints(executed, chapter):
    path, log = executed[chapter.stem]
    assert path is not None, f"{chapter.name}: the student notebook stopped (nbconvert names the cell):\n{log[-4000:]}"
    notebook = nbformat.read(path, as_version=4)
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
    result = _run("--out", tmp_path / "out", path)
    assert result.returncode == 1
    assert "01_bad.md" in result.stderr and "ex-lonely" in result.stderr


# ------------------------------------------------------------ every way MyST lets a chapter write a solution
# Each variant is a solution the book renders as one (MyST: fences of 3+ backticks or colons,
# indented by up to 3 spaces, closed by a fence at least as long; directive names are
# case-insensitive; options as :key: lines or a YAML block; directives nest). SECRET marks
# solution text: none of it may reach the student notebook.

CELL = "```{{code-cell}} ipython3\n{code}\n```\n"
GATED = [  # (opening of the solution, its closing): code cells sit between them
    ("```{solution-start} ex-a\n:class: dropdown\n```\n", "```{solution-end}\n```\n"),
    ("````{solution-start} ex-a\n````\n", "`````{solution-end}\n`````\n"),
    (":::{solution-start} ex-a\n:class: dropdown\n:::\n", ":::{solution-end}\n:::\n"),
    ("::::{solution-start} ex-a\n::::::\n", "::::{solution-end}\n::::\n"),
    ("   ```{solution-start} ex-a\n   :class: dropdown\n   ```\n", "  ```{solution-end}\n  ```\n"),
    ("  :::{solution-start} ex-a\n  :::\n", " :::{solution-end}\n :::\n"),
    ("```{Solution-Start} ex-a\n```\n", "```{SOLUTION-END}\n```\n"),
    ("``` {solution-start} ex-a\n---\nclass: dropdown\n---\n```\n", "```   {solution-end}\n```\n"),
]
ONE_BLOCK = [  # a whole solution in one markdown cell
    "````{solution} ex-a\n:class: dropdown\nSECRET text\n```python\nSECRET = 1\n```\n````\n",
    ":::{solution} ex-a\n:class: dropdown\nSECRET text\n```python\nSECRET = 1\n```\n:::\n",
    "  ````{solution} ex-a\n  SECRET text\n  ```python\n  SECRET = 1\n  ```\n  ````\n",
    "````{admonition} Answer\n:class: tip\n```{solution} ex-a\nSECRET text\n```\n````\n",
    "```{admonition} Answer\n:class: tip\n````{solution} ex-a\nSECRET text\n````\n```\n",  # ```` ends both
    "::::{admonition} Answer\n:::{solution} ex-a\nSECRET text\n:::\n::::\n",
    "::::{dropdown} Answer\n```{note}\nbefore\n```\n:::{solution} ex-a\nSECRET text\n:::\n::::\n",
    "> ```{solution} ex-a\n> SECRET text\n> ```\n",
    "- a list item\n\n  ```{solution} ex-a\n  SECRET text\n  ```\n",
    "```{solution} ex-a\n---\nclass: dropdown\nlabel: sol-a\n---\nSECRET text\n```\n",
]
EXERCISE_FORMS = [  # the exercise, gated (stub code cell inside) or one block
    EXERCISE.format(label="ex-a"),
    ":::{exercise-start}\n:label: ex-a\n:::\nDo it.\n\n" + CELL.format(code="x = ...") + ":::{exercise-end}\n:::\n\n",
    "  ````{exercise-start} A title\n  :label: ex-a\n  ````\nDo it.\n\n" + CELL.format(code="x = ...")
    + "```{exercise-end}\n```\n\n",
    "```{exercise} A title\n:label: ex-a\nDo it.\n```\n\n" + CELL.format(code="x = ...") + "\n",
]


def _student_text(tmp_path, body: str) -> str:
    notebook = student_notebook(write_chapter(tmp_path, "01_forms.md", body + "After the exercise.\n"))
    return "\n".join(cell.source for cell in notebook.cells)


@pytest.mark.parametrize("opening, closing", GATED, ids=[f"gated-{i}" for i in range(len(GATED))])
def test_no_gated_solution_form_leaks_into_the_student_notebook(tmp_path, opening, closing):
    body = (EXERCISE.format(label="ex-a") + opening + "SECRET prose\n\n" + CELL.format(code="SECRET = 1")
            + "More SECRET prose.\n\n" + CELL.format(code="SECRET = 2") + closing + "\n")
    text = _student_text(tmp_path, body)
    assert "SECRET" not in text and "solution" not in text.lower(), text
    assert "x = ..." in text and "(`ex-a`)" in text and "After the exercise." in text


WHOLE = {  # exercise and solution both written one way (a line pattern misses both, and keeps everything)
    "indented": "  ```{exercise-start}\n  :label: ex-a\n  ```\nDo it.\n\n{stub}  ```{exercise-end}\n  ```\n\n"
                "  ```{solution-start} ex-a\n  ```\n{secret}  ```{solution-end}\n  ```\n",
    "capitals": "```{Exercise-Start}\n:label: ex-a\n```\nDo it.\n\n{stub}```{Exercise-End}\n```\n\n"
                "```{Solution-Start} ex-a\n```\n{secret}```{Solution-End}\n```\n",
    "space": "``` {exercise-start}\n:label: ex-a\n```\nDo it.\n\n{stub}``` {exercise-end}\n```\n\n"
             "``` {solution-start} ex-a\n```\n{secret}``` {solution-end}\n```\n",
    "yaml": "```{exercise-start}\n---\nlabel: ex-a\n---\n```\nDo it.\n\n{stub}```{exercise-end}\n```\n\n"
            "```{solution-start} ex-a\n---\nclass: dropdown\n---\n```\n{secret}```{solution-end}\n```\n",
}


@pytest.mark.parametrize("form", WHOLE)
def test_no_solution_leaks_when_exercise_and_solution_are_both_written_one_way(tmp_path, form):
    body = WHOLE[form].replace("{stub}", CELL.format(code="x = ...")).replace("{secret}", CELL.format(code="SECRET = 1"))
    text = _student_text(tmp_path, body)
    assert "SECRET" not in text and "**Exercise 1** (`ex-a`)" in text and "x = ..." in text, text


@pytest.mark.parametrize("solution", ONE_BLOCK, ids=[f"one-block-{i}" for i in range(len(ONE_BLOCK))])
def test_no_one_block_or_nested_solution_leaks_into_the_student_notebook(tmp_path, solution):
    text = _student_text(tmp_path, EXERCISE.format(label="ex-a") + solution + "\n")
    assert "SECRET" not in text and "{solution" not in text, text
    assert "x = ..." in text and "After the exercise." in text


@pytest.mark.parametrize("exercise", EXERCISE_FORMS, ids=["gated", "colon", "indented-long", "one-block"])
def test_every_exercise_form_keeps_its_text_and_stub(tmp_path, exercise):
    text = _student_text(tmp_path, exercise + SOLUTION.format(label="ex-a").replace("x = 1", "SECRET = 1"))
    assert "**Exercise 1** (`ex-a`)" in text and "Do it." in text and "x = ..." in text
    assert "SECRET" not in text and ":label:" not in text and "{exercise" not in text, text


def test_a_solution_nested_in_a_one_block_exercise_is_dropped_with_the_exercise_kept(tmp_path):
    body = "````{exercise}\n:label: ex-a\nDo it.\n```{solution} ex-a\nSECRET text\n```\nThen this.\n````\n\n"
    text = _student_text(tmp_path, body)
    assert "SECRET" not in text and "Do it." in text and "Then this." in text


def test_a_four_space_indent_is_code_in_the_book_so_it_hides_nothing_and_is_refused(tmp_path):
    """Indented four spaces, the fence is an indented code block: the book shows it, so the exercise
    has no solution, and the chapter is refused rather than the code cells being taken for one."""
    body = EXERCISE.format(label="ex-a") + "    ```{solution-start} ex-a\n    ```\n\n" + CELL.format(code="y = 2")
    with pytest.raises(ChapterError, match="'ex-a' has no matching solution"):
        _student_text(tmp_path, body)


def test_a_one_block_solution_left_open_before_a_code_cell_is_refused(tmp_path):
    """jupytext does not know colon fences, so it splits the code cell out of this solution."""
    body = EXERCISE.format(label="ex-a") + ":::{solution} ex-a\nSECRET\n" + CELL.format(code="SECRET = 1") + ":::\n"
    with pytest.raises(ChapterError, match=r"01_forms.md: \{solution\} ex-a is not closed in its markdown cell"):
        _student_text(tmp_path, body)


@pytest.mark.parametrize("body, message", [
    ("```{exercise-start}\n```\nDo it.\n```{exercise-end}\n```\n", r"an \{exercise-start\} without a :label:"),
    ("```{exercise}\nDo it.\n```\n", r"an \{exercise\} without a :label:"),
    ("```{exercise-end}\n```\n", r"\{exercise-end\} without \{exercise-start\}"),
    (EXERCISE.format(label="ex-a") + "```{solution-end}\n```\n", r"\{solution-end\} without \{solution-start\}"),
], ids=["exercise-start-unlabelled", "exercise-unlabelled", "stray-exercise-end", "stray-solution-end"])
def test_an_unlabelled_or_unopened_directive_is_refused_with_its_name(tmp_path, body, message):
    with pytest.raises(ChapterError, match="01_forms.md: " + message):
        _student_text(tmp_path, body)


def test_a_solution_in_rst_inside_eval_rst_is_refused(tmp_path):
    body = EXERCISE.format(label="ex-a") + "```{eval-rst}\n.. solution:: ex-a\n\n   SECRET\n```\n"
    with pytest.raises(ChapterError, match=r"reStructuredText inside \{eval-rst\}"):
        _student_text(tmp_path, body)


def test_the_parser_reads_chapters_with_the_books_myst_extensions():
    import yaml

    from vae_teach.tools.directives import BOOK_EXTENSIONS
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert set(config["parse"]["myst_enable_extensions"]) == BOOK_EXTENSIONS


# ------------------------------------------------------------ files: what is kept, what is refused

def _run(*args) -> subprocess.CompletedProcess:
    """``python -m vae_teach.student ARGS``, run in this process (the same ``main``, without a new
    interpreter's import time; test_the_command_writes_one_notebook_per_chapter runs the real
    command). An exception that escapes ``main`` fails the test, as a traceback would."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = student_main([str(a) for a in args])
        except SystemExit as stop:  # argparse's own refusals
            code = stop.code
    return subprocess.CompletedProcess(["python", "-m", "vae_teach.student", *map(str, args)], code,
                                       out.getvalue(), err.getvalue())


def test_a_students_notebook_is_kept_unless_forced(tmp_path):
    chapters_ = [write_chapter(tmp_path, name, EXERCISE.format(label=f"ex-{name[:2]}")
                               + SOLUTION.format(label=f"ex-{name[:2]}")) for name in ("01_a.md", "02_b.md")]
    out = tmp_path / "student"
    assert _run("--out", out, *chapters_).returncode == 0
    work = out / "01_a.ipynb"
    notebook = nbformat.read(work, as_version=4)
    notebook.cells[-1].source = "x = 42  # the student's answer"
    nbformat.write(notebook, work)
    students_bytes = work.read_bytes()

    again = _run("--out", out, *chapters_)
    assert again.returncode == 0 and work.read_bytes() == students_bytes, "the student's work was overwritten"
    assert f"kept {work}" in again.stdout and "--force" in again.stdout
    assert f"unchanged {out / '02_b.ipynb'}" in again.stdout

    forced = _run("--out", out, "--force", *chapters_)
    assert forced.returncode == 0 and f"wrote {work}" in forced.stdout
    assert "x = 42" not in work.read_text()


@pytest.mark.parametrize("name, content, message", [
    ("01_code.py", b"print('a script')\n", r"expected a chapter as a MyST markdown file \(\.md"),
    ("01_data.ipynb", b"{}", r"expected a chapter as a MyST markdown file \(\.md"),
    ("01_binary.md", bytes(range(256)) * 4, "expected UTF-8 text.*binary file"),
    ("01_nul.md", b"# Title\x00\x00\n", "NUL bytes"),
], ids=["python", "notebook", "binary", "nul"])
def test_a_file_that_is_not_a_chapter_is_refused_without_a_traceback(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = _run("--out", tmp_path / "out", path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert re.search(message, result.stderr) and name in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_out_pointing_at_a_file_is_refused_without_a_traceback(tmp_path):
    chapter = write_chapter(tmp_path, "01_a.md", EXERCISE.format(label="ex-a") + SOLUTION.format(label="ex-a"))
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    result = _run("--out", target, chapter)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "expected --out to be a folder" in result.stderr and str(target) in result.stderr
    assert target.read_text() == "mine"


def test_cell_ids_are_stable_and_exercise_stubs_carry_their_label():
    chapter = CHAPTERS[2]
    first, second = student_notebook(chapter), student_notebook(chapter)
    assert [c["id"] for c in first.cells] == [c["id"] for c in second.cells]
    assert len({c["id"] for c in first.cells}) == len(first.cells)
    assert first.metadata["vae_teach"] == {"chapter": chapter.stem}
    stubs = {c.metadata["vae_teach"]["exercise"]: c for c in first.cells if "vae_teach" in c.metadata}
    assert list(stubs) == exercise_labels(chapter)[:len(stubs)] and stubs
    for label, cell in stubs.items():
        assert cell["id"] == label and any(cell.source in s or s in cell.source
                                           for s in exercise_cells(chapter)[label])
