"""RFC 9457 problem details for every API error, DRF's own and Django's alike.

Shape (docs/api.md#errors): ``{"type", "title", "status", "detail"}`` plus ``"errors": {"field": [...]}`` for
validation and ``"request_id"`` (the request's ``X-Request-Id``, config/request_id.py), served as
``application/problem+json``. ``type`` is a relative URI under ``/problems/``,
where each code is described for people.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_noop
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.errors import DomainError
from config.outage import RETRY_AFTER_SECONDS, is_outage
from config.request_id import request_id_get

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

# code -> (title, what a partner should do); also rendered at /problems/<code>. English in the API's problem
# details; marked for translation (gettext_noop) so the /problems/ pages show them in the reader's language.
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "invalid": (
        gettext_noop("Invalid request"),
        gettext_noop("Fix the fields listed in `errors` and send the request again."),
    ),
    "malformed": (
        gettext_noop("Malformed request body"),
        gettext_noop("Send well-formed JSON (or multipart for uploads)."),
    ),
    "bad-request": (
        gettext_noop("Bad request"),
        gettext_noop(
            "A header or the body could not be understood (a Host this server does not answer for, a broken "
            "multipart body): fix the request and send it again."
        ),
    ),
    "unsupported-media-type": (
        gettext_noop("Unsupported media type"),
        gettext_noop("Send the Content-Type the endpoint documents."),
    ),
    "not-authenticated": (
        gettext_noop("Authentication required"),
        gettext_noop("Send `Authorization: Bearer <api key>` or sign in; admins issue keys on the API keys page."),
    ),
    "authentication-failed": (
        gettext_noop("Authentication failed"),
        gettext_noop("The API key is unknown, expired or revoked."),
    ),
    "forbidden": (
        gettext_noop("Not allowed for this organisation"),
        gettext_noop("Your organisation lacks the role or state needed."),
    ),
    "insufficient-scope": (
        gettext_noop("Missing scope"),
        gettext_noop(
            "The API key (or your role, signed in) lacks the scope this request needs: `read` for any GET, `trade`, "
            "`sell` or `manage` for a change. An admin of your organisation can create a key with that scope."
        ),
    ),
    "not-found": (
        gettext_noop("Not found"),
        gettext_noop("The object does not exist, or it is not visible to your organisation."),
    ),
    "method-not-allowed": (
        gettext_noop("Method not allowed"),
        gettext_noop("See the `Allow` header for the methods this path accepts."),
    ),
    "not-acceptable": (
        gettext_noop("Not acceptable"),
        gettext_noop(
            "Ask for a media type the endpoint serves (`detail` names them; most serve application/json), or send "
            "`Accept: */*`."
        ),
    ),
    "conflict": (
        gettext_noop("State conflict"),
        gettext_noop("The object is not in a state that allows this; re-read it first."),
    ),
    "invalid-transition": (
        gettext_noop("State transition not allowed"),
        gettext_noop("The object's current state does not allow this."),
    ),
    "idempotency-conflict": (
        gettext_noop("Idempotency key reused"),
        gettext_noop("An Idempotency-Key may be replayed only with the same request; use a new key for a new request."),
    ),
    "idempotency-in-progress": (
        gettext_noop("Request with this Idempotency-Key still running"),
        gettext_noop("Wait for the first request to finish, then retry with the same key to read its response."),
    ),
    "payload-too-large": (
        gettext_noop("Payload too large"),
        gettext_noop("Send a smaller file; the limit is stated in `detail`."),
    ),
    "market-rule": (
        gettext_noop("Refused by a market rule"),
        gettext_noop("The request is well-formed but the market's rules refuse it."),
    ),
    "personal-data-refused": (
        gettext_noop("Personal data is not traded here"),
        gettext_noop(
            "Ichiba lists anonymously processed data and non-personal (IoT) data only. Personal data moves "
            "under the data subject's control through an information bank (情報銀行) or PDS, not a market."
        ),
    ),
    "exclusivity-conflict": (
        gettext_noop("Exclusive licence in the way"),
        gettext_noop(
            "An exclusive licence has its territory to itself: no other offering or contract of the same dataset may "
            "share a country with it. Choose a territory that does not overlap, withdraw the open offering, or wait "
            "until the contract in force ends. `detail` names the offering or contract if it is yours."
        ),
    ),
    "auction-closed": (
        gettext_noop("Auction closed"),
        gettext_noop(
            "The auction's closing time has passed: it takes no more bids, raises or withdrawals, even before its "
            "result is published. Read the result: GET /api/v1/auctions/{id}."
        ),
    ),
    "entitlement-not-active": (
        gettext_noop("Entitlement not active"),
        gettext_noop("Download tokens are issued only while the entitlement is active and within its term."),
    ),
    "version-not-entitled": (
        gettext_noop("Version not covered by the entitlement"),
        gettext_noop(
            "A subscription's entitlement covers the versions published while it was in force; a licence covers one. "
            "`dataset_versions` of GET /api/v1/entitlements/{id} lists them: name one of those, or none for the newest."
        ),
    ),
    "download-token-invalid": (
        gettext_noop("Download token not valid"),
        gettext_noop("The token is unknown or damaged. Request a new one: POST /api/v1/entitlements/{id}/tokens."),
    ),
    "download-token-expired": (
        gettext_noop("Download token expired"),
        gettext_noop("Tokens live for minutes. Request a new one: POST /api/v1/entitlements/{id}/tokens."),
    ),
    "entitlement-revoked": (
        gettext_noop("Entitlement revoked"),
        gettext_noop("Your access to this data was revoked (for example, a refund)."),
    ),
    "entitlement-expired": (
        gettext_noop("Entitlement expired"),
        gettext_noop("The contract's term has ended; the data may no longer be fetched."),
    ),
    "streams-not-configured": (
        gettext_noop("Live streams are not configured"),
        gettext_noop(
            "This market runs without an MQTT broker, so it issues no stream credentials; its operator turns live "
            "streams on with ICHIBA_MQTT_URL."
        ),
    ),
    "stream-not-offered": (
        gettext_noop("No live stream here"),
        gettext_noop(
            "Stream credentials exist only for a subscription whose offering carries a live stream, and for a "
            "dataset with such an offering (offer it with `stream: true` first)."
        ),
    ),
    "range-not-satisfiable": (
        gettext_noop("Range not satisfiable"),
        gettext_noop("Ask for one byte range inside the file; `Content-Range: bytes */<size>` gives its size."),
    ),
    "data-unavailable": (
        gettext_noop("Data unavailable"),
        gettext_noop(
            "The stored file cannot be delivered right now. The market is alerted; you will not be charged for "
            "data that cannot be delivered."
        ),
    ),
    "format-not-available": (
        gettext_noop("Format not available"),
        gettext_noop(
            "The version has no file in the format asked for (`?format=`); `formats` lists those it has. A version's "
            "`renditions` say which other formats it was converted to when it was published."
        ),
    ),
    "format-not-ready": (
        gettext_noop("Format not ready yet"),
        gettext_noop(
            "The version was just published and is still being converted to the other formats: ask again after the "
            "seconds in `Retry-After`, or download it in its own format now."
        ),
    ),
    "throttled": (
        gettext_noop("Too many requests"),
        gettext_noop("Slow down; retry after the number of seconds in `Retry-After`."),
    ),
    "sign-in-locked": (
        gettext_noop("Too many failed sign-ins"),
        gettext_noop(
            "Signing in from this address is paused after too many wrong passwords; retry after the number of "
            "seconds in `Retry-After`."
        ),
    ),
    "service-unavailable": (
        gettext_noop("Service temporarily unavailable"),
        gettext_noop(
            "A service this request needs is briefly down; nothing was changed. Retry after the number of seconds "
            "in `Retry-After`."
        ),
    ),
    "server-error": (
        gettext_noop("Internal server error"),
        gettext_noop("Something failed on our side; nothing was changed. Try again."),
    ),
}

_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: "malformed",
    exceptions.UnsupportedMediaType: "unsupported-media-type",
    exceptions.NotAuthenticated: "not-authenticated",
    exceptions.AuthenticationFailed: "authentication-failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not-found",
    exceptions.MethodNotAllowed: "method-not-allowed",
    exceptions.NotAcceptable: "not-acceptable",
    exceptions.Throttled: "throttled",
    exceptions.ValidationError: "invalid",
}


def problem(
    status_code: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title or PROBLEM_TYPES.get(code, ("Error", ""))[0],
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = dict(errors)
    if extra:
        body.update(extra)
    request_id = request_id_get()
    if request_id:  # what a partner quotes to the operator, who finds the request's log lines by it
        body["request_id"] = request_id
    return body


def problem_response(body: dict[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    return Response(body, status=body["status"], headers=dict(headers or {}), content_type=PROBLEM_CONTENT_TYPE)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"field.sub": ["message", ...]}``; top-level errors under ``_``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = "_" if key in ("non_field_errors", "__all__") else str(key)
            for sub_key, messages in _flatten(value, f"{prefix}{name}." if name != "_" else prefix).items():
                out.setdefault(sub_key, []).extend(messages)
        return out
    if isinstance(detail, list) and detail and all(isinstance(item, Mapping | list) for item in detail):
        for index, value in enumerate(detail):
            for sub_key, messages in _flatten(value, f"{prefix}{index}.").items():
                out.setdefault(sub_key, []).extend(messages)
        return out
    key = prefix[:-1] if prefix else "_"
    items = detail if isinstance(detail, list) else [detail]
    out[key] = [str(item) for item in items]
    return out


def _validation_summary(errors: Mapping[str, list[str]]) -> str:
    first_field, messages = next(iter(errors.items()))
    where = "" if first_field == "_" else f"{first_field}: "
    more = f" (and {len(errors) - 1} more field(s))" if len(errors) > 1 else ""
    return f"{where}{messages[0]}{more}"


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: every error leaves the API as problem details, never as an HTML 500.

    The problem is JSON whatever the view serves or the request negotiated (an HTML contract, a YAML schema) or
    failed to negotiate (a 406): the renderer DRF renders the response with is set here, for every view at once."""
    request = context.get("request")
    if request is not None:
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), PROBLEM_CONTENT_TYPE
    headers: dict[str, str] = {}
    if isinstance(exc, DomainError):
        # The catalogue's title for the problem's own code (a Conflict raised as "idempotency-conflict" is titled
        # as that type), else the error class's.
        title = PROBLEM_TYPES[exc.code][0] if exc.code in PROBLEM_TYPES else exc.title
        return problem_response(problem(exc.status, exc.code, exc.detail, title=title, errors=exc.errors or None))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)

    if isinstance(exc, exceptions.APIException):
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "invalid")
        raised = exc.get_codes()
        if isinstance(raised, str) and raised in PROBLEM_TYPES:  # raised as one of our types (insufficient-scope)
            code = raised
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
        if isinstance(exc, exceptions.ValidationError):
            errors = _flatten(exc.detail)
            return problem_response(problem(400, "invalid", _validation_summary(errors), errors=errors), headers)
        if isinstance(exc, exceptions.MethodNotAllowed):
            view = context.get("view")
            if view is not None:
                headers["Allow"] = ", ".join(view.allowed_methods)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        status_code = exc.status_code
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed) and not headers.get(
            "WWW-Authenticate"
        ):
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
            status_code = status.HTTP_401_UNAUTHORIZED
        return problem_response(problem(status_code, code, str(detail)), headers)

    if is_outage(exc):
        logger.warning("service_unavailable error=%s: answered 503", type(exc).__name__)
        return problem_response(
            problem(503, "service-unavailable", PROBLEM_TYPES["service-unavailable"][1]),
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    logger.exception("Unhandled API error", exc_info=exc)
    return problem_response(problem(500, "server-error", PROBLEM_TYPES["server-error"][1]))


# --- Django-level handlers: errors raised outside DRF views (unknown paths, middleware, crashes) ----


# Paths served to programs: the API and the keys that verify the market's tokens.
API_PATH_PREFIXES = ("/api/", "/.well-known/")


def is_api_request(request: HttpRequest) -> bool:
    """A request from a program: its errors are problem details, its texts English."""
    return request.path.startswith(API_PATH_PREFIXES) or PROBLEM_CONTENT_TYPE in request.headers.get("Accept", "")


def django_problem(status_code: int, code: str, detail: str) -> HttpResponse:
    return JsonResponse(problem(status_code, code, detail), status=status_code, content_type=PROBLEM_CONTENT_TYPE)
