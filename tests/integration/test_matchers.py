"""Orders through the shards' matchers (``ICHIBA_MATCHERS=streams``) on PostgreSQL and Redis: the same market rules
as in process, many orders committed in one batch, books held in memory but re-read when another writer changed
them, idempotency recorded by the matcher, and a request that stops waiting gets 202 with its order's URL."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from config.api.models import IdempotencyRecord
from config.errors import Conflict, DomainError
from contracts.models import Contract
from marketplace.matching import streams
from marketplace.matching.shards import shard_of
from marketplace.models import Order, Trade
from marketplace.services.offerings import offering_withdraw
from marketplace.services.orders import order_cancel
from marketplace.services.participants import principal_for
from settlement.models import Settlement
from tests.builders import buy_form, make_party, review_and_confirm, signed_in, text
from tests.integration.market import bid_command, buy, offering_of, sell
from tests.integration.matchers import matcher_threads, streams_mode
from tests.integration.workers import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_streams(settings: Any) -> Any:
    with streams_mode(settings) as prefix:
        yield prefix


def test_an_order_trades_through_its_shards_matcher(on_streams: str) -> None:
    seller, buyer = make_party("Sharded Seller", {"seller"}), make_party("Sharded Buyer", {"buyer"})
    offering = offering_of(seller, seats=5)
    with matcher_threads() as matchers:
        ask = sell(seller, offering, quantity=5)
        placed = buy(buyer, offering, quantity=2)
    assert ask.order.status == "open"
    assert placed.order.status == "filled" and placed.order.filled_quantity == 2
    [trade] = placed.trades
    assert (trade.quantity, trade.price, trade.sell_order_id) == (2, 1000, ask.order.id)
    assert Contract.objects.filter(pk=trade.contract_id).exists()
    assert Settlement.objects.filter(trade_id=trade.id).count() == 1
    offering.refresh_from_db()
    assert offering.seats_sold == 2 and offering.order_seq == 2
    owner = matchers[shard_of(offering.dataset_id)]
    assert owner.stats.commands == 2 and sum(m.stats.commands for m in matchers) == 2
    assert Order.objects.get(pk=ask.order.id).filled_quantity == 2


def test_orders_waiting_together_are_committed_in_one_batch_without_overselling(on_streams: str) -> None:
    """Commands queued while no matcher runs are decided in one batch when it starts: 30 buyers for 4 seats get
    exactly 4 fills, in arrival order."""
    seller = make_party("Batch Seller", {"seller"})
    offering = offering_of(seller, seats=4)
    with matcher_threads():
        sell(seller, offering, quantity=4)
    buyers = [make_party(f"Batch Buyer {i}", {"buyer"}) for i in range(30)]
    commands = [bid_command(b, offering) for b in buyers]
    shard = shard_of(offering.dataset_id)
    for command in commands:
        streams.client().xadd(streams.stream_key(shard), {streams.FIELD: json.dumps(command.as_json())})
    with matcher_threads() as matchers:
        deadline = time.monotonic() + 20
        while matchers[shard].stats.commands < 30:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    assert matchers[shard].stats.batches == 1, matchers[shard].stats
    orders = {o.id: o for o in Order.objects.filter(pk__in=[c.order_id for c in commands])}
    assert len(orders) == 30
    filled = [c.order_id for c in commands if orders[c.order_id].status == "filled"]
    assert filled == [c.order_id for c in commands[:4]], "the first four to arrive bought the four seats"
    assert {orders[c.order_id].status for c in commands[4:]} == {"open"}
    offering.refresh_from_db()
    assert offering.seats_sold == 4 and Trade.objects.filter(offering=offering).count() == 4
    assert streams.client().xlen(streams.stream_key(shard)) == 0, "acknowledged and deleted"
    replies = [streams.client().lpop(streams.reply_key(c.order_id)) for c in commands]
    assert all(replies) and json.loads(replies[0])["status"] == "placed"


def test_n_buyers_racing_for_k_seats_get_exactly_k_fills(on_streams: str) -> None:
    seller = make_party("Raced Shard Seller", {"seller"})
    offering = offering_of(seller, seats=5)
    buyers = [make_party(f"Shard Racer {i}", {"buyer"}) for i in range(12)]
    with matcher_threads():
        sell(seller, offering, quantity=20)
        results = race(12, lambda i: buy(buyers[i], offering))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.order.filled_quantity for r in results) == 5
    offering.refresh_from_db()
    assert offering.seats_sold == 5 and Trade.objects.filter(offering=offering).count() == 5


def test_a_book_changed_outside_the_matcher_is_read_again(on_streams: str) -> None:
    """A cancel writes under the offering's lock without the matcher, which holds the book in memory: the next
    order must not meet the cancelled ask."""
    seller, buyer = make_party("Cancelling Seller", {"seller"}), make_party("Late Buyer", {"buyer"})
    offering = offering_of(seller, seats=None)
    with matcher_threads() as matchers:
        ask = sell(seller, offering, quantity=3)
        buy(buyer, offering, quantity=1, price=900)  # rests below the ask: the matcher now holds the book
        order_cancel(principal=principal_for(seller.organization), order_id=ask.order.id)
        placed = buy(buyer, offering, quantity=1)
        reads = matchers[shard_of(offering.dataset_id)].books.reads
    assert placed.trades == [] and placed.order.status == "open"
    assert Order.objects.get(pk=ask.order.id).filled_quantity == 0
    assert reads == 2, "read once, then again after the cancel"


def test_the_matcher_refuses_an_order_its_offering_no_longer_takes(on_streams: str) -> None:
    seller, buyer = make_party("Withdrawing Seller", {"seller"}), make_party("Refused Buyer", {"buyer"})
    offering = offering_of(seller, seats=None)
    with matcher_threads():
        sell(seller, offering, quantity=3)
        offering_withdraw(principal=principal_for(seller.organization), offering_id=offering.id)
        command = bid_command(buyer, offering)  # sent as if the web tier had checked it just before the withdrawal
        with pytest.raises(DomainError) as refused:
            streams.send(command, shard=shard_of(offering.dataset_id))
    assert refused.value.status == Conflict.status and "withdrawn" in refused.value.detail
    assert not Order.objects.filter(pk=command.order_id).exists()


def test_an_idempotency_key_is_recorded_with_the_order_and_replayed(on_streams: str) -> None:
    seller, buyer = make_party("Keyed Seller", {"seller"}), make_party("Keyed Buyer", {"buyer"})
    offering = offering_of(seller, seats=None)
    body = {
        "offering": str(offering.id),
        "side": "buy",
        "price": 1000,
        "quantity": 1,
        "accepted_terms_sha256": offering.terms_sha256,
    }
    with matcher_threads():
        sell(seller, offering, quantity=None)
        responses = race(
            6, lambda i: buyer.client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY="once")
        )
        again = buyer.client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY="once")
        other = buyer.client.post("/api/v1/orders", {**body, "quantity": 2}, format="json", HTTP_IDEMPOTENCY_KEY="once")
    assert {r.status_code for r in responses} == {201}, [r.content for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1, "one order, every caller sees it"
    assert Order.objects.filter(offering=offering, side="buy").count() == 1
    assert Trade.objects.filter(offering=offering).count() == 1
    record = IdempotencyRecord.objects.get(key="once")
    assert record.response_status == 201 and json.loads(record.response_body)["id"] == responses[0].json()["id"]
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == json.loads(record.response_body)
    assert other.status_code == 409


def test_a_request_its_matcher_does_not_answer_in_time_gets_202_and_its_orders_url(settings: Any) -> None:
    with streams_mode(settings, reply_timeout=0.3):
        seller, buyer = make_party("Slow Seller", {"seller"}), make_party("Patient Buyer", {"buyer"})
        offering = offering_of(seller, seats=None)
        with matcher_threads():
            sell(seller, offering, quantity=None)
        body = {
            "offering": str(offering.id),
            "side": "buy",
            "price": 1000,
            "quantity": 1,
            "accepted_terms_sha256": offering.terms_sha256,
        }
        pending = buyer.client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY="slow")
        assert pending.status_code == 202, pending.content
        location = pending["Location"]
        assert location == f"/api/v1/orders/{pending.json()['id']}" and pending.json()["status"] == "pending"
        assert buyer.client.get(location).status_code == 404, "not decided while no matcher runs"
        with matcher_threads() as matchers:
            deadline = time.monotonic() + 20
            while not sum(m.stats.commands for m in matchers):
                assert time.monotonic() < deadline
                time.sleep(0.02)
        decided = buyer.client.get(location)
        assert decided.status_code == 200 and decided.json()["status"] == "filled"
        retry = buyer.client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY="slow")
        assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
        assert retry.json()["id"] == pending.json()["id"] and len(retry.json()["trades"]) == 1
        assert Order.objects.filter(offering=offering, side="buy").count() == 1


def test_the_order_form_says_an_order_its_matcher_has_not_answered_is_being_matched(settings: Any) -> None:
    with streams_mode(settings, reply_timeout=0.3):
        seller, buyer = make_party("Form Seller", {"seller"}), make_party("Form Buyer", {"buyer"})
        offering = offering_of(seller, seats=None)
        with matcher_threads():
            sell(seller, offering, quantity=None)
        client = signed_in(buyer)
        response = review_and_confirm(client, offering, buy_form(offering, price=1000, quantity=1))
        assert response.status_code == 302 and response["Location"] == "/orders/"
        assert "being matched" in text(client.get("/orders/"))
        with matcher_threads() as matchers:
            deadline = time.monotonic() + 20
            while not sum(m.stats.commands for m in matchers):
                assert time.monotonic() < deadline
                time.sleep(0.02)
        assert Order.objects.get(offering=offering, side="buy").status == "filled"


def test_the_api_answer_from_a_matcher_shows_the_order_its_trades_their_settlements_and_tax(on_streams: str) -> None:
    """The matcher sends the order and its trades back with its answer: the request renders them without reading
    them, and they are what was stored."""
    seller, buyer = make_party("Answering Seller", {"seller"}), make_party("Answered Buyer", {"buyer"})
    offering = offering_of(seller, seats=None)
    body = {
        "offering": str(offering.id),
        "side": "buy",
        "price": 1000,
        "quantity": 2,
        "accepted_terms_sha256": offering.terms_sha256,
    }
    with matcher_threads():
        sell(seller, offering, quantity=None)
        answer = buyer.client.post("/api/v1/orders", body, format="json")
    assert answer.status_code == 201, answer.content
    placed = answer.json()
    stored = buyer.client.get(f"/api/v1/orders/{placed['id']}").json()
    assert {key: placed[key] for key in stored} == stored
    [trade] = placed["trades"]
    settlement = Settlement.objects.get(trade_id=trade["id"])
    assert trade["settlement"] == str(settlement.id) and trade["contract"] == str(settlement.contract_id)
    assert (placed["amount_excl_tax"], placed["amount_incl_tax"]) == (2000, settlement.amount)
