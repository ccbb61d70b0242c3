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
