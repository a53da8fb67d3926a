"""Benchmark the book build: cold (everything executed), each chapter's cold time, warm, peak memory.

    .venv/bin/python benchmarks/book_build.py            # or: make bench-book
    .venv/bin/python benchmarks/book_build.py --strict --out /tmp/book   # also the -W build; keep its output
    .venv/bin/python benchmarks/book_build.py --record benchmarks/results/book_build.json

``--record`` writes the figures, the commit and the machine's load to a JSON file; the
intro's plan of the book reads each chapter's cold time from it, so the page quotes
a measurement rather than a number typed by hand.

Cold (DESIGN.md): a fresh output folder (empty jupyter-cache) and an empty model
cache ($VAE_TEACH_CACHE), so every cell runs and every model trains; the chapters
execute in order, each in a fresh kernel with the model cache as the earlier
chapters left it. A chapter's cold time is its execution in that build, as
myst-nb logs it ("Executed notebook in N seconds"; jupyter-cache's record where
the log has no line). Warm: the same command again, with nothing changed. Peak
memory: the largest total resident memory of the build's process tree
(jupyter-book and its kernels), sampled every 0.1 s. Budgets (DESIGN.md): whole
book cold < 6 min, each chapter cold < 60 s, warm < 30 s, peak memory < 1.5 GB.
The build logs are kept beside the output (cold_build.log, warm_build.log).
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
COLD_BUDGET_S, WARM_BUDGET_S, CHAPTER_BUDGET_S = 360.0, 30.0, 60.0
PEAK_BUDGET_BYTES = 1.5e9
CHAPTER = re.compile(r"\d\d_.*")  # book/01_data.md, ...: the chapters (the other pages run no code)
EXECUTED = re.compile(r"(\S+?\.(?:md|ipynb))(?::\d+)?: Executed notebook in ([0-9.]+) seconds")


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def timed_build(command: list[str], env: dict[str, str], log: Path) -> tuple[float, int, int]:
    """Run the build, its output into ``log``; return (seconds, peak tree RSS in bytes, exit code)."""
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
    log.write_text(output)
    if child.returncode != 0:
        print(output[-3000:], file=sys.stderr)
    return seconds, peak, child.returncode


def chapter_seconds(log: str, cache_path: Path) -> dict[str, float]:
    """Execution time of each executed page in this build: myst-nb's log line, else jupyter-cache's record."""
    from jupyter_cache import get_cache
    records = get_cache(str(cache_path)).list_cache_records()
    seconds = {Path(r.uri).name: r.data.get("execution_seconds", float("nan")) for r in records}
    seconds.update({Path(path).name: float(s) for path, s in EXECUTED.findall(log)})
    return {name: round(s, 1) for name, s in sorted(seconds.items())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: a temporary folder, removed afterwards)")
    parser.add_argument("--toc", type=Path, default=None,
                        help="another table of contents (default: _toc.yml), e.g. to time part of the book")
    parser.add_argument("--strict", action="store_true",
                        help="build as `make book` does (-W -n --keep-going): the timed build is also the checked one")
    parser.add_argument("--record", type=Path, default=None,
                        help="also write the figures as JSON to this file (the intro's plan reads it)")
    args = parser.parse_args()
    if args.out and args.out.exists() and any(args.out.iterdir()):
        parser.error(f"--out must be a new or empty folder (a cold build needs a fresh execution cache); "
                     f"got {args.out}")
    with tempfile.TemporaryDirectory(prefix="vae-teach-bench-") as scratch:
        out = (args.out or Path(scratch) / "book").resolve()
        env = dict(os.environ, TQDM_DISABLE="1",
                   VAE_TEACH_CACHE=str(Path(scratch) / "models"))
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        # Timing only: `make book` and the tests enforce -W; here a chapter left
        # out by --toc must not stop the run.
        command = [str(BIN / "jupyter-book"), "build", str(ROOT), "--path-output", str(out)]
        if args.strict:
            command += ["-W", "-n", "--keep-going"]
        if args.toc:
            command += ["--toc", str(args.toc.resolve())]
        print("command:", shlex.join(command))
        load_at_start = round(os.getloadavg()[0], 1)
        print(f"machine: {os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB; "
              f"load average now {load_at_start}")
        results = {}
        out.mkdir(parents=True, exist_ok=True)
        for run in ("cold", "warm"):
            log = out / f"{run}_build.log"
            seconds, peak, code = timed_build(command, env, log)
            if code != 0:
                print(f"{run} build failed (exit {code}); log: {log}", file=sys.stderr)
                return code
            results[run] = {"seconds": round(seconds, 1), "peak_rss_mib": round(peak / 2**20)}
            budget = COLD_BUDGET_S if run == "cold" else WARM_BUDGET_S
            print(f"{run:>4} build: {seconds:7.1f} s  (budget {budget:.0f} s: {within(seconds, budget)}),  "
                  f"peak memory {peak / 2**20:,.0f} MiB  (budget {PEAK_BUDGET_BYTES / 2**20:,.0f} MiB = 1.5 GB: "
                  f"{within(peak, PEAK_BUDGET_BYTES)})")
            if run == "cold":
                chapters = {name: s for name, s in chapter_seconds(log.read_text(), out / "_build" / ".jupyter_cache")
                            .items() if CHAPTER.fullmatch(name)}
                results["chapters_cold_s"] = chapters
                results["chapters_cold_total_s"] = round(sum(chapters.values()), 1)
                for name, secs in chapters.items():
                    print(f"       {name:<32} cold {secs:6.1f} s  (budget {CHAPTER_BUDGET_S:.0f} s: "
                          f"{within(secs, CHAPTER_BUDGET_S)})")
                print(f"       {'chapters together':<32} cold {results['chapters_cold_total_s']:6.1f} s  "
                      f"(the rest of the {seconds:.1f} s is Sphinx)")
        print(json.dumps(results))
        if args.record:
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                                    capture_output=True).stdout.strip()
            results.update(commit=commit, date=time.strftime("%Y-%m-%d"),
                           load_average_at_start=load_at_start, cpus=os.cpu_count())
            args.record.parent.mkdir(parents=True, exist_ok=True)
            args.record.write_text(json.dumps(results, indent=1) + "\n")
            print(f"recorded in {args.record}")
    return 0


def within(value: float, budget: float) -> str:
    return "within" if value < budget else "OVER"


if __name__ == "__main__":
    sys.exit(main())
