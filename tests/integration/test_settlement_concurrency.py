"""Money never moves twice: settlement steps raced by many threads on PostgreSQL (run by CI).

Each thread stands for a worker that received the same message (a redelivery, the sweeper and the task at
once, a first download and the acceptance window together).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum

from marketplace.models import Offering, Trade
from settlement.models import (
    Entitlement,
    LedgerTransaction,
    OfflinePayment,
    OfflineTransfer,
    Payout,
    Settlement,
    SettlementEvent,
)
from settlement.providers import PaymentResult
from settlement.services import ledger, payouts, settlements
from tests.builders import make_party
from tests.fixtures import require_postgres, require_redis
from tests.integration.workers import broker_at, buy, market, publishing_to_broker, race

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


@pytest.fixture
def pending(transactional_db: Any) -> Settlement:
    """A trade whose settlement is still pending: its task could not be enqueued (broker unreachable)."""
    require_postgres()
    require_redis()
    _, buyer, offering = market()
    with publishing_to_broker(), broker_at("redis://127.0.0.1:9/0"):
        settlement = buy(buyer, offering)
    assert settlement.status == "pending"
    return settlement


def transitions(settlement: Settlement, to_status: str) -> int:
    return (
        SettlementEvent.objects.filter(settlement=settlement, to_status=to_status)
        .exclude(from_status=to_status)
        .count()
    )


def test_racing_authorisations_charge_once_and_grant_once(pending: Settlement) -> None:
    results = race(THREADS, lambda _: settlements.settlement_authorize(settlement_id=pending.id).status)
    assert results == ["authorized"] * THREADS, results
    assert OfflinePayment.objects.filter(metadata__settlement=str(pending.id)).count() == 1
    assert transitions(pending, "authorized") == 1
    assert Entitlement.objects.filter(settlement=pending).count() == 1


def test_racing_captures_post_the_ledger_once(pending: Settlement) -> None:
    settlements.settlement_authorize(settlement_id=pending.id)
    results = race(THREADS, lambda _: settlements.settlement_capture(settlement_id=pending.id, reason="race").status)
    assert results == ["captured"] * THREADS, results
    assert LedgerTransaction.objects.filter(settlement=pending, kind="capture").count() == 1
    assert transitions(pending, "captured") == 1
    payment = OfflinePayment.objects.get(metadata__settlement=str(pending.id))
    assert payment.amount_captured == pending.amount


def test_racing_refunds_refund_once(pending: Settlement) -> None:
    settlements.settlement_authorize(settlement_id=pending.id)
    settlements.settlement_capture(settlement_id=pending.id, reason="first download")
    results = race(THREADS, lambda _: settlements.settlement_refund(settlement_id=pending.id, reason="race").status)
    assert results == ["refunded"] * THREADS, results
    assert LedgerTransaction.objects.filter(settlement=pending, kind="refund").count() == 1
    assert OfflinePayment.objects.get(metadata__settlement=str(pending.id)).amount_refunded == pending.amount
    assert ledger.ledger_balance(account="provider_balance", currency="JPY") == 0


def test_racing_declines_void_the_trade_and_return_the_seat_once(transactional_db: Any) -> None:
    require_postgres()
    require_redis()
    declining = make_party("Race Buyer", {"buyer"}, payment_method="pm_card_chargeDeclined")
    _, buyer, offering = market(buyer=declining, seats=10, ask=2)
    with publishing_to_broker(), broker_at("redis://127.0.0.1:9/0"):
        settlement = buy(buyer, offering)
    assert Offering.objects.get(pk=offering["id"]).seats_sold == 1
    declined = PaymentResult(status="declined", failure_code="card_declined", failure_message="declined")
    race(
        THREADS,
        lambda _: settlements.settlement_apply_provider_state(
            settlement_id=settlement.id, result=declined, source="race"
        ),
    )
    assert Settlement.objects.get(pk=settlement.pk).status == "failed"
    assert Trade.objects.get(pk=settlement.trade_id).status == "void"
    assert Offering.objects.get(pk=offering["id"]).seats_sold == 0, "the seat came back exactly once"
    assert transitions(settlement, "failed") == 1


def test_racing_payout_runs_pay_each_seller_once(pending: Settlement) -> None:
    settlements.settlement_authorize(settlement_id=pending.id)
    settlements.settlement_capture(settlement_id=pending.id, reason="first download")
    created = race(THREADS, lambda _: payouts.payouts_create())
    assert sum(len(batch) for batch in created) == 1, created
    payout = Payout.objects.get()
    results = race(THREADS, lambda _: payouts.payout_send(payout_id=payout.id).status)
    assert results == ["paid"] * THREADS, results
    assert OfflineTransfer.objects.count() == 1
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert ledger.seller_payable(organization_id=pending.seller_id, currency="JPY") == 0
    assert LedgerTransaction.objects.aggregate(n=Sum("entries__amount"))["n"] == 0
