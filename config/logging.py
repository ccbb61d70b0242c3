"""Log lines: structlog renders every line of the standard library's logging (Django's, Celery's, the project's
``logging.getLogger`` lines, and ``structlog.get_logger`` lines alike) as one JSON object per line in production, or
as a readable line on a developer's console (``ICHIBA_LOG_FORMAT``; docs/operations.md#logs).

Every line has ``timestamp`` (UTC, ISO 8601), ``level``, ``logger``, ``event`` and ``request_id``
(config/request_id.py), then its own fields: a call's ``extra`` (``logger.info("...", extra={"event":
"order.placed", "order": ...})``: the ``event`` extra names the line, the text goes to ``message``).

A download URL carries a bearer token in its path: no line may keep it. ``RedactDownloadTokens`` cleans a record's
message before any handler sees it, and ``redact_download_tokens`` cleans every text of the finished line (its
fields, its traceback) before it is rendered.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from django.db import transaction

from config.request_id import request_id_bound, request_id_get

_TOKEN_IN_PATH = re.compile(r"(/downloads/)[^/\s?\"'<>]+")

FORMATS = ("json", "console")


class RedactDownloadTokens(logging.Filter):
    """Replace the token of ``/downloads/<token>`` in a record's message (Django logs 4xx/5xx paths, and
    runserver logs every request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):  # a structlog line: its fields are cleaned by redact_download_tokens
            return True
        message = record.getMessage()
        if "/downloads/" in message:
            record.msg = _TOKEN_IN_PATH.sub(r"\1[token]", message)
            record.args = None
        return True


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return _TOKEN_IN_PATH.sub(r"\1[token]", value) if "/downloads/" in value else value
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


def redact_download_tokens(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The last step before rendering: no text of the line keeps a download token."""
    for key, value in event_dict.items():
        event_dict[key] = _redacted(value)
    return event_dict


# What a LogRecord holds of its own (not a caller's ``extra``), and what handlers or Django add to it that is no field
# of the line: ``message``/``asctime`` (set by any formatter that saw the record first), Django's ``request`` (an
# object; the path is in the message) and runserver's ``server_time``.
_NOT_FIELDS = frozenset(
    logging.LogRecord("name", 0, "pathname", 0, "msg", (), None).__dict__.keys()
    | {"message", "asctime", "request", "server_time", "color_message", "taskName"}
)
_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """A value JSON holds as it is; anything else as its text (a UUID, a datetime, a Decimal)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return str(value)


def add_extra_fields(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A standard library record's ``extra`` as the line's fields. An ``event`` extra names the line (the
    project's convention for lines meant to be searched); the record's text then goes to ``message``."""
    record = event_dict.get("_record")
    if record is None or event_dict.get("_from_structlog"):
        return event_dict
    for key, value in record.__dict__.items():
        if key in _NOT_FIELDS or key.startswith("_"):
            continue
        if key == "event":
            event_dict["message"] = event_dict.get("event")
        event_dict[key] = _plain(value)
    return event_dict


def add_request_id(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """``request_id``: the one a line was given (``extra``), else the one bound now ("" when none is)."""
    event_dict.setdefault("request_id", request_id_get())
    return event_dict


_FIRST = ("timestamp", "level", "logger", "event", "request_id")


def first_fields_first(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> dict[str, Any]:
    """The fields every line has, first and in one order, so a person reading JSON lines finds them in one place."""
    ordered = {key: event_dict[key] for key in _FIRST if key in event_dict}
    ordered.update((key, value) for key, value in event_dict.items() if key not in ordered)
    return ordered


def _shared() -> list[Any]:
    return [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
    ]


def _renderer(log_format: str) -> Any:
    if log_format == "console":
        return structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty(), sort_keys=False)
    return structlog.processors.JSONRenderer(sort_keys=False, ensure_ascii=False, default=str)


def formatter(log_format: str = "json") -> structlog.stdlib.ProcessorFormatter:
    """The formatter of every handler (``LOGGING``'s ``"()"``): ``json`` (one object per line) or ``console``."""
    if log_format not in FORMATS:
        raise ValueError(f"ICHIBA_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}.")
    structlog_configure()
    last: list[Any] = [structlog.processors.format_exc_info] if log_format == "json" else []
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared(), add_extra_fields, add_request_id],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *last,
            redact_download_tokens,
            first_fields_first,
            _renderer(log_format),
        ],
    )


_configured = False


def structlog_configure() -> None:
    """structlog's own loggers (``structlog.get_logger``) hand their lines to the standard library's handlers,
    formatted by ``formatter`` like any other line. Idempotent."""
    global _configured
    if _configured:
        return
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.contextvars.merge_contextvars,
            *_shared(),
            add_request_id,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    _configured = True


def log_after_commit(logger: logging.Logger, message: str, *, event: str, **fields: Any) -> None:
    """Log ``message`` at INFO once the transaction open now commits (at once outside one): a line about a change
    never tells of one that rolled back. The line keeps the request id bound now, wherever the commit runs."""
    request_id = request_id_get()
    extra = {"event": event, **fields}

    def emit() -> None:
        with request_id_bound(request_id):
            logger.info(message, extra=extra)

    transaction.on_commit(emit, robust=True)
