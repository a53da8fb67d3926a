"""Benchmark of the draw explorer (vt.draw_explorer) on chapter 5's vae-2d-h200: sizes, update time, agreement.

    .venv/bin/python benchmarks/draw_explorer.py [--strokes 8] [--order 4] [--rule-digits 300]

The explorer goes into one offline HTML file, opened in headless Chromium
(/usr/bin/chromium, every request outside the file refused). Update: the real mouse draws
``--strokes`` strokes across the pad; each update (encode, order^2 decodes for the quadrature
ELBO, the reconstruction, the map) is timed by the page's own script (performance.now(),
which Chromium rounds to 0.1 ms). Agreement: the page's ELBO of the ten test digits it carries
against torch's vt.quadrature_elbo. Rule: the order-n rule against order 16 on the first
``--rule-digits`` test digits (torch). Budgets (DESIGN.md, issue 16): an update < 5 ms, each
network <= 600 KB, the page <= 2.5 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

import torch

import vae_teach as vt
from vae_teach.explore.draw import encoder_bytes
from vae_teach.explore.export import MAX_NETWORK_BYTES, MAX_PAGE_BYTES, network_bytes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import lab_driver  # noqa: E402  (the offline page, shared with benchmarks/explorers.py)

ROOT = "[data-vt-explorer=draw]"


def page_measures(html: str, strokes: int, chromium: str) -> tuple[list[float], list[float]]:
    """(update times ms while drawing, page ELBO - torch ELBO for the carried test digits)."""
    errors: list[str] = []
    with lab_driver.offline_page(html, chromium, errors) as page:
        box = page.locator(f"{ROOT} canvas.vt-pad").bounding_box()
        page.evaluate(f"document.querySelector('{ROOT}').vt.updateMs.length = 0")
        for k in range(strokes):
            y = box["y"] + (0.1 + 0.8 * k / max(1, strokes - 1)) * box["height"]
            page.mouse.move(box["x"] + 0.1 * box["width"], y)
            page.mouse.down()
            page.mouse.move(box["x"] + 0.9 * box["width"], y, steps=12)
            page.mouse.up()
        times = page.evaluate(f"Array.from(document.querySelector('{ROOT}').vt.updateMs)")
        diffs = page.evaluate(f"""() => {{ const r = document.querySelector('{ROOT}');
            return r.vt.digits().map((x, k) => r.vt.elbo(x).elbo - r.vt.digitElbos[k]); }}""")
    if errors:
        raise RuntimeError(f"page errors: {errors}")
    return times, diffs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strokes", type=int, default=8)
    parser.add_argument("--order", type=int, default=4)
    parser.add_argument("--rule-digits", type=int, default=300)
    parser.add_argument("--chromium", default=os.environ.get("VAE_TEACH_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    os.environ.setdefault("TQDM_DISABLE", "1")
    data = vt.load_mnist()
    model = vt.pretrained("vae-2d-h200", data)[0]
    scores = vt.quadrature_elbo(model, data.test_x, order=args.order)
    threshold = float(torch.quantile(scores, 0.01))
    explorer = vt.draw_explorer(model, data, threshold=threshold, order=args.order)
    print(f"CPU load average: {os.getloadavg()[0]:.1f}")
    sizes = {"encoder": encoder_bytes(model), "decoder": network_bytes(model), "page": explorer.payload_bytes}
    print("sizes: " + ", ".join(f"{k} {v / 1000:.0f} KB" for k, v in sizes.items()))
    times, diffs = page_measures(explorer.html(), args.strokes, args.chromium)
    median = statistics.median(times)
    print(f"update while drawing: median {median:.2f} ms (range {min(times):.1f}-{max(times):.1f}, n={len(times)})")
    print(f"page ELBO - torch ELBO, 10 test digits: largest |diff| {max(map(abs, diffs)):.3f} nats")
    n = args.rule_digits
    rule = (vt.quadrature_elbo(model, data.test_x[:n], order=args.order)
            - vt.quadrature_elbo(model, data.test_x[:n], order=16)).abs()
    print(f"order {args.order} vs order 16 on {n} test digits: median {rule.median():.4f}, "
          f"99th percentile {rule.quantile(0.99):.4f}, largest {rule.max():.4f} nats")
    ok = (median < 5 and sizes["page"] <= MAX_PAGE_BYTES
          and max(sizes["encoder"], sizes["decoder"]) <= MAX_NETWORK_BYTES and max(map(abs, diffs)) < 0.5)
    print("all within budget" if ok else "OVER BUDGET (update < 5 ms median, network <= 600 KB, page <= 2.5 MB, "
          "page vs torch < 0.5 nats)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
