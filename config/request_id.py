"""The request id: one id on every log line a request causes, in this process, in the Celery tasks it publishes and
in the partner webhooks its events send (docs/operations.md#logs).

- A web request takes the caller's ``X-Request-Id`` when it is sane (``request_id_clean``: at most
  ``MAX_LENGTH`` characters of letters, digits and ``-_.:``), else a new one; it is bound for the request's lines
  and returned as ``X-Request-Id`` (``RequestIdMiddleware``). A hostile value (too long, a newline, a quote) is
  replaced, never echoed nor logged.
- A task published while an id is bound carries it in a message header (``HEADER``, added by Celery's
  ``before_task_publish`` signal); the worker binds it while the task runs, so the tasks that task publishes carry it
  too. A task that arrives without one (beat's sweepers) gets a new id of its own for its lines.
- Where the chain is broken (work picked from rows later by a sweeper), the row that carries the work stores the id
  (a settlement, a webhook delivery) and the service that takes it up binds it again (``request_id_bound``).

The id lives in a ``ContextVar``: each thread (the webhooks pool's threads) and each request sees its own.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # this module loads with the Celery app, before Django is set up
    from django.http import HttpRequest, HttpResponseBase

HEADER = "X-Request-Id"
# The Celery message header carrying the id (protocol 2 headers reach the worker as ``task.request.<name>``).
TASK_HEADER = "ichiba_request_id"
# Long enough for any tracing id in use (a UUID is 36, a W3C trace id 32, AWS's Root=... 40), short enough that a
# log line cannot be padded with it.
MAX_LENGTH = 128
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")

_request_id: ContextVar[str] = ContextVar("ichiba_request_id", default="")


def request_id_clean(value: object) -> str:
    """``value`` if it is a sane request id, else "" (the caller makes a new one)."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_LENGTH:
        return ""
    return value if _SANE.fullmatch(value) else ""


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_get() -> str:
    """The id bound now, "" when none is (a management command, a test)."""
    return _request_id.get()


@contextmanager
def request_id_bound(value: str) -> Iterator[str]:
    """Bind ``value`` for the block (an empty value leaves the id bound now in place)."""
    if not value:
        yield _request_id.get()
        return
    token = _request_id.set(value)
    try:
        yield value
    finally:
        _request_id.reset(token)


class RequestIdMiddleware:
    """First of the site's middleware: every response, the probes' included, carries ``X-Request-Id``, and every
    line logged while the request is served carries ``request_id``.

    The id stays bound until the response is closed (``request_id_release``, on ``request_finished``), not only
    while the middleware runs: Django logs a 4xx/5xx after its middleware returned, and a streamed body (a download)
    is sent and closed by the server later still. The next request on the thread binds its own at once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        value = request_id_clean(request.headers.get(HEADER, "")) or request_id_new()
        request.request_id = value  # type: ignore[attr-defined]
        _request_id.set(value)
        response = self.get_response(request)
        response[HEADER] = value
        return response


def request_id_release(**_: Any) -> None:
    """``request_finished``'s receiver: the request's id is no longer bound on this thread."""
    _request_id.set("")


# --- Celery ------------------------------------------------------------------------------------------------------

# The tokens of the ids bound by running tasks, per thread (a task starts and ends on one thread).
_running = threading.local()


def _on_publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    value = _request_id.get()
    if value and headers is not None:
        headers.setdefault(TASK_HEADER, value)


def _on_task_start(task_id: str = "", task: Any = None, **_: Any) -> None:
    request = getattr(task, "request", None)
    carried = request_id_clean(
        getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    )
    if not carried and getattr(request, "is_eager", False) and _request_id.get():
        return  # run in-process (make run, unit tests): the publisher's id is bound already
    tokens: dict[str, Token[str]] = getattr(_running, "tokens", None) or {}
    _running.tokens = tokens
    tokens[task_id] = _request_id.set(carried or request_id_new())


def _on_task_end(task_id: str = "", **_: Any) -> None:
    tokens: dict[str, Token[str]] = getattr(_running, "tokens", None) or {}
    token = tokens.pop(task_id, None)
    if token is not None:
        _request_id.reset(token)


def request_id_connect_celery() -> None:
    """Carry the id into tasks (config/celery.py calls this once). ``weak=False``: module functions, kept alive."""
    from celery import signals

    signals.before_task_publish.connect(_on_publish, weak=False, dispatch_uid="ichiba-request-id-publish")
    signals.task_prerun.connect(_on_task_start, weak=False, dispatch_uid="ichiba-request-id-start")
    signals.task_postrun.connect(_on_task_end, weak=False, dispatch_uid="ichiba-request-id-end")
