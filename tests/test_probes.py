"""The probes a load balancer uses (config/health.py): liveness always, readiness only while PostgreSQL answers.
Redis does not count (tests/test_redis_outage.py kills it and the probe stays ready)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.builders import run_python
from tests.fixtures import free_port

pytestmark = pytest.mark.django_db


def test_the_probes_answer_by_address_over_plain_http(settings: Any) -> None:
    """A load balancer probes by the node's address, over HTTP: no Host check, no HTTPS redirect, no session."""
    settings.ALLOWED_HOSTS = ["market.example"]
    settings.SECURE_SSL_REDIRECT = True
    client = Client(HTTP_HOST="10.0.0.5")
    alive = client.get("/healthz")
    ready = client.get("/readyz")
    assert (alive.status_code, alive.json()) == (200, {"status": "alive"})
    assert ready.status_code == 200 and ready.json()["status"] == "ready" and ready.json()["database"] == "ok"
    assert ready["Cache-Control"] == "no-store" and "Set-Cookie" not in ready
    assert client.post("/readyz").status_code == 405
    assert client.get("/api/v1/me").status_code in (301, 400), "everything else is still checked"


def test_readiness_fails_when_the_database_cannot_be_reached() -> None:
    """A web process whose PostgreSQL is gone leaves the load balancer (503); it still answers liveness."""
    code = (
        "import django, json; django.setup(); from django.test import Client; c = Client(); "
        "r = c.get('/readyz'); l = c.get('/healthz'); "
        "print(json.dumps([r.status_code, r.json(), r.get('Retry-After'), l.status_code]))"
    )
    shown = run_python(
        code,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    status, body, retry_after, alive = json.loads(shown.stdout.strip().splitlines()[-1])
    assert (status, body["status"], body["database"], retry_after, alive) == (503, "not ready", "unavailable", "5", 200)
