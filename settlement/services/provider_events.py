"""Incoming Stripe events: stored once per event id, then applied to the settlement they concern.

Storing comes first and is idempotent in the database (``provider_event_once``): a replayed or concurrently
redelivered event finds its row and changes nothing. Handling reads the event's object, turns it into a
``PaymentResult`` and hands it to ``settlement_apply_provider_state``, which only ever moves a settlement
forward and ignores a state already reached, so events arriving late, twice or out of order are harmless.
A correctly signed event whose amount, currency or provider does not match its settlement, or that reports a
partial capture, changes nothing: it is kept as ``flagged`` and flags the settlement for the operator's review.
An event whose handling failed stays ``failed`` (with the error) and is handled again when Stripe redelivers it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from settlement.models import ProviderEvent, Settlement
from settlement.providers import PaymentResult, provider_get
from settlement.providers.stripe import payment_result_from_charge, payment_result_from_intent
from settlement.services.settlements import (
    settlement_apply_provider_state,
    settlement_flag_for_review,
    settlement_provider_mismatch,
)

logger = logging.getLogger(__name__)

# The event types that can move a settlement; any other type is stored and marked ignored.
HANDLERS: dict[str, Callable[[Mapping[str, Any]], PaymentResult | None]] = {
    "payment_intent.amount_capturable_updated": payment_result_from_intent,
    "payment_intent.succeeded": payment_result_from_intent,
    "payment_intent.payment_failed": payment_result_from_intent,
    "payment_intent.canceled": payment_result_from_intent,
    "charge.refunded": payment_result_from_charge,
}
# Handled to the end: a redelivery or replay of such an event changes nothing.
DONE = (ProviderEvent.Status.PROCESSED, ProviderEvent.Status.IGNORED, ProviderEvent.Status.FLAGGED)


def provider_event_record(
    *, event_id: str, event_type: str, payload: dict[str, Any], provider: str = "stripe"
) -> tuple[ProviderEvent, bool]:
    """Store an event once per ``(provider, event_id)``; returns the row and whether this call created it."""
    try:
        with transaction.atomic():
            event = ProviderEvent.objects.create(
                provider=provider, event_id=event_id, type=event_type[:100], payload=payload
            )
        return event, True
    except IntegrityError:
        # Already stored (a replay, or a concurrent redelivery that won the insert): the first row stands.
        return ProviderEvent.objects.get(provider=provider, event_id=event_id), False


def provider_event_handle(*, provider_event_id: int) -> ProviderEvent:
    """Apply a stored event to its settlement; marks it processed, ignored or failed (never raises).

    Runs under the event's row lock, and the settlement change commits together with ``processed``: a
    concurrent redelivery waits, then finds the event done.
    """
    try:
        with transaction.atomic():
            event = ProviderEvent.objects.select_for_update().get(pk=provider_event_id)
            if event.status in DONE:
                return event
            event.status, event.error = _dispatch(event)
            event.processed_at = timezone.now()
            event.save(update_fields=["status", "error", "processed_at"])
            return event
    except Exception as error:  # any defect is recorded on the event; Stripe's redelivery retries it
        logger.exception("handling provider event %s failed", provider_event_id)
        ProviderEvent.objects.filter(pk=provider_event_id).exclude(status__in=DONE).update(
            status=ProviderEvent.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:5000],
            processed_at=timezone.now(),
        )
        return ProviderEvent.objects.get(pk=provider_event_id)


def _dispatch(event: ProviderEvent) -> tuple[str, str]:
    """``(status, note)`` for the event after applying it."""
    handler = HANDLERS.get(event.type)
    if handler is None:
        return ProviderEvent.Status.IGNORED, f"event type {event.type} is not handled"
    data = event.payload.get("data") if isinstance(event.payload, Mapping) else None
    obj = data.get("object") if isinstance(data, Mapping) else None
    if not isinstance(obj, Mapping):
        return ProviderEvent.Status.IGNORED, "the event carries no object"
    result = handler(obj)
    if result is None or result.status == "processing":
        return ProviderEvent.Status.IGNORED, "the event states nothing to apply"
    settlement = _settlement_for(payment_ref=result.payment_ref, metadata=obj.get("metadata"))
    if settlement is None:
        # Another integration's payment on the same Stripe account, or a test event.
        return ProviderEvent.Status.IGNORED, f"no settlement has payment {result.payment_ref or '(none)'}"
    source = f"{event.provider} event {event.type} ({event.event_id})"
    # A correctly signed event is still only a claim: it moves money only if it is about the payment we asked for.
    problem = settlement_provider_mismatch(settlement, result, provider=event.provider, stated=True)
    if problem:
        settlement_flag_for_review(settlement_id=settlement.id, problem=f"{source}: {problem}", source=source)
        return ProviderEvent.Status.FLAGGED, f"settlement {settlement.id}: {problem}"
    settlement_apply_provider_state(settlement_id=settlement.id, result=result, source=source)
    return ProviderEvent.Status.PROCESSED, ""


# What checking an event against its settlement reads (fields that never change once the settlement exists).
_CHECKED = ("id", "amount", "currency", "provider")


def _settlement_for(*, payment_ref: str, metadata: Any) -> Settlement | None:
    """The settlement paid by this PaymentIntent: by its recorded ``payment_ref``, or, when the event overtook
    the authorisation's answer (the ref is not recorded yet), by the settlement id we put in its metadata."""
    if payment_ref:
        found = Settlement.objects.filter(payment_ref=payment_ref).only(*_CHECKED).first()
        if found is not None:
            return found
    settlement = metadata.get("settlement") if isinstance(metadata, Mapping) else None
    try:
        settlement_id = uuid.UUID(str(settlement))
    except ValueError:
        return None
    # Only a settlement not yet tied to another payment: a stale PaymentIntent never speaks for it.
    unclaimed = Q(payment_ref="") | Q(payment_ref=payment_ref)
    return Settlement.objects.filter(unclaimed, pk=settlement_id).only(*_CHECKED).first()


def provider_state(*, settlement_payment_ref: str, provider: str | None = None) -> PaymentResult:
    """The provider's current view of a payment (reconciliation)."""
    return provider_get(provider).retrieve(payment_ref=settlement_payment_ref)
