"""One limit order book (one per offering): price-time priority, self-trade prevention, a seat cap.

Layout, chosen for the hot path (profiled; see tests/bench/engine.py):

* each side is a dict ``key -> deque of orders`` (FIFO by ``seq``) plus a min-heap of those keys; the key is
  the price for asks and minus the price for bids, so on both sides the smallest key is the best price and one
  matching loop serves both sides;
* ``_orders`` maps id -> order for every resting order; it is the single source of truth for "resting";
* cancellation and expiry are lazy: they only drop the order from ``_orders`` and note its id in ``_dead``; its
  deque entry (now *dead*: ``_orders.get(id) is not order``) is skipped and discarded when it reaches the front
  of its level, and a compaction rebuilds every level once dead entries outnumber live ones (amortised O(1) per
  cancel). An id that comes back (the same Order object loaded or submitted again) first gets its dead entry
  purged, so that entry cannot come back to life;
* a level leaves the dict and the heap together, only when it is at the top of the heap, so every key in the
  dict is in its heap exactly once;
* GTD orders are also kept in a heap by ``expires_at`` so that ``expire()`` never scans the book.

Invariants (checked by the property tests in marketplace/tests/test_engine.py):

* the book is never crossed: when both sides hold orders, best bid < best ask. This holds even when the seat
  cap is exhausted: an incoming order whose remainder would cross is then cancelled ("seat cap reached")
  instead of resting; orders that would not cross still rest;
* for every finite order: filled + resting + cancelled (at submission, by ``cancel``, by expiry) == quantity;
* seats sold (sum of fill quantities) never exceed the ``seats_remaining`` the book was created with.

``load`` trusts its caller: it does not match, and does not check that what it loads leaves the book uncrossed
(a book rebuilt from rows this engine produced always is). Expired GTD orders are only noticed by ``submit``
(when matching meets them) and ``expire``; ``best_bid``, ``depth``, ``resting`` and ``len`` still count them
until then, so call ``expire(now=...)`` first when that matters.
"""

from __future__ import annotations

import math
from collections import deque
from heapq import heapify, heappop, heappush
from itertools import count

from marketplace.engine.types import (
    Fill,
    FillTwin,
    Order,
    Reason,
    ResultTwin,
    Side,
    Status,
    SubmitResult,
    TimeInForce,
    new_result,
)

__all__ = ["OrderBook"]

_BUY = Side.BUY
_SELL = Side.SELL
_GTC = TimeInForce.GTC
_IOC = TimeInForce.IOC
_FOK = TimeInForce.FOK
_GTD = TimeInForce.GTD
# Stand-in remaining quantity of an incoming unlimited ask (never reached), and the key limit of a market order.
_UNLIMITED = 1 << 62
_NO_LIMIT = 1 << 62
_COMPACT_MIN = 256  # dead deque entries tolerated before considering a compaction
_NO_FILLS: tuple[Fill, ...] = ()
_NO_IDS: tuple[str, ...] = ()
_new = object.__new__  # with FillTwin / ResultTwin: see marketplace/engine/types.py (_twin)
_OPEN = Status.OPEN
_FILLED = Status.FILLED


class OrderBook:
    __slots__ = (
        "_ask_heap",
        "_asks",
        "_bid_heap",
        "_bids",
        "_dead",
        "_gtd",
        "_gtd_tiebreak",
        "_next_seq",
        "_orders",
        "_seats",
    )

    def __init__(self, *, seats_remaining: int | None) -> None:
        if seats_remaining is not None and (type(seats_remaining) is not int or seats_remaining < 0):
            raise ValueError(f"seats_remaining must be None (unlimited) or an int >= 0, not {seats_remaining!r}")
        self._seats = seats_remaining
        self._orders: dict[str, Order] = {}
        self._bids: dict[int, deque[Order]] = {}  # key = -price
        self._asks: dict[int, deque[Order]] = {}  # key = price
        self._bid_heap: list[int] = []
        self._ask_heap: list[int] = []
        self._gtd: list[tuple[float, int, Order]] = []  # (expires_at, tiebreak, order); may hold dead entries
        self._gtd_tiebreak = count()
        self._next_seq = 1
        self._dead: set[str] = set()  # ids of the deque entries whose order no longer rests (one entry per id)

    # -- reading ---------------------------------------------------------------------------------------------

    @property
    def seats_remaining(self) -> int | None:
        """Seats that may still be sold (None = unlimited)."""
        return self._seats

    def __len__(self) -> int:
        return len(self._orders)

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._orders

    def resting(self, order_id: str) -> Order | None:
        return self._orders.get(order_id)

    def orders(self) -> list[Order]:
        """Every resting order (no particular order)."""
        return list(self._orders.values())

    def best_bid(self) -> int | None:
        key = self._best_key(self._bid_heap, self._bids)
        return None if key is None else -key

    def best_ask(self) -> int | None:
        return self._best_key(self._ask_heap, self._asks)

    def _best_key(self, heap: list[int], levels: dict[int, deque[Order]]) -> int | None:
        orders = self._orders
        while heap:
            key = heap[0]
            level = levels[key]
            while level:
                head = level[0]
                if orders.get(head.id) is head:
                    return key
                level.popleft()
                self._dead.discard(head.id)
            del levels[key]
            heappop(heap)
        return None

    def depth(self, levels: int = 10) -> dict[str, list[tuple[int, int | None, int]]]:
        """The best ``levels`` price levels per side, best first: (price, total seats or None if any unlimited
        order rests there, number of orders)."""
        if type(levels) is not int or levels < 0:
            raise ValueError(f"levels must be an int >= 0, not {levels!r}")
        return {"bids": self._depth(self._bids, -1, levels), "asks": self._depth(self._asks, 1, levels)}

    def _depth(self, side: dict[int, deque[Order]], sign: int, wanted: int) -> list[tuple[int, int | None, int]]:
        orders = self._orders
        rows: list[tuple[int, int | None, int]] = []
        if not wanted:
            return rows
        for key in sorted(side):
            total = 0
            number = 0
            unlimited = False
            for order in side[key]:
                if orders.get(order.id) is order:
                    number += 1
                    if order.quantity is None:
                        unlimited = True
                    else:
                        total += order.quantity - order.filled
            if number:
                rows.append((key * sign, None if unlimited else total, number))
                if len(rows) == wanted:
                    break
        return rows

    # -- writing ---------------------------------------------------------------------------------------------

    def load(self, order: Order) -> None:
        """Add an order that already rests (read back from the database) without matching; keeps its ``seq``
        (assigns one if 0) and its ``filled``. Only limit GTC/GTD orders with seats left can rest."""
        self._validate(order, loading=True)
        if order.id in self._orders:
            raise ValueError(f"order {order.id!r} already rests on this book")
        self._take_seq(order)
        self._rest(order)

    def cancel(self, order_id: str) -> int | None:
        """Remove a resting order; returns its remaining seats (None for an unlimited ask). KeyError if the
        order does not rest on this book (never did, filled, cancelled or expired)."""
        order = self._orders.pop(order_id)
        dead = self._dead
        dead.add(order_id)
        if len(dead) > _COMPACT_MIN and len(dead) > len(self._orders):
            self._compact()
        return None if order.quantity is None else order.quantity - order.filled

    def expire(self, *, now: float) -> list[str]:
        """Remove the resting GTD orders with ``expires_at <= now``; returns their ids, earliest expiry first."""
        gtd = self._gtd
        orders = self._orders
        gone: list[str] = []
        while gtd and gtd[0][0] <= now:
            order = heappop(gtd)[2]
            if orders.get(order.id) is order:
                del orders[order.id]
                self._dead.add(order.id)
                gone.append(order.id)
        if len(self._dead) > _COMPACT_MIN and len(self._dead) > len(orders):
            self._compact()
        return gone

    def submit(self, order: Order, *, now: float) -> SubmitResult:
        """Match an incoming order against the book and rest what its time in force lets rest."""
        oid = order.id
        price = order.price
        quantity = order.quantity
        side = order.side
        tif = order.time_in_force
        # Fast path of validation for the common order (a plain GTC limit order); anything else is checked fully.
        if (
            tif is not _GTC
            or order.expires_at is not None
            or order.filled
            or type(price) is not int
            or type(quantity) is not int
            or price <= 0
            or quantity <= 0
            or (side is not _BUY and side is not _SELL)
        ):
            self._validate(order, loading=False)
            side = order.side
            tif = order.time_in_force
        is_buy = side is _BUY
        orders = self._orders
        if oid in orders:
            raise ValueError(f"order {oid!r} already rests on this book")
        seq = order.seq
        newest = True  # the latest seq of the book: it goes to the tail of its level
        if not seq:
            order.seq = seq = self._next_seq
            self._next_seq = seq + 1
        elif type(seq) is not int or seq < 0:
            raise ValueError(f"order {oid}: seq must be an int >= 0, not {seq!r}")
        elif seq >= self._next_seq:
            self._next_seq = seq + 1
        else:
            newest = False

        # The opposite side, and the limit as a key of that side (key = price for asks, -price for bids).
        if is_buy:
            heap = self._ask_heap
            klimit = _NO_LIMIT if price is None else price
        else:
            heap = self._bid_heap
            klimit = _NO_LIMIT if price is None else -price

        if tif is not _GTC:
            if tif is _GTD and order.expires_at <= now:  # type: ignore[operator]  # validated: GTD has expires_at
                return new_result(oid, _NO_FILLS, Status.EXPIRED, 0, quantity or 0, Reason.EXPIRED, _NO_IDS)
            if tif is _FOK and not self._fok_possible(is_buy, klimit, order.owner, quantity, now):  # type: ignore[arg-type]
                return new_result(oid, _NO_FILLS, Status.CANCELLED, 0, quantity, Reason.FOK, _NO_IDS)

        if not heap or heap[0] > klimit:
            # Nothing marketable (the common case): rest, or cancel a market / IOC / FOK order. Inline, hot path.
            if price is None or tif is _IOC or tif is _FOK:
                return new_result(oid, _NO_FILLS, Status.CANCELLED, 0, quantity or 0, Reason.NO_LIQUIDITY, _NO_IDS)
            if is_buy:
                key = -price
                levels = self._bids
                heap = self._bid_heap
            else:
                key = price
                levels = self._asks
                heap = self._ask_heap
            if oid in self._dead:  # this id left the book earlier and its dead entry is still there: purge it
                self._compact()
            level = levels.get(key)
            if level is None:
                levels[key] = deque((order,))
                heappush(heap, key)
            elif newest or level[-1].seq < seq:
                level.append(order)
            else:
                _insert_by_seq(level, order)
            orders[oid] = order
            if tif is _GTD:
                self._track_expiry(order)
            # new_result(oid, (), "open", quantity, 0, "", ()), inline (the fields in RESULT_FIELDS order)
            result = _new(ResultTwin)
            result.order_id = oid
            result.fills = _NO_FILLS
            result.status = _OPEN
            result.resting = quantity
            result.cancelled = 0
            result.reason = ""
            result.expired = _NO_IDS
            result.__class__ = SubmitResult
            return result

        # -- matching: best key first, FIFO within a key ------------------------------------------------------
        levels = self._asks if is_buy else self._bids
        owner = order.owner
        remaining = _UNLIMITED if quantity is None else quantity
        seats = self._seats
        fills: list[Fill] = []
        expired: list[str] | None = None
        stop: str | None = None
        while heap:
            key = heap[0]
            if key > klimit:
                break
            level = levels[key]
            while level:
                maker = level[0]
                mid = maker.id
                if orders.get(mid) is not maker:  # cancelled or expired earlier: discard the dead entry
                    level.popleft()
                    self._dead.discard(mid)
                    continue
                expires_at = maker.expires_at
                if expires_at is not None and expires_at <= now:  # expired GTD: never matched, dropped here
                    level.popleft()
                    del orders[mid]
                    if expired is None:
                        expired = [mid]
                    else:
                        expired.append(mid)
                    continue
                if seats is not None and seats <= 0:
                    stop = Reason.SEAT_CAP
                    break
                if maker.owner == owner:
                    stop = Reason.SELF_TRADE
                    break
                maker_quantity = maker.quantity
                if maker_quantity is None:  # an unlimited ask never depletes
                    traded = remaining
                else:
                    traded = maker_quantity - maker.filled
                    if traded > remaining:
                        traded = remaining
                if seats is not None:
                    if traded > seats:
                        traded = seats
                    seats -= traded
                maker.filled += traded
                remaining -= traded
                # Fill(mid, oid, buy id, sell id, maker.price, traded), inline (the fields in FILL_FIELDS order)
                trade = _new(FillTwin)
                trade.maker_id = mid
                trade.taker_id = oid
                if is_buy:
                    trade.buy_id = oid
                    trade.sell_id = mid
                else:
                    trade.buy_id = mid
                    trade.sell_id = oid
                trade.price = maker.price
                trade.quantity = traded
                trade.__class__ = Fill
                fills.append(trade)
                if maker_quantity is not None and maker.filled == maker_quantity:
                    level.popleft()
                    del orders[mid]
                if not remaining:
                    break
            if not level:
                del levels[key]
                heappop(heap)
            if stop is not None or not remaining:
                break
        if seats is not None:
            self._seats = seats

        # -- what is left: filled, cancelled, or resting -------------------------------------------------------
        done = tuple(fills) if fills else _NO_FILLS
        gone = _NO_IDS if expired is None else tuple(expired)
        if quantity is None:
            order.filled = _UNLIMITED - remaining
        else:
            order.filled = quantity - remaining
            if not remaining:  # new_result(oid, done, "filled", 0, 0, "", gone), inline
                result = _new(ResultTwin)
                result.order_id = oid
                result.fills = done
                result.status = _FILLED
                result.resting = 0
                result.cancelled = 0
                result.reason = ""
                result.expired = gone
                result.__class__ = SubmitResult
                return result
        if stop is None and (price is None or tif is _IOC or tif is _FOK):
            stop = Reason.NO_LIQUIDITY
        if stop is not None:
            return new_result(oid, done, Status.CANCELLED, 0, 0 if quantity is None else remaining, stop, gone)
        self._rest(order)
        if quantity is None:
            return new_result(oid, done, Status.PARTIALLY_FILLED if done else Status.OPEN, None, 0, "", gone)
        return new_result(oid, done, Status.PARTIALLY_FILLED if done else Status.OPEN, remaining, 0, "", gone)

    # -- internals -------------------------------------------------------------------------------------------

    def _fok_possible(self, is_buy: bool, klimit: int, owner: str, quantity: int, now: float) -> bool:
        """Would matching fill all of ``quantity`` (same walk as ``submit``: expired orders skipped, stopped by
        the first order of the same owner and by the seat cap)? Reads only."""
        seats = self._seats
        if seats is not None and seats < quantity:
            return False
        orders = self._orders
        levels = self._asks if is_buy else self._bids
        available = 0
        for key in sorted(key for key in levels if key <= klimit):
            for maker in levels[key]:
                if orders.get(maker.id) is not maker:
                    continue
                if maker.expires_at is not None and maker.expires_at <= now:
                    continue
                if maker.owner == owner:
                    return False
                if maker.quantity is None:
                    return True
                available += maker.quantity - maker.filled
                if available >= quantity:
                    return True
        return False

    def _take_seq(self, order: Order) -> None:
        if order.seq == 0:
            order.seq = self._next_seq
            self._next_seq += 1
        elif order.seq >= self._next_seq:
            self._next_seq = order.seq + 1

    def _rest(self, order: Order) -> None:
        """Put an order on its side (``load``; ``submit`` has this inline)."""
        if order.id in self._dead:  # this id left the book earlier and its dead entry is still there: purge it
            self._compact()
        price: int = order.price  # type: ignore[assignment]  # only limit orders rest
        if order.side is _BUY:
            key = -price
            levels = self._bids
            heap = self._bid_heap
        else:
            key = price
            levels = self._asks
            heap = self._ask_heap
        level = levels.get(key)
        if level is None:
            levels[key] = deque((order,))
            heappush(heap, key)
        elif level[-1].seq < order.seq:
            level.append(order)
        else:
            _insert_by_seq(level, order)
        self._orders[order.id] = order
        if order.time_in_force is _GTD:
            self._track_expiry(order)

    def _track_expiry(self, order: Order) -> None:
        gtd = self._gtd
        if len(gtd) > _COMPACT_MIN and len(gtd) > 2 * len(self._orders):
            orders = self._orders
            self._gtd = gtd = [entry for entry in gtd if orders.get(entry[2].id) is entry[2]]
            heapify(gtd)
        expires_at: float = order.expires_at  # type: ignore[assignment]  # GTD orders have one
        heappush(gtd, (expires_at, next(self._gtd_tiebreak), order))

    def _compact(self) -> None:
        """Drop every dead deque entry and every empty level; rebuild the heaps."""
        orders = self._orders
        for levels, heap in ((self._bids, self._bid_heap), (self._asks, self._ask_heap)):
            for key in list(levels):
                live = deque(order for order in levels[key] if orders.get(order.id) is order)
                if live:
                    levels[key] = live
                else:
                    del levels[key]
            heap[:] = levels
            heapify(heap)
        self._gtd = [entry for entry in self._gtd if orders.get(entry[2].id) is entry[2]]
        heapify(self._gtd)
        self._dead.clear()

    def _validate(self, order: Order, *, loading: bool) -> None:
        """Check an order fully (and normalise ``side`` / ``time_in_force`` given as plain strings)."""
        # ``id`` and ``owner`` are opaque: the id is only hashed and the owner only compared (==).
        if not isinstance(order, Order):
            raise TypeError(f"expected an Order, not {type(order).__name__}")
        try:
            order.side = Side(order.side)
        except ValueError:
            raise ValueError(f"order {order.id}: side must be 'buy' or 'sell', not {order.side!r}") from None
        try:
            order.time_in_force = TimeInForce(order.time_in_force)
        except ValueError:
            raise ValueError(
                f"order {order.id}: time_in_force must be one of gtc, ioc, fok, gtd, not {order.time_in_force!r}"
            ) from None
        price = order.price
        if price is not None and (type(price) is not int or price <= 0):
            raise ValueError(f"order {order.id}: price must be a positive int (minor units) or None, not {price!r}")
        quantity = order.quantity
        if quantity is not None and (type(quantity) is not int or quantity <= 0):
            raise ValueError(f"order {order.id}: quantity must be a positive int or None, not {quantity!r}")
        tif = order.time_in_force
        expires_at = order.expires_at
        if tif is _GTD:
            if isinstance(expires_at, bool) or not isinstance(expires_at, int | float) or not math.isfinite(expires_at):
                raise ValueError(f"order {order.id}: a gtd order needs expires_at (POSIX seconds), not {expires_at!r}")
        elif expires_at is not None:
            raise ValueError(f"order {order.id}: only a gtd order has expires_at (this one is {tif})")
        if quantity is None:
            if order.side is not _SELL:
                raise ValueError(f"order {order.id}: only a sell order can have unlimited quantity")
            if self._seats is not None:
                raise ValueError(f"order {order.id}: unlimited quantity needs an offering with unlimited seats")
            if price is None or tif not in (_GTC, _GTD):
                raise ValueError(f"order {order.id}: an unlimited ask must be a gtc or gtd limit order")
        if type(order.seq) is not int or order.seq < 0:
            raise ValueError(f"order {order.id}: seq must be an int >= 0, not {order.seq!r}")
        filled = order.filled
        if type(filled) is not int or filled < 0:
            raise ValueError(f"order {order.id}: filled must be an int >= 0, not {filled!r}")
        if loading:
            if price is None:
                raise ValueError(f"order {order.id}: a market order never rests, so it cannot be loaded")
            if tif not in (_GTC, _GTD):
                raise ValueError(f"order {order.id}: a {tif} order never rests, so it cannot be loaded")
            if quantity is not None and filled >= quantity:
                raise ValueError(f"order {order.id}: nothing left to rest (filled {filled} of {quantity})")
        elif filled:
            raise ValueError(f"order {order.id}: a new order must have filled == 0, not {filled}")


def _insert_by_seq(level: deque[Order], order: Order) -> None:
    """Insert behind every entry with seq <= order.seq (an explicit, earlier seq: ``load`` out of order)."""
    position = len(level)
    while position and level[position - 1].seq > order.seq:
        position -= 1
    level.insert(position, order)
