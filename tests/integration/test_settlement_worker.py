"""Settlement under faults, on PostgreSQL, Redis and real Celery workers (run by CI).

A worker killed mid-authorisation charges once; a provider failing transiently is retried with backoff and
then settles; a broker that is down when the trade commits only delays the settlement until the sweeper
runs; a first download captures the payment.
"""

from __future__ import annotations

import socket

import pytest
from django.db.models import Sum

from settlement.models import Entitlement, LedgerEntry, OfflinePayment
from settlement.services import settlements
from tests.integration.workers import (
    QUEUES,
    broker_at,
    buy,
    market,
    start_worker,
    status_of,
    stop_worker,
    sweep_as_if_later,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_trade_settles_on_a_worker_and_the_first_download_captures_it(on_broker, workers) -> None:
    workers.append(start_worker(queues=QUEUES, name="settle"))
    _, buyer, offering = market()
    settlement = buy(buyer, offering)
    wait_for(lambda: status_of(settlement) == "authorized", what="authorisation", process=workers[0])
    entitlement = Entitlement.objects.get(settlement=settlement)
    token = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens").json()
    download = buyer.client.get(token["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"timestamp,value")
    wait_for(lambda: status_of(settlement) == "captured", what="capture", process=workers[0])
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 0


def test_a_worker_killed_mid_authorisation_charges_once(on_broker, workers) -> None:
    slow = start_worker(queues=QUEUES, name="slow", env={"ICHIBA_OFFLINE_PROVIDER_DELAY_SECONDS": "60"})
    workers.append(slow)
    _, buyer, offering = market()
    settlement = buy(buyer, offering)
    key = settlements.idempotency_key(settlement.id, "authorize")
    # The provider has authorised; the worker sleeps before it hears back. Kill it there.
    wait_for(lambda: OfflinePayment.objects.filter(idempotency_key=key).exists(), what="the charge", process=slow)
    stop_worker(slow, kill=True)
    assert status_of(settlement) == "pending"

    workers.append(start_worker(queues=QUEUES, name="restarted"))
    sweep_as_if_later()  # the killed worker's message is unacknowledged: the sweeper re-drives it
    wait_for(lambda: status_of(settlement) == "authorized", what="re-driven authorisation", process=workers[-1])
    assert OfflinePayment.objects.filter(metadata__settlement=str(settlement.id)).count() == 1
    assert OfflinePayment.objects.get(idempotency_key=key).status == "authorized"
    assert Entitlement.objects.filter(settlement=settlement).count() == 1


def test_a_provider_failing_transiently_is_retried_with_backoff_then_settles(on_broker, workers) -> None:
    flaky = {"ICHIBA_OFFLINE_PROVIDER_FAILURES": "2", "ICHIBA_PROVIDER_RETRY_BASE_SECONDS": "0.3"}
    workers.append(start_worker(queues=QUEUES, name="flaky", env=flaky))
    _, buyer, offering = market()
    settlement = buy(buyer, offering)
    wait_for(lambda: status_of(settlement) == "authorized", what="authorisation after retries", process=workers[0])
    settlement.refresh_from_db()
    assert settlement.attempts == 2
    retries = [e.reason for e in settlement.events.all() if "provider unavailable" in e.reason]
    assert len(retries) == 2 and "retry #1" in retries[0] and "retry #2" in retries[1]
    assert OfflinePayment.objects.filter(metadata__settlement=str(settlement.id)).count() == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_broker_down_when_the_trade_commits_only_delays_it_until_the_sweeper_runs(on_broker, workers) -> None:
    workers.append(start_worker(queues=QUEUES, name="after-outage"))
    _, buyer, offering = market()
    with broker_at(f"redis://127.0.0.1:{_closed_port()}/0"):
        settlement = buy(buyer, offering)  # the trade commits; enqueueing its settlement fails
    assert status_of(settlement) == "pending"
    sweep_as_if_later()
    wait_for(lambda: status_of(settlement) == "authorized", what="the sweeper's authorisation", process=workers[0])
