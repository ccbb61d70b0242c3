"""Settlement and subscription states and payment failures as people read them, in the request's language.

Presentation only: the states and their transitions are ``settlement/states.py``'s; the failure codes are the
provider's (Stripe's ``decline_code`` or error ``code``, which the offline provider copies). A code not listed
here shows the provider's own message, which is written for the card holder but only in English.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from settlement.models import Entitlement, Settlement, Subscription, SubscriptionPeriod

S = Settlement.Status

# What the buyer reads under a purchase's status: what happened to the money, and what happens next.
BUYER_STATUS_NOTES: dict[str, str | Promise] = {
    S.PENDING: _("The market is asking your card issuer to authorise the payment. This takes a moment."),
    S.AUTHORIZED: _(
        "The amount is reserved on your card. It is charged after your first complete download, or when the "
        "acceptance period ends."
    ),
    S.CAPTURED: _("The amount has been charged."),
    S.FAILED: _(
        "Nothing was charged, the contract did not take effect and the seats went back on the book. Check the "
        "card with its issuer or register another payment method, then buy again."
    ),
    S.VOIDED: _("The payment was cancelled before anything was charged; the contract ended."),
    S.REFUNDED: _("The amount was refunded to your card; access to the data has ended."),
}

# What the seller reads: the state of the buyer's payment as it concerns the seller's proceeds.
SELLER_STATUS_LABELS: dict[str, str | Promise] = {
    S.PENDING: _("Awaiting the buyer's payment"),
    S.AUTHORIZED: _("Payment authorised, not charged yet"),
    S.CAPTURED: _("Paid"),
    S.FAILED: _("The buyer's payment failed"),
    S.VOIDED: _("Cancelled"),
    S.REFUNDED: _("Refunded to the buyer"),
}

# Failure codes of the payment providers (settlement/providers), in the words a buyer can act on.
FAILURE_MESSAGES: dict[str, str | Promise] = {
    "card_declined": _("Your card was declined."),
    "generic_decline": _("Your card was declined."),
    "lost_card": _("Your card was declined."),
    "stolen_card": _("Your card was declined."),
    "do_not_honor": _("Your card was declined."),
    "insufficient_funds": _("Your card has insufficient funds."),
    "expired_card": _("Your card has expired."),
    "incorrect_cvc": _("Your card's security code is incorrect."),
    "processing_error": _("An error occurred while processing your card. Try again in a little bit."),
    "card_velocity_exceeded": _(
        "Your card was declined for making repeated attempts too frequently or exceeding its amount limit."
    ),
    "authentication_required": _("Your card was declined. This transaction requires authentication."),
    "no_payment_method": _("Your organisation has no saved payment method."),
    "invalid_payment_method": _("Your organisation's saved payment method cannot be used."),
    "resource_missing": _("Your organisation's saved payment method cannot be used."),
    "payment_failed": _("The payment was not authorised."),
    "undeliverable": _("The data could not be delivered, so nothing was charged."),
}


def status_label(status: str) -> str:
    labels: dict[str, Any] = dict(S.choices)
    return str(labels.get(status, status))


def buyer_status_note(status: str) -> str:
    return str(BUYER_STATUS_NOTES.get(status, ""))


def seller_status_label(status: str) -> str:
    return str(SELLER_STATUS_LABELS.get(status, status_label(status)))


def failure_reason(settlement: Settlement, *, declined: bool = False) -> str:
    """Why the payment failed (or was cancelled), for the buyer; "" when it did not. ``declined``: a period charge
    still pending, declined and being retried, says why it was declined."""
    failed = settlement.status in (S.FAILED, S.VOIDED) or (declined and settlement.declines > 0)
    if not failed or not (settlement.failure_code or settlement.failure_message):
        return ""
    known = FAILURE_MESSAGES.get(settlement.failure_code)
    return str(known) if known is not None else settlement.failure_message


def entitlement_status_label(status: str) -> str:
    labels: dict[str, Any] = dict(Entitlement.Status.choices)
    return str(labels.get(status, status))


# --- subscriptions ---------------------------------------------------------------------------------------------

SUBSCRIPTION_STATUS_LABELS: dict[str, str | Promise] = {
    Subscription.Status.ACTIVE: pgettext_lazy("subscription", "Active"),
    Subscription.Status.CANCELLING: pgettext_lazy("subscription", "Cancelling"),
    Subscription.Status.PAST_DUE: pgettext_lazy("subscription", "Past due"),
    Subscription.Status.ENDED: pgettext_lazy("subscription", "Ended"),
}

# A period's outcome, as the buyer's and the seller's pages show it.
PERIOD_OUTCOME_LABELS: dict[str, str | Promise] = {
    SubscriptionPeriod.Outcome.OPEN: pgettext_lazy("period outcome", "Open"),
    SubscriptionPeriod.Outcome.CHARGED: pgettext_lazy("period outcome", "Charged"),
    SubscriptionPeriod.Outcome.MISSED: pgettext_lazy("period outcome", "Missed"),
    SubscriptionPeriod.Outcome.UNPAID: pgettext_lazy("period outcome", "Unpaid"),
}


def subscription_status_label(status: str) -> str:
    return str(SUBSCRIPTION_STATUS_LABELS.get(status, status))


def period_outcome_label(outcome: str, *, closed: bool = False) -> str:
    """A period's outcome; one closed whose payment is still being taken (the first period's, captured at the first
    download or the acceptance window, or a declined charge being retried) is "being charged", not open."""
    if closed and outcome == SubscriptionPeriod.Outcome.OPEN:
        return str(pgettext_lazy("period outcome", "Being charged"))
    return str(PERIOD_OUTCOME_LABELS.get(outcome, outcome))


def end_reason_label(reason: str) -> str:
    labels: dict[str, Any] = dict(Subscription.EndReason.choices)
    return str(labels.get(reason, reason))
