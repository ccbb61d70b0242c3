"""Probes for load balancers and orchestrators: ``GET /healthz`` (liveness) and ``GET /readyz`` (readiness).

Liveness says the process answers HTTP at all: restart it when this fails. Readiness says it can serve the market:
it fails (503) when PostgreSQL, the source of truth, cannot be reached, or when a check a higher app registered
(``readiness_check_register``: with matchers, a shard that no matcher holds) says the market cannot work. Redis is
reported in the body but never fails the probe: without Redis the API still serves (the throttle fails open, tasks
wait in the rows for the sweepers, docs/operations.md), so a Redis outage must not take every web process out of the
load balancer at once.

Both are answered by a middleware placed first, before host validation, the HTTPS redirect, sessions and the
locale: a load balancer probes by address over plain HTTP, and a probe must not touch the session table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.api.throttling import fail_open_count, redis_client

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
# Seconds a load balancer should wait before probing again a process that is not ready.
NOT_READY_RETRY_AFTER = 5

# A higher app's part of readiness: what it reports under its name and whether the process is ready, or None when
# it has nothing to say here (config imports no app: the apps register their checks when they are ready).
ReadinessCheck = Callable[[], tuple[Any, bool] | None]
_checks: dict[str, ReadinessCheck] = {}


def readiness_check_register(name: str, check: ReadinessCheck) -> None:
    _checks[name] = check


def database_state(alias: str = "default") -> str:
    """ "ok", or "unavailable" when a trivial query cannot run."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("readiness database=unavailable error=%s", type(error).__name__)
        return "unavailable"
    return "ok"


def redis_state() -> str:
    """ "ok", "unavailable", or "not used" (the local-memory cache of ``make run``). Informative only."""
    client = redis_client()
    if client is None:
        return "not used"
    try:
        client.ping()
    except Exception:  # any failure to answer is "unavailable": redis-py raises more than RedisError here
        return "unavailable"
    return "ok"


def liveness() -> HttpResponse:
    return JsonResponse({"status": "alive"})


def readiness() -> HttpResponse:
    database = database_state()
    body: dict[str, Any] = {
        "status": "ready",
        "database": database,
        "redis": redis_state(),
        # Requests let through unmetered by this process because Redis was unreachable (config/api/throttling.py).
        "throttle_unmetered": fail_open_count(),
    }
    ready = database == "ok"
    if ready:
        for name, check in _checks.items():
            found = check()
            if found is not None:
                body[name], ok = found
                ready = ready and ok
    if not ready:
        body["status"] = "not ready"
        return JsonResponse(body, status=503, headers={"Retry-After": str(NOT_READY_RETRY_AFTER)})
    return JsonResponse(body)


class ProbeMiddleware:
    """Answers the two probe paths itself; every other request goes on down the stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.probes: dict[str, Callable[[], HttpResponse]] = {LIVENESS_PATH: liveness, READINESS_PATH: readiness}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.probes.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"status": "method not allowed"}, status=405, headers={"Allow": "GET, HEAD"})
        response = probe()
        response["Cache-Control"] = "no-store"
        return response
