"""Sphinx extension: show a docstring verbatim when it is not valid reStructuredText.

vae_teach's docstrings are written for ``help()`` and the editor first
(STYLE.md: shapes, units, plain prose such as ``|logits|``), and reST only
where it is harmless. autodoc parses them as reST, so a plain ``|x|`` or an
indented continuation line would be a build warning, and the book builds
with warnings as errors. This hook parses each docstring on its own first;
if docutils objects, the docstring is shown as a literal block, exactly as
written, instead of failing the build or rendering garbled.
"""

from __future__ import annotations

import docutils.frontend
import docutils.nodes
import docutils.parsers.rst
import docutils.utils
from sphinx.application import Sphinx

# Sphinx adds roles and directives that bare docutils does not know.
_SPHINX_ONLY = ("Unknown interpreted text role", "Unknown directive type", "No role entry",
                "No directive entry")


def _problems(text: str, app: Sphinx) -> list[str]:
    """The warnings and errors docutils reports for ``text`` (Sphinx-only constructs ignored)."""
    settings = docutils.frontend.get_default_settings(docutils.parsers.rst.Parser)
    settings.report_level = 5
    settings.halt_level = 5
    settings.warning_stream = False
    settings.env = app.env  # Sphinx's roles (:class:, :func:, ...) look it up
    document = docutils.utils.new_document("<docstring>", settings)
    found: list[str] = []
    document.reporter.attach_observer(
        lambda msg: found.append(msg.astext()) if msg["level"] >= 2 else None)
    docutils.parsers.rst.Parser().parse(text, document)
    # |x| parses as a substitution, which fails later, when Sphinx resolves it.
    for ref in document.findall(docutils.nodes.substitution_reference):
        found.append(f"undefined substitution |{ref.astext()}|")
    return [m for m in found if not any(s in m for s in _SPHINX_ONLY)]


def _process(app: Sphinx, what: str, name: str, obj: object, options: dict, lines: list[str]) -> None:
    if not lines or not _problems("\n".join(lines), app):
        return
    verbatim = ["::", ""] + [f"    {line}" if line.strip() else "" for line in lines] + [""]
    lines[:] = verbatim


def setup(app: Sphinx) -> dict:
    app.connect("autodoc-process-docstring", _process)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
