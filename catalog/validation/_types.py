"""Column type inference over whole blocks of values.

A column's kind only ever moves down the lattice UNKNOWN → {INTEGER → NUMBER, BOOLEAN, DATETIME, DATE}
→ STRING, because the families are disjoint: a value that is an integer can never be a boolean or a
date. So after the first value each block needs at most one or two checks per column, and a STRING
column needs none.

Each check is one regular-expression ``fullmatch`` over all values of the block joined with NUL (which
cannot occur in decoded input), with possessive repetition so the engine never backtracks: that costs
a few nanoseconds per character instead of a Python call per cell. The grammars, which the tests pin
down:

* integer: optional sign, ASCII digits, no leading zero (``007`` is a code, not a number);
* number: an integer part as above or none, an optional fraction, an optional exponent
  (``-1.5``, ``.5``, ``2.``, ``6.02e23``; not ``inf``, ``nan``, ``1_000`` or ``1,5``);
* boolean: ``true``/``false`` in any case (not yes/no/0/1);
* datetime: ``YYYY-MM-DD``, ``T`` or a space, ``HH:MM``, optional ``:SS`` and fraction, optional
  ``Z`` or offset (``+09``, ``+0900``, ``+09:00``); every such value ``datetime.fromisoformat`` parses;
* date: exactly ``YYYY-MM-DD``, a real calendar date.

Field ranges (month 01–12, hour 00–23, ...) are part of the patterns; the only invalid values they let
through are day 29–31 of short months and year 0000, which a second cheap search finds so that just
those blocks are checked with ``fromisoformat``.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import date, datetime
from typing import Any, Final

UNKNOWN: Final = 0
INTEGER: Final = 1
NUMBER: Final = 2
BOOLEAN: Final = 3
DATETIME: Final = 4
DATE: Final = 5
STRING: Final = 6

# A column that never had a value is reported as string.
KIND_NAMES: Final = ("string", "integer", "number", "boolean", "datetime", "date", "string")

# Kinds a column of a given kind can still turn out to be, most specific first (STRING always can).
_NEXT: Final[dict[int, tuple[int, ...]]] = {
    INTEGER: (INTEGER, NUMBER),
    NUMBER: (NUMBER,),
    BOOLEAN: (BOOLEAN,),
    DATETIME: (DATETIME,),
    DATE: (DATE,),
}

_SEP: Final = "\x00"
_INTEGER: Final = r"[+-]?(?:0|[1-9][0-9]*+)"
_NUMBER: Final = r"[+-]?(?:(?:0|[1-9][0-9]*+)(?:\.[0-9]*+)?+|\.[0-9]++)(?:[eE][+-]?[0-9]++)?+"
_BOOLEAN: Final = r"(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])"
_DATE: Final = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_TIME: Final = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]++)?+)?+"
_OFFSET: Final = r"(?:Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?+)?+"
_DATETIME: Final = f"{_DATE}[T ]{_TIME}{_OFFSET}"


def _block(value: str) -> re.Pattern[str]:
    # Every value is preceded by the separator, so the joined block is "\x00v1\x00v2...".
    return re.compile(f"(?:\x00{value})*+")


_INTEGERS: Final = _block(_INTEGER)
_NUMBERS: Final = _block(_NUMBER)
_BOOLEANS: Final = _block(_BOOLEAN)
_DATETIMES: Final = _block(_DATETIME)
_DATES: Final = _block(_DATE)
_SUSPECT_DATE: Final = re.compile(r"\x00(?:0000-|[0-9]{4}-(?:02-(?:29|3[01])|(?:0[469]|11)-31))")

# The same grammars for one value, used to guess a new column's kind from its first value.
_ONE_INTEGER: Final = re.compile(_INTEGER)
_ONE_NUMBER: Final = re.compile(_NUMBER)
_ONE_BOOLEAN: Final = re.compile(_BOOLEAN)
_ONE_DATETIME: Final = re.compile(_DATETIME)
_ONE_DATE: Final = re.compile(_DATE)


class ColumnState:
    """What is known about one column so far."""

    __slots__ = ("kind", "name", "nullable")

    def __init__(self, name: str) -> None:
        self.name = name
        self.kind = UNKNOWN
        self.nullable = False

    @property
    def type_name(self) -> str:
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
        if candidates:
            joined = _SEP + _SEP.join(present)
            for kind in candidates:
                if _matches(kind, joined, present):
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
            joined = _SEP + _SEP.join(present)
            kind = STRING
            for candidate in (DATETIME, DATE):
                if self.kind in (UNKNOWN, candidate) and _matches(candidate, joined, present):
                    kind = candidate
                    break
        else:
            kind = STRING
        self.kind = merge(self.kind, kind)
        return types, self.kind == DATETIME


def merge(a: int, b: int) -> int:
    """The kind of a column whose values are of kinds ``a`` and ``b``."""
    if a == UNKNOWN or a == b:
        return b
    if b == UNKNOWN:
        return a
    if {a, b} == {INTEGER, NUMBER}:
        return NUMBER
    return STRING


def _probe(value: str) -> tuple[int, ...]:
    if _ONE_INTEGER.fullmatch(value):
        return (INTEGER, NUMBER)
    if _ONE_NUMBER.fullmatch(value):
        return (NUMBER,)
    if _ONE_BOOLEAN.fullmatch(value):
        return (BOOLEAN,)
    if _ONE_DATETIME.fullmatch(value):
        return (DATETIME,)
    if _ONE_DATE.fullmatch(value):
        return (DATE,)
    return ()


def _matches(kind: int, joined: str, present: list[str]) -> bool:
    """Whether every value of the block (``joined`` as built by the caller) is of ``kind``."""
    if kind == INTEGER:
        return _INTEGERS.fullmatch(joined) is not None
    if kind == NUMBER:
        return _NUMBERS.fullmatch(joined) is not None
    if kind == BOOLEAN:
        return _BOOLEANS.fullmatch(joined) is not None
    pattern, parse = (_DATETIMES, datetime.fromisoformat) if kind == DATETIME else (_DATES, date.fromisoformat)
    if pattern.fullmatch(joined) is None:
        return False
    if _SUSPECT_DATE.search(joined) is not None:
        try:
            deque(map(parse, present), maxlen=0)
        except ValueError:
            return False
    return True


def is_datetime(value: str) -> bool:
    """Whether one value is a datetime in the sense of this module."""
    return _matches(DATETIME, _SEP + value, [value])


def is_date(value: str) -> bool:
    """Whether one value is a date in the sense of this module."""
    return _matches(DATE, _SEP + value, [value])
