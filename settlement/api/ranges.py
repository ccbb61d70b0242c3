"""HTTP byte ranges (RFC 9110 §14) for the download endpoint: pure functions, no Django.

Policy:
* one range (``a-b``, ``a-``, ``-N``) → 206 with ``Content-Range``; an end past the file is clamped;
* a syntactically invalid header, another unit, or several ranges → the header is ignored and the whole
  file is served with 200 (RFC 9110 lets a server ignore Range; downloaders resume with one range);
* a well-formed single range that starts past the end (or ``-0``) → 416 with ``Content-Range: bytes */size``;
* ``If-Range`` applies the range only when it equals the strong ETag; a date or another tag → 200 full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")
# More digits than any file size needs: refuse to build huge integers from a hostile header.
_MAX_DIGITS = 19


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class Unsatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single range to serve, None for the whole file; raises ``Unsatisfiable`` for a 416."""
    if not header:
        return None
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes" or not specs:
        return None
    parts = specs.split(",")
    if len(parts) != 1:
        return None
    match = _SPEC.match(parts[0])
    if match is None:
        return None
    first, last = match.groups()
    if len(first) > _MAX_DIGITS or len(last) > _MAX_DIGITS:
        return None
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(start=max(size - suffix, 0), end=size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid: ignore the header
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start=start, end=min(end, size - 1))


def if_range_allows(header: str | None, etag: str) -> bool:
    """Whether ``Range`` may be honoured: no ``If-Range``, or one equal to our strong ETag."""
    if header is None:
        return True
    return header.strip() == etag
