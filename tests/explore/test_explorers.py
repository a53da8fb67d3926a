"""The explorers: one call, one HTML view (the same in the book and in JupyterLab), checked at the boundary."""

from __future__ import annotations

import base64
import json
import re

import pytest
import torch
from torch import nn

import vae_teach as vt
from vae_teach.explore import explorers
from vae_teach.explore.export import UnsupportedModelError


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


def _explorers(vae2, vae4, x, y):
    ae2 = vt.Autoencoder(latent_dim=2, hidden_dims=(32,), seed=0)
    return [vt.latent_map_explorer(vae2, x, y), vt.interpolation_explorer({"AE": ae2, "VAE": vae2}, x, y),
            vt.traversal_explorer(vae4, x, y), vt.arithmetic_explorer(vae4, x, y)]


def _data_of(html: str) -> dict:
    """The JSON the explorer's script is called with (the last argument of the script)."""
    script = html[html.index("<script>") + len("<script>"):html.rindex("</script>")]
    blob = re.search(r"getElementById\('vt-[^']+'\), (\{.*\})\);$", script, re.S).group(1)
    return json.loads(blob.replace("<\\/", "</"))


def test_the_output_is_html_only(vae2, vae4, data):
    """JupyterLab would prefer a widget mimetype to HTML; with HTML alone it shows the page view."""
    for explorer in _explorers(vae2, vae4, *data):
        bundle = explorer._repr_mimebundle_()
        assert list(bundle) == ["text/html"], explorer.kind
        assert f'data-vt-explorer="{explorer.kind}"' in bundle["text/html"]
        assert bundle["text/html"].count("<script>") == 1


def test_the_plain_text_repr_says_where_the_explorer_shows(vae2, data):
    assert repr(vt.latent_map_explorer(vae2, *data)).startswith("<LatentMapExplorer: a map explorer; display it in")


def test_the_html_view_carries_no_outside_resources(vae2, vae4, data):
    for explorer in _explorers(vae2, vae4, *data):
        html = explorer.html()
        assert "http://" not in html and "https://" not in html and " src=" not in html, explorer.kind


def test_payload_bytes_is_the_size_of_the_html(vae2, data):
    explorer = vt.latent_map_explorer(vae2, *data)
    assert explorer.payload_bytes == len(explorer.html().encode("utf-8"))


def test_the_page_carries_the_codes_of_the_gallery_digits(vae2, data):
    x, y = data
    explorer = vt.interpolation_explorer({"VAE": vae2}, x, y, digits=(3, 8))
    carried = _data_of(explorer.html())
    start = carried["gallery"]["index"][carried["start"]]
    codes = torch.frombuffer(bytearray(base64.b64decode(carried["gallery"]["codes"]["VAE"])),
                             dtype=torch.float32).reshape(-1, 2)
    assert int(y[start]) == 3 and carried["gallery"]["labels"][carried["start"]] == 3
    assert torch.allclose(codes[carried["start"]], vt.encode_dataset(vae2, x[start:start + 1])[0])


def test_the_traversal_starts_on_the_dimension_the_codes_spread_most(vae4, data):
    x, y = data
    expected = int(vt.encode_dataset(vae4, x).var(dim=0).argmax())
    assert _data_of(vt.traversal_explorer(vae4, x, y).html())["dim"] == expected


def test_latent_map_refuses_a_model_that_is_not_2d(vae4, data):
    with pytest.raises(ValueError, match="latent_dim 2.*got 4"):
        vt.latent_map_explorer(vae4, *data)


def test_explorers_refuse_a_model_the_page_cannot_run(data):
    model = vt.Autoencoder(latent_dim=2, hidden_dims=(16,))
    model.decoder = nn.Sequential(nn.Linear(2, 784), nn.Sigmoid())
    with pytest.raises(UnsupportedModelError, match="MLP decoders only"):
        vt.interpolation_explorer({"AE": model}, *data)


@pytest.mark.parametrize("call, message", [
    (lambda m, x, y: vt.interpolation_explorer({"VAE": m}, x, y, steps=20), r"steps as an int in \[3, 12\]; got 20"),
    (lambda m, x, y: vt.interpolation_explorer({"VAE": m}, x, y, digits=(3,)), r"a pair \(from, to\)"),
    (lambda m, x, y: vt.traversal_explorer(m, x, y, span=9.0), r"span as a number in \[0.5, 4\].*got 9.0"),
    (lambda m, x, y: vt.traversal_explorer(m, x, y, dim=2), r"dim as an int in \[0, 1\]; got 2"),
    (lambda m, x, y: vt.arithmetic_explorer(m, x, y, target=12), r"target as an int in \[0, 9\]; got 12"),
    (lambda m, x, y: vt.latent_map_explorer(m, x, y.float()), r"int tensor with one label per image"),
    (lambda m, x, y: vt.latent_map_explorer(m, x, y[:10]), r"shape \(300,\); got Tensor \(10,\)"),
    (lambda m, x, y: vt.latent_map_explorer(m, x * 255, y), r"values in \[0, 1\]"),
    (lambda m, x, y: vt.interpolation_explorer({}, x, y), r"at least one model"),
    (lambda m, x, y: vt.traversal_explorer(m, x, y, digit=11), r"a digit present in the labels \[0, 1, .*got 11"),
])
def test_explorers_say_what_they_expected(vae2, data, call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call(vae2, *data)


def test_gallery_takes_the_first_examples_of_each_class():
    labels = torch.tensor([3, 0, 3, 1, 0, 0, 1, 3])
    assert explorers.gallery_index(labels, per_class=2) == [1, 4, 3, 6, 0, 2]

