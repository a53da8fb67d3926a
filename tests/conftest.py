"""Shared fixtures: the book is built once per test session, executing every chapter.

The build goes to ``_build/test`` (or ``$VAE_TEACH_TEST_BUILD``), wiped first,
so that its jupyter-cache is empty and every cell runs. Screenshots from the
browser tests land in ``<that folder>/screenshots``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

# Helper modules whose asserts pytest should explain as it does a test's.
pytest.register_assert_rewrite("_shared")

from vae_teach.exercises import HINT, PASS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@dataclass
class BuiltBook:
    """Where the test build put things, and how long it took."""
    root: Path      # the --path-output folder
    html: Path      # <root>/_build/html
    executed: Path  # <root>/_build/jupyter_execute: the executed chapter notebooks
    seconds: float
    log: str

    @property
    def screenshots(self) -> Path:
        return self.root / "screenshots"


def book_build_root() -> Path:
    """Where the test build goes: $VAE_TEACH_TEST_BUILD or _build/test."""
    return Path(os.environ.get("VAE_TEACH_TEST_BUILD", ROOT / "_build" / "test")).resolve()


def build_env() -> dict[str, str]:
    """Environment of a test build: no progress bars, and a model cache of its own.

    The model cache lives inside the test build folder, which ``built_book`` wipes, so the
    test build trains every model from scratch, as a new reader's first build does.
    """
    env = dict(os.environ)
    root = book_build_root()
    if not root.exists():  # a folder this makes is a test build folder: the next build may wipe it
        root.mkdir(parents=True)
        (root / MARKER).write_text("made by tests/conftest.py; wiped at the start of each test session\n")
    env["VAE_TEACH_CACHE"] = str(root / "models")
    env.update(TQDM_DISABLE="1", PYTHONHASHSEED="0")
    # Cut the network for Python's HTTP clients (urllib, requests, torchvision's
    # downloads): an attempt fails at once instead of passing unnoticed.
    dead = "http://127.0.0.1:9"
    env.update(HTTP_PROXY=dead, HTTPS_PROXY=dead, http_proxy=dead, https_proxy=dead,
               NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def jupyter_book(source: Path, output: Path, *extra: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run ``jupyter-book build`` (warnings are errors, nitpicky) and capture its output."""
    command = [str(BIN / "jupyter-book"), "build", str(source), "--path-output", str(output),
               "-W", "-n", "--keep-going", *extra]
    return subprocess.run(command, cwd=source, env=build_env(), capture_output=True, text=True,
                          timeout=timeout)


MARKER = ".vae_teach_test_build"


def _fresh_folder(root: Path) -> None:
    """Empty ``root`` for a new build; refuse to wipe a folder a test build did not make."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise RuntimeError(f"refusing to wipe {root}: not a test build folder (no {MARKER})")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("made by tests/conftest.py; wiped at the start of each test session\n")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def first_problem(log: str, size: int = 3000) -> str:
    """The part of a build log from its first warning or error on (the cause, not the unwinding)."""
    log = _ANSI.sub("", log)
    starts = [i for i in (log.find("WARNING:"), log.find("ERROR:"), log.find("Exception occurred"))
              if i >= 0]
    start = max(0, log.rfind("\n", 0, min(starts)) + 1) if starts else max(0, len(log) - size)
    return log[start:start + size]


@pytest.fixture(scope="session")
def built_book() -> BuiltBook:
    """Build the whole book once, from an empty execution cache.

    ``VAE_TEACH_TEST_BUILD``: the build folder (default ``_build/test``).
    ``VAE_TEACH_REUSE_BUILD=1``: reuse a finished build there instead (for
    iterating on the HTML tests; the full run always rebuilds).
    """
    root = Path(os.environ.get("VAE_TEACH_TEST_BUILD", ROOT / "_build" / "test")).resolve()
    html = root / "_build" / "html"
    if os.environ.get("VAE_TEACH_REUSE_BUILD") == "1" and (html / "index.html").is_file():
        log_file = root / "build.log"
        return BuiltBook(root, html, root / "_build" / "jupyter_execute", 0.0,
                         log_file.read_text() if log_file.is_file() else "")
    _fresh_folder(root)
    start = time.perf_counter()
    result = jupyter_book(ROOT, root)
    seconds = time.perf_counter() - start
    log = result.stdout + result.stderr
    (root / "build.log").write_text(log)
    if result.returncode != 0:
        pytest.fail(f"the book build failed (exit {result.returncode}); full log: {root / 'build.log'}\n"
                    + first_problem(log), pytrace=False)
    print(f"\nbook built in {seconds:.1f} s into {root}")
    return BuiltBook(root, root / "_build" / "html", root / "_build" / "jupyter_execute", seconds, log)


# ---- The browser (Debian's Chromium through playwright), shared by the browser test modules ----

CHROMIUM = os.environ.get("VAE_TEACH_CHROMIUM", "/usr/bin/chromium")
from lab_driver import CHROMIUM_ARGS  # noqa: E402  (one list for the tests and the benchmarks)


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the python package playwright is not installed (pip install -r requirements.txt)"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set VAE_TEACH_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one per test module (modules skip or fail first: test_browser._require_browser)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def keep_local(context, base: str, refused) -> None:
    """Let the pages of a browser context reach only URLs under ``base`` (a server on 127.0.0.1).

    Any other request is aborted and its URL passed to ``refused`` (e.g. a list's append),
    so that a test can fail on a page that tried to reach the network.
    """
    def route(request_route):
        if request_route.request.url.startswith(base + "/"):
            request_route.continue_()
        else:
            refused(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)


# The exercise checks' tests (tests/exercises): the hint a check prints, as a student sees it.
# Words of the fallback messages of ``compare``: a mistake the check knows must never end there.
GENERIC = ("off by a constant", "NaN or infinite", "differs from the expected values", "the check stopped on",
           "the right number of values, but shape")


@pytest.fixture
def hint_for(capsys):
    """``hint_for(check, fn, *args)``: run the check on a wrong answer, assert it printed one hint that
    fits the book's column (70 characters a line) and is not a generic fallback; return its text on
    one line."""
    def run(check, fn, *args) -> str:
        capsys.readouterr()
        assert check(fn, *args) is False
        lines = capsys.readouterr().out.splitlines()
        assert lines and lines[0].startswith(HINT), lines
        assert all(len(line) <= 70 for line in lines), lines
        assert all(line.startswith("  ") for line in lines[1:]), lines  # one message, wrapped
        text = " ".join(line.strip() for line in lines)
        assert not any(words in text for words in GENERIC), text
        return text
    return run


@pytest.fixture
def passes(capsys):
    """``passes(check, fn, *args)``: the check accepts the answer and prints one pass."""
    def run(check, fn, *args) -> bool:
        capsys.readouterr()
        ok = check(fn, *args)
        out = capsys.readouterr().out
        assert ok is True and out.startswith(PASS), out
        return True
    return run
