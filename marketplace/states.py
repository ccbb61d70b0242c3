"""Transition tables of the marketplace. Only marketplace services change these statuses."""

from __future__ import annotations

from config.states import transition_check

# Sellers withdraw offerings at any time; a withdrawn offering is final (publish a new one instead),
# and concluded contracts are never touched by it.
OFFERING: dict[str, frozenset[str]] = {
    "active": frozenset({"withdrawn"}),
    "withdrawn": frozenset(),
}


def offering_check(current: str, target: str) -> None:
    transition_check(OFFERING, what="offering", current=current, target=target)


# An order is created in its first status (open, or already filled/cancelled/rejected by matching); fills
# move it on; only resting orders can be cancelled or expire.
ORDER: dict[str, frozenset[str]] = {
    "": frozenset({"open", "partially_filled", "filled", "cancelled", "expired", "rejected"}),
    "open": frozenset({"partially_filled", "filled", "cancelled", "expired"}),
    "partially_filled": frozenset({"filled", "cancelled", "expired"}),
    "filled": frozenset(),
    "cancelled": frozenset(),
    "expired": frozenset(),
    "rejected": frozenset(),
}


def order_check(current: str, target: str) -> None:
    transition_check(ORDER, what="order", current=current, target=target)


# A trade voided after matching (its payment failed) reverses its fill: the ask gets its seats back (a filled
# ask re-opens), the bid's part is cancelled. Only ``marketplace.services.trades.trade_void`` uses these.
ORDER_VOID: dict[str, frozenset[str]] = {
    "open": frozenset({"cancelled"}),
    "partially_filled": frozenset({"open", "cancelled"}),
    "filled": frozenset({"open", "partially_filled", "cancelled"}),
}


def order_void_check(current: str, target: str) -> None:
    transition_check(ORDER_VOID, what="order whose trade is voided", current=current, target=target)


# A participant's application (marketplace.services.signup) is decided once, by the operator: verified (its
# organisation made) or rejected with a reason. Either is final; a rejected applicant may apply again.
APPLICATION: dict[str, frozenset[str]] = {
    "pending": frozenset({"verified", "rejected"}),
    "verified": frozenset(),
    "rejected": frozenset(),
}


def application_check(current: str, target: str) -> None:
    transition_check(APPLICATION, what="application", current=current, target=target)
