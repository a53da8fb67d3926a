"""Chapter 5's explorers in the built page, in headless Chromium with the network cut.

Each explorer renders once (no widget view beside it), responds to a pointer,
key or select event (its canvas changes), decodes a fixed code to within 0.02
per pixel of torch (the page carries torch's pixels for that code, computed at
build time), and stays legible in the light and the dark theme. Fixtures come
from ``test_browser`` (the built book served on 127.0.0.1, everything else blocked).
"""

from __future__ import annotations

import base64
import math

import numpy as np
import pytest
import torch
from test_browser import _require_browser, server, visit  # noqa: F401  (fixtures; browser: conftest)

import vae_teach as vt
from vae_teach.explore import page as explorer_page

PAGE = "book/05_exploring_latent_space.html"
KINDS = ("map", "interpolation", "traversal", "arithmetic")


@pytest.fixture
def chapter(visit):
    seen = visit(PAGE)
    yield seen
    seen.page.close()


def _canvas(page, kind: str, selector: str) -> str:
    return page.evaluate(
        "([k, s]) => document.querySelector(`[data-vt-explorer=${k}]`).querySelector(s).toDataURL()",
        [kind, selector])


def _root(kind: str) -> str:
    return f"[data-vt-explorer={kind}]"


def test_each_explorer_shows_exactly_one_view_with_no_errors(chapter):
    page = chapter.page
    counts = page.evaluate("""() => Object.fromEntries(['map','interpolation','traversal','arithmetic'].map(
        k => [k, Array.from(document.querySelectorAll(`[data-vt-explorer=${k}]`)).map(r => r.vt ? r.vt.renders : -1)]))""")
    assert {k: len(v) for k, v in counts.items()} == {k: 1 for k in KINDS}, counts  # one view each
    assert all(v[0] >= 1 for v in counts.values()), counts  # ... and it drew
    widget_views = page.locator(".jupyter-widgets, script[type='application/vnd.jupyter.widget-view+json']").count()
    text = page.inner_text("body")
    assert widget_views == 0 and "widget state" not in text.lower() and "Error displaying widget" not in text
    assert not chapter.problems(), chapter.problems()


def test_the_map_follows_the_pointer_and_the_arrow_keys(chapter):
    page = chapter.page
    canvas = page.locator(f"{_root('map')} canvas.vt-map")
    canvas.scroll_into_view_if_needed()
    before = _canvas(page, "map", ".vt-img")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 0.8 * box["width"], box["y"] + 0.3 * box["height"])
    after_pointer = _canvas(page, "map", ".vt-img")
    canvas.focus()
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowLeft")
    after_keys = _canvas(page, "map", ".vt-img")
    assert before != after_pointer != after_keys
    assert not chapter.problems(), chapter.problems()


@pytest.mark.parametrize("kind, control, action", [
    ("interpolation", ".vt-b", "select"), ("interpolation", ".vt-steps", "key"),
    ("interpolation", ".vt-method", "select"), ("traversal", ".vt-dim", "select"),
    ("traversal", ".vt-span", "key"), ("arithmetic", ".vt-amount", "key"), ("arithmetic", ".vt-to", "select")])
def test_controls_redraw_the_decoded_path(chapter, kind, control, action):
    page = chapter.page
    before = _canvas(page, kind, ".vt-path")
    element = page.locator(f"{_root(kind)} {control}")
    element.scroll_into_view_if_needed()
    if action == "select":
        values = element.evaluate("s => Array.from(s.options).map(o => o.value)")
        current = element.input_value()
        element.select_option(next(v for v in reversed(values) if v != current))
    else:
        element.focus()
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
    assert _canvas(page, kind, ".vt-path") != before
    assert not chapter.problems(), chapter.problems()


@pytest.mark.parametrize("kind, control, prefix, decimals", [
    ("traversal", ".vt-span", "", 1), ("arithmetic", ".vt-amount", "t = ", 2)])
def test_each_image_of_a_row_has_its_value_under_it(chapter, kind, control, prefix, decimals):
    page = chapter.page
    root = page.locator(_root(kind))
    element = root.locator(control)
    element.focus()
    page.keyboard.press("ArrowLeft")  # the labels follow the control
    value = float(element.input_value())
    labels = root.locator(".vt-values span").all_inner_texts()
    steps = (root.evaluate("r => r.querySelector('.vt-path').width") + 1) // 29
    # traversal: -span ... +span; arithmetic: 0 ... amount; each rounded to `decimals` places
    first = -value if kind == "traversal" else 0.0
    expected = [first + (value - first) * s / (steps - 1) for s in range(steps)]
    assert len(labels) == steps and all(label.startswith(prefix) for label in labels), labels
    shown = [float(label[len(prefix):]) for label in labels]
    assert np.allclose(shown, expected, atol=0.5 * 10 ** -decimals + 1e-9), (shown, expected)
    widths = root.evaluate("""r => [r.querySelector('.vt-path').getBoundingClientRect().width,
        Array.from(r.querySelectorAll('.vt-values span')).reduce((w, s) => w + s.getBoundingClientRect().width, 0)]""")
    assert abs(widths[0] - widths[1]) <= 3 + 1e-6, widths  # one label under each image, not drifting


def test_decoded_pixels_match_torch_within_002(chapter):
    page = chapter.page
    checked = 0
    for kind in KINDS:
        results = page.evaluate("""k => { const r = document.querySelector(`[data-vt-explorer=${k}]`);
            return r.vt.reference.map(ref => [ref.pixels, r.vt.decode(ref.model, ref.z)]); }""", kind)
        for reference, decoded in results:
            torch_pixels = np.frombuffer(base64.b64decode(reference), dtype="<f4")
            assert np.abs(np.array(decoded) - torch_pixels).max() < 0.02, kind
            checked += 1
    assert checked >= 5  # the interpolation explorer carries two models


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    def luminance(rgb):
        c = [v / 255 for v in rgb[:3]]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _colours(page) -> list[tuple[tuple[float, ...], tuple[float, ...]]]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('[data-vt-explorer]')).flatMap(r =>
        [r, ...r.querySelectorAll('select, label, .vt-note')].map(e => {
            const parse = s => (s.match(/[\\d.]+/g) || []).map(Number);
            let bg = e, c = getComputedStyle(e).backgroundColor;
            while (bg && (parse(c).length === 4 && parse(c)[3] === 0)) { bg = bg.parentElement; c = bg ? getComputedStyle(bg).backgroundColor : 'rgb(255,255,255)'; }
            return [parse(getComputedStyle(e).color), parse(c)]; }))""")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_explorers_stay_legible_in_both_themes(chapter, built_book, theme):
    page = chapter.page
    page.evaluate("t => { document.documentElement.dataset.theme = t; document.documentElement.dataset.mode = t; }", theme)
    page.wait_for_timeout(200)
    low = [(fg, bg) for fg, bg in _colours(page) if _contrast(tuple(fg), tuple(bg)) < 4.5]
    explorer = page.locator(_root("map"))
    explorer.scroll_into_view_if_needed()
    explorer.screenshot(path=str(built_book.screenshots / f"ch5_map_{theme}.png"))
    page.locator(_root("interpolation")).screenshot(path=str(built_book.screenshots / f"ch5_interpolation_{theme}.png"))
    assert not low, f"text with contrast below 4.5:1 in the {theme} theme: {low[:5]}"
    assert not chapter.problems(), chapter.problems()


def test_every_prior_circle_stands_out_from_a_dense_cloud_of_codes(browser):
    """Along each prior circle the map shows ink or the ground, never a point under it.

    A cloud of codes of every digit covers the whole plane; each circle (1 and 2 standard
    deviations) must still be drawn over it: every pixel on its path is the dashes' ink or
    the ground colour between them. (A thin dashed ink line alone let the points show
    through its gaps, and the 1-sd circle vanished in chapter 5's cloud.)
    """
    g = torch.Generator().manual_seed(0)
    codes = 5.4 * torch.rand(6000, 2, generator=g) - 2.7
    labels = torch.arange(6000) % 10
    model = vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0)
    html = explorer_page.map_view("VAE", model, codes, labels, [-3.0, 3.0, -3.0, 3.0], [0.0, 0.0], "cloud")
    page = browser.new_page()
    try:
        page.set_content(f"<!doctype html><html><body style='color: #222; background: #fff'>{html}</body></html>")
        circles, pixels, size = page.evaluate("""() => {
            const root = document.querySelector('[data-vt-explorer=map]');
            const canvas = root.querySelector('canvas.vt-map');
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            return [root.vt.prior, Array.from(data), canvas.width]; }""")
    finally:
        page.close()
    rgb = np.array(pixels, dtype=float).reshape(size, size, 4)[..., :3]
    ink, ground = np.array([0x22, 0x22, 0x22], float), np.array([255.0, 255.0, 255.0])
    assert [c["radius"] for c in circles] == [1.0, 2.0]
    for circle in circles:
        path = [(circle["cx"] + circle["rx"] * math.cos(a), circle["cy"] - circle["ry"] * math.sin(a))
                for a in np.linspace(0.0, 2 * math.pi, 720, endpoint=False)]
        seen = np.array([rgb[round(y), round(x)] for x, y in path])
        # anti-aliased edges mix ink and ground: a pixel counts as the circle's when it lies
        # near the grey line from the ground colour to the ink colour
        along = np.clip((seen - ground) @ (ink - ground) / np.sum((ink - ground) ** 2), 0, 1)
        off_line = np.linalg.norm(seen - (ground + along[:, None] * (ink - ground)), axis=1)
        shown = off_line < 30
        assert shown.mean() > 0.95, (circle["radius"], float(shown.mean()))
        assert (along > 0.5).mean() > 0.2 and (along < 0.1).mean() > 0.2, circle["radius"]  # dashes and gaps
