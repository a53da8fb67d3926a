"""Chapter 7's beta explorer in headless Chromium, offline: a standalone page this test writes.

The page holds the explorer's HTML and nothing else (its script, CSS and weights are inline);
every request is blocked. Moving the beta slider switches the decoder: the canvases change,
the readout names the new beta, the JS decodes each model's reference code as torch does,
and nothing is logged as an error. The built chapter's explorer is the same HTML block.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

import vae_teach as vt
from test_browser import CHROMIUM, CHROMIUM_ARGS, _require_browser  # noqa: F401  (fixture)
from vae_teach.explore.sweep import beta_explorer


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright
    data = vt.load_mnist()
    models = {beta: vt.VAE(latent_dim=5, hidden_dims=(64,), seed=seed)  # untrained, one seed per beta
              for seed, beta in enumerate((0.5, 1.0, 4.0))}
    html = beta_explorer(models, data.test_x[:300], data.test_y[:300], beta=1.0).html()
    path = tmp_path_factory.mktemp("sweep") / "sweep.html"
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'></head><body>{html}</body></html>")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1000, "height": 900})
        requests: list[str] = []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                      else (requests.append(route.request.url), route.abort()))
        tab = context.new_page()
        problems: list[str] = []
        tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: problems.append(str(e)))
        tab.goto(path.as_uri())
        yield tab, problems, requests
        browser.close()


def _canvases(tab) -> list[str]:
    return tab.evaluate("() => Array.from(document.querySelectorAll('[data-vt-explorer=sweep] canvas'))"
                        ".map(c => c.toDataURL())")


def test_moving_the_slider_switches_the_model_and_redraws(page):
    tab, problems, requests = page
    assert tab.locator(".vt-beta-out").inner_text() == "\u03b2 = 1"
    before, renders = _canvases(tab), tab.evaluate("() => document.querySelector('[data-vt-explorer=sweep]').vt.renders")
    tab.locator(".vt-beta").focus()
    tab.keyboard.press("ArrowRight")
    after = _canvases(tab)
    assert tab.locator(".vt-beta-out").inner_text() == "\u03b2 = 4"
    assert tab.locator(".vt-stats").inner_text().endswith("of 5 dimensions active")
    assert all(a != b for a, b in zip(after, before))  # the reconstruction and every traversal row change
    assert tab.evaluate("() => document.querySelector('[data-vt-explorer=sweep]').vt.renders") == renders + 1
    tab.keyboard.press("Home")
    assert tab.locator(".vt-beta-out").inner_text() == "\u03b2 = 0.5" and _canvases(tab) not in (before, after)
    assert not problems and not requests, (problems, requests)


def test_each_decoder_in_the_page_matches_torch_on_its_reference_code(page):
    tab, problems, _ = page
    for ref in tab.evaluate("() => document.querySelector('[data-vt-explorer=sweep]').vt.reference"):
        pixels = np.array(tab.evaluate("([m, z]) => document.querySelector('[data-vt-explorer=sweep]')"
                                       ".vt.decode(m, z)", [ref["model"], ref["z"]]))
        expected = np.frombuffer(base64.b64decode(ref["pixels"]), "<f4")
        assert np.abs(pixels - expected).max() < 0.02, ref["model"]
    assert not problems, problems
