"""The Dataspace Protocol's endpoints, HTTPS binding (docs/dataspace.md, "Dataspace Protocol"): plain Django views,
because a DSP endpoint answers in the protocol's messages (``application/json``, the DSP context), never in the
partner API's problem details.

- ``GET /.well-known/dspace-version`` (public): the protocol versions served;
- ``POST /dsp/2025-1/catalog/request``: a ``CatalogRequestMessage``, answered with a page of the ``Catalog``;
- ``GET /dsp/2025-1/catalog/datasets/{id}``: one ``Dataset``.

The catalog endpoints take the organisation's API key (``Authorization: Bearer``), as the partner API does. Every
message received is checked against the vendored schemas; a refusal is the protocol's error message (DspError).
"""

from __future__ import annotations

import functools
import io
import json
import math
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import ParseError

from catalog.models import DataClass
from config.api.parsers import JSONParser
from config.api.permissions import INSUFFICIENT_SCOPE, scope_refusal
from config.api.principal import READ, Principal
from config.api.throttling import organization_hit
from config.errors import NotFound, PayloadTooLarge
from dataspace import selectors
from dataspace.dcat import Site
from dataspace.dsp import BINDING, PATH, VERSION, schemas
from dataspace.dsp.catalog import catalog_message, dataset_document, link_header
from dataspace.dsp.errors import DspError, key_rejected, malformed, not_found, unauthorized
from marketplace.services.participants import api_key_authenticate

CONTENT_TYPE = "application/json"
# The filter terms the catalog request accepts (docs/dataspace.md): each element of ``filter`` one object with one
# of these keys; all elements must hold.
FILTER_KEYS = ("q", "dataClass")


def _json(document: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(document, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)


class Throttled(DspError):
    def __init__(self, retry_after: int) -> None:
        reason = f"The organisation's request budget is spent: retry in {retry_after} s."
        super().__init__(429, "too-many-requests", reason)
        self.retry_after = retry_after


def _refusal(error: DspError) -> HttpResponse:
    response = _json(error.message(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="dsp"'
    if isinstance(error, Throttled):
        response["Retry-After"] = str(error.retry_after)
    return response


def dsp_endpoint(
    *methods: str, error_type: str = "CatalogError", scope: str | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A DSP view answering ``methods``: another method is a 405 error message (with ``Allow``), and its DspError
    (or a NotFound from a selector) the protocol's error message. Exempt from CSRF: a connector sends no cookie.

    ``scope``: the endpoint takes the organisation's API key, which must hold that scope
    (docs/api.md#api-keys-and-scopes: a read needs ``read``; a consumer negotiating or transferring needs ``trade``),
    else a 403 error message ``insufficient-scope``; the view reads the caller with ``_consumer``. None: public (the
    version document).

    ``error_type`` is the endpoint's protocol's error message (``CatalogError``, ``ContractNegotiationError``,
    ``TransferError``): the refusals the shared helpers raise (no key, a malformed body...) are given that type."""

    def typed(error: DspError) -> DspError:
        if error.message_type == "CatalogError":
            error.message_type = error_type
        return error

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    response = _refusal(
                        typed(DspError(405, "method-not-allowed", f"This endpoint answers {' and '.join(methods)}."))
                    )
                    response["Allow"] = ", ".join(methods)
                    return response
                if scope is not None:
                    request.dsp_principal = _authenticated(request, scope)  # type: ignore[attr-defined]
                return view(request, *args, **kwargs)
            except DspError as error:
                return _refusal(typed(error))
            except NotFound as error:
                return _refusal(typed(not_found(str(error))))

        # Read by the test that every endpoint declares its scope (tests/test_scopes.py).
        wrapped.dsp_methods = methods  # type: ignore[attr-defined]
        wrapped.dsp_scope = scope  # type: ignore[attr-defined]
        return wrapped

    return decorate


def _consumer(request: HttpRequest) -> Principal:
    """The organisation calling, as ``dsp_endpoint`` authenticated it."""
    principal = getattr(request, "dsp_principal", None)
    if not isinstance(principal, Principal):  # an endpoint declared public reads no caller
        raise unauthorized()
    return principal


def _authenticated(request: HttpRequest, scope: str) -> Principal:
    """The API key's organisation, throttled, holding ``scope``; else the protocol's 401, 429 or 403."""
    header = request.headers.get("Authorization", "")
    parts = header.split()
    if not parts or parts[0].lower() != "bearer":
        raise unauthorized()
    if len(parts) != 2:
        raise key_rejected()
    principal = api_key_authenticate(secret=parts[1])
    if principal is None:
        raise key_rejected()
    _throttle(principal)
    refusal = scope_refusal(principal, (scope,))
    if refusal is not None:
        raise DspError(403, INSUFFICIENT_SCOPE, refusal)
    return principal


def _throttle(principal: Principal) -> None:
    """The organisation's one request budget (``ICHIBA_ORGANIZATION_RATE``), shared with the partner API and
    counted the same way (config.api.throttling; fails open when Redis is away)."""
    verdict = organization_hit(principal.organization_id)
    if not verdict.allowed:
        raise Throttled(max(1, math.ceil(verdict.retry_after)))


def _message(request: HttpRequest, schema: str) -> dict[str, Any]:
    """The request's JSON body, refused unless it is a valid message of ``schema``."""
    try:
        body = JSONParser().parse(io.BytesIO(request.body))
    except ParseError as error:
        raise malformed(str(error.detail)) from error
    except PayloadTooLarge as error:
        raise DspError(413, "too-large", str(error)) from error
    problems = schemas.message_errors(body, schema)
    if problems:
        raise malformed(*problems)
    assert isinstance(body, dict)
    return body


def _filters(message: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in message.get("filter", []):
        if not isinstance(item, dict) or len(item) != 1:
            raise DspError(400, "unsupported-filter", "Each filter is an object with one key: q or dataClass.")
        ((key, value),) = item.items()
        if key not in FILTER_KEYS or not isinstance(value, str):
            raise DspError(400, "unsupported-filter", f"Unsupported filter {key!r}: give q or dataClass, a string.")
        if key in found:
            raise DspError(400, "unsupported-filter", f"The filter {key!r} is given twice.")
        if key == "dataClass" and value not in DataClass.values:
            raise DspError(400, "unsupported-filter", f"dataClass is one of {', '.join(DataClass.values)}.")
        found[key] = value
    return found


def _query_int(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    raw = request.GET.get(name, "")
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise DspError(400, "bad-page", f"{name} is an integer from 1 to {maximum}.")
    return int(raw)


@dsp_endpoint("GET")
def version(request: HttpRequest) -> HttpResponse:
    """``GET /.well-known/dspace-version``: the protocol versions this provider speaks, public."""
    return _json({"protocolVersions": [{"version": VERSION, "path": PATH, "binding": BINDING}]})


@dsp_endpoint("POST", scope=READ)
def catalog_request(request: HttpRequest) -> HttpResponse:
    """``POST <path>/catalog/request``: a page of the catalog (``?page=`` from 1, ``?page_size=`` up to 200, 50 by
    default; the ``Link`` header names the previous and next pages, to which the same message is posted)."""
    _consumer(request)
    message = _message(request, schemas.CATALOG_REQUEST_MESSAGE)
    wanted = _filters(message)
    number = _query_int(request, "page", 1, 10**9)
    size = _query_int(request, "page_size", selectors.PAGE_SIZE, selectors.MAX_PAGE_SIZE)
    page = selectors.offered_page(
        number=number, size=size, query=wanted.get("q", ""), data_class=wanted.get("dataClass", "")
    )
    site = Site.of(request)
    kept = [("page_size", str(size))] if request.GET.get("page_size") else []

    def page_url(wanted_page: int) -> str:
        return site.url(f"{request.path}?{urlencode([*kept, ('page', wanted_page)])}")

    response = _json(catalog_message(page, site))
    links = link_header(page, page_url)
    if links:
        response["Link"] = links
    return response


@dsp_endpoint("GET", scope=READ)
def dataset(request: HttpRequest, dataset_id: str) -> HttpResponse:
    """``GET <path>/catalog/datasets/{id}``: one offered dataset; ``{id}`` is its ``@id``
    (``urn:ichiba:dataset:<uuid>``) or the bare uuid."""
    _consumer(request)
    raw = dataset_id.removeprefix("urn:ichiba:dataset:")
    try:
        wanted = uuid.UUID(raw)
    except ValueError:
        raise not_found("No such dataset.") from None
    document = dataset_document(selectors.catalog_entry(dataset_id=wanted), Site.of(request))
    if document is None:
        raise not_found("The dataset has no open offer: nothing of it can be bought now.")
    return _json(document)
