"""The four explorer views: their markup, the data each carries, and the HTML block around them.

Each view function returns one self-contained HTML block (``explorer_html``): markup,
the CSS and JS of ``static/`` inlined (``assets``), and the data as JSON. The same
block is the explorer in the built book and in JupyterLab; nothing calls back to
Python. The models must have MLP decoders (``export.export_decoder`` refuses others).
Codes are precomputed in Python (the VAE's posterior means), so the page only decodes.
``calibration`` (model name -> codes from the region the view decodes) lets the
int8 export compensate its rounding error (``vae_teach.quantize``).
"""

from __future__ import annotations

import hashlib
import html as html_lib
import itertools
import json
from typing import Any, Mapping, Sequence

import numpy as np
from torch import Tensor

from ..plot.style import PRIOR_RADII
from .assets import VIEWS, stylesheet, view_script
from .export import _b64, decoder_skeleton, export_decoder, reference

__all__ = ["UNTRUSTED_MESSAGE", "INTERPOLATION_STEPS", "ROW_STEPS", "SPAN", "explorer_html", "map_view",
           "interpolation_view", "traversal_view", "arithmetic_view"]

#: What the page's controls can show; the explorers refuse other values. Interpolation steps (slider):
INTERPOLATION_STEPS = (3, 12)
#: images in a traversal or arithmetic row (fixed in the page):
ROW_STEPS = (2, 32)
#: the traversal's sweep slider: (min, max, step), latent units.
SPAN = (0.5, 4.0, 0.5)

#: Shown where the explorer's script has not run; the script hides it. JupyterLab runs the
#: scripts of an output only when the output is trusted: made in this session (or signed).
UNTRUSTED_MESSAGE = "Run this cell to use the explorer."
_UNTRUSTED_WHY = ("JupyterLab runs an output's script only if it trusts the output: made in this session, "
                  "or saved in a notebook that it signed when you saved it here. In the web book, the "
                  "explorer needs JavaScript.")
_counter = itertools.count()


def explorer_html(kind: str, data: dict[str, Any], body: str, title: str, carried: str = "the decoder") -> str:
    """One self-contained explorer: scoped CSS, the markup ``body``, and a script in its own scope.

    kind: a key of ``assets.VIEWS``; data: the JSON the view's JS reads; body: the view's
    controls and canvases. The root element gets a page-unique id and
    ``data-vt-explorer=<kind>``; the script (once it runs) hides the "Run this cell"
    message, shows the body and puts a ``vt`` property on the root (decode, reference,
    renders, updateMs) for tests. carried: what the note says the page carries besides the codes.
    """
    if kind not in VIEWS:
        raise ValueError(f"expected kind in {sorted(VIEWS)}; got {kind!r}")
    blob = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    uid = f"vt-{kind}-{hashlib.sha1(blob.encode()).hexdigest()[:8]}-{next(_counter)}"
    script = view_script(kind, uid, blob)
    dtypes = sorted({layer["dtype"] for spec in data.get("models", {}).values() for layer in spec["layers"]})
    note = (f"Runs in your browser with no Python behind it: {carried} ({'/'.join(dtypes)} weights) "
            f"and the codes are in this page ({len(script) / 1000:.0f} KB).")
    title = html_lib.escape(title)
    return (f'<div class="vt-explorer" id="{uid}" data-vt-explorer="{kind}" role="group" aria-label="{title}">\n'
            f'<style>{stylesheet()}</style>\n'
            f'<div class="vt-title"><strong>{title}</strong></div>\n'
            f'<p class="vt-untrusted"><strong>{UNTRUSTED_MESSAGE}</strong> {html_lib.escape(_UNTRUSTED_WHY)}</p>\n'
            f'<div class="vt-body" style="display: none">\n{body}\n<div class="vt-note">{note}</div>\n</div>\n'
            f'<script>{script}</script>\n</div>')


def _models(models: Mapping[str, Any], dtype: str, calibration: Mapping[str, Tensor] | None,
            sizing: bool = False) -> dict[str, Any]:
    """The decoders' JSON; ``sizing``: placeholders of the same length (the page's exact size, at no cost)."""
    calibration = calibration or {}
    return {"models": {k: decoder_skeleton(m, dtype) if sizing else export_decoder(m, dtype, calibration.get(k))
                       for k, m in models.items()},
            "dims": {k: int(m.latent_dim) for k, m in models.items()}}


def _gallery(images: Tensor, labels: Tensor, index: Sequence[int], codes: Mapping[str, Tensor]) -> dict[str, Any]:
    """Chosen test digits: their indices, labels, pixels (uint8) and codes under each model."""
    idx = list(index)
    pixels = (images[idx].reshape(len(idx), 784).cpu().numpy() * 255.0).round().astype(np.uint8)
    return {"index": [int(i) for i in idx], "labels": [int(labels[i]) for i in idx], "images": _b64(pixels),
            "codes": {k: _b64(c[idx].cpu().numpy().astype("<f4")) for k, c in codes.items()}}


def _select(cls: str, label: str) -> str:
    return f'<label>{label} <select class="{cls}"></select></label>'


def _range(cls: str, label: str, lo: float, hi: float, step: float, value: float) -> str:
    return (f'<label>{label} <input type="range" class="{cls}" min="{lo}" max="{hi}" step="{step}" '
            f'value="{value}"><output class="{cls}-out"></output></label>')


def map_view(name: str, model: Any, codes: Tensor, labels: Tensor, extent: Sequence[float],
             start: Sequence[float], title: str, dtype: str = "int8",
             calibration: Mapping[str, Tensor] | None = None, sizing: bool = False) -> str:
    """The 2-D latent plane: scatter of ``codes`` (N, 2) coloured by ``labels``; pointer or arrows decode."""
    data = {"kind": "map", "model": name, **_models({name: model}, dtype, calibration, sizing),
            "codes": _b64(codes.cpu().numpy().astype("<f4")),
            "labels": _b64(labels.cpu().numpy().astype(np.uint8)),
            "extent": [float(v) for v in extent], "start": [float(v) for v in start],
            "prior": [float(r) for r in PRIOR_RADII], "reference": [reference(model, name, start)]}
    body = ('<div class="vt-row"><canvas class="vt-map" width="360" height="360" tabindex="0" role="application" '
            'aria-label="Latent plane. Point or drag to decode a code; arrow keys move it, Shift for bigger steps.">'
            '</canvas><div><canvas class="vt-img" width="28" height="28" role="img" aria-label="decoded image">'
            '</canvas><p><output aria-live="polite"></output></p>'
            '<p class="vt-note">Point at the map or drag over it;<br>or click it and use the arrow keys.</p>'
            '<p class="vt-note">Dashed circles: the prior N(0, I)<br>at ' + " and ".join(f"{r:g}" for r in PRIOR_RADII)
            + ' standard deviations.</p></div></div>')
    return explorer_html("map", data, body, title)


def interpolation_view(models: Mapping[str, Any], images: Tensor, labels: Tensor, index: Sequence[int],
                       codes: Mapping[str, Tensor], start: int, end: int, title: str, steps: int = 8,
                       dtype: str = "int8", calibration: Mapping[str, Tensor] | None = None,
                       sizing: bool = False) -> str:
    """Decoded paths between two gallery digits, one row per model; linear or spherical; 3-12 steps."""
    data = {"kind": "interpolation", "order": list(models), **_models(models, dtype, calibration, sizing),
            "gallery": _gallery(images, labels, index, codes), "start": start, "end": end,
            "reference": [reference(m, k, codes[k][index[start]].tolist()) for k, m in models.items()]}
    rows = "".join(f'<div class="vt-name">{k}</div><canvas class="vt-img vt-path" width="28" height="28" '
                   f'role="img" aria-label="{k}: decoded path"></canvas>' for k in models)
    body = ('<div class="vt-controls">' + _select("vt-a", "from") + _select("vt-b", "to")
            + '<label>path <select class="vt-method"><option value="linear">linear (lerp)</option>'
              '<option value="spherical">spherical (slerp)</option></select></label>'
            + _range("vt-steps", "steps", *INTERPOLATION_STEPS, 1, steps) + '</div>'
            + '<div class="vt-name">test digits</div><canvas class="vt-img vt-ends" width="28" height="28" '
              'role="img" aria-label="the two test digits, each above its end of the paths"></canvas>'
            + rows)
    return explorer_html("interpolation", data, body, title)


def traversal_view(name: str, model: Any, images: Tensor, labels: Tensor, index: Sequence[int],
                   codes: Tensor, start: int, dim: int, title: str, span: float = 3.0, steps: int = 9,
                   dtype: str = "int8", calibration: Mapping[str, Tensor] | None = None,
                   sizing: bool = False) -> str:
    """Sweep one latent dimension of a gallery digit's code from -span to +span; the others stay."""
    data = {"kind": "traversal", "model": name, **_models({name: model}, dtype, calibration, sizing),
            "gallery": _gallery(images, labels, index, {name: codes}), "start": start, "dim": dim,
            "steps": steps, "reference": [reference(model, name, codes[index[start]].tolist())]}
    body = ('<div class="vt-controls">' + _select("vt-digit", "digit") + _select("vt-dim", "dimension")
            + _range("vt-span", "sweep", *SPAN, span) + '</div>'
            + '<div class="vt-row" style="align-items:center"><canvas class="vt-img vt-ends" width="28" height="28" '
              'role="img" aria-label="the test digit"></canvas><span class="vt-own"></span></div>'
            + '<canvas class="vt-img vt-path" width="28" height="28" role="img" aria-label="decoded sweep"></canvas>'
              '<div class="vt-values" title="the swept dimension\'s value under each image"></div>')
    return explorer_html("traversal", data, body, title)


def arithmetic_view(name: str, model: Any, images: Tensor, labels: Tensor, index: Sequence[int],
                    codes: Tensor, means: Tensor, start: int, source: int, target: int, title: str,
                    steps: int = 7, dtype: str = "int8",
                    calibration: Mapping[str, Tensor] | None = None, sizing: bool = False,
                    classes: Sequence[int] | None = None) -> str:
    """z + t (mean[target] - mean[source]) for t from 0 to the chosen amount, decoded in a row.

    classes: the digits the from/to menus offer (default 0-9): those whose mean exists.
    """
    data = {"kind": "arithmetic", "model": name, **_models({name: model}, dtype, calibration, sizing),
            "gallery": _gallery(images, labels, index, {name: codes}),
            "means": _b64(means.cpu().numpy().astype("<f4")), "start": start, "source": source,
            "target": target, "steps": steps, "classes": list(range(10) if classes is None else classes),
            "reference": [reference(model, name, codes[index[start]].tolist())]}
    body = ('<div class="vt-controls">' + _select("vt-digit", "digit") + _select("vt-from", "direction: from mean of")
            + _select("vt-to", "to mean of") + _range("vt-amount", "amount", -1, 2, 0.05, 1.0) + '</div>'
            + '<div class="vt-row" style="align-items:center"><canvas class="vt-img vt-ends" width="28" height="28" '
              'role="img" aria-label="the test digit"></canvas><span>the test digit; below: its code moved by 0 '
              '&rarr; amount &times; (mean[to] &minus; mean[from])</span></div>'
            + '<canvas class="vt-img vt-path" width="28" height="28" role="img" aria-label="decoded moves"></canvas>'
              '<div class="vt-values" title="the amount t under each image"></div>')
    return explorer_html("arithmetic", data, body, title)
