"""The package's shape: the layering of DESIGN.md, small modules, and a facade that only re-exports.

The layering is written as import-linter contracts in pyproject.toml
(``[tool.importlinter]``); ``lint-imports`` checks them here, so ``make test``
fails with the offending import named (``vae_teach.data.stats ->
vae_teach.plot.images (l.93)``).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import vae_teach as vt

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vae_teach"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
MAX_LINES = 300

# Modules allowed over MAX_LINES for now, each with the reason and the work that removes it.
# test_long_module_exceptions_are_still_needed fails once one of them is short enough.
LONG_MODULES: dict[str, str] = {}  # module -> why it may stay over MAX_LINES for now


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run lint-imports on the package under ``root`` with root's pyproject.toml."""
    if not LINT_IMPORTS.exists():
        pytest.fail(f"lint-imports not found beside {sys.executable}; pip install -r requirements.txt",
                    pytrace=False)
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def _broken_part(output: str) -> str:
    start = output.find("Broken contracts")
    return output[start:] if start >= 0 else output


def test_imports_follow_the_layers_and_have_no_cycles():
    result = _lint_imports(ROOT)
    if result.returncode != 0:
        pytest.fail("vae_teach breaks its import contracts (pyproject.toml [tool.importlinter]): a module "
                    "imports from a layer above its own, exercise checks import each other, or imports "
                    "form a cycle.\n\n" + _broken_part(result.stdout + result.stderr), pytrace=False)


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    """A copy of the package and pyproject.toml, to break on purpose."""
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(PACKAGE, root / "vae_teach", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root)
    return root


@pytest.mark.parametrize("module, line, expected", [
    ("data/stats.py", "from ..plot.images import show_images",
     "vae_teach.data.stats -> vae_teach.plot.images"),
    ("models/mlp.py", "from ..training.fit import fit",
     "vae_teach.models.mlp -> vae_teach.training.fit"),
    ("exercises/ch02_autoencoders.py", "from .ch01_data import check_ink",
     "vae_teach.exercises.ch02_autoencoders -> vae_teach.exercises.ch01_data"),
    ("exercises/_checking.py", "from . import registry",
     "vae_teach.exercises._checking -> vae_teach.exercises.registry"),
    ("models/base.py", "from . import mlp", "No cycles are allowed in vae_teach.models"),
], ids=["upward", "upward-two-layers", "sibling-checks", "below-registry", "cycle"])
def test_a_forbidden_import_breaks_the_contracts(package_copy, module, line, expected):
    path = package_copy / "vae_teach" / module
    original = path.read_text()
    try:
        path.write_text(original + f"\n{line}  # deliberate, to break the contract\n")
        result = _lint_imports(package_copy)
    finally:
        path.write_text(original)
    assert result.returncode != 0, f"the contracts accept {line!r} in {module}"
    assert expected in result.stdout, result.stdout


def test_a_new_top_level_module_must_be_placed_in_a_layer(package_copy):
    path = package_copy / "vae_teach" / "stray.py"
    path.write_text('"""A module that no layer names."""\n')
    try:
        result = _lint_imports(package_copy)
    finally:
        path.unlink()
    assert result.returncode != 0 and "vae_teach.stray" in result.stdout, result.stdout


def _module_lines() -> dict[str, int]:
    return {path.relative_to(PACKAGE).as_posix(): len(path.read_text().splitlines())
            for path in sorted(PACKAGE.rglob("*.py"))}


def test_no_module_is_longer_than_300_lines():
    long = {name: n for name, n in _module_lines().items() if n > MAX_LINES and name not in LONG_MODULES}
    assert not long, (f"modules over {MAX_LINES} lines (split them by idea, DESIGN.md 'Layout of "
                      f"vae_teach'): " + ", ".join(f"vae_teach/{name} ({n})" for name, n in long.items()))


def test_long_module_exceptions_are_still_needed():
    lines = _module_lines()
    stale = [name for name in LONG_MODULES if lines.get(name, 0) <= MAX_LINES]
    assert not stale, f"remove from LONG_MODULES (now {MAX_LINES} lines or fewer, or gone): {stale}"


def test_the_facade_only_imports_and_lists():
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if all(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                continue
        pytest.fail(f"vae_teach/__init__.py line {node.lineno}: the facade re-exports only "
                    f"(imports and __all__); found {type(node).__name__}. Define it in the module of its kind.",
                    pytrace=False)


def _imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
    return names


def test_every_name_in_all_exists_and_is_imported():
    missing = [name for name in vt.__all__ if not hasattr(vt, name)]
    assert not missing, f"vt.__all__ lists names vae_teach does not have: {missing}"
    not_imported = sorted(set(vt.__all__) - _imported_names(PACKAGE / "__init__.py"))
    assert not not_imported, f"vt.__all__ lists names the facade does not import: {not_imported}"
    repeated = sorted({name for name in vt.__all__ if vt.__all__.count(name) > 1})
    assert not repeated, f"vt.__all__ lists names twice: {repeated}"


def test_all_lists_every_public_name_of_the_facade():
    public = {name for name in _imported_names(PACKAGE / "__init__.py") if not name.startswith("_")}
    unlisted = sorted(public - set(vt.__all__))
    assert not unlisted, f"the facade imports public names that vt.__all__ does not list: {unlisted}"
    # Subpackages become attributes when imported; only the ones the chapters call are listed.
    stray = sorted(name for name, value in vars(vt).items()
                   if not name.startswith("_") and not isinstance(value, types.ModuleType)
                   and name not in vt.__all__)
    assert not stray, f"public attributes of vae_teach missing from __all__: {stray}"


def test_the_facade_defines_nothing_itself():
    own = sorted(name for name in vt.__all__
                 if getattr(getattr(vt, name), "__module__", None) == "vae_teach")
    assert not own, f"defined in vae_teach/__init__.py instead of re-exported: {own}"
