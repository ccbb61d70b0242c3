"""Celery tasks of settlement: take ids, call services, safe to run twice (queue ``settlement``).

Transient provider failures are retried with backoff by the task while the worker lives; the settlement
row records when to try next, so the sweeper takes over if the worker or the message is lost.
"""

from __future__ import annotations

import uuid
from typing import Any

from celery import shared_task
from django.db import OperationalError

from settlement.providers import ProviderUnavailable
from settlement.services import payouts, settlements

_RETRYING: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "max_retries": 8,
    "soft_time_limit": 120,
    "time_limit": 180,
}


def _retry_later(task: Any, settlement_id: uuid.UUID) -> None:
    """Retry at the settlement's recorded next attempt; in-process (eager) runs leave it to the sweeper."""
    if task.request.is_eager:
        return
    from settlement.models import Settlement

    settlement = Settlement.objects.filter(pk=settlement_id).values("attempts").first()
    raise task.retry(countdown=settlements.backoff_seconds(settlement["attempts"] if settlement else 1))


@shared_task(name="settlement.authorize", autoretry_for=(OperationalError,), **_RETRYING)
def settlement_authorize(self: Any, settlement_id: str) -> str:
    try:
        return settlements.settlement_authorize(settlement_id=uuid.UUID(settlement_id)).status
    except ProviderUnavailable:
        _retry_later(self, uuid.UUID(settlement_id))
        return "pending"


@shared_task(name="settlement.capture", autoretry_for=(OperationalError,), **_RETRYING)
def settlement_capture(self: Any, settlement_id: str, reason: str = "") -> str:
    try:
        return settlements.settlement_capture(settlement_id=uuid.UUID(settlement_id), reason=reason).status
    except ProviderUnavailable:
        _retry_later(self, uuid.UUID(settlement_id))
        return "authorized"


@shared_task(name="settlement.check_delivery", autoretry_for=(OperationalError,), **_RETRYING)
def settlement_check_delivery(self: Any, settlement_id: str) -> str:
    """A download found the data unavailable: void the authorisation if it really cannot be delivered."""
    try:
        return settlements.settlement_void_if_undeliverable(settlement_id=uuid.UUID(settlement_id)).status
    except ProviderUnavailable:
        _retry_later(self, uuid.UUID(settlement_id))
        return "authorized"


@shared_task(name="settlement.sweep")
def sweep() -> dict[str, int]:
    """Re-drive stuck settlements and payouts (a lost message only delays)."""
    counts = settlements.settlements_sweep()
    stuck_payouts = payouts.payouts_pending()
    for payout_id in stuck_payouts:
        payout_send.delay(str(payout_id))
    return {**counts, "payouts": len(stuck_payouts)}


@shared_task(name="settlement.reconcile")
def reconcile() -> int:
    return settlements.settlements_reconcile()


@shared_task(name="settlement.pay_out")
def pay_out() -> int:
    """Daily: create each owed seller's payout and send it."""
    created = payouts.payouts_create()
    for payout in created:
        payout_send.delay(str(payout.id))
    return len(created)


@shared_task(
    name="settlement.payout_send",
    bind=True,
    acks_late=True,
    autoretry_for=(ProviderUnavailable, OperationalError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=10,
)
def payout_send(self: Any, payout_id: str) -> str:
    return payouts.payout_send(payout_id=uuid.UUID(payout_id)).status


@shared_task(name="settlement.expire_entitlements")
def expire_entitlements() -> int:
    from settlement.services.entitlements import entitlements_expire

    return entitlements_expire()
