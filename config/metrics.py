"""The market's Prometheus metrics, the middleware that times every request, and ``GET /metrics``.

Every metric the market exports is declared here, once, so the Grafana dashboard (deploy/grafana/ichiba.json) and
docs/operations.md#metrics have one list to follow. Events are counted in the process where they happen, after
their transaction commits (a rolled-back order is never counted): orders, trades and contracts mostly in the web
processes, settlement steps, webhook deliveries and validations in the Celery workers (ADR 23). The Celery queues'
lengths are read from the broker when ``/metrics`` is scraped.

Processes and registries:

- with ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn's worker processes, the processes ``manage.py workers`` starts)
  each process writes its values to files there, and a scrape sums the files of every process, the dead ones
  included: a counter never goes back when a worker is recycled. The directory must be emptied when its server
  starts (``gunicorn.conf.py``, ``manage.py workers``) and must be set before ``prometheus_client`` is imported;
- without it (``make run``, the tests) the process's own default registry.

Labels are bounded: a request's ``route`` is the URL pattern it resolved to, never its path.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from config.api.problems import PROBLEM_TYPES, django_problem
from config.health import LIVENESS_PATH, READINESS_PATH

# One line per request served (settings.ACCESS_LOG): a logger of its own, so an operator can raise its level alone.
access_logger = logging.getLogger("ichiba.access")

__all__ = [
    "CELERY_BROKER_UP",
    "CELERY_QUEUE_LENGTH",
    "CONTRACTS_CONCLUDED",
    "METRICS_PATH",
    "ORDERS_PLACED",
    "REQUEST_DURATION",
    "SETTLEMENT_LAG",
    "SETTLEMENT_TRANSITIONS",
    "TRADES",
    "UNMATCHED",
    "VALIDATIONS",
    "VALIDATION_BYTES",
    "VALIDATION_DURATION",
    "VALIDATION_ROWS",
    "WEBHOOK_ATTEMPTS",
    "WEBHOOK_DELIVERIES",
    "MetricsMiddleware",
    "count_after_commit",
    "exported_names",
    "exposition",
    "multiprocess_directory_clean",
    "route_of",
    "scrape_allowed",
    "settlement_lag_observe",
    "worker_metrics_server",
]

METRICS_PATH = "/metrics"
# Requests no URL pattern resolved: answered by a middleware (a refusal) or a 404, the API's catch-all included.
UNMATCHED = "<unmatched>"
# config/urls.py's pattern that answers every other path under /api/ with a 404 problem.
API_NOT_FOUND = "api-not-found"
STATIC = "<static>"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Seconds, from a cached page to a large upload or a slow partner's webhook call.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUEST_DURATION = Histogram(
    "ichiba_http_request_duration_seconds",
    "Time from a request's arrival to its response's headers, by URL pattern, method and status.",
    ["route", "method", "status"],
    buckets=_LATENCY_BUCKETS,
)
ORDERS_PLACED = Counter("ichiba_orders_placed", "Orders placed (committed, whatever their outcome).", ["side", "type"])
TRADES = Counter(
    "ichiba_trades", "Trades executed, on the book or off it (a deal's offering: private, auction).", ["channel"]
)
CONTRACTS_CONCLUDED = Counter("ichiba_contracts_concluded", "Contracts concluded (one per trade).", ["channel"])
SETTLEMENT_LAG = Histogram(
    "ichiba_settlement_lag_seconds",
    "From a trade's execution to its buyer's entitlement being granted (the first payment authorised).",
    buckets=(0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 6 * 3600.0, 24 * 3600.0),
)
SETTLEMENT_TRANSITIONS = Counter(
    "ichiba_settlement_transitions",
    "Settlements moved into a status: authorized, captured, voided, refunded, failed.",
    ["status"],
)
WEBHOOK_ATTEMPTS = Counter(
    "ichiba_webhook_attempts",
    "Attempts to deliver a partner webhook, by result: ok (2xx) or error (another status, a timeout, no answer).",
    ["result"],
)
WEBHOOK_DELIVERIES = Counter(
    "ichiba_webhook_deliveries",
    "Partner webhook deliveries that ended: delivered, or failed (attempts spent or endpoint deleted).",
    ["status"],
)
VALIDATIONS = Counter(
    "ichiba_validations", "Validations of an uploaded version that ran to a verdict.", ["format", "outcome"]
)
VALIDATION_BYTES = Counter("ichiba_validation_bytes", "Bytes of uploaded versions validated.", ["format"])
VALIDATION_ROWS = Counter("ichiba_validation_rows", "Rows of uploaded versions validated (when counted).", ["format"])
VALIDATION_DURATION = Histogram(
    "ichiba_validation_duration_seconds",
    "Time one validation's checks took (reading the whole file).",
    ["format"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0),
)
# Read from the broker at scrape time by ``_QueueLengths``; declared here for the names' list.
CELERY_QUEUE_LENGTH = "ichiba_celery_queue_length"
CELERY_BROKER_UP = "ichiba_celery_broker_up"

_DECLARED: tuple[Counter | Histogram, ...] = (
    REQUEST_DURATION,
    ORDERS_PLACED,
    TRADES,
    CONTRACTS_CONCLUDED,
    SETTLEMENT_LAG,
    SETTLEMENT_TRANSITIONS,
    WEBHOOK_ATTEMPTS,
    WEBHOOK_DELIVERIES,
    VALIDATIONS,
    VALIDATION_BYTES,
    VALIDATION_ROWS,
    VALIDATION_DURATION,
)
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}


def exported_names() -> frozenset[str]:
    """Every sample name ``/metrics`` can carry (``ichiba_trades_total``, ``..._bucket``), labelled children or not."""
    names = {CELERY_QUEUE_LENGTH, CELERY_BROKER_UP}
    for metric in _DECLARED:
        for family in metric.describe():
            names.update(family.name + suffix for suffix in _SUFFIXES[family.type])
    return frozenset(names)


# --- counting events --------------------------------------------------------------------------------------------


def count_after_commit(count: Callable[[], None]) -> None:
    """Run ``count`` (a few increments) once the current transaction commits, and never if it rolls back; at once
    outside a transaction. A metric must not fail the work it counts, so any error in it is logged and dropped."""
    transaction.on_commit(count, robust=True)


def settlement_lag_observe(*, executed_at: datetime, granted_at: datetime | None = None) -> None:
    granted_at = granted_at or timezone.now()
    SETTLEMENT_LAG.observe(max(0.0, (granted_at - executed_at).total_seconds()))


# --- the Celery queues -----------------------------------------------------------------------------------------

# kombu's Redis transport keeps a queue's messages of priority 3, 6 and 9 in lists of their own beside the queue's.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


class _QueueLengths(Collector):
    """The length of each Celery queue, read from Redis at scrape time (one round trip). Fails soft: with Redis
    down the scrape still answers, with ``ichiba_celery_broker_up 0`` and no lengths. Nothing without a Redis broker
    (``make run``'s in-process tasks)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from config.api.throttling import redis_client  # the broker's Redis (both come from REDIS_URL)
        from config.workers import pools

        if not settings.REDIS_URL:
            return
        queues = sorted({queue for pool in pools() for queue in pool.queues})
        up = GaugeMetricFamily(CELERY_BROKER_UP, "Whether the Celery broker (Redis) answered this scrape.")
        lengths = GaugeMetricFamily(CELERY_QUEUE_LENGTH, "Messages waiting in each Celery queue.", labels=["queue"])
        try:
            client = redis_client()
            pipe = client.pipeline(transaction=False)
            for queue in queues:
                for suffix in _PRIORITY_SUFFIXES:
                    pipe.llen(f"{settings.CELERY_QUEUE_PREFIX}{queue}{suffix}")
            counts = pipe.execute()
        except Exception:  # any failure to answer (refused, timed out, a dead socket): the scrape goes on
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        width = len(_PRIORITY_SUFFIXES)
        for index, queue in enumerate(queues):
            lengths.add_metric([queue], sum(counts[index * width : (index + 1) * width]))
        yield up
        yield lengths


# --- exposition --------------------------------------------------------------------------------------------------


def multiprocess_directory() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def exposition(*, directory: str | None = None, queues: bool = True) -> bytes:
    """The text format of every metric: summed over the processes writing to ``directory`` (by default
    ``PROMETHEUS_MULTIPROC_DIR``), else this process's; with the Celery queues' lengths when ``queues``."""
    directory = multiprocess_directory() if directory is None else directory
    if directory:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry = REGISTRY
    body = generate_latest(registry)
    if queues:
        live = CollectorRegistry()
        live.register(_QueueLengths())
        body += generate_latest(live)
    return body


def multiprocess_directory_clean(directory: str) -> None:
    """Empty a metrics folder before the processes that write to it start (their counts begin at zero)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


def worker_metrics_server(*, directory: str, host: str, port: int, token: str) -> WSGIServer:
    """Serve ``GET /metrics`` of the worker processes writing to ``directory`` on ``host:port``, from a daemon
    thread, under the rule of the web's ``/metrics`` (``scrape_allowed``). ``manage.py workers`` runs it."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        allowed = scrape_allowed(
            token=token,
            authorization=environ.get("HTTP_AUTHORIZATION", ""),
            remote_addr=environ.get("REMOTE_ADDR", ""),
            forwarded="HTTP_X_FORWARDED_FOR" in environ or "HTTP_FORWARDED" in environ,
        )
        if environ.get("PATH_INFO") != METRICS_PATH or not allowed:
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Not found.\n"]
        body = exposition(directory=directory, queues=False)
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Cache-Control", "no-store")])
        return [body]

    server = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    return server


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def scrape_allowed(*, token: str, authorization: str, remote_addr: str, forwarded: bool) -> bool:
    """The access rule of ``/metrics``: with ``ICHIBA_METRICS_TOKEN`` set, the bearer of that token; without, only
    this machine. A request a proxy relayed (``X-Forwarded-For``/``Forwarded``) is never this machine's own, even
    when the proxy runs here and connects from 127.0.0.1."""
    if token:
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    return _loopback(remote_addr) and not forwarded


def metrics_view(request: HttpRequest) -> HttpResponse:
    from config.market import market_settings

    allowed = scrape_allowed(
        token=market_settings().metrics_token,
        authorization=request.headers.get("Authorization", ""),
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded="X-Forwarded-For" in request.headers or "Forwarded" in request.headers,
    )
    if not allowed:
        # As if there were nothing here: the metrics name routes, queues and volumes.
        return django_problem(404, "not-found", PROBLEM_TYPES["not-found"][1])
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"status": "method not allowed"}, status=405, headers={"Allow": "GET, HEAD"})
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def route_of(request: HttpRequest) -> str:
    """The URL pattern a request resolved to (``api/v1/orders/<str:order_id>``); a few fixed words otherwise."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route and match.url_name != API_NOT_FOUND:
        return str(match.route)
    path = request.path_info
    if path in (LIVENESS_PATH, READINESS_PATH):
        return path.lstrip("/")
    if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return STATIC
    return UNMATCHED


class MetricsMiddleware:
    """Times every request into ``ichiba_http_request_duration_seconds`` and answers ``/metrics`` itself.

    Placed first, before the probes, host validation and the HTTPS redirect: Prometheus scrapes each process by its
    address over plain HTTP. A scrape is not counted in the histogram, so the counts are the requests served. The
    time ends when the response's headers are ready: a streamed download's body is not in it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.access_log = settings.ACCESS_LOG

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == METRICS_PATH:
            return metrics_view(request)
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        method = request.method if request.method in METHODS else "other"
        route = route_of(request)
        REQUEST_DURATION.labels(route, method, str(response.status_code)).observe(seconds)
        if self.access_log:
            # The access line of docs/operations.md#logs: the route, never the path (a download's holds its token).
            access_logger.info(
                "%s %s %s",
                method,
                route,
                response.status_code,
                extra={
                    "event": "http.request",
                    "method": method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
        return response
