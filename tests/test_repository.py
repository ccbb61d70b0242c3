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


# --- links and citations --------------------------------------------------------------------------------------

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^[ ]{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
# A design document cited from code: "docs/api.md", "docs/domain.md#rule-finder".
_DOC_CITATION = re.compile(r"(?<![\w/.-])(docs/[\w/.-]+?\.md)(?:#([\w-]+))?")
# The same documents named without their folder: a reader could not find them. (A quoted name is a path part.)
_BARE_CITATION = re.compile(r"(?<![\w/.\"'-])(?:api|architecture|delivery|domain|glossary|webhooks)\.md\b")


def _prose(markdown: str) -> str:
    """The text of a Markdown document without its code blocks and code spans."""
    return _CODE_SPAN.sub("", _FENCE.sub("", markdown))


def anchors(markdown: str) -> set[str]:
    """The fragment ids a forge gives the headings of ``markdown``: lower case, punctuation dropped, spaces to
    hyphens, and a repeated heading numbered -1, -2, ..."""
    seen: dict[str, int] = {}
    found = set()
    for heading in _HEADING.findall(_FENCE.sub("", markdown)):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def _markdown_files(tracked: list[Path]) -> list[Path]:
    return [
        path
        for path in tracked
        if path.suffix == ".md" and (path == ROOT / "README.md" or path.is_relative_to(ROOT / "docs"))
    ]


def _resolve(source: Path, target: str, tracked: set[Path]) -> str:
    """Why the relative link ``target`` in ``source`` is broken, or "" when it leads to a tracked file or folder
    of the repository (and, for a Markdown file, to one of its headings)."""
    path_part, _, fragment = target.partition("#")
    path = (source.parent / path_part).resolve() if path_part else source
    if not path.is_relative_to(ROOT):
        return "outside the repository"
    if path not in tracked and not any(file.is_relative_to(path) for file in tracked):
        return "no such file in the repository"
    if fragment and path.suffix == ".md" and fragment not in anchors(path.read_text(encoding="utf-8")):
        return f"no heading #{fragment} in {path.relative_to(ROOT)}"
    return ""


def test_anchors_are_the_ids_a_forge_gives_headings() -> None:
    markdown = "# Rule finder\n## The market operator's duties\n```\n# not a heading\n```\n## Rule finder\n"
    assert anchors(markdown) == {"rule-finder", "the-market-operators-duties", "rule-finder-1"}
    assert anchors("## Anonymously processed information (APPI)\n### `config/api/`\n") == {
        "anonymously-processed-information-appi",
        "configapi",
    }


def test_every_relative_link_in_the_documents_leads_into_the_repository() -> None:
    tracked = tracked_files()
    tracked_set = set(tracked)
    broken = []
    documents = _markdown_files(tracked)
    assert ROOT / "README.md" in documents and ROOT / "docs" / "architecture.md" in documents
    for document in documents:
        prose = _prose(document.read_text(encoding="utf-8"))
        for target in _INLINE_LINK.findall(prose) + _REFERENCE_LINK.findall(prose):
            if _SCHEME.match(target):
                continue
            why = _resolve(document, target, tracked_set)
            if why:
                broken.append(f"{document.relative_to(ROOT)}: ({target}) {why}")
    assert broken == [], "\n".join(broken)


def test_every_document_the_code_cites_exists_with_the_section_it_names() -> None:
    tracked = tracked_files()
    tracked_set = set(tracked)
    broken = []
    cited = 0
    for path in tracked:
        if path.suffix != ".py" or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{number}"
            for document, fragment in _DOC_CITATION.findall(line):
                cited += 1
                why = _resolve(ROOT / "README.md", document + (f"#{fragment}" if fragment else ""), tracked_set)
                if why:
                    broken.append(f"{where}: {document}#{fragment} {why}")
            if _BARE_CITATION.search(line):
                broken.append(f"{where}: name the document with its folder (docs/...): {line.strip()}")
    assert cited > 20, "the modules cite the design documents"
    assert broken == [], "\n".join(broken)


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
    return [pytest.param(enforced_by, tested_by, id=rule[:60]) for rule, enforced_by, tested_by in _rule_rows()]


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
