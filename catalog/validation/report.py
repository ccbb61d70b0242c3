"""Result types of dataset validation: immutable, JSON-serialisable through ``to_dict``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypedDict

ColumnType = Literal["integer", "number", "boolean", "datetime", "date", "string"]

# What a sample cell may hold: typed scalars; dates, datetimes and nested JSON are kept as text.
SampleValue = str | int | float | bool | None


class ColumnSchema(TypedDict):
    name: str
    type: ColumnType
    nullable: bool


class Sample(TypedDict):
    columns: list[str]
    rows: list[list[SampleValue]]


@dataclass(frozen=True, slots=True)
class Check:
    """One named check; ``detail`` is English a seller can act on."""

    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Outcome of :func:`catalog.validation.validate_stream`.

    ``passed`` is true exactly when every check in ``checks`` passed; the constructor enforces it so a
    report can never claim success its checks do not support. ``row_count`` counts data records
    (non-blank lines of JSON Lines, CSV records after the header), malformed ones included; ``schema``
    and ``sample`` describe the well-formed ones. ``time_range`` is set for IoT data whose timestamp
    check passed.
    """

    passed: bool
    row_count: int
    schema: list[ColumnSchema]
    checks: list[Check]
    sample: Sample
    time_range: tuple[str, str] | None

    def __post_init__(self) -> None:
        if self.passed != (bool(self.checks) and all(check.passed for check in self.checks)):
            raise ValueError("passed must equal 'every check passed'")

    def check(self, name: str) -> Check | None:
        """The check called ``name``, or None when it was not run."""
        return next((check for check in self.checks if check.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "row_count": self.row_count,
            "schema": [dict(column) for column in self.schema],
            "checks": [check.to_dict() for check in self.checks],
            "sample": {
                "columns": list(self.sample["columns"]),
                "rows": [list(row) for row in self.sample["rows"]],
            },
            "time_range": list(self.time_range) if self.time_range is not None else None,
        }
