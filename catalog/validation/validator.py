"""``validate_stream``: one streaming pass over a dataset file, then the report.

All checks are computed in the same pass: the file is decoded, split into records, typed, scanned for
identifiers, counted for k-anonymity and its timestamps ranged block by block (a block is about one
megabyte of text), so memory stays constant apart from the k-anonymity counter and per-column state.

Every file is screened for direct identifiers, whatever its data class: IoT data is listed as non-personal,
and a file that says otherwise (an e-mail column, a column of My Numbers) must not be published or sampled.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, BinaryIO, Final, Literal, NoReturn, cast

from catalog.validation import _types as types
from catalog.validation._csv import Block as CsvBlock
from catalog.validation._csv import CsvParser, HeaderError
from catalog.validation._errors import ErrorLog, preview
from catalog.validation._identifiers import IdentifierScanner
from catalog.validation._jsonl import Block as JsonBlock
from catalog.validation._jsonl import JsonlParser
from catalog.validation._kanon import KAnonymity
from catalog.validation._limits import LimitExceeded, Limits, cell_too_large
from catalog.validation._reader import BlockReader, EncodingFailure
from catalog.validation._timestamps import TIMESTAMP_NAMES, TimestampTracker, named_timestamp_column
from catalog.validation.report import Check, ColumnSchema, Sample, SampleValue, ValidationReport

Format = Literal["csv", "jsonl", "parquet"]
DataClass = Literal["anonymized", "iot"]

_MAX_IDENTIFIER_EXAMPLES: Final = 5
# Columns named in a check's detail (the schema, the columns of a file without a declared quasi-identifier);
# the rest are counted. The schema itself keeps every column.
_NAMED_COLUMNS: Final = 50
# Characters of text kept of one sample cell: the sample is shown to anyone, the file's limits allow a cell
# of 64 KiB and a record of many lines.
SAMPLE_CELL_CHARS: Final = 1000
_SCALARS: Final = frozenset({int, float, bool})


class _Stop(Exception):
    """Parsing cannot continue: the checks so far are the report."""


def validate_stream(
    stream: BinaryIO,
    *,
    fmt: Format,
    data_class: DataClass,
    quasi_identifiers: Sequence[str] = (),
    k: int = 5,
    sample_rows: int = 20,
    max_reported_errors: int = 20,
    limits: Limits | None = None,
    spill_dir: str | None = None,
) -> ValidationReport:
    """Validate a CSV, JSON Lines or Parquet file read from ``stream`` (binary, positioned at its start).

    A CSV or JSON Lines stream that can seek is read by Arrow's path first (``_arrow_csv``, ``_arrow_jsonl``), which
    hands a file that is not well formed back to the hand-written reader from the same position; Parquet is read by
    ``_parquet`` (a stream that cannot seek is copied to a temporary file in ``spill_dir`` first). The report is the
    same whichever reads.

    The stream is read once, to its end, in chunks and never closed. Checks, in order: ``encoding``,
    ``parse``, ``schema``, ``row_count``, ``direct_identifiers``, then ``k_anonymity`` for anonymized
    data or ``timestamp`` for IoT data. A file that is not UTF-8 text reports only
    ``encoding``; one whose header or records cannot be read at all stops after ``parse``; one without
    data rows stops after ``row_count``. A file past one of the ``limits`` (columns, bytes per line or per
    cell; the market's defaults when None) is not read further and reports ``encoding`` and ``limits``.
    The quasi-identifiers' values go to a temporary file in ``spill_dir`` (the system's when None), where DuckDB
    also spills past its memory limit while it counts the k-anonymity groups (``_kanon``).
    """
    if fmt not in ("csv", "jsonl", "parquet"):
        raise ValueError(f"fmt must be 'csv', 'jsonl' or 'parquet', not {fmt!r}")
    if data_class not in ("anonymized", "iot"):
        raise ValueError(f"data_class must be 'anonymized' or 'iot', not {data_class!r}")
    if isinstance(quasi_identifiers, str):
        raise TypeError("quasi_identifiers must be a sequence of column names, not one string")
    if k < 1 or sample_rows < 0 or max_reported_errors < 1:
        raise ValueError("k and max_reported_errors must be at least 1, sample_rows at least 0")
    options: dict[str, Any] = {
        "fmt": fmt,
        "data_class": data_class,
        "quasi_identifiers": list(dict.fromkeys(quasi_identifiers)),
        "k": k,
        "sample_rows": sample_rows,
        "max_errors": max_reported_errors,
        "limits": limits or Limits(),
        "spill_dir": spill_dir,
    }
    # These modules build on this one's class, hence imported here.
    if fmt == "parquet":
        from catalog.validation._parquet import ParquetValidation

        return ParquetValidation(stream, **options).run()
    if getattr(stream, "seekable", lambda: False)():
        from catalog.validation._arrow_csv import ArrowCsvValidation, Irregular
        from catalog.validation._arrow_jsonl import ArrowJsonlValidation

        start = stream.tell()
        arrow = ArrowCsvValidation if fmt == "csv" else ArrowJsonlValidation
        try:
            return arrow(stream, **options).run()
        except Irregular:
            stream.seek(start)  # the hand-written reader locates what Arrow's path does not handle
    return _Validation(stream, **options).run()


class _Validation:
    def __init__(
        self,
        stream: BinaryIO,
        *,
        fmt: Format,
        data_class: DataClass,
        quasi_identifiers: list[str],
        k: int,
        sample_rows: int,
        max_errors: int,
        limits: Limits,
        spill_dir: str | None,
    ) -> None:
        self.spill_dir = spill_dir
        self.fmt = fmt
        self.limits = limits
        self.anonymized = data_class == "anonymized"
        self.quasi_identifiers = quasi_identifiers
        self.k = k
        self.sample_rows = sample_rows
        self.max_errors = max_errors
        self.checks: list[Check] = []
        self.errors = ErrorLog(max_errors)
        self.states: list[types.ColumnState] = []
        self.sample: list[list[Any]] = []
        self.scanner: IdentifierScanner | None = None
        self.kanon: KAnonymity | None = None
        self.trackers: dict[int, TimestampTracker] = {}
        self.named_timestamp: int | None = None
        self.time_range: tuple[str, str] | None = None
        self._open(stream)

    def _open(self, stream: BinaryIO) -> None:
        self.reader = BlockReader(stream, universal=self.fmt == "csv", limits=self.limits)
        self.parser: CsvParser | JsonlParser = (
            CsvParser(self.reader, self.errors) if self.fmt == "csv" else JsonlParser(self.reader, self.errors)
        )

    # --- driver -------------------------------------------------------------------------------------

    def run(self) -> ValidationReport:
        try:
            self._read()
        except EncodingFailure as exc:
            self.checks = [Check("encoding", False, exc.detail)]
            return self._report(0)
        except LimitExceeded as exc:
            self.states, self.sample = [], []
            self.checks = [Check("encoding", True, self._encoding_so_far(exc.line)), Check("limits", False, exc.detail)]
            return self._report(0)
        except _Stop:
            self.states, self.sample = [], []
            return self._report(0)
        return self._finish()

    def _read(self) -> None:
        first = self.reader.next_block()
        if first is None:
            detail = "The file is empty."
            if self.reader.bom:
                detail = "The file is empty (it contains only a UTF-8 byte-order mark)."
            raise EncodingFailure(detail)
        parser = self.parser
        if isinstance(parser, CsvParser):
            try:
                names = parser.read_header(first)
            except HeaderError as exc:
                self._stop_at_parse(str(exc))
            self._start_columns(names)
            for csv_block in parser.blocks():
                self._csv_block(csv_block)
        else:
            self._start_columns([])
            for json_block in parser.blocks(first):
                self._json_block(json_block, parser)

    def _stop_at_parse(self, detail: str) -> NoReturn:
        # Decoding the rest keeps the encoding verdict honest even though nothing else can be checked.
        while self.reader.next_block() is not None:
            pass
        self.checks = [self._encoding_check(), Check("parse", False, detail)]
        raise _Stop

    def _start_columns(self, names: list[str]) -> None:
        for name in names:
            self._check_name(name, 1)
        self.states = [types.ColumnState(name) for name in names]
        self.scanner = IdentifierScanner(names, min(_MAX_IDENTIFIER_EXAMPLES, self.max_errors))
        if self.anonymized:
            if self.quasi_identifiers and (self.fmt == "jsonl" or set(self.quasi_identifiers) <= set(names)):
                self.kanon = KAnonymity(self.quasi_identifiers, self.spill_dir, text_only=self.fmt == "csv")
        else:
            self.named_timestamp = named_timestamp_column(names)
            if self.named_timestamp is not None:
                self.trackers[self.named_timestamp] = TimestampTracker(names[self.named_timestamp], self.max_errors)
            elif self.fmt == "csv":
                # No column is named like a timestamp: the first datetime-typed column will be, so track
                # every column until its type rules it out.
                self.trackers = {j: TimestampTracker(name, self.max_errors) for j, name in enumerate(names)}

    # --- blocks -------------------------------------------------------------------------------------

    def _check_name(self, name: str, line: int) -> None:
        if len(name) > self.limits.cell_chars:
            size = len(name.encode("utf-8", "surrogatepass"))
            if size > self.limits.max_cell_bytes:
                raise cell_too_large(line, name, size, self.limits)

    def _check_cells(self, columns: Sequence[Sequence[Any]], row_lines: Sequence[int], spans_lines: bool) -> None:
        """Refuse a cell past the limit. Only a block with a line longer than ``Limits.cell_chars`` (or a
        record over several lines) can hold one, so most blocks cost a flag test."""
        if not (self.reader.long_line or spans_lines):
            return
        self.reader.long_line = False
        chars, limit = self.limits.cell_chars, self.limits.max_cell_bytes
        csv = self.fmt == "csv"
        for state, values in zip(self.states, columns, strict=False):
            if csv and max(map(len, values), default=0) <= chars:
                continue  # CSV cells are text: one pass in C settles most columns
            for i, value in enumerate(values):
                if isinstance(value, list | dict):
                    value = json.dumps(value, ensure_ascii=False)
                if isinstance(value, str) and len(value) > chars:
                    size = len(value.encode("utf-8", "surrogatepass"))
                    if size > limit:
                        raise cell_too_large(row_lines[i], state.name, size, self.limits)

    def _csv_block(self, block: CsvBlock) -> None:
        columns, row_lines, ordered = block
        assert isinstance(self.parser, CsvParser)
        self._check_cells(columns, row_lines, self.parser.spans_lines)
        scanner, trackers = self.scanner, self.trackers
        for j, state in enumerate(self.states):
            values = columns[j]
            datetimes = state.infer_text(values)
            if scanner is not None:
                scanner.scan(j, state.name, values, row_lines, state.kind, ordered)
            if trackers:
                self._track(j, state, values, row_lines, datetimes)
        if self.kanon is not None:
            index = {state.name: j for j, state in enumerate(self.states)}
            self.kanon.add([columns[index[name]] for name in self.quasi_identifiers])
        self._take_sample(columns)

    def _json_block(self, block: JsonBlock, parser: JsonlParser) -> None:
        columns, row_lines = block
        names = parser.columns
        for name in names[len(self.states) :]:
            self._check_name(name, row_lines[0])
            self._add_json_column(name)
        self._check_cells(columns, row_lines, False)
        for j in parser.late_columns:
            self.states[j].nullable = True
        scanner = self.scanner
        for j, state in enumerate(self.states):
            values = columns[j]
            present_types, datetimes = state.infer_json(values)
            if scanner is not None and state.kind not in (types.BOOLEAN, types.DATE, types.DATETIME):
                scanner.scan(j, state.name, _texts(values, present_types), row_lines, state.kind, True)
            if self.trackers:
                self._track(j, state, values, row_lines, datetimes)
        if self.kanon is not None:
            index = {name: j for j, name in enumerate(names)}
            qi_columns = [
                columns[index[name]] if name in index else [None] * len(row_lines) for name in self.quasi_identifiers
            ]
            self.kanon.add(qi_columns)
        self._take_sample(columns)

    def _add_json_column(self, name: str) -> None:
        j = len(self.states)
        self.states.append(types.ColumnState(name))
        if self.scanner is not None:
            self.scanner.add_column(name)
        if not self.anonymized and (name.lower() in TIMESTAMP_NAMES or self.named_timestamp is None):
            # Track every named column and, while none is named, every column that may turn out to be
            # the first datetime column; the choice is made at the end.
            self.trackers[j] = TimestampTracker(name, self.max_errors)

    def _track(
        self,
        j: int,
        state: types.ColumnState,
        values: Sequence[Any],
        row_lines: Sequence[int],
        datetimes: bool,
    ) -> None:
        tracker = self.trackers.get(j)
        if tracker is None:
            return
        if state.kind in (types.UNKNOWN, types.DATETIME) or state.name.lower() in TIMESTAMP_NAMES:
            tracker.add(values, row_lines, datetimes)
        else:
            del self.trackers[j]  # not a datetime column, so never the fallback timestamp column

    def _take_sample(self, columns: Sequence[Sequence[Any]]) -> None:
        need = self.sample_rows - len(self.sample)
        if need > 0 and columns:
            for i in range(min(need, len(columns[0]))):
                self.sample.append([column[i] for column in columns])

    # --- checks -------------------------------------------------------------------------------------

    def _encoding_so_far(self, line: int) -> str:
        return f"UTF-8 as far as it was read (up to line {line:,})."

    def _records(self) -> int:
        return self.parser.records

    def _encoding_check(self) -> Check:
        detail = "UTF-8."
        if self.reader.encoding == "cp932":
            detail = "Shift_JIS (cp932)."
        elif self.reader.bom:
            detail = "UTF-8 (with a byte-order mark, which is ignored)."
        return Check("encoding", True, detail)

    def _finish(self) -> ValidationReport:
        records = self._records()
        checks = [self._encoding_check()]
        if not self.states:  # JSON Lines without a single key
            if self.errors.count:
                detail = f"No line is a JSON object: {self.errors.summary()}."
            elif records:
                detail = "The JSON objects have no keys, so there are no columns."
            else:
                detail = "The file contains no JSON objects, only blank lines."
            self.checks = [*checks, Check("parse", False, detail)]
            return self._report(records)
        parse_ok = self.errors.count == 0 and records > 0
        checks.append(Check("parse", parse_ok, self._parse_detail(records)))
        schema = ", ".join(
            f"{_short(state.name)}: {state.type_name}{' (nullable)' if state.nullable else ''}"
            for state in self.states[:_NAMED_COLUMNS]
        )
        if len(self.states) > _NAMED_COLUMNS:
            schema += f" and {len(self.states) - _NAMED_COLUMNS:,} more columns"
        if parse_ok:
            checks.append(Check("schema", True, schema))
        elif records == 0:
            checks.append(Check("schema", False, "There are no data rows to infer column types from."))
        else:
            checks.append(
                Check(
                    "schema", False, f"Inferred from the well-formed rows only (fix the parse errors first): {schema}"
                )
            )
        checks.append(Check("row_count", records > 0, f"{records:,} rows." if records else "No data rows."))
        if records > 0:
            checks.append(self._identifier_check())
            checks.append(self._kanon_check() if self.anonymized else self._timestamp_check())
        self.checks = checks
        return self._report(records)

    def _parse_detail(self, records: int) -> str:
        ncols = len(self.states)
        if isinstance(self.parser, CsvParser):
            if self.errors.count:
                detail = (
                    f"{self.errors.count:,} malformed record(s) (expected {ncols} fields each): "
                    f"{self.errors.summary()}."
                )
                if self.parser.wider_rows:
                    detail += " Fields that contain commas must be enclosed in double quotes."
                return detail
            if records == 0:
                return "The file has a header but no data rows."
            return f"CSV with {ncols} columns and {records:,} data rows."
        if self.errors.count:
            return f"{self.errors.count:,} line(s) are not valid JSON objects: {self.errors.summary()}."
        return f"JSON Lines with {records:,} objects and {ncols} distinct keys."

    def _identifier_check(self) -> Check:
        scanner = self.scanner
        assert scanner is not None
        scanner.finish()
        if not scanner.cells:
            return Check(
                "direct_identifiers",
                True,
                "No e-mail addresses, phone numbers or 12-digit individual numbers (My Number) found.",
            )
        columns = ", ".join(f"{name!r} ({n:,})" for name, n in scanner.per_column.items())
        return Check(
            "direct_identifiers",
            False,
            f"{scanner.cells:,} value(s) look like direct identifiers, in column(s) {columns}. "
            f"First: {'; '.join(scanner.examples.messages)}. Delete these columns, or delete or generalise the "
            "values, before listing: anonymously processed information may hold no identifier, and pseudonymously "
            "processed information may not be provided to third parties (APPI), so replacing them with pseudonyms is "
            "not enough.",
        )

    def _kanon_check(self) -> Check:
        if not self.quasi_identifiers:
            return Check(
                "k_anonymity",
                False,
                "No quasi-identifiers were declared; declare at least one column (e.g. age band, "
                "prefecture, gender) that could identify a person in combination with others.",
            )
        names = [state.name for state in self.states]
        missing = [name for name in self.quasi_identifiers if name not in names]
        if missing:
            return Check(
                "k_anonymity",
                False,
                f"Declared quasi-identifier column(s) not found in the file: {', '.join(map(repr, missing))}. "
                f"The columns are: {_named(names)}.",
            )
        assert self.kanon is not None
        passed, detail = self.kanon.detail(self.k)
        return Check("k_anonymity", passed, detail)

    def _timestamp_check(self) -> Check:
        chosen: int | None = None
        if self.fmt == "jsonl":
            names = [state.name for state in self.states]
            chosen = named_timestamp_column(names)
        else:
            chosen = self.named_timestamp
        if chosen is None:
            chosen = next((j for j, state in enumerate(self.states) if state.kind == types.DATETIME), None)
        tracker = self.trackers.get(chosen) if chosen is not None else None
        if tracker is None:
            return Check(
                "timestamp",
                False,
                "No timestamp column: name one column "
                f"{', '.join(TIMESTAMP_NAMES)} or give an ISO 8601 date-time column "
                "(e.g. 2024-01-31T23:50:00+09:00).",
            )
        passed, detail, time_range = tracker.result()
        self.time_range = time_range
        return Check("timestamp", passed, detail)

    # --- report -------------------------------------------------------------------------------------

    def _report(self, row_count: int) -> ValidationReport:
        passed = all(check.passed for check in self.checks)
        schema: list[ColumnSchema] = []
        sample: Sample = {"columns": [], "rows": []}
        if len(self.checks) > 1:
            schema = [
                {"name": state.name, "type": state.type_name, "nullable": state.nullable} for state in self.states
            ]
            sample = {
                "columns": [state.name for state in self.states],
                "rows": [self._sample_row(row) for row in self.sample],
            }
        return ValidationReport(
            passed=passed,
            row_count=row_count,
            schema=schema,
            checks=self.checks,
            sample=sample,
            time_range=self.time_range,
        )

    def _sample_row(self, row: list[Any]) -> list[SampleValue]:
        convert = _csv_sample_value if self.fmt == "csv" else _json_sample_value
        cells = [convert(state.kind, value) for state, value in zip(self.states, row, strict=False)]
        cells.extend([None] * (len(self.states) - len(cells)))  # JSON keys that appeared later
        return cells


def _named(names: list[str]) -> str:
    text = ", ".join(preview(name, 80) for name in names[:_NAMED_COLUMNS])
    if len(names) > _NAMED_COLUMNS:
        text += f" and {len(names) - _NAMED_COLUMNS:,} more"
    return text


def _short(name: str) -> str:
    return name if len(name) <= 80 else name[:79] + "…"


def _cut(value: str) -> str:
    return value if len(value) <= SAMPLE_CELL_CHARS else value[: SAMPLE_CELL_CHARS - 1] + "…"


def _json_sample_value(kind: int, value: Any) -> SampleValue:
    # Nested values are typed "string" in the schema, so they are shown as their JSON text.
    if isinstance(value, list | dict):
        return _cut(json.dumps(value, ensure_ascii=False))
    if isinstance(value, str):
        return _cut(value)
    return cast(SampleValue, value)


def _csv_sample_value(kind: int, value: str) -> SampleValue:
    if value == "":
        return None
    try:
        if kind == types.INTEGER:
            return int(value)
        if kind == types.NUMBER:
            number = float(value)
            if not math.isfinite(number):
                return _cut(value)
            return int(value) if value.lstrip("+-").isdigit() else number
    except ValueError:  # beyond int()'s digit limit
        return _cut(value)
    if kind == types.BOOLEAN:
        return value.lower() == "true"
    return _cut(value)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _texts(values: list[Any], present: set[type]) -> list[str]:
    """JSON values as text for the identifier scan (a 12-digit number is as identifying as a string)."""
    if present == {str} and None not in values:
        return values
    if present <= _SCALARS:
        return list(map(str, values))
    return list(map(_as_text, values))
