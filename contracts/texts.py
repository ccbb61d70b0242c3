"""A concluded document as stored: a base shared by the contracts of one offering, plus the trade's own slots.

No Django import: ``contracts.models`` and ``contracts.documents`` both use it.
"""

from __future__ import annotations

from collections.abc import Sequence

SLOT = "\ue000"  # separates a base's literal segments; never inside a segment (checked when a base is built)


def document_assemble(base: str, slots: Sequence[str]) -> str:
    """The document a base and its slots stand for (a base without slots is the whole document)."""
    if not slots:
        return base
    segments = base.split(SLOT)
    if len(segments) != len(slots) + 1:
        raise ValueError(f"a base of {len(segments) - 1} slots given {len(slots)} values")
    parts = [segments[0]]
    for value, segment in zip(slots, segments[1:], strict=True):
        parts.append(value)
        parts.append(segment)
    return "".join(parts)
