"""Text that no UTF-8 encoder and no PostgreSQL column can hold, found anywhere in parsed JSON.

JSON can spell two things that are not storable text: a lone surrogate (``"\\ud800"``: half of a UTF-16 pair,
not a Unicode character, so encoding it as UTF-8 fails) and U+0000 (``"\\u0000"``, which PostgreSQL refuses in
``text`` and ``jsonb``). Raw UTF-8 bytes cannot carry either past a strict decoder (a NUL byte can, but JSON
requires it escaped); only ``\\u`` escapes can, so a caller holding the raw text may skip the walk when it has none.
"""

from __future__ import annotations

from typing import Any


def unstorable_text(value: Any) -> str | None:
    """What in ``value`` (a parsed JSON value: keys and strings at any depth) is not storable text, said for
    an error message, or None. Iterative: any depth the JSON parser accepted is walked."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "a NUL character (\\u0000)"
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return "a lone surrogate (\\ud800-\\udfff), half of a UTF-16 pair"
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None
