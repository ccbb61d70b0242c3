"""The market's published limits of a dataset file, and the exception that refuses a file past one.

A file past a limit is refused as soon as the limit is seen, without reading further: what would have to be
held or shown (a header of 200,000 columns, a line of megabytes) is exactly what the limits keep out.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.validation._errors import preview


@dataclass(frozen=True, slots=True)
class Limits:
    """Columns (CSV header fields, distinct JSON Lines keys), UTF-8 bytes of one line (without its line
    break) and of one cell (a CSV field, a JSON value or key). The defaults are the market's; the messages
    name the settings that change them (``ICHIBA_MAX_COLUMNS`` and so on, docs/operations.md)."""

    max_columns: int = 1000
    max_line_bytes: int = 1 << 20
    max_cell_bytes: int = 64 << 10

    def __post_init__(self) -> None:
        if min(self.max_columns, self.max_line_bytes, self.max_cell_bytes) < 1:
            raise ValueError("every limit must be at least 1")

    @property
    def cell_chars(self) -> int:
        """Characters a value may have without any check: UTF-8 spends at most 4 bytes on one."""
        return self.max_cell_bytes // 4


class LimitExceeded(Exception):
    """The file is past one of the :class:`Limits`; ``detail`` says which, where and the setting."""

    def __init__(self, detail: str, line: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.line = line


def too_many_columns(count: int, limits: Limits, *, line: int, jsonl: bool) -> LimitExceeded:
    what = f"Line {line:,} brings the distinct keys to {count:,}" if jsonl else f"The header has {count:,} columns"
    return LimitExceeded(
        f"{what}; the market accepts at most {limits.max_columns:,} columns (setting ICHIBA_MAX_COLUMNS).", line
    )


def line_too_long(line: int, limits: Limits, *, fmt: str) -> LimitExceeded:
    return LimitExceeded(
        f"Line {line:,} is longer than {limits.max_line_bytes:,} bytes, the market's limit for one line "
        f"(setting ICHIBA_MAX_LINE_BYTES), so the file was not read further; a {fmt.upper()} file needs a line "
        "break after each record.",
        line,
    )


def cell_too_large(line: int, column: str, size: int, limits: Limits) -> LimitExceeded:
    return LimitExceeded(
        f"Line {line:,}, column {preview(column)}: a value of {size:,} bytes is larger than "
        f"{limits.max_cell_bytes:,} bytes, the market's limit for one cell (setting ICHIBA_MAX_CELL_BYTES).",
        line,
    )
