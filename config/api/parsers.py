"""The API's JSON parser: DRF's, refusing with a 400 what it would otherwise let through to a 500."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from config.errors import PayloadTooLarge
from config.text import unstorable_text

# Far beyond any body the API takes (an offering's terms nest three levels), far below Python's recursion limit.
MAX_DEPTH = 32


class JSONParser(parsers.JSONParser):
    """As DRF's, refusing a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MiB: an API body is a few KiB; data
    files are uploaded as multipart, which streams them to disk) with a 413 before parsing it, and also a parse
    error (``/problems/malformed``):

    - JSON nested more than ``MAX_DEPTH`` levels deep. Python's parser recurses (DRF turns only ``ValueError``
      into a parse error), and so does code that copies or normalises what it parsed (an offering's terms);
    - a string or key holding a lone surrogate or U+0000, at any depth: neither can be encoded in a response
      nor stored in PostgreSQL. DRF's ``CharField`` refuses both; the contents of a JSON field (an offering's
      terms, say) never reach such a field."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            body = stream.read(limit + 1)  # whatever Content-Length says (or if there is none, chunked)
            if len(body) > limit:
                raise body_too_large()
            stream = io.BytesIO(body)
        try:
            data = super().parse(stream, media_type, parser_context)
            too_deep = _deeper_than(data, MAX_DEPTH)
        except RecursionError:  # deeper than Python's parser goes
            too_deep = True
        if too_deep:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.")
        found = unstorable_text(data)
        if found is not None:
            raise ParseError(f"JSON parse error - a string holds {found}, which is not storable text.")
        return data


def body_too_large() -> PayloadTooLarge:
    """The 413 of a body read whole that is over ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    return PayloadTooLarge(f"A JSON body may be at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes.")


def _deeper_than(value: Any, limit: int) -> bool:
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False
