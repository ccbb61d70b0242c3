"""JSON Lines records to column lists, block by block.

Each line is decoded by the C scanner of :mod:`json` mapped over the whole block, so the per-line cost
is the scanner's alone; only a block with a bad line is decoded again line by line, to say which line
and why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any, Final, NamedTuple

from catalog.validation._errors import ErrorLog
from catalog.validation._limits import too_many_columns
from catalog.validation._reader import BlockReader
from config.text import unstorable_text

_JSON_WHITESPACE: Final = " \t\r"
# An escape of a surrogate (U+D800-DFFF) or of U+0000, hex digits in either case.
_UNSTORABLE_ESCAPE: Final = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")
_TYPE_NAMES: Final = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def _may_hold_unstorable(text: str) -> bool:
    """Whether a block's text has an escape that decodes to a surrogate or U+0000 (``config.text``): the only
    way either gets into a decoded line. A plain substring search, so a block without one costs nothing more."""
    return "\\u" in text and _UNSTORABLE_ESCAPE.search(text) is not None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (write null instead)")


class Block(NamedTuple):
    # One list per column known so far, in order of first appearance; absent keys are None.
    columns: list[list[Any]]
    row_lines: Sequence[int]


class JsonlParser:
    """Splits a JSON Lines stream into blocks of columns, recording bad lines in ``errors``."""

    def __init__(self, reader: BlockReader, errors: ErrorLog) -> None:
        self._reader = reader
        self.errors = errors
        self.columns: list[str] = []
        self._index: dict[str, int] = {}
        # Columns first seen after the first row: the rows before them lack the key, so they are nullable.
        self.late_columns: set[int] = set()
        self.lines = 0
        self.records = 0  # non-blank lines, bad ones included
        self.rows = 0  # well-formed rows
        decoder = json.JSONDecoder(parse_constant=_reject_constant)
        # The C scanner behind decode(): (value, end) for the value starting at an index.
        self._scan: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]
        self._decode = decoder.decode

    def blocks(self, first: str | None) -> Iterator[Block]:
        text = first
        while text is not None:
            first_line = self.lines + 1
            lines = text.split("\n")
            if text.endswith("\n"):
                lines.pop()
            self.lines += len(lines)
            self._reader.lines_out = self.lines
            items = list(map(str.strip, lines, repeat(_JSON_WHITESPACE)))
            row_lines: Sequence[int]
            if "" in items:
                kept = [i for i, item in enumerate(items) if item]
                items = [items[i] for i in kept]
                row_lines = [first_line + i for i in kept]
            else:
                row_lines = range(first_line, first_line + len(items))
            if items:
                self.records += len(items)
                objects, row_lines = self._objects(items, row_lines)
                if objects and _may_hold_unstorable(text):
                    objects, row_lines = self._storable(objects, row_lines)
                if objects:
                    columns = self._columns(objects, row_lines)
                    self.rows += len(objects)
                    yield Block(columns, row_lines)
            text = self._reader.next_block()

    def _objects(self, items: list[str], row_lines: Sequence[int]) -> tuple[list[dict[str, Any]], Sequence[int]]:
        try:
            # A value the scanner cannot start raises StopIteration, which silently ends the list: the
            # length check below catches that.
            results = list(map(self._scan, items, repeat(0)))
        except (ValueError, RecursionError):
            results = []
        if len(results) == len(items):
            objects, ends = zip(*results, strict=True)
            if ends == tuple(map(len, items)) and set(map(type, objects)) == {dict}:
                return list(objects), row_lines
        kept: list[dict[str, Any]] = []
        kept_lines: list[int] = []
        for item, line in zip(items, row_lines, strict=True):
            try:
                value = self._decode(item)
            except json.JSONDecodeError as exc:
                self.errors.add(line, f"line {line}: invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            except ValueError as exc:
                self.errors.add(line, f"line {line}: {exc}")
                continue
            except RecursionError:
                self.errors.add(line, f"line {line}: the JSON is nested too deeply")
                continue
            if type(value) is not dict:
                found = "null" if value is None else _TYPE_NAMES.get(type(value), type(value).__name__)
                self.errors.add(line, f"line {line}: expected a JSON object {{...}}, found {found}")
                continue
            kept.append(value)
            kept_lines.append(line)
        return kept, kept_lines

    def _storable(
        self, objects: list[dict[str, Any]], row_lines: Sequence[int]
    ) -> tuple[list[dict[str, Any]], list[int]]:
        """The objects whose keys and strings are all storable text; each other one is a bad line."""
        kept: list[dict[str, Any]] = []
        kept_lines: list[int] = []
        for obj, line in zip(objects, row_lines, strict=True):
            found = unstorable_text(obj)
            if found is not None:
                self.errors.add(line, f"line {line}: a key or value holds {found}, which is not text")
                continue
            kept.append(obj)
            kept_lines.append(line)
        return kept, kept_lines

    def _columns(self, objects: list[dict[str, Any]], row_lines: Sequence[int]) -> list[list[Any]]:
        names = self.columns
        limit = self._reader.limits.max_columns
        if names and set(map(len, objects)) == {len(names)}:
            try:
                return [list(map(itemgetter(name), objects)) for name in names]
            except KeyError:
                pass  # same number of keys, different keys
        new = set().union(*objects).difference(self._index)
        if new:
            for position, obj in enumerate(objects):
                for key in obj:
                    if key in new:
                        new.discard(key)
                        self._index[key] = len(names)
                        if self.rows + position:
                            self.late_columns.add(len(names))
                        names.append(key)
                        if len(names) > limit:  # refused before a column list is built for every key
                            line = row_lines[position]
                            raise too_many_columns(len(names), self._reader.limits, line=line, jsonl=True)
                if not new:
                    break
        return [list(map(dict.get, objects, repeat(name))) for name in names]
