"""Benchmark of chapter 5's explorers: kernel update latency, in-page decode time, payload sizes.

    .venv/bin/python benchmarks/explorers.py [--updates 100] [--decodes 100] [--threads N]

Uses the chapter's models (``vt.cached_fit`` with the chapter's arguments: the
first run trains them). Kernel: each update is one control change handled by
the explorer (decode one batch with torch, PNG bytes into the Image widget),
timed over ``--updates`` changes. Page: the four kernel-free views in one
offline HTML file in headless Chromium (/usr/bin/chromium, every request
outside the file refused); ``performance.now()`` around each of ``--decodes``
decodes of random codes. Agreement: the page's decode (int8 weights, run here by
``export.decode_numpy``, which the browser tests hold the JS to) against torch's, over
every code the view can decode: the largest pixel error of each image, median and
worst over the images. Budgets (DESIGN.md): kernel update < 30 ms median, in-page
decode < 5 ms median, each explorer <= 600 KB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import vae_teach as vt
from vae_teach.explore import export
from vae_teach.explore.export import MAX_EXPLORER_BYTES

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def chapter_models(data: vt.ImageData) -> dict[str, torch.nn.Module]:
    """The three models of chapter 5, trained (or loaded) exactly as the chapter does."""
    models = {"ae2": vt.Autoencoder(latent_dim=2, hidden_dims=(200,), seed=0),
              "vae2": vt.VAE(latent_dim=2, hidden_dims=(200,), seed=0),
              "vae16": vt.VAE(latent_dim=16, hidden_dims=(200,), seed=0)}
    for model in models.values():
        vt.cached_fit(model, data.train_x, epochs=60, test_x=data.test_x, progress=False)
    return models


def explorers(data: vt.ImageData, m: dict) -> dict[str, object]:
    x, y = data.test_x, data.test_y
    return {"map": vt.latent_map_explorer(m["vae2"], x, y, name="VAE"),
            "interpolation": vt.interpolation_explorer({"AE": m["ae2"], "VAE": m["vae2"]}, x, y, digits=(1, 6)),
            "traversal": vt.traversal_explorer(m["vae16"], x, y, digit=3),
            "arithmetic": vt.arithmetic_explorer(m["vae16"], x, y, digit=1, source=1, target=7)}


def page_error(explorer) -> tuple[float, float]:
    """(median, worst) over the codes the view can decode of each image's largest |page - torch| pixel."""
    models = explorer.models if explorer.kind == "interpolation" else {explorer.name: explorer.model}
    errors = []
    for name, model in models.items():
        codes = explorer.domain(name) if explorer.kind == "interpolation" else explorer.domain()
        page = export.decode_numpy(export.export_decoder(model, "int8", codes), codes.numpy())
        with torch.no_grad():
            exact = model.decode(codes).reshape(len(codes), -1).numpy()
        errors.append(np.abs(page - exact).max(axis=1))
    every = np.concatenate(errors)
    return float(np.median(every)), float(every.max())


def _moves(explorer, n: int):
    """n (control, value) changes that each trigger exactly one update."""
    rng = np.random.default_rng(0)
    kind = explorer.kind
    for i in range(n):
        if kind == "map":
            yield explorer.z0, float(rng.uniform(explorer.z0.min, explorer.z0.max))
        elif kind == "interpolation":
            yield (explorer.b, int(rng.integers(len(explorer.index)))) if i % 2 else (explorer.n, 3 + i % 10)
        elif kind == "traversal":
            yield explorer.dim_select, i % explorer.model.latent_dim
        else:
            yield explorer.amount, round(float(rng.uniform(-1, 2)), 2)


def kernel_latency(explorer, n: int) -> tuple[float, float]:
    """(median, 95th percentile) in ms of n updates, each one control change."""
    explorer.widget  # build the view (and its first update) outside the timing
    times = []
    for control, value in _moves(explorer, n):
        if control.value == value:
            continue
        start = time.perf_counter()
        control.value = value
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), float(np.percentile(times, 95))


def page_decode_ms(html: str, decodes: int, chromium: str) -> dict[str, list[float]]:
    """[median, mean] ms per decode in Chromium for each explorer's first model, keyed by explorer kind.

    Chromium rounds performance.now() to 0.1 ms on a page that is not cross-origin isolated,
    so a median below that reads 0.0 or 0.1; the mean over all decodes resolves it.
    """
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "explorers.html"
        page_file.write_text(f"<!doctype html><html><head><meta charset='utf-8'></head><body>{html}</body></html>")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context()
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            result = page.evaluate("""n => Object.fromEntries(Array.from(document.querySelectorAll('[data-vt-explorer]')).map(r => {
                const ref = r.vt.reference[0], d = ref.z.length, times = [];
                for (let i = 0; i < n + 10; i++) {
                    const z = Array.from({length: d}, () => 2 * Math.random() - 1);
                    const t0 = performance.now(); r.vt.decode(ref.model, z); const t1 = performance.now();
                    if (i >= 10) times.push(t1 - t0);  // the first few calls warm the JIT up
                }
                const mean = times.reduce((a, b) => a + b, 0) / n;
                times.sort((a, b) => a - b);
                return [r.dataset.vtExplorer, [times[Math.floor(n / 2)], mean]]; }))""", decodes)
            browser.close()
    if errors:
        raise RuntimeError(f"page errors: {errors}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--decodes", type=int, default=100)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--chromium", default=os.environ.get("VAE_TEACH_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    os.environ.setdefault("TQDM_DISABLE", "1")
    data = vt.load_mnist()
    views = explorers(data, chapter_models(data))
    print(f"torch threads: {torch.get_num_threads()}; CPU load average: {os.getloadavg()[0]:.1f}")
    html = "\n".join(e.html() for e in views.values())
    try:
        page = page_decode_ms(html, args.decodes, args.chromium)
    except Exception as error:  # noqa: BLE001 - report the kernel numbers anyway
        print(f"in-page decode not measured: {error}", file=sys.stderr)
        page = {}
    print(f"{'explorer':<14} {'kernel median ms':>17} {'kernel p95 ms':>14} {'page decode median ms':>22} "
          f"{'(mean)':>7} {'payload KB':>11} {'page vs torch, median / worst':>30}")
    ok = True
    for kind, explorer in views.items():
        median, p95 = kernel_latency(explorer, args.updates)
        size = explorer.payload_bytes
        decode, mean = page.get(kind, [float("nan")] * 2)
        ok &= median < 30 and size <= MAX_EXPLORER_BYTES and (not page or decode < 5)
        typical, worst = page_error(explorer)
        print(f"{kind:<14} {median:17.1f} {p95:14.1f} {decode:22.2f} {mean:7.3f} {size / 1000:11.0f} "
              f"{typical:21.4f} / {worst:.4f}")
    print("all within budget" if ok else "OVER BUDGET (kernel < 30 ms median, page < 5 ms, payload <= 600 KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
