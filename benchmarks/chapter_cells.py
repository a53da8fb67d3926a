"""Where a cold chapter spends its time: each code cell's seconds, the slowest first.

    .venv/bin/python benchmarks/chapter_cells.py                   # every chapter, in order
    .venv/bin/python benchmarks/chapter_cells.py --top 8 book/02_autoencoders.md book/03_from_ae_to_vae.md

Cold as in the book build (DESIGN.md): an empty model cache ($VAE_TEACH_CACHE in a temporary
folder) at the start, the chapters run in the order given, each in a fresh kernel, so a
chapter finds the models the earlier ones trained. A cell's seconds are nbclient's own
record (from the kernel's execute_input to its reply); "kernel" is the time to start the
kernel and wait until it is ready. A chapter named alone trains every model it uses (more
than it would after the earlier chapters). For a figure to quote, run it on a quiet machine;
benchmarks/book_build.py times the chapters inside the real build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from vae_teach.tools.student import chapters as book_chapters

ROOT = Path(__file__).resolve().parents[1]


def _seconds(cell) -> float:
    times = cell.metadata.get("execution", {})
    start, end = times.get("iopub.execute_input"), times.get("shell.execute_reply")
    if not (start and end):
        return float("-inf")  # no record (a cell that did not run): sorts last
    parse = dt.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def run_chapter(path: Path) -> tuple[float, float, list[tuple[float, str]]]:
    """(kernel start seconds, total seconds, [(seconds, first line of the cell)] in page order)."""
    import jupytext
    from nbclient import NotebookClient

    notebook = jupytext.read(path)
    client = NotebookClient(notebook, timeout=900, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        ready = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
    total = time.perf_counter() - start
    cells = [(_seconds(c), c.source.strip().splitlines()[0] if c.source.strip() else "")
             for c in notebook.cells if c.cell_type == "code"]
    return ready - start, total, cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapters to run, in order (default: all)")
    parser.add_argument("--top", type=int, default=6, help="how many of the slowest cells to list per chapter")
    args = parser.parse_args()
    chapters = [p.resolve() for p in args.chapters] or book_chapters(ROOT / "book")
    with tempfile.TemporaryDirectory(prefix="vae-teach-cells-") as cache:
        os.environ.update(VAE_TEACH_CACHE=cache, TQDM_DISABLE="1", PYTHONHASHSEED="0")
        print(f"machine: {os.cpu_count()} CPUs; load average now {os.getloadavg()[0]:.1f}; "
              f"empty model cache at the start")
        grand = 0.0
        for path in chapters:
            kernel, total, cells = run_chapter(path)
            grand += total
            print(f"\n{path.name}: {total:.1f} s cold ({kernel:.1f} s kernel start, {len(cells)} code cells)")
            for seconds, first in sorted(cells, key=lambda c: -c[0])[:args.top]:
                print(f"  {seconds:6.1f} s  {first[:90]}")
        print(f"\nall {len(chapters)} chapters: {grand:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
