"""The draw explorer (vae_teach/explore/draw.py) on chapter 5's vae-2d-h200, the model the book shows.

The page's arithmetic (draw.js) runs under node against torch (tests/explore/js/draw/): its
quadrature ELBO of the ten test digits it carries must be within 0.5 nats of
vt.quadrature_elbo's. The browser test (tests/test_browser_draw.py) draws on the page.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest
import torch

import vae_teach as vt
from vae_teach.explore import assets
from vae_teach.explore.draw import encoder_bytes, export_encoder
from vae_teach.explore.export import MAX_NETWORK_BYTES, MAX_PAGE_BYTES, network_bytes

NODE = os.environ.get("VAE_TEACH_NODE", "node")
JS_TEST = Path(__file__).parent / "js" / "draw" / "elbo.test.mjs"


@pytest.fixture(scope="module")
def data():
    return vt.load_mnist()


@pytest.fixture(scope="module")
def model(data):
    return vt.pretrained("vae-2d-h200", data)[0]


@pytest.fixture(scope="module")
def explorer(model, data):
    return vt.draw_explorer(model, data, threshold=-250.0)


def test_each_network_and_the_page_fit_their_budgets_and_the_sizes_are_exact(explorer, model):
    assert encoder_bytes(model) < MAX_NETWORK_BYTES and network_bytes(model) < MAX_NETWORK_BYTES
    exported = export_encoder(model, explorer.calibration_images)
    assert len(json.dumps(exported, separators=(",", ":"))) == encoder_bytes(model)
    assert [layer["dtype"] for layer in exported["layers"]] == ["int8", "float16"]
    assert explorer.payload_bytes < MAX_PAGE_BYTES
    assert explorer.payload_bytes == len(explorer._build_html(sizing=True).encode("utf-8"))


def test_the_page_carries_one_test_digit_per_class_and_the_view_it_names(explorer, data):
    assert sorted(explorer.digit_labels) == list(range(10))
    for k, label in enumerate(explorer.digit_labels):
        first = int((data.test_y == label).nonzero()[0])
        assert torch.equal(explorer.digit_pixels[k].float() / 255, data.test_x[first].flatten())  # uint8 exact
    html = explorer.html()
    assert 'data-vt-explorer="draw"' in html and "start(root, data, drawView);" in html
    for name in ("core.js", "map.js", "draw.js"):
        assert assets.static_text(name) in html
    for label in ("Clear", "Load a test digit", "Load the blank image"):
        assert f">{label}</button>" in html
    assert "the encoder and decoder" in html


def test_the_page_javascript_matches_torch_under_node(explorer, data, model, tmp_path):
    if not shutil.which(NODE):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"no `{NODE}` under CI", pytrace=False)
        pytest.skip(f"no `{NODE}` on PATH")
    digits = explorer.digit_pixels.float().div(255).reshape(-1, 1, 28, 28)
    with torch.no_grad():
        mu, logvar = model.encode(digits)
    fixture = tmp_path / "draw.json"
    fixture.write_text(json.dumps({"draw": explorer.page_data(), "torch_mu": mu.tolist(),
                                   "torch_logvar": logvar.tolist()}))
    env = dict(os.environ, VT_JS_FIXTURE=str(fixture),
               VT_STATIC=str(resources.files("vae_teach.explore").joinpath("static")))
    result = subprocess.run([NODE, "--test", "--test-reporter=spec", str(JS_TEST)], capture_output=True,
                            text=True, env=env, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "skipped 0" in output, output
    print(next(line for line in output.splitlines() if "largest |page - torch|" in line))


def test_torch_scores_in_the_page_are_the_quadrature_elbo(explorer, model):
    digits = explorer.digit_pixels.float().div(255).reshape(-1, 1, 28, 28)
    assert torch.allclose(explorer.digit_elbos, vt.quadrature_elbo(model, digits, order=4))
    data = explorer.page_data()
    assert len(data["points"]) == 16 and abs(sum(data["weights"]) - 1) < 1e-12


def test_bad_inputs_are_refused_with_what_came_in(model, data):
    with pytest.raises(ValueError, match="latent_dim 2.*Autoencoder"):
        vt.draw_explorer(vt.Autoencoder(latent_dim=2, hidden_dims=(20,)), data, threshold=-200.0)
    with pytest.raises(ValueError, match="latent_dim 2.*latent_dim 3"):
        vt.draw_explorer(vt.VAE(latent_dim=3, hidden_dims=(20,)), data, threshold=-200.0)
    with pytest.raises(ValueError, match="Bernoulli.*gaussian"):
        vt.draw_explorer(vt.VAE(latent_dim=2, hidden_dims=(20,), likelihood="gaussian"), data, threshold=0.0)
    with pytest.raises(TypeError, match="one hidden layer.*encoder layers"):
        vt.draw_explorer(vt.VAE(latent_dim=2, hidden_dims=(20, 10)), data, threshold=-200.0)
    for threshold in (float("nan"), "low", None):
        with pytest.raises(ValueError, match="threshold as a finite number"):
            vt.draw_explorer(model, data, threshold=threshold)
    with pytest.raises(TypeError, match="ImageData.*Tensor"):
        vt.draw_explorer(model, data.test_x, threshold=-200.0)
    with pytest.raises(ValueError, match="order as an int in"):
        vt.draw_explorer(model, data, threshold=-200.0, order=0)
    with pytest.raises(ValueError, match="encoder of 'VAE'.*KB"):
        vt.draw_explorer(vt.VAE(latent_dim=2, hidden_dims=(1000,)), data, threshold=-200.0)
