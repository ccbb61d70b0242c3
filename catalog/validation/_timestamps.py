"""The timestamp column of IoT data: which column it is, whether every value parses, its range.

Values are parsed with ``datetime.fromisoformat`` (Python 3.11: ISO 8601 incl. ``Z``, offsets, basic
format, and a space instead of ``T``). A value without an offset stays naive and is reported as given:
no time zone is invented. Naive and offset-bearing values cannot be ordered against each other, so they
are tracked apart and mixing them fails the check.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from catalog.validation._errors import ErrorLog, preview

_DIGITS_TO_ZERO: Final = bytes.maketrans(b"0123456789", b"0000000000")

TIMESTAMP_NAMES: Final = ("timestamp", "time", "datetime", "measured_at", "observed_at", "recorded_at", "ts")


def named_timestamp_column(columns: Sequence[str]) -> int | None:
    """Index of the column named like a timestamp (``timestamp`` itself first), or None."""
    lowered = [name.lower() for name in columns]
    if "timestamp" in lowered:
        return lowered.index("timestamp")
    return next((i for i, name in enumerate(lowered) if name in TIMESTAMP_NAMES), None)


class _Range:
    __slots__ = ("first_line", "high", "low")

    def __init__(self, low: datetime, high: datetime, first_line: int) -> None:
        self.low = low
        self.high = high
        self.first_line = first_line

    def widen(self, low: datetime, high: datetime) -> None:
        self.low = min(self.low, low)
        self.high = max(self.high, high)


class TimestampTracker:
    """Parses one column block by block, keeping the range and the first unparsable values."""

    def __init__(self, name: str, max_errors: int) -> None:
        self.name = name
        self.values = 0
        self.bad = ErrorLog(max_errors)
        self._aware: _Range | None = None
        self._naive: _Range | None = None
        self.numeric_bad = 0  # unparsable values that are plain numbers (epoch seconds?)

    def add(self, values: Sequence[Any], row_lines: Sequence[int], checked: bool) -> None:
        """Add one block; ``checked`` says type inference already found every non-empty value to be a
        datetime, so only the earliest and latest need parsing."""
        present = list(filter(None, values)) if checked else [v for v in values if v is not None and v != ""]
        if not present:
            return
        extremes = _text_extremes(present) if checked else None
        try:
            if extremes is not None:
                low, high = map(datetime.fromisoformat, extremes)
            else:
                parsed = list(map(datetime.fromisoformat, present))
                low, high = min(parsed), max(parsed)
        except (ValueError, TypeError):
            # A value that does not parse, or naive and aware values in one block (TypeError).
            self._add_slowly(values, row_lines)
            return
        self.values += len(present)
        self._widen(low, high, row_lines[values.index(present[0])])

    def _widen(self, low: datetime, high: datetime, line: int) -> None:
        if low.tzinfo is None:
            if self._naive is None:
                self._naive = _Range(low, high, line)
            else:
                self._naive.widen(low, high)
        elif self._aware is None:
            self._aware = _Range(low, high, line)
        else:
            self._aware.widen(low, high)

    def _add_slowly(self, values: Sequence[Any], row_lines: Sequence[int]) -> None:
        for value, line in zip(values, row_lines, strict=True):
            if value is None or value == "":
                continue
            try:
                parsed = datetime.fromisoformat(value)
            except (ValueError, TypeError):
                text = value if isinstance(value, str) else repr(value)
                if text.lstrip("-").replace(".", "", 1).isdigit():
                    self.numeric_bad += 1
                self.bad.add(line, f"line {line}: {preview(text)}")
                continue
            self.values += 1
            self._widen(parsed, parsed, line)

    def result(self) -> tuple[bool, str, tuple[str, str] | None]:
        """(passed, detail, time range)."""
        column = f"timestamp column {self.name!r}"
        if self.bad.count:
            hint = (
                " They look like Unix epoch numbers; write ISO 8601 instead."
                if self.numeric_bad * 2 >= self.bad.count
                else ""
            )
            return (
                False,
                (
                    f"{column}: {self.bad.count:,} value(s) are not ISO 8601 date-times "
                    f"(e.g. 2024-01-31T23:50:00+09:00): {self.bad.summary()}.{hint}"
                ),
                None,
            )
        if self._aware is not None and self._naive is not None:
            return (
                False,
                (
                    f"{column} mixes values with a UTC offset (first at line {self._aware.first_line}) and "
                    f"values without one (first at line {self._naive.first_line}); give every value an "
                    "offset, e.g. +09:00, or none."
                ),
                None,
            )
        found = self._aware or self._naive
        if found is None:
            return False, f"{column} has no values.", None
        start, end = found.low.isoformat(), found.high.isoformat()
        return True, f"{column}: {start} … {end} ({self.values:,} values)", (start, end)


def _text_extremes(present: list[str]) -> tuple[str, str] | None:
    """The earliest and latest value compared as text, when text order is time order; else None.

    Comparing aware datetimes is slow (each comparison asks both for their offset), comparing strings
    is not. Text order equals time order when every value has the same skeleton (digits replaced by
    0: the same punctuation at the same places) and the same offset text, because the fields then run
    from year to fraction, most significant first, in fixed widths.
    """
    first = present[0]
    width = len(first)
    n = len(present)
    joined = "".join(present)
    if len(joined) != width * n or not joined.isascii():
        return None
    skeleton = joined.encode("ascii").translate(_DIGITS_TO_ZERO)
    # Equal total length and an identical skeleton for every width-sized slice imply equal lengths:
    # a shorter value would shift a later value's punctuation out of place.
    if skeleton != skeleton[:width] * n:
        return None
    offset = max(first.rfind("+", 16), first.rfind("-", 16), first.rfind("Z", 16))
    if offset >= 0:
        for position in range(offset + 1, width):
            if joined[position::width].count(first[position]) != n:
                return None
    return min(present), max(present)
