"""A take-down under concurrency, on PostgreSQL (run by CI): two operators taking the same dataset down make one
take-down and refund each payment once; purchases racing a take-down either traded before it committed, and are
then released or refunded, or are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum

from marketplace.models import Offering, Trade
from oversight.models import Takedown
from oversight.services.takedowns import takedown_apply, takedown_finish
from settlement.models import Entitlement, LedgerEntry, LedgerTransaction, OfflinePayment, Settlement
from settlement.services import settlements
from tests.builders import make_party
from tests.fixtures import require_postgres
from tests.integration.workers import buy, market, race

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 6


def finished(takedown_id: Any) -> Takedown:
    """The sweeper's re-drive, until nothing is left (a payment in flight lands on the next pass)."""
    for _ in range(3):
        takedown = takedown_finish(takedown_id=takedown_id)
        if takedown.status == "done":
            return takedown
    return takedown


def test_two_operators_taking_a_dataset_down_refund_each_payment_once(transactional_db: Any) -> None:
    require_postgres()
    _, buyer, offering = market(seats=10, ask=5)
    bought = [buy(buyer, offering) for _ in range(3)]
    for settlement in bought:
        settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    dataset_id = Offering.objects.values_list("dataset_id", flat=True).get(pk=offering["id"])

    def operator(index: int) -> str:
        takedown = takedown_apply(
            dataset_id=dataset_id, category="unlawful", reason=f"Court order (operator {index}).", actor=f"op{index}"
        )
        return str(takedown_finish(takedown_id=takedown.id).id)

    results = race(THREADS, operator)
    assert all(isinstance(result, str) for result in results), results
    [takedown] = Takedown.objects.all()
    assert set(results) == {str(takedown.id)}, "every operator got the one take-down"
    assert finished(takedown.id).status == "done"
    for settlement in bought:
        assert Settlement.objects.get(pk=settlement.pk).status == "refunded"
        assert LedgerTransaction.objects.filter(settlement=settlement, kind="refund").count() == 1
        payment = OfflinePayment.objects.get(metadata__settlement=str(settlement.id))
        assert payment.amount_refunded == settlement.amount, "refunded once, in full"
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 0
    assert set(Entitlement.objects.values_list("status", flat=True)) == {"revoked"}


def test_purchases_racing_a_take_down_trade_before_it_or_not_at_all(transactional_db: Any) -> None:
    require_postgres()
    seller, first_buyer, offering = market(seats=None, ask=None)
    settlements.settlement_capture(settlement_id=buy(first_buyer, offering).id, reason="first download")
    buyers = [make_party(f"Racing Buyer {index}", {"buyer"}) for index in range(THREADS - 1)]
    dataset_id = Offering.objects.values_list("dataset_id", flat=True).get(pk=offering["id"])
    bid = {"offering": offering["id"], "side": "buy", "quantity": 1, "price": 1000}
    bid["accepted_terms_sha256"] = offering["terms_sha256"]

    def act(index: int) -> Any:
        if index == THREADS - 1:
            return takedown_apply(dataset_id=dataset_id, category="unlawful", reason="Unlawful data.", actor="op")
        return buyers[index].client.post("/api/v1/orders", bid, format="json").status_code

    results = race(THREADS, act)
    takedown = next(result for result in results if isinstance(result, Takedown))
    codes = [result for result in results if not isinstance(result, Takedown)]
    assert set(codes) <= {201, 409}, codes
    taken_down_at = Offering.objects.get(pk=offering["id"]).taken_down_at
    assert taken_down_at is not None
    trades = Trade.objects.filter(offering_id=offering["id"])
    assert trades.count() == 1 + codes.count(201), "a refused purchase left no trade"
    assert all(trade.executed_at < taken_down_at for trade in trades), "no trade after the take-down committed"
    assert finished(takedown.id).status == "done"
    outcomes = set(Settlement.objects.filter(trade__offering_id=offering["id"]).values_list("status", flat=True))
    assert outcomes <= {"refunded", "voided"}, outcomes
    assert not Entitlement.objects.filter(status="active").exists()
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 0
    assert Settlement.objects.filter(status="refunded").count() == 1, "only the captured payment was refunded"
