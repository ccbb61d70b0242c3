"""Typed hooks the marketplace calls and higher apps (settlement) subscribe to in ``AppConfig.ready()``.

Listed here, in one place; no Django signals carry business flow (docs/architecture.md#hooks). Hooks run inside
the caller's transaction and defer external effects with ``transaction.on_commit``; if a subscriber raises, the
whole trade rolls back. A trade subscriber hands back the rows it wants written (``on_trade_executed``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.functional import Promise

from config.errors import RuleViolation

# --- payment methods (saved by settlement) ------------------------------------------------------------

PaymentMethodSaver = Callable[[uuid.UUID, str], None]

_payment_method_saver: PaymentMethodSaver | None = None


def register_payment_method_saver(saver: PaymentMethodSaver) -> None:
    global _payment_method_saver
    _payment_method_saver = saver


def save_payment_method(*, organization_id: uuid.UUID, payment_method: str) -> None:
    if _payment_method_saver is None:
        raise RuleViolation("Payment methods are not available yet: settlement is not installed.")
    _payment_method_saver(organization_id, payment_method)


# --- payout accounts (saved by settlement) ----------------------------------------------------------------

PayoutAccountSaver = Callable[[uuid.UUID, str], None]

_payout_account_saver: PayoutAccountSaver | None = None


def register_payout_account_saver(saver: PayoutAccountSaver) -> None:
    global _payout_account_saver
    _payout_account_saver = saver


def save_payout_account(*, organization_id: uuid.UUID, account: str) -> None:
    if _payout_account_saver is None:
        raise RuleViolation("Payouts are not available yet: settlement is not installed.")
    _payout_account_saver(organization_id, account)


# --- trades ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionShape:
    """What a trade of a subscription offering concluded, as the offering stood at the trade (the offering may
    change or be withdrawn later; the contract and its subscription do not)."""

    dataset_id: uuid.UUID
    period_days: int
    term_periods: int
    min_versions_per_period: int
    min_messages_per_period: int | None
    stream: bool
    # The contract's validity: from the trade to valid_until, which is the whole term (term_periods x period_days).
    valid_until: datetime


@dataclass(frozen=True)
class TradeExecuted:
    trade_id: uuid.UUID
    offering_id: uuid.UUID
    contract_id: uuid.UUID
    buyer_id: uuid.UUID
    seller_id: uuid.UUID
    price: int  # per seat; a subscription's per seat and period
    quantity: int
    amount: int  # price x quantity, without consumption tax: a subscription's first period
    currency: str
    executed_at: datetime
    # How the sale is taxed (marketplace/tax.py::treatment_of, from the parties' countries at the trade).
    tax_treatment: str
    # None for a licence.
    subscription: SubscriptionShape | None = None


# A subscriber returns the new rows it wants stored with the trade (unsaved model instances), and writes nothing
# itself: the matching transaction writes them with its own (see ``on_trade_executed``).
TradeSubscriber = Callable[[TradeExecuted], Sequence[models.Model]]

_trade_subscribers: list[TradeSubscriber] = []


def subscribe_trade_executed(subscriber: TradeSubscriber) -> None:
    if subscriber not in _trade_subscribers:
        _trade_subscribers.append(subscriber)


def unsubscribe_trade_executed(subscriber: TradeSubscriber) -> None:
    if subscriber in _trade_subscribers:
        _trade_subscribers.remove(subscriber)


def on_trade_executed(event: TradeExecuted) -> list[models.Model]:
    """Announce a trade inside its transaction (until settlement subscribes, nobody listens); the rows the
    subscribers hand back, in order.

    The contract: a subscriber takes what it needs from the event and returns the new rows it wants inserted
    (settlement: the trade's settlement and its first event). It writes nothing and does not read the trade
    back: when the hook runs, the trade is not stored yet. The matching (``order_place``, ``order_rematch``)
    inserts the returned rows with the trade's own in one statement of the same transaction, so they commit or
    roll back together with the trade. Effects outside the database wait for ``transaction.on_commit``."""
    rows: list[models.Model] = []
    for subscriber in list(_trade_subscribers):
        rows.extend(subscriber(event))
    return rows


# Told once a unit of work's trades have committed, with every row the trade subscribers handed back for them
# (a matcher's batch: all its trades at once), so a subscriber enqueues its follow-up work in one message, not one
# per trade. Runs after COMMIT: a raise is logged, never undoes the trades.
TradesCommittedSubscriber = Callable[[Sequence[models.Model]], None]

_committed_subscribers: list[TradesCommittedSubscriber] = []


def subscribe_trades_committed(subscriber: TradesCommittedSubscriber) -> None:
    if subscriber not in _committed_subscribers:
        _committed_subscribers.append(subscriber)


def on_trades_committed(rows: Sequence[models.Model]) -> None:
    """Tell the subscribers that these rows (and the trades they came with) are stored; called by
    ``transaction.on_commit`` of the unit of work that wrote them."""
    for subscriber in list(_committed_subscribers):
        subscriber(rows)


@dataclass(frozen=True)
class TradeVoided:
    """A trade made off the book (no orders: a deal's offering, ``channel`` "private" or "auction") was voided: its
    payment never happened. Its seats are unsold again; the offering's row is locked by the void's transaction."""

    trade_id: uuid.UUID
    offering_id: uuid.UUID
    channel: str
    buyer_id: uuid.UUID
    quantity: int
    reason: str
    seats_back: bool  # False: the data cannot be delivered, so selling the seats again would only fail again


# A subscriber may make new trades (``marketplace.services.orders.deal_execute``) in the void's transaction.
TradeVoidedSubscriber = Callable[[TradeVoided], None]

_trade_voided_subscribers: list[TradeVoidedSubscriber] = []


def subscribe_trade_voided(subscriber: TradeVoidedSubscriber) -> None:
    if subscriber not in _trade_voided_subscribers:
        _trade_voided_subscribers.append(subscriber)


def on_trade_voided(event: TradeVoided) -> None:
    """Announce a deal's voided trade inside the void's transaction; a subscriber that raises rolls the void back."""
    for subscriber in list(_trade_voided_subscribers):
        subscriber(event)


# --- settlement ids on the tape (a party sees its trade's settlement) --------------------------------------

# Trade ids -> the ids of their settlements (a trade without one is left out), in one query for a whole page;
# settlements among the rows the caller has just written (a placement's subscriber rows) are not read back.
SettlementLookup = Callable[[Collection[uuid.UUID], Sequence[models.Model]], Mapping[uuid.UUID, uuid.UUID]]

_settlement_lookup: SettlementLookup | None = None


def register_settlement_lookup(lookup: SettlementLookup) -> None:
    global _settlement_lookup
    _settlement_lookup = lookup


def settlements_of_trades(
    trade_ids: Collection[uuid.UUID], *, written: Sequence[models.Model] = ()
) -> Mapping[uuid.UUID, uuid.UUID]:
    """The settlement of each of these trades that has one (none until settlement registers its lookup).
    ``written``: rows just written with the trades (``Placed.subscriber_rows``), looked at before the database."""
    if _settlement_lookup is None or not trade_ids:
        return {}
    return _settlement_lookup(trade_ids, written)


# --- the site's navigation (pages of higher apps in the shell's header) -------------------------------------


@dataclass(frozen=True)
class NavLink:
    """A link in the site header to a page of a higher app (settlement: My purchases, Sales, Usage)."""

    url_name: str  # reversed with django.urls.reverse, e.g. "settlement:purchases"
    label: str | Promise  # lazy, so it is translated per request
    audience: str  # "member" (any organisation), "buyer" or "seller": who sees the link


_nav_links: list[NavLink] = []


def register_nav_link(link: NavLink) -> None:
    if link not in _nav_links:
        _nav_links.append(link)


def nav_links() -> tuple[NavLink, ...]:
    return tuple(_nav_links)
