"""The architecture's import rules, checked in `make test` (docs/architecture.md).

The contracts themselves live in ``pyproject.toml`` ([tool.importlinter]); this runs them
with import-linter, proves they bite on a deliberately wrong import, and adds the two
rules import-linter does not express: no import cycle between any two modules, and no
module outside a domain package reaching into its ``_private`` modules.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["bot", "cogs", "dashboard", "engine", "storage"]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a dev dependency (pip install -e '.[dev]')"
    return subprocess.run([exe, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_import_contracts_are_kept():
    run = _lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_a_wrong_arrow_breaks_the_contracts(tmp_path):
    """A copy of the tree where the tournaments domain imports money (against the
    written order) must fail the same contracts."""
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "tests", "data", "*.pyc", "demo*"),
    )
    wrong = copy / "engine" / "tournaments" / "views.py"
    wrong.write_text(wrong.read_text() + "\nfrom engine.money import LedgerService  # noqa\n")
    run = _lint_imports(copy)
    assert run.returncode != 0
    assert "engine.tournaments is not allowed to import engine.money" in run.stdout


def test_no_import_cycle_between_modules():
    """No module imports, directly or through others, a module that imports it back
    (package doors included; imports only for type checking do not run, so they cannot
    form a cycle)."""
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.add(" -> ".join((module, *back)))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))


def _private_reaches(path: Path) -> list[str]:
    """`engine.<domain>._private` imported from outside engine/<domain>/."""
    relative = path.relative_to(ROOT).with_suffix("")
    here = ".".join(relative.parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) >= 3 and parts[0] == "engine" and parts[2].startswith("_"):
                owner = ".".join(parts[:2])
                if not here.startswith(owner + "."):
                    found.append(f"{here} imports {name}")
    return found


@pytest.mark.parametrize("package", [*PACKAGES, "tests", "benchmarks", "testkit"])
def test_private_modules_stay_inside_their_domain(package):
    reaches = [r for p in sorted((ROOT / package).rglob("*.py")) for r in _private_reaches(p)]
    assert not reaches, "\n".join(reaches)


def _imported_names(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
    return names


@pytest.mark.parametrize("package", ["benchmarks", "testkit"])
def test_benchmarks_and_testkit_import_nothing_from_tests(package):
    """What the tests and the benchmarks share lives in testkit/, never in tests/."""
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in _imported_names(path)
        if name == "tests" or name.startswith("tests.")
    ]
    assert not found, "\n".join(found)
