"""Releasing a trade its buyer gave up before the data was delivered (settlements.settlement_release): the payment
ends voided, never captured, the seat goes back on the book; and the hooks that tell higher apps of a trade's
payment (settlement.hooks: access granted, unpaid)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from contracts.models import Contract
from marketplace.models import Offering, Order, Trade
from settlement import hooks
from settlement.models import Entitlement, OfflinePayment, Settlement
from settlement.services import settlements
from tests.builders import make_party, place, published_offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering(seller: Any, capture: Any) -> dict[str, Any]:
    return published_offering(seller, capture, seats=10)


@pytest.fixture
def announced() -> Any:
    """What settlement announces through its trade hooks during the test."""
    heard: list[Any] = []
    hooks.subscribe_trade_access_granted(heard.append)
    hooks.subscribe_trade_unpaid(heard.append)
    yield heard
    hooks.unsubscribe_trade_access_granted(heard.append)
    hooks.unsubscribe_trade_unpaid(heard.append)


def bought(seller: Any, buyer: Any, offering: dict[str, Any], capture: Any, *, execute: bool = True) -> Settlement:
    """One seat of an ask of 2 bought at 1000; with ``execute`` False the authorisation's task has not run."""
    with capture(execute=True):
        assert place(seller, offering, "sell", 2, 1000).status_code == 201
    with capture(execute=execute):
        response = place(buyer, offering, "buy", 1, 1000)
    [made] = response.json()["trades"]
    return Settlement.objects.get(trade_id=made["id"])


def seats_resting(offering: dict[str, Any]) -> int:
    asks = Order.objects.filter(offering_id=offering["id"], side="sell", status__in=Order.RESTING)
    return sum(order.remaining_quantity or 0 for order in asks)


def test_an_authorised_payment_is_voided_and_the_seat_goes_back(seller, buyer, offering, capture, announced) -> None:
    settlement = bought(seller, buyer, offering, capture)
    assert settlement.status == "authorized" and seats_resting(offering) == 1
    assert [type(event).__name__ for event in announced] == ["TradeAccessGranted"]
    with capture(execute=True):
        settlements.settlement_release(settlement_id=settlement.id, reason="the buyer terminated")
    settlement.refresh_from_db()
    assert (settlement.status, settlement.failure_code) == ("voided", "released")
    assert settlement.release_reason == "the buyer terminated"
    assert OfflinePayment.objects.get(payment_ref=settlement.payment_ref).status == "voided"
    assert Entitlement.objects.get(settlement=settlement).status == "revoked"
    assert Contract.objects.get(pk=settlement.contract_id).status == "terminated"
    assert Trade.objects.get(pk=settlement.trade_id).status == "void"
    assert seats_resting(offering) == 2 and Offering.objects.get(pk=offering["id"]).seats_sold == 0
    unpaid = announced[-1]
    assert isinstance(unpaid, hooks.TradeUnpaid) and (unpaid.status, unpaid.released) == ("voided", True)
    # Idempotent: released twice, nothing more happens.
    with capture(execute=True):
        assert settlements.settlement_release(settlement_id=settlement.id, reason="again").status == "voided"


def test_a_pending_payment_released_ends_voided_once_authorised_with_nothing_granted(
    seller, buyer, offering, capture, announced
) -> None:
    settlement = bought(seller, buyer, offering, capture, execute=False)
    with capture(execute=True):
        assert settlements.settlement_release(settlement_id=settlement.id, reason="gone").status == "pending"
    with capture(execute=True):  # the authorisation that was in flight
        settlements.settlement_authorize(settlement_id=settlement.id)
    settlement.refresh_from_db()
    assert settlement.status == "voided"
    assert [e.to_status for e in settlement.events.all()] == ["pending", "pending", "authorized", "voided"]
    assert OfflinePayment.objects.get(payment_ref=settlement.payment_ref).status == "voided"
    assert not Entitlement.objects.filter(settlement=settlement).exists()
    assert Contract.objects.get(pk=settlement.contract_id).status == "void"
    assert seats_resting(offering) == 2
    assert [type(event).__name__ for event in announced] == ["TradeUnpaid"]


def test_a_pending_payment_released_then_declined_fails_as_any_other(seller, offering, capture) -> None:
    declining = make_party("Declining", {"buyer"}, payment_method="pm_card_chargeDeclined")
    settlement = bought(seller, declining, offering, capture, execute=False)
    with capture(execute=True):
        settlements.settlement_release(settlement_id=settlement.id, reason="gone")
        settlements.settlement_authorize(settlement_id=settlement.id)
    settlement.refresh_from_db()
    assert settlement.status == "failed" and seats_resting(offering) == 2


def test_a_released_payment_is_never_captured(seller, buyer, offering, capture) -> None:
    settlement = bought(seller, buyer, offering, capture)
    with capture(execute=False):  # the release's void task is lost
        settlements.settlement_release(settlement_id=settlement.id, reason="gone")
    # A capture (the acceptance window passed, a download) voids it instead.
    with capture(execute=True):
        assert settlements.settlement_capture(settlement_id=settlement.id, reason="window").status == "voided"
    assert OfflinePayment.objects.get(payment_ref=settlement.payment_ref).status == "voided"


def test_the_sweeper_re_drives_a_lost_release_and_never_captures_it(seller, buyer, offering, capture) -> None:
    settlement = bought(seller, buyer, offering, capture)
    with capture(execute=False):
        settlements.settlement_release(settlement_id=settlement.id, reason="gone")
    later = timezone.now() + timedelta(days=30)  # the acceptance window passed, and the release is stuck
    with capture(execute=True):
        counts = settlements.settlements_sweep(now=later)
    assert (counts["capture"], counts["release"]) == (0, 1)
    settlement.refresh_from_db()
    assert settlement.status == "voided" and seats_resting(offering) == 2


def test_a_captured_payment_is_not_released(seller, buyer, offering, capture) -> None:
    settlement = bought(seller, buyer, offering, capture)
    with capture(execute=True):
        settlements.settlement_capture(settlement_id=settlement.id, reason="downloaded")
        after = settlements.settlement_release(settlement_id=settlement.id, reason="too late")
    assert after.status == "captured" and after.release_requested_at is None
    assert Trade.objects.get(pk=settlement.trade_id).status != "void"


def test_a_declined_payment_is_announced_unpaid(seller, offering, capture, announced) -> None:
    declining = make_party("Declining", {"buyer"}, payment_method="pm_card_chargeDeclined")
    settlement = bought(seller, declining, offering, capture)
    assert settlement.status == "failed"
    [unpaid] = announced
    assert isinstance(unpaid, hooks.TradeUnpaid) and (unpaid.status, unpaid.released) == ("failed", False)
    assert unpaid.trade_id == settlement.trade_id


def test_a_released_subscription_ends_released_with_nothing_charged(seller, buyer, capture) -> None:
    from tests.builders import subscription_offering

    feed = subscription_offering(seller, capture)
    settlement = bought(seller, buyer, feed, capture)
    with capture(execute=True):
        settlements.settlement_release(settlement_id=settlement.id, reason="the buyer terminated")
    settlement.refresh_from_db()
    assert settlement.status == "voided"
    subscription = settlement.contract.subscription
    assert (subscription.status, subscription.end_reason) == ("ended", "released")
    assert subscription.periods.get(number=1).outcome == "missed"
    assert Entitlement.objects.get(settlement=settlement).status == "revoked"
    assert seats_resting(feed) == 2
