"""The API budget (config/api/throttling.py): one per organisation, whichever key or session spends it; counted so
that parallel clients get exactly the budget, no more; let through, and counted as such, when Redis is down."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from typing import Any

import pytest
from rest_framework.test import APIClient

from config.api.throttling import fail_open_count
from marketplace.services.participants import api_key_create
from tests.builders import make_party, signed_in
from tests.fixtures import RedisServer, require_redis

THREADS = 8
CALLS_PER_THREAD = 6
BUDGET = 13  # fewer than THREADS * CALLS_PER_THREAD, and not a multiple of THREADS


def key_client(organization: Any, name: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_create(organization=organization, name=name).secret}")
    return client


def race(clients: list[Any], calls: int) -> Counter[int]:
    """Every client calls GET /api/v1/me ``calls`` times in its own thread, all released at once."""
    start = threading.Barrier(len(clients))
    codes: Counter[int] = Counter()
    lock = threading.Lock()

    def run(client: Any) -> None:
        start.wait()
        mine = [client.get("/api/v1/me").status_code for _ in range(calls)]
        with lock:
            codes.update(mine)

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", ["redis", "local memory"])
def test_parallel_clients_get_exactly_the_budget(store: str, settings: Any) -> None:
    """Eight keys of one organisation call at once: exactly the budget passes, on Redis (every web process) as
    in the one process of ``make run``. DRF's throttle, which reads the history, decides and writes it back, let
    parallel clients through far past it."""
    if store == "redis":
        require_redis()
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.ICHIBA = {**settings.ICHIBA, "ORGANIZATION_RATE": f"{BUDGET}/hour"}
    party = make_party("Parallel Partner", {"buyer"})
    clients = [key_client(party.organization, f"key {index}") for index in range(THREADS)]
    codes = race(clients, CALLS_PER_THREAD)
    assert codes == Counter({200: BUDGET, 429: THREADS * CALLS_PER_THREAD - BUDGET})


@pytest.mark.django_db
def test_keys_and_member_sessions_share_one_budget(seller: Any, buyer: Any, settings: Any) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "ORGANIZATION_RATE": "4/min"}
    session = signed_in(seller)
    other_key = key_client(seller.organization, "other")
    assert [c.get("/api/v1/me").status_code for c in (seller.client, session, other_key, session)] == [200] * 4
    for spender in (seller.client, session, other_key):
        refused = spender.get("/api/v1/me")
        assert refused.status_code == 429, "the organisation's one budget is spent, whoever asks"
        assert refused["Content-Type"] == "application/problem+json"
        assert 1 <= int(refused["Retry-After"]) <= 60
    assert buyer.client.get("/api/v1/me").status_code == 200, "another organisation has its own budget"


@pytest.mark.django_db
def test_an_unreachable_store_lets_requests_through_and_counts_them(
    seller: Any, redis_server: RedisServer, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis gone (killed; nothing listens on its port any more) costs the metering, not the API."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url(),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.ICHIBA = {**settings.ICHIBA, "ORGANIZATION_RATE": "1/min"}
    assert [seller.client.get("/api/v1/me").status_code for _ in range(2)] == [200, 429]
    redis_server.kill()
    before = fail_open_count()
    with caplog.at_level(logging.WARNING, logger="config.api.throttling"):
        codes = [seller.client.get("/api/v1/me").status_code for _ in range(3)]
    assert codes == [200, 200, 200], "a budget of one is not enforced while its store is down: fail open"
    assert fail_open_count() == before + 3
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("throttle_store_unavailable")]
    assert len(lines) == 3 and f"count={before + 3} " in lines[-1], lines
