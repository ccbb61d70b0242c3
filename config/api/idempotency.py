"""``Idempotency-Key`` for any DRF ``POST`` handler: same key + same request replays the first response;
same key + different request is a 409 (docs/api.md#idempotency).

A response may carry a secret shown once (a webhook endpoint's signing secret): the handler names such fields
(``@idempotent(secret_fields=("secret",))``) and they are never stored. The replay leaves them out and says so in
``Idempotent-Omitted``; a stored copy would outlive a rotation and hand an attacker who reads the table, or a
replay, a live secret.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from config.api.models import IdempotencyRecord
from config.api.parsers import body_too_large
from config.api.principal import principal_of
from config.errors import Conflict, InvalidInput

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
OMITTED_HEADER = "Idempotent-Omitted"
_REPLAYED_HEADERS = ("Location",)
MAX_KEY_LENGTH = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[\\x20-\\x7e]+$"},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        f"1 to {MAX_KEY_LENGTH} printable ASCII characters, a UUID say. Replays the first response for the same "
        "key and body; 409 for a different body."
    ),
)

Handler = TypeVar("Handler", bound=Callable[..., Response])


@dataclass(frozen=True)
class IdempotencyClaim:
    """A request's key, handed to the code that records it with the work it guards, in the same transaction (an
    order's matcher: ``@idempotent(journaled=...)``)."""

    scope: str
    key: str
    method: str
    path: str
    fingerprint: str

    def record(self, *, location: str) -> IdempotencyRecord:
        """The row that says the work is done: a retry replays it (``Location``: where the work's outcome is read;
        the body is filled in by the request once it has rendered it)."""
        return IdempotencyRecord(
            scope=self.scope,
            key=self.key,
            method=self.method,
            path=self.path,
            fingerprint=self.fingerprint,
            response_status=201,
            response_body="",
            response_headers={"Location": location},
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "scope": self.scope,
            "key": self.key,
            "method": self.method,
            "path": self.path,
            "fingerprint": self.fingerprint,
        }


class KeyAlreadyUsed(Exception):
    """The work found its ``IdempotencyClaim`` already recorded (a retry that raced the first request): the
    request replays the record instead."""


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(str(request.method).encode() + b" " + request.get_full_path().encode() + b"\n")
    if request.content_type.startswith("multipart/"):
        # Uploads are parsed (streamed to disk) first; their identity is each file's content hash.
        for name, value in sorted(request.data.items()):
            if name not in request.FILES:
                digest.update(f"{name}={value}\n".encode())
        for name, upload in sorted(request.FILES.items()):
            content_id = getattr(upload, "sha256", None) or f"{upload.name}:{upload.size}"
            digest.update(f"file:{name}={content_id}\n".encode())
    else:
        try:
            digest.update(request._request.body)
        except RequestDataTooBig as exc:  # Django's cap on a body read whole, the JSON parser's too
            raise body_too_large() from exc
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise Conflict(
            f"Idempotency-Key {record.key!r} was already used with a different request "
            f"({record.method} {record.path}). Use a new key for a new request.",
            code="idempotency-conflict",
        )
    body = json.loads(record.response_body) if record.response_body else None
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(body, status=record.response_status, headers=headers)


@overload
def idempotent(handler: Handler) -> Handler: ...


@overload
def idempotent(
    *,
    secret_fields: tuple[str, ...] = (),
    journaled: Callable[[], bool] | None = None,
    replay_pending: PendingReplay | None = None,
) -> Callable[[Handler], Handler]: ...


def idempotent(
    handler: Handler | None = None,
    *,
    secret_fields: tuple[str, ...] = (),
    journaled: Callable[[], bool] | None = None,
    replay_pending: PendingReplay | None = None,
) -> Handler | Callable[[Handler], Handler]:
    """Decorate a DRF view's ``post``. Without the header the request runs as usual. ``secret_fields``: top-level
    fields of the response body that are shown once and never stored (left out of a replay).

    ``journaled``: when it returns true, the work records the key itself, in the transaction that does the work
    (an order's matcher, which commits many requests' work at once): the handler finds the key with
    ``idempotency_claim_of(request)`` and passes it on, and raises ``KeyAlreadyUsed`` if the work found it taken.
    The record then holds the status and ``Location`` until the request fills in the body; a replay before that
    (the request died in between) asks ``replay_pending`` for the body of what ``Location`` names."""
    if handler is not None:
        return _idempotent(handler, secret_fields=secret_fields, journaled=journaled, replay_pending=replay_pending)

    def decorate(handler: Handler) -> Handler:
        return _idempotent(handler, secret_fields=secret_fields, journaled=journaled, replay_pending=replay_pending)

    return decorate


# (the request, the record without a body) -> the body to replay, read from what the record's Location names
PendingReplay = Callable[[Request, IdempotencyRecord], Any]

_CLAIM_ATTRIBUTE = "idempotency_claim"


def idempotency_claim_of(request: Request) -> IdempotencyClaim | None:
    """The key a journaled handler records with its work (None without one)."""
    claim = getattr(request, _CLAIM_ATTRIBUTE, None)
    return claim if isinstance(claim, IdempotencyClaim) else None


def _idempotent(
    handler: Handler,
    *,
    secret_fields: tuple[str, ...],
    journaled: Callable[[], bool] | None,
    replay_pending: PendingReplay | None,
) -> Handler:
    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        principal = principal_of(request)
        if key is None or principal is None:
            return handler(view, request, *args, **kwargs)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():  # RFC 9110 field value
            raise InvalidInput(
                f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.", errors={HEADER: ["invalid"]}
            )
        fingerprint = _fingerprint(request)  # before the transaction: may stream an upload
        scope = principal.organization_id.hex
        if journaled is not None and journaled():
            claim = IdempotencyClaim(
                scope=scope,
                key=key,
                method=str(request.method),
                path=request.get_full_path()[:2048],
                fingerprint=fingerprint,
            )
            return _journaled(handler, view, request, args, kwargs, claim, secret_fields, replay_pending)
        with transaction.atomic():
            # The unique (scope, key) decides: of two requests racing with one key, the second's insert waits for
            # the first's transaction (PostgreSQL), fails on the constraint once it commits, and reads its record.
            record, created = IdempotencyRecord.objects.get_or_create(
                scope=scope,
                key=key,
                defaults={
                    "method": str(request.method),
                    "path": request.get_full_path()[:2048],
                    "fingerprint": fingerprint,
                    "response_status": 0,
                    "response_body": "",
                },
            )
            if not created:
                return _replay(record, fingerprint)
            response = handler(view, request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            stored, omitted = _without_secrets(response.data, secret_fields)
            record.response_status = response.status_code
            record.response_body = json.dumps(stored, cls=JSONEncoder) if stored is not None else ""
            record.response_headers = {h: response[h] for h in _REPLAYED_HEADERS if response.has_header(h)}
            if omitted:
                record.response_headers[OMITTED_HEADER] = ", ".join(omitted)
            record.save(update_fields=["response_status", "response_body", "response_headers"])
            return response

    return wrapper  # type: ignore[return-value]


def _journaled(
    handler: Handler,
    view: Any,
    request: Request,
    args: Any,
    kwargs: Any,
    claim: IdempotencyClaim,
    secret_fields: tuple[str, ...],
    replay_pending: PendingReplay | None,
) -> Response:
    """The key recorded by the work (in its own transaction), not around the handler: replay a record already
    there, else run the handler with the claim and fill the body into the record its work wrote."""
    record = IdempotencyRecord.objects.filter(scope=claim.scope, key=claim.key).first()
    if record is not None:
        return _replay_journaled(record, claim.fingerprint, request, replay_pending)
    setattr(request, _CLAIM_ATTRIBUTE, claim)
    try:
        response = handler(view, request, *args, **kwargs)
    except KeyAlreadyUsed:
        record = IdempotencyRecord.objects.get(scope=claim.scope, key=claim.key)
        return _replay_journaled(record, claim.fingerprint, request, replay_pending)
    if response.status_code == 201:  # the work recorded the key: the body is the first response
        stored, omitted = _without_secrets(response.data, secret_fields)
        headers = {h: response[h] for h in _REPLAYED_HEADERS if response.has_header(h)}
        if omitted:
            headers[OMITTED_HEADER] = ", ".join(omitted)
        IdempotencyRecord.objects.filter(scope=claim.scope, key=claim.key, response_body="").update(
            response_body=json.dumps(stored, cls=JSONEncoder) if stored is not None else "",
            **({"response_headers": headers} if headers else {}),
        )
    return response


def _replay_journaled(
    record: IdempotencyRecord, fingerprint: str, request: Request, replay_pending: PendingReplay | None
) -> Response:
    if record.response_body or replay_pending is None or record.fingerprint != fingerprint:
        return _replay(record, fingerprint)
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(replay_pending(request, record), status=record.response_status, headers=headers)


def _without_secrets(data: Any, secret_fields: tuple[str, ...]) -> tuple[Any, list[str]]:
    """The body as it may be stored, and the names of the fields left out of it."""
    if not isinstance(data, dict) or not secret_fields:
        return data, []
    omitted = [name for name in secret_fields if name in data]
    return {name: value for name, value in data.items() if name not in secret_fields}, omitted
