"""The apps depend one way: each imports only the apps below it (higher ones plug in through hooks)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Lowest first. ``demo`` drives every other app and none may depend on it.
LAYERS = (
    "config",
    "catalog",
    "contracts",
    "marketplace",
    "settlement",
    "oversight",
    "invoices",
    "deals",
    "dataspace",
    "streams",
    "demo",
)
# The root URLconf is where the apps' URLs are put together: it names every app by design.
ASSEMBLY = {"config/urls.py"}


def imported_apps(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & set(LAYERS)


def test_no_app_imports_a_higher_one() -> None:
    upward = []
    for rank, app in enumerate(LAYERS):
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if {"tests", "migrations"} & set(relative.parts) or relative.as_posix() in ASSEMBLY:
                continue
            upward += [(relative.as_posix(), other) for other in imported_apps(path) if LAYERS.index(other) > rank]
    assert upward == []
