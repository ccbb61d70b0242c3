"""The way to the matchers: a Redis stream per shard, read by the matchers' consumer group, and a list per order
for the answer.

A request adds its command to its shard's stream (``XADD``) and waits on the order's answer list (``BLPOP``); the
shard's matcher reads the stream in its consumer group (``XREADGROUP``), commits the batch, pushes each answer and
then acknowledges and deletes the batch's entries. An entry read but not acknowledged (its matcher died) stays in
the group's pending list, where the next matcher claims it (``XAUTOCLAIM``); an order the dead matcher had already
committed is not placed again (the successor finds it stored by its id). Redis down: the request answers 503.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from typing import Any

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.api.idempotency import KeyAlreadyUsed
from config.market import market_settings
from config.outage import ServiceDown
from marketplace.matching.commands import Outcome, Place

GROUP = "matchers"
FIELD = "c"  # the command's JSON in its stream entry
REPLY_TTL_SECONDS = 300  # an answer nobody waits for any more is dropped after this


class MatcherPending(ServiceDown):
    """The matcher did not answer in time. The order is decided exactly once, later; its URL tells how. Where a
    caller does not say so itself (the API's orders answer 202, the order form a message), it is a brief outage:
    503 with Retry-After."""

    def __init__(self, order_id: uuid.UUID) -> None:
        super().__init__(f"order {order_id} is waiting for its matcher")
        self.order_id = order_id


def enabled() -> bool:
    """Whether orders go to the shards' matcher processes (``ICHIBA_MATCHERS=streams``)."""
    if market_settings().matchers != "streams":
        return False
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        raise ImproperlyConfigured("ICHIBA_MATCHERS=streams needs PostgreSQL (DATABASE_URL) and REDIS_URL.")
    return True


def stream_key(shard: int) -> str:
    return f"{market_settings().matcher_key_prefix}ichiba:matcher:{shard}"


def reply_key(order_id: uuid.UUID | str) -> str:
    return f"{market_settings().matcher_key_prefix}ichiba:matcher:reply:{order_id}"


_clients: dict[tuple[int, str], Any] = {}
_clients_lock = threading.Lock()


def client() -> Any:
    """This process's Redis client for the matchers (its own pool: a request blocks a connection while it
    waits). Made again after a fork, and for another ``REDIS_URL``. (Typed ``Any``: redis-py's stubs type every command
    sync-or-async.)"""
    key = (os.getpid(), settings.REDIS_URL)
    found = _clients.get(key)
    if found is None:
        with _clients_lock:
            found = _clients.get(key)
            if found is None:
                timeout = market_settings().matcher_reply_timeout.total_seconds()
                found = _clients[key] = redis.Redis.from_url(
                    settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=timeout + 5, health_check_interval=30
                )
    return found


def send(command: Place, *, shard: int) -> Outcome:
    """Send ``command`` to its shard's matcher and wait for the answer: the outcome of an order placed, or the
    refusal raised as its ``DomainError``; ``KeyAlreadyUsed`` if its idempotency key was recorded first by another
    request; ``MatcherPending`` past the reply timeout.

    Redis errors propagate: the request answers 503 (``config.outage``), from ``XADD`` as from ``BLPOP``. The
    command may have reached the stream all the same, and a Redis that kept it hands it to the matcher later: a
    client retries with the same ``Idempotency-Key``, which the matcher records with the order, and never gets a
    second order."""
    redis_client = client()
    redis_client.xadd(stream_key(shard), {FIELD: json.dumps(command.as_json())})
    timeout = market_settings().matcher_reply_timeout.total_seconds()
    reply = redis_client.blpop([reply_key(command.order_id)], timeout=timeout)
    if reply is None:
        raise MatcherPending(command.order_id)
    outcome = Outcome.of_json(json.loads(reply[1]))
    if outcome.status == "refused":
        raise outcome.exception()
    if outcome.status == "key-used":
        raise KeyAlreadyUsed(str(command.order_id))
    return outcome


def answer(pipeline: Any, outcome: Outcome) -> None:
    """Queue ``outcome``'s answer on ``pipeline`` (the matcher sends a batch's answers in one round trip)."""
    key = reply_key(outcome.order_id)
    pipeline.rpush(key, json.dumps(outcome.as_json()))
    pipeline.expire(key, REPLY_TTL_SECONDS)
