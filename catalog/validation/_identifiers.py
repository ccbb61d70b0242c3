"""Detection of direct identifiers: e-mail addresses, Japanese phone numbers, 12-digit individual numbers.

One combined, precompiled pattern is run over all values of a column in a block at once (joined with
NUL, which cannot occur in the data); only when it hits is the cell, and so the line, worked out.

The pattern starts with a single character class (``@``, ``+``, ``(``, a digit), so the regex engine
skips every other character in a tight loop and tries the alternatives only there; the context before
that first character is checked with look-behinds. That makes the scan several times faster than a
pattern whose branches start with look-behinds or with the local part of an address.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from catalog.validation._types import BOOLEAN, DATE, DATETIME, INTEGER, NUMBER, UNKNOWN

_SEP: Final = "\x00"
_DIGIT: Final = "0-9\uff10-\uff19"  # ASCII and full-width digits
_HYPHEN: Final = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u30fc"
_ZERO: Final = "[0\uff10]"


def _build(bare_phone: bool) -> str:
    d = f"[{_DIGIT}]"
    sep = f"[{_HYPHEN} \u3000]"
    after_area = f"(?:{sep}|[)\uff09]{sep}?|[(\uff08])"
    after_local = f"(?:{sep}|[)\uff09])"
    # Digits after the trunk 0 in the area code, in the exchange, in the subscriber number: landlines
    # (10 digits with the 0), mobile/IP 0X0-XXXX-XXXX, free dial 0120-XXX-XXX and 0800-XXX-XXXX.
    layouts = ((1, 4, 4), (2, 3, 4), (3, 2, 4), (4, 1, 4), (2, 4, 4), (3, 3, 3), (3, 3, 4))
    domestic = "|".join(f"{d}{{{a}}}{after_area}{d}{{{b}}}{after_local}{d}{{{c}}}" for a, b, c in layouts)
    parenthesised = "|".join(f"{d}{{{a}}}[)\uff09]{sep}?{d}{{{b}}}{sep}{d}{{{c}}}" for a, b, c in layouts)
    international = "|".join(f"{d}{{{a}}}[ \\-]?{d}{{{b}}}[ \\-]?{d}{{{c}}}" for a, b, c in layouts)
    if bare_phone:
        domestic += f"|{d}{{9,10}}"
        international += f"|{d}{{9,10}}"
    # Not glued to more digits, a decimal part or another hyphenated group: IDs, decimals, card numbers.
    after = f"(?![{_DIGIT}]|[.{_HYPHEN}][{_DIGIT}])"
    label = "[A-Za-z0-9](?:[A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?"
    my_number = f"{d}{{3}}(?:(?P<s>[ {_HYPHEN}\u3000]){d}{{4}}(?P=s){d}{{4}}(?!(?P=s){d})|{d}{{8}})"
    return (
        f"[@+(\uff08{_DIGIT}]"
        "(?:"
        f"(?<=[\\w.%+\\-]@)(?P<email>{label}(?:\\.{label})*\\.[A-Za-z]{{2,63}})(?![A-Za-z0-9\\-])"
        # A digit that starts a digit run (not after a digit, a decimal point or a hyphen).
        f"|(?<![{_DIGIT}.{_HYPHEN}][{_DIGIT}])(?<![{_DIGIT}][ {_HYPHEN}\u3000][{_DIGIT}])"
        f"(?:(?P<my_number>{my_number})|(?<={_ZERO})(?P<phone>{domestic})){after}"
        f"|(?<=[(\uff08])(?P<phone_parenthesised>{_ZERO}(?:{parenthesised})){after}"
        f"|(?<![\\w+]\\+)(?P<phone_international>81[ \\-]?(?:\\(0\\)[ \\-]?)?(?:{international})){after}"
        ")"
    )


IDENTIFIER: Final = re.compile(_build(bare_phone=False))
# In a column whose name says it holds phone numbers, 10–11 digits without separators count too.
IDENTIFIER_IN_PHONE_COLUMN: Final = re.compile(_build(bare_phone=True))
# The same, extended to the end of the cell, so that findall counts cells rather than matches.
_CELL: Final = re.compile(f"(?:{IDENTIFIER.pattern})[^\\x00]*")
_CELL_IN_PHONE_COLUMN: Final = re.compile(f"(?:{IDENTIFIER_IN_PHONE_COLUMN.pattern})[^\\x00]*")

PHONE_COLUMN: Final = re.compile(
    r"phone|mobile|keitai|denwa|電話|携帯|ＴＥＬ|(?:^|[^a-z])(?:tel|fax|cell)(?:[^a-z]|$)", re.IGNORECASE
)
_LOCAL_PART: Final = re.compile(r"[\w.%+\-]+\Z")

LABELS: Final = {
    "email": "e-mail address",
    "my_number": "12-digit individual number (My Number)",
    "phone": "phone number",
    "phone_parenthesised": "phone number",
    "phone_international": "phone number",
}

# Values shorter than these cannot hold an identifier: "a@b.jp" has 6 characters, a phone number or an
# individual number at least 10 digits.
_MIN_ANY: Final = 6
_MIN_DIGITS: Final = 10


def mask(kind: str, cell: str, match: re.Match[str]) -> str:
    """The identifier with enough hidden that the report never repeats it."""
    text = match.group(0)
    if kind == "email":
        local = _LOCAL_PART.search(cell, 0, match.start())
        first = local.group(0)[0] if local else ""
        return f"{first}***{text}"
    keep_first, keep_last = (0, 2) if kind == "my_number" else (3, 0)
    total = sum(c.isdigit() for c in text)
    out = []
    seen = 0
    for c in text:
        if c.isdigit():
            seen += 1
            out.append(c if seen <= keep_first or seen > total - keep_last else "*")
        else:
            out.append(c)
    return "".join(out)


class IdentifierScanner:
    """Accumulates identifier hits over all blocks: a total, per-column counts, the first examples."""

    def __init__(self, columns: Sequence[str], max_examples: int) -> None:
        self.cells = 0
        self.per_column: dict[str, int] = {}
        self.examples: list[str] = []
        self._max_examples = max_examples
        self._phone_columns = {name for name in columns if PHONE_COLUMN.search(name)}
        # Columns whose blocks repeat values enough that scanning the distinct values first pays off.
        self._dedupe: dict[int, bool] = {}

    def add_column(self, name: str) -> None:
        if PHONE_COLUMN.search(name):
            self._phone_columns.add(name)

    def scan(self, index: int, name: str, values: list[str], row_lines: Sequence[int], kind: int) -> None:
        """Scan one block of one column; ``kind`` is the column's kind after this block."""
        if kind in (UNKNOWN, BOOLEAN, DATE, DATETIME) or not values:
            return  # these shapes cannot contain an identifier
        longest = max(map(len, values))
        if longest < _MIN_ANY or (kind in (INTEGER, NUMBER) and longest < _MIN_DIGITS):
            return
        phone_column = name in self._phone_columns
        pattern = IDENTIFIER_IN_PHONE_COLUMN if phone_column else IDENTIFIER
        if self._dedupe.get(index, True):
            distinct = set(values)
            if len(distinct) * 2 <= len(values):
                if pattern.search(_SEP.join(distinct)) is None:
                    return
            else:
                self._dedupe[index] = False
        joined = _SEP.join(values)
        match = pattern.search(joined)
        if match is None:
            return
        cells = 0
        cell = -1
        position = 0
        while match is not None:
            start = match.start()
            at = cell if cell >= 0 else 0
            at += joined.count(_SEP, position, start)
            position = start
            if at != cell:
                cell = at
                cells += 1
                if len(self.examples) < self._max_examples:
                    kind_name = match.lastgroup or "phone"
                    self.examples.append(
                        f"line {row_lines[cell]}, column {name!r}: {LABELS[kind_name]} "
                        f"{mask(kind_name, values[cell], _cell_match(pattern, values[cell], match))}"
                    )
                else:
                    # Enough examples: count the remaining cells with a hit in one C-level pass.
                    end = joined.find(_SEP, match.end())
                    if end >= 0:
                        cells += len((_CELL_IN_PHONE_COLUMN if phone_column else _CELL).findall(joined, end))
                    break
            match = pattern.search(joined, match.end())
        self.cells += cells
        self.per_column[name] = self.per_column.get(name, 0) + cells


def _cell_match(pattern: re.Pattern[str], cell: str, match: re.Match[str]) -> re.Match[str]:
    """The hit re-found inside its own cell, so positions refer to the cell."""
    return pattern.search(cell) or match
