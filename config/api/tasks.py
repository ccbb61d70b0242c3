from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from config.api.models import IdempotencyRecord

# Stripe keeps idempotency keys for 24 hours; partners retry within minutes, so a day is generous.
RETENTION = timedelta(hours=24)


@shared_task(name="api.purge_idempotency_records")
def purge_idempotency_records() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    return deleted
