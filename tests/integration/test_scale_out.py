"""The proof that the market scales out (issue 19): two web servers and two Celery workers, all on one PostgreSQL
database and one Redis, take an open-loop load split between the servers, and the market's invariants hold.

Everything is real and owned by the test: a redis-server of its own on a free port, two gunicorns serving
``config.wsgi`` on two free ports against the test database (each with its own prometheus-client multi-process
directory, as each web machine has), two Celery workers consuming the same queues (settlement, default, webhooks),
the offline payment provider, and a partner's webhook receiver on loopback. Every process is stopped when the test
ends, however it ends.

The load is open-loop: requests arrive at a fixed rate from a pool of client threads whatever the servers' answers
take (a slow answer does not slow the arrivals, as with real partners), alternating between the two servers:

- buyers racing for the seats of the same offerings (two with few seats, sold out under the load, one unlimited);
- buyers downloading what they bought: a download token from one server, the file from the other (a complete
  download asks a worker for the capture);
- webhook deliveries: every buyer and the seller listen for their trades and entitlements, and the workers post
  them to the receiver.

Afterwards, with the workers stopped and nothing queued or in flight: no seat oversold, every trade with exactly
one contract and one settlement, no double capture, a balanced ledger, every settlement final or legitimately
waiting, every webhook delivered and received, both servers and both workers did part of the work; and each
server's ``/metrics`` counts exactly the requests it answered, per route, method and status, so that the two
servers' counts add up to the load sent. No assertion is about time.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from settlement.models import Entitlement, Settlement, WebhookDelivery, WebhookEndpoint
from settlement.services.webhooks import webhooks_sweep
from tests.builders import Party, make_party, metric_samples
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
from tests.integration.workers import (
    QUEUES,
    broker_at,
    buy,
    market,
    publishing_to_broker,
    start_worker,
    stop_worker,
)

pytestmark = pytest.mark.django_db(transaction=True)

SERVERS = 2
WORKERS = 2
GUNICORN_WORKERS = 2  # sync worker processes per server
BUYERS = 6
# Licence seats and the seller's ask of each offering: the scarce ones sell out under the load (the crossing bids
# after that rest on the book), the unlimited one trades every bid. None: unlimited.
OFFERINGS = ((8, 8), (8, 8), (None, None))
UNLIMITED = 2
PRICE = 1000
# The open loop: ARRIVALS at RATE a second, each an order but every DOWNLOAD_EVERY-th a download (two requests).
RATE = 20.0
ARRIVALS = 200
DOWNLOAD_EVERY = 4
CLIENT_THREADS = 16
REQUEST_TIMEOUT_SECONDS = 30
EVENTS = ["trade.executed", "entitlement.granted"]
# The Django routes the load calls (the URL patterns, as the request metrics label them).
ORDERS = "api/v1/orders"
TOKENS = "api/v1/entitlements/<str:entitlement_id>/tokens"
DOWNLOAD = "api/v1/downloads/<str:token>"
EXPECTED = {ORDERS: 201, TOKENS: 201, DOWNLOAD: 200}
METRICS_TOKEN = "scale-out-metrics-token"
REQUESTS_SERVED = "ichiba_http_request_duration_seconds_count"


# --- the partner's webhook receiver -------------------------------------------------------------------------------


@dataclass
class Receiver:
    url: str = ""
    received: list[tuple[str, str, str]] = field(default_factory=list)  # (path, event id, event type)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def event_ids(self) -> set[tuple[str, str]]:
        with self.lock:
            return {(path, event_id) for path, event_id, _ in self.received}


@contextlib.contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.received.append(
                    (self.path, self.headers.get("Ichiba-Event-Id", ""), self.headers.get("Ichiba-Event-Type", ""))
                )
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# --- the processes ---------------------------------------------------------------------------------------------


@dataclass
class Deployment:
    redis: RedisServer
    web: list[WebServer]
    workers: list[subprocess.Popen[str]]
    worker_logs: list[Path]
    start_worker: Callable[[str], subprocess.Popen[str]]


@pytest.fixture
def deployment(transactional_db: Any, redis_server: RedisServer, tmp_path: Path) -> Iterator[Deployment]:
    """Two gunicorns and two workers on the test database and one Redis; every one stopped at the end."""
    require_postgres()
    require_gunicorn()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_server.url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "ICHIBA_TEST_DATA_DIR": str(settings.MEDIA_ROOT),
        "ICHIBA_PAYMENT_PROVIDER": "offline",
        "ICHIBA_LOG_LEVEL": "WARNING",
        # /metrics as production reads it: with the token, not as a loopback peer.
        "ICHIBA_METRICS_TOKEN": METRICS_TOKEN,
    }
    started: list[subprocess.Popen[str]] = []
    logs: list[Path] = []

    def worker(name: str) -> subprocess.Popen[str]:
        log = tmp_path / f"worker-{len(started)}.log"
        # Info: each task's line, so the log shows which worker ran what.
        process = start_worker(queues=QUEUES, name=name, env=env, log=log, loglevel="info")
        started.append(process)
        logs.append(log)
        return process

    with contextlib.ExitStack() as stack:
        web = []
        for index in range(SERVERS):
            metrics = tmp_path / f"metrics-{index}"  # each web machine's own multi-process directory
            metrics.mkdir()
            server = WebServer(
                {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)},
                tmp_path / f"gunicorn-{index}.log",
                workers=GUNICORN_WORKERS,
            )
            stack.callback(server.crash)
            web.append(server)
        with ThreadPoolExecutor(max_workers=SERVERS) as starting:  # side by side: each takes seconds to import
            list(starting.map(WebServer.start, web))  # raises what a start raised
        stack.callback(_kill, started)
        workers = [worker(f"scale-out-{index}") for index in range(WORKERS)]
        yield Deployment(redis_server, web, workers, logs, worker)


def _kill(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:  # those settle() stopped already are left alone
        stop_worker(process, kill=True)


# --- the load --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    at: float  # seconds after the load began
    server: int
    buyer: int
    download: bool
    offering: int


def plan() -> list[Arrival]:
    """Fixed arrivals: alternating servers, buyers in turn, every DOWNLOAD_EVERY-th a download, the orders spread
    over the offerings so that every offering is raced for from both servers."""
    return [
        Arrival(
            at=number / RATE,
            server=number % SERVERS,
            buyer=number % BUYERS,
            download=number % DOWNLOAD_EVERY == DOWNLOAD_EVERY - 1,
            offering=(number // SERVERS) % len(OFFERINGS),
        )
        for number in range(ARRIVALS)
    ]


@dataclass
class Load:
    servers: list[WebServer]
    buyers: list[Party]
    offerings: list[dict[str, Any]]
    # (server index, route, method, status or the exception's name): what the clients saw.
    answers: Counter[tuple[int, str, str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, server: int, route: str, method: str, outcome: requests.Response | Exception) -> None:
        status = str(outcome.status_code) if isinstance(outcome, requests.Response) else type(outcome).__name__
        with self.lock:
            self.answers[(server, route, method, status)] += 1
            if status != str(EXPECTED[route]):
                detail = outcome.text[:300] if isinstance(outcome, requests.Response) else str(outcome)
                self.errors.append(f"{method} {route} on server {server}: {status} {detail}")

    def per_route(self) -> Counter[tuple[str, str, str]]:
        with self.lock:
            totals: Counter[tuple[str, str, str]] = Counter()
            for (_, route, method, status), count in self.answers.items():
                totals[(route, method, status)] += count
            return totals

    def describe(self) -> str:
        with self.lock:
            return f"answers {dict(self.answers)}; first errors {self.errors[:5]}"

    def call(self, server: int, route: str, method: str, url: str, **kwargs: Any) -> requests.Response | None:
        try:
            response = requests.request(method, url, timeout=REQUEST_TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as exc:
            self.record(server, route, method, exc)
            return None
        self.record(server, route, method, response)
        return response

    def arrive(self, arrival: Arrival) -> None:
        try:
            if arrival.download:
                self.download(arrival)
            else:
                self.order(arrival)
        except Exception as exc:  # reported with the answers: a client thread must never die silently
            with self.lock:
                self.errors.append(f"client failed on {arrival}: {exc!r}")
        finally:
            connection.close()  # the download's query opened one in this thread

    def order(self, arrival: Arrival) -> None:
        offering = self.offerings[arrival.offering]
        body = {
            "offering": offering["id"],
            "side": "buy",
            "quantity": 1,
            "price": PRICE,
            "accepted_terms_sha256": offering["terms_sha256"],
        }
        key = self.buyers[arrival.buyer].api_key
        base = self.servers[arrival.server].url
        self.call(arrival.server, ORDERS, "POST", f"{base}/api/v1/orders", json=body, headers=_bearer(key))

    def download(self, arrival: Arrival) -> None:
        """A download token from this arrival's server, the file from the other one."""
        buyer = self.buyers[arrival.buyer]
        held = Entitlement.objects.filter(buyer_id=buyer.organization.id, status=Entitlement.Status.ACTIVE)
        # What it has not downloaded yet first (its first complete download asks for the capture); there is
        # always something: every buyer bought before the load.
        first = F("first_download_at").asc(nulls_first=True)
        entitlement = held.order_by(first, "?").values_list("id", flat=True).first()
        assert entitlement is not None, "a buyer holds no entitlement"
        base = self.servers[arrival.server].url
        url = f"{base}/api/v1/entitlements/{entitlement}/tokens"
        token = self.call(arrival.server, TOKENS, "POST", url, headers=_bearer(buyer.api_key))
        if token is None or token.status_code != 201:
            return
        other = (arrival.server + 1) % SERVERS
        file_url = token.json()["download_url"].replace(base, self.servers[other].url, 1)
        assert file_url.startswith(self.servers[other].url), file_url
        self.call(other, DOWNLOAD, "GET", file_url)


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def run_open_loop(load: Load, arrivals: list[Arrival]) -> None:
    """Each arrival handed to the client threads at its time, whether or not earlier ones were answered."""
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENT_THREADS, thread_name_prefix="partner") as clients:
        for arrival in arrivals:
            wait = began + arrival.at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            clients.submit(load.arrive, arrival)


# --- the run ---------------------------------------------------------------------------------------------------


def test_two_web_servers_and_two_workers_share_one_market_under_an_open_loop_load(deployment: Deployment) -> None:
    seller = make_party("Scale Out Seller", {"seller"})
    buyers = [make_party(f"Scale Out Buyer {index}", {"buyer"}) for index in range(BUYERS)]
    offerings = [market(seller=seller, buyer=buyers[0], seats=seats, ask=ask)[2] for seats, ask in OFFERINGS]
    # Every buyer already holds something to download (bought in this process, settled at once).
    bought_before = {buy(buyer, offerings[UNLIMITED]).id for buyer in buyers}
    with webhook_receiver() as receiver:
        for party in [seller, *buyers]:
            endpoint = {"url": f"{receiver.url}/hooks/{party.organization.id}", "events": EVENTS}
            response = party.client.post("/api/v1/webhook-endpoints", endpoint, format="json")
            assert response.status_code == 201, response.content

        load = Load(deployment.web, buyers, offerings)
        run_open_loop(load, plan())
        served = [_served(server) for server in deployment.web]

        # The workers finish what the load left (the sweeper sends, as beat would, a delivery long overdue) and
        # stop: the invariants are read with no task between a provider call and its bookkeeping.
        broker = deployment.redis.url()
        output = settle(broker, deployment.workers, deployment.start_worker, idle=lambda: _idle(broker))
        received = receiver.event_ids()

    report = load.describe()
    checks: list[Callable[[], None]] = [
        lambda: _assert_every_request_answered_as_expected(load),
        lambda: _assert_both_servers_and_both_workers_worked(load, deployment),
        lambda: _assert_each_servers_metrics_count_the_requests_it_served(load, served),
        assert_seats_never_oversold,
        assert_every_trade_has_one_contract_and_one_settlement,
        assert_no_double_capture,
        assert_the_ledger_balances,
        assert_every_settlement_final_or_legitimately_waiting,
        lambda: _assert_every_webhook_delivered_and_received(bought_before, received),
    ]
    failures = broken(checks)
    assert not failures, "\n".join([*failures, report, "the workers' log:", output[-4000:]])


def _idle(broker: str) -> bool:
    """Nothing left for a worker: every settlement authorised or final, every capture asked for made, every
    delivery sent. A delivery long overdue (deferred under its endpoint's cap, say) is sent again, as beat would."""
    pending = Settlement.objects.filter(status=Settlement.Status.PENDING).exists()
    downloaded = Exists(Entitlement.objects.filter(settlement=OuterRef("pk"), first_download_at__isnull=False))
    uncaptured = Settlement.objects.filter(downloaded, status=Settlement.Status.AUTHORIZED).exists()
    undelivered = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).exists()
    if undelivered:
        with publishing_to_broker(), broker_at(broker):
            webhooks_sweep(now=timezone.now() - timedelta(seconds=10))
    return not (pending or uncaptured or undelivered)


def _assert_every_request_answered_as_expected(load: Load) -> None:
    assert not load.errors, f"{len(load.errors)} unexpected answers: {load.errors[:10]}"
    sent = load.per_route()
    arrivals = plan()
    orders = sum(not arrival.download for arrival in arrivals)
    downloads = sum(arrival.download for arrival in arrivals)
    assert sent == Counter(
        {(ORDERS, "POST", "201"): orders, (TOKENS, "POST", "201"): downloads, (DOWNLOAD, "GET", "200"): downloads}
    )


def _served(server: WebServer) -> Counter[tuple[str, str, str]]:
    """What a server's ``/metrics`` says it served of the load's routes, per route, method and status: every one of
    its gunicorn workers' requests, summed through its multi-process directory."""
    response = requests.get(f"{server.url}/metrics", headers=_bearer(METRICS_TOKEN), timeout=REQUEST_TIMEOUT_SECONDS)
    assert response.status_code == 200, response.text[:500]
    served: Counter[tuple[str, str, str]] = Counter()
    for name, labels, value in metric_samples(response.content):
        if name == REQUESTS_SERVED and labels["route"] in EXPECTED:
            served[(labels["route"], labels["method"], labels["status"])] += int(value)
    return served


def _assert_each_servers_metrics_count_the_requests_it_served(
    load: Load, served: list[Counter[tuple[str, str, str]]]
) -> None:
    sent: list[Counter[tuple[str, str, str]]] = [Counter() for _ in range(SERVERS)]
    for (server, route, method, status), count in load.answers.items():
        sent[server][(route, method, status)] += count
    assert served == sent, f"/metrics of each server {served} != requests each served {sent}"
    # And so their sum is the load sent, per route.
    assert sum(served, Counter()) == load.per_route()


def _assert_both_servers_and_both_workers_worked(load: Load, deployment: Deployment) -> None:
    for index in range(SERVERS):
        served = [count for (server, route, _, _), count in load.answers.items() if server == index and route == ORDERS]
        assert sum(served) > 0, f"server {index} placed no order"
    for log in deployment.worker_logs[:WORKERS]:
        assert " succeeded in " in log.read_text(errors="replace"), f"{log.name} ran no task"


def _assert_every_webhook_delivered_and_received(bought_before: set[uuid.UUID], received: set[tuple[str, str]]) -> None:
    deliveries = WebhookDelivery.objects.select_related("endpoint")
    not_delivered = deliveries.exclude(status=WebhookDelivery.Status.DELIVERED).values("status", "last_error")
    assert not not_delivered.exists(), f"deliveries not delivered: {list(not_delivered)[:5]}"
    # Every trade of the load was announced to its buyer and its seller, and each entitlement granted to its buyer.
    load_settlements = Settlement.objects.exclude(pk__in=bought_before)
    expected = {(s.buyer_id, "trade.executed", str(s.trade_id)) for s in load_settlements}
    expected |= {(s.seller_id, "trade.executed", str(s.trade_id)) for s in load_settlements}
    expected |= {
        (e.buyer_id, "entitlement.granted", str(e.id))
        for e in Entitlement.objects.exclude(settlement_id__in=bought_before)
    }
    announced = {(d.endpoint.organization_id, d.event_type, d.payload["data"]["id"]) for d in deliveries}
    assert expected and announced == expected
    assert WebhookEndpoint.objects.count() == BUYERS + 1
    # And the receiver got each one at the endpoint's address.
    sent = {(f"/hooks/{d.endpoint.organization_id}", str(d.event_id)) for d in deliveries}
    assert sent <= received, f"{len(sent - received)} deliveries recorded as delivered never reached the receiver"
