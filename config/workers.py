"""The worker pools: which queues each consumes, how many processes or threads it runs, the command that starts it.

Work that waits on strangers must not hold up work that moves money. Each pool is its own Celery worker (its own
processes, its own concurrency), so a pool busy to its last slot delays only its own queues:

- ``settlement`` takes ``settlement`` (provider calls: authorisations, captures, refunds, payouts, sweeps) and
  ``default`` (order expiry, idempotency purges): prefork processes.
- ``validation`` takes ``validation`` (uploads: CPU, memory and disk bound): prefork processes.
- ``profiling`` takes ``profiling`` (a published version's quality figures and conversions: CPU and disk bound,
  DuckDB loaded, so more memory than a validation): prefork processes.
- ``webhooks`` takes ``webhooks`` (partner HTTP calls, each ended at its deadline): threads, since a delivery
  mostly waits on the partner's network.

With live streams on (``ICHIBA_MQTT_URL``), one more "pool" is the message counter, not a Celery worker:
``manage.py count_stream_messages`` (streams/counter.py), exactly one process, since it holds the counter's login
and persistent session on the broker; the streams app's own tasks (applying a client's change to the broker, its
sweeps) are on ``default``.

``CELERY_TASK_ROUTES`` (config/settings/base.py) sends ``settlement.webhooks.*`` to ``webhooks`` and nothing else
consumes it, so no delivery runs in the settlement pool. ``manage.py workers`` (``make worker``) starts every pool
on one machine; a deployment runs each pool's command (``manage.py workers --print``) on machines sized for it.
Sizing: docs/operations.md#worker-pools.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from django.conf import settings

from config.market import market_settings, streams_enabled

__all__ = ["Pool", "pools", "worker_command"]


@dataclass(frozen=True)
class Pool:
    name: str
    queues: tuple[str, ...]  # unprefixed names, as in CELERY_TASK_ROUTES
    concurrency: int
    # Celery's execution pool: "prefork" (processes) or "threads"; or "counter", the live streams' message counter.
    execution: str


def pools() -> tuple[Pool, ...]:
    market = market_settings()
    celery = (
        Pool("settlement", ("settlement", "default"), market.worker_concurrency_settlement, "prefork"),
        Pool("validation", ("validation",), market.worker_concurrency_validation, "prefork"),
        Pool("profiling", ("profiling",), market.worker_concurrency_profiling, "prefork"),
        Pool("webhooks", ("webhooks",), market.worker_concurrency_webhooks, "threads"),
    )
    return (*celery, Pool("streams", (), 1, "counter")) if streams_enabled() else celery


def worker_command(pool: Pool, *, loglevel: str = "info") -> list[str]:
    """The ``celery worker`` command of one pool, on this deployment's queue names (``ICHIBA_CELERY_QUEUE_PREFIX``);
    the message counter's management command for the streams pool."""
    if pool.execution == "counter":
        verbosity = "2" if loglevel.lower() == "debug" else "1"
        return [sys.executable, "-m", "django", "count_stream_messages", "-v", verbosity]
    queues = ",".join(f"{settings.CELERY_QUEUE_PREFIX}{queue}" for queue in pool.queues)
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-Q",
        queues,
        "-c",
        str(pool.concurrency),
        "--pool",
        pool.execution,
        "-n",
        f"{pool.name}@%h",
        "-l",
        loglevel,
    ]
