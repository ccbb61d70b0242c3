"""Detection of direct identifiers: e-mail addresses, Japanese phone numbers, 12-digit individual numbers.

One combined, precompiled pattern (:data:`IDENTIFIER`) defines what may count. An e-mail address or a phone number
counts wherever it is found. A 12-digit number is an individual number (My Number) only by its column: the last
digit of a My Number is a check digit over the other eleven, which about one 12-digit number in ten passes by
chance (a compact timestamp such as ``202401011230``, a meter serial), so a single value proves nothing, while a
column of real My Numbers passes it on every value. A column is flagged when at least
:data:`MY_NUMBER_SHARE` of its 12-digit values pass the check and at least :data:`MY_NUMBER_MIN_DISTINCT`
different ones do: unrelated numbers all pass with a chance of one in ten per value (1 in 1,000 for a column of
three, about 1 in 10^16 for twenty, of which eighteen must pass), and counting different values keeps one passing
value repeated down a column from looking like many. The tolerance of one in ten lets a real column with a few
typing errors or placeholders still be caught.

Python's regex engine needs about 30 ns per character of digit-rich text to run the pattern, though, so each
block of a column is first narrowed down at C speed to the cells that could match (:func:`candidate_cells`),
and the pattern runs on those cells only; a hit's cell gives the column and the line.

The pattern starts with a single character class (``@``, ``+``, ``(``, a digit) and checks the context
before that character with look-behinds, so that on the candidate cells the engine skips all other
characters in a tight loop.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

from catalog.validation._errors import ErrorLog
from catalog.validation._types import BOOLEAN, DATE, DATETIME, UNKNOWN

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

PHONE_COLUMN: Final = re.compile(
    r"phone|mobile|keitai|denwa|電話|携帯|ＴＥＬ|(?:^|[^a-z])(?:tel|fax|cell)(?:[^a-z]|$)", re.IGNORECASE
)
_LOCAL_PART: Final = re.compile(r"[\w.%+\-]+\Z")

# A column holds My Numbers when this share of its 12-digit values pass the check digit, and at least this many
# different values do (see the module's docstring for why).
MY_NUMBER_SHARE: Final = 0.9
MY_NUMBER_MIN_DISTINCT: Final = 3

LABELS: Final = {
    "email": "e-mail address",
    "my_number": "12-digit individual number (My Number)",
    "phone": "phone number",
    "phone_parenthesised": "phone number",
    "phone_international": "phone number",
}

# Signature bytes for candidate_cells: one per character of the UTF-8 text (a multi-byte character's
# lead byte becomes "x", its continuation bytes are deleted).
_SIGNATURE: Final = (
    bytes(
        ord("0") if chr(b).isdigit() else ord("-") if b in b" -()" else b if b in b"@\x00" else ord("x")
        for b in range(128)
    )
    + b"x" * 128
)
_CONTINUATION_BYTES: Final = bytes(range(0x80, 0xC0))
# Dashes NFKC leaves alone but the pattern accepts as separators.
_DASHES: Final = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc"
_NINE_DIGITS: Final = b"0" * 9


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


def my_number_check_digit_passes(number: str) -> bool:
    """Whether the last of the 12 digits of ``number`` (separators and full-width digits allowed) is the check
    digit of the other eleven, as the Individual Number Act's ordinance defines it: with the eleven digits
    numbered n = 1 to 11 from the right, the weights are n + 1 up to n = 6 and n - 5 after; the check digit is
    11 minus the weighted sum's remainder by 11, or 0 when that remainder is 0 or 1."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 12:
        return False
    total = sum(digit * (n + 1 if n <= 6 else n - 5) for n, digit in enumerate(reversed(digits[:11]), start=1))
    remainder = total % 11
    return digits[11] == (0 if remainder <= 1 else 11 - remainder)


class _NumberColumn:
    """The 12-digit numbers of one column: how many, how many pass the check digit, the first that do."""

    __slots__ = ("distinct_passing", "examples", "passing", "seen")

    def __init__(self, max_examples: int) -> None:
        self.seen = 0
        self.passing = 0
        self.distinct_passing: set[str] = set()  # at most MY_NUMBER_MIN_DISTINCT: constant memory
        self.examples = ErrorLog(max_examples)

    def holds_my_numbers(self) -> bool:
        return len(self.distinct_passing) >= MY_NUMBER_MIN_DISTINCT and self.passing >= MY_NUMBER_SHARE * self.seen


class IdentifierScanner:
    """Accumulates identifier hits over all blocks: a total, per-column counts, the first examples.

    E-mail addresses and phone numbers are counted as they are found; 12-digit numbers per column, and they count
    only once :meth:`finish` has judged their column to hold My Numbers."""

    def __init__(self, columns: Sequence[str], max_examples: int) -> None:
        self.cells = 0
        self.per_column: dict[str, int] = {}
        self.examples = ErrorLog(max_examples)
        self._max_examples = max_examples
        self._numbers: dict[str, _NumberColumn] = {}
        self._position: dict[str, int] = {}  # a column's place in the file, to list hits in the file's order
        self._phone_columns = {name for name in columns if PHONE_COLUMN.search(name)}
        # Columns whose blocks repeat values enough that scanning the distinct values first pays off.
        self._dedupe: dict[int, bool] = {}

    def add_column(self, name: str) -> None:
        if PHONE_COLUMN.search(name):
            self._phone_columns.add(name)

    def scan(
        self, index: int, name: str, values: list[str], row_lines: Sequence[int], kind: int, ordered: bool
    ) -> None:
        """Scan one block of one column; ``kind`` is the column's kind after this block, ``ordered``
        whether its rows are in file order."""
        if kind in (UNKNOWN, BOOLEAN, DATE, DATETIME) or not values:
            return  # these shapes cannot contain an identifier
        self._position.setdefault(name, index)
        pattern = IDENTIFIER_IN_PHONE_COLUMN if name in self._phone_columns else IDENTIFIER
        if self._dedupe.get(index, True):
            distinct = set(values)
            if len(distinct) * 2 <= len(values):
                if candidate_cells(_SEP.join(distinct)) == []:
                    return
            else:
                self._dedupe[index] = False  # mostly distinct values: deduplicating does not pay
        cells = 0
        for cell in candidate_cells(_SEP.join(values)):
            value = values[cell]
            found: re.Match[str] | None = None
            number: re.Match[str] | None = None
            for match in pattern.finditer(value):
                if match.lastgroup != "my_number":
                    found = match
                    break
                number = number or match
            if found is not None:
                cells += 1
                line = row_lines[cell]
                if not self.examples.full_below(line):
                    kind_name = found.lastgroup or "phone"
                    shown = mask(kind_name, value, found)
                    self.examples.add(line, f"line {line}, column {name!r}: {LABELS[kind_name]} {shown}")
            elif number is not None:
                self._count_number(name, value, number, row_lines[cell])
        if cells:
            self.cells += cells
            self.per_column[name] = self.per_column.get(name, 0) + cells

    def _count_number(self, name: str, value: str, match: re.Match[str], line: int) -> None:
        column = self._numbers.get(name)
        if column is None:
            column = self._numbers[name] = _NumberColumn(self._max_examples)
        column.seen += 1
        text = match.group(0)
        if not my_number_check_digit_passes(text):
            return
        column.passing += 1
        if len(column.distinct_passing) < MY_NUMBER_MIN_DISTINCT:
            column.distinct_passing.add("".join(c for c in text if c.isdigit()))
        if not column.examples.full_below(line):
            column.examples.add(
                line, f"line {line}, column {name!r}: {LABELS['my_number']} {mask('my_number', value, match)}"
            )

    def finish(self) -> None:
        """Judge each column's 12-digit numbers (once, after the last block): a column of My Numbers adds its
        passing values to the count and its first ones to the examples."""
        for name, column in self._numbers.items():
            if not column.holds_my_numbers():
                continue
            self.cells += column.passing
            self.per_column[name] = self.per_column.get(name, 0) + column.passing
            for line, _arrival, message in column.examples.entries:
                self.examples.add(line, message)
        self._numbers.clear()
        # In the file's column order, however the blocks happened to reveal them (a chunked read finds a later
        # column's first hit before an earlier one's): the report is the same whatever the read's block sizes.
        self.per_column = dict(sorted(self.per_column.items(), key=lambda item: self._position.get(item[0], 0)))


def candidate_cells(joined: str) -> list[int]:
    """Indexes of the NUL-separated cells of ``joined`` that may hold an identifier: a superset of the
    cells :data:`IDENTIFIER` matches in.

    Python's regex engine tries a pattern at every digit, about 30 ns per character of digit-rich text;
    this narrows the cells down at C speed on a signature of the text, one byte per character: after
    NFKC (full-width digits, hyphens and spaces become ASCII) and folding the other dashes into "-",
    digits become "0", separators "-", "@" and NUL stay, anything else becomes "x". Every phone number
    or individual number is then nine or more "0" with only separators between them; an e-mail address
    keeps its "@". ISO dates (four, two and two digits), which no identifier contains, are blanked first
    so that free text with dates and times does not make every cell a candidate.
    """
    text = joined if joined.isascii() else unicodedata.normalize("NFKC", joined)
    for dash in _DASHES:
        if dash in text:
            text = text.replace(dash, "-")
    signature = text.encode().translate(_SIGNATURE, _CONTINUATION_BYTES)
    for after in (b"-", b"x", b"\x00", b"@"):
        date = b"0000-00-00" + after
        if date in signature:
            signature = signature.replace(date, b"x" + after)
    signature = signature.replace(b"-", b"")
    hits: list[int] = []
    for needle in (b"@", _NINE_DIGITS):
        at = signature.find(needle)
        while at >= 0:
            hits.append(at)
            end = signature.find(b"\x00", at)  # one hit per cell is enough
            at = signature.find(needle, end) if end >= 0 else -1
    if not hits:
        return hits
    hits.sort()
    cells: list[int] = []
    cell = 0
    position = 0
    for at in hits:
        cell += signature.count(b"\x00", position, at)
        position = at
        if not cells or cells[-1] != cell:
            cells.append(cell)
    return cells
