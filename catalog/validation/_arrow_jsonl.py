"""JSON Lines on Apache Arrow: a well-formed file read by Arrow's streaming JSON reader and checked with its kernels.

The first chunk (about 1 MiB) is decoded with :mod:`json` to learn the keys, in order of first appearance, and
their types: text, integers, numbers (integers and fractions mixed), booleans, or only nulls so far. That is the
explicit schema Arrow reads the whole file with, so it never infers a type of its own (it would turn a date-time
string into a timestamp and lose the text as written). The checks are those of the hand-written reader, on whole
columns: the kinds of :mod:`catalog.validation._types` (JSON has no dates: a string column is a date-time, a date
or text), the identifier scan on the cells :func:`~catalog.validation._parquet.identifier_candidates` leaves (a
number is scanned as the text Python writes it, as JSON Lines' numbers always were), timestamps ranged as for CSV.

Arrow is stricter than the file format in some ways and more lenient in others, so whatever it would read
differently hands the file over (:class:`Irregular`) to the hand-written reader, which locates every problem by
line: a line that is not one JSON object (Arrow reads two objects on one line as two rows: the rows must equal the
lines), a blank line, a key or a type the first chunk did not show (a later fraction in a column of integers), a
nested value, a boolean among numbers, an integer beyond 64 bits, an escape of a surrogate or of U+0000, text that
is not UTF-8, NUL, a line or a cell past the limits. The report is the same either way; only the time differs.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, BinaryIO, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from catalog.validation import _types as types
from catalog.validation._arrow_csv import BLOCK_BYTES, GuardBase, Irregular, _datetimes, _Lines, _track
from catalog.validation._jsonl import _may_hold_unstorable
from catalog.validation._parquet import identifier_candidates
from catalog.validation._timestamps import TIMESTAMP_NAMES
from catalog.validation.report import Check
from catalog.validation.validator import _Validation

_BOM: Final = codecs.BOM_UTF8
_BLANK_LINE: Final = re.compile(rb"(?:^|\n)[ \t\r]*\n")
_SPACE: Final = (b"\n", b" ", b"\t", b"\r")
_SPACE_AFTER_BREAK: Final = tuple(b"\n" + space for space in _SPACE)
_INT64: Final = (-(1 << 63), (1 << 63) - 1)
_MIN_DIGITS: Final = 9
_BIG: Final = 10 ** (_MIN_DIGITS - 1)


class _Guard(GuardBase):
    """The stream as Arrow reads it: NUL, text that is not UTF-8, a blank line, an escape that decodes to text no
    database stores, or a line past the limit raise :class:`Irregular`; the lines are counted."""

    def __init__(self, stream: BinaryIO, limits: Any) -> None:
        self._stream = stream
        self._limits = limits
        self._out = b""
        self._pending = b""  # an incomplete UTF-8 character at the end of the last chunk
        self._tail = b""  # the last line so far, when it is only white space (a blank line may continue)
        self._line_bytes = 0
        self._last = b""
        self.lines = 0
        self.bom = False

    def start(self) -> bytes:
        """The first chunk, whole lines of it, for the schema."""
        data = bytes(self._stream.read(BLOCK_BYTES))
        while data and len(data) < BLOCK_BYTES and (more := self._stream.read(BLOCK_BYTES - len(data))):
            data += bytes(more)  # a stream of short reads: the schema wants many lines
        if self._last == b"" and data.startswith(_BOM):
            self.bom = True
            data = data[len(_BOM) :]
        if not data:
            raise Irregular
        self._out = self._take(data)
        return self._out[: self._out.rfind(b"\n") + 1] or self._out

    def _take(self, data: bytes) -> bytes:
        if b"\x00" in data:
            raise Irregular
        if self._pending or not data.isascii():
            try:
                _, consumed = codecs.utf_8_decode(self._pending + data, "strict", False)
            except UnicodeDecodeError as exc:
                raise Irregular from exc
            self._pending = (self._pending + data)[consumed:]
        limit = self._limits.max_line_bytes
        run, pos, n = self._line_bytes, 0, len(data)
        while run + n - pos > limit:  # the line limit, a few rfind per chunk (as BlockReader measures it)
            brk = data.rfind(b"\n", pos, pos + limit - run + 1)
            if brk < 0:
                raise Irregular
            pos, run = brk + 1, 0
        last = data.rfind(b"\n", pos, n)
        self._line_bytes = n - last - 1 if last >= 0 else run + n - pos
        at_line_start = self._last in (b"", b"\n") or bool(self._tail)
        text = (b"" if at_line_start else b"x") + self._tail + data
        # A blank line has a line break followed by white space and another line break: most chunks have no such pair.
        if (text[:1] in _SPACE or any(pair in text for pair in _SPACE_AFTER_BREAK)) and _BLANK_LINE.search(text):
            raise Irregular
        cut = text.rfind(b"\n") + 1
        rest = text[cut:] if cut else (b"" if not at_line_start else text)
        self._tail = rest if rest and not rest.strip(b" \t\r") else b""
        if b"\\u" in data and _may_hold_unstorable(data.decode("utf-8", "replace")):
            raise Irregular
        self.lines += data.count(b"\n")
        self._last = data[-1:]
        return data

    def read(self, size: int = -1) -> bytes:
        while not self._out:
            data = self._stream.read(BLOCK_BYTES if size < 0 else max(size, 1))
            if not data:
                if self._pending:
                    raise Irregular  # the file ends inside a character
                return b""
            self._out = self._take(bytes(data))
        return self._hand_out(size)

    def total_lines(self) -> int:
        return self.lines + (self._last not in (b"", b"\n"))


def _schema(head: bytes) -> pa.Schema:
    """The keys of the first chunk's objects and their Arrow types (see the module's docstring)."""
    found: dict[str, set[type]] = {}
    for line in head.decode("utf-8").split("\n"):
        if not line.strip(" \t\r"):
            continue
        try:
            value = json.loads(line, parse_constant=_refuse)
        except (ValueError, RecursionError) as exc:
            raise Irregular from exc
        if type(value) is not dict:
            raise Irregular
        for key, item in value.items():
            found.setdefault(key, set()).add(type(item))
            if type(item) is int and not _INT64[0] <= item <= _INT64[1]:
                raise Irregular
    fields = []
    for key, seen in found.items():
        seen.discard(type(None))
        if not seen:
            arrow_type = pa.null()
        elif seen == {str}:
            arrow_type = pa.string()
        elif seen == {int}:
            arrow_type = pa.int64()
        elif seen <= {int, float}:
            arrow_type = pa.float64()
        elif seen == {bool}:
            arrow_type = pa.bool_()
        else:
            raise Irregular  # nested values, or types mixed that Arrow would not keep apart
        fields.append(pa.field(key, arrow_type))
    return pa.schema(fields)


def _refuse(name: str) -> Any:
    raise ValueError(name)


class ArrowJsonlValidation(_Validation):
    """The checks of :class:`_Validation` on a well-formed JSON Lines file read by Arrow."""

    def _open(self, stream: BinaryIO) -> None:
        self.guard = _Guard(stream, self.limits)
        self.rows = 0

    def run(self) -> Any:
        try:
            self._read()
            if not self.rows or self.rows != self.guard.total_lines():
                raise Irregular  # two objects on a line, or nothing to read
            return self._finish()
        except Irregular:
            raise
        except Exception as exc:
            # Arrow's refusal, a limit, a key the hand-written reader refuses: it says what and where.
            raise Irregular from exc

    def _records(self) -> int:
        return self.rows

    def _encoding_check(self) -> Check:
        if self.guard.bom:
            return Check("encoding", True, "UTF-8 (with a byte-order mark, which is ignored).")
        return Check("encoding", True, "UTF-8.")

    def _parse_detail(self, records: int) -> str:
        return f"JSON Lines with {records:,} objects and {len(self.states)} distinct keys."

    def _read(self) -> None:
        schema = _schema(self.guard.start())
        names = list(schema.names)
        if not names or len(names) > self.limits.max_columns:
            raise Irregular
        self._start_columns([])
        for name in names:
            self._check_name(name, 1)
            self._add_json_column(name)
        reader = pajson.open_json(
            self.guard,
            read_options=pajson.ReadOptions(use_threads=False, block_size=BLOCK_BYTES),
            parse_options=pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
        )
        try:
            for batch in reader:
                self._batch(batch)
        finally:
            reader.close()

    def _batch(self, batch: pa.RecordBatch) -> None:
        n = batch.num_rows
        if not n:
            return
        if list(batch.schema.names) != [state.name for state in self.states]:
            raise Irregular
        for column in batch.columns:
            if (
                pa.types.is_string(column.type)
                and (pc.max(pc.binary_length(column)).as_py() or 0) > self.limits.max_cell_bytes
            ):
                raise Irregular  # for the hand-written reader to locate and refuse
        lines = _Lines(self.rows + 1, n, None, True)  # no blank line, one object per line
        self.rows += n
        for j, state in enumerate(self.states):
            column = batch.column(j)
            empty = pc.is_null(column) if column.null_count else None
            if empty is not None:
                state.nullable = True
            present = column.filter(pc.invert(empty)) if empty is not None else column
            datetimes = False
            if len(present):
                datetimes = self._kind(state, present)
            if self.scanner is not None and state.kind not in (types.BOOLEAN, types.DATE, types.DATETIME):
                self._scan(j, state, column, lines)
            tracker = self.trackers.get(j)
            if tracker is not None:
                if state.kind in (types.UNKNOWN, types.DATETIME) or state.name.lower() in TIMESTAMP_NAMES:
                    if not pa.types.is_string(column.type):
                        # Numbers (epoch seconds) are refused, and their text as written (``0``, not the ``0.0`` of a
                        # float column) is only the hand-written reader's to quote.
                        raise Irregular
                    _track(tracker, column, present, empty, lines, datetimes, None)
                else:
                    del self.trackers[j]
        if self.kanon is not None:
            index = {state.name: j for j, state in enumerate(self.states)}
            self.kanon.add(
                [
                    batch.column(index[name]).to_pylist() if name in index else [None] * n
                    for name in self.quasi_identifiers
                ]
            )
        need = self.sample_rows - len(self.sample)
        if need > 0:
            head = [column.slice(0, need).to_pylist() for column in batch.columns]
            self.sample.extend([list(row) for row in zip(*head, strict=True)])

    def _kind(self, state: types.ColumnState, present: pa.Array) -> bool:
        """``ColumnState.infer_json`` on a batch's present values; True when the column is of date-times."""
        arrow_type = present.type
        if state.kind == types.STRING:
            return False
        if pa.types.is_string(arrow_type):
            if state.kind not in (types.UNKNOWN, types.DATETIME, types.DATE):
                kind = types.STRING
            else:
                kind = types.STRING
                if state.kind != types.DATE and _datetimes(present)[0]:
                    kind = types.DATETIME
                elif state.kind != types.DATETIME and state._valid_dates(pc.unique(present).to_pylist()):
                    kind = types.DATE
        elif pa.types.is_integer(arrow_type):
            kind = types.INTEGER
        elif pa.types.is_floating(arrow_type):
            kind = types.NUMBER
        elif pa.types.is_boolean(arrow_type):
            kind = types.BOOLEAN
        else:
            raise Irregular
        state.kind = types.merge(state.kind, kind)
        return state.kind == types.DATETIME

    def _scan(self, j: int, state: types.ColumnState, column: pa.Array, lines: _Lines) -> None:
        """The identifier scan of one column's batch: text on its candidates, numbers as Python writes them."""
        assert self.scanner is not None
        arrow_type = column.type
        if pa.types.is_string(arrow_type):
            candidates = identifier_candidates(column)
            values = column.take(candidates).to_pylist()
        elif pa.types.is_integer(arrow_type):
            big = pc.fill_null(pc.or_(pc.greater_equal(column, _BIG), pc.less_equal(column, -_BIG)), False)
            candidates = pc.indices_nonzero(big)
            values = [str(value) for value in column.take(candidates).to_pylist()]
        elif pa.types.is_floating(arrow_type):
            candidates, values = _float_candidates(column)
        else:
            return
        if len(candidates):
            self.scanner.scan(j, state.name, values, lines.at(candidates), state.kind, True)


def _float_candidates(column: pa.Array) -> tuple[pa.Array, list[str]]:
    """The cells of a column of numbers whose text as Python writes it (``str(float)``) may hold an identifier, and
    that text. Arrow writes the same shortest digits, but in exponent form from 1e15 on (Python from 1e16) and
    without Python's ".0": so a cell is taken when Arrow's text has nine digits, when it is 1e8 or more (nine digits
    before the point in Python's), or when it is below 1e-4 (Python's exponent form); then Python's text is made for
    those cells only and narrowed as text is."""
    magnitude = pc.abs(column)
    loose = pc.match_substring_regex(column.cast(pa.string()), "[0-9](?:[^0-9]*[0-9]){8}")
    tiny = pc.and_(pc.less(magnitude, 1e-4), pc.not_equal(magnitude, 0))
    maybe = pc.indices_nonzero(pc.fill_null(pc.or_(loose, pc.or_(pc.greater_equal(magnitude, 1e8), tiny)), False))
    if not len(maybe):
        return maybe, []
    texts = pa.array([str(value) for value in column.take(maybe).to_pylist()], pa.string())
    found = identifier_candidates(texts, at=False)
    return maybe.take(found), texts.take(found).to_pylist()
