"""A batch of orders (``marketplace.services.matching.orders_place_batch``), on whichever database runs: orders
matched one after another against the book the previous one left, written once, refusals answered alone."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from catalog.services.datasets import dataset_update
from config.errors import NotFound
from contracts.models import Contract
from marketplace.matching.commands import Place
from marketplace.models import Offering, Order, OrderEvent, Trade
from marketplace.services.matching import Books, orders_place_batch
from marketplace.services.orders import order_place
from tests.builders import Party, make_party, offer, principal

pytestmark = pytest.mark.django_db


def _buy(party: Party, offering: Offering, *, price: int = 1000, quantity: int = 1, **fields: Any) -> Place:
    return Place(
        order_id=uuid.uuid4(),
        offering_id=offering.id,
        principal=principal(party),
        side="buy",
        type="limit",
        price=price,
        quantity=quantity,
        time_in_force="gtc",
        expires_at=None,
        accepted_terms_sha256=offering.terms_sha256,
        sent_at=time.time(),
        **fields,
    )


def test_orders_of_one_batch_meet_the_book_the_previous_ones_left(seller: Party) -> None:
    offering = offer(seller, seats=3)
    ask = order_place(principal=principal(seller), offering_id=offering.id, side="sell", price=1000, quantity=3)
    buyers = [make_party(f"Batch buyer {i}", {"buyer"}) for i in range(5)]
    commands = [_buy(b, offering, quantity=2 if i == 0 else 1) for i, b in enumerate(buyers)]

    outcomes = orders_place_batch(commands, Books())

    assert [o.status for o in outcomes] == ["placed"] * 5
    orders = {o.id: o for o in Order.objects.filter(pk__in=[c.order_id for c in commands])}
    assert [orders[c.order_id].filled_quantity for c in commands] == [2, 1, 0, 0, 0], "in arrival order, 3 seats"
    assert [orders[c.order_id].status for c in commands][2:] == ["open", "open", "open"]
    maker = Order.objects.get(pk=ask.order.id)
    assert (maker.filled_quantity, maker.status) == (3, "filled"), "two fills of one batch written as one row"
    assert OrderEvent.objects.filter(order=maker, to_status="filled").count() == 1
    offering.refresh_from_db()
    assert (offering.seats_sold, offering.order_seq) == (3, 6)
    assert Trade.objects.filter(offering=offering).count() == 2
    assert [len(o.trade_ids) for o in outcomes] == [1, 1, 0, 0, 0]


def test_an_order_refused_in_a_batch_is_answered_alone(seller: Party, buyer: Party) -> None:
    offering = offer(seller, seats=None)
    order_place(principal=principal(seller), offering_id=offering.id, side="sell", price=1000, quantity=None)
    stranger = make_party("Unverified buyer", {"buyer"}, verified=False)
    commands = [_buy(buyer, offering), _buy(stranger, offering), _buy(buyer, offering, price=900)]
    missing = _buy(buyer, offering)
    commands.append(Place(**{**missing.__dict__, "offering_id": uuid.uuid4()}))

    outcomes = orders_place_batch(commands, Books())

    assert [o.status for o in outcomes] == ["placed", "refused", "placed", "refused"]
    assert outcomes[1].error["status"] == 403 and outcomes[3].error["status"] == 404
    assert not Order.objects.filter(pk__in=[commands[1].order_id, commands[3].order_id]).exists()
    assert Order.objects.get(pk=commands[0].order_id).status == "filled"
    assert Order.objects.get(pk=commands[2].order_id).status == "open"


def test_an_offering_named_by_text_is_found_and_a_malformed_one_is_not(seller: Party) -> None:
    offering = offer(seller, seats=None)
    placed = order_place(
        principal=principal(seller), offering_id=str(offering.id), side="sell", price=1000, quantity=None
    )
    assert placed.order.offering_id == offering.id
    with pytest.raises(NotFound):
        order_place(principal=principal(seller), offering_id="not-a-uuid", side="sell", price=1000, quantity=None)


def test_a_contract_quotes_the_dataset_as_it_is_at_the_trade_however_long_its_matcher_ran(
    seller: Party, buyer: Party
) -> None:
    """The versions a matcher licenses are kept between batches, but a dataset renamed since is read again."""
    offering = offer(seller, seats=None)
    order_place(principal=principal(seller), offering_id=offering.id, side="sell", price=1000, quantity=None)
    books = Books()
    [first] = orders_place_batch([_buy(buyer, offering)], books)
    dataset_update(dataset_id=offering.dataset_id, seller_id=seller.organization.id, changes={"title": "Renamed"})
    [second] = orders_place_batch([_buy(buyer, offering)], books)
    before, after = (Contract.objects.get(trade__id=o.trade_ids[0]) for o in (first, second))
    assert "Renamed" not in before.document_en and "Renamed" in after.document_en
    assert before.dataset_version_id == after.dataset_version_id
