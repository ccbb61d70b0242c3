"""Use cases of orders: place (match under the offering's row lock), cancel, expire.

Every matching runs inside one transaction that holds the offering's row lock, so two workers never
match the same book at once and seats are never oversold; different offerings match in parallel.
Locks are always taken offering first, then orders.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import DatasetVersion
from config import metrics
from config.api.idempotency import IdempotencyClaim
from config.api.principal import Principal
from config.db.writes import Change, rows_write
from config.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from config.logging import log_after_commit
from config.request_id import request_id_get
from contracts.eligibility import Buyer, buyer_check
from contracts.models import Contract
from contracts.services.contracts import BuyerSnapshot, Conclusion, contracts_conclude
from marketplace import engine, hooks, states
from marketplace.matching import streams
from marketplace.matching.commands import Place
from marketplace.matching.shards import shard_of
from marketplace.models import Offering, Order, OrderEvent, Organization, Trade
from marketplace.selectors import offer_snapshot
from marketplace.services.exclusivity import (
    ExclusivityRefused,
    exclusivity_check,
    exclusivity_lock,
    is_exclusive,
)
from marketplace.tax import treatment_of

logger = logging.getLogger(__name__)

MAX_PRICE = 10**12  # minor units per seat (a trillion yen): past any real licence, below any overflow
MAX_QUANTITY = 100_000


_SUBMIT_STATUS = {
    "filled": Order.Status.FILLED,
    "partially_filled": Order.Status.PARTIALLY_FILLED,
    "open": Order.Status.OPEN,
}
# Submission outcomes that refuse the whole order rather than cancel an unfillable rest.
_REJECTIONS = ("self-trade prevented", "seat cap reached", "expired")


@dataclass(frozen=True)
class Placed:
    order: Order
    trades: list[Trade]
    # The rows the subscribers of ``hooks.on_trade_executed`` handed back for these trades (settlement: each
    # trade's settlement), written with them: a response can show them without reading them back.
    subscriber_rows: tuple[models.Model, ...] = ()
    # Trade id -> its settlement's id, when the placement was answered by a matcher (which sent them along).
    settlements: Mapping[uuid.UUID, uuid.UUID] | None = None


# What a matcher sends back of an order it placed and its trades, so the request renders its answer without
# reading them back: every field the API shows, and the parties and orders of each trade.
_ORDER_FIELDS = (
    "id",
    "offering_id",
    "organization_id",
    "side",
    "type",
    "price",
    "quantity",
    "filled_quantity",
    "cancelled_quantity",
    "time_in_force",
    "expires_at",
    "accepted_terms_sha256",
    "seq",
    "status",
    "status_reason",
    "placed_by_user_id",
    "placed_by_api_key_id",
    "created_at",
    "updated_at",
)
_TRADE_FIELDS = (
    "id",
    "offering_id",
    "buy_order_id",
    "sell_order_id",
    "buyer_id",
    "seller_id",
    "price",
    "quantity",
    "currency",
    "contract_id",
    "status",
    "executed_at",
)


def placed_snapshot(placed: Placed) -> dict[str, Any]:
    """``placed`` as JSON, for the request waiting on it (``placed_of_snapshot`` turns it back)."""
    settlements = hooks.settlements_of_trades([t.id for t in placed.trades], written=placed.subscriber_rows)
    return {
        "order": {name: _jsonable(getattr(placed.order, name)) for name in _ORDER_FIELDS},
        "trades": [{name: _jsonable(getattr(trade, name)) for name in _TRADE_FIELDS} for trade in placed.trades],
        "settlements": {str(trade): str(settlement) for trade, settlement in settlements.items()},
    }


def placed_of_snapshot(snapshot: Mapping[str, Any], offering: Offering) -> Placed:
    """The ``Placed`` a matcher sent as JSON, as unsaved instances on ``offering`` (read by the request, with its
    seller), so rendering it reads nothing."""
    order = Order(offering=offering, **_model_values(Order, snapshot["order"]))
    trades = []
    for values in snapshot["trades"]:
        trade = Trade(**_model_values(Trade, values))
        trade.offering = offering
        trades.append(trade)
    settlements = {uuid.UUID(t): uuid.UUID(s) for t, s in snapshot["settlements"].items()}
    return Placed(order=order, trades=trades, settlements=settlements)


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _model_values(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """JSON values by attname, converted as the model's fields read them (UUIDs, times)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return {name: None if value is None else fields[name].to_python(value) for name, value in values.items()}


def _event_row(
    order: Order, *, from_status: str, to_status: str, reason: str = "", payload: dict[str, object] | None = None
) -> OrderEvent:
    states.order_check(from_status, to_status)
    return OrderEvent(
        order=order, from_status=from_status, to_status=to_status, reason=reason[:200], payload=payload or {}
    )


@dataclass
class _Rows:
    """What one matching writes, collected as it is computed (its own rows, the contracts', the trade
    subscribers') and written in one step at its end (``rows_write``: one statement on PostgreSQL). Nothing is
    written before: the matching holds the offering's lock, and every statement would be a wait with the book
    locked. So nothing in the matching reads back a row it wrote, and each row is written once."""

    inserts: list[models.Model] = field(default_factory=list)
    updates: list[Change] = field(default_factory=list)
    inserts_if_absent: list[models.Model] = field(default_factory=list)  # content-addressed contract texts
    subscriber_rows: list[models.Model] = field(default_factory=list)  # also in inserts: what Placed reports

    def write(self) -> None:
        """Write every row once: a row changed several times (a maker filled by two orders of one batch) is
        written as it ends, and a row inserted here is inserted as it ends, not updated too."""
        inserted = {id(obj) for obj in self.inserts}
        changed: dict[int, tuple[models.Model, dict[str, None]]] = {}
        for obj, names in self.updates:
            if id(obj) in inserted:
                continue
            entry = changed.setdefault(id(obj), (obj, {}))
            entry[1].update(dict.fromkeys(names))
        texts = list({(type(obj), obj.pk): obj for obj in self.inserts_if_absent}.values())
        rows_write(
            inserts=self.inserts,
            updates=[(obj, tuple(names)) for obj, names in changed.values()],
            inserts_if_absent=texts,
        )
        if self.subscriber_rows:  # once per unit of work, however many trades (settlement: one message)
            transaction.on_commit(
                functools.partial(hooks.on_trades_committed, tuple(self.subscriber_rows)), robust=True
            )


def _check_input(
    *,
    side: str,
    type: str,
    price: int | None,
    quantity: int | None,
    time_in_force: str,
    expires_at: datetime | None,
    now: datetime,
) -> None:
    if side not in Order.Side.values:
        raise InvalidInput("side is buy or sell.", errors={"side": ["invalid choice"]})
    if type not in Order.Type.values:
        raise InvalidInput("type is limit or market.", errors={"type": ["invalid choice"]})
    if time_in_force not in Order.TimeInForce.values:
        raise InvalidInput(
            f"time_in_force is one of {', '.join(Order.TimeInForce.values)}.", errors={"time_in_force": ["invalid"]}
        )
    if type == Order.Type.LIMIT and (price is None or not 1 <= price <= MAX_PRICE):
        raise InvalidInput(
            f"A limit order needs a price between 1 and {MAX_PRICE:,} (minor units per seat).",
            errors={"price": ["out of range" if price is not None else "required for a limit order"]},
        )
    if type == Order.Type.MARKET and price is not None:
        raise InvalidInput("A market order has no price.", errors={"price": ["not allowed for a market order"]})
    if quantity is not None and not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity is between 1 and {MAX_QUANTITY:,} seats.", errors={"quantity": ["out of range"]})
    if quantity is None and side == Order.Side.BUY:
        raise InvalidInput("A buy order names how many seats it wants.", errors={"quantity": ["required"]})
    if time_in_force == Order.TimeInForce.GTD:
        if expires_at is None:
            raise InvalidInput("A gtd order needs expires_at.", errors={"expires_at": ["required for gtd"]})
        if expires_at <= now:
            raise InvalidInput("expires_at is in the past.", errors={"expires_at": ["must be in the future"]})
    elif expires_at is not None:
        raise InvalidInput("expires_at is only for gtd orders.", errors={"expires_at": ["only for gtd"]})
    if type == Order.Type.MARKET and time_in_force in (Order.TimeInForce.GTC, Order.TimeInForce.GTD):
        raise InvalidInput(
            "A market order never rests on the book: use time_in_force ioc or fok.",
            errors={"time_in_force": ["market orders are ioc or fok"]},
        )


def _check_rules(
    *, principal: Principal, offering: Offering, side: str, quantity: int | None, accepted_terms_sha256: str
) -> None:
    if side == Order.Side.SELL and not principal.verified:
        raise Forbidden("Only organisations verified by the market operator may place orders.")
    if not offering.on_book:
        raise NotFound("No such offering.")  # a deal's own offering: no order reaches it, none shows it exists
    if offering.status != Offering.Status.ACTIVE:
        raise Conflict("The offering is withdrawn and accepts no orders.")
    if side == Order.Side.SELL:
        if principal.organization_id != offering.seller_id:
            raise Forbidden("Only the offering's seller sells its seats.")
        if quantity is None and offering.license_seats is not None:
            raise RuleViolation(
                "An unlimited ask is only for offerings with unlimited seats.", errors={"quantity": ["required"]}
            )
        return
    buyer_check(buyer=Buyer.of(principal), offering=offering, accepted_terms_sha256=accepted_terms_sha256)


def _engine_order(order: Order) -> engine.Order:
    return engine.Order(
        id=str(order.id),
        side=engine.Side(order.side),
        owner=str(order.organization_id),
        price=order.price,
        quantity=order.remaining_quantity if order.quantity is not None else None,
        time_in_force=engine.TimeInForce(order.time_in_force),
        expires_at=order.expires_at.timestamp() if order.expires_at else None,
        seq=order.seq,
    )


@dataclass(frozen=True)
class _Market:
    offering: Offering  # its row locked, its seller read with it
    resting: dict[str, Order]  # by id: the part of the book an incoming order can meet
    version: DatasetVersion | None  # the dataset's latest published version, which a trade's contract licenses
    # The dataset has (or had) an exclusive offering: only then may a trade meet an exclusivity conflict.
    exclusive_here: bool = False


def _market(offering_id: uuid.UUID) -> tuple[_Market, engine.OrderBook] | None:
    """The offering with its row locked, its book and the version a trade would license (``Books``), or None."""
    from marketplace.services.matching import Books  # cycle: it builds on this module

    key = _offering_key(offering_id)
    return Books(keep=False).markets({key}).get(key)


def _offering_key(offering_id: uuid.UUID | str) -> uuid.UUID:
    """An offering's id as the books are keyed (callers may hold it as text); a malformed one names no offering."""
    if isinstance(offering_id, uuid.UUID):
        return offering_id
    try:
        return uuid.UUID(str(offering_id))
    except ValueError:
        raise NotFound("No such offering.") from None


def _book(offering: Offering, resting: dict[str, Order]) -> engine.OrderBook:
    seats = None if offering.license_seats is None else offering.license_seats - offering.seats_sold
    book = engine.OrderBook(seats_remaining=seats)
    for order in resting.values():
        book.load(_engine_order(order))
    return book


def _expired(order: Order) -> OrderEvent:
    return _take_off_book(order, status=Order.Status.EXPIRED, reason="expired", event_reason="good-till-date passed")


def _expire(orders: dict[str, Order], ids: list[str] | tuple[str, ...], rows: _Rows) -> None:
    for order_id in ids:
        order = orders.pop(order_id)  # off the book
        rows.inserts.append(_expired(order))
        rows.updates.append((order, _TAKEN_OFF))


# What taking an order off the book changes of it.
_TAKEN_OFF = ("cancelled_quantity", "status", "status_reason", "updated_at")


def _take_off_book(order: Order, *, status: str, reason: str, event_reason: str = "") -> OrderEvent:
    """End a resting order: its unfilled seats are cancelled. Changes ``order`` (its ``_TAKEN_OFF`` fields) and
    returns the change's event; the caller writes both."""
    previous = order.status
    order.cancelled_quantity = order.quantity - order.filled_quantity if order.quantity is not None else 0
    order.status = status
    order.status_reason = reason[:200]
    return _event_row(order, from_status=previous, to_status=status, reason=event_reason or reason)


def _taken_off_save(orders: list[Order], events: list[OrderEvent]) -> None:
    """Outside the matching: the orders ``_take_off_book`` changed, and their events, by the ORM."""
    for order in orders:
        order.save(update_fields=_TAKEN_OFF)
    OrderEvent.objects.bulk_create(events)


def _status_after(order: Order) -> str:
    remaining = order.remaining_quantity
    if remaining == 0:
        return Order.Status.FILLED if order.cancelled_quantity == 0 else Order.Status.CANCELLED
    return Order.Status.PARTIALLY_FILLED if order.filled_quantity else Order.Status.OPEN


def order_place(
    *,
    principal: Principal,
    offering_id: uuid.UUID | str,
    side: str,
    type: str = Order.Type.LIMIT,
    price: int | None = None,
    quantity: int | None,
    time_in_force: str = Order.TimeInForce.GTC,
    expires_at: datetime | None = None,
    accepted_terms_sha256: str = "",
    idempotency: IdempotencyClaim | None = None,
) -> Placed:
    """Place an order: checked here, matched by its shard's matcher (``marketplace.matching``), which writes it.

    In process (the default, and ``make run``) the matching runs here, in the caller's transaction, as a batch of
    one. With matchers (``ICHIBA_MATCHERS=streams``) the order is checked as far as it can be without its book, then
    sent to its shard's matcher, which matches it with the others waiting and writes the whole batch in one
    transaction; this returns once that batch has committed, or raises ``MatcherPending`` past the reply timeout
    (the order will be decided exactly once; its URL tells how). ``idempotency``: the request's key, which the
    matcher records with the order (with matchers only; in process the API's ``@idempotent`` records it)."""
    now = timezone.now()
    _check_input(
        side=side,
        type=type,
        price=price,
        quantity=quantity,
        time_in_force=time_in_force,
        expires_at=expires_at,
        now=now,
    )
    command = Place(
        order_id=uuid.uuid4(),
        offering_id=_offering_key(offering_id),
        principal=principal,
        side=side,
        type=type,
        price=price,
        quantity=quantity,
        time_in_force=time_in_force,
        expires_at=expires_at,
        accepted_terms_sha256=accepted_terms_sha256 if side == Order.Side.BUY else "",
        idempotency=idempotency,
        request_id=request_id_get(),
        sent_at=now.timestamp(),
    )
    if not streams.enabled():
        return _place_in_process(command)
    offering = _offering_unlocked(command.offering_id)
    _check_command(command, offering)  # early; its matcher checks again under the lock
    outcome = streams.send(command, shard=shard_of(offering.dataset_id))
    return placed_of_snapshot(outcome.placed, offering)


def _place_in_process(command: Place) -> Placed:
    """The matching of one order here, in the caller's transaction, as a matcher's batch of one (the same code,
    without the stream): its offering's row locked, its book read (not kept: other processes match too)."""
    from marketplace.services.matching import Books, orders_place_batch  # cycle: it builds on this module

    [outcome] = orders_place_batch([command], Books(keep=False))
    if outcome.raised is not None:
        raise outcome.raised
    assert outcome.result is not None  # an order placed here is never answered "key-used" (no claim is passed)
    return outcome.result


def _offering_unlocked(offering_id: uuid.UUID) -> Offering:
    """The offering as the web tier checks an order against it before its matcher does (no lock: the matcher
    checks again under it)."""
    offering = Offering.objects.select_related("seller").filter(pk=offering_id).first()
    if offering is None:
        raise NotFound("No such offering.")
    return offering


def _check_command(command: Place, offering: Offering) -> None:
    _check_rules(
        principal=command.principal,
        offering=offering,
        side=command.side,
        quantity=command.quantity,
        accepted_terms_sha256=command.accepted_terms_sha256,
    )


def placed_taker(order_id: uuid.UUID) -> Placed:
    """An order as it was placed, with the trades it made as it arrived (those against orders that rested before
    it), not those it made later resting on the book."""
    order = Order.objects.select_related("offering__seller").get(pk=order_id)
    trades = Trade.objects.select_related("offering__seller").filter(
        models.Q(buy_order=order, sell_order__seq__lt=order.seq)
        | models.Q(sell_order=order, buy_order__seq__lt=order.seq)
    )
    return Placed(order=order, trades=list(trades.order_by("executed_at", "id")))


def place_matched(
    command: Place, market: _Market, book: engine.OrderBook, rows: _Rows, now: datetime
) -> tuple[Order, list[Trade]]:
    """Match one order against its book (held by the caller, its rules already checked) and add what it writes to
    ``rows``: the order, its trades and their contracts and settlements, the makers' and expired orders' changes;
    the offering's new counters are set on ``market.offering`` (the caller writes it once). Changes ``book`` and
    ``market`` as the order changes the book. A ``DomainError`` (a trade refused by the dataset's exclusivity) may
    leave them half changed: the caller then throws them away."""
    principal = command.principal
    offering, resting = market.offering, market.resting
    _expire(resting, book.expire(now=now.timestamp()), rows)

    # The order is matched before it is written, so it is inserted once, in its final state. Its seq and
    # every count below are computed from rows read under the offering's lock, which every writer of this
    # book holds: the new values are written as they are, not as increments.
    order = Order(
        id=command.order_id,
        offering_id=offering.id,  # not the instance: a matcher holds a resting order long after its batch
        organization_id=principal.organization_id,
        side=command.side,
        type=command.type,
        price=command.price,
        quantity=command.quantity,
        time_in_force=command.time_in_force,
        expires_at=command.expires_at,
        accepted_terms_sha256=command.accepted_terms_sha256,
        seq=offering.order_seq + 1,
        placed_by_user_id=principal.user_id,
        placed_by_api_key_id=principal.api_key_id,
        status=Order.Status.OPEN,
    )
    result = book.submit(_engine_order(order), now=now.timestamp())
    _expire(resting, result.expired, rows)
    order.filled_quantity = result.filled
    order.cancelled_quantity = result.cancelled if order.quantity is not None else 0
    final = _SUBMIT_STATUS.get(result.status)
    if final is None:  # nothing rests: ioc/fok/market remainder, self-trade prevention, seat cap
        final = Order.Status.CANCELLED if result.fills or result.reason not in _REJECTIONS else Order.Status.REJECTED
    order.status = final
    order.status_reason = result.reason[:200]
    rows.inserts.append(order)
    if result.fills and market.exclusive_here:
        _exclusivity_check(market, principal.organization_id)
    log_after_commit(
        logger,
        f"order {order.id} placed: {command.side} {command.quantity} at {command.price}, {final}",
        event="order.placed",
        order=str(order.id),
        offering=str(offering.id),
        organization=str(principal.organization_id),
        side=command.side,
        type=command.type,
        price=command.price,
        quantity=command.quantity,
        filled=order.filled_quantity,
        status=final,
    )

    trades = _execute(market, principal, order, result.fills, now, rows) if result.fills else []
    for fill in result.fills:  # a maker that filled left the book
        if fill.maker_id not in book:
            resting.pop(fill.maker_id, None)
    for order_id in result.expired:
        resting.pop(order_id, None)
    if str(order.id) in book:
        resting[str(order.id)] = order
    offering.order_seq = order.seq
    offering.seats_sold += result.filled
    rows.inserts.append(
        _event_row(
            order,
            from_status="",
            to_status=final,
            reason=result.reason or "placed",
            payload={"trades": [str(t.id) for t in trades]},
        )
    )
    if command.idempotency is not None:
        rows.inserts.append(command.idempotency.record(location=reverse("order", kwargs={"order_id": str(order.id)})))
    metrics.count_after_commit(metrics.ORDERS_PLACED.labels(command.side, command.type).inc)
    return order, trades


@transaction.atomic
def order_rematch(*, offering_id: uuid.UUID, order_id: uuid.UUID) -> list[Trade]:
    """Match a resting order whose seats came back (a voided trade re-opened the ask) against the orders now
    resting at its price or better, as an incoming order would be matched, at their prices; what is left rests
    as before, keeping its time priority. Under the offering's lock (a caller's transaction may hold it
    already; inside one this is a savepoint): a book is never left crossed. Returns the trades made."""
    now = timezone.now()
    order = Order.objects.get(pk=order_id)
    if order.status not in Order.RESTING:
        return []
    found = _market(offering_id)
    if found is None:
        return []
    market, book = found
    offering, resting = market.offering, market.resting
    if str(order.id) in book:  # submitted again below, as the order read here (its seats given back)
        book.cancel(str(order.id))
    resting.pop(str(order.id), None)
    rows = _Rows()  # written in one step at the end, as in order_place
    _expire(resting, book.expire(now=now.timestamp()), rows)
    result = book.submit(_engine_order(order), now=now.timestamp())
    _expire(resting, result.expired, rows)
    offering.book_version += 1  # whatever happens below changes the book (the void before this did too)
    rows.updates.append((offering, ("book_version",)))
    if result.fills and market.exclusive_here:
        try:
            _exclusivity_check(market, None)
        except ExclusivityRefused:
            rows.write()  # the expired orders; the order keeps resting, its seats unsold while the licence holds
            return []
    if not result.fills:
        rows.write()  # the expired orders, if any
        return []
    trades = _execute(market, None, order, result.fills, now, rows)
    previous = order.status
    order.filled_quantity += result.filled
    order.status = _status_after(order) if order.quantity is not None else previous
    rows.updates.append((order, ("filled_quantity", "status", "updated_at")))
    if order.status != previous:
        rows.inserts.append(
            _event_row(
                order,
                from_status=previous,
                to_status=order.status,
                reason="filled when its seats came back",
                payload={"trades": [str(t.id) for t in trades]},
            )
        )
    offering.seats_sold += result.filled
    rows.updates.append((offering, ("seats_sold", "book_version")))
    rows.write()
    return trades


@dataclass(frozen=True)
class DealLeg:
    """One buyer's part of a deal made off the book: its seats, the agreed price per seat, the terms it accepted
    (by hash) and who accepted them for it."""

    buyer_id: uuid.UUID
    price: int
    quantity: int
    accepted_terms_sha256: str
    user_id: int | None = None
    api_key_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Dealt:
    trades: list[Trade]
    subscriber_rows: tuple[models.Model, ...] = ()  # as ``Placed.subscriber_rows``: each trade's settlement


@transaction.atomic
def deal_execute(*, offering_id: uuid.UUID, legs: list[DealLeg], negotiation: tuple[dict[str, Any], ...] = ()) -> Dealt:
    """Sell seats of a deal's own offering (a private offer's or an auction's: ``Offering.channel``) without orders:
    one trade per leg at its price, each concluding a contract and announced to ``hooks.on_trade_executed``, exactly
    as a fill on the book is (settlement takes the payment, grants the access, pays the seller).

    Under the offering's row lock, as matching is, and in one write at the end. The market's rules hold as on the
    book: the buyer's eligibility and its acceptance of the offering's exact terms (``contracts_conclude``), the
    seats left, and the dataset's exclusivity under its row lock. The caller (the deals app) has decided who buys
    and at what price; a withdrawn offering still trades here (an auction's seat passed on after its close), so
    whether the deal may still happen is the caller's to judge. ``negotiation``: the revisions that led to the
    terms, which each contract records."""
    now = timezone.now()
    if not legs:
        raise InvalidInput("A deal sells seats to at least one buyer.")
    found = _market(offering_id)
    if found is None:
        raise NotFound("No such offering.")
    market = found[0]
    offering = market.offering
    if offering.on_book:
        raise Conflict("This offering sells through its order book: place an order.")
    if offering.taken_down_at is not None:
        raise Conflict("The market's operator took this offering down; it trades no more.")
    wanted = sum(leg.quantity for leg in legs)
    if offering.seats_left is not None and wanted > offering.seats_left:
        raise Conflict(f"Only {offering.seats_left} seat(s) of this offering are left.")
    if market.exclusive_here:
        for leg in legs:
            _exclusivity_check(market, leg.buyer_id)
    rows = _Rows()
    trades = _conclude(
        market,
        None,
        [
            _Leg(
                trade_id=uuid.uuid4(),
                buyer_id=leg.buyer_id,
                seller_id=offering.seller_id,
                price=leg.price,
                quantity=leg.quantity,
                accepted_terms_sha256=leg.accepted_terms_sha256,
                user_id=leg.user_id,
                api_key_id=leg.api_key_id,
            )
            for leg in legs
        ],
        now,
        rows,
        negotiation=negotiation,
    )
    offering.seats_sold += wanted
    offering.book_version += 1
    rows.updates.append((offering, ("seats_sold", "book_version")))
    rows.write()
    return Dealt(trades=trades, subscriber_rows=tuple(rows.subscriber_rows))


def _exclusivity_check(market: _Market, organization_id: uuid.UUID | None) -> None:
    """Refuse a trade beside another offering's licence in force that an exclusive licence keeps out
    (``marketplace.services.exclusivity``), under the dataset's row lock: two trades on two offerings of one dataset
    are judged one after the other, the second seeing the first's contract. Nothing is written yet, so the
    refusal leaves the book as it was."""
    offering = market.offering
    exclusivity_lock(offering.dataset_id)
    exclusivity_check(
        dataset_id=offering.dataset_id,
        territory=offering.terms.get("territory", []),
        exclusive=is_exclusive(offering.terms),
        organization_id=organization_id,
        offering_id=offering.id,
        offerings=False,
    )


@dataclass(frozen=True)
class _Leg:
    """One trade to conclude: who buys how many seats at what price, having accepted which terms. On the book it
    is a fill of two orders; off it (``deal_execute``) a deal without orders."""

    trade_id: uuid.UUID
    buyer_id: uuid.UUID
    seller_id: uuid.UUID
    price: int
    quantity: int
    accepted_terms_sha256: str
    user_id: int | None
    api_key_id: uuid.UUID | None
    buy_order: Order | None = None
    sell_order: Order | None = None


def _execute(
    market: _Market,
    principal: Principal | None,
    taker: Order,
    fills: tuple[engine.Fill, ...],
    now: datetime,
    rows: _Rows,
) -> list[Trade]:
    """The rows of the fills of ``taker``, added to ``rows``: the makers' new counts and states, and (``_conclude``)
    one trade and one concluded contract per fill with what the subscribers of ``hooks.on_trade_executed`` hand
    back. Returns the trades. ``principal``: the caller, when it is the buying taker (its organisation is then not
    read again)."""
    resting = market.resting
    orders = {**resting, str(taker.id): taker}
    legs = []
    for fill in fills:
        trade_id = uuid.uuid4()
        maker = resting[fill.maker_id]
        previous = maker.status
        maker.filled_quantity += fill.quantity
        if maker.quantity is not None:
            maker.status = _status_after(maker)
        rows.updates.append((maker, ("filled_quantity", "status", "updated_at")))
        if previous != maker.status:
            rows.inserts.append(
                _event_row(
                    maker,
                    from_status=previous,
                    to_status=maker.status,
                    reason="filled",
                    payload={"trade": str(trade_id), "quantity": fill.quantity, "price": fill.price},
                )
            )
        buy, sell = orders[fill.buy_id], orders[fill.sell_id]
        legs.append(
            _Leg(
                trade_id=trade_id,
                buyer_id=buy.organization_id,
                seller_id=sell.organization_id,
                price=fill.price,
                quantity=fill.quantity,
                accepted_terms_sha256=buy.accepted_terms_sha256,
                user_id=buy.placed_by_user_id,
                api_key_id=buy.placed_by_api_key_id,
                buy_order=buy,
                sell_order=sell,
            )
        )
    caller = principal if taker.side == Order.Side.BUY else None
    return _conclude(market, caller, legs, now, rows)


def _conclude(
    market: _Market,
    principal: Principal | None,
    legs: list[_Leg],
    now: datetime,
    rows: _Rows,
    *,
    negotiation: tuple[dict[str, Any], ...] = (),
) -> list[Trade]:
    """One trade and one concluded contract per leg, added to ``rows`` with what the subscribers of
    ``hooks.on_trade_executed``, told of each trade, hand back. Returns the trades. ``principal``: the buyer of
    every leg, when it is the caller (its organisation is then not read again). ``negotiation``: how a deal's
    terms were reached, which its contracts record (``contracts.models.Contract.negotiation``)."""
    offering = market.offering
    # The parties as they are now: the caller as its principal was read for this request, others in one query.
    buyers: dict[uuid.UUID, BuyerSnapshot] = {}
    if principal is not None:
        buyers[principal.organization_id] = BuyerSnapshot(
            organization_id=principal.organization_id,
            name=principal.organization_name,
            country=principal.country,
            verified=principal.verified,
            is_buyer=principal.is_buyer,
        )
    wanted = {leg.buyer_id for leg in legs} - set(buyers)
    if wanted:
        for buyer in Organization.objects.filter(pk__in=wanted).only("id", "name", "country", "verified", "is_buyer"):
            buyers[buyer.id] = BuyerSnapshot(
                organization_id=buyer.id,
                name=buyer.name,
                country=buyer.country,
                verified=buyer.verified,
                is_buyer=buyer.is_buyer,
            )
    conclusions = []
    for leg in legs:
        party = buyers[leg.buyer_id]
        conclusions.append(
            Conclusion(
                buyer=BuyerSnapshot(
                    organization_id=party.organization_id,
                    name=party.name,
                    country=party.country,
                    verified=party.verified,
                    is_buyer=party.is_buyer,
                    user_id=leg.user_id,
                    api_key_id=leg.api_key_id,
                ),
                price=leg.price,
                quantity=leg.quantity,
                accepted_terms_sha256=leg.accepted_terms_sha256,
                trade_ref=str(leg.trade_id),
            )
        )
    concluded = contracts_conclude(
        offering=offer_snapshot(offering, negotiation=negotiation),
        conclusions=conclusions,
        concluded_at=now,
        version=market.version,
    )
    contracts = concluded.contracts
    trades = [
        Trade(
            id=leg.trade_id,
            offering=offering,
            buy_order=leg.buy_order,
            sell_order=leg.sell_order,
            buyer_id=leg.buyer_id,
            seller_id=leg.seller_id,
            price=leg.price,
            quantity=leg.quantity,
            currency=offering.currency,
            contract=contract,
            executed_at=now,
        )
        for leg, contract in zip(legs, contracts, strict=True)
    ]
    rows.inserts_if_absent += concluded.texts
    rows.inserts += [*concluded.contracts, *concluded.acceptances, *concluded.events, *trades]
    for trade, contract in zip(trades, contracts, strict=True):
        _log_trade(trade, contract)
    handed_back: list[models.Model] = []
    for trade, contract in zip(trades, contracts, strict=True):
        handed_back += hooks.on_trade_executed(
            hooks.TradeExecuted(
                trade_id=trade.id,
                offering_id=offering.id,
                contract_id=contract.id,
                buyer_id=trade.buyer_id,
                seller_id=trade.seller_id,
                price=trade.price,
                quantity=trade.quantity,
                amount=contract.amount,
                currency=trade.currency,
                executed_at=now,
                tax_treatment=treatment_of(
                    seller_country=offering.seller.country, buyer_country=buyers[trade.buyer_id].country
                ),
                subscription=_subscription_shape(offering, contract.valid_until),
            )
        )
    rows.subscriber_rows += handed_back
    rows.inserts += handed_back
    metrics.count_after_commit(_trades_counter(offering.channel, len(trades), len(contracts)))
    return trades


def _log_trade(trade: Trade, contract: Contract) -> None:
    """The trade's line and its contract's, once the matching commits (ids only: docs/operations.md#logs)."""
    log_after_commit(
        logger,
        f"trade {trade.id} executed: {trade.quantity} at {trade.price} {trade.currency}",
        event="trade.executed",
        trade=str(trade.id),
        offering=str(trade.offering_id),
        buy_order=str(trade.buy_order_id) if trade.buy_order_id else None,
        sell_order=str(trade.sell_order_id) if trade.sell_order_id else None,
        buyer=str(trade.buyer_id),
        seller=str(trade.seller_id),
        price=trade.price,
        quantity=trade.quantity,
        currency=trade.currency,
        contract=str(contract.id),
    )
    log_after_commit(
        logger,
        f"contract {contract.id} concluded for trade {trade.id}",
        event="contract.concluded",
        contract=str(contract.id),
        trade=str(trade.id),
        offering=str(trade.offering_id),
        dataset_version=str(contract.dataset_version_id),
    )


def _trades_counter(channel: str, trades: int, contracts: int) -> Callable[[], None]:
    def count() -> None:
        metrics.TRADES.labels(channel).inc(trades)
        metrics.CONTRACTS_CONCLUDED.labels(channel).inc(contracts)

    return count


def _subscription_shape(offering: Offering, valid_until: datetime) -> hooks.SubscriptionShape | None:
    """A subscription offering's shape as the matching read it under the offering's lock (no query); None for a
    licence."""
    if not offering.is_subscription:
        return None
    assert offering.period_days and offering.term_periods and offering.min_versions_per_period  # offering_kind_shape
    return hooks.SubscriptionShape(
        dataset_id=offering.dataset_id,
        period_days=offering.period_days,
        term_periods=offering.term_periods,
        min_versions_per_period=offering.min_versions_per_period,
        min_messages_per_period=offering.min_messages_per_period,
        stream=offering.stream,
        valid_until=valid_until,
    )


@transaction.atomic
def order_cancel(*, principal: Principal, order_id: uuid.UUID) -> Order:
    """Cancel the unfilled rest of a resting order; 409 if it is already final."""
    offering_id = (
        Order.objects.filter(pk=order_id, organization_id=principal.organization_id)
        .values_list("offering_id", flat=True)
        .first()
    )
    if offering_id is None:
        raise NotFound("No such order.")
    Offering.objects.select_for_update().filter(pk=offering_id).first()  # lock order: offering, then order
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status not in Order.RESTING:
        raise Conflict(f"The order is already {order.status}; nothing is left to cancel.")
    event = _take_off_book(order, status=Order.Status.CANCELLED, reason="cancelled by its owner")
    _taken_off_save([order], [event])
    book_changed(offering_id)
    return order


def orders_expire(*, now: datetime | None = None) -> int:
    """Expire resting good-till-date orders whose time has passed (Celery beat); returns how many."""
    now = now or timezone.now()
    offering_ids = set(
        Order.objects.filter(status__in=Order.RESTING, time_in_force="gtd", expires_at__lte=now).values_list(
            "offering_id", flat=True
        )
    )
    expired = 0
    for offering_id in offering_ids:
        with transaction.atomic():
            Offering.objects.select_for_update().filter(pk=offering_id).first()
            due = list(
                Order.objects.select_for_update().filter(
                    offering_id=offering_id, status__in=Order.RESTING, time_in_force="gtd", expires_at__lte=now
                )
            )
            _taken_off_save(due, [_expired(order) for order in due])
            if due:
                book_changed(offering_id)
            expired += len(due)
    return expired


def offering_cancel_resting_orders(*, offering: Offering, reason: str) -> int:
    """Cancel every resting order of an offering (under its lock, when it is withdrawn): asks can no longer
    be sold and bids could never fill."""
    resting = list(Order.objects.select_for_update().filter(offering=offering, status__in=Order.RESTING))
    events = [_take_off_book(order, status=Order.Status.CANCELLED, reason=reason) for order in resting]
    _taken_off_save(resting, events)
    book_changed(offering.id)
    return len(resting)


def book_changed(offering_id: uuid.UUID) -> None:
    """Count a change to an offering's book or seats made outside matching, under the offering's row lock (which
    the caller holds): a matcher holding the book in memory reads it again (``Offering.book_version``)."""
    Offering.objects.filter(pk=offering_id).update(book_version=models.F("book_version") + 1)
