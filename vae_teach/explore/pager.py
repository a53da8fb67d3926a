"""Look at images: PNG grids and a slider that pages through a dataset.

The pager works in two places with no code change: in JupyterLab, and in the
built HTML book with no kernel behind the page. Every page is rendered once,
up front, into a widget ``Stack``; the slider is linked to the stack in the
browser (``jslink``), so paging needs no Python.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
from PIL import Image
from torch import Tensor

from .._validate import check_images
from ..plot.images import image_grid

__all__ = ["grid_png", "dataset_pager"]


def grid_png(images: Tensor, ncols: int = 8, scale: int = 2, pad: int = 2) -> bytes:
    """PNG bytes of a grid of images, ink dark on white (as ``vt.show_images`` draws them).

    images: (N, 1, 28, 28) float in [0, 1]. ``scale`` enlarges each pixel to
    ``scale`` x ``scale`` screen pixels; ``pad`` light grey pixels separate images.
    """
    x = check_images(images, "images")
    if ncols < 1 or scale < 1 or pad < 0:
        raise ValueError(f"expected ncols >= 1, scale >= 1, pad >= 0; got {ncols}, {scale}, {pad}")
    ink = image_grid(x, nrow=ncols, padding=pad)
    pixels = ((1.0 - ink) * 255.0).round().astype(np.uint8)
    pixels = pixels.repeat(scale, axis=0).repeat(scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _page(images: Tensor, labels: Tensor | None, start: int, ncols: int, scale: int) -> widgets.VBox:
    """One page of the pager: the image grid and a caption with the labels."""
    picture = widgets.Image(value=grid_png(images, ncols=ncols, scale=scale), format="png")
    stop = start + images.shape[0] - 1
    caption = f"images {start}-{stop}"
    if labels is not None:
        rows = [labels[i:i + ncols].tolist() for i in range(0, len(labels), ncols)]
        caption += " &nbsp; labels: " + " | ".join(" ".join(str(v) for v in row) for row in rows)
    return widgets.VBox([picture, widgets.HTML(f"<small>{caption}</small>")])


def dataset_pager(images: Tensor, labels: Tensor | None = None, per_page: int = 32,
                  pages: int = 8, ncols: int = 8, scale: int = 2) -> widgets.VBox:
    """A slider that pages through the first ``pages * per_page`` images.

    images: (N, 1, 28, 28) float in [0, 1]; labels: (N,) int, shown under each
    page. The slider moves through pre-rendered pages in the browser, so the
    widget also works in the static HTML book.
    """
    x = check_images(images, "images")
    if per_page < 1 or pages < 1:
        raise ValueError(f"expected per_page >= 1 and pages >= 1; got {per_page} and {pages}")
    if labels is not None and len(labels) != len(x):
        raise ValueError(f"expected one label per image ({len(x)}); got {len(labels)} labels")
    pages = min(pages, -(-len(x) // per_page))
    children = []
    for p in range(pages):
        start = p * per_page
        page_labels = None if labels is None else labels[start:start + per_page]
        children.append(_page(x[start:start + per_page], page_labels, start, ncols, scale))
    stack = widgets.Stack(children, selected_index=0)
    slider = widgets.IntSlider(value=0, min=0, max=pages - 1, description="page",
                               continuous_update=True)
    widgets.jslink((slider, "value"), (stack, "selected_index"))
    return widgets.VBox([slider, stack], layout=widgets.Layout(align_items="flex-start"))
