"""Benchmark the book build: cold (everything executed), warm (nothing changed), peak memory.

    .venv/bin/python benchmarks/book_build.py            # or: make bench-book

Cold: a fresh output folder (empty jupyter-cache) and an empty model cache
($VAE_TEACH_CACHE), so every cell runs and every model trains. Warm: the same
command again, with nothing changed. Peak memory: the largest total resident
memory of the build's process tree (jupyter-book and its kernels), sampled
every 0.1 s. Budgets (DESIGN.md): cold < 5 min, warm < 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COLD_BUDGET_S, WARM_BUDGET_S = 300.0, 30.0


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def timed_build(command: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Run the build; return (seconds, peak tree RSS in bytes, exit code)."""
    peak = 0
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    watched = psutil.Process(child.pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, tree_rss(watched))
            except psutil.NoSuchProcess:
                return
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if child.returncode != 0:
        print(output[-3000:], file=sys.stderr)
    return seconds, peak, child.returncode


def chapter_seconds(cache_path: Path) -> dict[str, float]:
    """Execution time of each chapter, from the build's jupyter-cache."""
    from jupyter_cache import get_cache
    records = get_cache(str(cache_path)).list_cache_records()
    return {Path(r.uri).name: round(r.data.get("execution_seconds", float("nan")), 1)
            for r in sorted(records, key=lambda r: r.uri)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: a temporary folder, removed afterwards)")
    parser.add_argument("--toc", type=Path, default=None,
                        help="another table of contents (default: _toc.yml), e.g. to time part of the book")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vae-teach-bench-") as scratch:
        out = (args.out or Path(scratch) / "book").resolve()
        env = dict(os.environ, TQDM_DISABLE="1",
                   VAE_TEACH_CACHE=str(Path(scratch) / "models"))
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        # Timing only: `make book` and the tests enforce -W; here a chapter left
        # out by --toc must not stop the run.
        command = [str(BIN / "jupyter-book"), "build", str(ROOT), "--path-output", str(out)]
        if args.toc:
            command += ["--toc", str(args.toc.resolve())]
        print("command:", shlex.join(command))
        print(f"machine: {os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB; "
              f"load average now {os.getloadavg()[0]:.1f}")
        results = {}
        for run in ("cold", "warm"):
            seconds, peak, code = timed_build(command, env)
            if code != 0:
                print(f"{run} build failed (exit {code})", file=sys.stderr)
                return code
            results[run] = {"seconds": round(seconds, 1), "peak_rss_mib": round(peak / 2**20)}
            if run == "cold":
                results["chapters_s"] = chapter_seconds(out / "_build" / ".jupyter_cache")
            budget = COLD_BUDGET_S if run == "cold" else WARM_BUDGET_S
            verdict = "within" if seconds < budget else "OVER"
            print(f"{run:>4} build: {seconds:7.1f} s  (budget {budget:.0f} s: {verdict}),  "
                  f"peak memory {peak / 2**20:,.0f} MiB")
            if run == "cold":
                for name, secs in results["chapters_s"].items():
                    print(f"       executing {name}: {secs:6.1f} s")
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
