"""The repository stands alone: a fresh clone holds everything its code, tests and documents refer to."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import unavailable

ROOT = Path(__file__).resolve().parents[1]

# A folder beside the checkout (or a developer's absolute path to it): not there in a user's clone. Its name is
# kept apart so that this file matches neither this test nor a plain grep for it.
_BESIDE = "shared"
_OUTSIDE = re.compile(rf"\.\./{_BESIDE}|/work/{_BESIDE}|/\s*\"{_BESIDE}\"")


def tracked_files() -> list[Path]:
    """Every file git tracks in this checkout (skip, or fail under CI, where there is no git checkout)."""
    git = shutil.which("git") or ""
    if not git:
        unavailable("needs git to list the tracked files")
    result = subprocess.run([git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False, timeout=60)
    if result.returncode != 0:
        unavailable(f"needs a git checkout: {result.stderr.decode(errors='replace').strip()}")
    return [ROOT / name for name in result.stdout.decode().split("\0") if name]


def test_outside_pattern_catches_the_ways_to_reach_beside_the_checkout() -> None:
    assert _OUTSIDE.search(f"see ../{_BESIDE}/docs/api.md")
    assert _OUTSIDE.search(f"open('/work/{_BESIDE}/standards/odrl22.ttl')")
    assert _OUTSIDE.search(f'Path(__file__).parents[3] / "{_BESIDE}" / "standards"')
    assert not _OUTSIDE.search('{"license_type": "shared"}')
    assert not _OUTSIDE.search("the API plumbing shared by all apps")


def test_no_tracked_file_refers_outside_the_repository() -> None:
    found = []
    for path in tracked_files():
        if not path.is_file():  # deleted in the worktree, not yet committed
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], "\n".join(found)


# --- the rule finder --------------------------------------------------------------------------------------------

_CODE_REFERENCE = re.compile(r"`([\w/.]+\.py)::([\w.-]+)`")


def _rule_rows() -> list[tuple[str, str, str]]:
    """(rule, enforced by, tested by) of each row of the rule finder in docs/domain.md."""
    text = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    section = text.split("\n## Rule finder\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] not in ("rule", "---"):
            rows.append((cells[0], cells[1], cells[2]))
    return rows


def _defines(path: Path, dotted: str) -> bool:
    """Whether the module at ``path`` defines ``dotted``: a function or class, or a method as Class.method."""
    body: list[ast.stmt] = ast.parse(path.read_text(encoding="utf-8")).body
    for name in dotted.split("."):
        found = [
            node
            for node in body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == name
        ]
        if not found:
            return False
        body = found[0].body
    return True


def _references_missing(cell: str) -> list[str]:
    references = _CODE_REFERENCE.findall(cell)
    if not references:
        return [f"names no `file.py::function`: {cell}"]
    missing = []
    for module, name in references:
        path = ROOT / module
        if not path.is_file():
            missing.append(f"{module}: no such file")
        elif not _defines(path, name):
            missing.append(f"{module} defines no {name}")
    return missing


def _rule_params() -> list[Any]:
    params = []
    for rule, enforced_by, tested_by in _rule_rows():
        # A row another change is still rebuilding names a placeholder: it must fail until it is filled in.
        pending = "TODO" in enforced_by + tested_by
        marks = [pytest.mark.xfail(reason="rebuilt elsewhere; fill in the row", strict=True)] if pending else []
        params.append(pytest.param(enforced_by, tested_by, id=rule[:60], marks=marks))
    return params


def test_the_rule_finder_is_read_whole() -> None:
    rows = _rule_rows()
    assert len(rows) >= 30
    assert any(rule.startswith("Seats are never oversold") for rule, _, _ in rows)
    assert _references_missing("`config/states.py::transition_check`") == []
    assert _references_missing("`config/states.py::transition_checks`") != []
    assert _references_missing("`marketplace/engine/book.py::OrderBook.submit`") == []
    assert _references_missing("`marketplace/engine/book.py::OrderBook.sumbit`") != []
    assert _references_missing("TODO") != []


@pytest.mark.parametrize(("enforced_by", "tested_by"), _rule_params())
def test_each_rule_names_the_function_that_enforces_it_and_a_test_that_exists(enforced_by: str, tested_by: str) -> None:
    missing = _references_missing(enforced_by) + _references_missing(tested_by)
    assert missing == []
    for module, _ in _CODE_REFERENCE.findall(tested_by):
        assert Path(module).name.startswith("test_"), f"{module} is not a test module"
