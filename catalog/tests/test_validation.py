"""Dataset validation (catalog.validation): checks, details, schema inference, streaming edge cases.

Pure Python: runs with ``pytest catalog/tests/test_validation.py -p no:django``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.validation import Check, Limits, ValidationReport, _types, validate_stream
from catalog.validation._csv import split_plain
from catalog.validation._identifiers import IDENTIFIER, candidate_cells
from catalog.validation._timestamps import _text_extremes

# Hypothesis takes naive bounds for naive datetimes.
_NAIVE_2000 = datetime(2000, 1, 1)  # noqa: DTZ001
_NAIVE_2030 = datetime(2030, 1, 1)  # noqa: DTZ001

CHECKS_IOT = ["encoding", "parse", "schema", "row_count", "direct_identifiers", "timestamp"]
CHECKS_ANONYMIZED = ["encoding", "parse", "schema", "row_count", "direct_identifiers", "k_anonymity"]


class Trickle(io.RawIOBase):
    """A binary stream that returns at most ``step`` bytes per read, as sockets and some storages do;
    it moves every block and chunk boundary into awkward places."""

    def __init__(self, data: bytes, step: int = 7) -> None:
        self._data = data
        self._pos = 0
        self._step = step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = self._step if size < 0 else min(size, self._step)
        chunk = self._data[self._pos : self._pos + n]
        self._pos += len(chunk)
        return chunk


def run(data: bytes | str, fmt: str = "csv", data_class: str = "iot", **options: Any) -> ValidationReport:
    raw = data.encode() if isinstance(data, str) else data
    return validate_stream(io.BytesIO(raw), fmt=fmt, data_class=data_class, **options)  # type: ignore[arg-type]


def check(report: ValidationReport, name: str) -> Check:
    found = report.check(name)
    assert found is not None, f"check {name} not run: {[c.name for c in report.checks]}"
    return found


def names(report: ValidationReport) -> list[str]:
    return [c.name for c in report.checks]


def types_of(report: ValidationReport) -> dict[str, str]:
    return {column["name"]: column["type"] for column in report.schema}


IOT_CSV = (
    "timestamp,sensor_id,strain,temperature,status,notes\n"
    "2024-01-01T00:00:00+09:00,S-0001,0.000138,30.11,true,\n"
    "2024-01-01T00:00:10+09:00,S-0002,-0.000764,28.05,false,ok\n"
    '2024-01-01T00:00:20+09:00,S-0001,0.000241,-3.5,TRUE,"recalibrated, see log"\n'
    "2024-03-31T23:50:00+09:00,S-0002,1e-06,12,False,\n"
)

ANON_CSV = "age_band,prefecture,gender,visit_date,amount\n" + "".join(
    f"{band},{pref},{g},2024-0{m}-1{m},{100 * m}\n"
    for band, pref in (("20-29", "東京都"), ("30-39", "大阪府"))
    for g in "MF"
    for m in range(1, 6)
)


# --- good files -----------------------------------------------------------------------------------------


def test_good_iot_csv_passes_with_schema_sample_and_time_range() -> None:
    report = run(IOT_CSV)
    assert report.passed, report.checks
    assert names(report) == CHECKS_IOT
    assert report.row_count == 4
    assert report.schema == [
        {"name": "timestamp", "type": "datetime", "nullable": False},
        {"name": "sensor_id", "type": "string", "nullable": False},
        {"name": "strain", "type": "number", "nullable": False},
        {"name": "temperature", "type": "number", "nullable": False},
        {"name": "status", "type": "boolean", "nullable": False},
        {"name": "notes", "type": "string", "nullable": True},
    ]
    assert report.time_range == ("2024-01-01T00:00:00+09:00", "2024-03-31T23:50:00+09:00")
    assert "'timestamp': 2024-01-01T00:00:00+09:00 … 2024-03-31T23:50:00+09:00" in check(report, "timestamp").detail
    assert report.sample["columns"][0] == "timestamp"
    assert report.sample["rows"][0] == ["2024-01-01T00:00:00+09:00", "S-0001", 0.000138, 30.11, True, None]
    assert report.sample["rows"][2][4:] == [True, "recalibrated, see log"]
    assert report.sample["rows"][3][2:5] == [1e-06, 12, False]
    assert json.loads(json.dumps(report.to_dict())) == report.to_dict()


def test_good_iot_jsonl_passes_and_types_nested_values_as_string() -> None:
    lines = [
        {"measured_at": "2024-01-01T00:00:00Z", "sensor": "A", "value": 1, "tags": ["x"], "ok": True},
        {"measured_at": "2024-01-02T00:00:00Z", "sensor": "B", "value": 2.5, "tags": [], "ok": False},
        {"measured_at": "2024-01-01T12:00:00Z", "sensor": "A", "value": None, "meta": {"fw": "1.2"}, "ok": True},
    ]
    report = run("\n".join(json.dumps(line) for line in lines) + "\n\n", fmt="jsonl")
    assert report.passed, report.checks
    assert names(report) == CHECKS_IOT
    assert report.row_count == 3
    assert types_of(report) == {
        "measured_at": "datetime",
        "sensor": "string",
        "value": "number",
        "tags": "string",
        "ok": "boolean",
        "meta": "string",
    }
    nullable = {column["name"]: column["nullable"] for column in report.schema}
    assert nullable == {"measured_at": False, "sensor": False, "value": True, "tags": True, "ok": False, "meta": True}
    assert report.time_range == ("2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00")
    assert report.sample["rows"][0] == ["2024-01-01T00:00:00Z", "A", 1, '["x"]', True, None]
    assert report.sample["rows"][2][-1] == '{"fw": "1.2"}'


def test_good_anonymized_csv_passes() -> None:
    report = run(ANON_CSV, data_class="anonymized", quasi_identifiers=["age_band", "prefecture", "gender"])
    assert report.passed, report.checks
    assert names(report) == CHECKS_ANONYMIZED
    assert report.row_count == 20
    assert types_of(report) == {
        "age_band": "string",
        "prefecture": "string",
        "gender": "string",
        "visit_date": "date",
        "amount": "integer",
    }
    assert check(report, "k_anonymity").detail == (
        "k = 5 over (age_band, prefecture, gender): all 4 groups have at least 5 rows."
    )
    assert report.time_range is None


def test_good_anonymized_jsonl_passes() -> None:
    rows = [{"age_band": "20-29", "pref": "東京都", "score": i % 3, "note": None} for i in range(6)]
    report = run(
        "".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in rows),
        fmt="jsonl",
        data_class="anonymized",
        quasi_identifiers=["age_band", "pref"],
    )
    assert report.passed, report.checks
    assert names(report) == CHECKS_ANONYMIZED
    assert "k = 6 over (age_band, pref)" in check(report, "k_anonymity").detail
    assert types_of(report)["note"] == "string"
    assert report.schema[3]["nullable"] is True


# --- encoding -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", [None, 1, 5])
def test_shift_jis_csv_is_read_as_cp932(step: int | None) -> None:
    """Japanese spreadsheets export CSV as Shift_JIS (cp932): it is validated like UTF-8, however the reads fall."""
    text = "timestamp,場所,値\n" + "".join(f"2024-01-01T00:{i:02d}:00,東京{i},{i}\n" for i in range(40))
    data = text.encode("cp932")
    stream = io.BytesIO(data) if step is None else Trickle(data, step=step)
    report = validate_stream(stream, fmt="csv", data_class="iot")  # type: ignore[arg-type]
    assert report.passed, report.checks
    assert check(report, "encoding").detail == "Shift_JIS (cp932)."
    assert report.sample["columns"] == ["timestamp", "場所", "値"]
    assert report.sample["rows"][1] == ["2024-01-01T00:01:00", "東京1", 1]
    assert report.time_range == ("2024-01-01T00:00:00", "2024-01-01T00:39:00")


def test_shift_jis_csv_with_an_invalid_byte_is_located() -> None:
    head = "timestamp,場所\n2024-01-01T00:00:00,東京\n".encode("cp932")
    report = run(head + b"2024-01-01T00:01:00,\x81\n")
    assert names(report) == ["encoding"]
    detail = check(report, "encoding").detail
    assert "not valid Shift_JIS (cp932)" in detail and "line 3, byte offset" in detail, detail


def test_shift_jis_json_lines_are_refused_and_named() -> None:
    """JSON Lines is UTF-8 by definition: a cp932 file is named as such and refused."""
    data = '{"timestamp": "2024-01-01T00:00:00", "場所": "東京"}\n'.encode("cp932")
    report = run(data, fmt="jsonl")
    assert not report.passed
    assert names(report) == ["encoding"]
    detail = check(report, "encoding").detail
    assert "line 1, byte offset 38" in detail, detail
    assert "looks like Shift_JIS (cp932); re-save as UTF-8" in detail
    assert report.schema == [] and report.sample == {"columns": [], "rows": []} and report.row_count == 0


def test_invalid_utf8_deep_in_the_file_is_located() -> None:
    head = "timestamp,v\n" + "2024-01-01T00:00:00,1\n" * 60_000  # beyond the first 1 MiB chunk
    data = head.encode() + b"2024-01-01T00:00:00,\xe9t\xe9\n"
    report = run(data)
    detail = check(report, "encoding").detail
    assert f"line {60_002}, byte offset {len(head.encode()) + 20}" in detail, detail
    assert "invalid byte 0xE9" in detail
    assert "Shift_JIS" not in detail and "Re-save it as UTF-8" in detail


def test_truncated_multibyte_character_at_end() -> None:
    report = run("a,b\n1,東".encode()[:-1])
    assert "ends in the middle of a multi-byte character" in check(report, "encoding").detail


def test_binary_file_fails_encoding() -> None:
    report = run(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)))
    assert names(report) == ["encoding"]
    detail = check(report, "encoding").detail
    assert "binary, not text" in detail and "ZIP archive" in detail and "byte offset 5" in detail


def test_nul_byte_in_text_is_binary_with_its_line() -> None:
    detail = check(run(b"a,b\n1,2\n3,\x004\n"), "encoding").detail
    assert "byte offset 10, line 3" in detail and "binary, not text" in detail


def test_utf16_is_recognised() -> None:
    detail = check(run("a,b\n1,2\n".encode("utf-16")), "encoding").detail
    assert "UTF-16" in detail


def test_empty_file() -> None:
    report = run(b"")
    assert not report.passed
    assert report.checks == [Check("encoding", False, "The file is empty.")]


def test_bom_only_file_is_empty() -> None:
    assert "only a UTF-8 byte-order mark" in check(run(b"\xef\xbb\xbf"), "encoding").detail


def test_bom_is_accepted_and_stripped() -> None:
    report = run(b"\xef\xbb\xbf" + IOT_CSV.encode())
    assert report.passed, report.checks
    assert report.schema[0]["name"] == "timestamp"
    assert "byte-order mark" in check(report, "encoding").detail


def test_bom_split_across_short_reads() -> None:
    data = b"\xef\xbb\xbf" + IOT_CSV.encode()
    report = validate_stream(Trickle(data, step=1), fmt="csv", data_class="iot")  # type: ignore[arg-type]
    assert report.passed and report.schema[0]["name"] == "timestamp"


# --- parse --------------------------------------------------------------------------------------------


def test_header_only_file_stops_after_row_count() -> None:
    report = run("timestamp,value\n")
    assert names(report) == ["encoding", "parse", "schema", "row_count"]
    assert [c.passed for c in report.checks] == [True, False, False, False]
    assert check(report, "parse").detail == "The file has a header but no data rows."
    assert check(report, "row_count").detail == "No data rows."
    assert report.row_count == 0


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("\n1,2\n", "The first line is empty"),
        ("a,,c\n1,2,3\n", "Header column(s) 2 have no name"),
        ("a,b,\n1,2,3\n", "(is there a trailing comma?)"),
        ("a,b,a\n1,2,3\n", "Duplicate column names in the header: 'a' (columns 1 and 3)"),
        ('"a,b\n1,2\n', "the header cannot be parsed"),
    ],
)
def test_unusable_header_stops_after_parse(header: str, message: str) -> None:
    report = run(header)
    assert names(report) == ["encoding", "parse"]
    assert check(report, "encoding").passed
    assert message in check(report, "parse").detail
    assert report.schema == []


def test_header_names_are_stripped() -> None:
    report = run(" timestamp , value \n2024-01-01T00:00:00,1\n")
    assert [c["name"] for c in report.schema] == ["timestamp", "value"]


def test_ragged_rows_are_reported_with_line_numbers_and_total() -> None:
    rows = ["2024-01-01T00:00:00,1,2"] * 30
    for bad in (2, 5, 6, 20, 25):
        rows[bad] = "2024-01-01T00:00:00,1" if bad % 2 else "2024-01-01T00:00:00,1,2,3"
    report = run("timestamp,a,b\n" + "\n".join(rows) + "\n", max_reported_errors=3)
    parse = check(report, "parse")
    assert not parse.passed and not report.passed
    assert parse.detail.startswith("5 malformed record(s) (expected 3 fields each): ")
    assert "line 4: 4 fields instead of 3; line 7: 2 fields instead of 3; line 8: 4 fields instead of 3" in parse.detail
    assert parse.detail.count("line ") == 3 and "and 2 more" in parse.detail
    assert "must be enclosed in double quotes" in parse.detail
    assert report.row_count == 30
    schema = check(report, "schema")
    assert not schema.passed and schema.detail.startswith("Inferred from the well-formed rows only")
    assert types_of(report) == {"timestamp": "datetime", "a": "integer", "b": "integer"}


def test_quoted_multiline_fields_are_one_record_and_lines_stay_physical() -> None:
    data = (
        "timestamp,note,v\n"
        '2024-01-01T00:00:00,"first line\nsecond, line\n""third""",1\n'
        "2024-01-01T00:00:01,plain,2\n"
        '2024-01-01T00:00:02,"a\r\nb",3\n'
        "2024-01-01T00:00:03,too,many,4\n"
    )
    report = run(data, max_reported_errors=5)
    assert report.row_count == 4
    assert check(report, "parse").detail.startswith("1 malformed record(s)")
    assert "line 8: 4 fields instead of 3" in check(report, "parse").detail
    assert report.sample["rows"][0] == ["2024-01-01T00:00:00", 'first line\nsecond, line\n"third"', 1]
    assert report.sample["rows"][2] == ["2024-01-01T00:00:02", "a\r\nb", 3]


def test_unclosed_quote_is_a_parse_error_at_its_line() -> None:
    data = 'timestamp,note\n2024-01-01T00:00:00,ok\n2024-01-01T00:00:01,"never closed\n2024-01-01T00:00:02,x\n'
    parse = check(run(data), "parse")
    assert not parse.passed
    assert "line 3: a quoted field is never closed" in parse.detail


def test_text_after_closing_quote_is_a_parse_error() -> None:
    parse = check(run('a,b\n1,"x"y\n2,z\n'), "parse")
    assert "line 2: text follows a closing quote" in parse.detail


def test_line_endings_crlf_and_cr() -> None:
    for newline in ("\r\n", "\r"):
        report = run(IOT_CSV.replace("\n", newline))
        assert report.passed, (newline, report.checks)
        assert report.row_count == 4


def test_blank_lines_are_skipped_but_counted_for_line_numbers() -> None:
    report = run("a,b\n\n1,2\n\n3\n")
    assert report.row_count == 2
    assert "line 5: 1 fields instead of 2" in check(report, "parse").detail


def test_single_column_csv_blank_lines() -> None:
    report = run("timestamp\n2024-01-01T00:00:00\n\n2024-01-02T00:00:00\n")
    assert report.passed and report.row_count == 2


def test_jsonl_bad_lines_are_reported() -> None:
    data = '{"a": 1}\n{"a": 2,}\n[1, 2]\n\n{"a": NaN}\n"text"\n{"a": 3}\n'
    report = run(data, fmt="jsonl", max_reported_errors=10)
    parse = check(report, "parse")
    assert not parse.passed
    assert parse.detail.startswith("4 line(s) are not valid JSON objects: ")
    assert "line 2: invalid JSON: Expecting property name enclosed in double quotes (column 9)" in parse.detail
    assert "line 3: expected a JSON object {...}, found an array" in parse.detail
    assert "line 5: NaN is not valid JSON (write null instead)" in parse.detail
    assert "line 6: expected a JSON object {...}, found a string" in parse.detail
    assert report.row_count == 6


def test_jsonl_lines_with_text_no_database_can_store_are_bad_lines() -> None:
    # A lone surrogate (half a UTF-16 pair) cannot be encoded as UTF-8, and PostgreSQL refuses U+0000: a line
    # with either, in a key or a value at any depth, is reported; a real pair (an emoji) is text.
    data = (
        '{"a": "ok", "b": 1}\n'
        '{"a": "x\\ud800", "b": 2}\n'
        '{"\\udfff": 1}\n'
        '{"a": "nul\\u0000", "b": 3}\n'
        '{"a": ["deep", {"c": "\\uDC00"}], "b": 4}\n'
        '{"a": "\\ud83d\\ude00", "b": 5}\n'
    )
    report = run(data, fmt="jsonl", max_reported_errors=10)
    parse = check(report, "parse")
    assert not parse.passed
    assert parse.detail.startswith("4 line(s) are not valid JSON objects: ")
    assert "line 2: a key or value holds a lone surrogate" in parse.detail
    assert "line 3: a key or value holds a lone surrogate" in parse.detail
    assert "line 4: a key or value holds a NUL character" in parse.detail
    assert "line 5: a key or value holds a lone surrogate" in parse.detail
    assert "line 6" not in parse.detail
    json.dumps(report.sample, ensure_ascii=False).encode()  # what is kept is storable text


def test_jsonl_without_objects() -> None:
    assert "only blank lines" in check(run("\n \n", fmt="jsonl"), "parse").detail
    report = run("[1]\n2\n", fmt="jsonl")
    assert names(report) == ["encoding", "parse"]
    assert check(report, "parse").detail.startswith("No line is a JSON object")


def test_jsonl_columns_are_the_union_in_order_of_first_appearance() -> None:
    data = '{"b": 1, "a": "x"}\n{"a": "y", "c": true}\n{"d": null}\n'
    report = run(data, fmt="jsonl")
    assert [c["name"] for c in report.schema] == ["b", "a", "c", "d"]
    assert {c["name"]: c["nullable"] for c in report.schema} == {"b": True, "a": True, "c": True, "d": True}
    assert report.sample["rows"] == [[1, "x", None, None], [None, "y", True, None], [None, None, None, None]]


def test_overlong_line_stops_reading() -> None:
    report = run("a,b\n1,2\n" + "x" * 5000, limits=Limits(max_line_bytes=1000))
    assert names(report) == ["encoding", "limits"]
    assert "Line 3 is longer than 1,000 bytes" in check(report, "limits").detail
    assert "ICHIBA_MAX_LINE_BYTES" in check(report, "limits").detail


# --- the published limits (columns, bytes per line and per cell) ------------------------------------------


def test_a_wide_csv_is_refused_at_its_header_with_the_limit_and_its_setting() -> None:
    # The reproduction of issue 13: 200,000 columns in 2.7 MB published, and its page cost 15 s of CPU.
    header = ",".join(f"c{i}" for i in range(200_000))
    report = run(header + "\n" + ",".join("1" for _ in range(200_000)) + "\n", limits=Limits(max_line_bytes=4 << 20))
    assert not report.passed
    assert names(report) == ["encoding", "limits"]
    assert check(report, "limits").detail == (
        "The header has 200,000 columns; the market accepts at most 1,000 columns (setting ICHIBA_MAX_COLUMNS)."
    )
    assert report.schema == [] and report.sample == {"columns": [], "rows": []}


def test_a_wide_file_at_the_default_limits_is_refused_before_the_line_is_read_whole() -> None:
    header = ",".join(f"column_{i}" for i in range(200_000)).encode()  # 2.7 MB, one line
    report = validate_stream(io.BytesIO(header + b"\n"), fmt="csv", data_class="iot")
    assert names(report) == ["encoding", "limits"]
    assert check(report, "limits").detail.startswith("Line 1 is longer than 1,048,576 bytes")


def test_the_column_limit_itself_is_accepted() -> None:
    header = ",".join(["timestamp", *(f"c{i}" for i in range(999))])
    row = ",".join(["2024-01-01T00:00:00+09:00", *("1" for _ in range(999))])
    report = run(f"{header}\n{row}\n")
    assert report.passed, report.checks
    assert len(report.schema) == 1000
    # The check's detail names a few columns and counts the rest; the schema keeps them all.
    assert check(report, "schema").detail.endswith("c48: integer and 950 more columns")


def test_jsonl_keys_past_the_column_limit_are_refused_at_the_line_that_brings_them() -> None:
    lines = [json.dumps({"timestamp": "2024-01-01T00:00:00+09:00", f"k{i}": i}) for i in range(20)]
    report = run("\n".join(lines) + "\n", fmt="jsonl", limits=Limits(max_columns=10))
    assert names(report) == ["encoding", "limits"]
    assert check(report, "limits").detail == (
        "Line 10 brings the distinct keys to 11; the market accepts at most 10 columns (setting ICHIBA_MAX_COLUMNS)."
    )


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("value", ["x" * 70_000, "値" * 22_000, "a\n" * 35_000], ids=["ascii", "japanese", "lines"])
def test_a_cell_past_the_limit_is_refused_with_its_line_and_column(fmt: str, value: str) -> None:
    rows = [{"timestamp": f"2024-01-01T00:00:{i:02d}+09:00", "note": "ok"} for i in range(30)]
    rows[17]["note"] = value
    if fmt == "csv":
        text = "timestamp,note\n" + "".join(f'{r["timestamp"]},"{r["note"]}"\n' for r in rows)
    else:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    line = 19 if fmt == "csv" else 18
    for step in (None, 4093):  # whole, and in short reads that move every boundary
        raw = text.encode()
        stream = io.BytesIO(raw) if step is None else Trickle(raw, step)
        report = validate_stream(stream, fmt=fmt, data_class="iot")  # type: ignore[arg-type]
        assert names(report) == ["encoding", "limits"]
        detail = check(report, "limits").detail
        size = len(value.encode())
        assert detail == (
            f"Line {line}, column 'note': a value of {size:,} bytes is larger than 65,536 bytes, the market's limit "
            "for one cell (setting ICHIBA_MAX_CELL_BYTES)."
        )


def test_a_cell_at_the_limit_is_accepted_and_the_sample_keeps_a_bounded_prefix() -> None:
    text = "timestamp,note\n2024-01-01T00:00:00+09:00," + "x" * 65_536 + "\n"
    report = run(text)
    assert report.passed, report.checks
    cell = report.sample["rows"][0][1]
    assert isinstance(cell, str) and len(cell) == 1000 and cell.endswith("…")


# --- schema inference -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1", "-2", "+3", "0"], "integer"),
        (["007", "12"], "string"),
        (["1", "2.5", "-0.25", "6.02e23", ".5"], "number"),
        (["1", "1,5"], "string"),
        (["nan", "1"], "string"),
        (["1_000"], "string"),
        (["true", "FALSE", "True"], "boolean"),
        (["yes", "no"], "string"),
        (["0", "1"], "integer"),
        (["2024-01-01T10:00:00", "2024-01-01 10:00", "2024-01-01T10:00:00.5+09:00", "2024-02-29T00:00Z"], "datetime"),
        (["2024-01-01", "2023-12-31"], "date"),
        (["2023-02-29"], "string"),
        (["2024-01-01", "2024-01-01T10:00"], "string"),
        (["10:00"], "string"),
        (["", ""], "string"),
        (["abc", "1"], "string"),
        (["１２"], "string"),
    ],
)
def test_type_inference(values: list[str], expected: str) -> None:
    data = "timestamp,x\n" + "".join(f"2024-01-01T00:00:00,{_csv_cell(v)}\n" for v in values)
    report = run(data)
    assert check(report, "parse").passed
    assert types_of(report)["x"] == expected


def test_empty_values_make_nullable_without_changing_type() -> None:
    report = run("timestamp,n\n2024-01-01T00:00:00,\n2024-01-01T00:00:01,5\n2024-01-01T00:00:02,\n")
    assert report.schema[1] == {"name": "n", "type": "integer", "nullable": True}
    assert report.sample["rows"][0] == ["2024-01-01T00:00:00", None]


def test_type_changes_in_a_later_block_are_seen() -> None:
    lines = [f"2024-01-01T00:00:00,{i},{i}" for i in range(80_000)] + ["2024-01-01T00:00:00,x,2.5"]
    report = run("timestamp,a,b\n" + "\n".join(lines) + "\n")
    assert types_of(report) == {"timestamp": "datetime", "a": "string", "b": "number"}


@pytest.mark.parametrize(
    ("json_values", "expected"),
    [
        ([1, 2], "integer"),
        ([1, 2.5], "number"),
        ([True, False], "boolean"),
        ([1, True], "string"),
        (["123"], "string"),
        (["2024-01-01"], "date"),
        (["2024-01-01T00:00:00"], "datetime"),
        ([{"a": 1}], "string"),
        ([None], "string"),
    ],
)
def test_jsonl_type_inference(json_values: list[Any], expected: str) -> None:
    data = "".join(json.dumps({"timestamp": "2024-01-01T00:00:00", "x": v}) + "\n" for v in json_values)
    assert types_of(run(data, fmt="jsonl"))["x"] == expected


@given(st.lists(st.text(alphabet="0123456789+-.eE", min_size=1, max_size=8), min_size=1, max_size=6))
def test_numeric_block_checks_match_the_single_value_grammar(values: list[str]) -> None:
    joined = "\x00" + "\x00".join(values)
    assert _types._integers(values, joined) == all(_types.ONE_INTEGER.fullmatch(v) for v in values)
    assert _types._numbers(values, joined) == all(_types.ONE_NUMBER.fullmatch(v) for v in values)


@given(st.lists(st.text(alphabet="0123456789-.", min_size=1, max_size=6), min_size=1, max_size=6))
def test_arrow_plain_decimals_never_accept_beyond_the_grammar(values: list[str]) -> None:
    from catalog.validation._arrow_csv import _numbers, _plain_decimals

    grammar = all(_types.ONE_NUMBER.fullmatch(v) for v in values)
    if _plain_decimals(pa.array(values, pa.string())):
        assert grammar
    assert _numbers(pa.array(values, pa.string())) == grammar


@given(
    st.lists(
        st.datetimes().map(lambda d: d.isoformat(sep="T", timespec="seconds")),
        min_size=1,
        max_size=5,
    )
)
def test_datetime_block_check_accepts_isoformat(values: list[str]) -> None:
    assert _types._datetimes(values)
    assert not _types._datetimes([*values, values[0][:10]])


# --- direct identifiers -------------------------------------------------------------------------------------


def anonymized(column: str, values: list[str], **options: Any) -> ValidationReport:
    rows = "".join(f"20-29,{_csv_cell(v)}\n" for v in values)
    return run(f"age_band,{column}\n{rows}", data_class="anonymized", quasi_identifiers=["age_band"], **options)


def _csv_cell(value: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([value])
    return out.getvalue()


@pytest.mark.parametrize(
    ("value", "label", "masked"),
    [
        ("taro.yamada@example.co.jp", "e-mail address", "t***@example.co.jp"),
        ("contact: hanako+x@mail.example.com please", "e-mail address", "h***@mail.example.com"),
        ("03-1234-5678", "phone number", "03-1***-****"),
        ("TEL 090-1234-5678", "phone number", "090-****-****"),
        ("+81 90 1234 5678", "phone number", "+81 9* **** ****"),
        ("(03)1234-5678", "phone number", "(03)1***-****"),
        ("0120-123-456", "phone number", "012*-***-***"),
        ("０３－１２３４－５６７８", "phone number", "０３－１***－****"),
    ],
)
def test_direct_identifiers_are_found_and_masked(value: str, label: str, masked: str) -> None:
    report = anonymized("remark", ["ok", "fine", value, "ok", "done"])
    found = check(report, "direct_identifiers")
    assert not found.passed and not report.passed
    assert found.detail.startswith("1 value(s) look like direct identifiers, in column(s) 'remark' (1)")
    assert f"line 4, column 'remark': {label} {masked}" in found.detail
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 10:
        assert digits not in re.sub(r"\D", "", found.detail)
    if "@" in value:
        assert value.split()[-2 if " " in value else 0] not in found.detail


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-01T00:00:00+09:00",
        "2024-03-12 10:00:00",
        "1234567890123",
        "12345678901",
        "123456789012.5",
        "0.123456789012",
        "3.14159265358979",
        "1234-1234-5678-9012",
        "A-03-1234-5678",
        "03-12-2024",
        "@tanaka",
        "user@localhost",
        "0312345678",
        "ID 0000123456",
    ],
)
def test_ordinary_values_are_not_direct_identifiers(value: str) -> None:
    report = anonymized("remark", [value] * 5)
    assert check(report, "direct_identifiers").passed, check(report, "direct_identifiers").detail


def test_bare_digits_count_as_phone_only_in_a_phone_column() -> None:
    assert check(anonymized("remark", ["0312345678"] * 5), "direct_identifiers").passed
    found = check(anonymized("tel_no", ["0312345678"] * 5), "direct_identifiers")
    assert not found.passed and "'tel_no' (5)" in found.detail and "031*******" in found.detail


def test_identifier_count_and_first_lines_over_many_rows() -> None:
    values = [f"user{i}@example.com" if i % 1000 == 7 else f"note {i}" for i in range(50_000)]
    found = check(anonymized("remark", values, max_reported_errors=3), "direct_identifiers")
    assert found.detail.startswith("50 value(s) look like direct identifiers, in column(s) 'remark' (50)")
    assert "First: line 9, column 'remark'" in found.detail
    assert "line 1009," in found.detail and "line 2009," in found.detail and "line 3009," not in found.detail


def my_number(body: int) -> str:
    """A 12-digit number whose last digit is the My Number check digit of the eleven before it."""
    digits = f"{body:011d}"
    total = sum(int(d) * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(digits), start=1))
    remainder = total % 11
    return digits + str(0 if remainder <= 1 else 11 - remainder)


def test_the_check_digit_is_the_one_the_ordinance_defines() -> None:
    from catalog.validation._identifiers import my_number_check_digit_passes

    assert my_number(12345678901) == "123456789018"  # the example every implementation is checked against
    assert my_number_check_digit_passes("123456789018") and my_number_check_digit_passes("1234 5678 9018")
    assert my_number_check_digit_passes("１２３４－５６７８－９０１８")
    assert not my_number_check_digit_passes("123456789012") and not my_number_check_digit_passes("12345678901")
    passing = sum(my_number_check_digit_passes(f"{n:012d}") for n in range(100_000_000_000, 100_000_100_000))
    assert 9_000 < passing < 11_000, "about one 12-digit number in ten passes by chance"


BODIES = [31415926535 + 7_919 * i for i in range(40)]


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    ("write", "shown"),
    [
        (lambda n: n, lambda n: f"**********{n[-2:]}"),
        (lambda n: f"{n[:4]}-{n[4:8]}-{n[8:]}", lambda n: f"****-****-**{n[-2:]}"),
        (lambda n: f"番号 {n[:4]} {n[4:8]} {n[8:]} です", lambda n: f"**** **** **{n[-2:]}"),
        (lambda n: n.translate(_FULL_WIDTH), lambda n: f"**********{n[-2:].translate(_FULL_WIDTH)}"),
    ],
    ids=["plain", "hyphens", "in-text", "full-width"],
)
def test_a_column_of_my_numbers_is_found_and_masked(write: Any, shown: Any) -> None:
    numbers = [my_number(body) for body in BODIES]
    found = check(anonymized("remark", ["ok", *map(write, numbers)]), "direct_identifiers")
    assert not found.passed
    assert found.detail.startswith("40 value(s) look like direct identifiers, in column(s) 'remark' (40)")
    assert f"line 3, column 'remark': 12-digit individual number (My Number) {shown(numbers[0])}" in found.detail
    assert numbers[0] not in re.sub(r"\D", "", unicodedata.normalize("NFKC", found.detail))


def test_my_numbers_are_judged_per_column_not_per_value() -> None:
    valid = [my_number(body) for body in BODIES[:20]]
    invalid = [n[:-1] + str((int(n[-1]) + 1) % 10) for n in valid]
    # Nine in ten pass: a real column with a few typing errors is still a My Number column.
    assert not check(anonymized("n", valid[:18] + invalid[:2]), "direct_identifiers").passed
    # Eight in ten do not: chance or a code of another kind.
    assert check(anonymized("n", valid[:16] + invalid[:4]), "direct_identifiers").passed
    # Too few different numbers to tell from chance (one in ten passes), however often each repeats.
    assert check(anonymized("n", valid[:2] * 30), "direct_identifiers").passed
    assert not check(anonymized("n", valid[:3]), "direct_identifiers").passed
    # One passing number among other text is a one-in-ten coincidence, not a My Number column.
    assert check(anonymized("remark", ["ok", valid[0], "fine", "done"]), "direct_identifiers").passed


def test_compact_timestamps_are_not_my_numbers_though_some_pass_the_check_digit() -> None:
    from catalog.validation._identifiers import my_number_check_digit_passes

    start = datetime(2024, 1, 1, tzinfo=UTC)
    times = [start + timedelta(minutes=7 * i) for i in range(500)]
    stamps = [f"{t:%Y%m%d%H%M}" for t in times]
    assert stamps[0] == "202401010000" and sum(map(my_number_check_digit_passes, stamps)) > 20
    csv_rows = "".join(f"{t.isoformat()},{stamp},{i}\n" for i, (t, stamp) in enumerate(zip(times, stamps, strict=True)))
    json_rows = "".join(
        json.dumps({"timestamp": t.isoformat(), "compact": int(s)}) + "\n" for t, s in zip(times, stamps, strict=True)
    )
    for report in (
        run("timestamp,compact,value\n" + csv_rows),
        run(json_rows, "jsonl"),
        anonymized("compact", stamps),
    ):
        assert check(report, "direct_identifiers").passed, check(report, "direct_identifiers").detail


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_iot_data_is_screened_for_identifiers_too(fmt: str) -> None:
    numbers = [my_number(body) for body in BODIES[:10]]
    rows = [
        {"timestamp": f"2024-01-01T00:{i:02d}:00+09:00", "owner": f"user{i}@example.com" if i == 4 else "", "card": n}
        for i, n in enumerate(numbers)
    ]
    if fmt == "csv":
        data = "timestamp,owner,card\n" + "".join(f"{r['timestamp']},{r['owner']},{r['card']}\n" for r in rows)
    else:  # a JSON number is as identifying as a string
        data = "".join(json.dumps({**r, "card": int(r["card"])}) + "\n" for r in rows)
    report = run(data, fmt)
    assert names(report) == CHECKS_IOT and not report.passed
    found = check(report, "direct_identifiers")
    assert not found.passed and check(report, "timestamp").passed
    assert "in column(s) 'owner' (1), 'card' (10)" in found.detail, found.detail
    assert "u***@example.com" in found.detail and numbers[0] not in found.detail


@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["taro@example.com", "03-1234-5678", "090 1234 5678", "123456789012", "+81-3-1234-5678", "x"]
            ),
            st.text(alphabet="0123456789 -()@.ab+０１２－ー（）　:/", max_size=24),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_candidate_cells_never_miss_a_match(cells: list[str]) -> None:
    candidates = candidate_cells("\x00".join(cells))
    matching = [i for i, cell in enumerate(cells) if IDENTIFIER.search(cell)]
    assert set(matching) <= set(candidates)


def test_candidate_cells_skip_dates_and_times() -> None:
    cells = ["ref 2024-03-12 10:00", "2024年3月31日", "taro@example.com", "０３－１２３４－５６７８", "1 03-1234-5678"]
    assert candidate_cells("\x00".join(cells)) == [2, 3, 4]


# --- k-anonymity ------------------------------------------------------------------------------------------


def test_k_anonymity_fails_with_small_groups() -> None:
    data = "age_band,prefecture\n" + "20-29,東京都\n" * 6 + "30-39,鳥取県\n" * 2 + "40-49,沖縄県\n"
    report = run(data, data_class="anonymized", quasi_identifiers=["age_band", "prefecture"], k=5)
    found = check(report, "k_anonymity")
    assert not found.passed and not report.passed
    assert found.detail.startswith(
        "k = 1 over (age_band, prefecture): 2 of 3 groups (3 rows) have fewer than 5 rows, "
        "e.g. ('40-49', '沖縄県') has 1 row; ('30-39', '鳥取県') has 2 rows."
    )


def test_k_anonymity_missing_and_undeclared_quasi_identifiers() -> None:
    missing = check(run(ANON_CSV, data_class="anonymized", quasi_identifiers=["age", "gender"]), "k_anonymity")
    assert not missing.passed and "not found in the file: 'age'" in missing.detail
    none = check(run(ANON_CSV, data_class="anonymized"), "k_anonymity")
    assert not none.passed and "declare at least one" in none.detail


def test_k_anonymity_jsonl_with_nested_and_missing_values() -> None:
    rows = [{"g": ["a", "b"], "x": 1}] * 3 + [{"x": 2}] * 3
    report = run(
        "".join(json.dumps(r) + "\n" for r in rows), fmt="jsonl", data_class="anonymized", quasi_identifiers=["g"], k=3
    )
    assert check(report, "k_anonymity").detail == "k = 3 over (g): all 2 groups have at least 3 rows."


def test_k_anonymity_counts_empty_csv_cells_as_a_group_of_their_own_on_either_path() -> None:
    data = ("band,pref\n" + ",\n" * 3 + "20-29,\n" * 2 + "20-29,東京都\n" * 5).encode()
    expected = (
        "k = 2 over (band, pref): 2 of 3 groups (5 rows) have fewer than 5 rows, e.g. ('20-29', '') has 2 rows; "
        "('', '') has 3 rows."
    )
    arrow = check(run(data, data_class="anonymized", quasi_identifiers=["band", "pref"]), "k_anonymity")
    hand_written = validate_stream(
        Trickle(data, 1 << 16),  # type: ignore[arg-type]
        fmt="csv",
        data_class="anonymized",
        quasi_identifiers=["band", "pref"],
    ).check("k_anonymity")
    assert arrow.detail.startswith(expected) and hand_written is not None and hand_written.detail == arrow.detail


def test_k_anonymity_counts_json_nulls_and_absent_keys_as_one_group() -> None:
    rows = [{"g": None}] * 2 + [{}] + [{"g": ""}] + [{"g": "a"}] * 5 + [{"g": 1}, {"g": True}, {"g": 1.0}]
    report = run(
        "".join(json.dumps(r) + "\n" for r in rows), fmt="jsonl", data_class="anonymized", quasi_identifiers=["g"]
    )
    assert check(report, "k_anonymity").detail.startswith(
        "k = 1 over (g): 3 of 4 groups (7 rows) have fewer than 5 rows, e.g. ('') has 1 row; (null) has 3 rows; "
        "('1') has 3 rows."  # 1, true and 1.0 are one group (Python's equality), shown by the first
    )


def test_k_anonymity_counts_parquet_nulls_and_nan_as_one_group() -> None:
    import pyarrow as pa

    nan = float("nan")
    table = pa.table(
        {
            "score": pa.array([nan, None, nan, 1.5, 1.5, 1.5, -0.0, 0.0]),
            "pref": pa.array(["", None, None, "東京都", "東京都", "東京都", "", ""]).dictionary_encode(),
        }
    )
    report = run(_parquet(table), fmt="parquet", data_class="anonymized", quasi_identifiers=["score", "pref"], k=3)
    # NaN is the null the rest of the report shows; -0.0 and 0.0 are one group, shown by the first.
    assert check(report, "k_anonymity").detail.startswith(
        "k = 1 over (score, pref): 3 of 4 groups (5 rows) have fewer than 3 rows, e.g. (null, '') has 1 row; "
        "(null, null) has 2 rows; ('-0.0', '') has 2 rows."
    )


# --- timestamps -------------------------------------------------------------------------------------------


def test_iot_without_timestamp_column_fails() -> None:
    report = run("sensor,value\nA,1\nB,2\n")
    found = check(report, "timestamp")
    assert not found.passed and found.detail.startswith("No timestamp column")
    assert report.time_range is None


def test_unparsable_timestamps_are_listed() -> None:
    data = "measured_at,v\n2024-01-01T00:00:00,1\n2024/01/02 10:00,2\n,3\nyesterday,4\n"
    found = check(run(data), "timestamp")
    assert not found.passed
    assert "timestamp column 'measured_at': 2 value(s) are not ISO 8601 date-times" in found.detail
    assert "line 3: '2024/01/02 10:00'" in found.detail and "line 5: 'yesterday'" in found.detail


def test_epoch_timestamps_get_a_hint() -> None:
    found = check(run("ts,v\n1704067200,1\n1704067210,2\n"), "timestamp")
    assert "Unix epoch" in found.detail


def test_naive_timestamps_are_reported_as_given() -> None:
    report = run("time,v\n2024-01-01 10:00:00,1\n2024-01-01 09:00:00,2\n")
    assert report.passed
    assert report.time_range == ("2024-01-01T09:00:00", "2024-01-01T10:00:00")


def test_mixed_naive_and_aware_timestamps_fail() -> None:
    found = check(run("timestamp,v\n2024-01-01T10:00:00,1\n2024-01-01T09:00:00+09:00,2\n"), "timestamp")
    assert not found.passed and "mixes values with a UTC offset" in found.detail


def test_exact_timestamp_name_is_preferred_and_fallback_is_first_datetime_column() -> None:
    report = run("ts,timestamp\n2024-01-01T00:00:00,2025-01-01T00:00:00\n")
    assert "'timestamp'" in check(report, "timestamp").detail
    report = run("id,when,until\n1,2024-01-01T00:00:00,2025-01-01T00:00:00\n")
    assert "'when'" in check(report, "timestamp").detail and report.passed


def test_offsets_are_compared_as_instants() -> None:
    report = run("timestamp,v\n2024-01-01T09:00:00+09:00,1\n2024-01-01T01:00:00+00:00,2\n2024-01-01T00:30:00Z,3\n")
    assert report.time_range == ("2024-01-01T09:00:00+09:00", "2024-01-01T01:00:00+00:00")


@given(
    st.lists(
        st.datetimes(min_value=_NAIVE_2000, max_value=_NAIVE_2030),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["seconds", "milliseconds"]),
    st.sampled_from([None, UTC, timezone(timedelta(hours=9))]),
)
def test_text_extremes_equal_time_extremes(values: list[datetime], spec: str, tz: timezone | None) -> None:
    texts = [v.replace(tzinfo=tz).isoformat(timespec=spec) for v in values]
    extremes = _text_extremes(texts)
    assert extremes is not None
    parsed = [datetime.fromisoformat(t) for t in texts]
    assert datetime.fromisoformat(extremes[0]) == min(parsed)
    assert datetime.fromisoformat(extremes[1]) == max(parsed)


def test_text_extremes_refuse_mixed_formats() -> None:
    assert _text_extremes(["2024-01-01T00:00:00+09:00", "2024-01-01T00:00:00+00:00"]) is None
    assert _text_extremes(["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.5Z"]) is None


# --- arguments and report -----------------------------------------------------------------------------------


def test_invalid_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="fmt"):
        run("a\n1\n", fmt="xlsx")
    with pytest.raises(ValueError, match="data_class"):
        run("a\n1\n", data_class="personal")
    with pytest.raises(TypeError, match="quasi_identifiers"):
        run("a\n1\n", data_class="anonymized", quasi_identifiers="a")
    with pytest.raises(ValueError, match="k and max_reported_errors"):
        run("a\n1\n", k=0)


def test_report_refuses_an_inconsistent_verdict() -> None:
    with pytest.raises(ValueError, match="passed"):
        ValidationReport(
            passed=True,
            row_count=0,
            schema=[],
            checks=[Check("encoding", False, "x")],
            sample={"columns": [], "rows": []},
            time_range=None,
        )


# --- streaming invariants ---------------------------------------------------------------------------------


def test_short_reads_give_the_same_report() -> None:
    data = (IOT_CSV + '2024-04-01T00:00:00+09:00,S-9,1,2,true,"multi\nline, note"\nbad,row\n').encode()
    whole = run(data)
    trickled = validate_stream(Trickle(data, step=3), fmt="csv", data_class="iot")  # type: ignore[arg-type]
    assert trickled == whole
    assert "line 8: 2 fields instead of 6" in check(whole, "parse").detail


def test_large_file_with_quotes_across_blocks_matches_csv_module() -> None:
    # Several blocks, quoted records (some over two lines) everywhere, a ragged row near the end.
    rows = []
    for i in range(60_000):
        note = f'"n{i}, with ""comma"""' if i % 7 == 0 else ('"two\nlines"' if i % 997 == 0 else f"n{i}")
        rows.append(f"2024-01-01T00:00:00,{i},{note}")
    rows.append("2024-01-01T00:00:00,1")
    text = "timestamp,i,note\n" + "\n".join(rows) + "\n"
    report = run(text)
    expected = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert report.row_count == len(expected)
    physical_line_of_last = text.count("\n")
    assert f"line {physical_line_of_last}: 2 fields instead of 3" in check(report, "parse").detail
    assert types_of(report) == {"timestamp": "datetime", "i": "integer", "note": "string"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), min_size=1, max_size=5, unique=True),
    st.data(),
)
def test_random_tables_round_trip(columns: list[str], data: st.DataObject) -> None:
    cell = st.one_of(
        st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12),
        st.integers().map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.sampled_from(["true", "FALSE", "", "2024-01-01", "2024-01-01T00:00:00+09:00", '"', "a,b", "x\ny"]),
    )
    rows = data.draw(st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns)), max_size=30))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=data.draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(columns)
    writer.writerows(rows)
    raw = out.getvalue().encode()
    report = run(raw)
    # The csv module's own reading is the reference (its writer leaves a lone "\r" unquoted, which its
    # reader then takes for a line break).
    records = list(csv.reader(io.StringIO(out.getvalue(), newline="")))[1:]
    assert report.row_count == len([row for row in records if row])
    if not any("\r" in value for row in rows for value in row):
        assert report.row_count == len(rows)
    assert [c["name"] for c in report.schema] == columns
    assert check(report, "parse").passed == (bool(rows) and all(len(row) == len(columns) for row in records if row))
    trickled = validate_stream(Trickle(raw, step=5), fmt="csv", data_class="iot")  # type: ignore[arg-type]
    assert trickled == report


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab,1\n\r\x01 ", max_size=60), st.integers(min_value=1, max_value=4))
def test_split_plain_agrees_with_csv_module(text: str, ncols: int) -> None:
    columns = split_plain(text, ncols)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if columns is not None:
        assert [list(row) for row in zip(*columns, strict=True)] == rows
        assert all(len(row) == ncols for row in rows)
    elif "\x01" not in text and all(len(row) == ncols for row in rows):
        # Declining is only allowed when there are blank lines, which the csv module skips.
        body = text.replace("\r\n", "\n").replace("\r", "\n").removesuffix("\n")
        assert not body or body.startswith("\n") or body.endswith("\n") or "\n\n" in body


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["csv", "jsonl"]), st.sampled_from(["iot", "anonymized"]))
def test_arbitrary_bytes_never_raise(data: bytes, fmt: str, data_class: str) -> None:
    report = run(data, fmt=fmt, data_class=data_class, quasi_identifiers=["a"])
    assert report.passed == all(c.passed for c in report.checks)
    assert report.checks[0].name == "encoding"
    json.dumps(report.to_dict())


def test_fully_quoted_csv_fast_path_keeps_line_numbers() -> None:
    text = '"timestamp","note"\n"2024-01-01T00:00:00","a\rb"\n"2024-01-01T00:00:01","c,d"\n'
    report = run(text + '"2024-01-01T00:00:02"\n')
    assert report.row_count == 3
    assert "line 5: 1 fields instead of 2" in check(report, "parse").detail
    assert report.sample["rows"][:2] == [["2024-01-01T00:00:00", "a\rb"], ["2024-01-01T00:00:01", "c,d"]]


def test_findings_in_later_blocks_are_listed_in_line_order() -> None:
    # From the second block on, quoted lines are parsed after the others; reports stay in line order.
    rows = []
    for i in range(60_000):
        if i in (40_000, 40_010):
            rows.append(f'20-29,"mail, user{i}@example.com"')
        elif i in (40_005, 40_020):
            rows.append(f"20-29,plain user{i}@example.com")
        elif i in (40_001, 40_006):
            rows.append(f'20-29,"bad","row{i}"' if i == 40_001 else "20-29,x,y")
        else:
            rows.append(f'20-29,"note, {i}"' if i % 3 == 0 else f"20-29,note {i}")
    report = run("age_band,comment\n" + "\n".join(rows) + "\n", data_class="anonymized", quasi_identifiers=["age_band"])
    found = check(report, "direct_identifiers").detail
    lines = [int(n) for n in re.findall(r"line (\d+), column", found)]
    assert lines == [40_002, 40_007, 40_012, 40_022]
    parse = check(report, "parse").detail
    assert "line 40003: 3 fields instead of 2; line 40008: 3 fields instead of 2" in parse


def test_identifier_columns_are_listed_in_the_files_order_whatever_the_blocks() -> None:
    # The second column's first hit comes before the first column's: a read in small blocks finds it first.
    data = "d,e\nplain,someone@example.com\n" + "plain,x\n" * 3 + "other@example.com,y\n"
    whole = run(data)
    trickled = validate_stream(Trickle(data.encode(), step=5), fmt="csv", data_class="iot")  # type: ignore[arg-type]
    assert "in column(s) 'd' (1), 'e' (1)" in check(whole, "direct_identifiers").detail
    assert trickled == whole


# --- the Arrow path and the hand-written reader agree -----------------------------------------------------

_CELLS = [
    "", "0", "007", "-1", "+5", "-", "1.5", ".5", "5.", "1e5", "1_000", "inf", "true", "FALSE", "yes",
    "2024-01-01", "2024-02-30", "2024-01-01T00:00", "2024-01-01 00:00:00+09:00", "2024-01-01T00:00:00Z",
    "2024-01-01T00:00+09", "2024-01-01T00:00:00.1234567", "2024-01-01T0000", "2024-01-01T24:00",
    "090-1234-5678", "０９０−１２３４−５６７８", "a.b@example.jp", "123456789012", "202401011230", "abc", "東京",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(st.sampled_from(_CELLS), min_size=3, max_size=3), min_size=1, max_size=25),
    st.sampled_from([["timestamp", "phone", "v"], ["at", "b", "c"]]),
    st.sampled_from(["iot", "anonymized"]),
)
def test_arrow_path_reports_what_the_hand_written_reader_reports(
    rows: list[list[str]], header: list[str], data_class: str
) -> None:
    """A seekable stream of a plain CSV is validated by Arrow's path, a stream that cannot seek by the hand-written
    reader: the reports are the same, value for value."""
    data = (",".join(header) + "\n" + "".join(",".join(row) + "\n" for row in rows)).encode()
    options: dict[str, Any] = {"fmt": "csv", "data_class": data_class, "quasi_identifiers": header[1:2], "k": 2}
    arrow = validate_stream(io.BytesIO(data), **options)
    hand_written = validate_stream(Trickle(data, step=1 << 16), **options)  # type: ignore[arg-type]
    assert arrow.to_dict() == hand_written.to_dict()


def test_arrow_path_takes_plain_files_and_hands_over_the_rest() -> None:
    from catalog.validation import Limits
    from catalog.validation._arrow_csv import ArrowCsvValidation, Irregular

    def arrow(data: bytes) -> ValidationReport:
        options: dict[str, Any] = {"fmt": "csv", "data_class": "iot", "quasi_identifiers": [], "k": 5}
        options |= {"sample_rows": 20, "max_errors": 20, "limits": Limits(), "spill_dir": None}
        return ArrowCsvValidation(io.BytesIO(data), **options).run()

    plain = b"timestamp,v\n2024-01-01T00:00:00+09:00,1.5\n2024-01-01T00:10:00+09:00,2\n"
    assert arrow(plain).to_dict() == run(plain).to_dict()
    sjis = "timestamp,場所\n2024-01-01T00:00:00,東京\n2024-01-01T00:10:00,大阪\n".encode("cp932")
    trickled = validate_stream(Trickle(sjis, 3), fmt="csv", data_class="iot")  # type: ignore[arg-type]
    assert arrow(sjis).to_dict() == trickled.to_dict()
    assert check(arrow(sjis), "encoding").detail == "Shift_JIS (cp932)."
    assert arrow(plain).time_range == ("2024-01-01T00:00:00+09:00", "2024-01-01T00:10:00+09:00")
    for well_formed in (
        plain.replace(b"1.5", b'"1.5"'),  # a quote
        plain.replace(b"\n", b"\r\n"),  # carriage returns
        plain + b"\n",  # a blank line
        b"\xef\xbb\xbf" + plain,  # a byte-order mark
        plain + b'2024-01-01T00:20:00+09:00,"3,5 ""a"" b\r\nc"\r',  # a quoted field over lines, no final break
    ):
        trickled = validate_stream(Trickle(well_formed, 1 << 16), fmt="csv", data_class="iot")  # type: ignore[arg-type]
        assert arrow(well_formed).to_dict() == trickled.to_dict()
    for irregular in (
        plain + b"2024-01-01T00:20:00+09:00\n",  # a ragged record
        plain + b'2024-01-01T00:20:00+09:00,"1"2\n',  # text after a closing quote (Arrow alone reads "12")
        plain + b'2024-01-01T00:20:00+09:00,"never closed\n',  # Arrow alone takes the rest of the file
        "timestamp,場所\n2024-01-01T00:00:00,東京\n".encode("euc_jp"),  # neither UTF-8 nor cp932
        b"timestamp,v\n",  # no data rows
    ):
        with pytest.raises(Irregular):
            arrow(irregular)
        trickled = validate_stream(Trickle(irregular, 1 << 16), fmt="csv", data_class="iot")  # type: ignore[arg-type]
        assert run(irregular).to_dict() == trickled.to_dict()


def test_arrow_path_checks_utf8_across_chunks() -> None:
    """Arrow's path checks UTF-8 itself, a chunk at a time: a character cut by a chunk's end is whole in the next, a
    bad byte past the first chunk or a file ending inside a character is handed to the hand-written reader, and the
    reports are the hand-written reader's."""
    from catalog.validation import Limits
    from catalog.validation._arrow_csv import BLOCK_BYTES, ArrowCsvValidation, Irregular

    row = "2024-01-01T00:00:00,東京\n".encode()
    prefix = b"timestamp,place\n" + row * (BLOCK_BYTES // len(row) - 2)
    # A row of ASCII long enough that the next row's first kanji starts a byte before the first chunk's end.
    filler = BLOCK_BYTES - 1 - len(b"2024-01-01T00:00:00,") - len(prefix)
    body = prefix + b"2024-01-01T00:00:00," + b"x" * (filler - 21) + b"\n" + row * 3
    assert body[BLOCK_BYTES - 1 : BLOCK_BYTES + 2] == "東".encode(), "a character across the first chunk's end"
    for data, passed in (
        (body, True),
        (body + "2024-01-02T00:00:00,\xe6\x9d\n".encode("latin-1"), False),  # a bad byte two chunks in
        (body + "2024-01-02T00:00:00,東".encode()[:-1], False),  # the file ends inside a character
    ):
        options: dict[str, Any] = {"fmt": "csv", "data_class": "iot", "quasi_identifiers": [], "k": 5}
        options |= {"sample_rows": 20, "max_errors": 20, "limits": Limits(), "spill_dir": None}
        if passed:
            ArrowCsvValidation(io.BytesIO(data), **options).run()  # taken by Arrow's path, not handed over
        else:
            with pytest.raises(Irregular):
                ArrowCsvValidation(io.BytesIO(data), **options).run()
        report = run(data)
        trickled = validate_stream(Trickle(data, 1 << 16), fmt="csv", data_class="iot")  # type: ignore[arg-type]
        assert report.to_dict() == trickled.to_dict()
        assert check(report, "encoding").passed is passed


_QUOTED_CELLS = [
    "", "1", "a,b", 'say "hi"', "two\nlines", "cr\r\nlf", '"', "090-1234-5678", "x@example.com",
    "2024-01-01T00:00:00+09:00", "東京, 大阪",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(st.sampled_from(_QUOTED_CELLS), min_size=3, max_size=3), min_size=1, max_size=20),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from(["", "blank", "ragged", "after-quote", "unclosed", "bom", "cp932"]),
    st.sampled_from(["iot", "anonymized"]),
)
def test_arrow_path_reports_what_the_hand_written_reader_reports_for_quoted_files(
    rows: list[list[str]], newline: str, twist: str, data_class: str
) -> None:
    """Quoted fields (commas, quotes, line breaks inside), CRLF, blank lines, a byte-order mark, cp932, and broken
    files that Arrow alone would read leniently: Arrow's path and the hand-written reader report the same."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(["timestamp", "phone", "v"])
    writer.writerows(rows)
    text = out.getvalue()
    if twist == "blank":
        text = text.replace(newline, newline + newline, 2)
    elif twist == "ragged":
        text += "1,2" + newline
    elif twist == "after-quote":
        text += '"a"b,1,2' + newline
    elif twist == "unclosed":
        text += '1,2,"open' + newline
    data = text.encode("cp932" if twist == "cp932" else "utf-8")
    if twist == "bom":
        data = b"\xef\xbb\xbf" + data
    options: dict[str, Any] = {"fmt": "csv", "data_class": data_class, "quasi_identifiers": ["phone"], "k": 2}
    arrow = validate_stream(io.BytesIO(data), **options)
    hand_written = validate_stream(Trickle(data, step=1 << 16), **options)  # type: ignore[arg-type]
    assert arrow.to_dict() == hand_written.to_dict()


# --- Parquet ------------------------------------------------------------------------------------------------


def _parquet(table: Any) -> bytes:
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def test_parquet_text_that_cannot_be_stored_fails_parse_and_is_never_sampled() -> None:
    import pyarrow as pa

    report = run(_parquet(pa.table({"a\x00b": [1, 2]})), fmt="parquet")
    assert names(report) == ["encoding", "parse"] and report.sample == {"columns": [], "rows": []}
    assert "names of column(s) 1 hold characters that are not text" in check(report, "parse").detail
    report = run(
        _parquet(pa.table({"timestamp": ["2024-01-01T00:00:00"] * 2, "note": ["ok", "a\x00b"]})), fmt="parquet"
    )
    assert not report.passed
    assert (
        check(report, "parse").detail
        == "1 row(s) hold values that are not text: line 2: column 'note' holds a NUL character (\\u0000)."
    )


def test_parquet_identifiers_and_timestamps_are_those_of_the_text_formats() -> None:
    """The same rows as CSV and as Parquet give the same identifier verdict (My Numbers judged per column) and the
    same time range."""
    import pyarrow as pa

    rows = 30
    timestamps = [f"2024-04-01T{i // 6:02d}:{(i % 6) * 10:02d}:00+09:00" for i in range(rows)]
    compact = [int(f"2024040{1 + i // 24}{i % 24:02d}{(i * 7) % 60:02d}") for i in range(rows)]
    phones = [f"090-1234-{5600 + i}" for i in range(rows)]
    table = pa.table(
        {
            "timestamp": pa.array([datetime.fromisoformat(t) for t in timestamps], pa.timestamp("s", tz="+09:00")),
            "read_at": compact,
            "contact": phones,
        }
    )
    text = "timestamp,read_at,contact\n" + "".join(
        f"{t},{c},{p}\n" for t, c, p in zip(timestamps, compact, phones, strict=True)
    )
    as_parquet, as_csv = run(_parquet(table), fmt="parquet"), run(text)
    # Only the lines differ: a Parquet file's "line" is its row, the first row being line 1.
    assert check(as_parquet, "direct_identifiers").detail == check(as_csv, "direct_identifiers").detail.replace(
        "line 2,", "line 1,"
    ).replace("line 3,", "line 2,").replace("line 4,", "line 3,").replace("line 5,", "line 4,").replace(
        "line 6,", "line 5,"
    )
    assert "in column(s) 'contact' (30)" in check(as_parquet, "direct_identifiers").detail
    assert "read_at" not in check(as_parquet, "direct_identifiers").detail
    assert as_parquet.time_range == as_csv.time_range == ("2024-04-01T00:00:00+09:00", "2024-04-01T04:50:00+09:00")


@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["taro@example.com", "03-1234-5678", "090 1234 5678", "123456789012", "+81-3-1234-5678", "x", ""]
            ),
            st.text(alphabet="0123456789 -()@.ab+０１２－ー（）　:/\u2212\u2013", max_size=24),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_arrow_identifier_candidates_never_miss_a_match(cells: list[str]) -> None:
    """The kernels' candidates (on the column's text end to end, then cell by cell) hold every cell the scanner's
    patterns match, in a phone column too."""
    import pyarrow as pa

    from catalog.validation._identifiers import IDENTIFIER_IN_PHONE_COLUMN
    from catalog.validation._parquet import identifier_candidates

    for column in (pa.array(cells, pa.string()), pa.array(["pad", *cells], pa.large_string()).slice(1)):
        candidates = set(identifier_candidates(column).to_pylist())
        matching = {i for i, cell in enumerate(cells) if IDENTIFIER_IN_PHONE_COLUMN.search(cell)}
        assert matching <= candidates


_JSON_VALUES = [
    None, 0, 7, -12, 123456789012, 2**70, 1.5, 0.123456789012, 1e17, 123456789.5, 1.2345678901234e15,
    1.23456789012e-05, 3.14159265358979, True, False, "", "x", "123",
    "2024-01-01", "2024-02-30", "2024-01-01T00:00:00+09:00", "2024-01-01 10:00", "090-1234-5678", "a.b@example.jp",
    "東京", "say \"hi\"\n", ["x"], {"fw": "1.2"},
]  # fmt: skip


# Values of one JSON type per key, so that most files are read by Arrow's path (a key of mixed types is handed over).
_TYPED_ROWS = st.fixed_dictionaries(
    {},
    optional={
        "timestamp": st.sampled_from(["2024-01-01T00:00:00+09:00", "2024-01-01 10:00", "2024-02-30", "", None]),
        "phone": st.sampled_from(["090-1234-5678", "x", "a.b@example.jp", "東京", 'say "hi"\n', "123456789012"]),
        "v": st.sampled_from([0, 7, -12, 123456789012, 202401011230, None]),
        "w": st.sampled_from([1.5, 0.123456789012, 1e17, 123456789.5, 1.2345678901234e15, 1.23456789012e-05, 2]),
        "ok": st.sampled_from([True, False, None]),
        "day": st.sampled_from(["2024-01-01", "2023-02-29", "2024-12-31"]),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            _TYPED_ROWS,
            st.dictionaries(
                st.sampled_from(["timestamp", "phone", "v", "w"]), st.sampled_from(_JSON_VALUES), max_size=4
            ),
        ),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from(["", "blank", "two-on-a-line", "bad", "nan", "bom", "crlf", "surrogate", "no-final-break"]),
    st.sampled_from(["iot", "anonymized"]),
)
def test_arrow_path_reports_what_the_hand_written_reader_reports_for_json_lines(
    rows: list[dict[str, Any]], twist: str, data_class: str
) -> None:
    """JSON Lines read by Arrow's path and by the hand-written reader give the same report, value for value."""
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    if twist == "blank":
        lines.insert(len(lines) // 2, "  ")
    elif twist == "two-on-a-line":
        lines[-1] += lines[0]
    elif twist == "bad":
        lines.append('{"v": 1,}')
    elif twist == "nan":
        lines.append('{"v": NaN}')
    elif twist == "surrogate":
        lines.append('{"v": "\\ud800"}')
    text = ("\r\n" if twist == "crlf" else "\n").join(lines) + ("" if twist == "no-final-break" else "\n")
    data = (b"\xef\xbb\xbf" if twist == "bom" else b"") + text.encode()
    options: dict[str, Any] = {"fmt": "jsonl", "data_class": data_class, "quasi_identifiers": ["phone"], "k": 2}
    arrow = validate_stream(io.BytesIO(data), **options)
    hand_written = validate_stream(Trickle(data, step=1 << 16), **options)  # type: ignore[arg-type]
    assert arrow.to_dict() == hand_written.to_dict()


def test_arrow_path_reads_json_lines_and_hands_over_the_rest() -> None:
    from catalog.validation._arrow_csv import Irregular
    from catalog.validation._arrow_jsonl import ArrowJsonlValidation

    def arrow(data: bytes) -> ValidationReport:
        options: dict[str, Any] = {"fmt": "jsonl", "data_class": "iot", "quasi_identifiers": [], "k": 5}
        options |= {"sample_rows": 20, "max_errors": 20, "limits": Limits(), "spill_dir": None}
        return ArrowJsonlValidation(io.BytesIO(data), **options).run()

    rows = [{"timestamp": f"2024-01-01T00:{i:02d}:00+09:00", "v": i * 1.5, "n": i, "ok": i % 2 == 0} for i in range(60)]
    rows[3]["owner"] = "taro@example.com"
    plain = "".join(json.dumps(row) + "\n" for row in rows).encode()
    report = arrow(plain)
    trickled = validate_stream(Trickle(plain, 1 << 16), fmt="jsonl", data_class="iot")  # type: ignore[arg-type]
    assert report.to_dict() == trickled.to_dict()
    assert "line 4, column 'owner': e-mail address" in check(report, "direct_identifiers").detail
    large = plain * 300  # past the first chunk, whose keys and types are the schema
    for irregular in (
        plain + b"\n",  # a blank line
        large + b'{"timestamp": "2024-01-02T00:00:00+09:00", "n": 1.5}\n',  # a fraction in a column of integers
        large + b'{"timestamp": "2024-01-02T00:00:00+09:00", "late": 1}\n',  # a key the first chunk did not show
        plain + b'{"timestamp": "2024-01-02T00:00:00+09:00"}{"n": 1}\n',  # two objects on one line
    ):
        with pytest.raises(Irregular):
            arrow(irregular)
