"""Consumption tax through the settlement pipeline: what the buyer is charged, what the seller receives, and how
the ledger books the tax (marketplace/tax.py decides; settlements apply it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from settlement.models import LedgerEntry, OfflinePayment, Payout
from settlement.services import ledger, payouts, settlements
from tests.builders import make_party, published_offering, trade

pytestmark = pytest.mark.django_db

WORLD = ["JP", "US", "DE"]


@pytest.fixture
def offering(seller: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    return published_offering(seller, django_capture_on_commit_callbacks, seats=10, territory=WORLD)


def _balances() -> dict[str, int]:
    return dict(
        LedgerEntry.objects.values_list("account").annotate(total=Sum("amount")).values_list("account", "total")
    )


def test_a_buyer_in_japan_is_charged_the_price_and_the_tax(
    seller: Any, buyer: Any, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    assert OfflinePayment.objects.get(payment_ref=settlement.payment_ref).amount == 3300 == settlement.amount


def test_a_buyer_abroad_pays_no_tax_and_the_seller_still_bears_the_fee_s_tax(
    seller: Any, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    abroad = make_party("Boston Analytics", {"buyer"}, country="US")
    settlement = trade(abroad, seller, offering, django_capture_on_commit_callbacks)
    assert (settlement.tax_treatment, settlement.tax_rate, settlement.tax_amount) == ("export", 0, 0)
    assert settlement.amount == settlement.amount_excl_tax == 3000, "zero-rated: the price is the total"
    assert (settlement.platform_fee, settlement.platform_fee_tax, settlement.seller_proceeds) == (150, 15, 2835)
    assert OfflinePayment.objects.get(payment_ref=settlement.payment_ref).amount == 3000, "what the card is charged"


def test_a_seller_abroad_is_reverse_charged_and_its_fee_is_zero_rated(
    django_capture_on_commit_callbacks: Any,
) -> None:
    foreign = make_party("Berlin Sensorik", {"seller"}, country="DE")
    offering = published_offering(foreign, django_capture_on_commit_callbacks, territory=WORLD)
    buyer = make_party("Kobe Logistics", {"buyer"})
    settlement = trade(buyer, foreign, offering, django_capture_on_commit_callbacks)
    assert (settlement.tax_treatment, settlement.tax_amount, settlement.amount) == ("reverse_charge", 0, 3000)
    assert (settlement.platform_fee_tax, settlement.seller_proceeds) == (0, 2850)


def test_the_ledger_books_both_taxes_apart_and_a_refund_reverses_every_leg(
    seller: Any, buyer: Any, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    assert _balances() == {
        "provider_balance": 3300,
        "platform_fees": -150,
        "tax_payable": -15,
        "seller_tax_payable": -300,
        "seller_payable": -2835,
    }
    with django_capture_on_commit_callbacks(execute=True):
        settlements.settlement_refund(settlement_id=settlement.id, reason="not as described")
    assert set(_balances().values()) == {0}


def test_a_payout_pays_the_seller_s_tax_on_and_a_refund_after_it_is_netted_off_tax_and_all(
    seller: Any, buyer: Any, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    first = trade(buyer, seller, offering, django_capture_on_commit_callbacks, quantity=1)
    settlements.settlement_capture(settlement_id=first.id, reason="first download")
    [paid] = payouts.payouts_create()
    assert (paid.amount, paid.tax_amount) == (1045, 100)  # 1,100 - 50 fee - 5 fee tax; 100 of it is tax
    payouts.payout_send(payout_id=paid.id)
    assert ledger.seller_owed(organization_id=seller.organization.id, currency="JPY") == (0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        settlements.settlement_refund(settlement_id=first.id, reason="refunded after the payout")
    assert ledger.seller_owed(organization_id=seller.organization.id, currency="JPY") == (-945, -100)
    second = trade(buyer, seller, offering, django_capture_on_commit_callbacks, quantity=3)
    settlements.settlement_capture(settlement_id=second.id, reason="first download")
    [netted] = payouts.payouts_create(for_date=timezone.localdate() + timedelta(days=1))
    assert (netted.amount, netted.tax_amount) == (3135 - 1045, 300 - 100)
    assert Payout.objects.count() == 2
