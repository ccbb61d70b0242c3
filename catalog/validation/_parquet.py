"""Parquet files, read with Apache Arrow: the schema from the file's own metadata, the rows a batch at a time.

A Parquet file states its column types, so nothing is inferred: integers are ``integer``, floating point and
decimals ``number``, timestamps ``datetime``, dates ``date``, and text, times, binary text and nested values
``string`` (nested values are shown as their JSON text, as for JSON Lines). A column is nullable when a null was
seen in it. The file is read row group by row group in batches of :data:`BATCH_ROWS` rows, so memory is one
batch (and the reader's buffers) whatever the file's size; the footer is read first, so the stream must be
seekable (one that is not is first copied to a temporary file).

The checks are those of the text formats, under the same names and with the same details; "line" in a Parquet
file's messages is the row's number, the first row being line 1. The identifier scan narrows every text column
down with Arrow's vectorised kernels (a cell can only hold an identifier when it contains an ``@`` or nine
digits) and runs the scanner of :mod:`catalog.validation._identifiers` on the few cells left, so its verdicts
(My Numbers judged per column by their check digit) are exactly those of the text formats. A timestamp column
is ranged with Arrow's ``min_max``; k-anonymity counts the quasi-identifiers' values with the bounded, spilling
counter the text formats use.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, BinaryIO, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from catalog.validation import _types as types
from catalog.validation._errors import preview
from catalog.validation._limits import cell_too_large, too_many_columns
from catalog.validation._reader import EncodingFailure
from catalog.validation._timestamps import TimestampTracker, named_timestamp_column
from catalog.validation.report import Check
from catalog.validation.validator import _Stop, _Validation
from config.text import unstorable_text

BATCH_ROWS: Final = 64 * 1024
MAGIC: Final = b"PAR1"
# Digits an identifier needs at least (a phone number has ten, a My Number twelve, a bare number in a phone column
# nine); an e-mail address has an "@" instead.
_MIN_DIGITS: Final = 9
_DIGIT: Final = "[0-9\uff10-\uff19]"
# Nine digits (ASCII or full-width) with only the separators catalog.validation._identifiers allows between them.
_SEPARATOR: Final = "[ \u3000()\uff08\uff09\\-\u2010-\u2015\u2212\uff0d\u30fc]"
_CANDIDATE: Final = f"{_DIGIT}(?:{_SEPARATOR}*{_DIGIT}){{{_MIN_DIGITS - 1}}}"
_INTEGER_CANDIDATE: Final = 10 ** (_MIN_DIGITS - 1)
_COPY_BYTES: Final = 1 << 20


def column_kind(arrow_type: pa.DataType) -> int:
    """The market's column type of an Arrow type (the module's docstring says which)."""
    if pa.types.is_dictionary(arrow_type):
        return column_kind(arrow_type.value_type)
    if pa.types.is_boolean(arrow_type):
        return types.BOOLEAN
    if pa.types.is_integer(arrow_type):
        return types.INTEGER
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return types.NUMBER
    if pa.types.is_timestamp(arrow_type):
        return types.DATETIME
    if pa.types.is_date(arrow_type):
        return types.DATE
    if pa.types.is_null(arrow_type):
        return types.UNKNOWN  # reported as string, like a column that never had a value
    return types.STRING


def _is_text(arrow_type: pa.DataType) -> bool:
    return (
        pa.types.is_string(arrow_type)
        or pa.types.is_large_string(arrow_type)
        or pa.types.is_string_view(arrow_type)
        or pa.types.is_binary(arrow_type)
        or pa.types.is_large_binary(arrow_type)
        or pa.types.is_binary_view(arrow_type)
    )


def _is_nested(arrow_type: pa.DataType) -> bool:
    return pa.types.is_nested(arrow_type)


def _json_value(value: Any) -> Any:
    """A value of ``to_pylist`` as JSON holds it: what a sample cell, a spilled group or a timestamp check needs."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8")  # binary columns are checked to be UTF-8 first
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if isinstance(value, tuple):  # a map's (key, value) pairs
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, float) and not math.isfinite(value):  # JSON has no NaN or infinity
        return None if value != value else str(value)
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)  # durations and the like: their text


def _python(column: pa.Array) -> list[Any]:
    values = column.to_pylist()
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type) or pa.types.is_integer(column.type):
        return values
    return list(map(_json_value, values))


class ParquetValidation(_Validation):
    """The checks of :class:`_Validation` on a Parquet file: its own reading, the rest shared."""

    def _open(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.rows = 0
        self.row_groups = 0
        self.kinds: list[int] = []
        self._copy: str | None = None
        self._ranges: dict[int, _ArrowRange] = {}

    # --- reading ------------------------------------------------------------------------------------

    def run(self) -> Any:
        try:
            return super().run()
        finally:
            if self._copy is not None:
                os.unlink(self._copy)

    def _encoding_so_far(self, line: int) -> str:
        return "Parquet (text is UTF-8 by the format)."

    def _encoding_check(self) -> Check:
        return Check("encoding", True, "Parquet (text is UTF-8 by the format).")

    def _records(self) -> int:
        return self.rows

    def _stop_at_parse(self, detail: str) -> Any:
        self.checks = [self._encoding_check(), Check("parse", False, detail)]
        raise _Stop

    def _source(self) -> Any:
        """The stream if it can seek (the footer comes first), else a copy of it in a temporary file."""
        stream = self.stream
        seekable = getattr(stream, "seekable", None)
        if seekable is not None and seekable():
            return stream
        handle, path = tempfile.mkstemp(prefix="ichiba-parquet-", dir=self.spill_dir)
        self._copy = path
        with os.fdopen(handle, "wb") as copy:
            shutil.copyfileobj(stream, copy, _COPY_BYTES)
        return path

    def _read(self) -> None:
        source = self._source()
        head = _head(source)
        if not head.startswith(MAGIC):
            if not head:
                raise EncodingFailure("The file is empty.")
            raise EncodingFailure(
                "The file is not a Parquet file (it does not start with the Parquet magic number PAR1); "
                "upload CSV or JSON Lines under their own extension."
            )
        try:
            # Without pre-buffering: it would hold whole row groups, far past one batch, however large they are.
            parquet = pq.ParquetFile(source, buffer_size=1 << 20, pre_buffer=False)
            schema = parquet.schema_arrow
        except (pa.ArrowException, OSError, ValueError) as exc:
            self._stop_at_parse(f"The Parquet file cannot be read: {_arrow_message(exc)}.")
        names = list(schema.names)
        self._check_names(names)
        self.row_groups = parquet.num_row_groups
        self.kinds = [column_kind(field.type) for field in schema]
        self._start_columns(names)
        for state, kind in zip(self.states, self.kinds, strict=True):
            state.kind = kind
        if not self.anonymized:
            self._choose_timestamp(names, schema)
        try:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS, use_threads=False):
                self._batch(batch)
        except (pa.ArrowException, OSError) as exc:
            self._stop_at_parse(f"The Parquet file cannot be read past row {self.rows:,}: {_arrow_message(exc)}.")

    def _check_names(self, names: list[str]) -> None:
        if len(names) > self.limits.max_columns:
            raise too_many_columns(len(names), self.limits, line=1, jsonl=False)
        if not names:
            self._stop_at_parse("The Parquet file has no columns.")
        unstorable = [str(i + 1) for i, name in enumerate(names) if unstorable_text(name) is not None]
        if unstorable:
            self._stop_at_parse(f"The names of column(s) {', '.join(unstorable)} hold characters that are not text.")
        unnamed = [str(i + 1) for i, name in enumerate(names) if not name.strip()]
        if unnamed:
            self._stop_at_parse(f"Column(s) {', '.join(unnamed)} have no name; every column needs a unique name.")
        seen: dict[str, int] = {}
        duplicates: list[str] = []
        for i, name in enumerate(names):
            if name in seen:
                duplicates.append(f"{preview(name)} (columns {seen[name] + 1} and {i + 1})")
            seen.setdefault(name, i)
        if duplicates:
            self._stop_at_parse(f"Duplicate column names: {', '.join(duplicates)}.")

    def _choose_timestamp(self, names: list[str], schema: pa.Schema) -> None:
        """The timestamp column: the one named like a timestamp, else the first of a timestamp type."""
        self.trackers = {}
        chosen = named_timestamp_column(names)
        self.named_timestamp = chosen
        if chosen is None:
            chosen = next((j for j, kind in enumerate(self.kinds) if kind == types.DATETIME), None)
        if chosen is None:
            return
        if pa.types.is_timestamp(schema.field(chosen).type):
            self._ranges[chosen] = _ArrowRange(names[chosen])
        else:
            self.trackers[chosen] = TimestampTracker(names[chosen], self.max_errors)

    # --- one batch ----------------------------------------------------------------------------------

    def _batch(self, batch: pa.RecordBatch) -> None:
        n = batch.num_rows
        if not n:
            return
        first = self.rows + 1
        self.rows += n
        for j, state in enumerate(self.states):
            column = batch.column(j)
            if pa.types.is_dictionary(column.type):
                column = column.dictionary_decode()
            if column.null_count:
                state.nullable = True
            if _is_text(column.type):
                column = self._text(column, state.name, first)
                self._scan(j, state.name, column, first)
            elif pa.types.is_integer(column.type):
                self._scan_integers(j, state.name, column, first)
            elif _is_nested(column.type):
                self._scan_nested(j, state.name, column, first)
            if j in self._ranges:
                self._ranges[j].add(column)
            elif j in self.trackers:
                self.trackers[j].add(_python(column), range(first, first + n), False)
        if self.kanon is not None:  # every quasi-identifier is a column of the file (else no counter)
            self.kanon.add([batch.column(name) for name in self.quasi_identifiers], to_python=_python)
        need = self.sample_rows - len(self.sample)
        if need > 0:
            head = [_python(column.slice(0, need)) for column in batch.columns]
            self.sample.extend([list(row) for row in zip(*head, strict=True)])

    def _text(self, column: pa.Array, name: str, first: int) -> pa.Array:
        """A text column checked as the text formats check their cells: UTF-8, no NUL, within the cell limit."""
        if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
            try:
                column = column.cast(pa.large_string())
            except pa.ArrowInvalid as exc:
                raise EncodingFailure(
                    f"Column {preview(name)} holds binary values that are not UTF-8 text (in rows {first:,} to "
                    f"{first + len(column) - 1:,}); a Parquet file's text columns must be UTF-8."
                ) from exc
        else:
            try:
                column.validate(full=True)
            except pa.ArrowInvalid as exc:
                raise EncodingFailure(
                    f"Column {preview(name)} holds text that is not valid UTF-8 (in rows {first:,} to "
                    f"{first + len(column) - 1:,})."
                ) from exc
        lengths = pc.binary_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > self.limits.max_cell_bytes:
            at = pc.indices_nonzero(pc.greater(lengths, self.limits.max_cell_bytes))[0].as_py()
            raise cell_too_large(first + at, name, longest, self.limits)
        nul = pc.indices_nonzero(pc.fill_null(pc.match_substring(column, "\x00"), False))
        for at in nul.to_pylist()[: self.max_errors]:
            self.errors.add(first + at, f"line {first + at}: column {preview(name)} holds a NUL character (\\u0000)")
        self.errors.count += max(0, len(nul) - self.max_errors)
        return column

    def _scan(self, j: int, name: str, column: pa.Array, first: int) -> None:
        """Hand the scanner the cells that may hold an identifier, found with vectorised kernels."""
        if self.scanner is None:
            return
        candidates = identifier_candidates(column)
        if len(candidates):
            values = column.take(candidates).to_pylist()
            lines = pc.add(candidates, first).to_pylist()
            self.scanner.scan(j, name, values, lines, types.STRING, True)

    def _scan_integers(self, j: int, name: str, column: pa.Array, first: int) -> None:
        """A number of nine or more digits may be a phone number or a My Number, as in JSON Lines."""
        if self.scanner is None:
            return
        if column.type.bit_width < 32:
            return  # at most five digits
        big = pc.greater_equal(column, _INTEGER_CANDIDATE)
        if pa.types.is_signed_integer(column.type):
            big = pc.or_(big, pc.less_equal(column, -_INTEGER_CANDIDATE))
        candidates = pc.indices_nonzero(pc.fill_null(big, False))
        if len(candidates):
            values = [str(value) for value in column.take(candidates).to_pylist()]
            lines = pc.add(candidates, first).to_pylist()
            self.scanner.scan(j, name, values, lines, types.INTEGER, True)

    def _scan_nested(self, j: int, name: str, column: pa.Array, first: int) -> None:
        """Lists, structs and maps are scanned as their JSON text, as JSON Lines' nested values are."""
        if self.scanner is None:
            return
        texts = [json.dumps(value, ensure_ascii=False) if value is not None else "" for value in _python(column)]
        self._scan(j, name, pa.array(texts, pa.large_string()), first)

    # --- checks -------------------------------------------------------------------------------------

    def _parse_detail(self, records: int) -> str:
        if self.errors.count:
            return f"{self.errors.count:,} row(s) hold values that are not text: {self.errors.summary()}."
        if records == 0:
            return "The Parquet file has a schema but no rows."
        groups = f"{self.row_groups:,} row group{'s' if self.row_groups != 1 else ''}"
        return f"Parquet with {len(self.states)} columns and {records:,} rows in {groups}."

    def _timestamp_check(self) -> Check:
        for found in self._ranges.values():  # at most one: the chosen column, of a timestamp type
            passed, detail, self.time_range = found.result()
            return Check("timestamp", passed, detail)
        return super()._timestamp_check()


class _ArrowRange:
    """The range of a column of Arrow timestamps: every value is a date-time, so only the extremes matter."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values = 0
        self.low: pa.Scalar | None = None
        self.high: pa.Scalar | None = None

    def add(self, column: pa.Array) -> None:
        present = len(column) - column.null_count
        if not present:
            return
        self.values += present
        extremes = pc.min_max(column)
        low, high = extremes["min"], extremes["max"]
        self.low = low if self.low is None or pc.less(low, self.low).as_py() else self.low
        self.high = high if self.high is None or pc.greater(high, self.high).as_py() else self.high

    def result(self) -> tuple[bool, str, tuple[str, str] | None]:
        column = f"timestamp column {self.name!r}"
        if self.low is None or self.high is None:
            return False, f"{column} has no values.", None
        start, end = _iso(self.low), _iso(self.high)
        return True, f"{column}: {start} … {end} ({self.values:,} values)", (start, end)


def _iso(value: pa.Scalar) -> str:
    """An Arrow timestamp as ISO 8601, in its column's time zone (naive when the column has none); nanoseconds
    are cut to the microseconds Python's datetime holds."""
    unit_type = value.type
    if unit_type.unit == "ns":
        value = value.cast(pa.timestamp("us", tz=unit_type.tz), safe=False)
    moment = value.as_py()
    assert isinstance(moment, datetime)
    return moment.isoformat()


def identifier_candidates(column: pa.Array, *, at: bool = True) -> pa.Array:
    """Indexes of the cells of a text column that may hold an identifier: a superset of those
    :class:`IdentifierScanner` flags (``at``: whether an "@" is possible at all; in a column of numbers it is not).

    An e-mail address has an "@"; a phone number or a My Number has nine digits or more with nothing but
    separators (spaces, hyphens, dashes, parentheses, ASCII or full-width) between them (:data:`_CANDIDATE`). RE2
    settles that first on the column's text end to end, one pass without a per-cell cost (digits of neighbouring
    cells may meet there, which only costs the second step), and only then cell by cell."""
    pattern = _CANDIDATE if not at else "@|" + _CANDIDATE
    whole = column_text(column)
    if whole is not None and not pc.match_substring_regex(pa.array([whole], pa.large_string()), pattern)[0].as_py():
        return pa.array([], pa.uint64())
    return pc.indices_nonzero(pc.fill_null(pc.match_substring_regex(column, pattern), False))


def column_text(column: pa.Array) -> bytes | None:
    """The characters of a string column's values end to end (a copy of its data buffer's stretch), or None for
    another type."""
    if pa.types.is_string(column.type):
        width = 4
    elif pa.types.is_large_string(column.type):
        width = 8
    else:
        return None
    _, offsets, data = column.buffers()[:3]
    if data is None or not len(column) or offsets is None:
        return b""
    first, last = width * column.offset, width * (column.offset + len(column))
    start = int.from_bytes(offsets[first : first + width].to_pybytes(), "little")
    end = int.from_bytes(offsets[last : last + width].to_pybytes(), "little")
    return data[start:end].to_pybytes()


def _head(source: Any) -> bytes:
    if isinstance(source, str):
        with open(source, "rb") as f:
            return f.read(len(MAGIC))
    position = source.tell()
    head = source.read(len(MAGIC))
    source.seek(position)
    return bytes(head)


def _arrow_message(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".") or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"
