"""Reads of the streams app."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import Sum

from streams.models import StreamMessageCount

__all__ = ["stream_messages_between"]


def stream_messages_between(dataset_id: uuid.UUID, start: datetime, end: datetime) -> int:
    """Messages counted on the dataset's feed in the minutes that start in [start, end) (a period's count: each
    minute belongs to the period it starts in, so adjacent periods never count a message twice)."""
    total = StreamMessageCount.objects.filter(dataset_id=dataset_id, minute__gte=start, minute__lt=end).aggregate(
        total=Sum("messages")
    )["total"]
    return int(total or 0)
