"""The matchers under faults, on PostgreSQL, Redis and real ``manage.py run_matcher`` processes
(docs/operations.md#matchers): a matcher SIGKILLed mid-stream with a standby waiting, and a Redis restarted
mid-stream, empty. Nothing a client was told is lost or doubled, no seat is oversold, every order a client stopped
waiting for is decided exactly once, and while Redis is down placing an order answers 503, never 500."""

from __future__ import annotations

import functools
import json
import shutil
import signal
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from config.api.models import IdempotencyRecord
from config.outage import RETRY_AFTER_SECONDS
from marketplace.matching import streams
from marketplace.matching.matcher import shards_held
from marketplace.matching.streams import MatcherPending
from marketplace.models import Offering, Order, Trade
from marketplace.services.orders import Placed, order_place
from marketplace.services.participants import principal_for
from tests.builders import make_party, signed_in
from tests.fixtures import RedisServer, free_port, unavailable
from tests.integration.invariants import (
    assert_every_trade_has_one_contract_and_one_settlement,
    assert_seats_never_oversold,
)
from tests.integration.market import offering_of, sell
from tests.integration.matchers import matcher_threads, start_matcher_process, streams_mode
from tests.integration.workers import stop_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

PROBLEM = "application/problem+json"


def bid(buyer: Any, offering: Offering, *, price: int) -> Placed:
    return order_place(
        principal=principal_for(buyer.organization),
        offering_id=offering.id,
        side="buy",
        price=price,
        quantity=1,
        accepted_terms_sha256=offering.terms_sha256,
    )


def matcher(shard: int, log: Path) -> subprocess.Popen[str]:
    """A matcher process of ``shard`` once it waits for the shard's lock (its output in ``log``)."""
    process = start_matcher_process(shard, log=log)
    wait_for(lambda: "waiting for its lock" in log.read_text(), what=f"matcher {log.name} to start", process=process)
    return process


def output(log: Path) -> str:
    return log.read_text()[-4000:]


@pytest.fixture
def one_shard(settings: Any) -> Iterator[str]:
    """Every book in shard 0, whose matchers the tests start and kill (replies awaited 3 s)."""
    with streams_mode(settings, shards=1, reply_timeout=3.0) as prefix:
        yield prefix


def test_a_matcher_killed_mid_stream_hands_its_shard_to_the_standby(one_shard: str, tmp_path: Path) -> None:
    """16 buyers for 6 seats of one offering, and bids resting on two others, placed by 8 threads while the
    matcher is SIGKILLed with a standby for the shard waiting. The clients of the dead matcher get their answer
    from the standby, or MatcherPending after 3 s; either way each order is decided exactly once."""
    seller = make_party("Failover Seller", {"seller"})
    scarce = offering_of(seller, seats=6)
    resting = [offering_of(seller, seats=None) for _ in range(2)]
    buyers = [make_party(f"Failover Buyer {i}", {"buyer"}) for i in range(8)]
    primary = matcher(0, tmp_path / "primary.log")
    wait_for(lambda: 0 in shards_held(), what="the primary to take the shard", process=primary)
    standby = matcher(0, tmp_path / "standby.log")
    sell(seller, scarce, quantity=6)

    per_thread = 14
    answered: dict[uuid.UUID, Placed] = {}
    pending: list[uuid.UUID] = []
    failures: list[BaseException] = []
    answered_after_kill: list[uuid.UUID] = []
    killed = threading.Event()
    sent = threading.Semaphore(0)
    lock = threading.Lock()

    def place(index: int) -> None:
        try:
            for n in range(per_thread):
                offering = scarce if n % 2 == 0 else resting[(index + n) % 2]
                price = 1000 if offering is scarce else 500 + index
                try:
                    placed = bid(buyers[index], offering, price=price)
                except MatcherPending as waiting:
                    with lock:
                        pending.append(waiting.order_id)
                else:
                    with lock:
                        answered[placed.order.id] = placed
                        if killed.is_set():
                            answered_after_kill.append(placed.order.id)
                sent.release()
        except BaseException as exc:  # reported to the test, which asserts on it
            with lock:
                failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(i,)) for i in range(len(buyers))]
    for thread in threads:
        thread.start()
    for _ in range(len(buyers) * per_thread // 3):
        assert sent.acquire(timeout=60), f"orders stopped before the kill:\n{output(tmp_path / 'primary.log')}"
    primary.send_signal(signal.SIGKILL)
    primary.wait()
    killed_at = timezone.now()
    killed.set()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    assert not failures, failures

    # Every order a client stopped waiting for is decided, by the standby.
    wait_for(
        lambda: Order.objects.filter(pk__in=pending).count() == len(pending),
        what="the pending orders to be decided",
        process=standby,
    )
    sent_ids = [*answered, *pending]
    assert len(sent_ids) == len(set(sent_ids)) == len(buyers) * per_thread
    bids = Order.objects.filter(offering__in=[scarce, *resting], side="buy")
    assert sorted(bids.values_list("id", flat=True)) == sorted(sent_ids), "each order stored once, none unsent"
    for order_id, placed in answered.items():
        stored = Order.objects.get(pk=order_id)
        assert (stored.status, stored.filled_quantity) == (placed.order.status, placed.order.filled_quantity)
        assert {t.id for t in placed.trades} <= set(Trade.objects.filter(buy_order=stored).values_list("id", flat=True))
    scarce.refresh_from_db()
    assert scarce.seats_sold == 6 and Trade.objects.filter(offering=scarce).count() == 6
    assert not Trade.objects.filter(offering__in=resting).exists()
    assert_seats_never_oversold()
    assert_every_trade_has_one_contract_and_one_settlement()

    # The standby holds the shard and placed orders after the kill.
    assert primary.returncode == -signal.SIGKILL and standby.poll() is None, output(tmp_path / "standby.log")
    assert shards_held() == {0}
    assert answered_after_kill, "no client got an answer after the kill"
    assert Order.objects.filter(pk__in=answered_after_kill, created_at__gt=killed_at).exists()
    stop_worker(standby)
    assert standby.returncode == 0, output(tmp_path / "standby.log")
    stopped = (tmp_path / "standby.log").read_text().rsplit("stopped after ", 1)[1]
    assert int(stopped.split()[0]) > 0, "the standby placed nothing"


@pytest.fixture
def private_redis(redis_server: RedisServer, settings: Any) -> RedisServer:
    """Streams, cache and throttle on a Redis of this test's own, which it kills and starts again."""
    settings.REDIS_URL = redis_server.url(0)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url(0),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    return redis_server


def test_a_redis_restarted_empty_mid_stream_costs_no_order_and_no_matcher(
    private_redis: RedisServer, settings: Any, tmp_path: Path
) -> None:
    """The private Redis runs without persistence, so its restart loses the streams, the consumer group and every
    pending entry: the harder case, where the matcher must create its group again (a Redis that keeps its data
    leaves the group and its pending entries, which the matcher claims again instead). While Redis is down
    ``POST /api/v1/orders`` answers 503 problem+json; every order answered 201 before is stored; once Redis is back
    the same matcher process, still holding its shard, places orders again."""
    with streams_mode(settings, shards=1, reply_timeout=10.0):
        seller, buyer = make_party("Restart Seller", {"seller"}), make_party("Restart Buyer", {"buyer"})
        offering = offering_of(seller, seats=None)
        log = tmp_path / "matcher.log"
        process = matcher(0, log)
        sell(seller, offering, quantity=None)
        body = {
            "offering": str(offering.id),
            "side": "buy",
            "price": 1000,
            "quantity": 1,
            "accepted_terms_sha256": offering.terms_sha256,
        }

        def decided(url: str) -> bool:
            return bool(buyer.client.get(url).status_code == 200)

        def post(key: str) -> Any:
            return buyer.client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY=key)

        before = [post(f"before-{i}") for i in range(5)]
        assert [r.status_code for r in before] == [201] * 5, [r.content for r in before]

        private_redis.kill()
        during = [post(f"during-{i}") for i in range(3)]
        for response in during:
            assert response.status_code == 503, response.content
            assert response["Content-Type"] == PROBLEM and response["Retry-After"] == str(RETRY_AFTER_SECONDS)
            assert response.json()["status"] == 503
        assert process.poll() is None, f"the matcher exited with Redis:\n{output(log)}"

        private_redis.start()  # empty: no stream, no group
        placed = [r.json()["id"] for r in before]
        for i in range(3):
            response = post(f"after-{i}")
            if response.status_code == 202:  # sent before the matcher was back: decided once it is
                wait_for(functools.partial(decided, response["Location"]), what="the order", process=process)
                response = post(f"after-{i}")  # the retry replays what the matcher recorded with the order
            assert response.status_code == 201, response.content
            placed.append(response.json()["id"])
        assert process.poll() is None and shards_held() == {0}, output(log)

        assert Order.objects.filter(offering=offering, side="buy").count() == len(placed) == len(set(placed))
        assert set(map(str, Order.objects.filter(pk__in=placed).values_list("id", flat=True))) == set(placed)
        assert Trade.objects.filter(offering=offering).count() == len(placed)
        assert IdempotencyRecord.objects.filter(key__startswith="during-").count() == 0
        assert_every_trade_has_one_contract_and_one_settlement()
        stop_worker(process)
        assert process.returncode == 0, output(log)
        assert "Redis unavailable" in log.read_text(), output(log)


def test_placing_an_order_while_redis_is_unreachable_answers_503_on_the_api_and_the_web(settings: Any) -> None:
    """Streams pointed at a port where no Redis listens: the API's problem and the form's page, not a 500."""
    with streams_mode(settings, shards=1):
        seller, buyer = make_party("Unreached Seller", {"seller"}), make_party("Unreached Buyer", {"buyer"})
        offering = offering_of(seller, seats=None)
        live, settings.REDIS_URL = settings.REDIS_URL, f"redis://127.0.0.1:{free_port()}/0"
        try:
            api = buyer.client.post(
                "/api/v1/orders",
                {
                    "offering": str(offering.id),
                    "side": "buy",
                    "price": 1000,
                    "quantity": 1,
                    "accepted_terms_sha256": offering.terms_sha256,
                },
                format="json",
            )
            web = signed_in(seller).post(
                f"/offerings/{offering.id}/orders/", {"action": "ask", "price": 1000, "quantity": 2}
            )
        finally:
            settings.REDIS_URL = live
    assert api.status_code == 503 and api["Content-Type"] == PROBLEM, api.content
    assert api.json()["type"].endswith("/service-unavailable") and api["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert web.status_code == 503 and web["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "text/html" in web["Content-Type"]
    assert not Order.objects.filter(offering=offering).exists()


def test_readiness_fails_while_a_shard_has_no_matcher_holding_its_lock(settings: Any) -> None:
    """With matchers, ``/readyz`` reads the shards' advisory locks in pg_locks: ready only while each is held."""
    probe = Client()
    assert "matchers" not in probe.get("/readyz").json(), "nothing to say in process"
    with streams_mode(settings, shards=2):
        none = probe.get("/readyz")
        with matcher_threads(only=(0,)):
            one = probe.get("/readyz")
            with matcher_threads(only=(1,)):
                both = probe.get("/readyz")
        after = probe.get("/readyz")
    assert (none.status_code, none.json()["matchers"]) == (503, {"shards": 2, "without_matcher": [0, 1]})
    assert none.json()["status"] == "not ready" and none["Retry-After"] == "5"
    assert (one.status_code, one.json()["matchers"]["without_matcher"]) == (503, [1])
    assert (both.status_code, both.json()) == (200, {**both.json(), "status": "ready", "database": "ok"})
    assert both.json()["matchers"] == {"shards": 2, "without_matcher": []}
    assert (after.status_code, after.json()["matchers"]["without_matcher"]) == (503, [0, 1]), "stopped: released"


@pytest.fixture
def persistent_redis(tmp_path: Path, settings: Any) -> Iterator[RedisServer]:
    """Streams on a Redis of this test's own that keeps its data across a restart (an append-only file)."""
    executable = shutil.which("redis-server")
    if executable is None:
        unavailable("needs redis-server on PATH: apt-get install -y redis-server")
    assert executable is not None
    (tmp_path / "redis").mkdir()
    server = RedisServer(executable, directory=str(tmp_path / "redis"))
    server.start()
    settings.REDIS_URL = server.url(0)
    try:
        yield server
    finally:
        server.kill()


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock')"
        )
        return bool(cursor.fetchone()[0])


def test_a_batch_committed_while_redis_went_away_is_answered_from_the_database_once_it_is_back(
    persistent_redis: RedisServer, settings: Any
) -> None:
    """The window between a batch's COMMIT and its answers: the test holds the offering's row lock so the matcher
    (a thread here) waits inside its batch, kills Redis, then lets the batch commit. The answers cannot be sent, so
    the entry stays pending; the matcher keeps its shard, and when Redis comes back with its data it claims the
    entry again, finds the order stored and answers it without placing it twice. The request itself answered 503
    (its Redis went away while it waited); its retry with the same Idempotency-Key gets the order."""
    with streams_mode(settings, shards=1, reply_timeout=10.0):
        seller, buyer = make_party("Window Seller", {"seller"}), make_party("Window Buyer", {"buyer"})
        offering = offering_of(seller, seats=None)
        body = {
            "offering": str(offering.id),
            "side": "buy",
            "price": 1000,
            "quantity": 1,
            "accepted_terms_sha256": offering.terms_sha256,
        }
        responses: list[Any] = []
        locked, release = threading.Event(), threading.Event()

        def hold_the_offering() -> None:
            try:
                with transaction.atomic():
                    Offering.objects.select_for_update().get(pk=offering.id)
                    locked.set()
                    release.wait(timeout=60)
            finally:
                connection.close()

        def place() -> None:
            try:
                responses.append(buyer.client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY="gap"))
            finally:
                connection.close()

        with matcher_threads(shards=1) as [matcher]:
            sell(seller, offering, quantity=None)
            holder = threading.Thread(target=hold_the_offering)
            holder.start()
            assert locked.wait(timeout=20)
            client = threading.Thread(target=place)
            client.start()
            wait_for(waiting_on_a_lock, what="the matcher's batch to wait for the offering's lock")
            persistent_redis.kill()
            client.join(timeout=30)
            release.set()
            holder.join(timeout=30)
            wait_for(lambda: Order.objects.filter(offering=offering, side="buy").exists(), what="the batch's commit")
            wait_for(lambda: matcher.stats.redis_outages == 1, what="the matcher to see the outage")
            persistent_redis.start()
            wait_for(lambda: matcher.stats.already_placed == 1, what="the matcher to answer from the database")
            placed = Order.objects.get(offering=offering, side="buy")
            [answer] = streams.client().lrange(streams.reply_key(placed.id), 0, -1)
            retry = buyer.client.post("/api/v1/orders", body, format="json", HTTP_IDEMPOTENCY_KEY="gap")
            after = bid(buyer, offering, price=1000)
            assert shards_held() == {0}
        [response] = responses
        assert response.status_code == 503 and response["Content-Type"] == PROBLEM, response.content
        [order] = Order.objects.filter(offering=offering, side="buy").exclude(pk=after.order.id)
        assert order.id == placed.id, "placed once"
        answered = json.loads(answer)
        assert (answered["status"], answered["order_id"]) == ("placed", str(order.id))
        assert answered["placed"]["order"]["id"] == str(order.id) and len(answered["placed"]["trades"]) == 1, (
            "answered as a batch answers: the order and its trades as stored"
        )
        assert (retry.status_code, retry["Idempotent-Replayed"], retry.json()["id"]) == (201, "true", str(order.id))
        assert len(retry.json()["trades"]) == 1 and Trade.objects.filter(buy_order=order).count() == 1
        assert after.order.status == "filled", "the matcher serves on"
        assert streams.client().xpending(streams.stream_key(0), streams.GROUP)["pending"] == 0
        assert matcher.stats.reclaimed == 1
