"""Column type inference over whole blocks of values.

A column's kind only ever moves down the lattice UNKNOWN → {INTEGER → NUMBER, BOOLEAN, DATETIME, DATE}
→ STRING, because the families are disjoint: a value that is an integer can never be a boolean or a
date. So after the first value each block needs at most one or two checks per column, and a STRING
column needs none.

The checks treat a whole block at once with C-level operations: the values joined with NUL (which
cannot occur in decoded input), a ``bytes.translate`` that deletes the allowed characters (empty result:
nothing else occurs), substring counts for signs and leading zeros, ``map`` over ``float`` or
``datetime.fromisoformat``, strided slices for fixed punctuation. A regular expression per value or per
block costs more: Python's engine needs about 10 ns per character. The definitions, which the tests pin
down against the single-value patterns below:

* integer: optional sign, ASCII digits, no leading zero (``007`` is a code, not a number);
* number: optional sign, an integer part as above and/or a fraction, optional exponent (``-1.5``,
  ``.5``, ``2.``, ``6.02e23``; not ``inf``, ``nan``, ``1_000``, ``1,5`` or ``007.5``);
* boolean: ``true``/``false`` in any case (not yes/no/0/1);
* datetime: ``YYYY-MM-DD``, ``T`` or a space, ``HH:MM``, then anything more that
  ``datetime.fromisoformat`` accepts (seconds, fraction, ``Z``, an offset);
* date: exactly ``YYYY-MM-DD``, a real calendar date.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import date, datetime
from operator import itemgetter
from typing import Any, Final

from catalog.validation.report import ColumnType

UNKNOWN: Final = 0
INTEGER: Final = 1
NUMBER: Final = 2
BOOLEAN: Final = 3
DATETIME: Final = 4
DATE: Final = 5
STRING: Final = 6

# A column that never had a value is reported as string.
KIND_NAMES: Final[tuple[ColumnType, ...]] = ("string", "integer", "number", "boolean", "datetime", "date", "string")

# Kinds a column of a given kind can still turn out to be, most specific first (STRING always can).
_NEXT: Final[dict[int, tuple[int, ...]]] = {
    INTEGER: (INTEGER, NUMBER),
    NUMBER: (NUMBER,),
    BOOLEAN: (BOOLEAN,),
    DATETIME: (DATETIME,),
    DATE: (DATE,),
}

_SEP: Final = "\x00"
_INTEGER_CHARS: Final = b"0123456789+-\x00"
_NUMBER_CHARS: Final = b"0123456789+-.eE\x00"
_BOOLEANS: Final = frozenset({"true", "false"})
# A value starting (after its sign) with 0 and another digit; each value is preceded by the separator.
_LEADING_ZERO: Final = re.compile(r"\x00[+-]?0[0-9]")
_DATETIME_MARKS: Final = ((4, "-"), (7, "-"), (13, ":"))
_MARKS: Final = itemgetter(4, 7, 10, 13)
_SHAPES: Final = frozenset({("-", "-", "T", ":"), ("-", "-", " ", ":")})
_MIN_DATETIME_LEN: Final = len("YYYY-MM-DDTHH:MM")
_DATE_CACHE_LIMIT: Final = 1 << 16

# Single-value forms of the grammars: the reference definitions, and the guess of a new column's kind
# from its first value.
ONE_INTEGER: Final = re.compile(r"[+-]?(?:0|[1-9][0-9]*)")
ONE_NUMBER: Final = re.compile(r"[+-]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
ONE_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ColumnState:
    """What is known about one column so far."""

    __slots__ = ("_dates", "kind", "name", "nullable")

    def __init__(self, name: str) -> None:
        self.name = name
        self.kind = UNKNOWN
        self.nullable = False
        self._dates: set[str] = set()  # distinct values already known to be valid dates

    @property
    def type_name(self) -> ColumnType:
        return KIND_NAMES[self.kind]

    # --- CSV: every value is a string; "" is empty ------------------------------------------------

    def infer_text(self, values: list[str]) -> bool:
        """Update the kind from one block; True when the block's values are all datetimes."""
        has_empty = "" in values
        if has_empty:
            self.nullable = True
        if self.kind == STRING:
            return False
        present = list(filter(None, values)) if has_empty else values
        if not present:
            return False
        candidates = _NEXT[self.kind] if self.kind != UNKNOWN else _probe(present[0])
        joined = ""
        for kind in candidates:
            if kind in (INTEGER, NUMBER):
                joined = joined or _SEP + _SEP.join(present)
                ok = _integers(present, joined) if kind == INTEGER else _numbers(present, joined)
            elif kind == BOOLEAN:
                ok = _booleans(present)
            elif kind == DATETIME:
                ok = _datetimes(present)
            else:
                ok = self._valid_dates(present)
            if ok:
                self.kind = kind
                return kind == DATETIME
        self.kind = STRING
        return False

    # --- JSON: values are typed; None (null or an absent key) is empty ----------------------------

    def infer_json(self, values: list[Any]) -> tuple[set[type], bool]:
        """Update the kind from one block; returns the Python types present (None excluded) and whether
        the block's values are all datetime strings."""
        types = set(map(type, values))
        has_none = type(None) in types
        if has_none:
            self.nullable = True
            types.discard(type(None))
        if not types or self.kind == STRING:
            return types, False
        if types == {int}:
            kind = INTEGER
        elif types <= {int, float}:
            kind = NUMBER
        elif types == {bool}:
            kind = BOOLEAN
        elif types == {str} and self.kind in (UNKNOWN, DATETIME, DATE):
            # JSON has no date type, so strings are the only place dates can be; "123" stays a string.
            present = [value for value in values if value is not None] if has_none else values
            kind = STRING
            if self.kind != DATE and _datetimes(present):
                kind = DATETIME
            elif self.kind != DATETIME and self._valid_dates(present):
                kind = DATE
        else:
            kind = STRING
        self.kind = merge(self.kind, kind)
        return types, self.kind == DATETIME

    def _valid_dates(self, present: list[str]) -> bool:
        # Dates repeat a lot, so validating each distinct value once is much cheaper than per cell.
        known = self._dates
        new = set(present)
        new.difference_update(known)
        if not all(map(is_date, new)):
            return False
        if len(known) + len(new) > _DATE_CACHE_LIMIT:
            known.clear()
        known.update(new)
        return True


def merge(a: int, b: int) -> int:
    """The kind of a column whose values are of kinds ``a`` and ``b``."""
    if a in (UNKNOWN, b):
        return b
    if b == UNKNOWN:
        return a
    if {a, b} == {INTEGER, NUMBER}:
        return NUMBER
    return STRING


def _probe(value: str) -> tuple[int, ...]:
    if ONE_INTEGER.fullmatch(value):
        return (INTEGER, NUMBER)
    if ONE_NUMBER.fullmatch(value):
        return (NUMBER,)
    if value.lower() in _BOOLEANS:
        return (BOOLEAN,)
    if is_date(value):
        return (DATE,)
    if is_datetime(value):
        return (DATETIME,)
    return ()


def _only(joined: str, allowed: bytes) -> bool:
    """Whether ``joined`` consists of ``allowed`` characters only (deleting them leaves nothing)."""
    return joined.isascii() and not joined.encode("ascii").translate(None, allowed)


def _integers(present: list[str], joined: str) -> bool:
    if not _only(joined, _INTEGER_CHARS) or _LEADING_ZERO.search(joined):
        return False
    if "-" not in joined and "+" not in joined:
        return True
    # Every sign must start its value, at most one per value, and no value may be a bare sign.
    signs = joined.count("-") + joined.count("+")
    return signs == joined.count(_SEP + "-") + joined.count(_SEP + "+") and "-" not in present and "+" not in present


def _numbers(present: list[str], joined: str) -> bool:
    # The character set rules out what float() accepts beyond the grammar (whitespace, "_", inf, nan);
    # float() then checks the structure (one point, signs in place, digits present).
    if not _only(joined, _NUMBER_CHARS) or _LEADING_ZERO.search(joined):
        return False
    try:
        deque(map(float, present), maxlen=0)
    except ValueError:
        return False
    return True


def _booleans(present: list[str]) -> bool:
    return all(value.lower() in _BOOLEANS for value in set(present))


def _datetimes(present: list[str]) -> bool:
    try:
        deque(map(datetime.fromisoformat, present), maxlen=0)
    except (ValueError, TypeError):
        return False
    lengths = set(map(len, present))
    if min(lengths) < _MIN_DATETIME_LEN:
        return False
    if len(lengths) > 1:
        return set(map(_MARKS, present)) <= _SHAPES
    # One length for all: check the punctuation column-wise with strided slices.
    (width,) = lengths
    joined = "".join(present)
    n = len(present)
    separators = joined[10::width]
    return separators.count("T") + separators.count(" ") == n and all(
        joined[position::width].count(mark) == n for position, mark in _DATETIME_MARKS
    )


def is_datetime(value: str) -> bool:
    """Whether one value is a datetime in the sense of this module."""
    return _datetimes([value])


def is_date(value: str) -> bool:
    """Whether one value is a date in the sense of this module."""
    if len(value) != 10 or not value.isascii() or not ONE_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
