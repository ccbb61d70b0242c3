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
