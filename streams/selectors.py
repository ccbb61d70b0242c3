"""Reads of the streams app."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import Sum

from marketplace.models import Offering
from streams.models import StreamClient, StreamMessageCount

__all__ = ["dataset_streamed_by", "publisher_client", "stream_messages_between", "subscriber_client"]


def stream_messages_between(dataset_id: uuid.UUID, start: datetime, end: datetime) -> int:
    """Messages counted on the dataset's feed in the minutes that start in [start, end) (a period's count: each
    minute belongs to the period it starts in, so adjacent periods never count a message twice)."""
    total = StreamMessageCount.objects.filter(dataset_id=dataset_id, minute__gte=start, minute__lt=end).aggregate(
        total=Sum("messages")
    )["total"]
    return int(total or 0)


# --- the web pages' panels ---------------------------------------------------------------------------------------


def subscriber_client(*, subscription_id: uuid.UUID) -> StreamClient | None:
    """The subscription's reading client, once its credentials were first asked for."""
    return StreamClient.objects.filter(subscription_id=subscription_id, role=StreamClient.Role.SUBSCRIBER).first()


def publisher_client(*, dataset_id: uuid.UUID) -> StreamClient | None:
    """The dataset's publishing client, once its credentials were first asked for."""
    return StreamClient.objects.filter(dataset_id=dataset_id, role=StreamClient.Role.PUBLISHER).first()


def dataset_streamed_by(*, dataset_id: uuid.UUID, organization_id: uuid.UUID) -> bool:
    """Whether the dataset is the organisation's own and has an offering with a live stream (its feed to publish)."""
    return Offering.objects.filter(dataset_id=dataset_id, dataset__seller_id=organization_id, stream=True).exists()
