"""Saving a chapter from JupyterLab gives back the same bytes (jupytext.toml).

JupyterLab reads and writes the ``.md`` chapters through jupytext's contents
manager, which applies the repository's ``jupytext.toml``. These tests use that
same contents manager on a copy of each chapter: a save of the chapter as it is
read, and a save after what a Run All in JupyterLab changes in the notebook
(kernelspec, outputs, execution counts and timings, and jupyterlab-myst's
``user_expressions`` on markdown cells that quote ``{eval}``), are both the
identity. ``tests/test_jupyterlab.py`` does the same in a real JupyterLab.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupytext import TextFileContentsManager

from conftest import ROOT

CHAPTERS = sorted(p.name for p in (ROOT / "book").glob("[0-9][0-9]_*.md"))


@pytest.fixture
def contents(tmp_path):
    """JupyterLab's view of a scratch copy of the repository's chapters and jupytext.toml."""
    (tmp_path / "book").mkdir()
    shutil.copy(ROOT / "jupytext.toml", tmp_path / "jupytext.toml")
    for name in CHAPTERS:
        shutil.copy(ROOT / "book" / name, tmp_path / "book" / name)
    return TextFileContentsManager(root_dir=str(tmp_path)), tmp_path


def test_there_are_chapters():
    assert len(CHAPTERS) >= 5


@pytest.mark.parametrize("name", CHAPTERS)
def test_reading_and_writing_a_chapter_is_the_identity(contents, name):
    manager, root = contents
    path = f"book/{name}"
    manager.save(manager.get(path), path)
    assert (root / path).read_bytes() == (ROOT / path).read_bytes()


def python3_kernelspec() -> dict:
    """The kernelspec JupyterLab writes into a notebook it runs with this environment's python3."""
    spec = KernelSpecManager().get_kernel_spec("python3")
    return {"name": "python3", "display_name": spec.display_name, "language": spec.language}


@pytest.mark.parametrize("name", CHAPTERS)
def test_saving_a_chapter_after_run_all_is_the_identity(contents, name):
    manager, root = contents
    path = f"book/{name}"
    model = manager.get(path)
    notebook = model["content"]
    notebook.metadata["kernelspec"] = python3_kernelspec()
    for count, cell in enumerate(notebook.cells, 1):
        if cell.cell_type == "code":
            cell.execution_count = count
            cell.outputs = [{"output_type": "stream", "name": "stdout", "text": "output\n"}]
            cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
        elif "{eval}" in cell.source:
            cell.metadata["user_expressions"] = [
                {"expression": "n", "result": {"status": "ok", "data": {"text/plain": "1"},
                                               "metadata": {}}}]
        cell.metadata["trusted"] = True
    manager.save(model, path)
    assert (root / path).read_bytes() == (ROOT / path).read_bytes()
