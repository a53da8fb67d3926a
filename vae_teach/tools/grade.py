"""Grade a class: run every submitted student notebook and record each exercise's result by label.

Usage (from the repository root)::

    python -m vae_teach.grade submissions/                 # writes submissions/../grades.csv
    python -m vae_teach.grade submissions/ --out grades.csv --timeout 900 --jobs 4

Each ``*.ipynb`` under the folder is copied into a temporary folder (the submission is
never modified) and executed there in a fresh kernel, with a time limit for the whole
notebook (``--timeout`` seconds) and Python-level network connections blocked. Every
exercise check records its verdict while it runs (``exercises._checking``), so a notebook
stopped by its time limit keeps the results of the checks that ran before. ``--jobs N``
grades N notebooks at once (default: one per CPU, up to four), each kernel with its share
of the CPUs' threads; the table keeps file-name order.

``grades.csv`` has one row per notebook and one column per exercise label (the exercises
with a check, of the chapters the submissions belong to), each holding ``pass``, the
hint text, ``timeout`` (the check's or the notebook's time limit), ``error: ...`` (the
exercise's cell raised before its check could run) or ``missing`` (the cell is gone).
A summary per exercise is printed: how many passed, and the most common hint.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..exercises import EXERCISES
from ..exercises._checking import RESULTS_ENV_VAR

__all__ = ["Grade", "grade_folder", "grade_notebook", "main", "write_csv"]

#: Seconds a whole notebook may run before it is stopped (its checks not yet run: ``timeout``).
NOTEBOOK_TIMEOUT = 900

# Run first in the grading kernel: refuse connections to anything but this machine.
_NO_NETWORK = """\
import socket as _socket
_vt_connect = _socket.socket.connect
def _vt_local_only(self, address, _connect=_vt_connect):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host not in ("127.0.0.1", "localhost", "::1"):
        raise OSError(f"network access is blocked while grading (to {host})")
    return _connect(self, address)
_socket.socket.connect = _vt_local_only
del _socket
"""


@dataclass
class Grade:
    """One notebook's results: {exercise label: 'pass' | hint | 'timeout' | 'error: ...' | 'missing'}."""

    notebook: str
    chapter: str
    results: dict[str, str]


def _check_name(label: str) -> str | None:
    check = EXERCISES[label].check
    return check.__name__ if check is not None else None


def _chapter_of(notebook: nbformat.NotebookNode, path: Path) -> str:
    """The book chapter a student notebook comes from: its metadata, else its file name, else its checks."""
    chapters = sorted({e.chapter for e in EXERCISES.values()})
    given = notebook.metadata.get("vae_teach", {}).get("chapter")
    if given in chapters:
        return given
    for chapter in chapters:
        if chapter in path.stem:
            return chapter
    sources = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    for label, exercise in EXERCISES.items():
        name = _check_name(label)
        if name and re.search(rf"\b{name}\s*\(", sources):
            return exercise.chapter
    raise ValueError(f"{path}: cannot tell which chapter this notebook is (no vae_teach metadata, no chapter "
                     f"name such as 03_from_ae_to_vae in its file name, no exercise check in its cells)")


def _exercise_cells(notebook: nbformat.NotebookNode, chapter: str) -> dict[str, int]:
    """{label: index of the code cell that runs its check}, for the chapter's checked exercises present."""
    found: dict[str, int] = {}
    for label, exercise in EXERCISES.items():
        name = _check_name(label)
        if exercise.chapter != chapter or name is None:
            continue
        for i, cell in enumerate(notebook.cells):
            tagged = cell.metadata.get("vae_teach", {}).get("exercise") == label
            if cell.cell_type == "code" and (tagged or re.search(rf"\b{name}\s*\(", cell.source)):
                found[label] = i
                break
    return found


def _error_of(cell: nbformat.NotebookNode) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"error: {output.get('ename')}: {output.get('evalue')}"[:300]
    return None


def _run(notebook: nbformat.NotebookNode, folder: Path, results_file: Path, timeout: float,
         threads: int | None = None) -> tuple[nbformat.NotebookNode, bool]:
    """Execute a copy of notebook in folder, in a child process; returns (executed notebook, finished in time)."""
    source = folder / "submission.ipynb"
    executed = folder / "executed.ipynb"
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))  # a copy: the submission stays as it came
    notebook.cells.insert(0, nbformat.v4.new_code_cell(_NO_NETWORK))
    nbformat.write(notebook, source)
    env = {**os.environ, RESULTS_ENV_VAR: str(results_file), "TQDM_DISABLE": "1"}
    if threads is not None:
        env["OMP_NUM_THREADS"] = str(threads)
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
               f"--ExecutePreprocessor.timeout={int(timeout)}", "--ExecutePreprocessor.kernel_name=python3",
               "--output", executed.name, str(source)]
    try:
        subprocess.run(command, cwd=folder, env=env, capture_output=True, timeout=timeout + 60, check=False)
    except subprocess.TimeoutExpired:
        pass
    if not executed.is_file():  # a cell ran past the time limit: nbconvert writes nothing
        return notebook, False
    return nbformat.read(executed, as_version=4), True


def _recorded(results_file: Path) -> dict[str, tuple[str, str]]:
    """{check function name: (status, message)} from the lines the checks wrote (the last one wins)."""
    verdicts: dict[str, tuple[str, str]] = {}
    if results_file.is_file():
        for line in results_file.read_text().splitlines():
            entry = json.loads(line)
            verdicts[entry["check"]] = (entry["status"], entry["message"])
    return verdicts


def _read_submission(path: Path) -> tuple[nbformat.NotebookNode, str]:
    """(the notebook, its chapter); ValueError for a file that is not a notebook of a chapter."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several kinds for a file that is not a notebook
        raise ValueError(f"{path} is not a readable notebook: {type(error).__name__}: {error}") from error
    return notebook, _chapter_of(notebook, path)


def grade_notebook(path: str | os.PathLike, timeout: float = NOTEBOOK_TIMEOUT, threads: int | None = None) -> Grade:
    """Execute one submitted notebook (a copy) and return each of its chapter's checked exercises' results.

    threads: the kernel's CPU threads (OMP_NUM_THREADS; None: the machine's default).
    """
    path = Path(path)
    return _grade(path, *_read_submission(path), timeout, threads)


def _grade(path: Path, notebook: nbformat.NotebookNode, chapter: str, timeout: float, threads: int | None) -> Grade:
    """grade_notebook for a submission already read (``_read_submission``)."""
    cells = _exercise_cells(notebook, chapter)
    with tempfile.TemporaryDirectory(prefix="vae-teach-grade-") as tmp:
        folder = Path(tmp)
        results_file = folder / "results.jsonl"
        executed, in_time = _run(notebook, folder, results_file, timeout, threads)
        verdicts = _recorded(results_file)
    results: dict[str, str] = {}
    for label, exercise in EXERCISES.items():
        name = _check_name(label)
        if exercise.chapter != chapter or name is None:
            continue
        if label not in cells:
            results[label] = "missing"
        elif name in verdicts:
            status, message = verdicts[name]
            results[label] = "pass" if status == "pass" else ("timeout" if status == "timeout" else message)
        elif not in_time:
            results[label] = "timeout"
        else:  # the cell stopped before its check ran (index + 1: the no-network cell comes first)
            results[label] = _error_of(executed.cells[cells[label] + 1]) or "error: the check did not run"
    return Grade(path.name, chapter, results)


def grade_folder(folder: str | os.PathLike, timeout: float = NOTEBOOK_TIMEOUT, jobs: int = 1) -> list[Grade]:
    """Grade every ``*.ipynb`` under folder (checkpoints skipped), ``jobs`` at a time; returned in file-name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"expected a folder of submitted notebooks; got {folder}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"expected jobs to be a whole number >= 1; got {jobs!r}")
    paths = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if not paths:
        raise ValueError(f"no notebooks (*.ipynb) in {folder}")
    # Every file read first: one that is not a chapter's notebook is refused before anything runs.
    submissions = {path: _read_submission(path) for path in paths}
    # Kernels running side by side share the CPUs: each gets its share of threads, so that a
    # correct answer is not slowed past its check's time limit by the others.
    threads = max(1, available_cpus() // jobs) if jobs > 1 else None

    def graded(path: Path) -> Grade:
        grade = _grade(path, *submissions[path], timeout, threads)
        grade.notebook = path.relative_to(folder).as_posix()
        return grade

    # Each notebook runs in a kernel process of its own, so threads are enough to overlap them.
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(graded, paths))


def available_cpus() -> int:
    """CPUs this process may run on (its affinity, which containers and taskset limit)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def write_csv(grades: list[Grade], out: str | os.PathLike) -> Path:
    """grades.csv: a row per notebook, a column per exercise label (registry order); '' where not its chapter."""
    labels = [label for label in EXERCISES if any(label in g.results for g in grades)]
    out = Path(out)
    with out.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["notebook", *labels])
        for grade in grades:
            writer.writerow([grade.notebook, *(grade.results.get(label, "") for label in labels)])
    return out


def summary(grades: list[Grade]) -> str:
    """Per exercise: how many notebooks passed, and the most common other result."""
    lines = []
    for label in [label for label in EXERCISES if any(label in g.results for g in grades)]:
        got = [g.results[label] for g in grades if label in g.results]
        others = collections.Counter(r for r in got if r != "pass").most_common(1)
        common = f"; most common: {others[0][0]!r} ({others[0][1]})" if others else ""
        lines.append(f"{label}: {got.count('pass')}/{len(got)} passed{common}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m vae_teach.grade DIR [--out grades.csv] [--timeout SECONDS] [--jobs N]``."""
    parser = argparse.ArgumentParser(prog="python -m vae_teach.grade", description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="folder of submitted notebooks (searched recursively)")
    parser.add_argument("--out", type=Path, default=None, help="CSV file (default: grades.csv beside the folder)")
    parser.add_argument("--timeout", type=float, default=NOTEBOOK_TIMEOUT,
                        help=f"seconds per notebook (default {NOTEBOOK_TIMEOUT})")
    default_jobs = max(1, min(4, available_cpus()))  # each kernel holds its models in memory
    parser.add_argument("--jobs", type=int, default=default_jobs,
                        help=f"notebooks graded at once (default {default_jobs}: one per CPU, up to four)")
    args = parser.parse_args(argv)
    if shutil.which("jupyter") is None and not (Path(sys.executable).parent / "jupyter").exists():
        print("jupyter is not installed in this environment (pip install -r requirements.txt)", file=sys.stderr)
        return 2
    try:
        grades = grade_folder(args.folder, args.timeout, args.jobs)
    except ValueError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 2
    out = write_csv(grades, args.out or args.folder.resolve().parent / "grades.csv")
    print(summary(grades))
    print(f"wrote {out}")
    return 0
