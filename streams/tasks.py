"""Celery tasks of the streams app: take ids, call services, safe to run twice (queue ``default``).

A client's change is applied to the broker by ``stream_client_apply`` after the change commits; a broker that is
down leaves it to the sweeper, which re-applies every unapplied change each minute, and the reconciliation compares
the whole broker with the rows every ten minutes. The clients service imports this module at its top to enqueue, so
the tasks import it in their bodies.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from streams.broker import BrokerRefused, BrokerUnavailable

logger = logging.getLogger(__name__)

_TASK = {"acks_late": True, "autoretry_for": (OperationalError,), "max_retries": 3, "soft_time_limit": 60}


@shared_task(name="streams.apply_client", **_TASK)
def stream_client_apply(client_id: str) -> bool:
    from streams.services import clients  # cycle: it imports this module to enqueue

    try:
        return clients.stream_client_apply(client_id=client_id)
    except (BrokerUnavailable, BrokerRefused) as error:  # the sweeper applies it once the broker answers
        logger.warning("stream_apply_deferred client=%s error=%s", client_id, error)
        return False


@shared_task(name="streams.sweep", **_TASK)
def streams_sweep() -> int:
    from streams.services import clients

    try:
        return clients.stream_clients_sweep()
    except BrokerUnavailable as error:
        logger.warning("stream_sweep_deferred error=%s", error)
        return 0


@shared_task(name="streams.reconcile", **{**_TASK, "soft_time_limit": 600})
def streams_reconcile() -> int:
    from streams.services import clients

    try:
        reconciled = clients.stream_clients_reconcile()
    except BrokerUnavailable as error:
        logger.warning("stream_reconcile_deferred error=%s", error)
        return 0
    return reconciled.roles_changed + reconciled.clients_changed + reconciled.orphans_deleted
