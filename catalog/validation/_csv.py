"""CSV records to column lists, block by block.

Most CSV lines contain no double quote, and for those the csv module's grammar reduces to splitting on
commas. Such lines are split in bulk (one ``str.split`` for a whole block, then strided slices per
column), which is several times faster than ``csv.reader`` and creates no per-row lists. Lines with a
quote go through ``csv.reader`` (strict, so a broken quote is an error with a line number rather than
a silently merged record); a quoted field may continue into the next block, whose lines are then taken
from the stream.

Files that are well formed are validated on Arrow (:mod:`catalog.validation._arrow_csv`); this parser reads the
files that path hands over (a ragged record, broken quoting, a stream that cannot seek), so it is the reference
the Arrow path is tested against and the one that locates every problem by line. It therefore keeps only the bulk
split of quote-free blocks and the csv module for the rest.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from itertools import chain, islice
from typing import Final, NamedTuple, cast, overload

from catalog.validation._errors import ErrorLog, preview
from catalog.validation._limits import too_many_columns
from catalog.validation._reader import BlockReader, count_breaks

# A field of its own between lines when a block is split in bulk; must not occur in the data.
_MARK: Final = "\x01"
_LINE_BREAK: Final = "," + _MARK + ","


class HeaderError(Exception):
    """The header is missing or unusable; nothing after it can be interpreted."""


class Block(NamedTuple):
    columns: list[list[str]]
    # Physical line on which each well-formed row starts.
    row_lines: Sequence[int]
    # Whether the rows are in file order (row_lines ascending).
    ordered: bool


def split_plain(text: str, ncols: int) -> list[list[str]] | None:
    """Columns of ``text`` (whole lines, no double quote), or None unless every line has ``ncols`` fields
    and none is blank.

    The lines are joined into one comma-separated run with a marker field between lines, and split once.
    When every line has ``ncols`` fields the markers sit exactly at every (ncols + 1)-th position, so one
    strided slice per column yields its values; a ragged line shifts some marker out of that slice. One-
    character strings are shared objects in CPython, so each marker costs a pointer.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if not text or _MARK in text or text.startswith("\n") or text.endswith("\n"):
        return None
    if ncols == 1 and "\n\n" in text:
        return None  # with more columns a blank line is ragged and caught below
    joined = text.replace("\n", _LINE_BREAK)
    # Each line break became three characters: this counts the breaks without another pass.
    breaks = (len(joined) - len(text)) // (len(_LINE_BREAK) - 1)
    stride = ncols + 1
    flat = joined.split(",")
    if len(flat) != (breaks + 1) * stride - 1 or flat[ncols::stride].count(_MARK) != breaks:
        return None
    return [flat[j::stride] for j in range(ncols)]


def _csv_error(exc: csv.Error) -> str:
    message = str(exc)
    if "unexpected end of data" in message:
        return "a quoted field is never closed (the file ends inside quotes)"
    if "field larger than field limit" in message:
        return f"a field is longer than {csv.field_size_limit():,} characters, usually because a quote is not closed"
    if "expected after" in message:
        return 'text follows a closing quote; a double quote inside a quoted field must be doubled ("")'
    return f"the record cannot be parsed ({message})"


class CsvParser:
    """Splits a CSV stream into blocks of columns, recording malformed rows in ``errors``."""

    def __init__(self, reader: BlockReader, errors: ErrorLog) -> None:
        self._reader = reader
        self.errors = errors
        self.columns: list[str] = []
        self.lines = 0  # physical lines consumed so far
        self.records = 0  # non-blank data records, malformed ones included
        self.wider_rows = False  # some row had more fields than the header: unquoted commas
        # Whether the last block had a record spanning lines (a quoted field with a line break): a cell
        # there may be longer than any of its lines.
        self.spans_lines = False
        self._rest = ""

    # --- header -------------------------------------------------------------------------------------

    def read_header(self, text: str) -> list[str]:
        """Parse the header from the first block; raises :class:`HeaderError`."""
        self._reader.lines_out = count_breaks(text, True)
        end = _first_line_end(text)
        first = text[:end]
        if '"' in first:
            source = io.StringIO(text, newline="")
            records = csv.reader(chain(source, self._reader.lines()), strict=True)
            try:
                raw = next(records, [])
            except csv.Error as exc:
                raise HeaderError(f"Line 1: the header cannot be parsed: {_csv_error(exc)}.") from exc
            self._rest = source.read()
            self.lines = records.line_num
        else:
            body = first.rstrip("\r\n")
            raw = body.split(",") if body else []
            self._rest = text[end:]
            self.lines = 1
        names = [name.strip() for name in raw]
        if len(names) > self._reader.limits.max_columns:
            raise too_many_columns(len(names), self._reader.limits, line=1, jsonl=False)
        if not any(names):
            raise HeaderError("The first line is empty; it must be a header naming the columns.")
        unnamed = [str(i + 1) for i, name in enumerate(names) if not name]
        if unnamed:
            raise HeaderError(
                f"Header column(s) {', '.join(unnamed)} have no name; every column needs a unique name"
                + (" (is there a trailing comma?)" if unnamed == [str(len(names))] else "")
                + "."
            )
        seen: dict[str, int] = {}
        duplicates: list[str] = []
        for i, name in enumerate(names):
            if name in seen:
                duplicates.append(f"{preview(name)} (columns {seen[name] + 1} and {i + 1})")
            else:
                seen[name] = i
        if duplicates:
            raise HeaderError(f"Duplicate column names in the header: {', '.join(duplicates)}.")
        self.columns = names
        return names

    # --- data ---------------------------------------------------------------------------------------

    def blocks(self) -> Iterator[Block]:
        text: str | None = self._rest
        self._rest = ""
        while text is not None:
            if text:
                block, used = self._block(text, self.lines + 1)
                self.lines += used
                self._reader.lines_out = self.lines
                if block.row_lines:
                    yield block
            text = self._reader.next_block()

    def _block(self, text: str, first_line: int) -> tuple[Block, int]:
        self.spans_lines = False
        if '"' not in text:
            columns = split_plain(text, len(self.columns))
            if columns is not None:
                n = len(columns[0])
                self.records += n
                return Block(columns, range(first_line, first_line + n), True), n
            lines = io.StringIO(text, newline="").readlines()
            block = self._plain_lines(lines, range(first_line, first_line + len(lines)))
            return block, len(lines)
        total = count_breaks(text, True) + (not text.endswith(("\n", "\r")))
        # A quoted field may make the reader hand out more lines; errors there are located after these.
        self._reader.lines_out = self.lines + total
        return self._with_csv(io.StringIO(text, newline=""), total, first_line)

    def _plain_lines(self, lines: list[str], numbers: Sequence[int]) -> Block:
        """Quote-free lines one by one: the slow path for blocks with ragged or blank lines."""
        ncols = len(self.columns)
        rows: list[list[str]] = []
        row_lines: list[int] = []
        for line, number in zip(lines, numbers, strict=True):
            body = line.rstrip("\r\n")
            if not body:
                continue  # the csv module skips blank lines too
            self.records += 1
            fields = body.split(",")
            if len(fields) == ncols:
                rows.append(fields)
                row_lines.append(number)
            else:
                self._ragged(number, len(fields))
        return Block(_transpose(rows, ncols), row_lines, True)

    def _with_csv(self, lines: Iterator[str], total: int, first_line: int) -> tuple[Block, int]:
        ncols = len(self.columns)
        records = csv.reader(chain(lines, self._reader.lines()), strict=True)
        rows: list[list[str] | None] = []
        # Where records failed: the reader's line count then; None marks their place in rows.
        failures: list[tuple[int, str]] = []
        # Asking for as many records as lines remain never reads past the block except to finish a
        # record, and then only into whole records, whose lines the reader takes from the stream.
        while records.line_num < total:
            try:
                got = len(rows)
                rows.extend(islice(records, total - records.line_num))
                if len(rows) == got:
                    break
            except csv.Error as exc:
                rows.append(None)
                failures.append((records.line_num, _csv_error(exc)))
        used = records.line_num
        self.spans_lines = used != len(rows) or bool(failures)
        complete = cast(list[list[str]], rows)  # when there are no failures
        if not failures and set(map(len, complete)) == {ncols}:
            self.records += len(rows)
            columns = [list(column) for column in zip(*complete, strict=True)]
            if used == len(rows):
                return Block(columns, range(first_line, first_line + used), True), used
            return Block(columns, _RecordLines(rows, first_line), True), used
        good: list[list[str]] = []
        row_lines: list[int] = []
        line = first_line
        pending = iter(failures)
        for row in rows:
            if row is None:
                consumed, message = next(pending)
                self.records += 1
                self.errors.add(line, f"line {line}: {message}")
                line = first_line + consumed
                continue
            start = line
            line += 1 + count_breaks("".join(row), True)
            if not row:
                continue  # blank line
            self.records += 1
            if len(row) == ncols:
                good.append(row)
                row_lines.append(start)
            else:
                self._ragged(start, len(row))
        return Block(_transpose(good, ncols), row_lines, True), used

    def _ragged(self, line: int, fields: int) -> None:
        if fields > len(self.columns):
            self.wider_rows = True
        self.errors.add(line, f"line {line}: {fields} fields instead of {len(self.columns)}")


class _RecordLines(Sequence[int]):
    """The line each record of a block starts on, worked out from the line breaks inside its fields
    only when asked for (to report a problem), since most blocks never need it."""

    def __init__(self, rows: Sequence[Sequence[str] | None], first_line: int) -> None:
        self._rows: Sequence[Sequence[str] | None] | None = rows
        self._first = first_line
        self._starts: list[int] = []
        self._length = len(rows)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if index == 0:
            return self._first
        if self._rows is not None:
            line = self._first
            for row in self._rows:
                assert row is not None  # only blocks without failures get here
                self._starts.append(line)
                line += 1 + count_breaks("".join(row), True)
            self._rows = None
        return self._starts[index]


def _first_line_end(text: str) -> int:
    nl = text.find("\n")
    cr = text.find("\r", 0, nl if nl >= 0 else len(text))
    if cr >= 0:
        return cr + 2 if text.startswith("\n", cr + 1) else cr + 1
    return nl + 1 if nl >= 0 else len(text)


def _transpose(rows: list[list[str]], ncols: int) -> list[list[str]]:
    if not rows:
        return [[] for _ in range(ncols)]
    return [list(column) for column in zip(*rows, strict=True)]
