"""The repository stands alone: a fresh clone holds everything its code, tests and documents refer to."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

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
