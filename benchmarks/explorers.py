"""Benchmark of chapter 5's explorers in the page: update time, decode time, payload, agreement with torch.

    .venv/bin/python benchmarks/explorers.py [--updates 20] [--decodes 100]

Uses the chapter's models (``vt.cached_fit`` with the chapter's arguments: the
first run trains them). The four views go into one offline HTML file, opened in
headless Chromium (/usr/bin/chromium, every request outside the file refused).
Update: ``--updates`` changes of each explorer with real input (the mouse over the
map, arrow keys on a slider, a select), each timed by the explorer's own script
(``performance.now()`` around the whole update: decode, draw, labels; Chromium rounds
to 0.1 ms). Decode: ``performance.now()`` around each of ``--decodes`` decodes of
random codes. Agreement: the page's decode (int8 weights, run here by
``export.decode_numpy``, which the node tests hold the JS to) against torch's, over
every code the view can decode: the largest pixel error of each image, median and
worst over the images. Budgets (DESIGN.md): an update < 5 ms, each network <= 600 KB, each page <= 2.5 MB.
The same views in JupyterLab: benchmarks/lab_explorers.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

import numpy as np
import torch

import vae_teach as vt
from vae_teach.explore import export as web
from vae_teach.explore.export import MAX_NETWORK_BYTES, MAX_PAGE_BYTES, network_bytes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import lab_driver  # noqa: E402  (the same real-input helpers as the JupyterLab benchmark)


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
        page = web.decode_numpy(web.export_decoder(model, "int8", codes), codes.numpy())
        with torch.no_grad():
            exact = model.decode(codes).reshape(len(codes), -1).numpy()
        errors.append(np.abs(page - exact).max(axis=1))
    every = np.concatenate(errors)
    return float(np.median(every)), float(every.max())


def page_timings(html: str, decodes: int, updates: int, chromium: str) -> dict[str, dict[str, list[float]]]:
    """Per explorer kind: "update" (ms of each of ``updates`` updates by real input) and "decode"
    ([median, mean] ms of one decode of a random code; the mean resolves Chromium's 0.1 ms steps)."""
    errors: list[str] = []
    with lab_driver.offline_page(html, chromium, errors) as page:
        result: dict[str, dict[str, list[float]]] = {}
        for kind in ("map", "interpolation", "traversal", "arithmetic"):
            lab_driver.exercise_explorer(page, kind, updates)
            result[kind] = {"update": lab_driver.update_times(page, kind)[1:]}  # [0]: the first drawing
        decoded = page.evaluate("""n => Object.fromEntries(Array.from(document.querySelectorAll('[data-vt-explorer]')).map(r => {
            const ref = r.vt.reference[0], d = ref.z.length, times = [];
            for (let i = 0; i < n + 10; i++) {
                const z = Array.from({length: d}, () => 2 * Math.random() - 1);
                const t0 = performance.now(); r.vt.decode(ref.model, z); const t1 = performance.now();
                if (i >= 10) times.push(t1 - t0);  // the first few calls warm the JIT up
            }
            const mean = times.reduce((a, b) => a + b, 0) / n;
            times.sort((a, b) => a - b);
            return [r.dataset.vtExplorer, [times[Math.floor(n / 2)], mean]]; }))""", decodes)
    if errors:
        raise RuntimeError(f"page errors: {errors}")
    for kind, values in decoded.items():
        result[kind]["decode"] = values
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=20)
    parser.add_argument("--decodes", type=int, default=100)
    parser.add_argument("--chromium", default=os.environ.get("VAE_TEACH_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    os.environ.setdefault("TQDM_DISABLE", "1")
    data = vt.load_mnist()
    views = explorers(data, chapter_models(data))
    print(f"CPU load average: {os.getloadavg()[0]:.1f}")
    timings = page_timings("\n".join(e.html() for e in views.values()), args.decodes, args.updates, args.chromium)
    print(f"{'explorer':<14} {'update median ms':>17} {'(range)':>13} {'decode median ms':>17} {'(mean)':>7} "
          f"{'payload KB':>11} {'page vs torch, median / worst':>30}")
    ok = True
    for kind, explorer in views.items():
        updates, (decode, mean) = timings[kind]["update"], timings[kind]["decode"]
        median, size = statistics.median(updates), explorer.payload_bytes
        networks = [network_bytes(m) for m in getattr(explorer, "models", {"": getattr(explorer, "model", None)}).values()]
        ok &= median < 5 and size <= MAX_PAGE_BYTES and max(networks) <= MAX_NETWORK_BYTES
        typical, worst = page_error(explorer)
        spread = f"({min(updates):.1f}-{max(updates):.1f})"
        print(f"{kind:<14} {median:17.2f} {spread:>13} {decode:17.2f} {mean:7.3f} {size / 1000:11.0f} "
              f"{typical:21.4f} / {worst:.4f}")
    print("all within budget" if ok else "OVER BUDGET (update < 5 ms median, network <= 600 KB, page <= 2.5 MB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
