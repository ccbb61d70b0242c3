"""Deals off the book: a deal's own offering sells through ``deal_execute`` exactly as a fill on the book does, and
no order, list or tape reaches a private one."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from config.errors import Conflict, NotFound, RuleViolation
from contracts.models import Contract
from marketplace import hooks
from marketplace.models import Offering, Trade
from marketplace.selectors import offering_get, offerings_list, trades_tape
from marketplace.services.offerings import SellerAcceptance, deal_offering_close, deal_offering_open
from marketplace.services.orders import DealLeg, deal_execute, order_place
from marketplace.services.trades import trade_void
from settlement.models import Settlement
from tests.builders import Party, make_party, principal, published_dataset

pytestmark = pytest.mark.django_db


def _deal_offering(seller: Party, buyer: Party, *, channel: str = "private", seats: int = 1, **terms: Any) -> Offering:
    dataset = published_dataset(seller)
    return deal_offering_open(
        channel=channel,
        dataset_id=dataset.id,
        acceptance=SellerAcceptance(seller_id=seller.organization.id, accepted_at=timezone.now()),
        template_code="meti-data-provision",
        template_version=1,
        terms=terms,
        license_seats=seats,
        currency="JPY",
        buyer_id=buyer.organization.id if channel == "private" else None,
    )


def test_a_deal_trades_without_orders_and_settles_as_a_trade(seller: Party, buyer: Party, capture: Any) -> None:
    offering = _deal_offering(seller, buyer, seats=2)
    revisions = ({"revision": 1, "author": "seller", "terms_sha256": offering.terms_sha256, "price": 9000},)
    with capture(execute=True):
        dealt = deal_execute(
            offering_id=offering.id,
            legs=[
                DealLeg(
                    buyer_id=buyer.organization.id, price=9000, quantity=2, accepted_terms_sha256=offering.terms_sha256
                )
            ],
            negotiation=revisions,
        )
    [trade] = dealt.trades
    trade.refresh_from_db()
    assert (trade.buy_order_id, trade.sell_order_id, trade.price, trade.quantity) == (None, None, 9000, 2)
    contract = Contract.objects.get(trade=trade)
    assert (contract.channel, contract.amount, contract.offering_id) == ("private", 18000, offering.id)
    assert contract.negotiation[0]["terms_sha256"] == offering.terms_sha256
    settlement = Settlement.objects.get(trade_id=trade.id)
    assert (settlement.amount_excl_tax, settlement.amount) == (18000, 19800) and settlement.status == "authorized"
    offering.refresh_from_db()
    assert offering.seats_sold == 2


def test_a_deal_sells_no_more_seats_than_its_offering_has(seller: Party, buyer: Party) -> None:
    offering = _deal_offering(seller, buyer, seats=1)
    leg = DealLeg(buyer_id=buyer.organization.id, price=100, quantity=2, accepted_terms_sha256=offering.terms_sha256)
    with pytest.raises(Conflict):
        deal_execute(offering_id=offering.id, legs=[leg])
    assert not Trade.objects.exists()


def test_a_deal_needs_the_buyers_acceptance_of_the_exact_terms(seller: Party, buyer: Party) -> None:
    offering = _deal_offering(seller, buyer)
    leg = DealLeg(buyer_id=buyer.organization.id, price=100, quantity=1, accepted_terms_sha256="0" * 64)
    with pytest.raises((Conflict, RuleViolation)):
        deal_execute(offering_id=offering.id, legs=[leg])
    assert not Trade.objects.exists()


def test_no_order_reaches_a_deals_offering_and_only_its_parties_see_a_private_one(
    seller: Party, buyer: Party, capture: Any
) -> None:
    offering = _deal_offering(seller, buyer)
    third = make_party("Third Corp", {"buyer"})
    with pytest.raises(NotFound):
        order_place(
            principal=principal(buyer),
            offering_id=offering.id,
            side="buy",
            price=100,
            quantity=1,
            accepted_terms_sha256=offering.terms_sha256,
        )
    assert offering_get(offering_id=offering.id, organization_id=buyer.organization.id) == offering
    assert offering_get(offering_id=offering.id, organization_id=seller.organization.id) == offering
    for outsider in (third.organization.id, None):
        with pytest.raises(NotFound):
            offering_get(offering_id=offering.id, organization_id=outsider)
    assert third.client.get(f"/api/v1/offerings/{offering.id}").status_code == 404
    assert buyer.client.get(f"/api/v1/offerings/{offering.id}").status_code == 200
    assert offering not in offerings_list()
    with capture(execute=True):
        leg = DealLeg(
            buyer_id=buyer.organization.id, price=100, quantity=1, accepted_terms_sha256=offering.terms_sha256
        )
        [trade] = deal_execute(offering_id=offering.id, legs=[leg]).trades
    assert not trades_tape().filter(pk=trade.id).exists(), "a private trade is never on the public tape"
    assert trade.id not in {t["id"] for t in third.client.get("/api/v1/trades").json()["results"]}


def test_an_auctions_trade_is_on_the_tape(seller: Party, buyer: Party, capture: Any) -> None:
    offering = _deal_offering(seller, buyer, channel="auction")
    with capture(execute=True):
        leg = DealLeg(
            buyer_id=buyer.organization.id, price=500, quantity=1, accepted_terms_sha256=offering.terms_sha256
        )
        [trade] = deal_execute(offering_id=offering.id, legs=[leg]).trades
    assert trades_tape().filter(pk=trade.id).exists()


def test_a_book_offering_takes_no_deal_and_a_deal_offering_is_not_withdrawn_by_hand(
    seller: Party, buyer: Party
) -> None:
    offering = _deal_offering(seller, buyer, channel="auction")
    from tests.builders import offer

    book = offer(seller)
    leg = DealLeg(buyer_id=buyer.organization.id, price=100, quantity=1, accepted_terms_sha256=book.terms_sha256)
    with pytest.raises(Conflict):
        deal_execute(offering_id=book.id, legs=[leg])
    response = seller.client.post(f"/api/v1/offerings/{offering.id}/withdraw", {}, format="json")
    assert response.status_code == 409, response.content
    deal_offering_close(offering_id=offering.id, reason="auction closed")
    offering.refresh_from_db()
    assert offering.status == "withdrawn"


def test_an_exclusive_auction_holds_the_datasets_exclusivity_while_open(seller: Party, buyer: Party) -> None:
    offering = _deal_offering(seller, buyer, channel="auction", license_type="exclusive")
    from marketplace.services.offerings import offering_publish

    with pytest.raises(RuleViolation) as refused:
        offering_publish(
            principal=principal(seller),
            dataset_id=offering.dataset_id,
            template_code="meti-data-provision",
            terms={},
            license_seats=5,
        )
    assert refused.value.code == "exclusivity-conflict"
    deal_offering_close(offering_id=offering.id, reason="no sale")
    offering_publish(
        principal=principal(seller),
        dataset_id=offering.dataset_id,
        template_code="meti-data-provision",
        terms={},
        license_seats=5,
    )


def test_a_voided_deal_trade_gives_its_seats_back_and_is_announced(seller: Party, buyer: Party, capture: Any) -> None:
    offering = _deal_offering(seller, buyer, channel="auction")
    heard: list[hooks.TradeVoided] = []
    hooks.subscribe_trade_voided(heard.append)
    try:
        with capture(execute=True):
            leg = DealLeg(
                buyer_id=buyer.organization.id, price=500, quantity=1, accepted_terms_sha256=offering.terms_sha256
            )
            [trade] = deal_execute(offering_id=offering.id, legs=[leg]).trades
        trade_void(trade_id=trade.id, reason="payment declined")
    finally:
        hooks._trade_voided_subscribers.remove(heard.append)
    offering.refresh_from_db()
    assert offering.seats_sold == 0
    assert [(e.trade_id, e.channel, e.quantity) for e in heard] == [(trade.id, "auction", 1)]
