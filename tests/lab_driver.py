"""A real JupyterLab on 127.0.0.1 for tests and benchmarks, driven through Playwright.

``running_lab(root)`` starts ``jupyter lab`` (a free port, a random token, no browser,
``root`` as its root folder) with every Jupyter and JupyterLab folder (config, data,
runtime, settings, workspaces) in a temporary folder of its own, so neither the user's
settings nor the venv's are read or written; ``.md`` files open as Jupytext notebooks by
default there. ``window.jupyterapp`` is exposed so a page can open a document and run
its cells through JupyterLab's own commands; the pointer, keys and selects are real
Playwright input. The kernel imports ``vae_teach`` from this checkout (PYTHONPATH).

The explorer helpers at the end work on any page with explorers (JupyterLab or the book).
Used by tests/test_lab_explorers.py, benchmarks/lab_explorers.py and benchmarks/explorers.py;
``offline_page`` (an explorer's HTML alone in headless Chromium) by benchmarks/explorers.py and
benchmarks/draw_explorer.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: JupyterLab's announcement toast (it offers to fetch news from the internet): off.
_PAGE_CONFIG = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
_JUPYTEXT_DEFAULT = {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}


@dataclass
class Lab:
    """A running JupyterLab: its address, token, root folder, and log file."""
    url: str
    token: str
    root: Path
    log: Path

    def page_url(self, path: str = "lab") -> str:
        """Address of a JupyterLab page, with the token."""
        return f"{self.url}/{path}?token={self.token}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _folders(home: Path) -> dict[str, str]:
    """Environment variables that point every Jupyter folder into ``home``; writes the lab settings."""
    env = {"JUPYTER_CONFIG_DIR": home / "config", "JUPYTER_DATA_DIR": home / "data",
           "JUPYTER_RUNTIME_DIR": home / "runtime", "JUPYTERLAB_SETTINGS_DIR": home / "settings",
           "JUPYTERLAB_WORKSPACES_DIR": home / "workspaces", "IPYTHONDIR": home / "ipython"}
    for folder in env.values():
        folder.mkdir(parents=True, exist_ok=True)
    (home / "config" / "labconfig").mkdir(exist_ok=True)
    (home / "config" / "labconfig" / "page_config.json").write_text(json.dumps(_PAGE_CONFIG))
    docmanager = home / "settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True, exist_ok=True)
    (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps(_JUPYTEXT_DEFAULT))
    # every cell stays in the page (no windowing), so that the rendered cells can be read
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    return {k: str(v) for k, v in env.items()}


@contextlib.contextmanager
def running_lab(root: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Iterator[Lab]:
    """Start JupyterLab on ``root``; yield a ``Lab`` once it answers; stop it (and its kernels) after.

    env: extra environment for the server and its kernels (e.g. VAE_TEACH_CACHE).
    Raises RuntimeError with the end of the server's log if it does not come up in ``timeout`` s.
    """
    port, token = free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="vae-teach-lab-") as home:
        full_env = dict(os.environ, **_folders(Path(home)), **(env or {}))
        full_env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [full_env.get("PYTHONPATH")])])
        full_env["PATH"] = f"{BIN}{os.pathsep}{full_env.get('PATH', '')}"
        log = Path(home) / "lab.log"
        command = [str(BIN / "jupyter-lab"), "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
                   f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                   "--LabApp.extension_manager=readonly"]
        if os.geteuid() == 0:  # containers and CI runners often run as root
            command.append("--allow-root")
        with open(log, "w") as out:
            process = subprocess.Popen(command, cwd=root, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        lab = Lab(f"http://127.0.0.1:{port}", token, root, log)
        try:
            _wait_until_up(lab, process, timeout)
            yield lab
        finally:
            _stop(process)


def _wait_until_up(lab: Lab, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={lab.token}", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not come up in {timeout:.0f} s (exit code {process.poll()}); "
                       f"the end of its log:\n{lab.log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    """Stop the server we started (its own process group: the server and its kernels)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# ---- In the page: JupyterLab's commands through window.jupyterapp ----

_OPEN = """async ([path, factory]) => {
    const app = window.jupyterapp;
    await app.started; await app.restored;
    const widget = await app.commands.execute('docmanager:open', factory ? {path, factory} : {path});
    await widget.context.ready; await widget.sessionContext.ready;
    return widget.id; }"""

_RUN_ALL = """async () => {
    const widget = window.jupyterapp.shell.currentWidget;
    await widget.sessionContext.ready;
    const ok = await window.jupyterapp.commands.execute('notebook:run-all-cells');
    const cells = widget.content.widgets.filter(c => c.model.type === 'code');
    const errors = cells.flatMap(c => c.model.outputs.toJSON()).filter(o => o.output_type === 'error')
        .map(o => `${o.ename}: ${o.evalue}`);
    return {ok, errors, unrun: cells.filter(c => !c.model.executionCount).length}; }"""


def open_document(page, lab: Lab, path: str, factory: str | None = None, timeout_ms: float = 120_000) -> None:
    """Load JupyterLab in ``page`` and open ``path`` (relative to the lab's root) with ``factory``.

    Close other pages on the same JupyterLab first: a second window on a workspace in use
    makes JupyterLab navigate to a new workspace halfway through loading.
    """
    page.set_default_timeout(timeout_ms)
    page.goto(lab.page_url("lab"), wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=timeout_ms)
    open_next_document(page, path, factory, timeout_ms)


def open_next_document(page, path: str, factory: str | None = None, timeout_ms: float = 120_000) -> None:
    """In a page where JupyterLab already runs (``open_document``), open ``path`` in a new tab and
    wait until it is the current document: JupyterLab loads once for a series of documents, not
    once per document. The earlier documents stay open, in tabs behind it."""
    page.evaluate(_OPEN, [path, factory])
    page.wait_for_function("p => { const w = window.jupyterapp.shell.currentWidget;"
                           " return !!w && !!w.context && w.context.path === p; }", arg=path, timeout=timeout_ms)
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook", timeout=timeout_ms)


def save_document(page) -> None:
    """Save the current document (JupyterLab's docmanager:save)."""
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")


# ---- Explorers in the page (their root element carries data-vt-explorer and, once run, .vt) ----

def explorer_roots(page) -> list[dict]:
    """Each explorer on the page, in order: kind, whether its script ran, renders, message/body visible.

    Found by class: on an untrusted output JupyterLab's sanitizer drops data-vt-explorer (kind is then null).
    """
    return page.evaluate("""() => Array.from(document.querySelectorAll('.vt-explorer')).map(r => {
        const visible = e => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
        return {kind: r.dataset.vtExplorer || null, ran: !!r.vt, renders: r.vt ? r.vt.renders : 0,
                message: visible(r.querySelector('.vt-untrusted')), body: visible(r.querySelector('.vt-body')),
                text: r.innerText.slice(0, 400)}; })""")


def root_selector(kind: str, nth: int = 0) -> str:
    """CSS selector of the nth explorer of ``kind`` on the page."""
    return f"[data-vt-explorer={kind}] >> nth={nth}"


def canvas_image(page, kind: str, selector: str, nth: int = 0) -> str:
    """The pixels of a canvas in an explorer, as a data: URL (compare two to see a change)."""
    return page.locator(root_selector(kind, nth)).locator(selector).first.evaluate("c => c.toDataURL()")


def update_times(page, kind: str, nth: int = 0) -> list[float]:
    """The durations, ms, of the explorer's updates so far (its JS records them in root.vt.updateMs)."""
    return page.locator(root_selector(kind, nth)).evaluate("r => r.vt ? Array.from(r.vt.updateMs) : []")


def point_along_map(page, n: int = 20, nth: int = 0) -> None:
    """Move the real mouse over the map to ``n`` points on a loop through the plot (n updates)."""
    import math

    canvas = page.locator(root_selector("map", nth)).locator("canvas.vt-map")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for i in range(n):
        angle = 2 * math.pi * i / n
        x = box["x"] + box["width"] * (0.5 + 0.3 * math.cos(angle))
        y = box["y"] + box["height"] * (0.5 + 0.3 * math.sin(angle))
        page.mouse.move(x, y)


def dispatched_pointer_ms(page, n: int = 20, nth: int = 0) -> list[float]:
    """performance.now() around ``n`` pointermove events dispatched on the map: the whole synchronous update."""
    return page.locator(root_selector("map", nth)).evaluate("""(root, n) => {
        const canvas = root.querySelector('canvas.vt-map'), rect = canvas.getBoundingClientRect(), times = [];
        for (let i = 0; i < n; i++) {
            const event = new PointerEvent('pointermove', {bubbles: true, clientX: rect.left + rect.width * (0.2 + 0.6 * i / n),
                                                           clientY: rect.top + rect.height * (0.8 - 0.6 * i / n)});
            const begin = performance.now();
            canvas.dispatchEvent(event);
            times.push(performance.now() - begin);
        }
        return times; }""", n)


def press_on(page, kind: str, selector: str, keys: list[str], nth: int = 0) -> None:
    """Focus a control of an explorer and press ``keys`` in turn (each press of an arrow: one update)."""
    control = page.locator(root_selector(kind, nth)).locator(selector)
    control.scroll_into_view_if_needed()
    control.focus()
    for key in keys:
        page.keyboard.press(key)


def choose_options(page, kind: str, selector: str, n: int, nth: int = 0) -> None:
    """Pick ``n`` options of a <select> in an explorer in turn, each different from the one before."""
    control = page.locator(root_selector(kind, nth)).locator(selector)
    control.scroll_into_view_if_needed()
    values = control.evaluate("s => Array.from(s.options).map(o => o.value)")
    current = control.input_value()
    for _ in range(n):
        current = values[(values.index(current) + 1) % len(values)]
        control.select_option(current)


def run_all_cells(page) -> dict:
    """Run every cell of the current notebook and wait for the last one: {ok, errors, unrun}."""
    return page.evaluate(_RUN_ALL)


def exercise_explorer(page, kind: str, n: int, nth: int = 0) -> None:
    """Make ``n`` updates of an explorer with real input: the pointer over the map, the keyboard on a
    slider, or a <select> (interpolation: steps and the second digit; traversal: the dimension;
    arithmetic: the amount)."""
    if kind == "map":
        point_along_map(page, n, nth)
    elif kind == "interpolation":
        presses = n // 2
        press_on(page, kind, ".vt-steps", _alternating(presses), nth)
        choose_options(page, kind, ".vt-b", n - presses, nth)
    elif kind == "traversal":
        choose_options(page, kind, ".vt-dim", n, nth)
    elif kind == "arithmetic":
        press_on(page, kind, ".vt-amount", _alternating(n), nth)
    else:
        raise ValueError(f"expected an explorer kind (map, interpolation, traversal, arithmetic); got {kind!r}")


def _alternating(n: int) -> list[str]:
    """n arrow presses, left and right in turn: each moves a slider without reaching its end."""
    return [("ArrowLeft", "ArrowRight")[i % 2] for i in range(n)]


#: Debian's Chromium, headless, with nothing of its own reaching the network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@contextlib.contextmanager
def offline_page(html: str, chromium: str, errors: list[str]) -> Iterator:
    """A 1280 x 900 headless Chromium page showing ``html`` alone, from a temporary file.

    Every request outside that file is aborted; the page's uncaught errors are appended to
    ``errors`` (read it after the block). Closes the browser and deletes the file on exit.
    """
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "page.html"
        page_file.write_text(f"<!doctype html><html><head><meta charset='utf-8'></head><body>{html}</body></html>")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
                page = context.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(page_file.as_uri())
                yield page
            finally:
                browser.close()
