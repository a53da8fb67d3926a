"""Sphinx extension: the API reference lists vae_teach's names by task, from their docstrings.

book/api.md groups the names in ``vt-api`` blocks (inside ``{eval-rst}``)::

    .. vt-api::

       load_mnist
       ImageData
       VAE: encode, decode, sample
       exercises.check_flatten

A name is relative to ``vae_teach``; after a colon, the members of a class to
document. Each block becomes a table (the name as the chapters write it,
``vt.load_mnist``, and the first paragraph of its docstring: what it does, with
shapes and units), followed by the autodoc entry of each name. A name that does
not exist is a build warning, so an error under ``-W``. tests/test_chapter_api.py
reads the same blocks: every name a chapter calls is here, and every name of
``vt.__all__`` is in exactly one block.

``.. vt-recipes::`` is the table of the named models (``vt.RECIPES``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import types
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)
ROOT = "vae_teach"


def resolve(name: str) -> tuple[Any, str]:
    """The object called ``vae_teach.<name>`` and the module whose namespace holds it."""
    parts = f"{ROOT}.{name}".split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        holder = ".".join(parts[:cut])
        for i, part in enumerate(parts[cut:]):
            if i == len(parts[cut:]) - 1 and isinstance(obj, types.ModuleType):
                holder = obj.__name__
            obj = getattr(obj, part)
        return obj, holder
    raise ImportError(f"no module {ROOT}")


def _defining_module(holder: str, attr: str) -> str:
    """The module that assigns ``attr``: followed through ``from .x import attr`` in ``holder``."""
    module = importlib.import_module(holder)
    source = Path(inspect.getsourcefile(module) or "")
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == attr for a in node.names):
            package = holder if source.name == "__init__.py" else holder.rpartition(".")[0]
            base = package.split(".")
            if node.level > 1:
                base = base[:-(node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module
            return _defining_module(target, attr) if target else holder
    return holder


def data_doc(name: str) -> list[str]:
    """The ``#:`` comment above a module-level constant, found in the module that defines it."""
    attr = name.rpartition(".")[2]
    _, holder = resolve(name)
    module = _defining_module(holder, attr)
    docs = ModuleAnalyzer.for_module(module).find_attr_docs()
    return [line for line in docs.get(("", attr), []) if line.strip()]


def is_data(obj: Any) -> bool:
    return not (isinstance(obj, types.ModuleType) or inspect.isclass(obj) or callable(obj))


def summary(name: str) -> str:
    """The first paragraph of the docstring of ``vae_teach.<name>``, on one line."""
    obj, _ = resolve(name)
    text = "\n".join(data_doc(name)) if is_data(obj) else (inspect.getdoc(obj) or "")
    return " ".join(text.strip().split("\n\n")[0].split())


def shown_name(name: str) -> str:
    """How a chapter writes the name: ``vt.<name>`` for the facade's names, else ``vae_teach.<name>``."""
    facade = importlib.import_module(ROOT)
    return f"vt.{name}" if name.split(".")[0] in getattr(facade, "__all__", ()) else f"{ROOT}.{name}"


def parse_entry(line: str) -> tuple[str, list[str]]:
    """``"VAE: encode, decode"`` -> ``("VAE", ["encode", "decode"])``."""
    name, _, members = line.partition(":")
    return name.strip(), [m.strip() for m in members.split(",") if m.strip()]


def _table(rows: list[tuple[list[nodes.Node], list[nodes.Node]]], header: tuple[str, str],
           widths: tuple[int, int], css: str) -> nodes.table:
    table = nodes.table(classes=[css])
    group = nodes.tgroup(cols=2)
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += nodes.row("", *(nodes.entry("", nodes.paragraph(text=h)) for h in header))
    group += head
    body = nodes.tbody()
    for left, right in rows:
        body += nodes.row("", nodes.entry("", nodes.paragraph("", "", *left)),
                          nodes.entry("", nodes.paragraph("", "", *right)))
    group += body
    return table


class ApiDirective(SphinxDirective):
    """``.. vt-api::`` with one name per line: a summary table, then each name's autodoc entry."""

    has_content = True

    def _inline(self, text: str) -> list[nodes.Node]:
        parsed, messages = self.state.inline_text(text, self.lineno)
        return [nodes.Text(text)] if messages else parsed

    def _entry(self, name: str, members: list[str]) -> list[str]:
        obj, _ = resolve(name)
        full = f"{ROOT}.{name}"
        if isinstance(obj, types.ModuleType):
            return [f".. automodule:: {full}", ""]
        if inspect.isclass(obj):
            kind = "autoexception" if issubclass(obj, BaseException) else "autoclass"
            options = [f"   :members: {', '.join(members)}"] if members else []
            return [f".. {kind}:: {full}", *options, ""]
        if callable(obj):
            return [f".. autofunction:: {full}", ""]
        # With :module:, not a dotted name: an automodule above sets the current module.
        module, _, attr = full.rpartition(".")
        return [f".. py:data:: {attr}", f"   :module: {module}", "", *(f"   {line}" for line in data_doc(name)), ""]

    def run(self) -> list[nodes.Node]:
        rows, source = [], StringList()
        for line in self.content:
            if not line.strip():
                continue
            name, members = parse_entry(line)
            try:
                resolve(name)
            except (ImportError, AttributeError) as error:
                logger.warning("vt-api: %s.%s does not exist (%s); remove it from the page or fix the name",
                               ROOT, name, error, location=self.get_location(), type="vae_teach", subtype="api")
                continue
            link = self._inline(f":py:obj:`{shown_name(name)} <{ROOT}.{name}>`")
            for node in link:
                for xref in node.findall(addnodes.pending_xref) if isinstance(node, nodes.Element) else ():
                    xref["vt_api"] = True  # see _unresolved
            rows.append((link, self._inline(summary(name))))
            for text in self._entry(name, members):
                source.append(text, self.get_source_info()[0], self.lineno)
        entries = nodes.container(classes=["vt-api-entries"])
        self.state.nested_parse(source, self.content_offset, entries)
        return [_table(rows, ("name", "what it does"), (32, 68), "vt-api-summary"), *entries.children]


class RecipesDirective(SphinxDirective):
    """``.. vt-recipes::``: the named models of ``vt.RECIPES``, what each is and where the book uses it."""

    def run(self) -> list[nodes.Node]:
        recipes = importlib.import_module(ROOT).RECIPES
        rows = []
        for name, recipe in recipes.items():
            chapters = ", ".join(f":doc:`{int(stem[:2])} <{stem}>`" for stem in recipe.chapters)
            parsed, _ = self.state.inline_text(f'``"{name}"``', self.lineno)
            word = "chapter" if len(recipe.chapters) == 1 else "chapters"
            used, _ = self.state.inline_text(f"{recipe.summary}; {word} {chapters}", self.lineno)
            rows.append((parsed, used))
        return [_table(rows, ("name", "the model, and the chapters that use it"), (22, 78), "vt-recipes")]


def _unresolved(app: Sphinx, env: Any, node: addnodes.pending_xref, contnode: nodes.Element) -> None:
    """A name in a vt-api table whose entry is missing is a warning (nitpick_ignore_regex hides vae_teach.*)."""
    if node.get("vt_api"):
        logger.warning("vt-api: the table links to %s, which has no entry on the page", node["reftarget"],
                       location=node, type="vae_teach", subtype="api")


def setup(app: Sphinx) -> dict:
    app.connect("missing-reference", _unresolved)
    app.add_directive("vt-api", ApiDirective)
    app.add_directive("vt-recipes", RecipesDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
