"""The explorers: one call gives the live widget and the kernel-free view; updates decode with torch."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

import vae_teach as vt
from vae_teach.explore import explorers as widgets
from vae_teach.explore.export import UnsupportedModelError

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def data():
    full = vt.load_mnist()
    return full.test_x[:300], full.test_y[:300]


@pytest.fixture(scope="module")
def vae2():
    return vt.VAE(latent_dim=2, hidden_dims=(32,), seed=0)  # untrained: the plumbing is under test


@pytest.fixture(scope="module")
def vae4():
    return vt.VAE(latent_dim=4, hidden_dims=(32,), seed=1)


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def _explorers(vae2, vae4, x, y):
    ae2 = vt.Autoencoder(latent_dim=2, hidden_dims=(32,), seed=0)
    return [vt.latent_map_explorer(vae2, x, y), vt.interpolation_explorer({"AE": ae2, "VAE": vae2}, x, y),
            vt.traversal_explorer(vae4, x, y), vt.arithmetic_explorer(vae4, x, y)]


def test_one_call_gives_both_the_widget_view_and_the_html_view(vae2, vae4, data):
    for explorer in _explorers(vae2, vae4, *data):
        bundle = explorer._repr_mimebundle_()
        assert bundle[WIDGET_MIME]["model_id"] == explorer.widget.model_id, explorer.kind
        assert f'data-vt-explorer="{explorer.kind}"' in bundle["text/html"]
        assert "<script>" in bundle["text/html"]


def test_the_html_view_carries_no_outside_resources(vae2, vae4, data):
    for explorer in _explorers(vae2, vae4, *data):
        html = explorer.html()
        assert "http://" not in html and "https://" not in html and " src=" not in html, explorer.kind


def test_moving_a_map_slider_redraws_the_decoded_image(vae2, data):
    explorer = vt.latent_map_explorer(vae2, *data)
    view = explorer.widget
    before = explorer.image.value
    explorer.z0.value = explorer.z0.max
    assert explorer.image.value != before
    with torch.no_grad():
        expected = vae2.decode(torch.tensor([[explorer.z0.value, explorer.z1.value]]))[0, 0].numpy()
    shown = _pixels(explorer.image.value)
    assert view is explorer.widget
    assert np.abs(shown / 255.0 - expected).max() <= 0.5 / 255 + 1e-6


def test_interpolation_row_starts_with_the_chosen_digits_reconstruction(vae2, data):
    x, y = data
    explorer = vt.interpolation_explorer({"VAE": vae2}, x, y, digits=(3, 8))
    explorer.widget
    explorer.method.value = "spherical"
    start = explorer.index[explorer.a.value]
    with torch.no_grad():
        expected = vae2.reconstruct(x[start:start + 1])[0, 0].numpy()
    first = _pixels(explorer.rows["VAE"].value)[:, :28]
    assert int(y[start]) == 3
    assert np.abs(first / 255.0 - expected).max() <= 0.5 / 255 + 1e-5


def test_traversal_row_has_one_image_per_step(vae4, data):
    explorer = vt.traversal_explorer(vae4, *data, steps=7)
    explorer.widget
    explorer.dim_select.value = 3
    assert _pixels(explorer.row.value).shape == (28, 7 * 29 - 1)
    assert explorer.row.layout.width == f"{(7 * 29 - 1) * 3}px"


def test_arithmetic_at_amount_zero_shows_the_digits_own_decoding(vae4, data):
    x, y = data
    explorer = vt.arithmetic_explorer(vae4, x, y, digit=2, source=2, target=5)
    explorer.widget
    explorer.amount.value = 0.0
    start = explorer.index[explorer.digit.value]
    with torch.no_grad():
        expected = vae4.reconstruct(x[start:start + 1])[0, 0].numpy()
    row = _pixels(explorer.row.value)
    for k in range(explorer.steps):
        assert np.abs(row[:, k * 29:k * 29 + 28] / 255.0 - expected).max() <= 0.5 / 255 + 1e-5


def test_latent_map_refuses_a_model_that_is_not_2d(vae4, data):
    with pytest.raises(ValueError, match="latent_dim 2.*got 4"):
        vt.latent_map_explorer(vae4, *data)


def test_explorers_refuse_a_model_the_page_cannot_run(data):
    model = vt.Autoencoder(latent_dim=2, hidden_dims=(16,))
    model.decoder = nn.Sequential(nn.Linear(2, 784), nn.Sigmoid())
    with pytest.raises(UnsupportedModelError, match="MLP decoders only"):
        vt.interpolation_explorer({"AE": model}, *data)


def test_gallery_takes_the_first_examples_of_each_class():
    labels = torch.tensor([3, 0, 3, 1, 0, 0, 1, 3])
    assert widgets.gallery_index(labels, per_class=2) == [1, 4, 3, 6, 0, 2]
