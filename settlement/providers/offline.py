"""The offline payment provider: deterministic, no network, and honours Stripe's test payment methods.

``pm_card_visa``, ``pm_card_mastercard``, ``pm_card_jp`` and any other ``pm_...`` authorise; Stripe's decline
test methods (``pm_card_chargeDeclined``, ``pm_card_visa_chargeDeclinedInsufficientFunds``,
``pm_card_chargeDeclinedExpiredCard`` ...) decline with the code Stripe gives them, so a buyer onboarded with a
Stripe test token behaves the same under either provider.

It stands in for an external system and keeps its books like one (``OfflinePayment``, ``OfflineTransfer``):
services call providers outside ``transaction.atomic`` (see ``settlement/providers/__init__.py``), so under
autocommit each write here commits at once and survives our rollback or a killed worker, exactly like a
Stripe PaymentIntent would. We do not assert ``not connection.in_atomic_block``: tests running inside a
test transaction legitimately call it, and there its rows roll back with the test.

Test-only fault hooks (config/market.py): ``offline_provider_failures`` makes the first N calls per
idempotency key raise ``ProviderUnavailable`` (before any effect); ``offline_provider_delay`` sleeps
after an authorisation is recorded and before it is answered (a worker killed then has authorised but not
heard back: the retry must get the same payment, not a second one).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from config.market import market_settings
from settlement.models import OfflineCall, OfflinePayment, OfflineTransfer
from settlement.providers.base import PaymentResult, ProviderUnavailable, TransferResult

_GENERIC_DECLINE = ("card_declined", "Your card was declined.")

# Stripe's declining test PaymentMethods (https://docs.stripe.com/testing#declined-payments), by the part after
# ``pm_card_`` (Stripe spells some with a ``visa_`` prefix; both spellings decline the same way here). The code
# is Stripe's ``decline_code`` where it names a reason, else its error ``code``.
_DECLINES: dict[str, tuple[str, str]] = {
    "chargeDeclined": _GENERIC_DECLINE,
    "chargeDeclinedInsufficientFunds": ("insufficient_funds", "Your card has insufficient funds."),
    "chargeDeclinedLostCard": ("lost_card", "Your card was declined."),
    "chargeDeclinedStolenCard": ("stolen_card", "Your card was declined."),
    "chargeDeclinedExpiredCard": ("expired_card", "Your card has expired."),
    "chargeDeclinedIncorrectCvc": ("incorrect_cvc", "Your card's security code is incorrect."),
    "chargeDeclinedProcessingError": (
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
    "chargeDeclinedVelocityLimitExceeded": (
        "card_velocity_exceeded",
        "Your card was declined for making repeated attempts too frequently or exceeding its amount limit.",
    ),
    # Attaches to a customer, then every charge is declined.
    "chargeCustomerFail": _GENERIC_DECLINE,
    # Needs 3-D Secure every time: an off-session payment cannot authenticate, so it is declined.
    "authenticationRequired": (
        "authentication_required",
        "Your card was declined. This transaction requires authentication.",
    ),
}


def declining_test_card(payment_method: str) -> tuple[str, str] | None:
    """``(failure_code, failure_message)`` if this Stripe test payment method declines, else ``None``."""
    if not payment_method.startswith("pm_card_"):
        return None
    name = payment_method.removeprefix("pm_card_")
    if name.startswith("visa_"):
        name = name.removeprefix("visa_")
    return _DECLINES.get(name)


class OfflineProvider:
    name = "offline"

    # --- payments -------------------------------------------------------------------------------------------

    def authorize(
        self,
        *,
        amount: int,
        currency: str,
        payment_method: str,
        customer_ref: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> PaymentResult:
        _maybe_fail(idempotency_key)
        if amount <= 0:
            raise ValueError(f"Cannot authorise a non-positive amount ({amount}).")
        decline = declining_test_card(payment_method)
        failure_code, failure_message = decline or ("", "")
        # The unique idempotency key makes this the one payment of that key, even when two workers race (the
        # loser's insert waits for the winner's to commit, fails on the constraint, and it reads the winner's).
        # Outside our transactions it commits at once, as an external system's write would.
        payment = OfflinePayment(
            idempotency_key=idempotency_key,
            payment_ref=f"pi_offline_{uuid.uuid4().hex[:24]}",
            amount=amount,
            currency=currency.upper(),
            payment_method=payment_method,
            customer_ref=customer_ref,
            description=description[:500],
            metadata=dict(metadata),
            status=OfflinePayment.Status.DECLINED if decline else OfflinePayment.Status.AUTHORIZED,
            failure_code=failure_code,
            failure_message=failure_message,
        )
        created = _inserted(payment)
        if not created:
            payment = OfflinePayment.objects.get(idempotency_key=idempotency_key)
            if (payment.amount, payment.currency) != (amount, currency.upper()):
                # As Stripe: a key replayed with other parameters is a defect in the caller, not a new payment.
                raise ValueError(f"Idempotency key {idempotency_key!r} was first used for another amount or currency.")
        else:
            delay = market_settings().offline_provider_delay
            if delay:
                time.sleep(delay.total_seconds())
        return _result(payment)

    def capture(self, *, payment_ref: str, amount: int, idempotency_key: str) -> PaymentResult:
        _maybe_fail(idempotency_key)
        payment = _payment(payment_ref)
        if not 0 < amount <= payment.amount:
            raise ValueError(f"Cannot capture {amount} of an authorisation of {payment.amount}.")
        # A conditional UPDATE: of two racing captures one moves the payment, the other reads the result.
        OfflinePayment.objects.filter(pk=payment.pk, status=OfflinePayment.Status.AUTHORIZED).update(
            status=OfflinePayment.Status.CAPTURED, amount_captured=amount
        )
        # A payment already past authorised (captured, voided, ...) answers with its state, like a replay.
        return _result(_payment(payment_ref))

    def void(self, *, payment_ref: str, idempotency_key: str) -> PaymentResult:
        _maybe_fail(idempotency_key)
        payment = _payment(payment_ref)
        OfflinePayment.objects.filter(pk=payment.pk, status=OfflinePayment.Status.AUTHORIZED).update(
            status=OfflinePayment.Status.VOIDED
        )
        return _result(_payment(payment_ref))

    def refund(self, *, payment_ref: str, amount: int, idempotency_key: str) -> PaymentResult:
        _maybe_fail(idempotency_key)
        payment = _payment(payment_ref)
        if payment.status == OfflinePayment.Status.CAPTURED and not 0 < amount <= payment.amount_captured:
            raise ValueError(f"Cannot refund {amount} of a capture of {payment.amount_captured}.")
        OfflinePayment.objects.filter(pk=payment.pk, status=OfflinePayment.Status.CAPTURED).update(
            status=OfflinePayment.Status.REFUNDED, amount_refunded=amount
        )
        return _result(_payment(payment_ref))

    def retrieve(self, *, payment_ref: str) -> PaymentResult:
        return _result(_payment(payment_ref))

    # --- payouts --------------------------------------------------------------------------------------------

    def transfer(
        self, *, amount: int, currency: str, destination: str, idempotency_key: str, description: str
    ) -> TransferResult:
        _maybe_fail(idempotency_key)
        if amount <= 0:
            raise ValueError(f"Cannot transfer a non-positive amount ({amount}).")
        transfer = OfflineTransfer(
            idempotency_key=idempotency_key,
            transfer_ref=f"tr_offline_{uuid.uuid4().hex[:24]}",
            amount=amount,
            currency=currency.upper(),
            destination=destination,
            description=description[:500],
        )
        created = _inserted(transfer)
        if not created:
            transfer = OfflineTransfer.objects.get(idempotency_key=idempotency_key)
        if not created and (transfer.amount, transfer.currency) != (amount, currency.upper()):
            raise ValueError(f"Idempotency key {idempotency_key!r} was first used for another amount or currency.")
        return TransferResult(transfer_ref=transfer.transfer_ref)


def _inserted(row: OfflinePayment | OfflineTransfer) -> bool:
    """Insert ``row``; False if a row with its idempotency key exists already (the caller then reads that one).

    Insert first, read only on a conflict: one statement in the common case, where ``get_or_create`` reads before
    every insert. (``bulk_create(ignore_conflicts=True)`` would not say whether it inserted: Django asks nothing
    back from an ``ON CONFLICT DO NOTHING``, so a read would follow every time.) Called outside our transactions
    (autocommit), a refused insert spoils nothing; inside a caller's transaction (tests) a savepoint keeps that
    transaction usable.
    """
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                row.save(force_insert=True)
        else:
            row.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def _payment(payment_ref: str) -> OfflinePayment:
    payment = OfflinePayment.objects.filter(payment_ref=payment_ref).first()
    if payment is None:
        # Stripe answers 404 for an unknown PaymentIntent: a defect in the caller, never a decline.
        raise ValueError(f"The offline provider has no payment {payment_ref!r}.")
    return payment


def _result(payment: OfflinePayment) -> PaymentResult:
    status: Any = payment.status  # one of PaymentStatus, by OfflinePayment.Status
    taken = payment.status in (OfflinePayment.Status.CAPTURED, OfflinePayment.Status.REFUNDED)
    return PaymentResult(
        status=status,
        payment_ref=payment.payment_ref,
        failure_code=payment.failure_code,
        failure_message=payment.failure_message,
        amount=payment.amount,
        currency=payment.currency,
        amount_received=payment.amount_captured if taken else None,
    )


def _maybe_fail(idempotency_key: str) -> None:
    """Test-only: fail the first ``OFFLINE_PROVIDER_FAILURES`` calls of each idempotency key, before any effect.

    Counted in the database (not in memory) so a retry from another worker process counts too.
    """
    failures = market_settings().offline_provider_failures
    if failures <= 0:
        return
    OfflineCall.objects.get_or_create(idempotency_key=idempotency_key)
    OfflineCall.objects.filter(idempotency_key=idempotency_key).update(calls=F("calls") + 1)
    calls = OfflineCall.objects.filter(idempotency_key=idempotency_key).values_list("calls", flat=True).get()
    if calls <= failures:
        raise ProviderUnavailable(f"offline provider: simulated outage ({calls} of {failures} failing calls)")
