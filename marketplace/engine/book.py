"""One limit order book (one per offering): price-time priority, self-trade prevention, a seat cap.

Layout (plain containers; the engine bench, tests/bench/engine.py, measures it against a reference book):

* each side keeps its price levels in a dict ``key -> {id: order}`` and the keys in a sorted list; the key is
  the price for asks and minus the price for bids, so on both sides the smallest key is the best price and one
  matching loop serves both sides. A level dict keeps insertion order, which is time priority: an order comes
  to rest behind every order with a lower or equal ``seq`` (only ``load`` with an explicit, earlier ``seq``
  has to move later orders behind it);
* ``_orders`` maps id -> order for every resting order. An order leaves its level, ``_orders`` and ``_gtd`` at
  once (filled, cancelled, expired): a level holds only resting orders and is dropped when it empties;
* so a cancel is O(1) in its level (a dict deletes by key), plus a bisection when it empties the level. A level
  may hold thousands of orders: a scan of it per cancel (``deque.remove``, as the reference book does) would
  dominate;
* ``_gtd`` holds the resting GTD orders in the order they came to rest, for ``expire``.

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
from bisect import bisect_left, insort
from dataclasses import dataclass, field

from marketplace.engine.types import Fill, Order, Reason, Side, Status, SubmitResult, TimeInForce, new_fill, new_result

__all__ = ["OrderBook"]

# Enum members read once: on Python 3.11 reading ``Side.BUY`` (an enum class attribute) costs about 20 times a
# global lookup, and submit compares sides and times in force several times per order (measured: submits ~15 %
# faster in the engine bench with these names).
BUY, SELL = Side.BUY, Side.SELL
GTC, IOC, FOK, GTD = TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTD
# Stand-in remaining quantity of an incoming unlimited ask (never reached), and the key limit of a market order.
_UNLIMITED = 1 << 62
_NO_LIMIT = 1 << 62
_OPEN, _FILLED, _PARTIALLY_FILLED = Status.OPEN, Status.FILLED, Status.PARTIALLY_FILLED
_CANCELLED, _EXPIRED = Status.CANCELLED, Status.EXPIRED


@dataclass(slots=True)
class _Side:
    """The orders of one side, by key (price for asks, -price for bids: the smallest key is the best price)."""

    levels: dict[int, dict[str, Order]] = field(default_factory=dict)  # each in time priority, never empty
    keys: list[int] = field(default_factory=list)  # the keys of ``levels``, ascending (best first)


class OrderBook:
    __slots__ = ("_asks", "_bids", "_gtd", "_next_seq", "_orders", "_seats")

    def __init__(self, *, seats_remaining: int | None) -> None:
        if seats_remaining is not None and (type(seats_remaining) is not int or seats_remaining < 0):
            raise ValueError(f"seats_remaining must be None (unlimited) or an int >= 0, not {seats_remaining!r}")
        self._seats = seats_remaining
        self._orders: dict[str, Order] = {}
        self._bids = _Side()
        self._asks = _Side()
        self._gtd: dict[str, Order] = {}  # resting GTD orders, in the order they came to rest
        self._next_seq = 1

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
        keys = self._bids.keys
        return -keys[0] if keys else None

    def best_ask(self) -> int | None:
        keys = self._asks.keys
        return keys[0] if keys else None

    def depth(self, levels: int = 10) -> dict[str, list[tuple[int, int | None, int]]]:
        """The best ``levels`` price levels per side, best first: (price, total seats or None if any unlimited
        order rests there, number of orders)."""
        if type(levels) is not int or levels < 0:
            raise ValueError(f"levels must be an int >= 0, not {levels!r}")
        return {"bids": _depth(self._bids, -1, levels), "asks": _depth(self._asks, 1, levels)}

    # -- writing ---------------------------------------------------------------------------------------------

    def load(self, order: Order) -> None:
        """Add an order that already rests (read back from the database) without matching; keeps its ``seq``
        (assigns one if 0) and its ``filled``. Only limit GTC/GTD orders with seats left can rest."""
        self._validate(order, loading=True)
        if order.id in self._orders:
            raise ValueError(f"order {order.id!r} already rests on this book")
        if not order.seq:  # a new order gets the next seq; an explicit one is kept, later ones come after it
            order.seq = self._next_seq
        if order.seq >= self._next_seq:
            self._next_seq = order.seq + 1
        self._rest(order)

    def cancel(self, order_id: str) -> int | None:
        """Remove a resting order; returns its remaining seats (None for an unlimited ask). KeyError if the
        order does not rest on this book (never did, filled, cancelled or expired)."""
        order = self._orders[order_id]
        self._remove(order)
        return None if order.quantity is None else order.quantity - order.filled

    def expire(self, *, now: float) -> list[str]:
        """Remove the resting GTD orders with ``expires_at <= now``; returns their ids, earliest expiry first."""
        due = [order for order in self._gtd.values() if order.expires_at <= now]  # type: ignore[operator]
        due.sort(key=_expiry)  # stable: equal expiries in the order they came to rest
        for order in due:
            self._remove(order)
        return [order.id for order in due]

    def submit(self, order: Order, *, now: float) -> SubmitResult:
        """Match an incoming order against the book and rest what its time in force lets rest."""
        # The usual order (exact Order, enum members, positive int quantity, no expiry, fresh) passes every check
        # of ``_validate`` by construction; proving that inline costs a quarter of the full checks, which were
        # ~10 % of a submit in the engine bench. Anything else, including every bad order, gets the full checks.
        if type(order) is Order:
            side = order.side
            tif = order.time_in_force
            price = order.price
            quantity = order.quantity
            seq = order.seq
            filled = order.filled
            well_formed = (
                (side is BUY or side is SELL)
                and (tif is GTC or tif is IOC or tif is FOK)
                and order.expires_at is None
                and type(quantity) is int
                and quantity > 0
                and (price is None or (type(price) is int and price > 0))
                and type(seq) is int
                and seq >= 0
                and type(filled) is int
                and not filled
            )
        else:
            well_formed = False
        if not well_formed:
            self._validate(order, loading=False)
            tif = order.time_in_force
            price = order.price
            quantity = order.quantity
            seq = order.seq
        oid = order.id
        if oid in self._orders:
            raise ValueError(f"order {oid!r} already rests on this book")
        next_seq = self._next_seq
        if not seq:
            order.seq = seq = next_seq
        if seq >= next_seq:
            self._next_seq = seq + 1
        if tif is GTD and order.expires_at <= now:  # type: ignore[operator]  # validated: GTD has one
            return new_result(oid, (), _EXPIRED, 0, quantity or 0, Reason.EXPIRED, ())

        is_buy = order.side is BUY
        opposite = self._asks if is_buy else self._bids
        keys = opposite.keys
        # The limit as a key of the opposite side: a maker at key k is marketable when k <= klimit.
        klimit = _NO_LIMIT if price is None else (price if is_buy else -price)
        if tif is FOK and not self._fok_possible(opposite, klimit, order.owner, quantity, now):  # type: ignore[arg-type]  # a FOK order is finite
            return new_result(oid, (), _CANCELLED, 0, quantity, Reason.FOK, ())  # type: ignore[arg-type]

        if not keys or keys[0] > klimit:  # nothing crosses (the common case): rest or cancel
            if price is None or tif is IOC or tif is FOK:
                return new_result(oid, (), _CANCELLED, 0, quantity, Reason.NO_LIQUIDITY, ())  # type: ignore[arg-type]  # finite
            made: tuple[Fill, ...] = ()
            expired_ids: tuple[str, ...] = ()
            status = _OPEN
            left: int | None = quantity  # seats that come to rest (None: an unlimited ask)
        else:
            fills: list[Fill] = []
            expired: list[str] = []
            stop = ""
            remaining = _UNLIMITED if quantity is None else quantity
            seats = self._seats
            levels = opposite.levels
            orders = self._orders
            gtd = self._gtd
            owner = order.owner
            while keys and keys[0] <= klimit:
                key = keys[0]
                level = levels[key]
                # Every maker passed over is used up or expired, so they form a prefix of the level, dropped after.
                passed: list[str] = []
                for maker in level.values():
                    expires_at = maker.expires_at
                    if expires_at is not None and expires_at <= now:  # expired GTD: never matched
                        passed.append(maker.id)
                        expired.append(maker.id)
                        continue
                    if seats is not None and seats <= 0:
                        stop = Reason.SEAT_CAP
                        break
                    if maker.owner == owner:
                        stop = Reason.SELF_TRADE
                        break
                    maker_quantity = maker.quantity
                    if maker_quantity is None:
                        traded = remaining
                    else:
                        traded = maker_quantity - maker.filled
                        if remaining < traded:
                            traded = remaining
                    if seats is not None:
                        if seats < traded:
                            traded = seats
                        seats -= traded
                    maker.filled += traded
                    remaining -= traded
                    maker_id = maker.id
                    if is_buy:
                        fills.append(new_fill(maker_id, oid, oid, maker_id, maker.price, traded))  # type: ignore[arg-type]  # makers are limit orders
                    else:
                        fills.append(new_fill(maker_id, oid, maker_id, oid, maker.price, traded))  # type: ignore[arg-type]
                    if maker_quantity is not None and maker.filled == maker_quantity:
                        passed.append(maker_id)
                    elif remaining:  # the seat cap cut this trade short, and this maker would be next again
                        stop = Reason.SEAT_CAP
                        break
                    if not remaining:
                        break
                for gone in passed:
                    del level[gone]
                    del orders[gone]
                    if gtd:
                        gtd.pop(gone, None)
                if not level:
                    del levels[key]
                    del keys[0]
                if stop or not remaining:
                    break
            self._seats = seats
            made = tuple(fills)
            expired_ids = tuple(expired) if expired else ()
            if quantity is None:
                order.filled = _UNLIMITED - remaining
            else:
                order.filled = quantity - remaining
                if not remaining:
                    return new_result(oid, made, _FILLED, 0, 0, "", expired_ids)
            if not stop and (price is None or tif is IOC or tif is FOK):
                stop = Reason.NO_LIQUIDITY
            if stop:
                return new_result(oid, made, _CANCELLED, 0, 0 if quantity is None else remaining, stop, expired_ids)
            status = _PARTIALLY_FILLED if made else _OPEN
            left = None if quantity is None else remaining

        # Rest what is left (``_rest``, inlined: a method call is a tenth of a resting submit).
        own_key: int = -price if is_buy else price  # type: ignore[operator,assignment]  # only limit orders rest
        own = self._bids if is_buy else self._asks
        own_level = own.levels.get(own_key)
        if own_level is None:
            own.levels[own_key] = {oid: order}
            insort(own.keys, own_key)
        else:
            own_level[oid] = order  # at the back: right unless an order with a later seq rests already
            if seq < next_seq - 1:  # an explicit, earlier seq: move the orders with a later one behind it
                for later in [other for other in own_level.values() if other.seq > seq]:
                    own_level[later.id] = own_level.pop(later.id)
        self._orders[oid] = order
        if tif is GTD:
            self._gtd[oid] = order
        return new_result(oid, made, status, left, 0, "", expired_ids)

    # -- internals -------------------------------------------------------------------------------------------

    def _fok_possible(self, side: _Side, klimit: int, owner: str, quantity: int, now: float) -> bool:
        """Would matching fill all of ``quantity`` (same walk as ``submit``: expired orders skipped, stopped by
        the first order of the same owner and by the seat cap)? Reads only."""
        if self._seats is not None and self._seats < quantity:
            return False
        available = 0
        for key in side.keys:
            if key > klimit:
                break
            for maker in side.levels[key].values():
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

    def _rest(self, order: Order) -> None:
        price: int = order.price  # type: ignore[assignment]  # only limit orders rest
        if order.side is BUY:
            side, key = self._bids, -price
        else:
            side, key = self._asks, price
        level = side.levels.get(key)
        if level is None:
            side.levels[key] = {order.id: order}
            insort(side.keys, key)
        else:
            level[order.id] = order  # at the back: right unless an order with a later seq rests already
            if order.seq < self._next_seq - 1:  # an explicit, earlier seq (``load`` out of order, a rematch)
                for later in [other for other in level.values() if other.seq > order.seq]:
                    level[later.id] = level.pop(later.id)
        self._orders[order.id] = order
        if order.time_in_force is GTD:
            self._gtd[order.id] = order

    def _remove(self, order: Order) -> None:
        """Take a resting order off the book (``cancel``, ``expire``; ``submit`` drops the makers it used up)."""
        price: int = order.price  # type: ignore[assignment]  # only limit orders rest
        if order.side is BUY:
            side, key = self._bids, -price
        else:
            side, key = self._asks, price
        level = side.levels[key]
        del level[order.id]
        if not level:
            del side.levels[key]
            del side.keys[bisect_left(side.keys, key)]
        del self._orders[order.id]
        self._gtd.pop(order.id, None)

    def _validate(self, order: Order, *, loading: bool) -> None:
        """Check an order fully (and normalise ``side`` / ``time_in_force`` given as plain strings)."""
        # ``id`` and ``owner`` are opaque: the id is only hashed and the owner only compared (==).
        if not isinstance(order, Order):
            raise TypeError(f"expected an Order, not {type(order).__name__}")
        if not isinstance(order.side, Side):
            try:
                order.side = Side(order.side)
            except ValueError:
                raise ValueError(f"order {order.id}: side must be 'buy' or 'sell', not {order.side!r}") from None
        if not isinstance(order.time_in_force, TimeInForce):
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
        if tif is GTD:
            if isinstance(expires_at, bool) or not isinstance(expires_at, int | float) or not math.isfinite(expires_at):
                raise ValueError(f"order {order.id}: a gtd order needs expires_at (POSIX seconds), not {expires_at!r}")
        elif expires_at is not None:
            raise ValueError(f"order {order.id}: only a gtd order has expires_at (this one is {tif})")
        if quantity is None:
            if order.side is not SELL:
                raise ValueError(f"order {order.id}: only a sell order can have unlimited quantity")
            if self._seats is not None:
                raise ValueError(f"order {order.id}: unlimited quantity needs an offering with unlimited seats")
            if price is None or tif not in (GTC, GTD):
                raise ValueError(f"order {order.id}: an unlimited ask must be a gtc or gtd limit order")
        if type(order.seq) is not int or order.seq < 0:
            raise ValueError(f"order {order.id}: seq must be an int >= 0, not {order.seq!r}")
        filled = order.filled
        if type(filled) is not int or filled < 0:
            raise ValueError(f"order {order.id}: filled must be an int >= 0, not {filled!r}")
        if loading:
            if price is None:
                raise ValueError(f"order {order.id}: a market order never rests, so it cannot be loaded")
            if tif not in (GTC, GTD):
                raise ValueError(f"order {order.id}: a {tif} order never rests, so it cannot be loaded")
            if quantity is not None and filled >= quantity:
                raise ValueError(f"order {order.id}: nothing left to rest (filled {filled} of {quantity})")
        elif filled:
            raise ValueError(f"order {order.id}: a new order must have filled == 0, not {filled}")


def _expiry(order: Order) -> float:
    return order.expires_at  # type: ignore[return-value]  # only GTD orders are asked


def _depth(side: _Side, sign: int, wanted: int) -> list[tuple[int, int | None, int]]:
    rows: list[tuple[int, int | None, int]] = []
    for key in side.keys[:wanted]:
        level = side.levels[key].values()
        remaining = [order.remaining for order in level]
        total = None if None in remaining else sum(remaining)  # type: ignore[arg-type]  # None checked
        rows.append((key * sign, total, len(level)))
    return rows
