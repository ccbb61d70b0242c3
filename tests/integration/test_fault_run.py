"""The fault run (issue 13, "Faults to keep proving"): a bounded load over HTTP while the faults of a bad day
happen, then the sweepers, then every money and data invariant, read in PostgreSQL.

Everything is real and owned by the test: a redis-server of its own on a free port (never the machine's), a
gunicorn serving ``config.wsgi`` against the test database, Celery workers consuming this run's queues, and the
offline payment provider (whose books are tables of the same database). Several partner threads place a few
hundred orders with API keys, each with an ``Idempotency-Key`` they reuse when they retry (what a partner
does when the connection drops or the server answers 5xx); a buyer thread downloads what it bought, which
captures the payment. During the load:

1. the worker is SIGKILLed in the middle of an authorisation (the provider has charged, the worker has not
   heard back), and a new one starts;
2. Redis crashes (all queued messages lost) and comes back empty; requests keep arriving meanwhile;
3. gunicorn crashes with requests in flight (master and workers SIGKILLed) and starts again on the same port.

Threads wait at gates so that each fault happens with load still to come, however fast or slow the machine is;
no assertion is about time. Then the sweepers run (as if later, as the beat schedule would), a worker runs what
they sent and is stopped (``settle``: nothing in flight), and the run checks:
0 oversold seats, 0 double captures (at the provider and in the ledger), a balanced ledger, every trade with
exactly one contract and one settlement, every settlement final or legitimately waiting, exactly one order per
logical request however often it was retried, and no 500 during the Redis outage (nor at any other time).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone

from catalog.models import DatasetVersion
from config.api.models import IdempotencyRecord
from marketplace.models import Order
from settlement.models import Entitlement, OfflinePayment, Settlement
from settlement.services import settlements
from settlement.services.webhooks import webhooks_sweep
from tests.builders import Party, make_party
from tests.fixtures import RedisServer, require_postgres
from tests.integration.invariants import (
    assert_every_settlement_final_or_legitimately_waiting,
    assert_every_trade_has_one_contract_and_one_settlement,
    assert_no_double_capture,
    assert_seats_never_oversold,
    assert_the_ledger_balances,
    broken,
    settle,
)
from tests.integration.servers import WebServer, require_gunicorn
from tests.integration.workers import QUEUES, broker_at, market, publishing_to_broker, start_worker, stop_worker

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6
ORDERS_PER_THREAD = 50  # 300 orders
BUYERS = 4
# An offering's licence seats and its seller's ask: the scarce ones sell out under the load (the rest of the
# crossing bids rest), the unlimited one trades every crossing bid. None: unlimited.
OFFERINGS = ((25, 60), (12, 30), (None, None))
PRICE, RESTING_PRICE = 1000, 900
# Redis stays down until this many answers were received while it was down (and downloads tried).
ANSWERS_DURING_OUTAGE = 40
DOWNLOADS_DURING_OUTAGE = 2
ORDER_DEADLINE_SECONDS = 120  # a logical order retried this long is given up (and the run fails)
GATE_SECONDS = 180
WAIT_SECONDS = 90
REQUEST_TIMEOUT_SECONDS = 30
RETRYABLE = {500, 502, 503, 504}


@dataclass
class Answer:
    status: str  # the HTTP status, or the exception's name when none came back
    during_outage: bool
    path: str


@dataclass
class Run:
    """What the client threads saw, and the switches the test's conductor flips."""

    redis_down: threading.Event = field(default_factory=threading.Event)
    abort: threading.Event = field(default_factory=threading.Event)
    worker_killed: threading.Event = field(default_factory=threading.Event)
    outage_began: threading.Event = field(default_factory=threading.Event)
    outage_over: threading.Event = field(default_factory=threading.Event)
    web_restarted: threading.Event = field(default_factory=threading.Event)
    answers: list[Answer] = field(default_factory=list)
    outcomes: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # key -> final (status, body)
    sent: Counter[str] = field(default_factory=Counter)  # key -> attempts
    replayed: int = 0
    completed: int = 0
    downloads: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: str, path: str, *, sent_during_outage: bool) -> None:
        with self.lock:
            self.answers.append(Answer(status, sent_during_outage or self.redis_down.is_set(), path))

    def statuses(self, *, during_outage: bool | None = None) -> Counter[str]:
        with self.lock:
            return Counter(a.status for a in self.answers if during_outage in (None, a.during_outage))

    def describe(self) -> str:
        return (
            f"{self.completed} orders done, statuses {dict(self.statuses())}, during the Redis outage "
            f"{dict(self.statuses(during_outage=True))}, downloads {dict(self.downloads)}, replays {self.replayed}"
        )

    @property
    def progress(self) -> float:
        return self.completed / (THREADS * ORDERS_PER_THREAD)


# --- the partners ------------------------------------------------------------------------------------------------


def _post(
    run: Run, session: requests.Session, url: str, key: str, *, idempotency_key: str = "", body: Any = None
) -> requests.Response | None:
    down = run.redis_down.is_set()
    path = url.split("/api/v1/", 1)[-1].split("/", 1)[0]
    headers = {"Authorization": f"Bearer {key}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    try:
        response = session.post(url, json=body, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS)
    except requests.RequestException as exc:  # refused, reset, cut mid-response: the web server is down
        run.record(type(exc).__name__, path, sent_during_outage=down)
        session.close()  # its pooled connections died with the server
        return None
    run.record(str(response.status_code), path, sent_during_outage=down)
    return response


def place_orders(run: Run, base: str, index: int, buyer: Party, offerings: list[dict[str, Any]]) -> None:
    """One partner's client: its orders one after another, each retried with its own Idempotency-Key until a
    final answer, waiting at the gates so that each fault still has load after it."""
    gates = ((0.3, run.worker_killed), (0.5, run.outage_began), (0.7, run.outage_over), (0.85, run.web_restarted))
    session = requests.Session()
    for number in range(ORDERS_PER_THREAD):
        for fraction, event in gates:
            if number >= fraction * ORDERS_PER_THREAD:
                event.wait(GATE_SECONDS)
        if run.abort.is_set():
            return
        offering = offerings[(index + number) % len(offerings)]
        body = {
            "offering": offering["id"],
            "side": "buy",
            "quantity": 1,
            "price": RESTING_PRICE if number % 3 == 2 else PRICE,
            "accepted_terms_sha256": offering["terms_sha256"],
        }
        key = str(uuid.uuid4())
        deadline = time.monotonic() + ORDER_DEADLINE_SECONDS
        for attempt in itertools.count():
            with run.lock:
                run.sent[key] += 1
            response = _post(run, session, f"{base}/api/v1/orders", buyer.api_key, idempotency_key=key, body=body)
            final = response is not None and response.status_code not in RETRYABLE
            if final or time.monotonic() > deadline or run.abort.is_set():
                break
            time.sleep(min(1.0, 0.05 * 2**attempt))
        with run.lock:
            if response is not None:
                run.outcomes[key] = (response.status_code, response.json() if response.content else {})
                run.replayed += response.headers.get("Idempotent-Replayed") == "true"
            else:
                run.outcomes[key] = (0, {})
            run.completed += 1


def download_what_was_bought(run: Run, base: str, buyers: list[Party], done: threading.Event) -> None:
    """Buyers fetching their data: a token over the API, then the whole file; the first complete download of an
    entitlement asks for the capture. The first buyer's entitlements are kept for the Redis outage, when asking
    for the capture cannot reach the broker."""
    keys = {b.organization.id: b.api_key for b in buyers}
    reserved = buyers[0].organization.id
    session = requests.Session()
    try:
        while not done.is_set() and not run.abort.is_set():
            down = run.redis_down.is_set()
            entitlement = (
                _undownloaded(list(keys))
                .filter(**({"buyer_id": reserved} if down else {}))
                .exclude(**({} if down else {"buyer_id": reserved}))
                .order_by("?")
                .values("id", "buyer_id")
                .first()
            )
            if entitlement is None:
                time.sleep(0.1)
                continue
            url = f"{base}/api/v1/entitlements/{entitlement['id']}/tokens"
            response = _post(run, session, url, keys[entitlement["buyer_id"]])
            with run.lock:
                run.downloads["tried during outage" if down else "tried"] += 1
            if response is None or response.status_code != 201:
                time.sleep(0.2)
                continue
            try:
                fetched = session.get(response.json()["download_url"], timeout=REQUEST_TIMEOUT_SECONDS)
            except requests.RequestException as exc:
                run.record(type(exc).__name__, "downloads", sent_during_outage=down)
                session.close()
                continue
            run.record(str(fetched.status_code), "downloads", sent_during_outage=down)
            with run.lock:
                run.downloads[f"{fetched.status_code} during outage" if down else str(fetched.status_code)] += 1
            time.sleep(0.2)
    finally:
        connection.close()


def _undownloaded(buyer_ids: list[uuid.UUID]) -> Any:
    return Entitlement.objects.filter(
        buyer_id__in=buyer_ids, status=Entitlement.Status.ACTIVE, first_download_at__isnull=True
    )


# --- the processes ---------------------------------------------------------------------------------------------


@pytest.fixture
def services(
    transactional_db: Any, redis_server: RedisServer, tmp_path: Path
) -> Iterator[tuple[RedisServer, Callable[..., Any], WebServer]]:
    """Its own Redis, a gunicorn on the test database, and a way to start workers; all stopped at the end."""
    require_postgres()
    require_gunicorn()
    redis = redis_server
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis.url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "ICHIBA_TEST_DATA_DIR": str(settings.MEDIA_ROOT),
        "ICHIBA_PAYMENT_PROVIDER": "offline",
        "ICHIBA_LOG_LEVEL": "WARNING",
    }
    web = WebServer(env, tmp_path / "gunicorn.log")
    workers: list[subprocess.Popen[str]] = []

    def worker(name: str, **extra: str) -> subprocess.Popen[str]:
        process = start_worker(queues=QUEUES, name=name, env={**env, **extra})
        workers.append(process)
        return process

    try:
        web.start()
        yield redis, worker, web
    finally:
        web.crash()
        for process in workers:
            stop_worker(process, kill=True)


def _wait(condition: Callable[[], bool], what: str, *, timeout: float = WAIT_SECONDS, run: Run | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            seen = "" if run is None else f": {run.describe()}"
            raise AssertionError(f"timed out waiting for {what}{seen}")
        time.sleep(0.05)


def _charged_but_not_heard() -> bool:
    """A settlement still pending whose payment the provider has already recorded: the worker is inside
    ``authorize``, after the charge, before it applied the answer."""
    pending = Settlement.objects.filter(status=Settlement.Status.PENDING).values_list("id", flat=True)
    return OfflinePayment.objects.filter(metadata__settlement__in=[str(s) for s in pending]).exists()


# --- the run -----------------------------------------------------------------------------------------------------


def test_the_market_keeps_its_invariants_through_a_worker_kill_a_redis_restart_and_a_web_restart(
    services: tuple[RedisServer, Callable[..., Any], WebServer],
) -> None:
    redis, worker, web = services
    seller = make_party("Fault Run Seller", {"seller"})
    buyers = [make_party(f"Fault Run Buyer {i}", {"buyer"}) for i in range(BUYERS)]
    offerings = [market(seller=seller, buyer=buyers[0], seats=seats, ask=ask)[2] for seats, ask in OFFERINGS]
    assert DatasetVersion.objects.filter(status="published").count() == len(OFFERINGS)
    # The first worker is slow to hear the provider back (a test-only hook of the offline provider), so the
    # kill lands between the charge and its bookkeeping.
    slow = worker("slow", ICHIBA_OFFLINE_PROVIDER_DELAY_SECONDS="0.5")

    run = Run()
    downloads_done = threading.Event()
    clients = [
        threading.Thread(target=place_orders, args=(run, web.url, i, buyers[i % BUYERS], offerings), daemon=True)
        for i in range(THREADS)
    ]
    downloader = threading.Thread(
        target=download_what_was_bought, args=(run, web.url, buyers, downloads_done), daemon=True
    )
    killed_mid_authorisation: list[uuid.UUID] = []
    try:
        for thread in [*clients, downloader]:
            thread.start()

        # 1. A worker SIGKILLed after the provider charged, before the settlement heard of it.
        _wait(_charged_but_not_heard, "the slow worker to be inside an authorisation", run=run)
        stop_worker(slow, kill=True)
        killed_mid_authorisation += [
            s.id
            for s in Settlement.objects.filter(status=Settlement.Status.PENDING)
            if OfflinePayment.objects.filter(metadata__settlement=str(s.id)).exists()
        ]
        replacement = worker("after-kill")
        run.worker_killed.set()

        # 2. Redis crashes and comes back empty, with requests (and downloads) arriving meanwhile.
        reserved = _undownloaded([buyers[0].organization.id])
        _wait(
            lambda: run.progress >= 0.4 and reserved.count() >= DOWNLOADS_DURING_OUTAGE,
            "40% of the orders, and entitlements to download during the outage",
            run=run,
        )
        run.redis_down.set()
        redis.kill()
        run.outage_began.set()
        _wait(
            lambda: sum(run.statuses(during_outage=True).values()) >= ANSWERS_DURING_OUTAGE
            and run.downloads["tried during outage"] >= DOWNLOADS_DURING_OUTAGE,
            "answers during the Redis outage",
            run=run,
        )
        redis.start()
        run.redis_down.clear()
        run.outage_over.set()

        # 3. gunicorn crashes with requests in flight and starts again on the same port.
        _wait(lambda: run.progress >= 0.75, "75% of the orders", run=run)
        web.crash()
        web.start()
        run.web_restarted.set()

        for thread in clients:
            thread.join(timeout=ORDER_DEADLINE_SECONDS * 2)
        assert not [t for t in clients if t.is_alive()], "a client thread never finished"
    finally:
        for event in (run.worker_killed, run.outage_began, run.outage_over, run.web_restarted):
            event.set()
        if any(t.is_alive() for t in clients):
            run.abort.set()
        downloads_done.set()
        downloader.join(timeout=60)
        run.redis_down.clear()

    # The worker finishes what the load left, and stops: nothing is in flight while the sweepers look.
    output = settle(redis.url(), [replacement], worker)
    # The sweepers, as the beat schedule runs them once the stuck-after delay has passed: re-drive what a lost
    # message, the killed worker or the crashed web server left behind. Then a worker runs what they sent, and
    # stops: the invariants are read with no task between a provider call and its bookkeeping.
    with publishing_to_broker(), broker_at(redis.url()):
        settlements.settlements_sweep(now=timezone.now() + timedelta(hours=1))
        webhooks_sweep()
    output += settle(redis.url(), [worker("after-sweep")], worker)

    report = run.describe()
    assert killed_mid_authorisation, "the worker was not killed mid-authorisation"
    # Every invariant is checked, and every one that does not hold is reported (not only the first).
    checks: list[Callable[[], None]] = [
        lambda: _assert_the_partners_got_one_order_per_request(run, buyers, report),
        lambda: _assert_no_server_errors(run, report),
        assert_seats_never_oversold,
        assert_every_trade_has_one_contract_and_one_settlement,
        assert_no_double_capture,
        assert_the_ledger_balances,
        lambda: assert_every_settlement_final_or_legitimately_waiting(killed_mid_authorisation),
    ]
    failures = broken(checks)
    assert not failures, "\n".join([*failures, report, "the workers' log:", output[-4000:]])


# --- the invariants, read in PostgreSQL -------------------------------------------------------------------------


def _assert_the_partners_got_one_order_per_request(run: Run, buyers: list[Party], report: str) -> None:
    # The faults really happened to requests: some were retried after the web server went away.
    retried = [key for key, attempts in run.sent.items() if attempts > 1]
    unanswered = sum(n for status, n in run.statuses().items() if not status.isdigit())
    assert unanswered > 0, f"no request met the crashed web server; {report}"
    assert retried, report
    # Every logical order got its 201 (first time or replayed), each names an order of its own, and the
    # database holds exactly those orders: a retry never placed a second one.
    assert len(run.outcomes) == THREADS * ORDERS_PER_THREAD
    failed = {key: outcome for key, outcome in run.outcomes.items() if outcome[0] != 201}
    assert not failed, f"{len(failed)} orders never placed: {list(failed.values())[:5]}; {report}"
    placed = {body["id"] for _, body in run.outcomes.values()}
    assert len(placed) == THREADS * ORDERS_PER_THREAD
    stored = Order.objects.filter(organization_id__in=[b.organization.id for b in buyers]).values_list("id", flat=True)
    assert {str(order_id) for order_id in stored} == placed
    records = IdempotencyRecord.objects.filter(scope__in=[b.organization.id.hex for b in buyers])
    assert records.count() == THREADS * ORDERS_PER_THREAD


def _assert_no_server_errors(run: Run, report: str) -> None:
    assert run.statuses(during_outage=True)["500"] == 0, f"500s while Redis was down; {report}"
    assert run.statuses()["500"] == 0, f"500s; {report}"
