"""Typed hooks settlement offers to higher apps (streams, dataspace), which register in their ``AppConfig.ready()``.

Listed here, in one place (docs/architecture.md#hooks); no Django signals carry business flow. Event hooks run inside
settlement's transaction: a subscriber defers anything external (a broker call) with ``transaction.on_commit``, and
if it raises, settlement's change rolls back with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest

# --- subscriptions: a change of status ----------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionChanged:
    """A subscription's status changed. ``access``: whether its buyer may still receive the feed (active or
    cancelling); a stream's credentials are disabled when it is False (past due, ended, revoked)."""

    subscription_id: uuid.UUID
    dataset_id: uuid.UUID
    buyer_id: uuid.UUID
    seller_id: uuid.UUID
    stream: bool
    previous_status: str
    status: str
    access: bool
    end_reason: str  # "" unless ended
    changed_at: datetime


SubscriptionChangedSubscriber = Callable[[SubscriptionChanged], None]

_subscription_changed_subscribers: list[SubscriptionChangedSubscriber] = []


def subscribe_subscription_changed(subscriber: SubscriptionChangedSubscriber) -> None:
    if subscriber not in _subscription_changed_subscribers:
        _subscription_changed_subscribers.append(subscriber)


def unsubscribe_subscription_changed(subscriber: SubscriptionChangedSubscriber) -> None:
    if subscriber in _subscription_changed_subscribers:
        _subscription_changed_subscribers.remove(subscriber)


def on_subscription_changed(event: SubscriptionChanged) -> None:
    """Announce a status change inside the transaction that made it (under the subscription's row lock)."""
    for subscriber in list(_subscription_changed_subscribers):
        subscriber(event)


# --- entitlements: access ended ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntitlementEnded:
    """An entitlement stopped giving access: revoked (refund, operator, a subscription ended early) or expired (its
    term ran out). Announced inside the transaction that ended it, under the entitlement's row lock; the dataspace
    app terminates the Dataspace Protocol transfers running under it."""

    entitlement_id: uuid.UUID
    buyer_id: uuid.UUID
    status: str  # "revoked" or "expired"
    reason: str
    ended_at: datetime


EntitlementEndedSubscriber = Callable[[EntitlementEnded], None]

_entitlement_ended_subscribers: list[EntitlementEndedSubscriber] = []


def subscribe_entitlement_ended(subscriber: EntitlementEndedSubscriber) -> None:
    if subscriber not in _entitlement_ended_subscribers:
        _entitlement_ended_subscribers.append(subscriber)


def unsubscribe_entitlement_ended(subscriber: EntitlementEndedSubscriber) -> None:
    if subscriber in _entitlement_ended_subscribers:
        _entitlement_ended_subscribers.remove(subscriber)


def on_entitlement_ended(event: EntitlementEnded) -> None:
    """Announce the end of an entitlement's access inside the transaction that ended it."""
    for subscriber in list(_entitlement_ended_subscribers):
        subscriber(event)


# --- live streams: messages delivered in a period ----------------------------------------------------------

# (dataset id, start, end) -> messages the market counted on the dataset's feed in [start, end).
StreamMessageCounter = Callable[[uuid.UUID, datetime, datetime], int]

_stream_message_counter: StreamMessageCounter | None = None


def register_stream_message_counter(counter: StreamMessageCounter | None) -> None:
    """The streams app registers the one counter (None unregisters it, for tests)."""
    global _stream_message_counter
    _stream_message_counter = counter


def stream_messages_between(dataset_id: uuid.UUID, start: datetime, end: datetime) -> int | None:
    """Messages published on the dataset's feed in [start, end), or None when no counter is registered (streams are
    off): the close pass then counts a message commitment as not met (docs/domain.md#billing-a-subscription)."""
    if _stream_message_counter is None:
        return None
    return _stream_message_counter(dataset_id, start, end)


# --- web pages: what a higher app adds to a subscription purchase's page ------------------------------------------

# Renders HTML (escaped by its renderer's template) for the page of the buyer's subscription purchase: the streams
# app's live-stream panel (its credentials button). Given the request and the subscription's id; "" for nothing.
PurchasePanelRenderer = Callable[[HttpRequest, uuid.UUID], str]

_purchase_panel_renderers: list[PurchasePanelRenderer] = []


def register_purchase_panel(renderer: PurchasePanelRenderer) -> None:
    if renderer not in _purchase_panel_renderers:
        _purchase_panel_renderers.append(renderer)


def purchase_panels(request: HttpRequest, subscription_id: uuid.UUID) -> str:
    """What the registered apps add to a subscription purchase's page, in the order they registered."""
    return "".join(renderer(request, subscription_id) for renderer in _purchase_panel_renderers)


# --- a trade's payment: authorised with access granted, or ended unpaid -----------------------------------------


@dataclass(frozen=True)
class TradeAccessGranted:
    """A trade's payment is authorised and its buyer's entitlement granted (active): the data can be fetched."""

    trade_id: uuid.UUID
    settlement_id: uuid.UUID
    contract_id: uuid.UUID
    entitlement_id: uuid.UUID


@dataclass(frozen=True)
class TradeUnpaid:
    """A trade's first payment ended without being taken: ``status`` "failed" (declined), or "voided" (the data
    could not be delivered, or the buyer released the trade: ``released``). Its contract never took effect or was
    ended; its entitlement, if any, is revoked."""

    trade_id: uuid.UUID
    settlement_id: uuid.UUID
    contract_id: uuid.UUID
    status: str
    reason: str
    released: bool


TradeAccessSubscriber = Callable[[TradeAccessGranted], None]
TradeUnpaidSubscriber = Callable[[TradeUnpaid], None]

_trade_access_subscribers: list[TradeAccessSubscriber] = []
_trade_unpaid_subscribers: list[TradeUnpaidSubscriber] = []


def subscribe_trade_access_granted(subscriber: TradeAccessSubscriber) -> None:
    if subscriber not in _trade_access_subscribers:
        _trade_access_subscribers.append(subscriber)


def subscribe_trade_unpaid(subscriber: TradeUnpaidSubscriber) -> None:
    if subscriber not in _trade_unpaid_subscribers:
        _trade_unpaid_subscribers.append(subscriber)


def unsubscribe_trade_access_granted(subscriber: TradeAccessSubscriber) -> None:
    if subscriber in _trade_access_subscribers:
        _trade_access_subscribers.remove(subscriber)


def unsubscribe_trade_unpaid(subscriber: TradeUnpaidSubscriber) -> None:
    if subscriber in _trade_unpaid_subscribers:
        _trade_unpaid_subscribers.remove(subscriber)


def on_trade_access_granted(event: TradeAccessGranted) -> None:
    """Announce, inside the authorisation's transaction (under the settlement's row lock), that a trade's first
    payment is authorised and its entitlement granted. A subscriber writes nothing under that lock that could wait
    on another: it defers its own work with ``transaction.on_commit`` (the authorisation's statements stay few)."""
    for subscriber in list(_trade_access_subscribers):
        subscriber(event)


def on_trade_unpaid(event: TradeUnpaid) -> None:
    """Announce, inside the transaction that decided it (under the settlement's row lock), that a trade's first
    payment failed or was voided; as above, a subscriber defers its work until commit."""
    for subscriber in list(_trade_unpaid_subscribers):
        subscriber(event)


# --- money taken or given back: a settlement captured or refunded ---------------------------------------------


@dataclass(frozen=True)
class SettlementMoved:
    """A settlement was captured (the sale is final: a trade's, a subscription period's, a deal's) or refunded,
    at ``at``. Announced inside the transaction that moved it, under the settlement's row lock, exactly once per
    move (the move itself happens once: ``_move`` checks the transition). The invoices app issues its documents
    here, so a capture without its invoice cannot commit."""

    settlement_id: uuid.UUID
    status: str  # "captured" or "refunded"
    at: datetime


SettlementMovedSubscriber = Callable[[SettlementMoved], None]

_settlement_captured_subscribers: list[SettlementMovedSubscriber] = []
_settlement_refunded_subscribers: list[SettlementMovedSubscriber] = []


def subscribe_settlement_captured(subscriber: SettlementMovedSubscriber) -> None:
    if subscriber not in _settlement_captured_subscribers:
        _settlement_captured_subscribers.append(subscriber)


def subscribe_settlement_refunded(subscriber: SettlementMovedSubscriber) -> None:
    if subscriber not in _settlement_refunded_subscribers:
        _settlement_refunded_subscribers.append(subscriber)


def unsubscribe_settlement_captured(subscriber: SettlementMovedSubscriber) -> None:
    if subscriber in _settlement_captured_subscribers:
        _settlement_captured_subscribers.remove(subscriber)


def unsubscribe_settlement_refunded(subscriber: SettlementMovedSubscriber) -> None:
    if subscriber in _settlement_refunded_subscribers:
        _settlement_refunded_subscribers.remove(subscriber)


def on_settlement_captured(event: SettlementMoved) -> None:
    """Announce a capture inside its transaction; a subscriber that raises rolls the capture back."""
    for subscriber in list(_settlement_captured_subscribers):
        subscriber(event)


def on_settlement_refunded(event: SettlementMoved) -> None:
    """Announce a refund inside its transaction; a subscriber that raises rolls the refund back."""
    for subscriber in list(_settlement_refunded_subscribers):
        subscriber(event)


# --- web pages: the documents a higher app issued for a settlement (the invoices) ---------------------------------


@dataclass(frozen=True)
class SettlementDocument:
    """A link the purchases and sales pages show beside a settlement: an invoice the invoices app issued for it."""

    label: str  # already in the reader's language
    url: str
    kind: str


# (organisation id, settlement ids) -> the documents that organisation may open, by settlement.
SettlementDocumentLister = Callable[[uuid.UUID, list[uuid.UUID]], dict[uuid.UUID, list[SettlementDocument]]]

_document_listers: list[SettlementDocumentLister] = []


def register_settlement_documents(lister: SettlementDocumentLister) -> None:
    if lister not in _document_listers:
        _document_listers.append(lister)


def settlement_documents(
    organization_id: uuid.UUID, settlement_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[SettlementDocument]]:
    """The documents of these settlements the organisation may open, from every registered app (one query each)."""
    found: dict[uuid.UUID, list[SettlementDocument]] = {}
    for lister in _document_listers:
        for settlement_id, documents in lister(organization_id, settlement_ids).items():
            found.setdefault(settlement_id, []).extend(documents)
    return found
