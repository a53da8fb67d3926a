"""Sphinx extension: a chapter file that _toc.yml leaves out is a build warning.

The book builds only the files listed in _toc.yml (``only_build_toc_files``),
so a chapter forgotten there would silently vanish from the book. Every
``book/NN_*.md`` must be listed; with ``-W`` a missing one fails the build.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _check(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    source = Path(app.srcdir)
    for path in sorted(source.glob("book/[0-9][0-9]_*.md")):
        docname = path.relative_to(source).with_suffix("").as_posix()
        if docname not in env.found_docs:
            logger.warning("chapter %s is not listed in _toc.yml; add it (- file: %s) or remove the file",
                           path.relative_to(source).as_posix(), docname,
                           type="vae_teach", subtype="toc")


def setup(app: Sphinx) -> dict:
    app.connect("env-before-read-docs", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
