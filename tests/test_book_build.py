"""The book build: every chapter executes, warnings fail it, and bad input fails it with a name."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from vae_teach.exercises import HINT, PASS
from vae_teach.tools.student import chapters, solution_cells

from conftest import ROOT, jupyter_book


def toc_files() -> list[str]:
    """Every file named in _toc.yml (root, parts, chapters, sections), without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))
    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return found


def html_pages(html: Path) -> list[Path]:
    return [p for p in html.rglob("*.html") if not {"_static", "_sources", "_images"} & set(p.parts)]


def test_every_toc_entry_is_a_page(built_book):
    missing = [f for f in toc_files() if not (built_book.html / f"{f}.html").is_file()]
    assert not missing, f"pages missing from the build: {missing}"


def test_every_chapter_file_is_in_the_toc():
    listed = set(toc_files())
    chapter_files = {p.relative_to(ROOT).with_suffix("").as_posix() for p in chapters(ROOT / "book")}
    assert chapter_files <= listed, f"chapters not in _toc.yml: {sorted(chapter_files - listed)}"


def test_every_chapter_was_executed_without_errors(built_book):
    for chapter in chapters(ROOT / "book"):
        executed = built_book.executed / "book" / f"{chapter.stem}.ipynb"
        assert executed.is_file(), f"{chapter.name} was not executed (no {executed})"
        notebook = nbformat.read(executed, as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]
        unrun = [c.source[:60] for c in code if c.get("execution_count") is None]
        assert not unrun, f"{chapter.name}: cells not executed: {unrun}"
        errors = [o for c in code for o in c.outputs if o.output_type == "error"]
        assert not errors, f"{chapter.name}: error outputs: {errors}"


def test_every_chapter_page_shows_its_figures(built_book):
    # An inherited MPLBACKEND=Agg once made every inline figure vanish while the build passed.
    for chapter in chapters(ROOT / "book"):
        notebook = nbformat.read(built_book.executed / "book" / f"{chapter.stem}.ipynb", as_version=4)
        made = sum("image/png" in o.get("data", {}) for c in notebook.cells if c.cell_type == "code"
                   for o in c.outputs)
        page = (built_book.html / "book" / f"{chapter.stem}.html").read_text()
        shown = len(re.findall(r"<img[^>]+src=\"[^\"]*_images/", page))
        assert made > 0, f"{chapter.name}: the executed chapter made no figures"
        assert shown > 0, f"{chapter.name}: {made} figures made, none on the page"


def test_no_figure_is_shown_twice(built_book):
    # A cell ending in a call that returns a Figure, without a ';', shows it twice: once as the
    # cell's value, once by the inline backend.
    twice = {}
    for chapter in chapters(ROOT / "book"):
        page = (built_book.html / "book" / f"{chapter.stem}.html").read_text()
        sources = re.findall(r"<img[^>]+src=\"([^\"]*_images/[^\"]+)\"", page)
        repeated = sorted({src for src in sources if sources.count(src) > 1})
        if repeated:
            twice[chapter.name] = repeated
    assert not twice, f"figures shown twice (end the cell with ';'): {twice}"


def test_no_frozen_progress_bars_in_the_pages(built_book):
    frozen = re.compile(r"\b0%\|")
    bad = [p.name for p in html_pages(built_book.html) if frozen.search(p.read_text(errors="replace"))]
    assert not bad, f"progress bar fragments ('0%|') in: {bad}"


def test_pages_reference_no_outside_scripts_or_styles(built_book):
    outside = re.compile(r"<(?:script|link)[^>]+(?:src|href)=\"(?:https?:)?//", re.I)
    bad = {p.name: outside.findall(p.read_text())[:3] for p in html_pages(built_book.html)
           if outside.search(p.read_text())}
    assert not bad, f"pages load scripts or styles from outside the book: {bad}"


def test_every_number_in_the_prose_is_shown(built_book):
    # each {eval} role of a chapter becomes one pasted value; none stays as code
    for chapter in chapters(ROOT / "book"):
        roles = len(re.findall(r"\{eval\}`", chapter.read_text()))
        page = (built_book.html / "book" / f"{chapter.stem}.html").read_text()
        shown = len(re.findall(r'<span class="pasted-text">[^<]+</span>', page))
        assert shown == roles, f"{chapter.name}: {roles} {{eval}} roles, {shown} values on the page"
        assert "{eval}" not in page, f"{chapter.name}: an {{eval}} role shows as code"


def test_every_solution_passes_its_check_in_the_built_book(built_book):
    for chapter in chapters(ROOT / "book"):
        executed = nbformat.read(built_book.executed / "book" / f"{chapter.stem}.ipynb", as_version=4)
        outputs = {c.source.strip(): "".join(o.get("text", "") for o in c.outputs)
                   for c in executed.cells if c.cell_type == "code"}
        for label, sources in solution_cells(chapter).items():
            for source in sources:
                if "vt.exercises.check_" not in source:
                    continue
                out = outputs.get(source.strip())
                assert out is not None, f"{chapter.name} {label}: solution cell not found in the executed notebook"
                assert PASS in out and HINT not in out, f"{chapter.name} {label}: solution output was {out!r}"


# ------------------------------------------------------------ bad input


@pytest.fixture
def small_book(tmp_path) -> Path:
    """A copy of the book's configuration with one tiny chapter, to break on purpose."""
    shutil.copy(ROOT / "_config.yml", tmp_path)
    (tmp_path / "book").mkdir()
    for name in ("_ext", "_static"):
        shutil.copytree(ROOT / "book" / name, tmp_path / "book" / name)
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "book")
    (tmp_path / "book" / "intro.md").write_text("# Intro\n\nA small book.\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/01_small\n")
    (tmp_path / "book" / "01_small.md").write_text(CHAPTER.format(cell="y = x + 1"))
    return tmp_path


CHAPTER = """---
jupytext:
  text_representation: {{extension: .md, format_name: myst}}
kernelspec: {{display_name: Python 3, language: python, name: python3}}
---
# Small chapter

```{{code-cell}} ipython3
x = 1
```

```{{code-cell}} ipython3
{cell}
```
"""


def build_small(book: Path) -> tuple[int, str]:
    result = jupyter_book(book, book / "out", timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_a_failing_cell_fails_the_build_naming_the_chapter_and_the_cell(small_book):
    (small_book / "book" / "01_small.md").write_text(CHAPTER.format(cell="y = x / 0"))
    code, log = build_small(small_book)
    assert code != 0, "the build passed despite a failing cell"
    assert "01_small.md" in log, "the failing chapter is not named"
    assert "y = x / 0" in log and "ZeroDivisionError" in log, "the failing cell is not shown"


def test_a_number_quoting_an_undefined_name_fails_the_build_naming_it(small_book):
    text = CHAPTER.format(cell="y = x + 1") + "\nHere y is {eval}`f\"{why:.1f}\"`.\n"
    (small_book / "book" / "01_small.md").write_text(text)
    code, log = build_small(small_book)
    assert code != 0, "the build passed despite an {eval} of an undefined name"
    assert "01_small.md" in log and "name 'why' is not defined" in log
    assert 'f"{why:.1f}"' in log, "the expression is not shown"


def test_a_toc_entry_without_a_file_fails_the_build(small_book):
    (small_book / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n"
                                         "  - file: book/01_small\n  - file: book/02_gone\n")
    code, log = build_small(small_book)
    assert code != 0 and "02_gone" in log


def test_a_chapter_left_out_of_the_toc_fails_the_build(small_book):
    (small_book / "book" / "02_forgotten.md").write_text("# Forgotten\n\nText.\n")
    code, log = build_small(small_book)
    assert code != 0 and "book/02_forgotten.md is not listed in _toc.yml" in log
