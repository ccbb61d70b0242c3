"""CSV on Apache Arrow: the common file read by Arrow's streaming CSV reader and checked with its compute kernels.

Most files the market receives are plain: UTF-8 (or Shift_JIS, converted to UTF-8 on the way), no double
quote, ``\n`` line breaks, no blank line, every record as wide as the header. For those, Arrow's streaming reader
turns the stream into batches of text columns (about 1 MiB of the file each) and the checks run on whole columns
in C++:

* types: the grammar of :mod:`catalog.validation._types`, settled per batch with kernels (digits only, one point,
  a leading zero), the anchored reference patterns (RE2) for the values those do not settle, and the distinct
  values only for booleans and dates; a batch the kernels cannot settle (a date-time form outside the common ISO
  shapes) goes through the hand-written functions, which are the definition;
* timestamps: a batch of date-times is cast to Arrow timestamps (which refuses what ``datetime.fromisoformat``
  refuses among the shapes it is given) and only its earliest and latest value are parsed in Python;
* identifiers: each text column is narrowed to the cells with an ``@`` or nine digits, and the scanner of
  :mod:`catalog.validation._identifiers` judges those cells only, so its verdicts are exactly the text reader's;
* k-anonymity and the sample take the values as Python strings, as the hand-written reader gives them.

A file that is not plain (a quote, a carriage return, a blank line, NUL, a ragged or over-long line, a header the
hand-written reader would refuse, text that is not UTF-8, no data rows) raises :class:`Irregular` as soon as it is
seen; ``validate_stream`` then seeks back to the start and validates the file with the hand-written reader, which
locates every problem by line. The report is the same either way; only the time differs.
"""

from __future__ import annotations

import codecs
import io
from datetime import datetime
from typing import Any, BinaryIO, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from catalog.validation import _types as types
from catalog.validation._parquet import identifier_candidates
from catalog.validation._reader import _NON_ASCII, _detect
from catalog.validation._timestamps import TIMESTAMP_NAMES, TimestampTracker
from catalog.validation.report import Check
from catalog.validation.validator import _Validation

BLOCK_BYTES: Final = 1 << 20
_BOM: Final = codecs.BOM_UTF8
_INTEGER: Final = "^" + types.ONE_INTEGER.pattern + "$"
_NUMBER: Final = "^" + types.ONE_NUMBER.pattern + "$"
_MIN_DATETIME: Final = len("YYYY-MM-DDTHH:MM")
_MIN_DIGITS: Final = 9
_NAIVE: Final = pa.timestamp("us")
_AWARE: Final = pa.timestamp("us", tz="UTC")


class Irregular(Exception):
    """The file needs the hand-written reader (see the module's docstring)."""


class _Guard(io.RawIOBase):
    """The stream as Arrow reads it, refusing (with :class:`Irregular`) what only the hand-written reader handles.
    Each chunk costs a few ``memchr``. A Shift_JIS file (decided as the hand-written reader decides it, at its first
    line that is not ASCII) is handed to Arrow as UTF-8, a whole number of lines at a time; none of the bytes
    looked for here can be the second byte of a cp932 character. :meth:`start` reads the first chunk, for the
    header's names."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._last = b"\n"  # a file starting with a line break starts with a blank line
        self._out = b""  # UTF-8 not yet handed to Arrow
        self._carry = b""  # cp932 after the last line break, not yet converted
        self.bom = False
        self.encoding: str | None = None  # as BlockReader.encoding

    def readable(self) -> bool:
        return True

    def start(self) -> list[str]:
        """The header's names (the first line, split on commas)."""
        data = self._stream.read(BLOCK_BYTES)
        while data and data.find(b"\n") < 0 and len(data) < BLOCK_BYTES:
            more = self._stream.read(BLOCK_BYTES)
            if not more:
                break
            data += more
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise Irregular
        self.bom = data.startswith(_BOM)
        if self.bom:
            self.encoding = "utf-8"
        self._out = self._convert(data)
        end = self._out.find(b"\n")
        if end < 0:
            raise Irregular  # a header of a megabyte, or a file of one line
        return self._out[len(_BOM) if self.bom else 0 : end].decode("utf-8").split(",")

    def _convert(self, data: bytes) -> bytes:
        if b'"' in data or b"\r" in data or b"\x00" in data or b"\n\n" in data:
            raise Irregular
        if self._last == b"\n" and data[:1] == b"\n":
            raise Irregular
        self._last = data[-1:]
        if self.encoding is None and not data.isascii():
            found = _NON_ASCII.search(data)
            assert found is not None
            end = data.find(b"\n", found.start())
            if end < 0:
                raise Irregular  # the line that decides runs past this chunk
            self.encoding = _detect(data[data.rfind(b"\n", 0, found.start()) + 1 : end + 1], True)
        if self.encoding != "cp932":
            return data
        data = self._carry + data
        cut = data.rfind(b"\n") + 1
        self._carry = data[cut:]
        return data[:cut].decode("cp932").encode("utf-8")

    def read(self, size: int = -1) -> bytes:
        # Arrow calls read(), so the chunk is handed over without the copy readinto() would make.
        while not self._out:
            data = self._stream.read(BLOCK_BYTES if size < 0 else max(size, 1))
            if not data:
                rest, self._carry = self._carry, b""
                return rest.decode("cp932").encode("utf-8")
            self._out = self._convert(bytes(data))
        if size < 0 or size >= len(self._out):
            data, self._out = self._out, b""
        else:
            data, self._out = self._out[:size], self._out[size:]
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class ArrowCsvValidation(_Validation):
    """The checks of :class:`_Validation` on a plain CSV file read by Arrow."""

    def _open(self, stream: BinaryIO) -> None:
        self.guard = _Guard(stream)
        self.rows = 0

    def run(self) -> Any:
        try:
            self._read()
        except (pa.ArrowException, UnicodeDecodeError) as exc:
            raise Irregular from exc
        except Exception as exc:
            if isinstance(exc, Irregular):
                raise
            # A limit, a header the hand-written reader refuses, an empty file: it says what and where.
            raise Irregular from exc
        if not self.rows:
            raise Irregular
        return self._finish()

    def _records(self) -> int:
        return self.rows

    def _encoding_check(self) -> Check:
        if self.guard.encoding == "cp932":
            return Check("encoding", True, "Shift_JIS (cp932).")
        if self.guard.bom:
            return Check("encoding", True, "UTF-8 (with a byte-order mark, which is ignored).")
        return Check("encoding", True, "UTF-8.")

    def _parse_detail(self, records: int) -> str:
        return f"CSV with {len(self.states)} columns and {records:,} data rows."

    def _read(self) -> None:
        names = self.guard.start()
        if (
            len(names) > self.limits.max_columns
            or len(set(names)) != len(names)
            or any(not name or name != name.strip() for name in names)
        ):
            raise Irregular
        reader = pacsv.open_csv(
            self.guard,
            read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, use_threads=False),
            parse_options=pacsv.ParseOptions(quote_char=False, newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                check_utf8=True,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                # Every column as text: the market's grammar, not Arrow's inference, decides the types.
                column_types=dict.fromkeys(names, pa.string()),
            ),
        )
        if list(reader.schema.names) != names:
            raise Irregular
        self._start_columns(names)
        for batch in reader:
            self._batch(batch)

    # --- one batch ----------------------------------------------------------------------------------

    def _batch(self, batch: pa.RecordBatch) -> None:
        n = batch.num_rows
        if not n:
            return
        first_line = self.rows + 2  # the header is line 1 and there is no blank line
        self.rows += n
        sizes = [pc.binary_length(column) for column in batch.columns]
        self._check_sizes(sizes, batch.num_columns)
        for j, state in enumerate(self.states):
            column = batch.column(j)
            shortest, longest = (bound.as_py() for bound in pc.min_max(sizes[j]).values())
            empty = pc.equal(sizes[j], 0) if shortest == 0 else None
            if empty is not None:
                state.nullable = True
            datetimes = False
            if state.kind != types.STRING:
                present = column.filter(pc.invert(empty)) if empty is not None else column
                if len(present):
                    datetimes = _infer(state, present, longest)
            if self.scanner is not None and state.kind in (types.INTEGER, types.NUMBER, types.STRING):
                self._scan(j, state, column, longest, first_line)
            tracker = self.trackers.get(j)
            if tracker is not None:
                if state.kind in (types.UNKNOWN, types.DATETIME) or state.name.lower() in TIMESTAMP_NAMES:
                    _track(tracker, column, empty, first_line, datetimes)
                else:
                    del self.trackers[j]
        if self.kanon is not None:
            index = {state.name: j for j, state in enumerate(self.states)}
            self.kanon.add([batch.column(index[name]).to_pylist() for name in self.quasi_identifiers])
        need = self.sample_rows - len(self.sample)
        if need > 0:
            head = [column.slice(0, need).to_pylist() for column in batch.columns]
            self.sample.extend([list(row) for row in zip(*head, strict=True)])

    def _scan(self, j: int, state: types.ColumnState, column: pa.Array, longest: int, first_line: int) -> None:
        """The identifier scan of one column's batch, on the cells that may hold one: an "@" is possible in text
        only, nine digits only in a cell of nine bytes or more."""
        assert self.scanner is not None
        if state.kind == types.STRING:
            candidates = identifier_candidates(column)
        elif longest >= _MIN_DIGITS:
            candidates = identifier_candidates(column, at=False)
        else:
            return
        if len(candidates):
            values = column.take(candidates).to_pylist()
            lines = pc.add(candidates, first_line).to_pylist()
            self.scanner.scan(j, state.name, values, lines, state.kind, True)

    def _check_sizes(self, sizes: list[pa.Array], width: int) -> None:
        """A cell or a line past the market's limits is for the hand-written reader to locate and refuse."""
        total: Any = None
        for lengths in sizes:
            if pc.max(lengths).as_py() > self.limits.max_cell_bytes:
                raise Irregular
            total = lengths if total is None else pc.add(total, lengths)
        if pc.max(total).as_py() + width - 1 > self.limits.max_line_bytes:
            raise Irregular


def _all(mask: pa.Array) -> bool:
    return bool(pc.all(mask).as_py())


def _integers(present: pa.Array) -> bool:
    # Digits only and no leading zero settles most values; the reference pattern the rest.
    plain = pc.and_(pc.ascii_is_decimal(present), pc.invert(pc.starts_with(present, "0")))
    if _all(plain):
        return True
    rest = present.filter(pc.invert(plain))
    return _all(pc.match_substring_regex(rest, _INTEGER))


def _numbers(present: pa.Array) -> bool:
    # Digits around at most one point, not starting with 0: the grammar's commonest numbers (``125.7``, ``.5``).
    digits = pc.ascii_is_decimal(pc.replace_substring(present, ".", "", max_replacements=1))
    plain = pc.and_(digits, pc.invert(pc.starts_with(present, "0")))
    if _all(plain):
        return True
    rest = present.filter(pc.invert(plain))
    return _all(pc.match_substring_regex(rest, _NUMBER))


def _datetimes(present: pa.Array) -> bool:
    """``_types._datetimes``: what Arrow's cast accepts, Python accepts too (never the other way round), so a batch
    that casts and has the marks in place is settled here, any other by the definition in Python."""
    if _shaped(present) and _cast(present) is not None:
        return True
    return types._datetimes(present.to_pylist())


def _shaped(present: pa.Array) -> bool:
    """At least ``YYYY-MM-DDTHH:MM`` long, with "-", "-", "T" or " ", ":" at 4, 7, 10, 13 (of ASCII text: a value
    Arrow can cast is ASCII, so bytes are characters). The distinct stretches 4 to 14 are few: hours and days."""
    if pc.min(pc.utf8_length(present)).as_py() < _MIN_DATETIME:
        return False
    stretches = pc.unique(pc.binary_slice(present.cast(pa.binary()), 4, 14)).to_pylist()
    return all(s[0:1] == b"-" and s[3:4] == b"-" and s[6:7] in (b"T", b" ") and s[9:10] == b":" for s in stretches)


def _infer(state: types.ColumnState, present: pa.Array, longest: int) -> bool:
    """``ColumnState.infer_text`` on a batch's non-empty values; True when they are all date-times."""
    candidates = types._NEXT[state.kind] if state.kind != types.UNKNOWN else types._probe(present[0].as_py())
    for kind in candidates:
        if kind == types.INTEGER:
            ok = _integers(present)
        elif kind == types.NUMBER:
            ok = _numbers(present)
        elif kind == types.BOOLEAN:
            ok = types._booleans(pc.unique(present).to_pylist())
        elif kind == types.DATETIME:
            ok = _datetimes(present)
        else:
            ok = state._valid_dates(pc.unique(present).to_pylist())
        if ok:
            state.kind = kind
            return kind == types.DATETIME
    state.kind = types.STRING
    return False


def _cast(values: pa.Array) -> pa.Array | None:
    """The values as Arrow timestamps: all without an offset, or all with one (as UTC); None otherwise."""
    first = values[0].as_py()
    # A failed cast costs a hundred times a successful one: the first value says which to try first.
    aware = first.endswith("Z") or first[-6:-5] in ("+", "-")
    for target in (_AWARE, _NAIVE) if aware else (_NAIVE, _AWARE):
        try:
            return values.cast(target)
        except pa.ArrowInvalid:
            continue
    return None


def _track(tracker: TimestampTracker, column: pa.Array, empty: pa.Array | None, first_line: int, checked: bool) -> None:
    """``TimestampTracker.add`` for one batch: a batch of date-times is ranged in Arrow, any other in Python."""
    present = column.filter(pc.invert(empty)) if empty is not None else column
    if not len(present):
        return
    parsed = _cast(present) if checked and _shaped(present) else None
    if parsed is None:
        tracker.add(column.to_pylist(), range(first_line, first_line + len(column)), False)
        return
    extremes = pc.min_max(parsed)
    low = present[pc.index(parsed, extremes["min"]).as_py()].as_py()
    high = present[pc.index(parsed, extremes["max"]).as_py()].as_py()
    at = 0 if empty is None else pc.index(empty, False).as_py()
    tracker.values += len(present)
    tracker._widen(datetime.fromisoformat(low), datetime.fromisoformat(high), first_line + at)
