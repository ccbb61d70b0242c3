"""The API budget: one per organisation, counted atomically, and never a reason to fail a request.

One budget per organisation (``ICHIBA_ORGANIZATION_RATE``), shared by all its API keys and its members' browser
sessions: a second key or a signed-in tab does not buy a second budget. The budget is a sliding window (at most N
requests in any period), as DRF's own throttle counts, but DRF's reads the history, decides, then writes it back:
parallel requests all read the same history and all pass. Here the decision and the write are one step:

- with Redis (``REDIS_URL``), a Lua script run by Redis itself, so requests from every web process and thread are
  counted one after the other, on Redis's clock (web hosts' clocks need not agree);
- with the local-memory cache (``make run``: one process), the same sliding log in memory under a lock.

When Redis cannot be reached the request is let through (fails open): an outage of the counter store must not take
the whole API down with it (ADR 5: losing Redis delays work, it loses none and refuses nobody). Each such request is
logged with the running count of requests let through since the process started
(``throttle_store_unavailable count=N``), so an operator sees the outage and how much traffic went unmetered.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any, cast

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from config.api.principal import principal_of
from config.market import Rate, market_settings

logger = logging.getLogger(__name__)

__all__ = ["OrganizationRateThrottle", "Verdict", "fail_open_count", "organization_hit", "rate_hit", "redis_client"]

# KEYS[1]: the log (a sorted set of request ids scored by their time in ms). ARGV: the limit, the window in ms,
# a unique id for this request. Returns {1, 0} when the request is counted, {0, ms until a slot frees} when not.
# Redis runs a script alone: nothing can happen between the count and the add.
_SLIDING_LOG = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
    redis.call('ZADD', KEYS[1], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[1], window)
    return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}
"""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    # Seconds until the budget has room again (0 when allowed).
    retry_after: float


class _MemoryLogs:
    """The sliding log of each key in this process, for the local-memory cache (``make run`` is one process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._logs: dict[str, deque[float]] = {}

    def hit(self, key: str, rate: Rate) -> Verdict:
        window = rate.period.total_seconds()
        now = time.monotonic()
        with self._lock:
            log = self._logs.setdefault(key, deque())
            while log and log[0] <= now - window:
                log.popleft()
            if len(log) < rate.requests:
                log.append(now)
                return Verdict(allowed=True, retry_after=0.0)
            return Verdict(allowed=False, retry_after=log[0] + window - now)

    def clear(self) -> None:
        with self._lock:
            self._logs.clear()


_memory = _MemoryLogs()
_fail_open_lock = threading.Lock()
_fail_open_count = 0


def redis_client(*, key: str | None = None, write: bool = False) -> Any:
    """The redis-py client behind the default cache (Django's RedisCache keeps it private), or None without one."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    return cast(Any, cache)._cache.get_client(key, write=write)


def rate_hit(key: str, rate: Rate) -> Verdict:
    """Count one request against ``key``'s budget, unless it is spent; raises RedisError if Redis is down."""
    full_key = caches["default"].make_and_validate_key(key)
    client = redis_client(key=full_key, write=True)
    if client is None:
        return _memory.hit(key, rate)
    script = client.register_script(_SLIDING_LOG)
    window_ms = max(1, int(rate.period.total_seconds() * 1000))
    allowed, wait_ms = script(keys=[full_key], args=[rate.requests, window_ms, uuid.uuid4().hex])
    return Verdict(allowed=bool(allowed), retry_after=max(0, int(wait_ms)) / 1000)


def fail_open_count() -> int:
    """Requests this process let through unmetered because the counter store was unreachable."""
    return _fail_open_count


def _fail_open(key: str, error: Exception) -> None:
    global _fail_open_count
    with _fail_open_lock:
        _fail_open_count += 1
        count = _fail_open_count
    logger.warning(
        "throttle_store_unavailable count=%d key=%s error=%s: request let through unmetered",
        count,
        key,
        type(error).__name__,
    )


def organization_hit(organization_id: uuid.UUID) -> Verdict:
    """Count one request against the organisation's budget (``ICHIBA_ORGANIZATION_RATE``); allowed, unmetered,
    when the counter store cannot be reached. The partner API's throttle and the Dataspace Protocol's endpoints
    (dataspace/api/dsp.py, plain Django views) draw on this one budget."""
    key = f"throttle:organization:{organization_id.hex}"
    try:
        return rate_hit(key, market_settings().organization_rate)
    except RedisError as error:
        _fail_open(key, error)
        return Verdict(allowed=True, retry_after=0.0)


class OrganizationRateThrottle(BaseThrottle):
    """One budget per calling organisation, whether it calls with an API key or a member's session. Anonymous
    calls are not counted here (the views they may reach are public reads)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        principal = principal_of(request)
        if principal is None:
            return True
        verdict = organization_hit(principal.organization_id)
        self._wait = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        # Retry-After is whole seconds: round up, so a client that waits exactly that long finds room.
        return None if self._wait is None else float(max(1, -(-self._wait // 1)))
