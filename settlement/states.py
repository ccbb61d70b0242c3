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

# active: in force, each period billed when it closes if its delivery commitment was met.
# cancelling: the buyer cancelled; access ends with the current period, and no period is charged any more.
# past_due: a period's charge was declined; retried with backoff, no new versions granted meanwhile.
# ended: the term is over, the buyer cancelled, a charge went unpaid past the grace period, the first payment
#   failed, or access was revoked (end_reason says which). Final.
SUBSCRIPTION: dict[str, frozenset[str]] = {
    "active": frozenset({"cancelling", "past_due", "ended"}),
    "cancelling": frozenset({"past_due", "ended"}),
    "past_due": frozenset({"active", "cancelling", "ended"}),
    "ended": frozenset(),
}
SUBSCRIPTION_IN_FORCE = frozenset({"active", "cancelling", "past_due"})
# New versions are granted to these (not while a payment is overdue).
SUBSCRIPTION_GRANTING = frozenset({"active", "cancelling"})

# open: not settled yet (the first period until its payment is captured; a later one until it closes, and then
# while its charge is being taken). charged: paid. missed: its delivery commitment was not met, nothing charged.
# unpaid: its charge was declined until the grace period ran out, or its first payment failed.
SUBSCRIPTION_PERIOD: dict[str, frozenset[str]] = {
    "open": frozenset({"charged", "missed", "unpaid"}),
    "charged": frozenset(),
    "missed": frozenset(),
    "unpaid": frozenset(),
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


def subscription_check(current: str, target: str) -> None:
    transition_check(SUBSCRIPTION, what="subscription", current=current, target=target)


def subscription_period_check(current: str, target: str) -> None:
    transition_check(SUBSCRIPTION_PERIOD, what="subscription period", current=current, target=target)
