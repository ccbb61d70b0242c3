"""CSV records to column lists, block by block.

Most CSV lines contain no double quote, and for those the csv module's grammar reduces to splitting on
commas. Such stretches are split in bulk (one ``str.split`` for a whole block, then strided slices per
column), which is several times faster than ``csv.reader`` and creates no per-row lists. Lines with a
quote go through ``csv.reader`` (strict, so a broken quote is an error with a line number rather than
a silently merged record); a quoted field may continue into the next block, whose lines are then taken
from the stream.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Final, NamedTuple

from catalog.validation._errors import ErrorLog, preview
from catalog.validation._reader import BlockReader

# Inserted before each line's first field when a block is split in bulk; must not occur in the data.
_MARK: Final = "\x01"


class HeaderError(Exception):
    """The header is missing or unusable; nothing after it can be interpreted."""


class Block(NamedTuple):
    columns: list[list[str]]
    # Physical line on which each well-formed row starts.
    row_lines: Sequence[int]


def split_plain(text: str, ncols: int) -> list[list[str]] | None:
    """Columns of ``text`` (whole lines, no double quote), or None unless every line has ``ncols`` fields
    and none is blank.

    The lines are joined into one comma-separated run with a marker field between lines, and split once.
    When every line has ``ncols`` fields the markers sit exactly at every (ncols + 1)-th position, so one
    strided slice per column yields its values; a ragged line shifts the markers and the count of
    markers in their expected slice no longer matches. One-character strings are shared objects in
    CPython, so the markers cost a pointer each.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if not text or _MARK in text or "\n\n" in text or text.startswith("\n") or text.endswith("\n"):
        return None
    lines = text.count("\n") + 1
    stride = ncols + 1
    flat = text.replace("\n", "," + _MARK + ",").split(",")
    if len(flat) != lines * stride - 1:
        return None
    markers = flat[ncols::stride]
    if markers.count(_MARK) != lines - 1:
        return None
    return [flat[j::stride] for j in range(ncols)]


def _csv_error(exc: csv.Error) -> str:
    message = str(exc)
    if "unexpected end of data" in message:
        return "a quoted field is never closed (the file ends inside quotes)"
    if "field larger than field limit" in message:
        return (
            f"a field is longer than {csv.field_size_limit():,} characters, usually because a quote "
            "is not closed"
        )
    if "expected after" in message:
        return 'text follows a closing quote; a double quote inside a quoted field must be doubled ("")'
    return f"the record cannot be parsed ({message})"


class CsvParser:
    """Splits a CSV stream into blocks of typed-to-be columns, recording malformed rows in ``errors``."""

    def __init__(self, reader: BlockReader, errors: ErrorLog) -> None:
        self._reader = reader
        self.errors = errors
        self.columns: list[str] = []
        self.lines = 0  # physical lines consumed so far
        self.records = 0  # non-blank data records, malformed ones included
        self.wider_rows = False  # some row had more fields than the header: unquoted commas
        self._rest = ""

    # --- header -------------------------------------------------------------------------------------

    def read_header(self, text: str) -> list[str]:
        """Parse the header from the first block; raises :class:`HeaderError`."""
        end = _first_line_end(text)
        first = text[:end]
        if '"' in first:
            source = io.StringIO(text, newline="")
            records = csv.reader(chain(source, self._reader.lines()), strict=True)
            try:
                raw = next(records, [])
            except csv.Error as exc:
                raise HeaderError(f"line 1: the header cannot be parsed: {_csv_error(exc)}") from exc
            self._rest = source.read()
            self.lines = records.line_num
        else:
            body = first.rstrip("\r\n")
            raw = body.split(",") if body else []
            self._rest = text[end:]
            self.lines = 1
        names = [name.strip() for name in raw]
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
                first_line = self.lines + 1
                if '"' in text:
                    block, used = self._quoted(text, first_line)
                else:
                    block, used = self._plain(text, first_line)
                self.lines += used
                if block.row_lines:
                    yield block
            text = self._reader.next_block()

    def _plain(self, text: str, first_line: int) -> tuple[Block, int]:
        ncols = len(self.columns)
        columns = split_plain(text, ncols)
        if columns is not None:
            n = len(columns[0])
            self.records += n
            return Block(columns, range(first_line, first_line + n)), n
        lines = io.StringIO(text, newline="").readlines()
        rows: list[list[str]] = []
        row_lines: list[int] = []
        for i, line in enumerate(lines):
            body = line.rstrip("\r\n")
            if not body:
                continue  # the csv module skips blank lines too
            self.records += 1
            fields = body.split(",")
            if len(fields) == ncols:
                rows.append(fields)
                row_lines.append(first_line + i)
            else:
                self._ragged(first_line + i, len(fields))
        return Block(_transpose(rows, ncols), row_lines), len(lines)

    def _quoted(self, text: str, first_line: int) -> tuple[Block, int]:
        ncols = len(self.columns)
        lines = io.StringIO(text, newline="").readlines()
        total = len(lines)
        columns: list[list[str]] = [[] for _ in range(ncols)]
        row_lines: list[int] = []
        i = 0
        for q in chain([k for k, line in enumerate(lines) if '"' in line], [total]):
            if q < i:
                continue  # inside a multi-line record already read
            if q > i:
                block, _ = self._plain("".join(lines[i:q]), first_line + i)
                for column, part in zip(columns, block.columns, strict=True):
                    column.extend(part)
                row_lines.extend(block.row_lines)
            if q == total:
                break
            # The record may run past this block: the csv module then takes its remaining lines from the
            # stream, and only those.
            source = chain(map(lines.__getitem__, range(q, total)), self._reader.lines())
            records = csv.reader(source, strict=True)
            self.records += 1
            try:
                record = next(records)
            except csv.Error as exc:
                self.errors.add(f"line {first_line + q}: {_csv_error(exc)}")
            else:
                if len(record) == ncols:
                    for column, value in zip(columns, record, strict=True):
                        column.append(value)
                    row_lines.append(first_line + q)
                else:
                    self._ragged(first_line + q, len(record))
            i = q + records.line_num
        return Block(columns, row_lines), max(i, total)

    def _ragged(self, line: int, fields: int) -> None:
        if fields > len(self.columns):
            self.wider_rows = True
        self.errors.add(f"line {line}: {fields} fields instead of {len(self.columns)}")


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

