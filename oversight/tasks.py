"""Celery tasks of oversight: take ids, call a service, safe to run twice. They call the payment provider (a take-down's
refunds), so they run on the ``settlement`` queue (``CELERY_TASK_ROUTES``)."""

from __future__ import annotations

import uuid

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="oversight.finish_takedown",
    autoretry_for=(OperationalError,),
    acks_late=True,
    max_retries=3,
    soft_time_limit=600,
    time_limit=660,
)
def takedown_finish(takedown_id: str) -> str:
    from oversight.services import takedowns  # cycle: it imports this module to enqueue

    return takedowns.takedown_finish(takedown_id=uuid.UUID(takedown_id)).status


@shared_task(name="oversight.finish_takedowns", acks_late=True, soft_time_limit=600, time_limit=660)
def takedowns_sweep() -> int:
    from oversight.services import takedowns  # cycle: it imports this module to enqueue

    return takedowns.takedowns_sweep()
