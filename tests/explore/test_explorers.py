"""The explorers: one call, one HTML view (the same in the book and in JupyterLab), checked at the boundary."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
import torch
from torch import nn

import vae_teach as vt
from vae_teach.explore import explorers
from vae_teach.explore.export import UnsupportedModelError, export_decoder, network_bytes


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
    (lambda m, x, y: vt.interpolation_explorer({"VAE": m}, x, y, steps=20), r"steps as an int in \[3, 12\] \(the page's slider\); got 20"),
    (lambda m, x, y: vt.interpolation_explorer({"VAE": m}, x, y, digits=(3,)), r"a pair \(from, to\)"),
    (lambda m, x, y: vt.traversal_explorer(m, x, y, span=9.0), r"span as a number in \[0.5, 4\] in steps of 0.5.*got 9.0"),
    (lambda m, x, y: vt.traversal_explorer(m, x, y, dim=2), r"dim as an int in \[0, 1\]; got 2"),
    (lambda m, x, y: vt.arithmetic_explorer(m, x, y, target=12), r"target as an int in \[0, 9\]; got 12"),
    (lambda m, x, y: vt.latent_map_explorer(m, x, y.float()), r"labels as ints, one per image.*got Tensor of shape \(300,\), dtype float32"),
    (lambda m, x, y: vt.latent_map_explorer(m, x, y[:10]), r"shape \(300,\).*got Tensor of shape \(10,\)"),
    (lambda m, x, y: vt.latent_map_explorer(m, x * 255, y), r"values in \[0, 1\]"),
    (lambda m, x, y: vt.interpolation_explorer({}, x, y), r"at least one model"),
    (lambda m, x, y: vt.traversal_explorer(m, x, y, digit=11), r"expected digit from the digits present in the labels \[0, 1, .*got 11"),
])
def test_explorers_say_what_they_expected(vae2, data, call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call(vae2, *data)


def test_gallery_takes_the_first_examples_of_each_class():
    labels = torch.tensor([3, 0, 3, 1, 0, 0, 1, 3])
    assert explorers.gallery_index(labels, per_class=2) == [1, 4, 3, 6, 0, 2]



# ------------------------------------------------------------ bad input refused at construction (issue 15)

BUILDERS = {  # kind -> a call with keyword overrides
    "interpolation": lambda m, x, y, **kw: vt.interpolation_explorer({"VAE": m}, x, y, **kw),
    "traversal": lambda m, x, y, **kw: vt.traversal_explorer(m, x, y, **kw),
    "arithmetic": lambda m, x, y, **kw: vt.arithmetic_explorer(m, x, y, **kw),
}


@pytest.mark.parametrize("kind", BUILDERS)
@pytest.mark.parametrize("steps", [1000, 0, -3, 2.5, True, float("nan"), "8"])
def test_steps_the_page_cannot_show_are_refused_with_the_range(vae4, data, kind, steps):
    low, high = explorers.page.INTERPOLATION_STEPS if kind == "interpolation" else explorers.page.ROW_STEPS
    with pytest.raises(ValueError, match=rf"expected steps as an int in \[{low}, {high}\].*got {re.escape(repr(steps))}"):
        BUILDERS[kind](vae4, *data, steps=steps)


@pytest.mark.parametrize("span", [float("nan"), float("inf"), -3, 0.0, 9.0, 1.25, True, "2"])
def test_a_span_the_slider_cannot_show_is_refused_with_its_grid(vae4, data, span):
    with pytest.raises(ValueError, match=r"span as a number in \[0.5, 4\] in steps of 0.5.*got " + re.escape(repr(span))):
        vt.traversal_explorer(vae4, *data, span=span)


def test_the_accepted_steps_and_span_are_what_the_page_shows(vae2, vae4, data):
    """The rule is the page's: the ends of each range are accepted (numpy ints too) and kept as given."""
    x, y = data
    interpolation = vt.interpolation_explorer({"VAE": vae2}, x, y, steps=np.int64(12))
    assert re.search(r'class="vt-steps" min="3" max="12" step="1" value="12"', interpolation.html())
    traversal = vt.traversal_explorer(vae4, x, y, steps=32, span=np.float32(0.5))
    assert re.search(r'class="vt-span" min="0.5" max="4.0" step="0.5" value="0.5"', traversal.html())
    assert _data_of(traversal.html())["steps"] == 32
    assert _data_of(vt.arithmetic_explorer(vae4, x, y, steps=2).html())["steps"] == 2


def test_the_size_budget_is_checked_at_construction_naming_budget_and_size(data):
    big = vt.VAE(latent_dim=2, hidden_dims=(1024, 1024), seed=0)
    size = len(json.dumps(export_decoder(big), separators=(",", ":")))  # the real export, measured
    assert size > 600_000
    for build in (lambda: vt.latent_map_explorer(big, *data), lambda: vt.interpolation_explorer({"big": big}, *data)):
        with pytest.raises(ValueError, match=rf"hidden layers \[1024, 1024\]\) would add {size / 1000:,.0f} KB.*"
                                             r"budget is 600 KB per network"):
            build()


def test_network_bytes_is_the_size_of_the_exported_decoder():
    for hidden in [(32,), (200,), (400, 64), ()]:
        model = vt.VAE(latent_dim=3, hidden_dims=hidden, seed=0)
        for dtype in ("int8", "float16"):
            exported = json.dumps(export_decoder(model, dtype), separators=(",", ":"))
            assert network_bytes(model, dtype) == len(exported), (hidden, dtype)


def test_the_page_budget_counts_every_model_of_the_view(data):
    models = {f"VAE {k}": vt.VAE(latent_dim=2, hidden_dims=(360,), seed=k) for k in range(7)}
    assert all(network_bytes(m) < 600_000 for m in models.values()) and sum(map(network_bytes, models.values())) > 2.5e6
    with pytest.raises(ValueError, match=r"page would be 2\.\d\d MB; the budget is 2\.5 MB per page"):
        vt.interpolation_explorer(models, *data)


def test_the_size_checked_at_construction_is_the_size_of_the_page(vae2, vae4, data):
    for explorer in _explorers(vae2, vae4, *data):
        assert len(explorer._build_html(sizing=True)) == len(explorer.html()), explorer.kind


@pytest.mark.parametrize("models, message", [
    (lambda m: m, r"expected models as a dict, name -> model, e\.g\. \{'AE': ae, 'VAE': vae\}.*got a VAE"),
    (lambda m: [m], r"expected models as a dict.*got a list of 1"),
])
def test_models_not_in_a_dict_are_refused_saying_how_to_name_them(vae2, data, models, message):
    with pytest.raises(TypeError, match=message):
        vt.interpolation_explorer(models(vae2), *data)
    with pytest.raises(TypeError, match="expected one model"):
        vt.latent_map_explorer({"VAE": vae2}, *data)


def test_labels_as_a_list_or_numpy_array_are_accepted_as_the_tensor_is(vae2, data):
    x, y = data
    expected = _data_of(vt.latent_map_explorer(vae2, x, y).html())
    for labels in (y.tolist(), y.numpy(), y.int()):
        assert _data_of(vt.latent_map_explorer(vae2, x, labels).html())["labels"] == expected["labels"]
    with pytest.raises(ValueError, match=r"labels as ints, one per image.*got list of shape \(300,\), dtype float64"):
        vt.latent_map_explorer(vae2, x, [float(v) for v in y])


def test_a_1d_model_is_refused_by_the_interpolation_explorer_at_construction(data):
    vae1 = vt.VAE(latent_dim=1, hidden_dims=(32,), seed=0)
    with pytest.raises(ValueError, match=r"latent_dim >= 2 for interpolation.*got 'VAE 1-D' with latent_dim 1"):
        vt.interpolation_explorer({"VAE 1-D": vae1}, *data)


def test_non_finite_codes_are_refused_naming_the_model_and_dimension_not_calibration(data):
    model = vt.VAE(latent_dim=2, hidden_dims=(32,), seed=0)
    with torch.no_grad():
        model.mu_head.weight[1].fill_(3e38)  # finite weights whose code overflows in dimension 1
    for build in (lambda: vt.latent_map_explorer(model, *data), lambda: vt.interpolation_explorer({"m": model}, *data),
                  lambda: vt.traversal_explorer(model, *data), lambda: vt.arithmetic_explorer(model, *data)):
        with pytest.raises(ValueError, match=r"encodes \d+ of \d+ images to NaN or infinite codes \(latent "
                                             r"dimension \[1\]\)") as info:
            build()
        assert "calibration" not in str(info.value)


def test_labels_covering_three_digits_name_the_argument_to_change_not_calibration(vae4, data):
    x, y = data
    keep = y < 3
    x3, y3 = x[keep], y[keep]
    for build, name in [(lambda **kw: vt.interpolation_explorer({"VAE": vae4}, x3, y3, **kw), "digits"),
                        (lambda **kw: vt.traversal_explorer(vae4, x3, y3, **kw), "digit"),
                        (lambda **kw: vt.arithmetic_explorer(vae4, x3, y3, **kw), "target")]:
        with pytest.raises(ValueError, match=rf"expected {name} .*present in the labels \[0, 1, 2\]") as info:
            build()  # the defaults name digits the labels lack
        assert "calibration" not in str(info.value)
    arithmetic = vt.arithmetic_explorer(vae4, x3, y3, digit=1, source=1, target=2)
    carried = _data_of(arithmetic.html())
    assert carried["classes"] == [0, 1, 2] and torch.isfinite(arithmetic.domain()).all()
    assert vt.interpolation_explorer({"VAE": vae4}, x3, y3, digits=(0, 2)).html()


@pytest.mark.parametrize("role", ["source", "target"])
def test_an_arithmetic_digit_out_of_range_is_a_clear_value_error(vae4, data, role):
    with pytest.raises(ValueError, match=rf"expected {role} as an int in \[0, 9\]; got 12"):
        vt.arithmetic_explorer(vae4, *data, **{role: 12})


def test_a_model_with_nan_weights_is_refused_before_anything_is_drawn(data):
    model = vt.VAE(latent_dim=2, hidden_dims=(32,), seed=0)
    with torch.no_grad():
        model.decoder[2].bias[5] = float("nan")
    with pytest.raises(ValueError, match=r"model 'VAE' has NaN or infinite weights \(decoder\.2\.bias\): its "
                                         r"training diverged"):
        vt.latent_map_explorer(model, *data, name="VAE")
