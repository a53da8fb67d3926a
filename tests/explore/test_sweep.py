"""The beta explorer: one view over a sweep's models, checked at construction; its data held to torch."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

import vae_teach as vt
from vae_teach.analysis.latent_usage import active_units
from vae_teach.explore import export
from vae_teach.explore.sweep import beta_explorer


@pytest.fixture(scope="module")
def data():
    full = vt.load_mnist()
    return full.test_x[:300], full.test_y[:300]


@pytest.fixture(scope="module")
def sweep():
    # untrained: the plumbing is under test; one seed per beta, so each decoder differs
    return {beta: vt.VAE(latent_dim=6, hidden_dims=(32,), seed=seed) for seed, beta in enumerate((4.0, 0.5, 1.0))}


def _data_of(html: str) -> dict:
    script = html[html.index("<script>") + len("<script>"):html.rindex("</script>")]
    blob = re.search(r"getElementById\('vt-[^']+'\), (\{.*\})\);$", script, re.S).group(1)
    return json.loads(blob.replace("<\\/", "</"))


def test_the_models_come_in_order_of_beta_and_the_middle_one_shows_first(sweep, data):
    page = _data_of(beta_explorer(sweep, *data).html())
    assert page["betas"] == [0.5, 1.0, 4.0] and page["order"] == ["beta=0.5", "beta=1", "beta=4"]
    assert page["beta"] == 1 and page["kind"] == "sweep"


def test_the_traversed_dimensions_are_each_models_highest_kl(sweep, data):
    explorer = beta_explorer(sweep, *data, rows=2)
    page = _data_of(explorer.html())
    for beta, name in zip(page["betas"], page["order"]):
        kl = vt.kl_per_dimension(sweep[beta], data[0])
        assert page["top"][name] == sorted(range(6), key=lambda d: -float(kl[d]))[:2]
        assert page["stats"][name]["active"] == active_units(sweep[beta], data[0])


def test_each_exported_decoder_agrees_with_torch_on_the_gallery_codes(sweep, data):
    explorer = beta_explorer(sweep, *data)
    page = _data_of(explorer.html())
    for beta, name in zip(page["betas"], page["order"]):
        z = explorer.codes[name]
        with torch.no_grad():
            expected = sweep[beta].decode(z).reshape(len(z), -1).numpy()
        assert np.abs(export.decode_numpy(page["models"][name], z.numpy()) - expected).max() < 0.02


def test_the_view_has_a_slider_over_the_betas_and_one_row_per_dimension(sweep, data):
    html = beta_explorer(sweep, *data, rows=4).html()
    assert re.search(r'class="vt-beta" min="0" max="2" step="1" value="1"', html)
    assert html.count('class="vt-img vt-path"') == 4


def test_the_page_stays_within_the_budgets_for_the_books_sweep_size():
    """Six decoders of 20 codes and 200 hidden units, the size of chapter 7's sweep."""
    full = vt.load_mnist()
    models = {b: vt.VAE(latent_dim=20, hidden_dims=(200,), seed=0) for b in (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)}
    explorer = beta_explorer(models, full.test_x[:200], full.test_y[:200])
    assert export.network_bytes(models[1.0]) < export.MAX_NETWORK_BYTES
    assert explorer.payload_bytes < export.MAX_PAGE_BYTES


@pytest.mark.parametrize("models, kwargs, message", [
    ({}, {}, "expected models as a non-empty dict"),
    ([1, 2], {}, "expected models as a non-empty dict"),
    ({-1.0: vt.VAE(latent_dim=2, hidden_dims=(8,), seed=0)}, {}, "expected positive finite betas"),
    ({1.0: vt.VAE(latent_dim=2, hidden_dims=(8,), seed=0), 2.0: vt.VAE(latent_dim=3, hidden_dims=(8,), seed=0)},
     {}, "expected VAEs of one latent size"),
    ({1.0: vt.Autoencoder(latent_dim=2, hidden_dims=(8,), seed=0)}, {}, "expected VAEs of one latent size"),
    ({1.0: vt.VAE(latent_dim=4, hidden_dims=(8,), seed=0)}, {"beta": 2.0}, "expected beta from the sweep"),
    ({1.0: vt.VAE(latent_dim=4, hidden_dims=(8,), seed=0)}, {"steps": 40}, "expected steps as an int in"),
    ({1.0: vt.VAE(latent_dim=4, hidden_dims=(8,), seed=0)}, {"rows": 5}, r"expected rows as an int in \[1, 4\]"),
    ({1.0: vt.VAE(latent_dim=4, hidden_dims=(8,), seed=0)}, {"span": 9.0}, "expected span as a number"),
])
def test_bad_arguments_are_refused_at_construction(models, kwargs, message, data):
    with pytest.raises((TypeError, ValueError), match=message):
        beta_explorer(models, *data, **kwargs)
