"""Many buyers race for the seats of one offering, in parallel, against PostgreSQL (and SQLite)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from marketplace.models import Offering, Order, Trade
from marketplace.services.orders import order_cancel, order_place
from marketplace.services.participants import principal_for
from tests.builders import make_party
from tests.fixtures import require_postgres
from tests.integration.market import buy, offering_of
from tests.integration.workers import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_n_buyers_for_k_seats_get_exactly_k_fills() -> None:
    require_postgres()
    seller = make_party("Scarce Seller", {"seller"})
    offering = offering_of(seller, seats=5)
    order_place(
        principal=principal_for(seller.organization), offering_id=offering.id, side="sell", price=1000, quantity=20
    )
    buyers = [make_party(f"Racer {i}", {"buyer"}) for i in range(12)]

    results = race(12, lambda i: buy(buyers[i], offering))
    assert not [r for r in results if isinstance(r, Exception)], results
    filled = [r for r in results if r.order.filled_quantity == 1]
    assert len(filled) == 5, "exactly K fills"
    offering.refresh_from_db()
    assert offering.seats_sold == 5 and Trade.objects.filter(offering=offering).count() == 5
    unfilled = Order.objects.filter(offering=offering, side="buy", filled_quantity=0)
    assert unfilled.count() == 7 and not unfilled.filter(status__in=["filled", "partially_filled"]).exists()


def test_n_buyers_for_one_ask_of_k_seats_fill_it_exactly_once_each() -> None:
    """Each racer reads the book after it holds the offering's lock (the lock is the batch's first statement, ADR
    27): one that read it before, while another held the lock, would sell the ask's seats again."""
    require_postgres()
    seller = make_party("Single Ask Seller", {"seller"})
    offering = offering_of(seller, seats=None)
    ask = order_place(
        principal=principal_for(seller.organization), offering_id=offering.id, side="sell", price=1000, quantity=4
    ).order
    buyers = [make_party(f"Ask Racer {i}", {"buyer"}) for i in range(10)]

    results = race(10, lambda i: buy(buyers[i], offering))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.order.filled_quantity for r in results) == 4
    ask.refresh_from_db()
    assert (ask.filled_quantity, ask.status) == (4, "filled")
    assert Trade.objects.filter(sell_order=ask).count() == 4


def test_concurrent_cancels_and_fills_never_double_count() -> None:
    require_postgres()
    seller = make_party("Busy Seller", {"seller"})
    offering = offering_of(seller, seats=None)
    seller_principal = principal_for(seller.organization)
    asks = [
        order_place(principal=seller_principal, offering_id=offering.id, side="sell", price=1000, quantity=1)
        for _ in range(6)
    ]
    buyers = [make_party(f"Buyer {i}", {"buyer"}) for i in range(6)]

    def act(i: int) -> Any:
        if i % 2:
            return buy(buyers[i], offering)
        try:
            return order_cancel(principal=seller_principal, order_id=asks[i].order.id)
        except Exception as exc:  # a cancel that lost the race to a fill is a 409, not a failure
            return exc

    race(6, act)
    for placed in asks:
        order = Order.objects.get(pk=placed.order.id)
        assert order.filled_quantity + order.cancelled_quantity + (order.remaining_quantity or 0) == 1
        assert order.filled_quantity + order.cancelled_quantity <= 1
    sold = sum(Trade.objects.filter(offering=offering).values_list("quantity", flat=True))
    assert sold == sum(Order.objects.filter(offering=offering, side="sell").values_list("filled_quantity", flat=True))


def test_two_offerings_never_block_each_other() -> None:
    require_postgres()
    seller = make_party("Two Books", {"seller"})
    buyer = make_party("Patient Buyer", {"buyer"})
    first, second = offering_of(seller, seats=None), offering_of(seller, seats=None)
    locked, release = threading.Event(), threading.Event()

    def hold_first() -> None:
        with transaction.atomic():
            Offering.objects.select_for_update().get(pk=first.pk)
            locked.set()
            release.wait(timeout=20)
        connection.close()

    holder = threading.Thread(target=hold_first)
    holder.start()
    assert locked.wait(timeout=10)
    placed: list[Any] = []

    def buy_second() -> None:
        placed.append(buy(buyer, second))
        connection.close()

    other = threading.Thread(target=buy_second)
    other.start()
    # Liveness, not speed: the order on the second book completes while the first book stays locked.
    other.join(timeout=60)
    finished_while_locked = not other.is_alive() and not release.is_set()
    release.set()
    holder.join(timeout=20)
    other.join(timeout=60)
    assert finished_while_locked, "an order on one offering waited for another offering's lock"
    assert placed and placed[0].order.status == "open"


def test_simultaneous_orders_queue_up_on_sqlite_too() -> None:
    """The embedded default: BEGIN IMMEDIATE and a busy timeout make writers wait instead of failing."""
    seller = make_party("Queue Seller", {"seller"})
    offering = offering_of(seller, seats=3)
    order_place(
        principal=principal_for(seller.organization), offering_id=offering.id, side="sell", price=1000, quantity=3
    )
    buyers = [make_party(f"Queued {i}", {"buyer"}) for i in range(5)]
    results = race(5, lambda i: buy(buyers[i], offering))
    assert not [r for r in results if isinstance(r, Exception)], results
    offering.refresh_from_db()
    assert offering.seats_sold == 3
