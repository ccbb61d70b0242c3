"""The list envelope (docs/api.md#pagination: ``{"results": [...], "next": url|null}``) and its query parameters,
with the checks of a list's filters every API module uses (``query_int``, ``query_choice``, ``query_uuid``).

DRF reads ``page_size``, ``limit`` and ``offset`` leniently: a value that is not a whole number, or is out of
range, silently becomes the default (or the maximum). Here each is a 400 problem naming the parameter, so a
client's typo never looks like a short page; the OpenAPI document states the same bounds. An empty value
counts as absent, as it does for every other query parameter of the API.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

MAX_PAGE_SIZE = 200
_DAMAGED_CURSOR = "Not a cursor this list handed out: follow the list's next link as it is."


def query_choice(request: Request, name: str, choices: Sequence[str]) -> str:
    """Query parameter ``name`` if it is one of ``choices``; "" when absent or empty; else a 400 naming it."""
    value = request.query_params.get(name, "")
    if value and value not in choices:
        raise ValidationError({name: [f"Must be one of: {', '.join(choices)}."]})
    return value


def query_uuid(request: Request, name: str) -> uuid.UUID | None:
    """Query parameter ``name`` as an id (bare or ``urn:uuid:``); None when absent or empty; else a 400 naming it."""
    value = request.query_params.get(name, "")
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError({name: [f"Must be a {name} id."]}) from None


def query_int(request: Request, name: str, *, minimum: int, maximum: int | None = None) -> int | None:
    """Query parameter ``name`` as a whole number within its bounds; None when absent or empty.

    ASCII digits only: ``int()`` would also take ``" 5"``, ``"+5"``, ``"1_0"`` and other scripts' digits.
    """
    value = request.query_params.get(name, "")
    if not value:
        return None
    number: int | None = None
    if value.isascii() and value.isdigit():
        try:
            number = int(value)
        except ValueError:  # more digits than int() parses: out of any range
            number = None
    if number is None or number < minimum or (maximum is not None and number > maximum):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"of {minimum} or more"
        raise ValidationError({name: [f"Must be a whole number {bounds}."]})
    return number


def _with_bounds(
    parameters: list[dict[str, Any]], bounds: Mapping[str, Mapping[str, int | None]]
) -> list[dict[str, Any]]:
    """DRF's parameter descriptions, each integer one with its bounds and default stated."""
    for parameter in parameters:
        stated = {key: value for key, value in bounds.get(parameter["name"], {}).items() if value is not None}
        parameter["schema"] = {**parameter["schema"], **stated}
    return parameters


class _Envelope:
    """The list envelope for a DRF pagination class (mixed in before it)."""

    def get_paginated_response(self, data: Any) -> Response:
        links: Any = self  # mixed into a DRF pagination class, which has the links
        return Response(
            OrderedDict([("results", data), ("next", links.get_next_link()), ("previous", links.get_previous_link())])
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
            },
        }


class CreatedCursorPagination(_Envelope, CursorPagination):
    """``{"results": [...], "next": url|null, "previous": url|null}``, newest first.

    Cursor (not offset) pagination: stable under concurrent inserts and O(1) deep into a list.
    """

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def decode_cursor(self, request: Request) -> Any:
        """The cursor, or a 400 naming it. Every list here is ordered by a time first, so a position must be a
        time that has a UTC equivalent; the databases would otherwise disagree on one at the edge of the calendar
        (SQLite's conversion overflows where PostgreSQL's does not)."""
        try:
            cursor = super().decode_cursor(request)
            if cursor is not None and cursor.position is not None:
                datetime.fromisoformat(str(cursor.position)).astimezone(UTC)
        except (NotFound, ValueError, OverflowError):  # NotFound: DRF's answer to a damaged cursor
            raise ValidationError({self.cursor_query_param: [_DAMAGED_CURSOR]}) from None
        return cursor

    def get_page_size(self, request: Request) -> int | None:
        if not self.page_size_query_param:
            return self.page_size
        asked = query_int(request, self.page_size_query_param, minimum=1, maximum=self.max_page_size)
        return self.page_size if asked is None else asked

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        bounds = {"minimum": 1, "maximum": self.max_page_size, "default": self.page_size}
        return _with_bounds(super().get_schema_operation_parameters(view), {str(self.page_size_query_param): bounds})


class OffsetPagination(_Envelope, LimitOffsetPagination):
    """``limit`` and ``offset``, for lists with no stable row id to put in a cursor (aggregates); same envelope."""

    default_limit = 50
    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request: Request) -> int | None:
        asked = query_int(request, self.limit_query_param, minimum=1, maximum=self.max_limit)
        return self.default_limit if asked is None else asked

    def get_offset(self, request: Request) -> int:
        # Past the end is an empty page, not an error (the count is read first, so no huge OFFSET reaches SQL).
        return query_int(request, self.offset_query_param, minimum=0) or 0

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit, "default": self.default_limit},
            self.offset_query_param: {"minimum": 0, "default": 0},
        }
        return _with_bounds(super().get_schema_operation_parameters(view), bounds)


def whole_list(data: Any) -> Response:
    """A list short enough to be served whole, in the envelope every list has: ``next`` is null."""
    return Response(OrderedDict([("results", data), ("next", None)]))


def whole_list_schema(serializer: type[serializers.Serializer[Any]], name: str) -> Any:
    """The OpenAPI response of ``whole_list`` of ``serializer``'s objects (component ``name``)."""
    return inline_serializer(
        name=name,
        fields={"results": serializer(many=True), "next": serializers.URLField(allow_null=True)},
    )
