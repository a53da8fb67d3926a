"""One chapter API: chapters call ``vt.*`` only, every name they call exists and is on the API page.

Every code cell of every chapter (book/NN_*.md, read with jupytext) is parsed
with ``ast``. The API page (book/api.md) lists names in ``vt-api`` blocks
(book/_ext/api_reference.py); those blocks are the page's groups.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections import Counter
from pathlib import Path

import jupytext
import pytest

import vae_teach as vt

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
API_PAGE = ROOT / "book" / "api.md"


def code_cells(chapter: Path) -> list[tuple[int, ast.Module]]:
    """(cell number, parsed source) of each code cell of a chapter."""
    cells = [c for c in jupytext.read(chapter).cells if c.cell_type == "code"]
    parsed = []
    for number, cell in enumerate(cells, start=1):
        # IPython magics and shell escapes are not Python; the chapters use none, but allow them.
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines())
        parsed.append((number, ast.parse(source, filename=f"{chapter.name}, code cell {number}")))
    return parsed


def api_blocks(page: Path = API_PAGE) -> list[list[str]]:
    """The names of each ``.. vt-api::`` block of the API page, relative to vae_teach."""
    blocks = []
    for match in re.finditer(r"^\.\. vt-api::\n((?:\n|   .*\n)+)", page.read_text(), flags=re.M):
        names = [line.strip().partition(":")[0].strip() for line in match[1].splitlines() if line.strip()]
        blocks.append(names)
    return blocks


def documented() -> set[str]:
    return {name for block in api_blocks() for name in block}


def _vt_names(tree: ast.Module) -> list[tuple[str, int]]:
    """(``name`` or ``exercises.name``, line) for each ``vt.name`` / ``vt.exercises.name`` in the tree."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        if isinstance(node.value, ast.Name) and node.value.id == "vt":
            found.append((node.attr, node.lineno))
        elif (isinstance(node.value, ast.Attribute) and node.value.attr == "exercises"
              and isinstance(node.value.value, ast.Name) and node.value.value.id == "vt"):
            found.append((f"exercises.{node.attr}", node.lineno))
    return [(name, line) for name, line in found if name != "exercises"] + \
        [("exercises", line) for name, line in found if name == "exercises"]


def chapter_names() -> dict[str, list[str]]:
    """Every vt name the chapters use -> where (``chapter, cell n, line m``)."""
    where: dict[str, list[str]] = {}
    for chapter in CHAPTERS:
        for number, tree in code_cells(chapter):
            for name, line in _vt_names(tree):
                where.setdefault(name, []).append(f"{chapter.name}, code cell {number}, line {line}")
    return where


def _resolve(name: str) -> object:
    obj: object = vt
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def test_the_chapters_exist_and_parse():
    assert CHAPTERS, "no book/NN_*.md chapters found"
    for chapter in CHAPTERS:
        assert code_cells(chapter), f"{chapter.name} has no code cells"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_a_chapter_imports_vae_teach_only_as_vt(chapter):
    wrong = []
    for number, tree in code_cells(chapter):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                wrong += [f"code cell {number}, line {node.lineno}: import {a.name}"
                          + (f" as {a.asname}" if a.asname else "")
                          for a in node.names if a.name.split(".")[0] == "vae_teach"
                          and (a.name, a.asname) != ("vae_teach", "vt")]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "vae_teach":
                wrong.append(f"code cell {number}, line {node.lineno}: from {node.module} import "
                             + ", ".join(a.name for a in node.names))
    assert not wrong, (f"{chapter.name} imports vae_teach other than `import vae_teach as vt` "
                       f"(chapters call vt.* and nothing else):\n  " + "\n  ".join(wrong))


def test_every_name_a_chapter_calls_exists_in_the_facade():
    missing, private = [], []
    for name, where in sorted(chapter_names().items()):
        try:
            _resolve(name)
        except AttributeError:
            missing.append(f"vt.{name} ({where[0]})")
            continue
        top, _, rest = name.partition(".")
        listed = rest in vt.exercises.__all__ if top == "exercises" and rest else name in vt.__all__
        if not listed:
            private.append(f"vt.{name} ({where[0]})")
    assert not missing, "chapters call names vae_teach does not have:\n  " + "\n  ".join(missing)
    assert not private, ("chapters call names the facade does not list in __all__ (vt.__all__ or "
                         "vt.exercises.__all__):\n  " + "\n  ".join(private))


def test_every_name_a_chapter_calls_is_on_the_api_page():
    absent = [f"vt.{name} ({where[0]})" for name, where in sorted(chapter_names().items())
              if name not in documented()]
    assert not absent, ("chapters call names that book/api.md does not document (add each to the "
                        "vt-api block of its group):\n  " + "\n  ".join(absent))


def test_the_api_page_groups_cover_vt_all_exactly_once():
    counts = Counter(name for block in api_blocks() for name in block if "." not in name)
    twice = sorted(name for name, n in counts.items() if n > 1)
    assert not twice, f"names in more than one group of book/api.md: {twice}"
    missing = sorted(set(vt.__all__) - set(counts))
    assert not missing, f"names of vt.__all__ missing from book/api.md: {missing}"
    extra = sorted(set(counts) - set(vt.__all__))
    assert not extra, f"book/api.md lists names that vt.__all__ does not: {extra}"


def test_the_api_page_covers_vt_exercises_all_exactly_once():
    names = [name.partition(".")[2] for block in api_blocks() for name in block
             if name.startswith("exercises.")]
    assert len(names) == len(set(names)), f"exercise names listed twice: {names}"
    assert set(names) == set(vt.exercises.__all__), (
        f"missing: {sorted(set(vt.exercises.__all__) - set(names))}; "
        f"extra: {sorted(set(names) - set(vt.exercises.__all__))}")


def test_every_name_on_the_api_page_exists():
    for name in sorted(documented()):
        module, _, attr = f"vae_teach.{name}".rpartition(".")
        try:
            try:
                importlib.import_module(f"{module}.{attr}")
            except ImportError:
                getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            pytest.fail(f"book/api.md documents vae_teach.{name}, which does not exist", pytrace=False)


def test_the_parser_sees_what_the_chapters_write():
    tree = ast.parse("import vae_teach as vt\nx = vt.fit(m, d)\nvt.exercises.check_ink(f)\nvt.nope\n")
    assert sorted(name for name, _ in _vt_names(tree)) == ["exercises", "exercises.check_ink", "fit", "nope"]
