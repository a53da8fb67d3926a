"""MyST renders in a real JupyterLab (jupyterlab-myst): every chapter and every student notebook.

Each document is opened (rendered, not run) in JupyterLab on 127.0.0.1 through Playwright and
Debian's Chromium. In no markdown cell may the reader see raw MyST: a role or directive
as text (``{cite}``, ``{figure}``, ``{glue}``, ...), a stray option line (``:label:``,
``:class: dropdown``), a fence, or jupyterlab-myst's red "Unknown Directive" / "Unknown Role"
box; and every image must load. Skipped without a browser, except under CI.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import lab_driver as lab
from conftest import ROOT
from test_browser import CHROMIUM, CHROMIUM_ARGS, _require_browser  # noqa: F401  (skip / fail without a browser)
from vae_teach.tools.student import chapters, write_student_notebooks

# What raw MyST looks like once rendered as plain text.
RAW = re.compile(r"\{(?:cite|cite:[a-z]+|figure|glue|glue:[a-z]+|doc|ref|numref|eval|exercise[a-z-]*|solution[a-z-]*|"
                 r"admonition|note|tip|warning|code-cell|bibliography)\}|^:(?:label|class|name|alt|width):|^```|^:::",
                 re.M)
ERRORS = ("Unknown Directive", "Unknown Role")

_RENDERED = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    return panel.content.widgets.filter(c => c.model.type === 'markdown').map(c => ({
        text: c.node.querySelector('.myst, .jp-MarkdownOutput') ? c.node.querySelector('.myst, .jp-MarkdownOutput').innerText : null,
        source: c.model.sharedModel.getSource().slice(0, 80),
        images: Array.from(c.node.querySelectorAll('img')).map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0]),
    })); }"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """{document path: its markdown cells as JupyterLab renders them}, for the chapters and student notebooks."""
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp("lab-myst")
    shutil.copytree(ROOT / "book", root / "book", ignore=shutil.ignore_patterns("_build", "*.ipynb"))
    shutil.copy(ROOT / "jupytext.toml", root / "jupytext.toml")
    written = write_student_notebooks(chapters(root / "book"), root / "student").written
    documents = [p.relative_to(root).as_posix() for p in chapters(root / "book")] + \
                [p.relative_to(root).as_posix() for p in written]
    seen: dict[str, list[dict]] = {}
    shots = tmp_path_factory.mktemp("lab-myst-screenshots")
    with sync_playwright() as p, lab.running_lab(root) as server:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, service_workers="block")
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server.url) else r.abort())
        page = context.new_page()
        for i, path in enumerate(documents):
            # JupyterLab loads once; each document then opens in it alone (a fresh load per
            # document cost about 20 s each, minutes for the sixteen).
            if i == 0:
                lab.open_document(page, server, path)
            else:
                lab.open_next_document(page, path)
            page.wait_for_function("""() => window.jupyterapp.shell.currentWidget.content.widgets
                .filter(c => c.model.type === 'markdown').every(c => c.rendered && c.node.querySelector('.myst, .jp-MarkdownOutput'))""",
                                   timeout=60_000)
            page.wait_for_timeout(1500)  # jupyterlab-myst renders asynchronously; images load
            seen[path] = page.evaluate(_RENDERED)
            page.screenshot(path=str(shots / (path.replace("/", "_") + ".png")))
        context.close()
        browser.close()
    print(f"\nscreenshots of the rendered documents in {shots}")
    return seen


def test_every_chapter_and_student_notebook_was_rendered(rendered):
    assert sum(p.startswith("book/") for p in rendered) >= 5
    assert sum(p.startswith("student/") for p in rendered) == sum(p.startswith("book/") for p in rendered)
    assert all(cells and all(c["text"] is not None for c in cells) for cells in rendered.values())


def test_no_raw_myst_and_no_error_box_in_any_rendered_cell(rendered):
    problems = {}
    for path, cells in rendered.items():
        found = [(c["source"], m.group(0)) for c in cells for m in RAW.finditer(c["text"])]
        found += [(c["source"], e) for c in cells for e in ERRORS if e in c["text"]]
        if found:
            problems[path] = found[:5]
    assert not problems, problems


def test_every_figure_shows(rendered):
    broken = {path: [src for c in cells for src, ok in c["images"] if not ok] for path, cells in rendered.items()}
    broken = {path: srcs for path, srcs in broken.items() if srcs}
    assert not broken, broken
