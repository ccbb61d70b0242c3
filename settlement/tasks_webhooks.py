"""Celery tasks of outbound partner webhooks (queue ``webhooks``, see CELERY_TASK_ROUTES).

Not in ``settlement/tasks.py`` (the settlement pipeline's); registered through ``CELERY_IMPORTS``. Retries
are not Celery retries: a failed attempt sets the row's ``next_attempt_at`` and the sweeper re-enqueues it
when due, so a lost or duplicated message is harmless (``webhook_deliver`` claims the row first).
"""

from __future__ import annotations

import uuid

from celery import shared_task

from settlement.services.webhooks import webhook_deliver, webhooks_sweep


@shared_task(name="settlement.webhooks.deliver", acks_late=True, soft_time_limit=120, time_limit=180)
def deliver(delivery_id: str) -> str:
    delivery = webhook_deliver(delivery_id=uuid.UUID(delivery_id))
    return delivery.status if delivery is not None else "skipped"


@shared_task(name="settlement.webhooks.sweep", soft_time_limit=60, time_limit=90)
def sweep() -> int:
    return webhooks_sweep()
