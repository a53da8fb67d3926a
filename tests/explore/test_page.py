"""The HTML block of an explorer (page.explorer_html) and the static files inlined into it."""

from __future__ import annotations

import re

import pytest

import vae_teach as vt
from vae_teach.explore import assets, page


@pytest.fixture(scope="module")
def map_html():
    data = vt.load_mnist()
    model = vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0)
    return vt.latent_map_explorer(model, data.test_x[:200], data.test_y[:200], title="a </script> title").html()


def test_the_static_files_ship_as_package_data():
    assert assets.static_files() == ["arithmetic.js", "core.js", "draw.js", "explorer.css", "interpolation.js",
                                     "map.js", "traversal.js"]


def test_each_view_file_declares_the_function_the_page_calls():
    for kind, view in assets.VIEWS.items():
        assert re.search(rf"^function {view.function}\(root, data, decoders\)", assets.static_text(view.file), re.M), kind


@pytest.mark.parametrize("name", ["core.js", "map.js", "interpolation.js", "traversal.js", "arithmetic.js",
                                  "draw.js"])
def test_no_static_script_could_end_or_confuse_its_script_element(name):
    text = assets.static_text(name).lower()
    assert "</" not in text and "<!--" not in text and "<script" not in text


def test_the_page_inlines_the_css_and_the_scripts_it_names(map_html):
    assert assets.stylesheet() in map_html
    assert assets.static_text("core.js") in map_html and assets.static_text("map.js") in map_html
    assert assets.static_text("traversal.js") not in map_html
    assert "start(root, data, mapView);" in map_html


def test_the_run_this_cell_message_shows_and_the_body_hides_until_the_script_runs(map_html):
    message = re.search(r'<p class="vt-untrusted">(.*?)</p>', map_html)
    assert message and page.UNTRUSTED_MESSAGE in message.group(1)
    assert '<div class="vt-body" style="display: none">' in map_html  # survives JupyterLab's sanitizer
    assert map_html.index("vt-untrusted") < map_html.index('class="vt-map"') < map_html.index("<script>")


def test_two_explorers_on_one_page_get_different_ids(map_html):
    data = vt.load_mnist()
    model = vt.VAE(latent_dim=2, hidden_dims=(16,), seed=0)
    second = vt.latent_map_explorer(model, data.test_x[:200], data.test_y[:200]).html()
    ids = [re.search(r'id="(vt-[^"]+)"', h).group(1) for h in (map_html, second)]
    assert ids[0] != ids[1]
    assert f"getElementById('{ids[1]}')" in second


def test_the_script_cannot_close_its_own_tag_early(map_html):
    script = map_html[map_html.index("<script>") + len("<script>"):]
    assert script.index("</script>") == len(script) - len("</script>\n</div>")


def test_explorer_html_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match=r"expected kind in \['arithmetic', .*got 'scatter'"):
        page.explorer_html("scatter", {}, "", "t")


def test_view_script_refuses_data_that_would_end_the_script():
    with pytest.raises(ValueError, match="'</' escaped"):
        assets.view_script("map", "vt-map-x", '{"title": "</script>"}')
