"""The beta explorer: a slider over the models of a beta sweep switches the decoder in the page.

For the beta on the slider the page shows a test digit, its reconstruction, and traversals
of that model's latent dimensions with the highest KL, with the model's rate, distortion
and active units. The same machinery as chapter 5's explorers (``explorers.Explorer``,
``page.explorer_html``, ``static/core.js``), one more view (``static/sweep.js``): every
decoder travels into the page, so moving the slider needs no kernel.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import torch
from torch import Tensor

from ..analysis.codes import encode_dataset
from ..analysis.latent_usage import kl_per_dimension
from ..analysis.paths import traversal_codes
from ..analysis.latent_usage import active_units
from ..analysis.rate_distortion import rate_distortion
from . import page
from .checks import check_codes, check_images_and_labels, check_int_in, check_models, check_span, position
from .export import reference
from .explorers import Explorer, _scattered, gallery_index

__all__ = ["BetaExplorer", "beta_explorer", "SWEEP_STEPS"]

#: Images in each traversal row (fixed in the page): enough to see a change, few enough to decode in 5 ms.
SWEEP_STEPS = (3, 11)


def _check_betas(models: object) -> dict[float, Any]:
    if not isinstance(models, Mapping) or not models:
        raise TypeError(f"expected models as a non-empty dict {{beta: VAE}}, e.g. {{1.0: vae, 4.0: vae4}}; got "
                        f"{type(models).__name__}")
    betas = list(models)
    if not all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) and b > 0
               for b in betas):
        raise ValueError(f"expected positive finite betas as the keys; got {betas}")
    dims = {getattr(m, "latent_dim", None) for m in models.values()}
    if any(not getattr(m, "is_variational", False) for m in models.values()) or len(dims) != 1:
        raise ValueError(f"expected VAEs of one latent size (the traversals compare dimensions); got latent "
                         f"sizes {sorted(str(d) for d in dims)}")
    return {float(b): models[b] for b in sorted(betas)}


class BetaExplorer(Explorer):
    """The models of a beta sweep, {beta: VAE}, behind one slider.

    images (N, 1, 28, 28) in [0, 1], labels (N,): the test digits; their KL per dimension,
    rate, distortion and active units are measured on them, and a gallery of ``per_class`` of
    each digit is offered. rows: dimensions traversed (highest KL first), 1 to 5; steps:
    images per row; span: each traversal runs from -span to +span (latent units, 0.5 to 4).
    beta: the beta shown first.
    """

    kind = "sweep"

    def __init__(self, models: Mapping[float, Any], images: Tensor, labels: Tensor, digit: int = 3,
                 beta: float | None = None, rows: int = 3, steps: int = 7, span: float = 3.0,
                 per_class: int = 2, title: str = "The beta sweep: move the slider to change the model") -> None:
        super().__init__()
        by_beta = _check_betas(models)
        self.names = [f"beta={b:g}" for b in by_beta]
        self.models = check_models(dict(zip(self.names, by_beta.values())))
        x, labels = check_images_and_labels(images, labels)
        self.rows = check_int_in(rows, "rows", 1, min(5, next(iter(self.models.values())).latent_dim))
        self.steps = check_int_in(steps, "steps", *SWEEP_STEPS, " (images in a traversal row)")
        self.span = check_span(span, *page.SPAN)
        self.betas = list(by_beta)
        if beta is not None and float(beta) not in by_beta:
            raise ValueError(f"expected beta from the sweep {self.betas}; got {beta!r}")
        self.first = self.betas.index(float(beta)) if beta is not None else len(self.betas) // 2
        self.images, self.labels, self.title = x, labels, title
        self.index = gallery_index(labels, per_class)
        self.start = position(self.index, labels, digit, "digit")
        self.codes, self.top, self.kl, self.stats = {}, {}, {}, {}
        for name, model in self.models.items():
            self.codes[name] = check_codes(name, encode_dataset(model, x))[self.index]
            kl = kl_per_dimension(model, x)
            order = torch.argsort(kl, descending=True)[:self.rows]
            self.top[name] = [int(d) for d in order]
            self.kl[name] = [round(float(kl[d]), 4) for d in order]
            rate, distortion = rate_distortion(model, x)
            self.stats[name] = {"rate": round(rate, 3), "distortion": round(distortion, 3),
                                "active": active_units(model, x)}
        self._check_budget(self.models)

    def _build_html(self, sizing: bool = False) -> str:
        calibration = None if sizing else {k: self.domain(k) for k in self.models}
        data = {"kind": "sweep", "order": self.names, "betas": self.betas,
                **page._models(self.models, "int8", calibration, sizing),
                "gallery": page._gallery(self.images, self.labels, self.index,
                                         {k: _scattered(c, self.index, self.images.shape[0])
                                          for k, c in self.codes.items()}),
                "top": self.top, "kl": self.kl, "stats": self.stats, "span": self.span, "steps": self.steps,
                "start": self.start, "beta": self.first,
                "reference": [reference(m, k, self.codes[k][self.start].tolist())
                              for k, m in self.models.items()]}
        rows = "".join('<div class="vt-name"></div><canvas class="vt-img vt-path" width="28" height="28" '
                       f'role="img" aria-label="traversal {r + 1}: one latent dimension swept"></canvas>'
                       for r in range(self.rows))
        body = ('<div class="vt-controls">'
                f'<label>beta <input type="range" class="vt-beta" min="0" max="{len(self.names) - 1}" step="1" '
                f'value="{self.first}" aria-label="beta, by its position in the sweep">'
                '<output class="vt-beta-out"></output></label>' + page._select("vt-digit", "digit") + '</div>'
                '<div class="vt-row" style="align-items:center"><canvas class="vt-img vt-ends" width="28" '
                'height="28" role="img" aria-label="the test digit and its reconstruction"></canvas>'
                '<span>the test digit, and its reconstruction by this model</span></div>'
                '<p class="vt-stats" aria-live="polite"></p>' + rows
                + '<div class="vt-values" title="the swept dimension\'s value under each image"></div>')
        return page.explorer_html("sweep", data, body, self.title)

    def domain(self, name: str) -> Tensor:
        """Codes the page decodes for model ``name``: each gallery code, and each with a top dimension swept."""
        values = torch.linspace(-self.span, self.span, self.steps)
        swept = [traversal_codes(z, d, values) for z in self.codes[name] for d in self.top[name]]
        return torch.cat([self.codes[name], *swept])


def beta_explorer(models: Mapping[float, Any], images: Tensor, labels: Tensor, **kwargs: Any) -> BetaExplorer:
    """A slider over the betas of a sweep {beta: VAE}; see ``BetaExplorer`` (keywords: digit, beta, rows, steps,
    span, per_class, title)."""
    return BetaExplorer(models, images, labels, **kwargs)

