"""Orders through the API (docs/api.md#the-life-of-an-order): rules, matching, a contract per trade, tape, hook."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from contracts.models import Contract
from marketplace import hooks
from marketplace.models import Offering, Order, OrderEvent, Trade
from marketplace.services.orders import orders_expire
from tests.builders import make_party, place, published_offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering(seller, django_capture_on_commit_callbacks) -> dict[str, Any]:
    return published_offering(seller, django_capture_on_commit_callbacks)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_a_bid_crossing_an_ask_trades_at_the_asks_price_and_concludes_a_contract(seller, buyer, offering) -> None:
    ask = place(seller, offering, "sell", 5, 1000)
    assert ask.status_code == 201 and ask.json()["status"] == "open" and ask.json()["trades"] == []
    bid = place(buyer, offering, "buy", 3, 1200)
    assert bid.status_code == 201, bid.content
    body = bid.json()
    assert body["status"] == "filled" and body["filled_quantity"] == 3 and body["remaining_quantity"] == 0
    [trade] = body["trades"]
    assert (trade["price"], trade["quantity"]) == (1000, 3), "the resting order's price"
    contract = Contract.objects.get(pk=trade["contract"])
    assert (contract.buyer_id, contract.seller_id, contract.amount) == (
        buyer.organization.id,
        seller.organization.id,
        3000,
    )
    assert Offering.objects.get(pk=offering["id"]).seats_sold == 3
    resting = seller.client.get(f"/api/v1/orders/{ask.json()['id']}").json()
    assert (resting["status"], resting["filled_quantity"], resting["remaining_quantity"]) == ("partially_filled", 3, 2)
    book = buyer.client.get(f"/api/v1/offerings/{offering['id']}/book").json()
    assert book["asks"] == [{"price": 1000, "quantity": 2, "orders": 1}] and book["bids"] == []
    assert book["last_trade"]["price"] == 1000


def test_the_tape_is_public_and_parties_see_their_contract(seller, buyer, anonymous, offering) -> None:
    place(seller, offering, "sell", 2, 500)
    place(buyer, offering, "buy", 2, 500)
    public = anonymous.get(f"/api/v1/trades?offering={offering['id']}").json()["results"]
    assert len(public) == 1 and "contract" not in public[0] and public[0]["price"] == 500
    mine = buyer.client.get("/api/v1/trades").json()["results"]
    assert mine[0]["contract"] and "settlement" in mine[0]
    outsider = make_party("Outsider", {"buyer"})
    assert "contract" not in outsider.client.get("/api/v1/trades").json()["results"][0]


def test_a_party_sees_each_trades_settlement_read_once_for_the_whole_page(seller, buyer, offering) -> None:
    from django.test.utils import CaptureQueriesContext

    from settlement.models import Settlement

    place(seller, offering, "sell", 3, 500)
    for _ in range(3):
        place(buyer, offering, "buy", 1, 500)
    with CaptureQueriesContext(connection) as queries:
        mine = buyer.client.get("/api/v1/trades").json()["results"]
    expected = {str(t): str(s) for t, s in Settlement.objects.values_list("trade_id", "id")}
    assert len(mine) == 3 and {t["id"]: t["settlement"] for t in mine} == expected
    asked = [q["sql"] for q in queries.captured_queries if 'FROM "settlement_settlement"' in q["sql"]]
    assert len(asked) == 1, asked  # one query for the page, not one per trade


def test_a_placement_shows_the_settlements_it_opened_without_reading_them_back(seller, buyer, offering) -> None:
    from django.test.utils import CaptureQueriesContext

    from settlement.models import Settlement

    place(seller, offering, "sell", 2, 500)
    with CaptureQueriesContext(connection) as queries:
        bid = place(buyer, offering, "buy", 2, 500)
    [trade] = bid.json()["trades"]
    assert trade["settlement"] == str(Settlement.objects.get(trade_id=trade["id"]).id)
    read_back = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "settlement_settlement" in q["sql"]
    ]
    assert read_back == [], "the settlement was written by this request: its id is known"


def test_price_time_priority(seller, buyer, offering) -> None:
    first = place(seller, offering, "sell", 1, 900).json()
    second = place(seller, offering, "sell", 1, 900).json()
    cheaper = place(seller, offering, "sell", 1, 800).json()
    trades = place(buyer, offering, "buy", 2, 1000).json()["trades"]
    assert [t["price"] for t in trades] == [800, 900]
    assert Order.objects.get(pk=first["id"]).status == "filled"
    assert Order.objects.get(pk=second["id"]).status == "open"
    assert Order.objects.get(pk=cheaper["id"]).status == "filled"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": 0}, "price"),
        ({"price": 10**13}, "price"),
        ({"price": "cheap"}, "price"),
        ({"price": 1.5}, "price"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 10**6}, "quantity"),
        ({"side": "hold"}, "side"),
        ({"type": "stop"}, "type"),
        ({"time_in_force": "day"}, "time_in_force"),
        ({"offering": "nope"}, "offering"),
        ({"accepted_terms_sha256": "xyz"}, "accepted_terms_sha256"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_malformed_orders_are_400(buyer, offering, overrides, field) -> None:
    body = {
        "offering": offering["id"],
        "side": "buy",
        "quantity": 1,
        "price": 100,
        "accepted_terms_sha256": offering["terms_sha256"],
        **overrides,
    }
    assert field in problem(buyer.client.post("/api/v1/orders", body, format="json"), 400)["errors"]
    assert not Order.objects.exists()


def test_order_input_rules(seller, buyer, offering) -> None:
    problem(place(buyer, offering, "buy", 1), 400)  # a limit order needs a price
    problem(place(buyer, offering, "buy", 1, 100, type="market"), 400)  # a market order has none
    problem(place(buyer, offering, "buy", 1, type="market", time_in_force="gtc"), 400)
    problem(place(buyer, offering, "buy", 1, 100, time_in_force="gtd"), 400)
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    problem(place(buyer, offering, "buy", 1, 100, time_in_force="gtd", expires_at=past), 400)
    problem(place(buyer, offering, "buy", None, 100), 400)
    problem(place(seller, offering, "sell", None, 100), 422)  # unlimited asks need unlimited seats
    assert not Order.objects.exists()


def test_market_rules(seller, buyer, other_seller, offering, django_capture_on_commit_callbacks) -> None:
    problem(place(buyer, offering, "buy", 1, 100, accepted_terms_sha256="0" * 64), 409)
    unverified = make_party("Unverified Buyer", {"buyer"}, verified=False)
    problem(place(unverified, offering, "buy", 1, 100), 403)
    problem(place(buyer, offering, "sell", 1, 100), 403)
    problem(place(other_seller, offering, "sell", 1, 100), 403)
    both = make_party("Both Roles", {"buyer", "seller"})
    own = published_offering(both, django_capture_on_commit_callbacks)
    problem(place(both, own, "buy", 1, 100), 422)
    foreign = make_party("Berlin Buyer", {"buyer"}, country="DE")
    problem(place(foreign, offering, "buy", 1, 100), 422)
    problem(
        buyer.client.post(
            "/api/v1/orders",
            {"offering": "00000000-0000-0000-0000-000000000000", "side": "buy", "quantity": 1, "price": 1},
            format="json",
        ),
        404,
    )
    seller.client.post(f"/api/v1/offerings/{offering['id']}/withdraw", {}, format="json")
    problem(place(buyer, offering, "buy", 1, 100), 409)
    assert not Order.objects.exists()


def test_seats_are_never_oversold(seller, buyer, django_capture_on_commit_callbacks) -> None:
    offering = published_offering(seller, django_capture_on_commit_callbacks, seats=2)
    place(seller, offering, "sell", 5, 100)
    first = place(buyer, offering, "buy", 3, 100).json()
    assert first["filled_quantity"] == 2
    second = place(buyer, offering, "buy", 1, 100).json()
    assert second["filled_quantity"] == 0
    assert Offering.objects.get(pk=offering["id"]).seats_sold == 2
    assert sum(Trade.objects.values_list("quantity", flat=True)) == 2


def test_unlimited_ask_fills_every_marketable_bid(seller, buyer, django_capture_on_commit_callbacks) -> None:
    offering = published_offering(seller, django_capture_on_commit_callbacks, seats=None)
    ask = place(seller, offering, "sell", None, 700)
    assert ask.status_code == 201, ask.content
    for quantity in (3, 50):
        assert place(buyer, offering, "buy", quantity, 700).json()["status"] == "filled"
    assert Order.objects.get(pk=ask.json()["id"]).status == "open"
    book = buyer.client.get(f"/api/v1/offerings/{offering['id']}/book").json()
    assert book["asks"] == [{"price": 700, "quantity": None, "orders": 1}]


def test_ioc_fok_and_market(seller, buyer, offering) -> None:
    place(seller, offering, "sell", 2, 100)
    fok = place(buyer, offering, "buy", 3, 100, time_in_force="fok").json()
    assert fok["status"] == "cancelled" and fok["filled_quantity"] == 0 and fok["trades"] == []
    ioc = place(buyer, offering, "buy", 3, 100, time_in_force="ioc").json()
    assert (ioc["status"], ioc["filled_quantity"], ioc["cancelled_quantity"]) == ("cancelled", 2, 1)
    market = place(buyer, offering, "buy", 1, type="market", time_in_force="ioc").json()
    assert market["status"] == "cancelled" and market["filled_quantity"] == 0


def test_cancel(seller, buyer, offering) -> None:
    bid = place(buyer, offering, "buy", 2, 100).json()
    problem(seller.client.post(f"/api/v1/orders/{bid['id']}/cancel"), 404)
    cancelled = buyer.client.post(f"/api/v1/orders/{bid['id']}/cancel").json()
    assert (cancelled["status"], cancelled["cancelled_quantity"]) == ("cancelled", 2)
    problem(buyer.client.post(f"/api/v1/orders/{bid['id']}/cancel"), 409)
    assert buyer.client.get(f"/api/v1/offerings/{offering['id']}/book").json()["bids"] == []
    statuses = list(OrderEvent.objects.filter(order_id=bid["id"]).values_list("to_status", flat=True))
    assert statuses == ["open", "cancelled"]


def test_gtd_orders_expire_on_time(buyer, offering) -> None:
    soon = timezone.now() + timedelta(minutes=5)
    bid = place(buyer, offering, "buy", 1, 100, time_in_force="gtd", expires_at=soon.isoformat()).json()
    assert bid["status"] == "open"
    assert orders_expire(now=timezone.now()) == 0
    assert orders_expire(now=soon + timedelta(seconds=1)) == 1
    assert Order.objects.get(pk=bid["id"]).status == "expired"


def test_withdrawing_an_offering_cancels_its_resting_orders(seller, buyer, offering) -> None:
    ask = place(seller, offering, "sell", 2, 500).json()
    bid = place(buyer, offering, "buy", 1, 100).json()
    seller.client.post(f"/api/v1/offerings/{offering['id']}/withdraw", {}, format="json")
    assert Order.objects.get(pk=ask["id"]).status == "cancelled"
    assert Order.objects.get(pk=bid["id"]).status == "cancelled"


def test_my_orders_only(seller, buyer, offering) -> None:
    bid = place(buyer, offering, "buy", 1, 100).json()
    assert [o["id"] for o in buyer.client.get("/api/v1/orders?status=open").json()["results"]] == [bid["id"]]
    assert seller.client.get("/api/v1/orders").json()["results"] == []
    problem(seller.client.get(f"/api/v1/orders/{bid['id']}"), 404)
    problem(buyer.client.get("/api/v1/orders?status=sleeping"), 400)


def test_order_placement_is_idempotent(seller, buyer, offering) -> None:
    place(seller, offering, "sell", 5, 100)
    first = place(buyer, offering, "buy", 1, 100, idempotency_key="bid-1")
    again = place(buyer, offering, "buy", 1, 100, idempotency_key="bid-1")
    assert first.json() == again.json() and Trade.objects.count() == 1
    problem(place(buyer, offering, "buy", 2, 100, idempotency_key="bid-1"), 409)


def test_each_trade_is_announced_inside_the_transaction(seller, buyer, offering) -> None:
    seen: list[hooks.TradeExecuted] = []

    def listener(event: hooks.TradeExecuted) -> list[Model]:
        assert connection.in_atomic_block, "the hook runs inside the matching transaction"
        seen.append(event)
        return []

    hooks.subscribe_trade_executed(listener)
    try:
        place(seller, offering, "sell", 2, 300)
        trade = place(buyer, offering, "buy", 2, 300).json()["trades"][0]
    finally:
        hooks.unsubscribe_trade_executed(listener)
    assert [str(e.trade_id) for e in seen] == [trade["id"]] and seen[0].amount == 600

    def broken(event: hooks.TradeExecuted) -> list[Model]:
        raise RuntimeError("subscriber failed")

    hooks.subscribe_trade_executed(broken)
    try:
        place(seller, offering, "sell", 1, 300)
        buyer.client.raise_request_exception = False
        response = place(buyer, offering, "buy", 1, 300)
    finally:
        hooks.unsubscribe_trade_executed(broken)
    assert response.status_code == 500
    assert Trade.objects.count() == 1 and Offering.objects.get(pk=offering["id"]).seats_sold == 2, "rolled back"


def test_an_ask_sells_into_several_bidders_each_with_its_own_contract(seller, buyer, offering) -> None:
    other = make_party("Second Buyer", {"buyer"})
    low = place(buyer, offering, "buy", 1, 500).json()
    high = place(other, offering, "buy", 2, 700).json()
    below = place(buyer, offering, "buy", 1, 100).json()  # under the ask's limit: not met, stays
    sold = place(seller, offering, "sell", 4, 400).json()
    assert [(t["price"], t["quantity"]) for t in sold["trades"]] == [(700, 2), (500, 1)]
    assert sold["status"] == "partially_filled" and sold["filled_quantity"] == 3
    assert Order.objects.get(pk=high["id"]).status == "filled" and Order.objects.get(pk=low["id"]).status == "filled"
    assert Order.objects.get(pk=below["id"]).status == "open"
    assert Offering.objects.get(pk=offering["id"]).seats_sold == 3
    for trade in Trade.objects.select_related("contract", "buy_order"):
        assert trade.contract is not None
        assert trade.contract.buyer_id == trade.buyer_id == trade.buy_order.organization_id  # type: ignore[union-attr]
        assert trade.contract.trade_ref == str(trade.id) and trade.contract.buyer_name in trade.contract.document_en
    assert OrderEvent.objects.filter(order_id=high["id"], to_status="filled", reason="filled").count() == 1
    placed = OrderEvent.objects.get(order_id=sold["id"])
    assert placed.to_status == "partially_filled" and len(placed.payload["trades"]) == 2


def test_placing_an_order_expires_any_expired_order_of_its_book(buyer, offering) -> None:
    soon = timezone.now() + timedelta(minutes=5)
    bid = place(buyer, offering, "buy", 1, 100, time_in_force="gtd", expires_at=soon.isoformat()).json()
    Order.objects.filter(pk=bid["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    place(buyer, offering, "buy", 1, 90)  # same side, another price: still expires it
    assert Order.objects.get(pk=bid["id"]).status == "expired"
    assert OrderEvent.objects.filter(order_id=bid["id"], to_status="expired").count() == 1
