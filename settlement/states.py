"""Transition tables of settlement's stateful models. Only settlement services change these statuses."""

from __future__ import annotations

from config.states import transition_check

# pending: created with the trade, payment not yet authorised.
# authorized: the buyer's payment method is authorised (manual capture); the entitlement is granted.
# captured: the money is taken (first download or the acceptance window passed).
# failed: the authorisation was declined; nothing was charged and the seat went back on the book.
# voided: authorised, then cancelled before capture (the data could not be delivered).
# refunded: captured, then given back by the operator.
SETTLEMENT: dict[str, frozenset[str]] = {
    "pending": frozenset({"authorized", "failed"}),
    "authorized": frozenset({"captured", "voided"}),
    "captured": frozenset({"refunded"}),
    "failed": frozenset(),
    "voided": frozenset(),
    "refunded": frozenset(),
}
SETTLEMENT_OPEN = frozenset({"pending", "authorized"})

ENTITLEMENT: dict[str, frozenset[str]] = {
    "active": frozenset({"expired", "revoked"}),
    "expired": frozenset(),
    "revoked": frozenset(),
}

# A failed payout is final: its amount stays in the seller's payable balance and goes out with the next
# day's payout, so nothing can be paid twice by retrying an old one.
PAYOUT: dict[str, frozenset[str]] = {
    "pending": frozenset({"paid", "failed"}),
    "failed": frozenset(),
    "paid": frozenset(),
}

WEBHOOK_DELIVERY: dict[str, frozenset[str]] = {
    "pending": frozenset({"pending", "delivered", "failed"}),
    "delivered": frozenset(),
    "failed": frozenset({"pending"}),
}


def settlement_check(current: str, target: str) -> None:
    transition_check(SETTLEMENT, what="settlement", current=current, target=target)


def entitlement_check(current: str, target: str) -> None:
    transition_check(ENTITLEMENT, what="entitlement", current=current, target=target)


def payout_check(current: str, target: str) -> None:
    transition_check(PAYOUT, what="payout", current=current, target=target)


def webhook_delivery_check(current: str, target: str) -> None:
    transition_check(WEBHOOK_DELIVERY, what="webhook delivery", current=current, target=target)
