"""The explorers' JavaScript and CSS: real files in ``vae_teach/explore/static``, read as package data.

``static/core.js`` holds what every view needs (reading the embedded weights, the
stored MLPs' forward pass, ``makeMlp``, for decoders and the draw view's encoder, the
swept codes of traversals, drawing digits, the ``root.vt`` test hook); each view has one
file (``map.js``, ``interpolation.js``, ``traversal.js``, ``arithmetic.js``, ``draw.js``,
``sweep.js``) that declares one function, ``VIEWS[kind].function``; ``explorer.css``
styles them all. ``page.explorer_html`` inlines them into each explorer, so a page needs no
other file and no network. The node tests in ``tests/explore/js`` run these files.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

__all__ = ["View", "VIEWS", "static_text", "stylesheet", "view_script", "static_files"]


@dataclass(frozen=True)
class View:
    """One explorer view: its JS file in ``static/``, the function that file declares, and the files it
    uses besides core.js (inlined before it)."""
    file: str
    function: str
    needs: tuple[str, ...] = ()


VIEWS: dict[str, View] = {
    "map": View("map.js", "mapView"),
    "interpolation": View("interpolation.js", "interpolationView"),
    "traversal": View("traversal.js", "traversalView"),
    "arithmetic": View("arithmetic.js", "arithmeticView"),
    "draw": View("draw.js", "drawView", needs=("map.js",)),
    "sweep": View("sweep.js", "sweepView"),  # chapter 7's beta explorer (explore/sweep.py)
}


def static_files() -> list[str]:
    """Names of the files in ``static/`` (the package data), sorted."""
    folder = resources.files(__package__).joinpath("static")
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith((".js", ".css")))


@functools.lru_cache(maxsize=None)
def static_text(name: str) -> str:
    """The text of ``static/<name>`` (e.g. "core.js"), UTF-8."""
    if name not in static_files():
        raise FileNotFoundError(f"expected one of the explorer files {static_files()}; got {name!r}")
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def stylesheet() -> str:
    """The CSS of every explorer (``static/explorer.css``)."""
    return static_text("explorer.css")


def view_script(kind: str, uid: str, data_json: str) -> str:
    """The whole ``<script>`` body of one explorer of ``kind`` (a key of ``VIEWS``).

    The core and the view's file run inside one function of their own, called with the
    explorer's root element (found by its id ``uid``) and its data (``data_json``, JSON
    that is safe inside a script element: no ``</``).
    """
    if kind not in VIEWS:
        raise ValueError(f"expected an explorer kind in {sorted(VIEWS)}; got {kind!r}")
    if "</" in data_json:
        raise ValueError("expected data_json with '</' escaped (as '<\\/'); it would end the script element")
    view = VIEWS[kind]
    return ("(function (root, data) {\n'use strict';\n" + static_text("core.js") + "\n"
            + "".join(static_text(name) + "\n" for name in view.needs)
            + static_text(view.file) + f"\nstart(root, data, {view.function});\n}})"
            + f"(document.getElementById('{uid}'), {data_json});")
