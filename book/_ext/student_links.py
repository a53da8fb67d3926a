"""Sphinx extension: each chapter page links its student notebook, written by the build.

The build writes one student notebook per chapter (``python -m vae_teach.student``:
exercises kept, solutions removed, no outputs) into ``<html>/student/``, and puts a
line under each chapter's title with a download link to it, so that a reader can do
the exercises in their own Jupyter or in Colab.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from vae_teach.tools.student import chapters, write_student_notebooks

FOLDER = "student"


def _write(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    out = Path(app.outdir) / FOLDER
    shutil.rmtree(out, ignore_errors=True)  # the build's own output: written afresh each time
    write_student_notebooks(chapters(Path(app.srcdir) / "book"), out)


def _link(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    path = Path(app.srcdir) / (docname + ".md")
    if app.builder.format != "html" or path not in chapters(Path(app.srcdir) / "book"):
        return
    section = doctree.next_node(nodes.section)
    if section is None:
        return
    depth = docname.count("/")
    href = "../" * depth + f"{FOLDER}/{path.stem}.ipynb"
    html = (f'<p class="vt-student-link">Exercises: download the student notebook '
            f'<a href="{href}" download>{path.stem}.ipynb</a> (exercises without their solutions) '
            f'and open it in JupyterLab or Colab.</p>')
    section.insert(1, nodes.raw("", html, format="html"))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _write)
    app.connect("doctree-resolved", _link)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
