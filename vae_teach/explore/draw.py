"""Draw a digit in the page: a 2-D VAE's encoder and decoder run in the browser on what the reader inks.

Like the other explorers (``explorers.py``) the view is one self-contained HTML block
(``page.explorer_html``) with no kernel behind it; it carries the encoder as well as the
decoder (int8 weights with per-row scales, rounding compensated on real inputs:
``quantize.py``), the training codes for the latent map, a few test digits, and the
Gauss-Hermite points of ``vt.quadrature_elbo``, so the page computes the same ELBO as
torch (``static/draw.js``). Each network must fit ``export.MAX_NETWORK_BYTES`` and the
view ``export.MAX_PAGE_BYTES``; both are checked at construction.
"""

from __future__ import annotations

import json
import math
import numbers
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from ..analysis.codes import encode_dataset
from ..analysis.quadrature import DEFAULT_ORDER, quadrature_elbo, quadrature_points
from ..data.mnist import ImageData
from . import page
from .checks import check_codes, check_images_and_labels, check_int_in, check_models
from .explorers import Explorer, gallery_index
from .export import MAX_NETWORK_BYTES, SMALL_LAYER, _b64, decoder_skeleton, export_decoder, reference
from .quantize import quantize_mlp

__all__ = ["DrawExplorer", "draw_explorer", "export_encoder", "encoder_bytes", "encoder_layers"]


def encoder_layers(model: Any) -> tuple[nn.Linear, nn.Linear, nn.Linear]:
    """(hidden Linear 784 -> H, mu head H -> D, logvar head H -> D) of a VAE with one hidden layer.

    The page runs exactly Linear, ReLU, heads; anything else is refused (TypeError).
    """
    encoder = getattr(model, "encoder", None)
    kinds = [type(m).__name__ for m in encoder] if isinstance(encoder, nn.Sequential) else None
    heads = [getattr(model, k, None) for k in ("mu_head", "logvar_head")]
    if kinds != ["Linear", "ReLU"] or not all(isinstance(h, nn.Linear) for h in heads):
        raise TypeError("the draw explorer runs a VAE encoder of one hidden layer in the page: "
                        "encoder nn.Sequential(Linear, ReLU) with Linear mu_head and logvar_head "
                        f"(vt.VAE(hidden_dims=(H,))); got {type(model).__name__} with encoder layers {kinds}")
    return encoder[0], heads[0], heads[1]


def _encoder_matrices(model: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights and biases of the page's two encoder layers: 784 -> H, then H -> 2 D (mu, then logvar)."""
    hidden, mu_head, logvar_head = encoder_layers(model)
    weights = [hidden.weight, torch.cat([mu_head.weight, logvar_head.weight])]
    biases = [hidden.bias, torch.cat([mu_head.bias, logvar_head.bias])]
    return ([w.detach().cpu().double().numpy() for w in weights],
            [b.detach().cpu().double().numpy() for b in biases])


def export_encoder(model: Any, calibration: Tensor | None = None, sizing: bool = False) -> dict[str, Any]:
    """The encoder as a JSON-able dict the page runs (``draw.js``'s makeEncoder).

    Keys: latent_dim, layers (as ``export.export_decoder``'s: int8 with per-row scales for the
    784 -> H layer, float16 for the small heads layer, float32 biases, base64).
    calibration: (M, 784) images the page will see; the int8 rounding then compensates its own
    error on them. sizing: placeholder text of the exact length (no rounding work).
    """
    weights, biases = _encoder_matrices(model)
    if sizing:
        quantized = [(w, None) if w.size < SMALL_LAYER else (w, np.zeros(len(w))) for w in weights]
    else:
        inputs = None if calibration is None else calibration.reshape(-1, 784).double().numpy()
        quantized = quantize_mlp(weights, biases, inputs, SMALL_LAYER)
    layers = []
    for (q, scale), b in zip(quantized, biases):
        n_out, n_in = q.shape
        if scale is None:
            w_bytes = np.asarray(q, dtype="<f2")
            entry = {"in": n_in, "out": n_out, "dtype": "float16", "b": None, "w": w_bytes}
        else:
            entry = {"in": n_in, "out": n_out, "dtype": "int8", "b": None, "w": np.asarray(q, dtype=np.int8),
                     "scale": np.asarray(scale, dtype="<f4")}
        entry["b"] = np.asarray(b, dtype="<f4")
        for key in ("w", "scale", "b"):
            if key in entry:
                entry[key] = "A" * (4 * math.ceil(entry[key].nbytes / 3)) if sizing else _b64(entry[key])
        layers.append(entry)
    return {"latent_dim": int(model.latent_dim), "layers": layers}


def encoder_bytes(model: Any) -> int:
    """Bytes the exported encoder adds to the page (its JSON), from its layer sizes alone."""
    return len(json.dumps(export_encoder(model, sizing=True), separators=(",", ":")))


class DrawExplorer(Explorer):
    """A 28 x 28 pad the reader draws on; the page shows the reconstruction, q(z|x) on the latent map
    and the drawing's quadrature ELBO against an anomaly threshold.

    model: a vt.VAE with latent_dim 2, one hidden layer and a Bernoulli decoder (e.g. the
    chapter-5 model vt.pretrained("vae-2d-h200")). data: vt.load_mnist()'s ImageData; the
    first ``n_codes`` training codes make the map, the first test digit of each class is
    carried for "Load a test digit". threshold: ELBO in nats below which a drawing is flagged.
    order: Gauss-Hermite points per latent dimension (order^2 decoder passes per update; the default,
    4, is vt.quadrature_elbo's: compute the threshold with the same order).
    """

    kind = "draw"

    def __init__(self, model: Any, data: ImageData, threshold: float, order: int = DEFAULT_ORDER,
                 n_codes: int = 2000,
                 name: str = "VAE", title: str = "Draw a digit: the VAE encodes, decodes and scores it") -> None:
        super().__init__()
        check_models(model, name)
        if not getattr(model, "is_variational", False) or model.latent_dim != 2:
            raise ValueError(f"expected a VAE with latent_dim 2 (the page draws q(z|x) on a plane); got "
                             f"{type(model).__name__} with latent_dim {getattr(model, 'latent_dim', None)}")
        if model.likelihood != "bernoulli":
            raise ValueError(f"expected a Bernoulli decoder (the page's ELBO uses its logits); got likelihood "
                             f"{model.likelihood!r}")
        encoder_layers(model)
        if not isinstance(data, ImageData):
            raise TypeError(f"expected data as vt.load_mnist()'s ImageData; got {type(data).__name__}")
        ok = isinstance(threshold, numbers.Real) and not isinstance(threshold, bool) and math.isfinite(threshold)
        if not ok:
            raise ValueError(f"expected threshold as a finite number, an ELBO in nats (e.g. the 1st percentile "
                             f"of the test digits' vt.quadrature_elbo); got {threshold!r}")
        self.order = check_int_in(order, "order", 1, 10, " (order^2 decoder passes per update in the page)")
        n_codes = check_int_in(n_codes, "n_codes", 10, len(data.train_x))
        train_x, self.labels = check_images_and_labels(data.train_x[:n_codes], data.train_y[:n_codes])
        test_x, test_y = check_images_and_labels(data.test_x, data.test_y)
        self.model, self.name, self.title, self.threshold = model, name, title, float(threshold)
        self.codes = check_codes(name, encode_dataset(model, train_x))
        low, high = self.codes.min(0).values, self.codes.max(0).values
        margin = 0.05 * (high - low)
        self.extent = [float(low[0] - margin[0]), float(high[0] + margin[0]),
                       float(low[1] - margin[1]), float(high[1] + margin[1])]
        index = gallery_index(test_y, 1)
        # the pixels as the page holds them (uint8), so torch scores exactly what the page scores
        self.digit_pixels = (test_x[index].reshape(-1, 784) * 255).round().to(torch.uint8)
        self.digit_labels, self.digit_index = [int(test_y[i]) for i in index], [int(i) for i in index]
        digits = self.digit_pixels.float().div(255).reshape(-1, 1, 28, 28)
        self.digit_elbos = quadrature_elbo(model, digits, order=self.order)
        self.blank_elbo = float(quadrature_elbo(model, torch.zeros(1, 1, 28, 28), order=self.order)[0])
        self.calibration_images = train_x[:1000]
        size = encoder_bytes(model)
        if size > MAX_NETWORK_BYTES:
            raise ValueError(f"the encoder of {name!r} would add {size / 1000:,.0f} KB to the page; the budget is "
                             f"{MAX_NETWORK_BYTES / 1000:,.0f} KB per network (DESIGN.md): use a VAE with a "
                             "smaller hidden layer, e.g. hidden_dims=(200,)")
        self._check_budget({name: model})

    def page_data(self, sizing: bool = False) -> dict[str, Any]:
        """The JSON the page reads (``draw.js``): networks, codes, quadrature points, test digits, torch's ELBOs."""
        points, weights = quadrature_points(self.order, 2)
        decoder = (decoder_skeleton(self.model) if sizing
                   else export_decoder(self.model, "int8", self.decoder_domain()))
        data = {"kind": "draw", "model": self.name, "models": {self.name: decoder}, "dims": {self.name: 2},
                "encoder": export_encoder(self.model, self.calibration_images, sizing=sizing),
                "codes": _b64(self.codes.cpu().numpy().astype("<f4")),
                "labels": _b64(self.labels.numpy().astype(np.uint8)), "extent": self.extent,
                "points": points.tolist(), "weights": weights.tolist(), "threshold": self.threshold,
                "digits": _b64(self.digit_pixels.numpy()), "digitLabels": self.digit_labels,
                "digitIndex": self.digit_index,
                "digitElbos": [float(v) for v in self.digit_elbos], "blankElbo": self.blank_elbo,
                "reference": [reference(self.model, self.name, [0.0, 0.0])]}
        return data

    def _build_html(self, sizing: bool = False) -> str:
        data = self.page_data(sizing)
        body = ('<div class="vt-row"><div><canvas class="vt-pad" width="280" height="280" tabindex="0" '
                'role="application" aria-label="Drawing pad, 28 by 28 pixels. Draw with the mouse, a pen or a '
                'finger; or use the arrow keys to move the cursor (Shift: 4 pixels) and Space or Enter to ink."'
                '></canvas><div class="vt-controls"><button type="button" class="vt-clear">Clear</button>'
                '<button type="button" class="vt-digit">Load a test digit</button>'
                '<button type="button" class="vt-blank">Load the blank image</button></div></div>'
                '<div><div class="vt-name">reconstruction</div><canvas class="vt-img vt-recon" width="28" '
                'height="28" role="img" aria-label="the decoded mean code"></canvas></div>'
                '<canvas class="vt-map" width="360" height="360" role="img" aria-label="Latent map: training '
                'codes coloured by digit; the red ellipse is q(z|x) of the drawing at 2 standard deviations">'
                '</canvas></div><p><output class="vt-score" aria-live="polite"></output></p>'
                '<p class="vt-note">Red ellipse: q(z|x) at 2 standard deviations; dashed circles: the prior '
                'N(0, I) at 1 and 2. The ELBO is computed by Gauss-Hermite quadrature over q(z|x) '
                f'({self.order} x {self.order} points), the rule of vt.quadrature_elbo.</p>')
        return page.explorer_html("draw", data, body, self.title, carried="the encoder and decoder")

    def decoder_domain(self, n: int = 40) -> Tensor:
        """Codes the page decodes, for the int8 calibration, (M, 2): the quadrature points of q(z|x) for
        the calibration images (where the ELBO of digit-like drawings is evaluated), and an n x n grid over
        twice the map's extent (drawings unlike any digit)."""
        mid = [(self.extent[0] + self.extent[1]) / 2, (self.extent[2] + self.extent[3]) / 2]
        half = [self.extent[1] - self.extent[0], self.extent[3] - self.extent[2]]
        a = torch.linspace(mid[0] - half[0], mid[0] + half[0], n)
        b = torch.linspace(mid[1] - half[1], mid[1] + half[1], n)
        grid = torch.stack(torch.meshgrid(a, b, indexing="ij"), dim=-1).reshape(-1, 2)
        u, _ = quadrature_points(self.order, 2)
        with torch.no_grad():
            mu, logvar = self.model.encode(self.calibration_images)
        near = mu[:, None, :].cpu() + (0.5 * logvar).exp()[:, None, :].cpu() * u[None].float()
        return torch.cat([near.reshape(-1, 2), grid])


def draw_explorer(model: Any, data: ImageData, threshold: float, **kwargs: Any) -> DrawExplorer:
    """Draw a digit and watch a 2-D VAE encode, decode and score it; see ``DrawExplorer``
    (keywords: order, n_codes, name, title)."""
    return DrawExplorer(model, data, threshold, **kwargs)
