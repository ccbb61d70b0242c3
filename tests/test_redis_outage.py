"""A Redis outage (cache and broker at once) takes nothing down but the metering and the speed of background work.

The test runs its own redis-server, points the cache and the Celery broker at it (tasks really go to the broker
here, not eager), calls the API and the site, kills Redis mid-run, calls again, then restarts it and runs the
sweepers. What it proves (docs/operations.md#when-redis-is-down): no 500 anywhere; the throttled API answers as
usual; an order that trades, an upload, the pages, sign-in and the readiness probe all work; the work their
messages would have started is in the database, and the sweepers send it once Redis is back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from catalog.models import DatasetVersion
from catalog.tasks import sweep_validating_versions
from config.api.problems import exception_handler
from config.api.throttling import fail_open_count
from config.celery import app
from config.market import market_settings
from config.middleware import OutageMiddleware
from settlement.models import Settlement
from settlement.services.settlements import settlements_sweep
from tests.builders import make_party, place, published_offering, readings_csv
from tests.fixtures import RedisServer

pytestmark = pytest.mark.django_db(transaction=True)

BROKER_DB = 1


@pytest.fixture
def own_redis(redis_server: RedisServer, settings: Any) -> Iterator[RedisServer]:
    """The cache on db 0 and the broker on db 1 of the test's own Redis; tasks are sent, not run in-process."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url(0),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # Celery's settings come from Django's with the CELERY_ namespace: the prefixed names are the ones it reads.
    saved = {key: app.conf[key] for key in ("CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER")}
    app.conf.update(CELERY_BROKER_URL=redis_server.url(BROKER_DB), CELERY_TASK_ALWAYS_EAGER=False)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield redis_server
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None


def queued(server: RedisServer, queue: str) -> list[str]:
    """The first argument of each task message waiting in ``queue`` (this run's prefixed name) of the broker."""
    from django.conf import settings

    client = redis.Redis.from_url(server.url(BROKER_DB))
    messages: list[bytes] = client.lrange(f"{settings.CELERY_QUEUE_PREFIX}{queue}", 0, -1)  # type: ignore[assignment]
    return [json.loads(message)["headers"]["argsrepr"].split("'")[1] for message in messages]


def test_an_outage_costs_no_request_and_loses_no_work(
    own_redis: RedisServer, settings: Any, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # API keys' principals cached in the Redis that will die, as in production.
    settings.ICHIBA = {**settings.ICHIBA, "API_KEY_CACHE_SECONDS": 30}
    seller = make_party("Outage Seller", {"seller"})
    buyer = make_party("Outage Buyer", {"buyer"}, password="correct horse battery")
    with _eager():  # the offering's upload validates in-process
        offering = published_offering(seller, django_capture_on_commit_callbacks, seats=None)
    assert place(seller, offering, "sell", 5, price=1000).status_code == 201

    # Redis up: the order trades and the settlement's authorisation goes to the broker.
    assert buyer.client.get("/api/v1/me").status_code == 200
    before = place(buyer, offering, "buy", 1, price=1000)
    assert before.status_code == 201, before.content
    first = Settlement.objects.get(trade__buy_order_id=before.json()["id"])
    assert queued(own_redis, "settlement") == [str(first.id)]

    own_redis.kill()
    unmetered = fail_open_count()
    with caplog.at_level(logging.WARNING):
        answers = {
            "me": buyer.client.get("/api/v1/me"),
            "order": place(buyer, offering, "buy", 1, price=1000),
            "upload": seller.client.post(
                f"/api/v1/datasets/{offering['dataset']}/versions",
                {"file": SimpleUploadedFile("d.csv", readings_csv(12))},
                format="multipart",
            ),
            "orders": buyer.client.get("/api/v1/orders"),
            "catalog page": Client().get("/"),
            "readiness": Client().get("/readyz"),
        }
        browser = Client()
        signed_in = browser.post("/login/", {"username": buyer.email, "password": "correct horse battery"})
    assert {what: r.status_code for what, r in answers.items()} == {
        "me": 200,
        "order": 201,
        "upload": 202,
        "orders": 200,
        "catalog page": 200,
        "readiness": 200,
    }, {what: r.content[:300] for what, r in answers.items()}
    assert signed_in.status_code == 302 and browser.get("/api/v1/me").status_code == 200, "sign-in needs no Redis"
    assert fail_open_count() > unmetered, "the throttle let the calls through, and counted them"
    assert answers["readiness"].json()["redis"] == "unavailable", "reported, yet the web process stays ready"
    # The work is in the rows, waiting: the trade's settlement is pending, the upload is validating.
    second = Settlement.objects.get(trade__buy_order_id=answers["order"].json()["id"])
    assert second.status == Settlement.Status.PENDING
    version = DatasetVersion.objects.get(dataset_id=offering["dataset"], number=answers["upload"].json()["number"])
    assert version.status == DatasetVersion.Status.VALIDATING
    assert any("on_commit" in record.getMessage() for record in caplog.records), "the lost message is logged"

    # Redis is back, empty (no persistence: even the message sent before the outage is gone). The sweepers send
    # what is still open.
    own_redis.start()
    assert buyer.client.get("/api/v1/me").status_code == 200
    assert Client().get("/readyz").json()["redis"] == "ok"
    later = timezone.now() + market_settings().settlement_stuck_after + timedelta(seconds=1)
    assert settlements_sweep(now=later) == {"authorize": 2, "capture": 0, "release": 0}
    assert sorted(queued(own_redis, "settlement")) == sorted([str(first.id), str(second.id)])
    settings.ICHIBA = {**settings.ICHIBA, "VALIDATION_STUCK_AFTER_SECONDS": 0}
    assert sweep_validating_versions() == 1
    assert queued(own_redis, "validation") == [str(version.id)]


class _eager:
    """Tasks run in-process for the duration (the broker is not what the set-up is about)."""

    def __enter__(self) -> None:
        app.conf.CELERY_TASK_ALWAYS_EAGER = True

    def __exit__(self, *exc: object) -> None:
        app.conf.CELERY_TASK_ALWAYS_EAGER = False


def test_an_outage_error_left_uncaught_is_a_503_with_retry_after(own_redis: RedisServer) -> None:
    """The net under whatever may still need Redis inside a request: 503 and Retry-After, for the API a problem
    document, for people a page; never a 500. The error is the real one a dead Redis raises."""
    own_redis.kill()
    with pytest.raises(redis.exceptions.ConnectionError) as raised:
        cache.get("anything")
    api = exception_handler(raised.value, {})
    assert (api.status_code, api["Retry-After"], api.data["type"]) == (503, "30", "/problems/service-unavailable")
    middleware = OutageMiddleware(lambda request: HttpResponse())
    for path, content_type in (("/api/v1/orders", "application/problem+json"), ("/", "text/html; charset=utf-8")):
        response = middleware.process_exception(RequestFactory().get(path), raised.value)
        assert response is not None
        assert (response.status_code, response["Retry-After"], response["Content-Type"]) == (503, "30", content_type)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("a bug")) is None, "a bug stays a 500"
