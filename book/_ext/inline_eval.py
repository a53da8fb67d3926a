"""Sphinx extension: ``{eval}`` numbers in the prose, the same in the book and in JupyterLab.

A chapter quotes a value computed on the page with the ``{eval}`` role and a
Python expression, formatted as the sentence needs it::

    The training set holds {eval}`f"{n_train:,}"` images.

In JupyterLab, jupyterlab-myst evaluates the expression in the kernel when the
markdown cell runs (Run All) and shows the result. The book executes its
chapters through myst-nb's execution cache, which has no kernel left while the
prose is rendered (myst-nb's own ``{eval}`` needs ``execution_mode: inline``,
which has no cache). So, for the book build, this extension

1. reads each chapter (``inline_eval_glob``) with myst-nb's MyST notebook
   reader and puts, in front of every markdown cell that quotes ``{eval}``, a
   hidden code cell that evaluates those expressions in the kernel at that
   point of the page and glues the results (``myst_nb.glue``); the cached
   execution stores them with the other outputs;
2. replaces the ``{eval}`` role by one that reads the glued result back: its
   ``text/plain``, the quotes of a string removed, as jupyterlab-myst shows it.

A name that does not exist stops the execution of the chapter (``NameError`` in
the hidden cell, shown with its code); a role without a glued value (a page that
is not a notebook, a role inside a construct the reader does not look into) is a
build warning, so an error under ``-W``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import nbformat
from docutils import nodes
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook
from myst_nb.core.variables import RetrievalError
from myst_nb.ext.glue.utils import retrieve_glue_data
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

logger = logging.getLogger(__name__)

ROLE = "eval"
# Directives whose body is code or literal text: an {eval} written there is not a role.
_LITERAL_DIRECTIVES = {"code-cell", "code-block", "code", "sourcecode", "literalinclude",
                       "raw-cell", "raw", "math"}
# jupyterlab-myst shows a string result without its quotes (/^(["'])(.*)\1$/).
_QUOTED = re.compile(r"([\"'])(.*)\1")
_CELL_HEADER = ("# The {eval} values of the markdown cell below, for the book build "
                "(book/_ext/inline_eval.py).\n"
                "from myst_nb import glue as _inline_eval_glue\n")


def glue_key(expression: str, occurrence: int) -> str:
    """The glue name of the ``occurrence``-th (from 1) ``{eval}`expression``` of a page."""
    return f"eval[{occurrence}] {expression}"


def shown_text(plain: str) -> str:
    """What a ``text/plain`` result reads as in the prose: a string loses its quotes."""
    match = _QUOTED.fullmatch(plain)
    return match.group(2) if match else plain


def _directive_body(token: Token) -> str:
    """The content of a directive fence without its ``:option:`` lines and YAML block."""
    lines = token.content.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        lines = lines[end + 1:]
    while lines and lines[0].startswith(":"):
        lines.pop(0)
    return "\n".join(lines)


def eval_expressions(markdown: str, md_parser: Any) -> Iterator[str]:
    """The ``{eval}`` expressions of a markdown text, in reading order.

    Code spans and code blocks are skipped; the bodies of other directives
    (admonitions, exercises) are read too, as MyST renders them.
    """
    for token in md_parser.parse(markdown):
        if token.type in ("fence", "colon_fence"):
            match = re.match(r"\{([^}]+)\}", token.info.strip())
            if match and match.group(1) not in _LITERAL_DIRECTIVES:
                yield from eval_expressions(_directive_body(token), md_parser)
        for child in token.children or ():
            if child.type == "myst_role" and child.meta.get("name") == ROLE:
                yield child.content


def add_eval_cells(notebook: nbformat.NotebookNode, md_config: MdParserConfig
                   ) -> nbformat.NotebookNode:
    """Put a hidden glue cell in front of each markdown cell that quotes ``{eval}``.

    The new cell takes the source line of its markdown cell in the notebook's
    ``source_map``, so the line numbers of warnings stay those of the ``.md``.
    """
    md_parser = create_md_parser(md_config, RendererHTML)
    source_map = notebook.metadata.get("source_map")
    seen: dict[str, int] = {}
    cells, lines = [], []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            calls = []
            for expression in eval_expressions(cell.source, md_parser):
                seen[expression] = seen.get(expression, 0) + 1
                key = glue_key(expression, seen[expression])
                calls.append(f"_inline_eval_glue({key!r}, ({expression}), display=False)\n")
            if calls:
                cells.append(nbformat.v4.new_code_cell(
                    source=_CELL_HEADER + "".join(calls),
                    metadata={"tags": ["remove-cell"]}))
                if source_map is not None:
                    lines.append(source_map[index])
        cells.append(cell)
        if source_map is not None:
            lines.append(source_map[index])
    notebook.cells = cells
    if source_map is not None:
        notebook.metadata["source_map"] = lines
    return notebook


def read_notebook(text: str, *, extensions: list[str] | None = None) -> nbformat.NotebookNode:
    """myst-nb's reader for MyST notebooks, plus the ``{eval}`` glue cells.

    Registered through ``nb_custom_formats`` for each chapter (see ``setup``).
    """
    md_config = MdParserConfig(enable_extensions=set(extensions or ()))
    notebook = read_myst_markdown_notebook(text, config=md_config, add_source_map=True)
    return add_eval_cells(notebook, md_config)


class EvalRole(SphinxRole):
    """``{eval}`expression```: the value the book's execution glued for it."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        counts = self.env.temp_data.setdefault("inline_eval_counts", {})
        counts[self.text] = counts.get(self.text, 0) + 1
        key = glue_key(self.text, counts[self.text])
        try:
            result = retrieve_glue_data(self.inliner.document, key)
        except RetrievalError as exc:
            self._warn(f"no value was computed for {{eval}}`{self.text}` ({exc}); the role "
                       f"works in the prose of a chapter (a MyST notebook matched by "
                       f"inline_eval_glob), outside directives that hold code")
            return [], []
        plain = result.data.get("text/plain")
        if plain is None:
            self._warn(f"{{eval}}`{self.text}` has no text/plain value")
            return [], []
        text = shown_text(plain)
        node = nodes.inline(text, text, classes=["pasted-text"])
        self.set_source_info(node)
        return [node], []

    def _warn(self, message: str) -> None:
        logger.warning(message, location=self.get_location(), type="vae_teach", subtype="eval")


def _register_chapters(app: Sphinx, config: Config) -> None:
    """Read the chapters with ``read_notebook`` (myst-nb's ``nb_custom_formats``).

    myst-nb matches a format by the end of the source path, so the key of a
    chapter is its path from the book's root with a leading slash
    (``/book/01_data.md``): it ends the chapter's path and no other file's.
    """
    formats = dict(config.nb_custom_formats or {})
    source = Path(app.srcdir)
    for path in sorted(source.glob(config.inline_eval_glob)):
        if is_myst_markdown_notebook(path.read_text(encoding="utf-8")):
            key = "/" + path.relative_to(source).as_posix()
            formats[key] = ("inline_eval.read_notebook",
                            {"extensions": sorted(config.myst_enable_extensions)}, False)
    config.nb_custom_formats = formats


def setup(app: Sphinx) -> dict:
    app.add_config_value("inline_eval_glob", "book/[0-9][0-9]_*.md", "env")
    # After myst-nb's own config-inited hook, which would register the keys as
    # source suffixes; myst-nb turns nb_custom_formats into its config later,
    # at builder-inited.
    app.connect("config-inited", _register_chapters, priority=600)
    # myst-nb registers its {eval} role (inline execution only) in its setup;
    # this one replaces it.
    app.add_role(ROLE, EvalRole(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
