"""Byte-range parsing of the download endpoint (pure; RFC 9110 §14)."""

from __future__ import annotations

import pytest

from settlement.api.ranges import ByteRange, Unsatisfiable, if_range_allows, parse_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=10-", ByteRange(10, 99)),
        ("bytes=-10", ByteRange(90, 99)),
        ("bytes=-1000", ByteRange(0, 99)),
        ("bytes=50-1000", ByteRange(50, 99)),
        ("Bytes = 5 - 6", ByteRange(5, 6)),
        ("bytes=9-3", None),  # invalid: ignored
        ("bytes=-", None),
        ("bytes=a-b", None),
        ("bytes=0-1,5-6", None),  # several: the whole file
        ("lines=0-1", None),
        ("bytes=" + "9" * 40 + "-", None),
    ],
)
def test_parse(header: str | None, expected: ByteRange | None) -> None:
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=100-200", "bytes=-0"])
def test_unsatisfiable(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, 100)


def test_an_empty_file_has_no_satisfiable_range() -> None:
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=-5", 0)
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=0-", 0)


def test_content_range_and_length() -> None:
    assert ByteRange(10, 19).length == 10
    assert ByteRange(10, 19).content_range(100) == "bytes 10-19/100"


def test_if_range() -> None:
    assert if_range_allows(None, '"abc"')
    assert if_range_allows('"abc"', '"abc"')
    assert not if_range_allows('W/"abc"', '"abc"')
    assert not if_range_allows("Wed, 21 Oct 2015 07:28:00 GMT", '"abc"')
