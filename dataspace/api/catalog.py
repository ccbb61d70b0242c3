"""``GET /catalog``: the DCAT-AP 3 catalog of the published datasets, for portals and harvesters (docs/dataspace.md).

JSON-LD by default (``application/ld+json``), Turtle for ``Accept: text/turtle``; ``?format=jsonld`` or
``?format=ttl`` chooses without an Accept header, and anything the endpoint does not serve is a 406 problem
(config.api.negotiation). Paged: ``?page=`` (from 1) and ``?page_size=`` (1 to 200, 50 by default), with a
``hydra:PartialCollectionView`` in the document and the same links in the ``Link`` header. Public: anyone may read
it, signed in or not.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import query_int
from config.api.renderers import JSONLDRenderer
from dataspace import selectors
from dataspace.dcat import Site, catalog_document
from dataspace.rdf import turtle


class TurtleRenderer(BaseRenderer):
    """RDF 1.1 Turtle, written by rdflib from the JSON-LD document the view answers."""

    media_type = "text/turtle"
    format = "ttl"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return turtle(data).encode("utf-8")


class CatalogView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONLDRenderer, TurtleRenderer]

    @extend_schema(
        operation_id="dcat_catalog",
        tags=["dataspace"],
        parameters=[
            OpenApiParameter("page", {"type": "integer", "minimum": 1, "default": 1}, description="Page number."),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": selectors.MAX_PAGE_SIZE, "default": selectors.PAGE_SIZE},
                description="Datasets per page.",
            ),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["jsonld", "ttl"], description="Instead of Accept."),
        ],
        responses=OpenApiResponse(OpenApiTypes.OBJECT, description="DCAT-AP 3 catalog (JSON-LD or Turtle)"),
    )
    def get(self, request: Request) -> Response:
        number = query_int(request, "page", minimum=1) or 1
        size = query_int(request, "page_size", minimum=1, maximum=selectors.MAX_PAGE_SIZE) or selectors.PAGE_SIZE
        page = selectors.catalog_page(number=number, size=size)
        site = Site.of(request)
        path = request.path

        kept = [(key, request.query_params[key]) for key in ("format", "page_size") if request.query_params.get(key)]

        def page_url(wanted: int) -> str:
            return site.url(f"{path}?{urlencode([*kept, ('page', wanted)])}")

        links = {"first": 1, "last": page.last}
        if number > 1:
            links["prev"] = min(number - 1, page.last)
        if number < page.last:
            links["next"] = number + 1
        response = Response(catalog_document(page, site, page_url=page_url))
        response["Link"] = ", ".join(f'<{page_url(target)}>; rel="{rel}"' for rel, target in links.items())
        response["Vary"] = "Accept"
        return response
