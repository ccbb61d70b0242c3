"""The tests' own layout: no test module imports another one. What several tests share lives in a module that
is not a test (tests/builders.py, tests/browser.py, tests/integration/workers.py), so each test module can be
read, moved beside its app or deleted on its own."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported(tree: ast.Module) -> list[str]:
    """Every module an import statement names, at any depth (imports inside functions count too)."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_no_test_module_imports_another() -> None:
    testpaths = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    modules = [path for directory in testpaths for path in sorted((ROOT / directory).rglob("test_*.py"))]
    assert len(modules) > 40, "the test modules are where pyproject.toml's testpaths say"
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules
        for name in imported(ast.parse(path.read_text(encoding="utf-8")))
        if any(part.startswith("test_") for part in name.split("."))
    ]
    assert not offenders, "\n".join(offenders)
