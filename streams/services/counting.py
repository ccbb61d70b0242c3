"""Messages counted on each feed, per dataset and minute (the counter process: streams/counter.py).

``stream_counts_add`` adds one flush's counts (about a second's) in one transaction: each (dataset, minute) row is
incremented in SQL (``F()``), created when it is the minute's first, so concurrent flushes never lose an increment.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from catalog.models import Dataset
from streams.models import StreamMessageCount

__all__ = ["minute_of", "stream_counts_add"]


def minute_of(moment: datetime) -> datetime:
    """The start of the minute ``moment`` falls in, in UTC."""
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


@transaction.atomic
def stream_counts_add(*, counts: Mapping[tuple[uuid.UUID, datetime], int]) -> int:
    """Add ``counts`` ({(dataset id, minute start): messages}); messages on feeds of unknown datasets are dropped
    (only the broker's admin could publish there). How many messages were recorded."""
    wanted = {key: n for key, n in counts.items() if n > 0}
    known = set(
        Dataset.objects.filter(pk__in={dataset_id for dataset_id, _minute in wanted}).values_list("pk", flat=True)
    )
    recorded = 0
    for (dataset_id, minute), messages in sorted(wanted.items()):
        if dataset_id not in known:
            continue
        recorded += messages
        rows = StreamMessageCount.objects.filter(dataset_id=dataset_id, minute=minute)
        if rows.update(messages=F("messages") + messages):
            continue
        try:
            with transaction.atomic():  # a savepoint: another flush may create the minute's row first
                StreamMessageCount.objects.create(dataset_id=dataset_id, minute=minute, messages=messages)
        except IntegrityError:
            rows.update(messages=F("messages") + messages)
    return recorded
