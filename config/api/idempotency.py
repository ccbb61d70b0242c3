"""``Idempotency-Key`` for any DRF ``POST`` handler: same key + same request replays the first response;
same key + different request is a 409 (api.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from config.api.models import IdempotencyRecord
from config.api.principal import principal_of
from config.errors import Conflict, InvalidInput

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_REPLAYED_HEADERS = ("Location",)
MAX_KEY_LENGTH = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Replays the first response for the same key and body; 409 for a different body.",
)

Handler = TypeVar("Handler", bound=Callable[..., Response])


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
        digest.update(request._request.body)
    return digest.hexdigest()


# The record is written by hand-written SQL: it is claimed and filled on every keyed POST, where the ORM's
# create-in-a-savepoint (to survive the IntegrityError of a taken key) cost two extra round trips and most of a
# millisecond of query building. Identifiers are the model's own (quoted); every value is a parameter, prepared
# by the model's field as the ORM would.
_FIELDS = {f.name: f for f in IdempotencyRecord._meta.concrete_fields}


def _quoted(name: str) -> str:
    return connection.ops.quote_name(_FIELDS[name].column)


def _prepared(values: dict[str, Any]) -> list[Any]:
    return [_FIELDS[name].get_db_prep_save(value, connection) for name, value in values.items()]


def _claim(**values: Any) -> int | None:
    """Insert the record (``values``: every field but the response headers and the time); its id, or None when
    the scope already used the key.

    ``ON CONFLICT DO NOTHING`` keeps the transaction usable where an IntegrityError would abort it. On
    PostgreSQL a concurrent insert of the same key is waited for, as by a plain INSERT: if that request
    commits, this one finds its record; if it rolls back, this one inserts."""
    values = {**values, "response_headers": {}, "created_at": timezone.now()}
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(_quoted(name) for name in values)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(values))}) "
        f"ON CONFLICT ({_quoted('scope')}, {_quoted('key')}) DO NOTHING RETURNING {_quoted('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, _prepared(values))
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _store(record_id: int, **values: Any) -> None:
    """Keep the response (``values``: ``response_status``, ``response_body``, ``response_headers``) on the
    claimed record."""
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    assignments = ", ".join(f"{_quoted(name)} = %s" for name in values)
    sql = f"UPDATE {table} SET {assignments} WHERE {_quoted('id')} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_prepared(values), record_id])


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


def idempotent(handler: Handler) -> Handler:
    """Decorate a DRF view's ``post``. Without the header the request runs as usual."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        principal = principal_of(request)
        if key is None or principal is None:
            return handler(view, request, *args, **kwargs)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise InvalidInput(
                f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters.", errors={HEADER: ["invalid"]}
            )
        fingerprint = _fingerprint(request)  # before the transaction: may stream an upload
        scope = principal.organization_id.hex
        with transaction.atomic():
            record_id = _claim(
                scope=scope,
                key=key,
                method=str(request.method),
                path=request.get_full_path()[:2048],
                fingerprint=fingerprint,
                response_status=0,
                response_body="",
            )
            if record_id is None:
                # Another request with this key committed first (on PostgreSQL we waited for it here).
                return _replay(IdempotencyRecord.objects.get(scope=scope, key=key), fingerprint)
            response = handler(view, request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            _store(
                record_id,
                response_status=response.status_code,
                response_body=json.dumps(response.data, cls=JSONEncoder) if response.data is not None else "",
                response_headers={h: response[h] for h in _REPLAYED_HEADERS if response.has_header(h)},
            )
            return response

    return wrapper  # type: ignore[return-value]
