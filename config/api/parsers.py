"""The API's JSON parser: DRF's, refusing with a 400 what it would otherwise let through to a 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from config.text import unstorable_text


class JSONParser(parsers.JSONParser):
    """As DRF's, and also a parse error (``/problems/malformed``):

    - JSON nested deeper than Python's parser recurses (DRF turns only ``ValueError`` into a parse error);
    - a string or key holding a lone surrogate or U+0000, at any depth: neither can be encoded in a response
      nor stored in PostgreSQL. DRF's ``CharField`` refuses both; the contents of a JSON field (an offering's
      terms, say) never reach such a field."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc
        found = unstorable_text(data)
        if found is not None:
            raise ParseError(f"JSON parse error - a string holds {found}, which is not storable text.")
        return data
