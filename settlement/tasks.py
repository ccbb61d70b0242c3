"""Celery tasks of settlement: take ids, call services, safe to run twice.

The settlement pipeline's tasks run on the ``settlement`` queue; the partner webhooks' (``settlement.webhooks.*``)
on ``webhooks`` (see ``CELERY_TASK_ROUTES``), so a slow partner endpoint never delays a capture.

Transient provider failures are retried with backoff by the task while the worker lives; the settlement
row records when to try next, so the sweeper takes over if the worker or the message is lost. Webhook
deliveries are not Celery retries: a failed attempt sets the delivery's ``next_attempt_at`` and the sweeper
re-enqueues it when due, so a lost or duplicated message is harmless (``webhook_deliver`` claims the row first).

The services that enqueue these tasks (settlements, delivery, webhooks) import this module at their top, so the
tasks that call those services import them in their bodies; payouts enqueues nothing and is imported here.
"""

from __future__ import annotations

import uuid
from typing import Any

from celery import shared_task
from django.db import OperationalError

from settlement.models import Settlement
from settlement.providers import ProviderUnavailable
from settlement.services import payouts

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
    from settlement.services.settlements import backoff_seconds  # cycle: it imports this module to enqueue

    settlement = Settlement.objects.filter(pk=settlement_id).values("attempts").first()
    raise task.retry(countdown=backoff_seconds(settlement["attempts"] if settlement else 1))


# --- the settlement pipeline (queue ``settlement``) -----------------------------------------------------------


@shared_task(name="settlement.authorize", autoretry_for=(OperationalError,), **_RETRYING)
def settlement_authorize(self: Any, settlement_id: str) -> str:
    from settlement.services import settlements  # cycle: it imports this module to enqueue

    try:
        return settlements.settlement_authorize(settlement_id=uuid.UUID(settlement_id)).status
    except ProviderUnavailable:
        _retry_later(self, uuid.UUID(settlement_id))
        return "pending"


@shared_task(name="settlement.authorize_many", acks_late=True)
def settlement_authorize_many(settlement_ids: list[str]) -> int:
    """Fan out the authorisations of settlements opened together (a matcher's batch): one task each, so the
    settlement pool's processes share them and each retries on its own. Enqueued once, so the matcher publishes
    one message per batch instead of one per trade."""
    for settlement_id in settlement_ids:
        settlement_authorize.delay(settlement_id)
    return len(settlement_ids)


@shared_task(name="settlement.capture", autoretry_for=(OperationalError,), **_RETRYING)
def settlement_capture(self: Any, settlement_id: str, reason: str = "") -> str:
    from settlement.services import settlements  # cycle: it imports this module to enqueue

    try:
        return settlements.settlement_capture(settlement_id=uuid.UUID(settlement_id), reason=reason).status
    except ProviderUnavailable:
        _retry_later(self, uuid.UUID(settlement_id))
        return "authorized"


@shared_task(name="settlement.release", autoretry_for=(OperationalError,), **_RETRYING)
def settlement_release(self: Any, settlement_id: str) -> str:
    """Void the authorisation of a trade its buyer released (settlements.settlement_release)."""
    from settlement.services import settlements  # cycle: it imports this module to enqueue

    try:
        return settlements.settlement_release_void(settlement_id=uuid.UUID(settlement_id)).status
    except ProviderUnavailable:
        _retry_later(self, uuid.UUID(settlement_id))
        return "authorized"


@shared_task(name="settlement.check_delivery", autoretry_for=(OperationalError,), **_RETRYING)
def settlement_check_delivery(self: Any, settlement_id: str) -> str:
    """A download found the data unavailable: void the authorisation if it really cannot be delivered."""
    from settlement.services import settlements  # cycle: it imports this module to enqueue

    try:
        return settlements.settlement_void_if_undeliverable(settlement_id=uuid.UUID(settlement_id)).status
    except ProviderUnavailable:
        _retry_later(self, uuid.UUID(settlement_id))
        return "authorized"


@shared_task(name="settlement.sweep")
def sweep() -> dict[str, int]:
    """Re-drive stuck settlements and payouts (a lost message only delays)."""
    from settlement.services import settlements  # cycle: it imports this module to enqueue

    counts = settlements.settlements_sweep()
    stuck_payouts = payouts.payouts_pending()
    for payout_id in stuck_payouts:
        payout_send.delay(str(payout_id))
    return {**counts, "payouts": len(stuck_payouts)}


@shared_task(name="settlement.reconcile")
def reconcile() -> int:
    from settlement.services import settlements  # cycle: it imports this module to enqueue

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
    # cycle: entitlements imports the webhooks service, which imports this module to enqueue deliveries
    from settlement.services.entitlements import entitlements_expire

    return entitlements_expire()


@shared_task(name="settlement.close_periods", soft_time_limit=55 * 60, time_limit=60 * 60)
def close_periods() -> dict[str, int]:
    """Close the subscription periods whose end has come, billing the delivered ones (safe to run concurrently)."""
    from settlement.services.billing import subscription_periods_close  # cycle: it enqueues through this module

    return subscription_periods_close().as_dict()


# --- outbound partner webhooks (queue ``webhooks``) ------------------------------------------------------------


@shared_task(name="settlement.webhooks.deliver", acks_late=True, soft_time_limit=120, time_limit=180)
def webhook_deliver(delivery_id: str) -> str:
    from settlement.services import webhooks  # cycle: it imports this module to enqueue

    delivery = webhooks.webhook_deliver(delivery_id=uuid.UUID(delivery_id))
    return delivery.status if delivery is not None else "skipped"


@shared_task(name="settlement.webhooks.sweep", soft_time_limit=60, time_limit=90)
def webhooks_sweep() -> int:
    from settlement.services import webhooks  # cycle: it imports this module to enqueue

    return webhooks.webhooks_sweep()
