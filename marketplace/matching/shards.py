"""Which shard's matcher owns a dataset's books: a stable hash of the dataset id, the same in every process."""

from __future__ import annotations

import uuid

from config.market import market_settings


def shard_count() -> int:
    return market_settings().matcher_shards


def shard_of(dataset_id: uuid.UUID) -> int:
    """The shard of a dataset (and so of all its offerings): its id's 128 bits modulo the number of shards.

    A UUID4 is random, so the datasets spread evenly; Python's ``hash`` would not do (salted per process)."""
    return dataset_id.int % shard_count()
