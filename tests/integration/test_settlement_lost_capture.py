"""A capture lost after the first complete download is re-driven by the sweeper, not left for the acceptance
window, and never made twice: the stripe provider on localstripe, on PostgreSQL (run by CI).

The buyer downloads the whole file while the broker is down, so the capture task the download enqueues is lost,
as it is when a worker is killed before it acknowledged the message: the entitlement records the first download
and the settlement stays authorised. Localstripe sits behind the fault proxy only to count the capture calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from settlement.models import Entitlement, LedgerTransaction, Settlement, SettlementEvent
from settlement.services import settlements
from tests.fixtures import require_postgres, require_redis
from tests.integration.fault_proxy import FaultProxy
from tests.integration.workers import broker_at, buy, market, publishing_to_broker, race

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


@pytest.fixture
def stripe_proxy(localstripe: str, settings: Any, transactional_db: Any) -> Iterator[FaultProxy]:
    """Trades settle in-process through the stripe provider, whose calls go through a counting proxy."""
    require_postgres()
    require_redis()
    with FaultProxy(localstripe) as proxy:
        settings.ICHIBA = {**settings.ICHIBA, "PAYMENT_PROVIDER": "stripe"}
        settings.STRIPE = {**settings.STRIPE, "API_BASE": proxy.url}
        yield proxy


def downloaded_but_not_captured() -> Settlement:
    """An authorised settlement whose buyer downloaded the whole file while its capture task was lost."""
    _, buyer, offering = market()
    settlement = buy(buyer, offering)
    assert settlement.status == "authorized" and settlement.provider == "stripe", settlement.status
    entitlement = Entitlement.objects.get(settlement=settlement)
    url = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens").json()["download_url"]
    with publishing_to_broker(), broker_at("redis://127.0.0.1:9/0"):  # the capture message goes nowhere
        response: Any = APIClient().get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)
        response.close()
    entitlement.refresh_from_db()
    assert entitlement.first_download_at is not None
    settlement.refresh_from_db()
    assert settlement.status == "authorized", "the capture task must be lost for this test"
    return settlement


def capture_calls(proxy: FaultProxy, settlement: Settlement) -> int:
    return proxy.seen[("POST", f"/v1/payment_intents/{settlement.payment_ref}/capture")]


def well_before_the_window() -> Any:
    """Past the time a capture task needs (settlement_stuck_after), far before the 72-hour acceptance window."""
    return timezone.now() + timedelta(hours=1)


def test_the_sweeper_captures_a_downloaded_settlement_whose_capture_was_lost(stripe_proxy: FaultProxy) -> None:
    settlement = downloaded_but_not_captured()
    # Just after the download its capture task may still be running: the sweeper leaves it to it.
    assert settlements.settlements_sweep()["capture"] == 0

    assert settlements.settlements_sweep(now=well_before_the_window())["capture"] == 1

    settlement.refresh_from_db()
    assert settlement.status == "captured"
    assert capture_calls(stripe_proxy, settlement) == 1
    assert LedgerTransaction.objects.filter(settlement=settlement, kind="capture").count() == 1
    moved = SettlementEvent.objects.get(settlement=settlement, to_status="captured")
    assert "first download" in moved.reason


def test_two_sweepers_at_once_capture_once(stripe_proxy: FaultProxy) -> None:
    settlement = downloaded_but_not_captured()
    later = well_before_the_window()

    swept = race(THREADS, lambda _: settlements.settlements_sweep(now=later))

    assert all(isinstance(counts, dict) for counts in swept), swept
    assert sum(counts["capture"] for counts in swept) == 1, swept
    settlement.refresh_from_db()
    assert settlement.status == "captured"
    assert capture_calls(stripe_proxy, settlement) == 1, "one sweeper claimed it; the provider was asked once"
    assert LedgerTransaction.objects.filter(settlement=settlement, kind="capture").count() == 1
    assert SettlementEvent.objects.filter(settlement=settlement, to_status="captured").count() == 1
