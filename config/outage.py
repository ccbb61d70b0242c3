"""What counts as a brief outage of a service the market leans on (Redis as cache or broker, the MQTT broker of live
streams), and its answer.

A request that cannot be served because such a service is down answers ``503`` with ``Retry-After`` (a problem
document for the API, a page for people), never ``500``: the client did nothing wrong and should simply try again.
Paths that need no such service never get here: the throttle fails open (config/api/throttling.py) and tasks are
enqueued after commit with broker errors logged (the sweepers re-send them), so this is the net under whatever
is left, not the way the market usually copes.
"""

from __future__ import annotations

from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["RETRY_AFTER_SECONDS", "ServiceDown", "is_outage"]

# What a client is told to wait: about how long a Redis restart or fail-over takes.
RETRY_AFTER_SECONDS = 30


class ServiceDown(Exception):
    """A service a higher app's own client talks to did not answer in time (streams/broker.py: the MQTT broker).

    The client raises a subclass naming the service; the answer is the same 503 as for Redis."""


# Celery wraps the broker's connection errors in kombu's OperationalError; the cache raises redis-py's.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (BrokerError, RedisConnectionError, RedisTimeoutError, ServiceDown)


def is_outage(error: BaseException) -> bool:
    return isinstance(error, OUTAGE_ERRORS)
