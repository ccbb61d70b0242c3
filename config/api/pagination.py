from __future__ import annotations

from collections import OrderedDict
from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response


class CreatedCursorPagination(CursorPagination):
    """``{"results": [...], "next": url|null, "previous": url|null}``, newest first.

    Cursor (not offset) pagination: stable under concurrent inserts and O(1) deep into a list.
    """

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            OrderedDict([("results", data), ("next", self.get_next_link()), ("previous", self.get_previous_link())])
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


def whole_list(data: Any) -> Response:
    """A list short enough to be served whole, in the envelope every list has: ``next`` is null."""
    return Response(OrderedDict([("results", data), ("next", None)]))


def whole_list_schema(serializer: type[serializers.Serializer[Any]], name: str) -> Any:
    """The OpenAPI response of ``whole_list`` of ``serializer``'s objects (component ``name``)."""
    return inline_serializer(
        name=name,
        fields={"results": serializer(many=True), "next": serializers.URLField(allow_null=True)},
    )
