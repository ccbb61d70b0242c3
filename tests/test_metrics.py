"""GET /metrics (config/metrics.py): who may read it, the request histogram by route, and each market metric moving
when its event happens (here in-process, Celery eager; on a real worker and under gunicorn:
tests/integration/test_metrics_processes.py)."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client

from catalog.models import DatasetVersion
from config import metrics
from settlement.models import Settlement, WebhookDelivery
from settlement.services import settlements, webhooks
from tests.builders import metric_samples, metric_total, place, published_offering, trade
from tests.builders import principal as principal_of
from tests.fixtures import free_port, require_redis


def scrape(client: Client | None = None, **headers: Any) -> bytes:
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content


def value(name: str, **labels: str) -> float:
    return metric_total(scrape(), name, **labels)


# --- access --------------------------------------------------------------------------------------------------


def test_without_a_token_only_this_machine_may_read_the_metrics(db: Any) -> None:
    assert b"ichiba_http_request_duration_seconds" in scrape(REMOTE_ADDR="127.0.0.1")
    assert scrape(REMOTE_ADDR="::1")
    elsewhere = Client().get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert elsewhere.status_code == 404
    assert elsewhere["Content-Type"] == "application/problem+json"
    assert b"ichiba_" not in elsewhere.content
    # A proxy on this machine connects from loopback: what it relays is not this machine's own request.
    relayed = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert relayed.status_code == 404
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_FORWARDED="for=203.0.113.7").status_code == 404


def test_with_a_token_only_its_bearer_may_read_the_metrics(db: Any, settings: Any) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "METRICS_TOKEN": "scrape-secret-0123456789"}
    client = Client()
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404  # loopback is not enough now
    wrong = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer scrape-secret-012345678")
    assert wrong.status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Basic scrape-secret-0123456789").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret-012345678\u00e9").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer").status_code == 404
    far = client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer scrape-secret-0123456789")
    assert far.status_code == 200
    assert b"ichiba_http_request_duration_seconds" in far.content


def test_the_metrics_answer_get_only_and_are_never_cached(db: Any) -> None:
    assert Client().post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405
    assert Client().get("/metrics")["Cache-Control"] == "no-store"


def test_metrics_are_answered_before_host_validation(db: Any, settings: Any) -> None:
    """Prometheus scrapes a process by its address: a host the site does not serve must not make it a 400."""
    settings.ALLOWED_HOSTS = ["ichiba.example"]
    assert Client().get("/metrics", HTTP_HOST="10.0.0.5:8000").status_code == 200


# --- the request histogram -----------------------------------------------------------------------------------


def test_requests_are_counted_by_url_pattern_method_and_status_never_by_path(buyer: Any) -> None:
    name = "ichiba_http_request_duration_seconds_count"
    route = "api/v1/orders/<str:order_id>"
    before = value(name, route=route, method="GET", status="404")
    for _ in range(3):
        assert buyer.client.get(f"/api/v1/orders/{uuid.uuid4()}").status_code == 404
    text = scrape()
    assert metric_total(text, name, route=route, method="GET", status="404") == before + 3
    assert b"/api/v1/orders/" not in text  # no raw path, so no label per order id

    # Every path no pattern knows is one label, a page's or the API's (config/urls.py's catch-all).
    unmatched = value(name, route=metrics.UNMATCHED, method="GET", status="404")
    for _ in range(2):
        Client().get(f"/no-such-page/{uuid.uuid4()}")
        assert Client().get(f"/api/v1/no-such-thing/{uuid.uuid4()}").status_code == 404
    assert value(name, route=metrics.UNMATCHED, method="GET", status="404") == unmatched + 4

    # A method nobody defines is one label, not one per invented word; a probe is named by its path.
    odd = value(name, method="other")
    Client().generic("BREW", "/healthz")
    assert value(name, method="other") == odd + 1
    probes = value(name, route="healthz", method="GET", status="200")
    Client().get("/healthz")
    assert value(name, route="healthz", method="GET", status="200") == probes + 1


def test_a_scrape_carries_only_the_names_the_dashboard_may_use(
    seller: Any, django_capture_on_commit_callbacks: Any
) -> None:
    published_offering(seller, django_capture_on_commit_callbacks)  # a validation and a few requests
    found = {name for name, _, _ in metric_samples(scrape()) if name.startswith("ichiba_")}
    assert {name for name in found if not name.endswith("_created")} <= metrics.exported_names()
    assert "ichiba_validations_total" in found


def test_a_scrape_is_not_counted_among_the_requests(db: Any) -> None:
    name = "ichiba_http_request_duration_seconds_count"
    first = value(name)
    assert value(name) == first


# --- market metrics ------------------------------------------------------------------------------------------


def test_an_order_that_trades_counts_the_order_the_trade_the_contract_and_the_settlement_lag(
    seller: Any, buyer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    offering = published_offering(seller, django_capture_on_commit_callbacks)
    before = scrape()
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    after = scrape()

    def moved(name: str, **labels: str) -> float:
        return metric_total(after, name, **labels) - metric_total(before, name, **labels)

    assert moved("ichiba_orders_placed_total", side="sell", type="limit") == 1
    # The pattern deploy/prometheus/alerts.yml watches for the latency of placing an order.
    assert moved("ichiba_http_request_duration_seconds_count", route="api/v1/orders", method="POST", status="201") == 2
    assert moved("ichiba_orders_placed_total", side="buy", type="limit") == 1
    assert moved("ichiba_trades_total", channel="book") == 1
    assert moved("ichiba_contracts_concluded_total", channel="book") == 1
    # Eager tasks: the authorisation ran on commit and granted the entitlement.
    assert Settlement.objects.get(pk=settlement.pk).status == Settlement.Status.AUTHORIZED
    assert moved("ichiba_settlement_transitions_total", status="authorized") == 1
    assert moved("ichiba_settlement_lag_seconds_count") == 1
    assert moved("ichiba_settlement_lag_seconds_bucket", le="+Inf") == 1


def test_an_order_refused_counts_nothing(seller: Any, buyer: Any, django_capture_on_commit_callbacks: Any) -> None:
    offering = published_offering(seller, django_capture_on_commit_callbacks)
    before = value("ichiba_orders_placed_total")
    with django_capture_on_commit_callbacks(execute=True):
        refused = place(buyer, offering, "buy", 1, 1000, accepted_terms_sha256="0" * 64)
    assert refused.status_code >= 400
    assert value("ichiba_orders_placed_total") == before


def test_captures_voids_and_refunds_are_counted(
    seller: Any, buyer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    offering = published_offering(seller, capture)
    kept = trade(buyer, seller, offering, capture, quantity=1)
    given_up = trade(buyer, seller, offering, capture, quantity=1)
    before = scrape()
    with capture(execute=True):
        settlements.settlement_capture(settlement_id=kept.pk, reason="downloaded")
    with capture(execute=True):
        settlements.settlement_refund(settlement_id=kept.pk, reason="The data was not as described.")
    with capture(execute=True):
        settlements.settlement_release(settlement_id=given_up.pk, reason="negotiation terminated")
    after = scrape()
    assert Settlement.objects.get(pk=kept.pk).status == Settlement.Status.REFUNDED
    assert Settlement.objects.get(pk=given_up.pk).status == Settlement.Status.VOIDED
    for status in ("captured", "refunded", "voided"):
        name = "ichiba_settlement_transitions_total"
        assert metric_total(after, name, status=status) - metric_total(before, name, status=status) == 1, status


def test_webhook_attempts_and_failed_deliveries_are_counted(seller: Any, settings: Any) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_MAX_ATTEMPTS": 1}
    principal = principal_of(seller)
    # Nothing listens on this port: the attempt fails at once, and with one attempt allowed the delivery too.
    endpoint, _secret = webhooks.webhook_endpoint_create(
        principal=principal, url=f"http://127.0.0.1:{free_port()}/hooks", events=["settlement.updated"]
    )
    webhooks.webhook_publish(organization_id=seller.organization.id, event_type="settlement.updated", data={})
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    before = scrape()
    webhooks.webhook_deliver(delivery_id=delivery.pk)
    after = scrape()
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == WebhookDelivery.Status.FAILED
    name = "ichiba_webhook_attempts_total"
    assert metric_total(after, name, result="error") - metric_total(before, name, result="error") == 1
    name = "ichiba_webhook_deliveries_total"
    assert metric_total(after, name, status="failed") - metric_total(before, name, status="failed") == 1
    assert metric_total(after, name, status="delivered") == metric_total(before, name, status="delivered")


def test_validation_counts_its_bytes_rows_and_time(seller: Any, django_capture_on_commit_callbacks: Any) -> None:
    before = scrape()
    published_offering(seller, django_capture_on_commit_callbacks)  # uploads a 10-row CSV, validated on commit
    after = scrape()
    version = DatasetVersion.objects.get(dataset__seller=seller.organization)
    assert version.status == DatasetVersion.Status.PUBLISHED

    def moved(name: str, **labels: str) -> float:
        return metric_total(after, name, **labels) - metric_total(before, name, **labels)

    assert moved("ichiba_validations_total", format="csv", outcome="passed") == 1
    assert moved("ichiba_validation_bytes_total", format="csv") == version.size_bytes
    assert moved("ichiba_validation_rows_total", format="csv") == 10
    assert moved("ichiba_validation_duration_seconds_count", format="csv") == 1


# --- the Celery queues -----------------------------------------------------------------------------------------


def test_queue_lengths_are_read_from_the_broker_at_scrape_time(db: Any) -> None:
    require_redis()
    from config.api.throttling import redis_client

    client = redis_client()
    key = f"{django_settings.CELERY_QUEUE_PREFIX}validation"
    client.delete(key)
    try:
        client.rpush(key, "one", "two", "three")
        text = scrape()
        assert metric_total(text, "ichiba_celery_broker_up") == 1
        assert metric_total(text, "ichiba_celery_queue_length", queue="validation") == 3
        assert {
            labels["queue"] for name, labels, _ in metric_samples(text) if name == "ichiba_celery_queue_length"
        } == {
            "default",
            "profiling",
            "settlement",
            "validation",
            "webhooks",
        }
    finally:
        client.delete(key)


def test_a_broker_that_is_down_fails_the_scrape_soft(db: Any, settings: Any) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.REDIS_URL = dead
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": dead,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    text = scrape()
    assert metric_total(text, "ichiba_celery_broker_up") == 0
    assert b"ichiba_celery_queue_length{" not in text
    assert b"ichiba_http_request_duration_seconds" in text


# --- the workers' metrics server ------------------------------------------------------------------------------


def test_the_workers_do_not_start_when_their_metrics_port_is_taken(settings: Any, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings.ICHIBA = {**settings.ICHIBA, "WORKER_METRICS_PORT": port, "WORKER_METRICS_DIR": str(tmp_path)}
        with pytest.raises(CommandError, match="cannot serve the workers' metrics"):
            call_command("workers", "--pool", "settlement")


def test_the_workers_metrics_server_sums_a_folder_under_the_same_rule(tmp_path: Path) -> None:
    port = free_port()
    server = metrics.worker_metrics_server(directory=str(tmp_path), host="127.0.0.1", port=port, token="")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/plain")
        relayed = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(relayed, timeout=5)  # noqa: S310
        assert refused.value.code == 404
    finally:
        server.shutdown()
        server.server_close()
