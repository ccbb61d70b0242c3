"""The matching engine (marketplace/engine/): worked examples per order type, then a stateful property test that
drives the engine and a deliberately naive model book with the same random orders, cancels, expiries and reloads,
and checks after every step that both agree and that the invariants hold.

Pure Python: runs without Django (``pytest marketplace/tests/test_engine.py -p no:django``).
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import random
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from marketplace.engine import Fill, Order, OrderBook, Reason, Side, Status, SubmitResult, TimeInForce
from marketplace.engine.types import new_fill, new_result

BUY, SELL = Side.BUY, Side.SELL
GTC, IOC, FOK, GTD = TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTD
NOW = 1_000.0


def order(
    oid: str,
    side: Side,
    price: int | None,
    quantity: int | None,
    *,
    owner: str | None = None,
    tif: TimeInForce = GTC,
    expires_at: float | None = None,
) -> Order:
    return Order(oid, side, owner or f"owner-of-{oid}", price, quantity, tif, expires_at)


def fill(maker: str, taker: str, taker_side: Side, price: int, quantity: int) -> Fill:
    buy, sell = (taker, maker) if taker_side is BUY else (maker, taker)
    return Fill(maker_id=maker, taker_id=taker, buy_id=buy, sell_id=sell, price=price, quantity=quantity)


def book_with(*orders: Order, seats: int | None = None) -> OrderBook:
    book = OrderBook(seats_remaining=seats)
    for resting in orders:
        result = book.submit(resting, now=NOW)
        assert result.status == Status.OPEN, result
    return book


# -- limit orders, priority, price ---------------------------------------------------------------------------


def test_limit_order_fills_partially_and_rests_the_rest() -> None:
    book = book_with(order("a1", SELL, 100, 5))
    result = book.submit(order("b1", BUY, 100, 8), now=NOW)
    assert result == SubmitResult(
        order_id="b1",
        fills=(fill("a1", "b1", BUY, 100, 5),),
        status=Status.PARTIALLY_FILLED,
        resting=3,
        cancelled=0,
        reason="",
        expired=(),
    )
    assert book.best_bid() == 100
    assert book.best_ask() is None
    assert book.resting("a1") is None
    resting = book.resting("b1")
    assert resting is not None
    assert (resting.filled, resting.remaining) == (5, 3)
    assert len(book) == 1


def test_limit_order_that_does_not_cross_rests_open() -> None:
    book = book_with(order("a1", SELL, 101, 5))
    result = book.submit(order("b1", BUY, 100, 2), now=NOW)
    assert (result.status, result.fills, result.resting) == (Status.OPEN, (), 2)
    assert (book.best_bid(), book.best_ask()) == (100, 101)


def test_same_price_fills_the_earlier_order_first() -> None:
    book = book_with(order("a1", SELL, 100, 2), order("a2", SELL, 100, 2))
    result = book.submit(order("b1", BUY, 100, 3), now=NOW)
    assert result.fills == (fill("a1", "b1", BUY, 100, 2), fill("a2", "b1", BUY, 100, 1))
    assert result.status == Status.FILLED
    remaining = book.resting("a2")
    assert remaining is not None
    assert remaining.remaining == 1


def test_better_price_beats_earlier_time() -> None:
    book = book_with(order("a1", SELL, 101, 1), order("a2", SELL, 100, 1))
    assert book.submit(order("b1", BUY, 101, 1), now=NOW).fills == (fill("a2", "b1", BUY, 100, 1),)
    book = book_with(order("x1", BUY, 99, 1), order("x2", BUY, 100, 1))
    assert book.submit(order("s1", SELL, 99, 1), now=NOW).fills == (fill("x2", "s1", SELL, 100, 1),)


def test_trade_price_is_the_resting_orders_price() -> None:
    book = book_with(order("a1", SELL, 90, 1))
    assert book.submit(order("b1", BUY, 100, 1), now=NOW).fills[0].price == 90
    book = book_with(order("b2", BUY, 100, 1))
    assert book.submit(order("a2", SELL, 90, 1), now=NOW).fills[0].price == 100


def test_seq_is_assigned_in_submission_order_and_explicit_seq_is_kept() -> None:
    book = OrderBook(seats_remaining=None)
    first, second = order("a1", SELL, 100, 1), order("a2", SELL, 100, 1)
    book.submit(first, now=NOW)
    book.submit(second, now=NOW)
    assert 0 < first.seq < second.seq
    explicit = order("a3", SELL, 100, 1)
    explicit.seq = 50
    book.submit(explicit, now=NOW)
    assert explicit.seq == 50
    later = order("a4", SELL, 100, 1)
    book.submit(later, now=NOW)
    assert later.seq > 50


def test_results_and_fills_are_genuine_frozen_dataclass_instances() -> None:
    book = book_with(order("a1", SELL, 100, 1))
    results = [book.submit(order("b1", BUY, 100, 1), now=NOW), book.submit(order("b2", BUY, 90, 1), now=NOW)]
    made: list[SubmitResult | Fill] = [*results, results[0].fills[0]]
    assert [type(value) for value in made] == [SubmitResult, SubmitResult, Fill]
    for value in made:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, dataclasses.fields(value)[0].name, "changed")
        assert pickle.loads(pickle.dumps(value)) == value  # noqa: S301 - our own bytes
        assert hash(value) == hash(copy.copy(value))
    assert results[1] == SubmitResult("b2", (), Status.OPEN, 1, 0, "", ())
    assert repr(results[0].fills[0]) == repr(fill("a1", "b1", BUY, 100, 1))


# -- market, IOC, FOK ------------------------------------------------------------------------------------------


def test_market_buy_sweeps_levels_and_cancels_the_rest() -> None:
    book = book_with(order("a1", SELL, 100, 2), order("a2", SELL, 101, 3), order("a3", SELL, 105, 1))
    result = book.submit(order("m1", BUY, None, 10), now=NOW)
    assert result.fills == (
        fill("a1", "m1", BUY, 100, 2),
        fill("a2", "m1", BUY, 101, 3),
        fill("a3", "m1", BUY, 105, 1),
    )
    assert (result.status, result.resting, result.cancelled, result.reason) == (
        Status.CANCELLED,
        0,
        4,
        Reason.NO_LIQUIDITY,
    )
    assert len(book) == 0
    assert book.best_bid() is None


def test_market_sell_fills_completely_and_market_order_on_empty_book_is_cancelled() -> None:
    book = book_with(order("b1", BUY, 100, 2), order("b2", BUY, 98, 5))
    result = book.submit(order("m1", SELL, None, 4), now=NOW)
    assert result.fills == (fill("b1", "m1", SELL, 100, 2), fill("b2", "m1", SELL, 98, 2))
    assert (result.status, result.cancelled) == (Status.FILLED, 0)
    empty = OrderBook(seats_remaining=None).submit(order("m2", BUY, None, 3), now=NOW)
    assert (empty.status, empty.fills, empty.cancelled, empty.reason) == (Status.CANCELLED, (), 3, Reason.NO_LIQUIDITY)


def test_ioc_fills_what_it_can_and_cancels_the_rest() -> None:
    book = book_with(order("a1", SELL, 100, 2), order("a2", SELL, 102, 2))
    result = book.submit(order("i1", BUY, 101, 5, tif=IOC), now=NOW)
    assert result.fills == (fill("a1", "i1", BUY, 100, 2),)
    assert (result.status, result.resting, result.cancelled, result.reason) == (
        Status.CANCELLED,
        0,
        3,
        Reason.NO_LIQUIDITY,
    )
    assert book.resting("i1") is None
    assert book.best_bid() is None
    nothing = book.submit(order("i2", BUY, 101, 1, tif=IOC), now=NOW)
    assert (nothing.status, nothing.fills, nothing.cancelled) == (Status.CANCELLED, (), 1)
    full = book.submit(order("i3", BUY, 102, 2, tif=IOC), now=NOW)
    assert (full.status, full.cancelled) == (Status.FILLED, 0)


def test_fok_fills_completely_across_levels() -> None:
    book = book_with(order("a1", SELL, 100, 2), order("a2", SELL, 101, 3))
    result = book.submit(order("f1", BUY, 101, 5, tif=FOK), now=NOW)
    assert result.fills == (fill("a1", "f1", BUY, 100, 2), fill("a2", "f1", BUY, 101, 3))
    assert result.status == Status.FILLED
    assert len(book) == 0


@pytest.mark.parametrize(
    ("incoming", "seats"),
    [
        pytest.param(order("f1", BUY, 101, 6, tif=FOK), None, id="not-enough-quantity"),
        pytest.param(order("f1", BUY, 100, 3, tif=FOK), None, id="not-enough-within-limit"),
        pytest.param(order("f1", BUY, 101, 4, owner="seller-b", tif=FOK), None, id="own-order-in-the-way"),
        pytest.param(order("f1", BUY, 101, 5, tif=FOK), 4, id="seat-cap"),
        pytest.param(order("f1", BUY, None, 6, tif=FOK), None, id="market-not-enough"),
    ],
)
def test_fok_that_cannot_fill_completely_changes_nothing(incoming: Order, seats: int | None) -> None:
    book = book_with(
        order("a1", SELL, 100, 2, owner="seller-a"),
        order("a2", SELL, 101, 3, owner="seller-b"),
        seats=seats,
    )
    before = (book.depth(), [(o.id, o.filled) for o in book.orders()], book.seats_remaining, len(book))
    result = book.submit(incoming, now=NOW)
    assert result == SubmitResult("f1", (), Status.CANCELLED, 0, incoming.quantity or 0, Reason.FOK, ())
    assert (book.depth(), [(o.id, o.filled) for o in book.orders()], book.seats_remaining, len(book)) == before
    assert incoming.filled == 0


# -- GTD ---------------------------------------------------------------------------------------------------------


def test_gtd_rests_until_it_expires() -> None:
    book = OrderBook(seats_remaining=None)
    result = book.submit(order("g1", SELL, 100, 2, tif=GTD, expires_at=NOW + 10), now=NOW)
    assert (result.status, result.resting) == (Status.OPEN, 2)
    assert book.expire(now=NOW + 9.9) == []
    assert book.submit(order("b1", BUY, 100, 1), now=NOW + 5).fills == (fill("g1", "b1", BUY, 100, 1),)
    assert book.expire(now=NOW + 10) == ["g1"]
    assert book.resting("g1") is None
    assert book.best_ask() is None
    with pytest.raises(KeyError):
        book.cancel("g1")


def test_gtd_already_expired_at_submission() -> None:
    book = book_with(order("a1", SELL, 100, 2))
    result = book.submit(order("g1", BUY, 100, 2, tif=GTD, expires_at=NOW), now=NOW)
    assert result == SubmitResult("g1", (), Status.EXPIRED, 0, 2, Reason.EXPIRED, ())
    assert book.resting("a1") is not None
    assert len(book) == 1


def test_expired_resting_orders_are_dropped_lazily_during_matching() -> None:
    book = OrderBook(seats_remaining=None)
    book.submit(order("g1", SELL, 99, 5, tif=GTD, expires_at=NOW + 1), now=NOW)
    book.submit(order("a1", SELL, 100, 5), now=NOW)
    book.submit(order("g2", SELL, 100, 5, tif=GTD, expires_at=NOW + 1), now=NOW)
    book.submit(order("a2", SELL, 100, 5), now=NOW)
    result = book.submit(order("b1", BUY, 100, 7), now=NOW + 2)
    assert result.fills == (fill("a1", "b1", BUY, 100, 5), fill("a2", "b1", BUY, 100, 2))
    assert result.expired == ("g1", "g2")
    assert book.resting("g1") is None
    assert book.resting("g2") is None
    assert book.expire(now=NOW + 2) == []


def test_an_order_expiring_exactly_now_is_not_matched() -> None:
    book = OrderBook(seats_remaining=None)
    book.submit(order("g1", SELL, 100, 1, tif=GTD, expires_at=NOW + 1), now=NOW)
    result = book.submit(order("b1", BUY, 100, 1), now=NOW + 1)
    assert (result.fills, result.expired, result.status) == ((), ("g1",), Status.OPEN)


def test_expire_removes_only_what_is_due_earliest_first() -> None:
    book = OrderBook(seats_remaining=None)
    book.submit(order("g3", BUY, 90, 1, tif=GTD, expires_at=NOW + 30), now=NOW)
    book.submit(order("g1", BUY, 91, 1, tif=GTD, expires_at=NOW + 10), now=NOW)
    book.submit(order("g2", SELL, 120, 1, tif=GTD, expires_at=NOW + 20), now=NOW)
    book.submit(order("c1", BUY, 92, 1, tif=GTD, expires_at=NOW + 5), now=NOW)
    book.cancel("c1")
    book.submit(order("keep", BUY, 89, 1), now=NOW)
    assert book.expire(now=NOW + 25) == ["g1", "g2"]
    assert sorted(o.id for o in book.orders()) == ["g3", "keep"]
    assert book.depth() == {"bids": [(90, 1, 1), (89, 1, 1)], "asks": []}


def test_orders_expiring_together_are_reported_in_the_order_they_came_to_rest() -> None:
    book = OrderBook(seats_remaining=None)
    book.load(Order("late", BUY, "b1", 90, 1, GTD, NOW + 5, seq=30))
    book.load(Order("early", BUY, "b2", 91, 1, GTD, NOW + 5, seq=10))
    book.submit(order("new", SELL, 120, 1, tif=GTD, expires_at=NOW + 5), now=NOW)
    book.submit(order("first", SELL, 121, 1, tif=GTD, expires_at=NOW + 4), now=NOW)
    assert book.expire(now=NOW + 5) == ["first", "late", "early", "new"]


# -- cancel ------------------------------------------------------------------------------------------------------


def test_cancel_returns_the_remaining_seats_and_the_order_no_longer_matches() -> None:
    book = book_with(order("a1", SELL, 100, 5), order("a2", SELL, 100, 5))
    book.submit(order("b1", BUY, 100, 2), now=NOW)
    assert book.cancel("a1") == 3
    with pytest.raises(KeyError):
        book.cancel("a1")
    with pytest.raises(KeyError):
        book.cancel("never-was")
    result = book.submit(order("b2", BUY, 100, 4), now=NOW)
    assert result.fills == (fill("a2", "b2", BUY, 100, 4),)
    assert book.depth() == {"bids": [], "asks": [(100, 1, 1)]}


def test_cancelled_best_level_no_longer_counts_as_best() -> None:
    book = book_with(order("b1", BUY, 100, 1), order("b2", BUY, 99, 1), order("a1", SELL, 105, 1))
    book.cancel("b1")
    assert book.best_bid() == 99
    book.cancel("a1")
    assert book.best_ask() is None
    result = book.submit(order("s1", SELL, 99, 2), now=NOW)
    assert result.fills == (fill("b2", "s1", SELL, 99, 1),)
    assert (result.status, result.resting) == (Status.PARTIALLY_FILLED, 1)


def test_an_order_object_that_comes_back_after_a_cancel_rests_once() -> None:
    book = OrderBook(seats_remaining=None)
    first, second = order("a1", SELL, 100, 2), order("a2", SELL, 100, 2)
    book.submit(first, now=NOW)
    book.submit(second, now=NOW)
    assert book.cancel("a1") == 2
    book.load(first)  # the very same object, with its old seq
    assert book.depth() == {"bids": [], "asks": [(100, 4, 2)]}
    result = book.submit(order("b1", BUY, 100, 6), now=NOW)
    assert result.fills == (fill("a1", "b1", BUY, 100, 2), fill("a2", "b1", BUY, 100, 2))
    assert (result.resting, first.filled) == (2, 2)
    again = order("a3", SELL, 101, 1)
    book.submit(again, now=NOW)
    book.cancel("a3")
    assert book.submit(again, now=NOW).status == Status.OPEN  # resubmitted, the same object
    assert book.depth()["asks"] == [(101, 1, 1)]
    sweep = book.submit(order("b2", BUY, 101, 5, tif=IOC), now=NOW)
    assert sweep.fills == (fill("a3", "b2", BUY, 101, 1),)
    assert book.depth() == {"bids": [(100, 2, 1)], "asks": []}


def test_many_cancels_compact_the_book_without_changing_it() -> None:
    book = OrderBook(seats_remaining=None)
    rng = random.Random(7)
    live: dict[str, tuple[int, int]] = {}
    for i in range(3000):
        price = rng.randint(80, 99)
        book.submit(order(f"b{i}", BUY, price, 1 + i % 3, owner="buyer"), now=NOW)
        live[f"b{i}"] = (price, 1 + i % 3)
    for oid in rng.sample(sorted(live), 2900):
        assert book.cancel(oid) == live.pop(oid)[1]
    assert len(book) == 100
    expected: dict[int, tuple[int, int]] = {}
    for price, quantity in live.values():
        total, number = expected.get(price, (0, 0))
        expected[price] = (total + quantity, number + 1)
    rows = [(price, total, number) for price, (total, number) in sorted(expected.items(), reverse=True)]
    assert book.depth(levels=100) == {"bids": rows, "asks": []}
    result = book.submit(order("s", SELL, 1, 10_000, owner="seller", tif=IOC), now=NOW)
    assert sum(f.quantity for f in result.fills) == sum(q for _, q in live.values())
    assert [f.maker_id for f in result.fills] == [
        oid for oid, _ in sorted(live.items(), key=lambda item: (-item[1][0], int(item[0][1:])))
    ]


# -- self-trade prevention -----------------------------------------------------------------------------------


def test_self_trade_is_prevented_by_cancelling_the_incoming_order() -> None:
    book = book_with(order("b1", BUY, 100, 3, owner="acme"))
    result = book.submit(order("a1", SELL, 99, 2, owner="acme"), now=NOW)
    assert result == SubmitResult("a1", (), Status.CANCELLED, 0, 2, Reason.SELF_TRADE, ())
    resting = book.resting("b1")
    assert resting is not None
    assert resting.filled == 0
    assert book.best_ask() is None


def test_fills_before_a_self_trade_stand() -> None:
    book = book_with(
        order("a1", SELL, 100, 2, owner="other"),
        order("a2", SELL, 100, 3, owner="acme"),
        order("a3", SELL, 100, 5, owner="other"),
    )
    result = book.submit(order("b1", BUY, 100, 10, owner="acme"), now=NOW)
    assert result.fills == (fill("a1", "b1", BUY, 100, 2),)
    assert (result.status, result.cancelled, result.reason, result.resting) == (
        Status.CANCELLED,
        8,
        Reason.SELF_TRADE,
        0,
    )
    assert book.depth() == {"bids": [], "asks": [(100, 8, 2)]}


# -- seat cap and unlimited offerings -----------------------------------------------------------------------------


def test_seat_cap_limits_what_is_sold() -> None:
    book = book_with(order("a1", SELL, 100, 10), order("a2", SELL, 101, 10), seats=5)
    assert book.submit(order("b1", BUY, 100, 3), now=NOW).status == Status.FILLED
    assert book.seats_remaining == 2
    capped = book.submit(order("b2", BUY, 101, 4), now=NOW)
    assert capped.fills == (fill("a1", "b2", BUY, 100, 2),)
    assert (capped.status, capped.cancelled, capped.reason, capped.resting) == (
        Status.CANCELLED,
        2,
        Reason.SEAT_CAP,
        0,
    )
    assert book.seats_remaining == 0
    crossing = book.submit(order("b3", BUY, 100, 1), now=NOW)
    assert (crossing.status, crossing.fills, crossing.reason) == (Status.CANCELLED, (), Reason.SEAT_CAP)
    below = book.submit(order("b4", BUY, 90, 1), now=NOW)
    assert (below.status, below.resting) == (Status.OPEN, 1)
    hitting = book.submit(order("a3", SELL, 90, 1), now=NOW)
    assert (hitting.status, hitting.fills, hitting.reason) == (Status.CANCELLED, (), Reason.SEAT_CAP)
    above = book.submit(order("a4", SELL, 95, 1), now=NOW)
    assert above.status == Status.OPEN
    assert book.best_bid() == 90
    assert book.best_ask() == 95
    assert book.depth()["asks"][1] == (100, 5, 1)  # a1: 10 - 3 - 2 sold


def test_seat_cap_stops_at_the_partly_filled_order_before_looking_further() -> None:
    # The seat cap cuts the trade with a1 short: matching stops at a1, so g1 behind it (expired) is not reached
    # and is left for expire(), and a2 behind that is not traded with.
    book = OrderBook(seats_remaining=2)
    for resting in (
        order("a1", SELL, 100, 5),
        order("g1", SELL, 100, 5, tif=GTD, expires_at=NOW + 1),
        order("a2", SELL, 100, 5),
    ):
        book.submit(resting, now=NOW)
    result = book.submit(order("b1", BUY, 100, 4), now=NOW + 2)
    assert result == SubmitResult("b1", (fill("a1", "b1", BUY, 100, 2),), Status.CANCELLED, 0, 2, Reason.SEAT_CAP, ())
    assert book.depth() == {"bids": [], "asks": [(100, 13, 3)]}
    assert book.expire(now=NOW + 2) == ["g1"]


def test_zero_seats_book_sells_nothing() -> None:
    book = book_with(order("a1", SELL, 100, 10), seats=0)
    result = book.submit(order("m1", BUY, None, 1), now=NOW)
    assert (result.status, result.fills, result.reason) == (Status.CANCELLED, (), Reason.SEAT_CAP)


def test_unlimited_ask_fills_every_marketable_bid_and_never_depletes() -> None:
    book = OrderBook(seats_remaining=None)
    assert book.submit(order("u1", SELL, 100, None, owner="seller"), now=NOW).resting is None
    for i, quantity in enumerate((1, 1000, 7)):
        result = book.submit(order(f"b{i}", BUY, 100, quantity), now=NOW)
        assert result.fills == (fill("u1", f"b{i}", BUY, 100, quantity),)
        assert result.status == Status.FILLED
    market = book.submit(order("m1", BUY, None, 50), now=NOW)
    assert (market.status, market.fills) == (Status.FILLED, (fill("u1", "m1", BUY, 100, 50),))
    below = book.submit(order("b9", BUY, 99, 5), now=NOW)
    assert below.status == Status.OPEN
    book.submit(order("a2", SELL, 100, 4), now=NOW)
    assert book.depth() == {"bids": [(99, 5, 1)], "asks": [(100, None, 2)]}
    unlimited = book.resting("u1")
    assert unlimited is not None
    assert unlimited.filled == 1058
    assert book.seats_remaining is None
    assert book.cancel("u1") is None
    assert book.depth()["asks"] == [(100, 4, 1)]


def test_incoming_unlimited_ask_fills_the_marketable_bids_and_rests() -> None:
    book = book_with(order("b1", BUY, 101, 3), order("b2", BUY, 100, 4), order("b3", BUY, 99, 5))
    result = book.submit(order("u1", SELL, 100, None), now=NOW)
    assert result.fills == (fill("b1", "u1", SELL, 101, 3), fill("b2", "u1", SELL, 100, 4))
    assert (result.status, result.resting, result.cancelled) == (Status.PARTIALLY_FILLED, None, 0)
    assert (book.best_bid(), book.best_ask()) == (99, 100)


def test_unlimited_quantity_needs_an_unlimited_offering() -> None:
    with pytest.raises(ValueError, match="unlimited seats"):
        OrderBook(seats_remaining=10).submit(order("u1", SELL, 100, None), now=NOW)
    with pytest.raises(ValueError, match="unlimited seats"):
        OrderBook(seats_remaining=10).load(order("u1", SELL, 100, None))


# -- depth, load, validation -----------------------------------------------------------------------------------


def test_depth_aggregates_levels_best_first() -> None:
    book = book_with(
        order("b1", BUY, 98, 1),
        order("b2", BUY, 99, 2),
        order("b3", BUY, 99, 3),
        order("b4", BUY, 97, 4),
        order("a1", SELL, 101, 5),
        order("a2", SELL, 103, 6),
        order("a3", SELL, 101, 7),
    )
    book.cancel("b1")
    assert book.depth() == {"bids": [(99, 5, 2), (97, 4, 1)], "asks": [(101, 12, 2), (103, 6, 1)]}
    assert book.depth(levels=1) == {"bids": [(99, 5, 2)], "asks": [(101, 12, 2)]}
    assert book.depth(levels=0) == {"bids": [], "asks": []}
    book.submit(order("s1", SELL, 99, 4), now=NOW)
    assert book.depth() == {"bids": [(99, 1, 1), (97, 4, 1)], "asks": [(101, 12, 2), (103, 6, 1)]}


def test_load_keeps_seq_and_filled_and_orders_fifo_by_seq() -> None:
    book = OrderBook(seats_remaining=7)
    later = Order("a2", SELL, "s2", 100, 5, seq=20, filled=1)
    earlier = Order("a1", SELL, "s1", 100, 5, seq=10, filled=3)
    gtd = Order("g1", BUY, "b1", 90, 2, GTD, NOW + 5, seq=15)
    for loaded in (later, earlier, gtd):
        book.load(loaded)
    assert len(book) == 3
    assert book.depth() == {"bids": [(90, 2, 1)], "asks": [(100, 6, 2)]}
    result = book.submit(order("b9", BUY, 100, 3), now=NOW)
    assert result.fills == (fill("a1", "b9", BUY, 100, 2), fill("a2", "b9", BUY, 100, 1))
    assert book.seats_remaining == 4
    incoming = book.resting("a2")
    assert incoming is not None
    assert incoming.filled == 2
    newer = order("a3", SELL, 100, 1)
    book.submit(newer, now=NOW)
    assert newer.seq > 20
    assert book.expire(now=NOW + 5) == ["g1"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (Order("x", BUY, "o", 100, 0), "quantity"),
        (Order("x", BUY, "o", 100, -1), "quantity"),
        (Order("x", BUY, "o", 100, 1.5), "quantity"),  # type: ignore[arg-type]
        (Order("x", BUY, "o", 100, True), "quantity"),  # bool is not a quantity
        (Order("x", BUY, "o", 0, 1), "price"),
        (Order("x", BUY, "o", 99.5, 1), "price"),  # type: ignore[arg-type]
        (Order("x", BUY, "o", 100, None), "only a sell"),
        (Order("x", SELL, "o", None, None), "limit order"),
        (Order("x", SELL, "o", 100, None, IOC), "gtc or gtd"),
        (Order("x", BUY, "o", 100, 1, GTD), "needs expires_at"),
        (Order("x", BUY, "o", 100, 1, GTC, NOW), "only a gtd"),
        (Order("x", BUY, "o", 100, 1, IOC, NOW), "only a gtd"),
        (Order("x", "hold", "o", 100, 1), "side"),  # type: ignore[arg-type]
        (Order("x", BUY, "o", 100, 1, "day"), "time_in_force"),  # type: ignore[arg-type]
        (Order("x", BUY, "o", 100, 1, filled=1), "filled"),
        (Order("x", BUY, "o", 100, 1, seq=-3), "seq"),
    ],
)
def test_invalid_orders_are_rejected(bad: Order, message: str) -> None:
    book = OrderBook(seats_remaining=None)
    with pytest.raises(ValueError, match=message):
        book.submit(bad, now=NOW)
    assert len(book) == 0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        # Look well-formed to a check by value alone; submit's inline proof (book.py) must still send them to the
        # full checks.
        (Order("x", BUY, "o", True, 1), "price"),  # bool is not a price
        (Order("x", BUY, "o", 100, 1, filled=0.0), "filled"),  # type: ignore[arg-type]
        (Order("x", BUY, "o", 100, 1, filled=False), "filled"),
        (Order("x", BUY, "o", 100, 1, seq=1.0), "seq"),  # type: ignore[arg-type]
        (Order("x", BUY, "o", 100, 1, seq=True), "seq"),
        (Order("x", BUY, "o", None, 1, IOC, NOW), "only a gtd"),
    ],
)
def test_orders_that_only_look_well_formed_get_the_full_checks(bad: Order, message: str) -> None:
    book = OrderBook(seats_remaining=None)
    with pytest.raises(ValueError, match=message):
        book.submit(bad, now=NOW)
    assert len(book) == 0
    with pytest.raises(TypeError, match="expected an Order"):
        book.submit(("x", BUY, "o", 100, 1), now=NOW)  # type: ignore[arg-type]


def test_an_order_subclass_is_checked_fully_and_matched_like_an_order() -> None:
    @dataclass(slots=True)
    class TaggedOrder(Order):
        tag: str = ""

    book = book_with(order("a1", SELL, 100, 2))
    tagged = TaggedOrder("b1", "buy", "o", 100, 3, tag="t")  # type: ignore[arg-type]
    result = book.submit(tagged, now=NOW)
    assert tagged.side is BUY
    assert result == SubmitResult("b1", (fill("a1", "b1", BUY, 100, 2),), Status.PARTIALLY_FILLED, 1, 0, "", ())
    assert book.resting("b1") is tagged


def test_the_books_value_builders_make_the_constructors_values() -> None:
    # OrderBook.submit builds its values with new_fill / new_result (marketplace/engine/types.py), not the
    # constructors: the same parameters, every field set, equal values of the very same class.
    for cls, build in ((Fill, new_fill), (SubmitResult, new_result)):
        names = [f.name for f in dataclasses.fields(cls)]
        assert list(inspect.signature(build).parameters) == names
        values: dict[str, Any] = {name: f"value of {name}" for name in names}
        made = build(**values)
        assert type(made) is cls
        assert made == cls(**values)
        assert hash(made) == hash(cls(**values))
        assert repr(made) == repr(cls(**values))
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(made, names[0], "changed")


def test_plain_strings_for_side_and_time_in_force_are_accepted() -> None:
    book = OrderBook(seats_remaining=None)
    loose = Order("x", "sell", "o", 100, 1, "gtd", NOW + 1)  # type: ignore[arg-type]
    assert book.submit(loose, now=NOW).status == Status.OPEN
    assert loose.side is SELL
    assert loose.time_in_force is GTD


def test_duplicate_ids_and_orders_that_cannot_rest_are_rejected() -> None:
    book = book_with(order("a1", SELL, 100, 1))
    with pytest.raises(ValueError, match="already rests"):
        book.submit(order("a1", SELL, 101, 1), now=NOW)
    with pytest.raises(ValueError, match="already rests"):
        book.load(order("a1", SELL, 101, 1))
    with pytest.raises(ValueError, match="market order"):
        book.load(order("m", BUY, None, 1))
    with pytest.raises(ValueError, match="never rests"):
        book.load(order("i", BUY, 90, 1, tif=IOC))
    with pytest.raises(ValueError, match="nothing left"):
        book.load(Order("f", BUY, "o", 90, 2, filled=2))
    with pytest.raises(ValueError, match="seats_remaining"):
        OrderBook(seats_remaining=-1)


# -- the model and the state machine ----------------------------------------------------------------------------

INFINITE = 1 << 60


@dataclass
class ModelOrder:
    id: str
    side: Side
    owner: str
    price: int | None
    quantity: int | None
    tif: TimeInForce
    expires_at: float | None
    seq: int
    filled: int = 0

    def remaining(self) -> int:
        return INFINITE if self.quantity is None else self.quantity - self.filled


@dataclass
class ModelResult:
    fills: list[tuple[str, str, str, str, int, int]]  # maker, taker, buy, sell, price, quantity
    status: str
    resting: int | None
    cancelled: int
    reason: str
    expired: list[str]


@dataclass
class ModelBook:
    """Obviously correct and slow: a list of resting orders, sorted afresh for every incoming order."""

    seats: int | None
    resting: list[ModelOrder] = field(default_factory=list)
    next_seq: int = 1

    def opposite_in_priority(self, incoming: ModelOrder) -> list[ModelOrder]:
        if incoming.side is BUY:
            asks = [o for o in self.resting if o.side is SELL]
            marketable = [o for o in asks if incoming.price is None or o.price <= incoming.price]  # type: ignore[operator]
            return sorted(marketable, key=lambda o: (o.price, o.seq))
        bids = [o for o in self.resting if o.side is BUY]
        marketable = [o for o in bids if incoming.price is None or o.price >= incoming.price]  # type: ignore[operator]
        return sorted(marketable, key=lambda o: (-o.price, o.seq))  # type: ignore[operator]

    def submit(self, incoming: ModelOrder, now: float) -> ModelResult:
        incoming.seq = self.next_seq
        self.next_seq += 1
        quantity = incoming.quantity
        if incoming.tif is GTD and incoming.expires_at is not None and incoming.expires_at <= now:
            return ModelResult([], Status.EXPIRED, 0, quantity or 0, Reason.EXPIRED, [])
        if incoming.tif is FOK:
            trial = copy.deepcopy(self)
            if trial.match(copy.deepcopy(incoming), now).status != Status.FILLED:
                return ModelResult([], Status.CANCELLED, 0, quantity or 0, Reason.FOK, [])
        return self.match(incoming, now)

    def match(self, incoming: ModelOrder, now: float) -> ModelResult:
        fills: list[tuple[str, str, str, str, int, int]] = []
        expired: list[str] = []
        stop = ""
        queue = self.opposite_in_priority(incoming)
        position = 0
        while position < len(queue) and incoming.remaining() > 0:
            maker = queue[position]  # stays the same maker until it is used up (or matching stops)
            if maker.expires_at is not None and maker.expires_at <= now:
                self.resting.remove(maker)
                expired.append(maker.id)
                position += 1
                continue
            if self.seats is not None and self.seats == 0:
                stop = Reason.SEAT_CAP
                break
            if maker.owner == incoming.owner:
                stop = Reason.SELF_TRADE
                break
            traded = min(incoming.remaining(), maker.remaining(), INFINITE if self.seats is None else self.seats)
            maker.filled += traded
            incoming.filled += traded
            if self.seats is not None:
                self.seats -= traded
            buy, sell = (incoming, maker) if incoming.side is BUY else (maker, incoming)
            fills.append((maker.id, incoming.id, buy.id, sell.id, maker.price, traded))  # type: ignore[arg-type]
            if maker.remaining() == 0:
                self.resting.remove(maker)
                position += 1
        rest = incoming.remaining()
        unlimited = incoming.quantity is None
        if rest == 0:
            return ModelResult(fills, Status.FILLED, 0, 0, "", expired)
        if not stop and (incoming.price is None or incoming.tif in (IOC, FOK)):
            stop = Reason.NO_LIQUIDITY
        if stop:
            return ModelResult(fills, Status.CANCELLED, 0, 0 if unlimited else rest, stop, expired)
        self.resting.append(incoming)
        status = Status.PARTIALLY_FILLED if fills else Status.OPEN
        return ModelResult(fills, status, None if unlimited else rest, 0, "", expired)

    def cancel(self, order_id: str) -> int | None:
        for resting in self.resting:
            if resting.id == order_id:
                self.resting.remove(resting)
                return None if resting.quantity is None else resting.remaining()
        raise KeyError(order_id)

    def expire(self, now: float) -> list[str]:
        due = [o for o in self.resting if o.expires_at is not None and o.expires_at <= now]
        for o in due:
            self.resting.remove(o)
        return [o.id for o in due]

    def best(self, side: Side) -> int | None:
        prices = [o.price for o in self.resting if o.side is side]
        if not prices:
            return None
        return max(prices) if side is BUY else min(prices)  # type: ignore[type-var]

    def depth(self) -> dict[str, list[tuple[int, int | None, int]]]:
        out: dict[str, list[tuple[int, int | None, int]]] = {}
        for name, side, sign in (("bids", BUY, -1), ("asks", SELL, 1)):
            levels: dict[int, list[ModelOrder]] = {}
            for o in self.resting:
                if o.side is side:
                    levels.setdefault(o.price, []).append(o)  # type: ignore[arg-type]
            rows: list[tuple[int, int | None, int]] = []
            for price in sorted(levels, key=lambda p: sign * p):
                at_price = levels[price]
                unlimited = any(o.quantity is None for o in at_price)
                rows.append((price, None if unlimited else sum(o.remaining() for o in at_price), len(at_price)))
            out[name] = rows
        return out


@dataclass
class Ledger:
    """What the test knows about one submitted order from the engine's answers alone."""

    quantity: int | None
    filled: int = 0  # sum of the fills this order took part in
    cancelled: int = 0  # at submission, by cancel(), or left when it expired


OWNERS = ["acme", "kitsune", "tanuki"]


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.book = OrderBook(seats_remaining=None)
        self.model = ModelBook(seats=None)
        self.initial_seats: int | None = None
        self.now = NOW
        self.counter = 0
        self.ledger: dict[str, Ledger] = {}
        self.sold = 0

    @initialize(seats=st.one_of(st.none(), st.integers(0, 25)))
    def start(self, seats: int | None) -> None:
        self.book = OrderBook(seats_remaining=seats)
        self.model = ModelBook(seats=seats)
        self.initial_seats = seats

    @rule(
        side=st.sampled_from([BUY, SELL]),
        owner=st.sampled_from(OWNERS),
        price=st.one_of(st.integers(8, 12), st.integers(8, 12), st.integers(8, 12), st.none()),
        quantity=st.one_of(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.none()),
        tif=st.sampled_from([GTC, GTC, IOC, FOK, GTD]),
        expires_in=st.integers(-1, 4),
    )
    def submit(
        self, side: Side, owner: str, price: int | None, quantity: int | None, tif: TimeInForce, expires_in: int
    ) -> None:
        self.place(side, owner, price, quantity, tif, expires_in)

    # Two more submit rules (the rules are drawn uniformly): plain limit orders, which build and cross the book,
    # and GTD orders about to expire, so that matching often meets expired orders.
    @rule(side=st.sampled_from([BUY, SELL]), owner=st.sampled_from(OWNERS), price=st.integers(8, 12))
    def submit_limit(self, side: Side, owner: str, price: int) -> None:
        self.place(side, owner, price, 1 + self.counter % 5, GTC, 0)

    @rule(side=st.sampled_from([BUY, SELL]), owner=st.sampled_from(OWNERS), price=st.integers(8, 12))
    def submit_gtd(self, side: Side, owner: str, price: int) -> None:
        self.place(side, owner, price, 1 + self.counter % 5, GTD, 1)

    def place(
        self, side: Side, owner: str, price: int | None, quantity: int | None, tif: TimeInForce, expires_in: int
    ) -> None:
        if quantity is None and (side is BUY or self.initial_seats is not None or price is None or tif in (IOC, FOK)):
            quantity = 3  # unlimited only for a gtc/gtd limit ask on an unlimited offering
        self.counter += 1
        oid = f"o{self.counter}"
        expires_at = self.now + expires_in if tif is GTD else None
        before = copy.deepcopy(self.model)
        incoming = Order(oid, side, owner, price, quantity, tif, expires_at)
        result = self.book.submit(incoming, now=self.now)
        expected = self.model.submit(ModelOrder(oid, side, owner, price, quantity, tif, expires_at, 0), self.now)

        got = [(f.maker_id, f.taker_id, f.buy_id, f.sell_id, f.price, f.quantity) for f in result.fills]
        assert got == expected.fills
        assert (result.order_id, result.status, result.resting, result.cancelled, result.reason) == (
            oid,
            expected.status,
            expected.resting,
            expected.cancelled,
            expected.reason,
        )
        assert list(result.expired) == expected.expired
        assert incoming.filled == sum(f.quantity for f in result.fills)
        self.check_fills(before, incoming, result)

        event(f"submit {tif} {'market' if price is None else 'limit'}: {result.status} {result.reason}".strip())
        if result.expired:
            event("expired orders dropped while matching")
        if quantity is None:
            event(f"unlimited ask: {result.status}")
        self.ledger[oid] = Ledger(quantity, cancelled=result.cancelled)
        for f in result.fills:
            self.ledger[f.maker_id].filled += f.quantity
            self.ledger[oid].filled += f.quantity
            self.sold += f.quantity
        self.record_expired(result.expired)

    def check_fills(self, before: ModelBook, incoming: Order, result: SubmitResult) -> None:
        """Each fill: at the maker's price, within both limits, between different owners, and no order with
        better priority was passed over (unless it expired or was used up earlier in this submit)."""
        resting = {o.id: o for o in before.resting}
        used: dict[str, int] = {}
        for f in result.fills:
            maker = resting[f.maker_id]
            assert f.taker_id == incoming.id
            assert f.price == maker.price
            assert maker.owner != incoming.owner
            assert f.quantity > 0
            buy, sell = (incoming.price, maker.price) if incoming.side is BUY else (maker.price, incoming.price)
            assert buy is None or f.price <= buy
            assert sell is None or f.price >= sell
            sign = 1 if maker.side is SELL else -1
            rank = (sign * maker.price, maker.seq)
            for other in before.resting:
                if other.side is not maker.side or other.id == maker.id:
                    continue
                if (sign * other.price, other.seq) < rank:  # type: ignore[operator]
                    expired = other.expires_at is not None and other.expires_at <= self.now
                    used_up = other.quantity is not None and used.get(other.id, 0) == other.remaining()
                    assert expired or used_up, f"{f.maker_id} filled before {other.id}"
            used[f.maker_id] = used.get(f.maker_id, 0) + f.quantity
            if maker.quantity is not None:
                assert used[f.maker_id] <= maker.remaining()

    def record_expired(self, ids: list[str] | tuple[str, ...]) -> None:
        for oid in ids:
            entry = self.ledger[oid]
            if entry.quantity is not None:
                entry.cancelled += entry.quantity - entry.filled

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        oid = f"o{data.draw(st.integers(1, max(1, self.counter)))}"
        if self.book.resting(oid) is None:
            with pytest.raises(KeyError):
                self.book.cancel(oid)
            with pytest.raises(KeyError):
                self.model.cancel(oid)
            return
        left = self.book.cancel(oid)
        assert left == self.model.cancel(oid)
        if left is not None:
            self.ledger[oid].cancelled += left

    @rule(seconds=st.integers(1, 3))
    def tick(self, seconds: int) -> None:
        self.now += seconds

    @rule()
    def expire(self) -> None:
        gone = self.book.expire(now=self.now)
        assert len(gone) == len(set(gone))
        assert set(gone) == set(self.model.expire(self.now))
        self.record_expired(gone)

    @rule(seed=st.integers(0, 2**16))
    def reload(self, seed: int) -> None:
        """What the service does: rebuild the book from the resting rows (any order), then carry on."""
        rows = [copy.copy(o) for o in self.book.orders()]
        random.Random(seed).shuffle(rows)
        fresh = OrderBook(seats_remaining=self.book.seats_remaining)
        for row in rows:
            fresh.load(row)
        assert fresh.depth(levels=100) == self.book.depth(levels=100)
        self.book = fresh

    @invariant()
    def agrees_with_the_model(self) -> None:
        assert self.book.depth(levels=100) == self.model.depth()
        assert self.book.best_bid() == self.model.best(BUY)
        assert self.book.best_ask() == self.model.best(SELL)
        assert len(self.book) == len(self.model.resting)
        assert self.book.seats_remaining == self.model.seats
        for resting in self.model.resting:
            engine_order = self.book.resting(resting.id)
            assert engine_order is not None
            assert (engine_order.filled, engine_order.seq > 0) == (resting.filled, True)

    @invariant()
    def never_crossed(self) -> None:
        bid, ask = self.book.best_bid(), self.book.best_ask()
        assert bid is None or ask is None or bid < ask

    @invariant()
    def quantities_are_conserved(self) -> None:
        submitted = filled = resting = cancelled = 0
        for oid, entry in self.ledger.items():
            if entry.quantity is None:
                continue
            on_book = self.book.resting(oid)
            left = 0 if on_book is None else on_book.quantity - on_book.filled  # type: ignore[operator]
            assert entry.filled + left + entry.cancelled == entry.quantity, oid
            if on_book is not None:
                assert on_book.filled == entry.filled
            submitted += entry.quantity
            filled += entry.filled
            resting += left
            cancelled += entry.cancelled
        assert filled + resting + cancelled == submitted

    @invariant()
    def no_seat_is_sold_twice(self) -> None:
        if self.initial_seats is not None:
            assert self.book.seats_remaining is not None
            assert self.initial_seats - self.book.seats_remaining == self.sold
            assert self.sold <= self.initial_seats


EngineMachine.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineMachine = EngineMachine.TestCase
