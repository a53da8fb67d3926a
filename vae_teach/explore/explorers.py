"""Latent-space explorers: one call, two views.

Each explorer is an object whose ``_repr_mimebundle_`` carries

- a live ipywidgets view (``application/vnd.jupyter.widget-view+json``): sliders
  and dropdowns whose every change decodes with the real torch model and sends
  PNG bytes to an ``Image`` widget (no matplotlib redraw); JupyterLab shows this;
- a kernel-free view (``text/html``): the decoder's weights (int8 with per-row
  scales) and the precomputed codes with a small JS forward pass (``vae_teach.web``);
  the built book shows this (``nb_mime_priority_overrides`` in ``_config.yml``).

The kernel-free view runs MLP decoders only (``vt.Autoencoder`` / ``vt.VAE``
with ``hidden_dims``): the explorers refuse any other model at construction
with ``vae_teach.web.UnsupportedModelError``.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any, Iterator, Mapping

import ipywidgets as widgets
import numpy as np
import torch
from PIL import Image
from torch import Tensor

from .._validate import check_images
from ..analysis.codes import encode_dataset
from ..analysis.paths import class_means
from . import page as web_views
from .export import mlp_layers

__all__ = ["Explorer", "LatentMapExplorer", "InterpolationExplorer", "TraversalExplorer", "ArithmeticExplorer",
           "latent_map_explorer", "interpolation_explorer", "traversal_explorer", "arithmetic_explorer",
           "png_row", "show_row", "gallery_index"]


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread for a moment: a live update decodes at most a dozen codes, and on a
    busy 2-core machine torch's thread pool made such tiny decodes 10-20x slower, not faster."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def png_bytes(pixels: np.ndarray) -> bytes:
    """PNG of a uint8 (H, W) grey or (H, W, 3) RGB array; fast compression, for live updates."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


#: Shown once in each explorer: the browser enlarges the 28 x 28 images without blurring them.
PIXELATED_CSS = "<style>.vt-pixelated, .vt-pixelated img {image-rendering: pixelated;}</style>"


def show_row(image: widgets.Image, images: Tensor, zoom: int = 3) -> None:
    """Put decoded images (N, 1, 28, 28) side by side into an Image widget, drawn ``zoom`` times larger.

    The PNG holds one pixel per image pixel (small, fast to encode, small widget state);
    the widget's width does the enlarging.
    """
    image.value = png_row(images, scale=1)
    image.layout.width = f"{(images.shape[0] * 29 - 1) * zoom}px"
    image.layout.align_self = "flex-start"  # in an HBox, keep the aspect ratio instead of stretching
    image.add_class("vt-pixelated")


def png_row(images: Tensor, scale: int = 3) -> bytes:
    """PNG of decoded images (N, 1, 28, 28) in [0, 1] side by side, 1 black pixel apart, each pixel scale x scale."""
    x = images.detach().reshape(-1, 28, 28).cpu().numpy()
    n = x.shape[0]
    row = np.zeros((28, n * 29 - 1), dtype=np.uint8)
    for k in range(n):
        row[:, k * 29:k * 29 + 28] = np.round(x[k] * 255.0).astype(np.uint8)
    return png_bytes(row.repeat(scale, axis=0).repeat(scale, axis=1))


def gallery_index(labels: Tensor, per_class: int = 2) -> list[int]:
    """Indices of the first ``per_class`` examples of each class, class by class: a small fixed gallery."""
    labels = labels.cpu()
    index: list[int] = []
    for c in range(int(labels.max()) + 1):
        index += torch.nonzero(labels == c).flatten()[:per_class].tolist()
    return index


def _gallery_options(index: list[int], labels: Tensor) -> list[tuple[str, int]]:
    return [(f"test #{i} (digit {int(labels[i])})", pos) for pos, i in enumerate(index)]


def _position(index: list[int], labels: Tensor, digit: int) -> int:
    for pos, i in enumerate(index):
        if int(labels[i]) == digit:
            return pos
    raise ValueError(f"expected a digit present in the labels; got {digit!r}")


def _check_models(models: Mapping[str, Any], images: Tensor, labels: Tensor) -> Tensor:
    if not models:
        raise ValueError("expected at least one model")
    for model in models.values():
        mlp_layers(model)  # refuses decoders the kernel-free view cannot run
    x = check_images(images, "images")
    if labels.shape != (x.shape[0],):
        raise ValueError(f"expected one label per image, shape ({x.shape[0]},); got {tuple(labels.shape)}")
    return x


class Explorer:
    """One explorer, two views: ``widget`` (live, torch) and ``html()`` (kernel-free, JS).

    ``update()`` redraws the live view from the current control values: one
    decode of one batch plus PNG encoding.
    """

    kind = ""

    def __init__(self) -> None:
        self._widget: widgets.Widget | None = None
        self._html: str | None = None

    @property
    def widget(self) -> widgets.Widget:
        """The ipywidgets view (built on first use)."""
        if self._widget is None:
            self._widget = self._build_widget()
            self.update()
        return self._widget

    def html(self) -> str:
        """The self-contained HTML/JS view (built on first use)."""
        if self._html is None:
            self._html = self._build_html()
        return self._html

    @property
    def payload_bytes(self) -> int:
        """Size of the kernel-free view in the page, bytes (weights, codes, script)."""
        return len(self.html().encode("utf-8"))

    def _observe(self, *controls: widgets.Widget) -> None:
        for control in controls:
            control.observe(lambda change: self.update(), names="value")

    def update(self) -> None:
        raise NotImplementedError

    def _build_widget(self) -> widgets.Widget:
        raise NotImplementedError

    def _build_html(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/html"] = self.html()
        return bundle

    def _ipython_display_(self) -> None:  # pragma: no cover - IPython prefers _repr_mimebundle_ when both exist
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)


class LatentMapExplorer(Explorer):
    """The 2-D latent plane of ``model``: test codes coloured by digit; a point decodes at once.

    model: AE or VAE with latent_dim 2 (VAE codes are posterior means).
    images (N, 1, 28, 28), labels (N,): the codes shown. In Jupyter two sliders
    move the point; in the page, the pointer and the arrow keys do.
    """

    kind = "map"

    def __init__(self, model: Any, images: Tensor, labels: Tensor, name: str = "model",
                 title: str = "Latent map: point at the plane to decode") -> None:
        super().__init__()
        _check_models({name: model}, images, labels)
        if model.latent_dim != 2:
            raise ValueError(f"expected a model with latent_dim 2 for the latent map; got {model.latent_dim}")
        self.model, self.labels, self.name, self.title = model, labels.cpu(), name, title
        self.codes = encode_dataset(model, images)
        low, high = self.codes.min(0).values, self.codes.max(0).values
        margin = 0.05 * (high - low)
        self.extent = [float(low[0] - margin[0]), float(high[0] + margin[0]),
                       float(low[1] - margin[1]), float(high[1] + margin[1])]
        self.start = [round(float(v), 3) for v in self.codes[0]]

    def _background(self) -> None:
        """The scatter, rendered once by matplotlib into an RGB array, and the code -> pixel map."""
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D

        fig = Figure(figsize=(4.6, 4), dpi=90)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes((0.13, 0.12, 0.7, 0.82))
        cmap = matplotlib.colormaps["tab10"]
        points = self.codes.numpy()
        ax.scatter(points[:, 0], points[:, 1], c=cmap(self.labels.numpy() % 10), s=5, alpha=0.7)
        ax.set(xlim=self.extent[:2], ylim=self.extent[2:], xlabel="z[0]", ylabel="z[1]")
        handles = [Line2D([], [], marker="o", linestyle="", color=cmap(k), label=str(k)) for k in range(10)]
        ax.legend(handles=handles, title="digit", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                  frameon=False)
        canvas.draw()
        rgb = np.asarray(canvas.buffer_rgba())[..., :3].copy()
        # a 63-colour palette plus black for the marker: a third of the PNG bytes of RGB, and faster to encode
        indexed = Image.fromarray(rgb).quantize(63)
        self._palette = indexed.getpalette()[:63 * 3] + [0, 0, 0]
        self._indices = np.asarray(indexed).copy()
        height = rgb.shape[0]
        transform = ax.transData

        def to_pixel(z0: float, z1: float) -> tuple[int, int]:
            x, y = transform.transform((z0, z1))
            return int(round(x)), int(round(height - y))

        self._to_pixel = to_pixel

    def _build_widget(self) -> widgets.Widget:
        self._background()
        step = (self.extent[1] - self.extent[0]) / 200
        self.z0 = widgets.FloatSlider(value=self.start[0], min=self.extent[0], max=self.extent[1], step=step,
                                      description="z[0]", continuous_update=True)
        self.z1 = widgets.FloatSlider(value=self.start[1], min=self.extent[2], max=self.extent[3], step=step,
                                      description="z[1]", continuous_update=True)
        self.map_image = widgets.Image(format="png")
        self.image = widgets.Image(format="png")
        self._observe(self.z0, self.z1)
        return widgets.VBox([widgets.HTML(f"{PIXELATED_CSS}<b>{self.title}</b>"), widgets.HBox([self.map_image, self.image]),
                             self.z0, self.z1])

    def update(self) -> None:
        z = torch.tensor([[self.z0.value, self.z1.value]], dtype=torch.float32)
        with torch.no_grad(), one_thread():
            show_row(self.image, self.model.decode(z), zoom=6)
        pixels = self._indices.copy()
        x, y = self._to_pixel(self.z0.value, self.z1.value)
        pixels[max(0, y - 1):y + 2, max(0, x - 9):x + 10] = 63  # crosshair marker in black, 3 px thick
        pixels[max(0, y - 9):y + 10, max(0, x - 1):x + 2] = 63
        image = Image.fromarray(pixels, mode="P")
        image.putpalette(self._palette)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        self.map_image.value = buffer.getvalue()

    def _build_html(self) -> str:
        return web_views.map_view(self.name, self.model, self.codes, self.labels, self.extent, self.start,
                                  self.title, calibration={self.name: self.domain()})

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
        x = _check_models(models, images, labels)
        self.models, self.images, self.labels, self.title, self.steps = dict(models), x, labels.cpu(), title, steps
        self.index = gallery_index(self.labels, per_class)
        self.codes = {k: encode_dataset(m, x[self.index]) for k, m in self.models.items()}
        self.start, self.end = (_position(self.index, self.labels, d) for d in digits)

    def _build_widget(self) -> widgets.Widget:
        from ..analysis.paths import interpolate

        self._interpolate = interpolate
        options = _gallery_options(self.index, self.labels)
        self.a = widgets.Dropdown(options=options, value=self.start, description="from")
        self.b = widgets.Dropdown(options=options, value=self.end, description="to")
        self.method = widgets.Dropdown(options=[("linear (lerp)", "linear"), ("spherical (slerp)", "spherical")],
                                       value="linear", description="path")
        self.n = widgets.IntSlider(value=self.steps, min=3, max=12, description="steps")
        self.ends = widgets.Image(format="png")
        self.rows = {k: widgets.Image(format="png") for k in self.models}
        self._observe(self.a, self.b, self.method, self.n)
        lines = [widgets.HBox([widgets.Label(k, layout=widgets.Layout(width="4em")), img])
                 for k, img in self.rows.items()]
        return widgets.VBox([widgets.HTML(f"{PIXELATED_CSS}<b>{self.title}</b>"), widgets.HBox([self.a, self.b]),
                             widgets.HBox([self.method, self.n]),
                             widgets.HBox([widgets.Label("ends", layout=widgets.Layout(width="4em")), self.ends]),
                             *lines])

    def update(self) -> None:
        i, j = self.a.value, self.b.value
        show_row(self.ends, self.images[[self.index[i], self.index[j]]])
        with torch.no_grad(), one_thread():
            for k, model in self.models.items():
                path = self._interpolate(self.codes[k][i], self.codes[k][j], self.n.value, self.method.value)
                show_row(self.rows[k], model.decode(path))

    def _build_html(self) -> str:
        full = {k: torch.zeros(self.images.shape[0], c.shape[1]).index_copy_(0, torch.tensor(self.index), c)
                for k, c in self.codes.items()}
        return web_views.interpolation_view(self.models, self.images, self.labels, self.index, full,
                                            self.start, self.end, self.title, self.steps,
                                            calibration={k: self.domain(k) for k in self.models})

    def domain(self, name: str, steps: int = 12) -> Tensor:
        """Codes the page can decode for model ``name``: every lerp and slerp path between gallery codes."""
        from ..analysis.paths import interpolate

        codes = self.codes[name]
        paths = [interpolate(codes[i], codes[j], steps, method)
                 for i in range(len(codes)) for j in range(i + 1, len(codes)) for method in ("linear", "spherical")]
        return torch.cat(paths)


class TraversalExplorer(Explorer):
    """Sweep one latent dimension of a test digit's code from -span to +span while the others stay.

    model: AE or VAE (meant for a VAE with more than two dimensions). dim: the dimension
    shown first (None: the one along which the codes of ``images`` vary most).
    """

    kind = "traversal"

    def __init__(self, model: Any, images: Tensor, labels: Tensor, digit: int = 3, dim: int | None = None,
                 span: float = 3.0, steps: int = 9, per_class: int = 2, name: str = "VAE",
                 title: str = "Traversal: sweep one latent dimension") -> None:
        super().__init__()
        x = _check_models({name: model}, images, labels)
        if dim is None:  # start on the dimension along which the codes spread most
            dim = int(encode_dataset(model, x).var(dim=0).argmax())
        if not 0 <= dim < model.latent_dim:
            raise ValueError(f"expected dim in [0, {model.latent_dim - 1}]; got {dim}")
        self.model, self.images, self.labels, self.name, self.title = model, x, labels.cpu(), name, title
        self.dim, self.span, self.steps = dim, span, steps
        self.index = gallery_index(self.labels, per_class)
        self.codes = encode_dataset(model, x[self.index])
        self.start = _position(self.index, self.labels, digit)

    def _build_widget(self) -> widgets.Widget:
        self.digit = widgets.Dropdown(options=_gallery_options(self.index, self.labels), value=self.start,
                                      description="digit")
        self.dim_select = widgets.Dropdown(options=[(f"z[{k}]", k) for k in range(self.model.latent_dim)],
                                           value=self.dim, description="dimension")
        self.span_slider = widgets.FloatSlider(value=self.span, min=0.5, max=4.0, step=0.5, description="sweep ±")
        self.row = widgets.Image(format="png")
        self._observe(self.digit, self.dim_select, self.span_slider)
        return widgets.VBox([widgets.HTML(f"{PIXELATED_CSS}<b>{self.title}</b>"),
                             widgets.HBox([self.digit, self.dim_select, self.span_slider]), self.row])

    def update(self) -> None:
        from ..analysis.paths import traversal_codes

        values = torch.linspace(-self.span_slider.value, self.span_slider.value, self.steps)
        codes = traversal_codes(self.codes[self.digit.value], self.dim_select.value, values)
        with torch.no_grad(), one_thread():
            show_row(self.row, self.model.decode(codes))

    def _build_html(self) -> str:
        full = torch.zeros(self.images.shape[0], self.codes.shape[1]).index_copy_(0, torch.tensor(self.index),
                                                                                  self.codes)
        return web_views.traversal_view(self.name, self.model, self.images, self.labels, self.index, full,
                                        self.start, self.dim, self.title, self.span, self.steps,
                                        calibration={self.name: self.domain()})

    def domain(self) -> Tensor:
        """Codes the page can decode: each gallery code with each dimension swept over [-4, 4]."""
        from ..analysis.paths import traversal_codes

        values = torch.linspace(-4.0, 4.0, 17)
        return torch.cat([traversal_codes(z, d, values) for z in self.codes for d in range(self.model.latent_dim)])


class ArithmeticExplorer(Explorer):
    """Move a test digit's code along mean[target] - mean[source] (class means of all codes) and decode.

    The class means come from the codes of ``images`` (N, 1, 28, 28) with ``labels`` (N,).
    """

    kind = "arithmetic"

    def __init__(self, model: Any, images: Tensor, labels: Tensor, digit: int = 1, source: int = 1,
                 target: int = 7, steps: int = 7, per_class: int = 2, name: str = "VAE",
                 title: str = "Latent arithmetic: move a code along a class-mean direction") -> None:
        super().__init__()
        x = _check_models({name: model}, images, labels)
        self.model, self.images, self.labels, self.name, self.title = model, x, labels.cpu(), name, title
        self.source, self.target, self.steps = source, target, steps
        self.means = class_means(encode_dataset(model, x), self.labels)
        self.index = gallery_index(self.labels, per_class)
        self.codes = encode_dataset(model, x[self.index])
        self.start = _position(self.index, self.labels, digit)

    def _build_widget(self) -> widgets.Widget:
        digits = [(f"digit {k}", k) for k in range(10)]
        self.digit = widgets.Dropdown(options=_gallery_options(self.index, self.labels), value=self.start,
                                      description="digit")
        self.from_select = widgets.Dropdown(options=digits, value=self.source, description="from mean of")
        self.to_select = widgets.Dropdown(options=digits, value=self.target, description="to mean of")
        self.amount = widgets.FloatSlider(value=1.0, min=-1.0, max=2.0, step=0.05, description="amount")
        self.ends = widgets.Image(format="png")
        self.row = widgets.Image(format="png")
        self._observe(self.digit, self.from_select, self.to_select, self.amount)
        return widgets.VBox([widgets.HTML(f"{PIXELATED_CSS}<b>{self.title}</b>"),
                             widgets.HBox([self.digit, self.amount]), widgets.HBox([self.from_select, self.to_select]),
                             self.ends, self.row])

    def update(self) -> None:
        z = self.codes[self.digit.value]
        direction = self.means[self.to_select.value] - self.means[self.from_select.value]
        t = torch.linspace(0.0, self.amount.value, self.steps)[:, None]
        show_row(self.ends, self.images[[self.index[self.digit.value]]])
        with torch.no_grad(), one_thread():
            show_row(self.row, self.model.decode(z + t * direction))

    def _build_html(self) -> str:
        full = torch.zeros(self.images.shape[0], self.codes.shape[1]).index_copy_(0, torch.tensor(self.index),
                                                                                  self.codes)
        return web_views.arithmetic_view(self.name, self.model, self.images, self.labels, self.index, full,
                                         self.means, self.start, self.source, self.target, self.title, self.steps,
                                         calibration={self.name: self.domain()})

    def domain(self) -> Tensor:
        """Codes the page can decode: each gallery code moved by t in [-1, 2] along every class-mean difference."""
        directions = (self.means[None, :, :] - self.means[:, None, :]).reshape(-1, 1, self.means.shape[1])
        t = torch.linspace(-1.0, 2.0, 7)[None, :, None]
        return (self.codes[:, None, None, :] + (t * directions)[None]).reshape(-1, self.means.shape[1])


def latent_map_explorer(model: Any, images: Tensor, labels: Tensor, **kwargs: Any) -> LatentMapExplorer:
    """Explore a 2-D latent plane; see ``LatentMapExplorer``."""
    return LatentMapExplorer(model, images, labels, **kwargs)


def interpolation_explorer(models: Mapping[str, Any], images: Tensor, labels: Tensor,
                           **kwargs: Any) -> InterpolationExplorer:
    """Interpolate between two test digits under each model; see ``InterpolationExplorer``."""
    return InterpolationExplorer(models, images, labels, **kwargs)


def traversal_explorer(model: Any, images: Tensor, labels: Tensor, **kwargs: Any) -> TraversalExplorer:
    """Sweep one latent dimension; see ``TraversalExplorer``."""
    return TraversalExplorer(model, images, labels, **kwargs)


def arithmetic_explorer(model: Any, images: Tensor, labels: Tensor, **kwargs: Any) -> ArithmeticExplorer:
    """Move a code along a class-mean difference; see ``ArithmeticExplorer``."""
    return ArithmeticExplorer(model, images, labels, **kwargs)
