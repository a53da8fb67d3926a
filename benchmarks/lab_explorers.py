"""A chapter's explorers in a real JupyterLab: how long an update takes in the page.

    .venv/bin/python benchmarks/lab_explorers.py [--chapter book/05_exploring_latent_space.md]
        [--updates 20] [--screenshots DIR]

Copies the chapter into a temporary folder, starts JupyterLab there on 127.0.0.1
(tests/lab_driver.py: its own Jupyter folders, .md opening as a Jupytext notebook),
opens the chapter in headless Chromium (/usr/bin/chromium, every request outside the
server refused), runs all cells with JupyterLab's own command, then makes ``--updates``
updates of each explorer with real input (the mouse over the map, arrow keys on a
slider, a select) and prints the durations the explorer's script measured around each
update (``performance.now()``, which Chromium rounds to 0.1 ms), plus, for the map,
``performance.now()`` around dispatched pointermove events. Screenshots of the page and
of each explorer go to ``--screenshots``. Models come from the model cache
(``VAE_TEACH_CACHE``; a cold cache trains them first). Budget (DESIGN.md): an update
under 5 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import lab_driver as lab  # noqa: E402

KINDS = ("map", "interpolation", "traversal", "arithmetic")


def summary(times: list[float]) -> str:
    """median (min-max, n) of durations in ms."""
    if not times:
        return "no updates recorded"
    return f"{statistics.median(times):6.2f} ms   ({min(times):.2f}-{max(times):.2f}, n={len(times)})"


def measure(chapter: Path, updates: int, screenshots: Path, chromium: str) -> dict[str, list[float]]:
    """Run the chapter in JupyterLab and exercise its explorers; update durations per explorer, ms."""
    from playwright.sync_api import sync_playwright

    screenshots.mkdir(parents=True, exist_ok=True)
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="vae-teach-lab-bench-") as folder:
        shutil.copy(chapter, Path(folder) / chapter.name)
        env = {"TQDM_DISABLE": "1"}
        with lab.running_lab(Path(folder), env=env) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=lab.CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 1000}, service_workers="block")
            outside: list[str] = []
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server.url + "/")
                          else (outside.append(r.request.url), r.abort()))
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(f"{e} at {(e.stack or '').splitlines()[1:3]}"[:400]))
            start = time.perf_counter()
            lab.open_document(page, server, chapter.name, factory="Jupytext Notebook", timeout_ms=600_000)
            run = lab.run_all_cells(page)
            print(f"opened and ran {chapter.name} in JupyterLab in {time.perf_counter() - start:.0f} s: {run}")
            page.wait_for_timeout(500)
            page.screenshot(path=str(screenshots / "lab_chapter.png"))
            present = [e["kind"] for e in lab.explorer_roots(page) if e["ran"]]
            for kind in KINDS:
                if kind not in present:
                    continue
                lab.exercise_explorer(page, kind, updates)
                times[kind] = lab.update_times(page, kind)[1:]  # the first update ran with the cell
                page.locator(lab.root_selector(kind)).screenshot(path=str(screenshots / f"lab_{kind}.png"))
            if "map" in present:
                times["map (dispatched pointermove)"] = lab.dispatched_pointer_ms(page, updates)
            browser.close()
    if errors or outside:
        print(f"page errors: {errors}; requests outside JupyterLab: {outside}", file=sys.stderr)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chapter", type=Path, default=ROOT / "book" / "05_exploring_latent_space.md")
    parser.add_argument("--updates", type=int, default=20)
    parser.add_argument("--screenshots", type=Path, default=ROOT / "_build" / "lab-screenshots")
    parser.add_argument("--chromium", default=os.environ.get("VAE_TEACH_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    times = measure(args.chapter.resolve(), args.updates, args.screenshots, args.chromium)
    print(f"CPU load average: {os.getloadavg()[0]:.1f}; screenshots in {args.screenshots}")
    print(f"{'explorer':<30} {'update: median':>15}   (range, n)")
    for kind, values in times.items():
        print(f"{kind:<30} {summary(values)}")
    every = [t for values in times.values() for t in values]
    ok = bool(every) and all(statistics.median(v) < 5 for v in times.values() if v)
    print("all within budget (median update < 5 ms)" if ok else "OVER BUDGET or not measured (median update < 5 ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
