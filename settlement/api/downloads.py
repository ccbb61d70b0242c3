"""The download endpoint (``GET /api/v1/downloads/<token>``) and the JWKS sellers verify our JWTs with.

The token in the path is the only credential: no API key, no session (and so no CSRF). The same download answers
``GET /api/v1/downloads`` with the token as ``Authorization: Bearer <token>`` instead: the data address a Dataspace
Protocol transfer hands out is that endpoint plus the token as its ``authorization`` property (dataspace), and a
token kept out of the URL stays out of access logs. The partner API's authentication never runs here (no API key is
looked for), so the bearer is only ever read as a download token. Status mapping
(docs/api.md#downloads: "a bad, expired or revoked token gets 401/403/410, never the data"):

* 401 ``download-token-invalid`` — unknown, malformed, tampered, or a seller's JWT presented here;
* 403 ``entitlement-revoked`` — the entitlement was revoked (refund, operator) or has not started;
* 410 ``entitlement-expired`` — its term ended; 410 ``download-token-expired`` — the token's 15 minutes passed;
* 416 — a single range past the end (``Content-Range: bytes */<size>``);
* 503 ``data-unavailable`` — the stored file is missing or damaged (recorded; the capture step voids).

``?format=parquet|csv|jsonl`` fetches the version in another format with the same token: its rendition, converted
when the version was published (``catalog.models.VersionRendition``), an ordinary file with its own size, SHA-256
(ETag, Digest), media type and file name, served, ranged and recorded exactly as the original is. Absent, or the
original's own format: the original. Otherwise 400 ``invalid`` for a value that is no format, 409
``format-not-ready`` (``Retry-After``) while the version's conversions are being made, 404 ``format-not-available``
(with ``formats``, those it has) for a format it has no file in.

Every GET that sends data is recorded as a ``Download`` with the bytes actually sent: the row is written
before the first byte and closed when the stream ends or the client goes away (``close()``). HEAD sends
no data and is not recorded. The stream is read in 1 MiB chunks through a Python iterator, not
``wsgi.file_wrapper``/sendfile: that is what lets the audit count bytes exactly (a server's sendfile reports
nothing back when the client goes away). It costs no throughput where measured: over loopback TCP on the
bench VM, 1 MiB ``read`` + ``send`` moved ~2.8 GB/s and ``os.sendfile`` ~2.0 GB/s, through gunicorn alike;
the TCP transport, not this iterator, is the limit (``tests/bench/download.py``).
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpResponse, HttpResponseBase, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import FileFormat
from config.api.negotiation import DisregardAccept
from config.api.problems import PROBLEM_CONTENT_TYPE, problem
from config.api.renderers import JWKSetRenderer
from config.errors import DomainError, InvalidInput
from config.request_id import request_id_bound, request_id_get
from config.text import displayable
from settlement.api.ranges import ByteRange, Unsatisfiable, if_range_allows, parse_range
from settlement.services import signing
from settlement.services.delivery import (
    DownloadAccess,
    FormatNotAvailable,
    FormatNotReady,
    TokenExpired,
    TokenInvalid,
    download_authorize,
    download_finish,
    download_start,
    download_unavailable,
)
from settlement.web.downloads import download_refused_page, wants_page

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
# What a stored version is served as: one media type per upload format (the OpenAPI document lists exactly these).
CONTENT_TYPES: dict[str, str] = {
    FileFormat.CSV: "text/csv; charset=utf-8",
    FileFormat.JSONL: "application/jsonl",
    FileFormat.PARQUET: "application/vnd.apache.parquet",
}
# The URL holds a bearer secret: no shared cache may keep the response, no Referer may leak the URL.
_PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


def _problem(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    errors: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
    **headers: str,
) -> HttpResponse:
    response = JsonResponse(
        problem(status, code, detail, title=title, errors=errors, extra=extra),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in {**_PRIVATE_HEADERS, **headers}.items():
        response[name.replace("_", "-")] = value
    return response


def _from_error(error: DomainError, *, vary: bool = False) -> HttpResponse:
    """The problem details of ``error``; ``vary``: a browser would have had the page instead (Vary: Accept)."""
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if error.status == 401 else {}
    if vary:
        headers["Vary"] = "Accept"
    if isinstance(error, FormatNotReady):
        headers["Retry-After"] = str(error.retry_after_seconds)
    extra = {"formats": error.formats} if isinstance(error, FormatNotAvailable) else None
    return _problem(
        error.status,
        error.code,
        error.detail,
        title=error.title,
        errors=dict(error.errors) or None,
        extra=extra,
        **headers,
    )


def _requested_format(request: Request) -> str:
    """``?format=``: one of the formats a version may be stored in, or "" when absent (the original). Anything else
    (empty, unknown, given twice) is a 400 naming the parameter."""
    values = request.query_params.getlist("format")
    if not values:
        return ""
    if len(values) == 1 and values[0] in FileFormat.values:
        return values[0]
    message = f"Must be one of: {', '.join(FileFormat.values)}, given once."
    raise InvalidInput(f"format: {message}", errors={"format": [message]})


class _MeteredStream:
    """Reads ``length`` bytes from ``start`` in bounded chunks and reports what the server took.

    A chunk counts as sent once the server asks for the next one (it has written the previous) or the
    iteration ends; a client that disconnects mid-chunk is counted short, never long. ``close()`` is
    called by the WSGI server (through Django's response) whether the stream finished or not.
    """

    def __init__(self, handle: Any, *, start: int, length: int, on_close: Callable[[int, bool], None]) -> None:
        self._handle = handle
        self._start = start
        self._remaining = length
        self._on_close = on_close
        self._sent = 0
        self._pending = 0
        self._started = False
        self._exhausted = False
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        self._sent += self._pending
        self._pending = 0
        if not self._started:
            self._handle.seek(self._start)
            self._started = True
        chunk = self._handle.read(min(CHUNK_BYTES, self._remaining)) if self._remaining > 0 else b""
        if not chunk:
            self._exhausted = True
            raise StopIteration
        self._remaining -= len(chunk)
        self._pending = len(chunk)
        return chunk

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._exhausted:
            self._sent += self._pending
        self._handle.close()
        try:
            self._on_close(self._sent, self._exhausted and self._remaining == 0)
        except Exception:  # the response is gone already; the row stays unfinished and shows it
            logger.exception("Could not record the end of a download")


def _digest_headers(sha256_hex: str) -> dict[str, str]:
    raw = bytes.fromhex(sha256_hex)
    b64 = base64.b64encode(raw).decode("ascii")
    # Of the whole representation (also on 206): RFC 3230 Digest and its successor RFC 9530 Repr-Digest.
    return {"ETag": f'"{sha256_hex}"', "Digest": f"sha-256={b64}", "Repr-Digest": f"sha-256=:{b64}:"}


def _filename(access: DownloadAccess) -> str:
    """The name the browser saves the file under, from the dataset's title, with the served format's extension.
    Titles are checked when entered (``config.text``), but one stored before that may hold U+202E
    (``Invoice\u202egpj.exe`` saved as what shows as ``Invoiceexe.jpg``) or control characters: what could disguise
    the name is dropped here, whatever is stored."""
    version = access.version
    title = displayable(version.dataset.title).strip() or "dataset"
    return f"{title}-v{version.number}.{access.served.file_format}"


def _client_address(request: Request) -> str | None:
    # REMOTE_ADDR as the server saw it; behind a proxy that is the proxy (set it up to rewrite REMOTE_ADDR).
    return request.META.get("REMOTE_ADDR") or None


DOWNLOAD_RESPONSES: dict[Any, OpenApiResponse] = {
    **{
        (status_code, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description)
        for status_code, description in ((200, "The whole file"), (206, "One range"))
        for media_type in CONTENT_TYPES.values()
    },
    302: OpenApiResponse(description="Object storage: a presigned URL that expires with the token"),
    400: OpenApiResponse(description="format is not one of csv, jsonl, parquet"),
    401: OpenApiResponse(description="Unknown or tampered token"),
    403: OpenApiResponse(description="Entitlement revoked"),
    404: OpenApiResponse(description="format-not-available: the version has no file in that format (see formats)"),
    409: OpenApiResponse(description="format-not-ready: the version's conversions are being made (Retry-After)"),
    410: OpenApiResponse(description="Token or entitlement expired"),
    416: OpenApiResponse(description="Range not satisfiable"),
    503: OpenApiResponse(description="Data unavailable"),
}
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=FileFormat.values,
    description="The format to download the version in: default (or the version's own format) the file as uploaded; "
    "another, the rendition converted when the version was published (its `renditions`).",
)


class DownloadView(APIView):
    """Stream the entitled dataset version; supports HEAD, single ``Range`` and ``If-Range``."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    # The file the token names, whatever a download manager's Accept says: never a 406.
    content_negotiation_class = DisregardAccept

    @extend_schema(
        operation_id="downloads_fetch",
        auth=[],
        parameters=[
            OpenApiParameter("Range", OpenApiTypes.STR, OpenApiParameter.HEADER, description="One range: bytes=a-b"),
            OpenApiParameter("If-Range", OpenApiTypes.STR, OpenApiParameter.HEADER),
            FORMAT_PARAMETER,
        ],
        responses=DOWNLOAD_RESPONSES,
    )
    def get(self, request: Request, token: str) -> HttpResponseBase:
        file_format = ""
        try:
            file_format = _requested_format(request)
            access = download_authorize(token=token, file_format=file_format)
        except DomainError as error:
            # A person's browser gets the page that explains it (settlement.web.downloads), as the signed-in member
            # of the site's session, which DRF does not authenticate here (no authentication classes).
            if wants_page(request, error):
                response = download_refused_page(request._request, error, token=token, file_format=file_format)
                # Its forms (a fresh link, the language switch) post to this site: with no-referrer a browser sends
                # them with "Origin: null", which the CSRF check refuses; same-origin still tells no one else.
                headers = {
                    **_PRIVATE_HEADERS,
                    "Referrer-Policy": "same-origin",
                    "Vary": "Accept, Accept-Language, Cookie",
                }
                for name, value in headers.items():
                    response[name] = value
                return response
            return _from_error(error, vary=True)
        if getattr(settings, "DATA_STORAGE", "local") == "s3":
            return self._redirect(request, access)
        return self._stream(request, access, head=request.method == "HEAD")

    def _redirect(self, request: Request, access: DownloadAccess) -> HttpResponseBase:
        """Object storage serves the bytes itself; the presigned URL dies no later than the token.

        What the client then fetches is not visible here, so the row records the hand-over with no bytes;
        the capture then falls back to the acceptance window.
        """
        seconds = int((access.token.expires_at - timezone.now()).total_seconds())
        if seconds < 1:
            return _from_error(TokenExpired("The download token has expired; request a new one."))
        file = access.served.file
        storage: Any = file.storage  # object storage's url() takes parameters and an expiry
        url = storage.url(
            file.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, _filename(access)),
                "ResponseContentType": CONTENT_TYPES[access.served.file_format],
            },
            expire=seconds,
        )
        if request.method != "HEAD":
            download = download_start(
                access=access,
                range_start=0,
                range_end=None,
                client_address=_client_address(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
            download_finish(download_id=download.id, bytes_sent=0, completed=False)
        response = HttpResponseRedirect(url)
        for name, value in _PRIVATE_HEADERS.items():
            response[name] = value
        return response

    def _stream(self, request: Request, access: DownloadAccess, *, head: bool) -> HttpResponseBase:
        served = access.served
        size = served.size_bytes
        headers = {**_digest_headers(served.sha256), **_PRIVATE_HEADERS, "Accept-Ranges": "bytes"}
        wanted: ByteRange | None = None
        if if_range_allows(request.headers.get("If-Range"), headers["ETag"]):
            try:
                wanted = parse_range(request.headers.get("Range"), size)
            except Unsatisfiable:
                return _problem(
                    416,
                    "range-not-satisfiable",
                    f"The file has {size} bytes; ask for one range inside it.",
                    title="Range not satisfiable",
                    Content_Range=f"bytes */{size}",
                    Accept_Ranges="bytes",
                )
        start, length = (wanted.start, wanted.length) if wanted else (0, size)
        client_address = _client_address(request)
        user_agent = request.headers.get("User-Agent", "")
        try:
            handle = served.file.storage.open(served.file.name or "", "rb")
        except OSError as exc:
            return _from_error(
                download_unavailable(
                    access=access, client_address=client_address, user_agent=user_agent, detail=str(exc)
                )
            )
        actual = getattr(handle, "size", None)
        if actual is not None and actual != size:
            handle.close()
            return _from_error(
                download_unavailable(
                    access=access,
                    client_address=client_address,
                    user_agent=user_agent,
                    detail=f"stored size {actual} != recorded {size}",
                )
            )
        headers["Content-Type"] = CONTENT_TYPES[served.file_format]  # every FileFormat has one
        headers["Content-Disposition"] = content_disposition_header(True, _filename(access)) or "attachment"
        headers["Content-Length"] = str(length)
        status = 206 if wanted else 200
        if wanted:
            headers["Content-Range"] = wanted.content_range(size)
        if head:
            handle.close()
            response: HttpResponseBase = HttpResponse(status=status)
        else:
            download = download_start(
                access=access,
                range_start=start,
                range_end=wanted.end if wanted else None,
                client_address=client_address,
                user_agent=user_agent,
            )
            download_id: uuid.UUID = download.id
            # The server closes the stream after the request's middleware returned: its id is bound again there.
            request_id = request_id_get()

            def on_close(sent: int, completed: bool) -> None:
                with request_id_bound(request_id):
                    download_finish(download_id=download_id, bytes_sent=sent, completed=completed)

            response = StreamingHttpResponse(
                _MeteredStream(handle, start=start, length=length, on_close=on_close), status=status
            )
        for name, value in headers.items():
            response[name] = value
        return response


def _bearer(request: Request) -> str:
    """The download token sent as ``Authorization: Bearer <token>``, or "" when none is."""
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


class BearerDownloadView(DownloadView):
    """The same download, the token sent as ``Authorization: Bearer <token>`` (a DSP transfer's data address)."""

    @extend_schema(
        operation_id="downloads_fetch_with_bearer",
        auth=[],
        parameters=[
            OpenApiParameter(
                "Authorization",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="Bearer <download token>",
            ),
            OpenApiParameter("Range", OpenApiTypes.STR, OpenApiParameter.HEADER, description="One range: bytes=a-b"),
            OpenApiParameter("If-Range", OpenApiTypes.STR, OpenApiParameter.HEADER),
            FORMAT_PARAMETER,
        ],
        responses=DOWNLOAD_RESPONSES,
    )
    def get(self, request: Request, token: str = "") -> HttpResponseBase:
        presented = _bearer(request)
        if not presented:
            return _from_error(TokenInvalid("Send the download token: Authorization: Bearer <token>."))
        return super().get(request, presented)


class JwksView(APIView):
    """The public key(s) sellers verify provider-delivery tokens with; cacheable for an hour."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    # A JWK Set, or the same document as plain JSON for a client that asks for that (DRF adds Vary: Accept).
    renderer_classes = [JWKSetRenderer, JSONRenderer]

    @extend_schema(
        operation_id="jwks",
        auth=[],
        responses=OpenApiResponse(OpenApiTypes.OBJECT, description="JWKS"),
    )
    def get(self, request: Request) -> Response:
        return Response(signing.jwks(), headers={"Cache-Control": "public, max-age=3600"})
