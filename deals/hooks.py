"""Typed hooks the deals app calls and higher apps (dataspace) subscribe to in ``AppConfig.ready()``
(docs/architecture.md#hooks): deals never imports them.

``on_private_offer_changed`` announces what happened to a private offer (a counter, an acceptance with its trade, a
decline, an expiry) inside the transaction that did it, with the offer's row locked: a subscriber's writes commit or
roll back with the change, and one that raises undoes it (the caller then answers with its error).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

PrivateOfferChange = Literal["countered", "accepted", "declined", "expired"]


@dataclass(frozen=True)
class PrivateOfferChanged:
    """A private offer ``kind`` (countered, accepted, declined, expired). ``revision`` and ``author`` are its latest
    revision's (for a counter: the new one); ``by`` the party that acted (``seller`` or ``buyer``; empty for an
    expiry); ``trade_id`` the deal's trade, once accepted."""

    private_offer_id: uuid.UUID
    kind: PrivateOfferChange
    revision: int
    author: str
    by: str
    trade_id: uuid.UUID | None = None
    reason: str = ""


PrivateOfferSubscriber = Callable[[PrivateOfferChanged], None]

_private_offer_subscribers: list[PrivateOfferSubscriber] = []


def subscribe_private_offer_changed(subscriber: PrivateOfferSubscriber) -> None:
    if subscriber not in _private_offer_subscribers:
        _private_offer_subscribers.append(subscriber)


def on_private_offer_changed(event: PrivateOfferChanged) -> None:
    """Announce ``event`` inside the change's transaction; a subscriber that raises rolls the change back."""
    for subscriber in list(_private_offer_subscribers):
        subscriber(event)
