"""Chapter 1 in a real JupyterLab on 127.0.0.1, driven by Playwright and Debian's Chromium.

The chapter opens as a notebook (jupytext), Run All executes it, jupyterlab-myst
renders the ``{eval}`` numbers in the prose, and JupyterLab's autosave leaves the
``.md`` byte-identical (jupytext.toml). The chapter is a scratch copy, so the save
cannot touch the repository. Skipped without a browser, except under CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import BIN, ROOT, build_env
from test_browser import CHROMIUM, CHROMIUM_ARGS, _require_browser  # noqa: F401  (the skip)

import vae_teach as vt

CHAPTER = "book/01_data.md"
TOKEN = "vae-teach-test"
NOTEBOOK = "window.vaeTeachChapter"  # the panel docmanager:open returned


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a scratch copy of chapter 1 and jupytext.toml; yields (url, root)."""
    root = tmp_path_factory.mktemp("lab")
    (root / "book").mkdir()
    shutil.copy(ROOT / "jupytext.toml", root / "jupytext.toml")
    shutil.copy(ROOT / CHAPTER, root / CHAPTER)
    state = tmp_path_factory.mktemp("lab_state")
    settings = state / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell stays in the page (no windowing), so that the rendered prose can be read
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    # autosave every 5 s (JupyterLab's default is 120 s): the test waits for it, not a save command
    docmanager = state / "settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    (docmanager / "plugin.jupyterlab-settings").write_text('{"autosave": true, "autosaveInterval": 5}')
    env = build_env()
    env.update(JUPYTERLAB_SETTINGS_DIR=str(state / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(state / "runtime"),
               VAE_TEACH_CACHE=str(state / "models"))
    port = _free_port()
    log = (state / "lab.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={TOKEN}",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail("JupyterLab exited: " + (state / "lab.log").read_text()[-2000:])
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not answer within 120 s")
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}", root
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_run_all_renders_the_numbers_and_a_save_changes_no_byte(lab, tmp_path):
    from playwright.sync_api import sync_playwright

    url, root = lab
    before = (root / CHAPTER).read_bytes()
    written = (root / CHAPTER).stat().st_mtime_ns
    n_train = len(vt.load_mnist().train_x)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        # nothing outside this JupyterLab
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
        page.goto(f"{url}/lab?token={TOKEN}")
        page.wait_for_function("() => window.jupyterapp", timeout=120_000)
        page.evaluate("() => window.jupyterapp.restored")  # the layout (a launcher) is in place
        page.evaluate(f"""async (path) => {{
            {NOTEBOOK} = await window.jupyterapp.commands.execute(
                'docmanager:open', {{path, factory: 'Jupytext Notebook'}});
            await {NOTEBOOK}.context.ready;
            await {NOTEBOOK}.sessionContext.ready;
        }}""", CHAPTER)
        page.wait_for_function(f"() => {NOTEBOOK}.sessionContext.session?.kernel?.status === 'idle'",
                               timeout=180_000)
        # the command's promise settles when every cell has run
        page.evaluate(f"() => {{ window.jupyterapp.shell.activateById({NOTEBOOK}.id);"
                      "return window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        page.wait_for_function(f"() => {NOTEBOOK}.sessionContext.session.kernel.status === 'idle'",
                               timeout=300_000)
        errors = page.evaluate(f"""() => {NOTEBOOK}.content.widgets
            .filter(c => c.model.type === 'code')
            .flatMap(c => c.model.outputs.toJSON().filter(o => o.output_type === 'error'))
            .map(o => o.ename + ': ' + o.evalue)""")
        assert errors == []
        # every markdown cell that quotes {eval} has its results, all ok, and shows none of its
        # expressions as code (jupyterlab-myst's look for an expression it has no result for)
        page.wait_for_function(f"""() => {NOTEBOOK}.content.widgets
            .filter(c => c.model.type === 'markdown' && c.model.sharedModel.getSource().includes('{{eval}}'))
            .every(c => {{
                const results = c.model.getMetadata('user_expressions');
                if (!results || !results.every(e => e.result.status === 'ok')) return false;
                const code = [...c.node.querySelectorAll('code')].map(e => e.textContent);
                return !results.some(e => code.includes(e.expression));
            }})""", timeout=120_000, polling=500)
        evaluated = page.evaluate(f"""() => {NOTEBOOK}.content.widgets
            .flatMap(c => c.model.getMetadata('user_expressions') || []).length""")
        assert evaluated == (ROOT / CHAPTER).read_text().count("{eval}`")
        prose = page.evaluate(f"""() => {NOTEBOOK}.content.widgets
            .filter(c => c.model.type === 'markdown').map(c => c.node.innerText).join(' ')""")
        assert f"The training set holds {n_train:,} images" in " ".join(prose.split())
        page.evaluate(f"""() => {NOTEBOOK}.content.widgets.find(c => c.model.type === 'markdown'
            && c.node.innerText.includes('The training set holds')).node.scrollIntoView()""")
        page.screenshot(path=str(tmp_path / "jupyterlab_01_data.png"))
        # no save command: JupyterLab's autosave writes the run notebook back
        deadline = time.monotonic() + 90
        while (root / CHAPTER).stat().st_mtime_ns == written and time.monotonic() < deadline:
            page.wait_for_timeout(1000)
        page.wait_for_function(f"() => !{NOTEBOOK}.context.model.dirty", timeout=60_000)
        browser.close()
    time.sleep(1)
    assert (root / CHAPTER).stat().st_mtime_ns != written, "JupyterLab's autosave did not save the chapter"
    assert (root / CHAPTER).read_bytes() == before, "saving the chapter in JupyterLab changed the .md"
    print(f"screenshot: {tmp_path / 'jupyterlab_01_data.png'}", file=sys.stderr)
