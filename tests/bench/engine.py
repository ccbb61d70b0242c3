"""Matching engine alone: orders/s and per-order latency on a random stream of limit orders with cancels.

1,000,000 seeded random GTC limit orders (``ICHIBA_BENCH_ENGINE_ORDERS``): both sides, 16 owners, prices around a
mid with Gaussian noise (so about half of them are marketable), 1..10 seats each; after each order, with
probability 0.1, a cancel of a random order still resting. The same stream goes through

* ``marketplace.engine.OrderBook`` (the engine, full API: validation, ``SubmitResult`` and ``Fill`` objects);
* ``ReferenceBook`` below: the straightforward design, a ``sortedcontainers.SortedDict`` of price -> ``deque``
  per side, a dict id -> order, cancel by removing the order from its deque; same rules (price-time priority,
  maker's price, self-trade prevention by cancelling the newest order), fills as plain tuples.

Only the book calls are timed (``time.perf_counter_ns`` around each submit and each cancel); building the orders
and choosing what to cancel are not. ``orders_per_s`` = orders / time spent in submits and cancels; ``p50_us`` /
``p99_us`` are per submit. Both books must agree on every order's outcome (asserted through the total filled
seats, the number of fills and what rests at the end), so the stream, and the cancels chosen from it, are the
same for both. Each book runs ``ICHIBA_BENCH_ENGINE_ROUNDS`` times (default 2, alternating, best kept).
"""

from __future__ import annotations

import gc
import os
import random
import time
from array import array
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sortedcontainers import SortedDict

from marketplace.engine import Order, OrderBook, Side
from tests.bench.common import emit

N_ORDERS = int(os.environ.get("ICHIBA_BENCH_ENGINE_ORDERS", 1_000_000))
ROUNDS = int(os.environ.get("ICHIBA_BENCH_ENGINE_ROUNDS", 2))
SEED = 20250404
CANCEL_RATE = 0.10
MID = 10_000  # minor units
NOISE = 20  # standard deviation of a price around the mid, in minor units
OWNERS = 16
TARGET_RATIO = 1.0


@dataclass(frozen=True)
class Stream:
    ids: list[str]
    buys: list[bool]
    owners: list[str]
    prices: list[int]
    quantities: list[int]
    cancels: bytes  # 1 after order i: cancel a random resting order


def make_stream(n: int, seed: int = SEED) -> Stream:
    rng = random.Random(seed)
    owners = [f"org-{k:02d}" for k in range(OWNERS)]
    return Stream(
        ids=[f"o{i}" for i in range(n)],
        buys=[rng.random() < 0.5 for _ in range(n)],
        owners=[owners[rng.randrange(OWNERS)] for _ in range(n)],
        prices=[max(1, round(rng.gauss(MID, NOISE))) for _ in range(n)],
        quantities=[rng.randint(1, 10) for _ in range(n)],
        cancels=bytes(rng.random() < CANCEL_RATE for _ in range(n)),
    )


# -- the reference book -------------------------------------------------------------------------------------


class RefOrder:
    __slots__ = ("id", "is_buy", "owner", "price", "remaining")

    def __init__(self, order_id: str, is_buy: bool, owner: str, price: int, quantity: int) -> None:
        self.id = order_id
        self.is_buy = is_buy
        self.owner = owner
        self.price = price
        self.remaining = quantity


class ReferenceBook:
    """The plain design: SortedDict price -> deque (FIFO) per side, dict id -> order."""

    def __init__(self) -> None:
        self.bids: SortedDict = SortedDict()  # best = highest = last
        self.asks: SortedDict = SortedDict()  # best = lowest = first
        self.orders: dict[str, RefOrder] = {}

    def submit(self, order: RefOrder) -> list[tuple[str, int, int]]:
        """Match; rest the remainder unless self-trade prevention cancelled it. Returns (maker id, price, qty)."""
        fills: list[tuple[str, int, int]] = []
        if order.is_buy:
            opposite, best, crosses = self.asks, 0, order.price.__ge__
        else:
            opposite, best, crosses = self.bids, -1, order.price.__le__
        while order.remaining and opposite:
            price, level = opposite.peekitem(best)
            if not crosses(price):
                break
            maker = level[0]
            if maker.owner == order.owner:  # self-trade prevention: cancel the newest (the incoming) order
                order.remaining = 0
                break
            quantity = min(maker.remaining, order.remaining)
            maker.remaining -= quantity
            order.remaining -= quantity
            fills.append((maker.id, price, quantity))
            if not maker.remaining:
                level.popleft()
                del self.orders[maker.id]
                if not level:
                    del opposite[price]
        if order.remaining:
            own = self.bids if order.is_buy else self.asks
            level = own.get(order.price)
            if level is None:
                own[order.price] = deque((order,))
            else:
                level.append(order)
            self.orders[order.id] = order
        return fills

    def cancel(self, order_id: str) -> int:
        order = self.orders.pop(order_id)
        side = self.bids if order.is_buy else self.asks
        level = side[order.price]
        level.remove(order)
        if not level:
            del side[order.price]
        return order.remaining

    def resting(self, order_id: str) -> bool:
        return order_id in self.orders


# -- driving a book -----------------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    latencies: array  # ns per submit
    busy_ns: int  # time spent in submits and cancels
    cancel_ns: int
    cancels: int
    filled: int  # seats
    fills: int
    resting: int  # orders resting at the end
    resting_ids: frozenset[str]

    def percentile_us(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000


def _drive(
    name: str,
    stream: Stream,
    make: Callable[[int], Any],
    submit: Callable[[Any], Sequence[Any]],
    fill_quantity: Callable[[Any], int],
    is_resting: Callable[[str], bool],
    cancel: Callable[[str], Any],
    resting_ids: Callable[[], frozenset[str]],
) -> Run:
    pick = random.Random(SEED + 1)
    perf = time.perf_counter_ns
    latencies = array("q")
    record = latencies.append
    busy = cancel_ns = cancels = filled = fills = 0
    candidates: list[str] = []  # ids that rested after their submit (some filled or cancelled since)
    ids = stream.ids
    cancels_after = stream.cancels
    gc.collect()
    for i in range(len(ids)):
        order = make(i)
        start = perf()
        result = submit(order)
        took = perf() - start
        record(took)
        busy += took
        for fill in result:
            filled += fill_quantity(fill)
            fills += 1
        if is_resting(ids[i]):
            candidates.append(ids[i])
        if cancels_after[i]:
            while candidates:
                j = pick.randrange(len(candidates))
                victim = candidates[j]
                candidates[j] = candidates[-1]
                candidates.pop()
                if is_resting(victim):
                    start = perf()
                    cancel(victim)
                    took = perf() - start
                    busy += took
                    cancel_ns += took
                    cancels += 1
                    break
    ids_left = resting_ids()
    return Run(name, latencies, busy, cancel_ns, cancels, filled, fills, len(ids_left), ids_left)


def run_engine(stream: Stream) -> Run:
    book = OrderBook(seats_remaining=None)
    ids, buys, owners, prices, quantities = stream.ids, stream.buys, stream.owners, stream.prices, stream.quantities
    buy, sell = Side.BUY, Side.SELL

    def make(i: int) -> Order:
        return Order(ids[i], buy if buys[i] else sell, owners[i], prices[i], quantities[i])

    submit = book.submit
    return _drive(
        "engine",
        stream,
        make,
        lambda order: submit(order, now=0.0).fills,
        lambda fill: fill.quantity,
        lambda order_id: order_id in book,
        book.cancel,
        lambda: frozenset(order.id for order in book.orders()),
    )


def run_reference(stream: Stream) -> Run:
    book = ReferenceBook()
    ids, buys, owners, prices, quantities = stream.ids, stream.buys, stream.owners, stream.prices, stream.quantities

    def make(i: int) -> RefOrder:
        return RefOrder(ids[i], buys[i], owners[i], prices[i], quantities[i])

    return _drive(
        "reference",
        stream,
        make,
        book.submit,
        lambda fill: fill[2],
        book.resting,
        book.cancel,
        lambda: frozenset(book.orders),
    )


def run() -> None:
    stream = make_stream(N_ORDERS)
    engine_runs: list[Run] = []
    reference_runs: list[Run] = []
    for _ in range(max(1, ROUNDS)):
        reference_runs.append(run_reference(stream))
        engine_runs.append(run_engine(stream))
    engine = min(engine_runs, key=lambda r: r.busy_ns)
    reference = min(reference_runs, key=lambda r: r.busy_ns)
    b = engine_runs[0]
    for a in [*engine_runs[1:], *reference_runs]:
        assert (a.filled, a.fills, a.cancels, a.resting_ids) == (b.filled, b.fills, b.cancels, b.resting_ids), (
            f"{a.name} and {b.name} disagree: filled {a.filled} vs {b.filled}, fills {a.fills} vs {b.fills}, "
            f"cancels {a.cancels} vs {b.cancels}, resting {a.resting} vs {b.resting}"
        )
    orders_per_s = N_ORDERS / (engine.busy_ns / 1e9)
    reference_orders_per_s = N_ORDERS / (reference.busy_ns / 1e9)
    ratio = orders_per_s / reference_orders_per_s
    submit_orders_per_s = N_ORDERS / ((engine.busy_ns - engine.cancel_ns) / 1e9)
    reference_submit_orders_per_s = N_ORDERS / ((reference.busy_ns - reference.cancel_ns) / 1e9)
    emit(
        bench="marketplace.engine",
        orders=N_ORDERS,
        cancels=engine.cancels,
        fills=engine.fills,
        seats_filled=engine.filled,
        resting_at_end=engine.resting,
        orders_per_s=round(orders_per_s),
        p50_us=round(engine.percentile_us(0.50), 2),
        p99_us=round(engine.percentile_us(0.99), 2),
        max_us=round(engine.percentile_us(1.0), 1),
        cancel_us_mean=round(engine.cancel_ns / max(1, engine.cancels) / 1000, 2),
        reference_orders_per_s=round(reference_orders_per_s),
        reference_p50_us=round(reference.percentile_us(0.50), 2),
        reference_p99_us=round(reference.percentile_us(0.99), 2),
        reference_cancel_us_mean=round(reference.cancel_ns / max(1, reference.cancels) / 1000, 2),
        ratio_to_reference=round(ratio, 3),
        # The same without the cancels (the reference's cancel is a linear scan of the order's price level):
        submit_orders_per_s=round(submit_orders_per_s),
        reference_submit_orders_per_s=round(reference_submit_orders_per_s),
        submit_ratio_to_reference=round(submit_orders_per_s / reference_submit_orders_per_s, 3),
        target_ratio=TARGET_RATIO,
        rounds=max(1, ROUNDS),
        ok=ratio >= TARGET_RATIO,
    )


if __name__ == "__main__":
    run()
