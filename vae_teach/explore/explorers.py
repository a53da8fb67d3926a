"""Latent-space explorers: one call each, one view, the same in the built book and in JupyterLab.

An explorer is an object whose ``_repr_mimebundle_`` is a single ``text/html``
block (``page.py``): the decoder's weights (int8 with per-row scales, float16 for
the small first layer), the precomputed codes and a small JS forward pass
(``static/*.js``). Pointing at the map or moving a control decodes in the browser,
with no kernel behind it, in the built book as in JupyterLab (which runs the
script of an output made in the session; a saved output opened again shows
"Run this cell to use the explorer" instead).

Only MLP decoders can travel into the page (``vt.Autoencoder`` / ``vt.VAE``): the
explorers refuse any other model at construction with
``export.UnsupportedModelError``. Everything else that would break the view later
is refused at construction too, naming what came in (``checks``): NaN weights or
codes, a view over the size budgets, steps or a span the page's controls cannot
show, digits the labels lack.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch
from torch import Tensor

from .._validate import check_positive_int
from ..analysis.codes import encode_dataset
from ..analysis.paths import class_means, interpolate, traversal_codes
from . import page
from .checks import (check_budget, check_codes, check_images_and_labels, check_int_in, check_models, check_span,
                     position)

__all__ = ["Explorer", "LatentMapExplorer", "InterpolationExplorer", "TraversalExplorer", "ArithmeticExplorer",
           "latent_map_explorer", "interpolation_explorer", "traversal_explorer", "arithmetic_explorer",
           "gallery_index"]


def gallery_index(labels: Tensor, per_class: int = 2) -> list[int]:
    """Indices of the first ``per_class`` examples of each class, class by class: a small fixed gallery."""
    check_positive_int(per_class, "per_class")
    labels = labels.cpu()
    index: list[int] = []
    for c in range(int(labels.max()) + 1):
        index += torch.nonzero(labels == c).flatten()[:per_class].tolist()
    return index


def _scattered(codes: Tensor, index: list[int], n: int) -> Tensor:
    """(n, D) zeros with the gallery's codes (len(index), D) at rows ``index``: codes by dataset index."""
    return torch.zeros(n, codes.shape[1]).index_copy_(0, torch.tensor(index), codes)


class Explorer:
    """One explorer: ``html()`` is its whole view (markup, CSS, JS, weights, codes), built on first use."""

    kind = ""

    def __init__(self) -> None:
        self._html: str | None = None

    def html(self) -> str:
        """The self-contained HTML/JS view, the same in the book and in JupyterLab."""
        if self._html is None:
            self._html = self._build_html()
        return self._html

    def _check_budget(self, models: Mapping[str, Any]) -> None:
        """Refuse, at construction, a view over the size budgets; its size is exact without exporting."""
        check_budget(models, 0)
        check_budget(models, len(self._build_html(sizing=True).encode("utf-8")))

    @property
    def payload_bytes(self) -> int:
        """Size of the view in the page, bytes (weights, codes, script, CSS), UTF-8."""
        return len(self.html().encode("utf-8"))

    def _build_html(self, sizing: bool = False) -> str:
        """The view; ``sizing``: with placeholder weights of the same size (no export, no calibration)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        """The text/plain fallback, e.g. in a terminal: what this is and where it shows."""
        return (f"<{type(self).__name__}: a {self.kind} explorer; display it in JupyterLab or the book "
                f"(html() returns its self-contained HTML)>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Only ``text/html``: JupyterLab would prefer a widget mimetype, and the book picks HTML anyway."""
        return {"text/html": self.html()}


class LatentMapExplorer(Explorer):
    """The 2-D latent plane of ``model``: test codes coloured by digit; the point under the pointer decodes.

    model: AE or VAE with latent_dim 2 (VAE codes are posterior means).
    images (N, 1, 28, 28) in [0, 1], labels (N,) digits: the codes shown. The pointer
    (or drag) and the arrow keys move the point.
    """

    kind = "map"

    def __init__(self, model: Any, images: Tensor, labels: Tensor, name: str = "model",
                 title: str = "Latent map: point at the plane to decode") -> None:
        super().__init__()
        check_models(model, name)
        x, labels = check_images_and_labels(images, labels)
        if model.latent_dim != 2:
            raise ValueError(f"expected a model with latent_dim 2 for the latent map; got {model.latent_dim}")
        self.model, self.labels, self.name, self.title = model, labels, name, title
        self.codes = check_codes(name, encode_dataset(model, x))
        low, high = self.codes.min(0).values, self.codes.max(0).values
        margin = 0.05 * (high - low)
        self.extent = [float(low[0] - margin[0]), float(high[0] + margin[0]),
                       float(low[1] - margin[1]), float(high[1] + margin[1])]
        self.start = [round(float(v), 3) for v in self.codes[0]]
        self._check_budget({name: model})

    def _build_html(self, sizing: bool = False) -> str:
        return page.map_view(self.name, self.model, self.codes, self.labels, self.extent, self.start,
                             self.title, calibration=None if sizing else {self.name: self.domain()}, sizing=sizing)

    def domain(self, n: int = 64) -> Tensor:
        """Codes the page can decode: an n x n grid over the map's extent, (n * n, 2)."""
        a = torch.linspace(self.extent[0], self.extent[1], n)
        b = torch.linspace(self.extent[2], self.extent[3], n)
        return torch.stack(torch.meshgrid(a, b, indexing="ij"), dim=-1).reshape(-1, 2)


class InterpolationExplorer(Explorer):
    """Decoded paths between two test digits' codes, one row per model (e.g. AE beside VAE).

    models: name -> AE or VAE (any latent sizes). The two digits come from a
    gallery of the first ``per_class`` test images of each class; ``digits``
    picks the starting pair. Linear or spherical interpolation; 3 to 12 steps.
    """

    kind = "interpolation"

    def __init__(self, models: Mapping[str, Any], images: Tensor, labels: Tensor, digits: tuple[int, int] = (4, 9),
                 steps: int = 8, per_class: int = 2,
                 title: str = "Interpolation between two test digits") -> None:
        super().__init__()
        models = check_models(models)
        x, labels = check_images_and_labels(images, labels)
        steps = check_int_in(steps, "steps", *page.INTERPOLATION_STEPS, " (the page's slider)")
        flat = [m for m, dim in ((m, getattr(models[m], "latent_dim", 0)) for m in models) if dim < 2]
        if flat:
            raise ValueError(f"expected models with latent_dim >= 2 for interpolation (in one dimension two codes "
                             f"are on one line, and a spherical path is undefined); got {flat[0]!r} with "
                             f"latent_dim {models[flat[0]].latent_dim}")
        if not isinstance(digits, (tuple, list)) or len(digits) != 2:
            raise ValueError(f"expected digits as a pair (from, to); got {digits!r}")
        self.models, self.images, self.labels, self.title, self.steps = models, x, labels, title, steps
        self.index = gallery_index(self.labels, per_class)
        self.codes = {k: check_codes(k, encode_dataset(m, x[self.index])) for k, m in self.models.items()}
        self.start, self.end = (position(self.index, self.labels, d, "digits") for d in digits)
        self._check_budget(models)

    def _build_html(self, sizing: bool = False) -> str:
        full = {k: _scattered(c, self.index, self.images.shape[0]) for k, c in self.codes.items()}
        return page.interpolation_view(self.models, self.images, self.labels, self.index, full,
                                       self.start, self.end, self.title, self.steps,
                                       calibration=None if sizing else {k: self.domain(k) for k in self.models},
                                       sizing=sizing)

    def domain(self, name: str, steps: int = 12) -> Tensor:
        """Codes the page can decode for model ``name``: every lerp and slerp path between gallery codes."""
        codes = self.codes[name]
        paths = []
        for i in range(len(codes)):
            for j in range(i + 1, len(codes)):
                paths.append(interpolate(codes[i], codes[j], steps, "linear"))
                try:
                    paths.append(interpolate(codes[i], codes[j], steps, "spherical"))
                except ValueError:  # opposite codes: the page draws the straight line, already here
                    pass
        return torch.cat(paths)


class _GalleryExplorer(Explorer):
    """One model over a gallery of test digits (traversal, arithmetic); a subclass sets model, images,
    labels, name and defines domain() (the codes its page decodes)."""

    def _choose_gallery(self, all_codes: Tensor, per_class: int, digit: int) -> None:
        """self.index (the gallery's dataset indices), self.codes (their codes), self.start (``digit``'s place)."""
        self.index = gallery_index(self.labels, per_class)
        self.codes = all_codes[self.index]
        self.start = position(self.index, self.labels, digit, "digit")

    def _page_codes(self, sizing: bool) -> tuple[Tensor, dict[str, Tensor] | None]:
        """The gallery's codes by dataset index (as page.py reads them) and the int8 export's calibration codes."""
        return (_scattered(self.codes, self.index, self.images.shape[0]),
                None if sizing else {self.name: self.domain()})  # type: ignore[attr-defined]


class TraversalExplorer(_GalleryExplorer):
    """Sweep one latent dimension of a test digit's code from -span to +span while the others stay.

    model: AE or VAE (meant for a VAE with more than two dimensions). dim: the dimension
    shown first (None: the one along which the codes of ``images`` vary most).
    span: in latent units, 0.5 to 4 in steps of 0.5 (the page's slider); steps: images in the row, 2 to 32.
    """

    kind = "traversal"

    def __init__(self, model: Any, images: Tensor, labels: Tensor, digit: int = 3, dim: int | None = None,
                 span: float = 3.0, steps: int = 9, per_class: int = 2, name: str = "VAE",
                 title: str = "Traversal: sweep one latent dimension") -> None:
        super().__init__()
        check_models(model, name)
        x, labels = check_images_and_labels(images, labels)
        steps = check_int_in(steps, "steps", *page.ROW_STEPS, " (images in the row)")
        span = check_span(span, *page.SPAN)
        all_codes = check_codes(name, encode_dataset(model, x))
        if dim is None:  # start on the dimension along which the codes spread most
            dim = int(all_codes.var(dim=0).argmax())
        dim = check_int_in(dim, "dim", 0, model.latent_dim - 1)
        self.model, self.images, self.labels, self.name, self.title = model, x, labels, name, title
        self.dim, self.span, self.steps = dim, span, steps
        self._choose_gallery(all_codes, per_class, digit)
        self._check_budget({name: model})

    def _build_html(self, sizing: bool = False) -> str:
        full, calibration = self._page_codes(sizing)
        return page.traversal_view(self.name, self.model, self.images, self.labels, self.index, full,
                                   self.start, self.dim, self.title, self.span, self.steps,
                                   calibration=calibration, sizing=sizing)

    def domain(self) -> Tensor:
        """Codes the page can decode: each gallery code with each dimension swept over [-4, 4]."""
        values = torch.linspace(-4.0, 4.0, 17)
        return torch.cat([traversal_codes(z, d, values) for z in self.codes for d in range(self.model.latent_dim)])


class ArithmeticExplorer(_GalleryExplorer):
    """Move a test digit's code along mean[target] - mean[source] (class means of all codes) and decode.

    The class means come from the codes of ``images`` (N, 1, 28, 28) with ``labels`` (N,);
    source and target are digits 0-9 present in the labels; steps: images in the row, 2 to 32.
    """

    kind = "arithmetic"

    def __init__(self, model: Any, images: Tensor, labels: Tensor, digit: int = 1, source: int = 1,
                 target: int = 7, steps: int = 7, per_class: int = 2, name: str = "VAE",
                 title: str = "Latent arithmetic: move a code along a class-mean direction") -> None:
        super().__init__()
        check_models(model, name)
        x, labels = check_images_and_labels(images, labels)
        steps = check_int_in(steps, "steps", *page.ROW_STEPS, " (images in the row)")
        self.model, self.images, self.labels, self.name, self.title = model, x, labels, name, title
        all_codes = check_codes(name, encode_dataset(model, x))
        self.classes = sorted({int(c) for c in self.labels})  # the page offers these digits only
        self.means = torch.nan_to_num(class_means(all_codes, self.labels), nan=0.0)  # absent digits: never used
        for role, c in (("source", source), ("target", target)):
            c = check_int_in(c, role, 0, 9)
            if c not in self.classes:
                raise ValueError(f"expected {role} to be a digit present in the labels {self.classes}; got {c} "
                                 f"(pass {role}=... with one of them)")
        self.source, self.target, self.steps = int(source), int(target), steps
        self._choose_gallery(all_codes, per_class, digit)
        self._check_budget({name: model})

    def _build_html(self, sizing: bool = False) -> str:
        full, calibration = self._page_codes(sizing)
        return page.arithmetic_view(self.name, self.model, self.images, self.labels, self.index, full,
                                    self.means, self.start, self.source, self.target, self.title, self.steps,
                                    calibration=calibration, sizing=sizing, classes=self.classes)

    def domain(self) -> Tensor:
        """Codes the page can decode: each gallery code moved by t in [-1, 2] along every difference of the
        class means of the digits present."""
        means = self.means[self.classes]
        directions = (means[None, :, :] - means[:, None, :]).reshape(-1, 1, means.shape[1])
        t = torch.linspace(-1.0, 2.0, 7)[None, :, None]
        return (self.codes[:, None, None, :] + (t * directions)[None]).reshape(-1, self.means.shape[1])


def latent_map_explorer(model: Any, images: Tensor, labels: Tensor, **kwargs: Any) -> LatentMapExplorer:
    """Explore a 2-D latent plane; see ``LatentMapExplorer`` (keywords: name, title)."""
    return LatentMapExplorer(model, images, labels, **kwargs)


def interpolation_explorer(models: Mapping[str, Any], images: Tensor, labels: Tensor,
                           **kwargs: Any) -> InterpolationExplorer:
    """Interpolate between two test digits under each model; see ``InterpolationExplorer``
    (keywords: digits, steps, per_class, title)."""
    return InterpolationExplorer(models, images, labels, **kwargs)


def traversal_explorer(model: Any, images: Tensor, labels: Tensor, **kwargs: Any) -> TraversalExplorer:
    """Sweep one latent dimension; see ``TraversalExplorer`` (keywords: digit, dim, span, steps, per_class,
    name, title)."""
    return TraversalExplorer(model, images, labels, **kwargs)


def arithmetic_explorer(model: Any, images: Tensor, labels: Tensor, **kwargs: Any) -> ArithmeticExplorer:
    """Move a code along a class-mean difference; see ``ArithmeticExplorer`` (keywords: digit, source, target,
    steps, per_class, name, title)."""
    return ArithmeticExplorer(model, images, labels, **kwargs)
