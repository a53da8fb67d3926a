"""The draw explorer in a real JupyterLab (127.0.0.1), driven by Playwright in Debian's Chromium.

A one-cell notebook (a 2-D VAE fitted for a moment on 2,000 training digits, and its
draw explorer) runs with JupyterLab's own "run all"; the real mouse draws a stroke on the pad and
the keyboard inks with the cursor (JupyterLab's command mode would otherwise take the arrow
keys and Space); the reconstruction, the map and the ELBO text must change, with no page
error and no request outside JupyterLab. Skips without Chromium, fails under CI (as
test_lab_explorers.py).
"""

from __future__ import annotations

import nbformat
import pytest

import lab_driver as lab
from test_browser import _require_browser  # noqa: F401  (skip / fail without a browser; browser: conftest)
from test_lab_explorers import _page

CELL = ("import vae_teach as vt\n"
        "data = vt.load_mnist()\n"
        "vae = vt.VAE(latent_dim=2, hidden_dims=(64,), seed=0)\n"
        "vt.fit(vae, data.train_x[:2000], epochs=5, seed=0, progress=False)\n"
        "vt.draw_explorer(vae, data, threshold=-300.0, n_codes=500)")


def _state(page) -> tuple[str, str, str]:
    root = page.locator(lab.root_selector("draw"))
    return (root.locator("canvas.vt-recon").evaluate("c => c.toDataURL()"),
            root.locator("canvas.vt-map").evaluate("c => c.toDataURL()"), root.locator(".vt-score").inner_text())


@pytest.fixture(scope="module")
def session(browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-draw")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(CELL)]
    nbformat.write(nb, root / "draw.ipynb")
    seen: dict = {"problems": []}
    with lab.running_lab(root, env={"TQDM_DISABLE": "1"}) as server:
        page = _page(browser, server, seen["problems"])
        lab.open_document(page, server, "draw.ipynb")
        seen["run"] = lab.run_all_cells(page)
        page.wait_for_timeout(300)
        seen["roots"] = lab.explorer_roots(page)
        pad = page.locator(lab.root_selector("draw")).locator("canvas.vt-pad")
        pad.scroll_into_view_if_needed()
        before = _state(page)
        box = pad.bounding_box()
        page.mouse.move(box["x"] + 0.3 * box["width"], box["y"] + 0.2 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + 0.6 * box["width"], box["y"] + 0.8 * box["height"], steps=10)
        page.mouse.up()
        after_mouse = _state(page)
        pad.focus()
        for key in ["ArrowUp", "Space", "ArrowLeft", "Space", "ArrowLeft", "Enter"]:
            page.keyboard.press(key)
        after_keys = _state(page)
        seen["changes"] = [[a != b for a, b in zip(before, after_mouse)], [a != b for a, b in zip(after_mouse, after_keys)]]
        seen["cells"] = page.locator(".jp-Notebook .jp-Cell").count()
        page.locator(lab.root_selector("draw")).screenshot(path="/tmp/vt_draw_screenshots/lab_draw.png")
        page.context.close()
    return seen


def test_the_draw_explorer_runs_and_responds_to_mouse_and_keys_in_jupyterlab(session):
    assert session["run"] == {"ok": True, "errors": [], "unrun": 0}, session["run"]
    assert [(e["kind"], e["ran"], e["message"], e["body"]) for e in session["roots"]] == [("draw", True, False, True)]
    assert session["changes"] == [[True, True, True], [True, True, True]], session["changes"]
    assert session["cells"] == 1  # Space and the arrows stayed with the pad: no cell was added or moved
    assert not session["problems"], session["problems"]
