"""Open-loop HTTP load of order placements against gunicorn + PostgreSQL: 100, 200 and 400 orders/s.

Own database ``ichiba_bench_http`` on ``ICHIBA_BENCH_PG`` (dropped, created, migrated), the market of
``tests/bench/matching.py`` (``ICHIBA_BENCH_HTTP_OFFERINGS`` offerings, unlimited seats, each book an unlimited
ask at 1030, finite asks at 1000..1020, five resting bids) and an API key per buyer. Before each rate the books
are reset (other resting orders cancelled, the seed placed again) and a fresh gunicorn is started
(``config.wsgi:application`` on 127.0.0.1, ``DJANGO_DEBUG=false``, no Redis, API-key throttle out of the way)
and warmed up, so no rate inherits the previous one's backlog.

The generator is open-loop: request i of rate R is due at ``start + i / R`` whatever happened to the previous
ones, and its latency runs from that due time to the end of its response, so queueing anywhere (client,
kernel backlog, gunicorn, the offering's row lock) is counted (no coordinated omission). It is one asyncio
loop with raw keep-alive HTTP/1.1 connections (a new one whenever none is idle, at most
``ICHIBA_BENCH_HTTP_MAX_CONNECTIONS``). ``generator_lag_*`` is how late the loop itself fired requests (its
own schedule slip on the 2 shared cores); ``errors`` counts every response other than 201 and every request
that failed or did not finish within ``ICHIBA_BENCH_HTTP_DRAIN`` seconds after the window.

Each request: ``POST /api/v1/orders``, a buyer's key, a random offering, a GTC buy limit order for one seat
with the offering's ``accepted_terms_sha256``; half at 1030 (match the ask), half at 900..990 (rest). With
``ICHIBA_BENCH_HTTP_IDEMPOTENCY_KEYS=1`` each request also carries a fresh ``Idempotency-Key`` (as a partner's
retry-safe client would), in the reference too; off by default, so figures stay comparable with earlier runs.

The reference, same run: the same requests one at a time in this process, through the Django test client
(middleware, DRF, view, service, SQL; no socket, no concurrency), and ``order_place`` alone; their
difference is Django/DRF's own share of a request.

Server variants ``ICHIBA_BENCH_HTTP_SERVERS`` (default ``sync:5,gthread:3x2``: worker class, processes and
threads; on a quiet 2-core machine both meet the target at 200/s, gthread 3x2 with the lower p99 and the later
saturation, ~320/s against ~285/s); each gets all rates.
Each figure also says where the CPU went during the window (gunicorn's processes, PostgreSQL's, the
generator's, the whole machine's busy fraction: other work on the shared machine shows there). The generator
runs ``ICHIBA_BENCH_HTTP_GENERATOR_NICE_BOOST`` nice steps ahead during the window when allowed, so that it
fires on time on cores the server saturates. The product's target: 200 orders/s sustained, p99 under 50 ms,
no errors (``product_target`` marks that figure; ``ok`` applies the same test to every rate).
(``ICHIBA_BENCH_HTTP_SERVERS=`` empty runs none of them.)

Through the shards' matchers (issue 18; ``marketplace.http_orders.matchers``, skipped without Redis
``ICHIBA_BENCH_REDIS``, see ``tests/bench/matchers.py``): a ``manage.py run_matcher`` per shard (2 shards) and one
gunicorn (``ICHIBA_BENCH_HTTP_MATCHER_SERVER``, default ``gthread:3x8``: a request waits on its answer, so
threads) with ``ICHIBA_MATCHERS=streams`` and the settings ``tests.bench.settings``, which also mount
``GET /api/v1/bench/noop`` (``tests.bench.urls``): authenticated by the same API keys, throttled and rendered like
every API view, and nothing else. Its saturation is the web tier's ceiling on this machine. Both endpoints climb the
rate ladder ``ICHIBA_BENCH_HTTP_MATCHER_RATES`` (default 100..2200/s), ``ICHIBA_BENCH_HTTP_MATCHER_SECONDS`` (default
10) per step, the same open-loop generator, alternating which goes first at each step (ABBA), each until a step
fails (p99 >= 50 ms, an error, or under 98 % of the rate achieved); a figure per step
(``marketplace.http_orders.matchers_step``), then the highest rate each sustained, their ratio (target: orders at
least 0.4x the no-op ceiling) and the matchers' batch sizes and time per order over the whole ladder.
``ceiling_is_last_step`` says the no-op never failed (the ladder, not the server, was the limit).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench import matchers
from tests.bench.common import (
    WORK,
    emit,
    gunicorn_start,
    postgres_cpu_by_pid,
    process_stop,
    redis_problem,
)
from tests.bench.matching import (
    CROSSING_BID_PRICE,
    RESTING_BID_PRICES,
    Market,
    build_market,
    percentile,
    ran_in_fresh_interpreter,
    recreate_database,
    reset_books,
    resting_per_offering,
    server_settings,
    setup_django,
)

DATABASE = "ichiba_bench_http"
RATES = tuple(int(r) for r in os.environ.get("ICHIBA_BENCH_HTTP_RATES", "100,200,400").split(","))
DURATION = float(os.environ.get("ICHIBA_BENCH_HTTP_SECONDS", 20))
N_OFFERINGS = int(os.environ.get("ICHIBA_BENCH_HTTP_OFFERINGS", 100))
SERVERS = os.environ.get("ICHIBA_BENCH_HTTP_SERVERS", "sync:5,gthread:3x2")
MAX_CONNECTIONS = int(os.environ.get("ICHIBA_BENCH_HTTP_MAX_CONNECTIONS", 1000))
DRAIN = float(os.environ.get("ICHIBA_BENCH_HTTP_DRAIN", 30))  # seconds allowed after the window
REQUEST_TIMEOUT = DRAIN + DURATION
WARMUP_REQUESTS = 100
REFERENCE_REQUESTS = int(os.environ.get("ICHIBA_BENCH_HTTP_REFERENCE_REQUESTS", 200))
TARGET_RATE = 200
TARGET_P99_MS = 50
SHARE_CROSSING = 0.5
SEED = 20250405
API_KEY_RATE = "1000000/min"
GENERATOR_NICE_BOOST = int(os.environ.get("ICHIBA_BENCH_HTTP_GENERATOR_NICE_BOOST", 5))
IDEMPOTENCY_KEYS = os.environ.get("ICHIBA_BENCH_HTTP_IDEMPOTENCY_KEYS", "") == "1"
# Through the matchers: one gunicorn, the rate ladder, each step this long; the target is against the no-op ceiling.
MATCHER_SERVER = os.environ.get("ICHIBA_BENCH_HTTP_MATCHER_SERVER", "gthread:3x8")
LADDER = "100,200,300,400,600,800,1000,1200,1500,1800,2200"
MATCHER_RATES = tuple(int(r) for r in os.environ.get("ICHIBA_BENCH_HTTP_MATCHER_RATES", LADDER).split(","))
MATCHER_STEP_SECONDS = float(os.environ.get("ICHIBA_BENCH_HTTP_MATCHER_SECONDS", 10))
CEILING_TARGET_RATIO = 0.4


@dataclass(frozen=True)
class Server:
    worker_class: str
    workers: int
    threads: int

    @classmethod
    def parse(cls, spec: str) -> Server:
        worker_class, _, size = spec.strip().partition(":")
        workers, _, threads = size.partition("x")
        return cls(worker_class, int(workers or 5), int(threads or 1))

    @property
    def label(self) -> str:
        return f"{self.worker_class}:{self.workers}x{self.threads}"


# --- the requests -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Orders:
    """Pre-rendered request bodies and keys: the generator only picks, formats nothing."""

    bodies: list[tuple[str, bytes]]  # (api key, body)

    @classmethod
    def build(cls, market: Market, keys: list[str], count: int, seed: int) -> Orders:
        rng = random.Random(seed)
        bodies = []
        for _ in range(count):
            book = rng.choice(market.books)
            crossing = rng.random() < SHARE_CROSSING
            body = {
                "offering": str(book.offering_id),
                "side": "buy",
                "type": "limit",
                "price": CROSSING_BID_PRICE if crossing else rng.choice(RESTING_BID_PRICES),
                "quantity": 1,
                "time_in_force": "gtc",
                "accepted_terms_sha256": book.terms_sha256,
            }
            bodies.append((rng.choice(keys), json.dumps(body).encode()))
        return cls(bodies)

    def request(self, index: int, port: int) -> bytes:
        key, body = self.bodies[index % len(self.bodies)]
        # A fresh key per request (bodies repeat across the warm-up and the rates: a reused key would replay).
        idempotency = f"Idempotency-Key: {os.urandom(16).hex()}\r\n" if IDEMPOTENCY_KEYS else ""
        head = (
            f"POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nAccept: application/json\r\n{idempotency}"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body


@dataclass(frozen=True)
class Noops:
    """``GET /api/v1/bench/noop`` with the buyers' keys (``tests.bench.urls``)."""

    keys: list[str]

    def request(self, index: int, port: int) -> bytes:
        key = self.keys[index % len(self.keys)]
        return (
            f"GET /api/v1/bench/noop HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
            "Accept: application/json\r\n\r\n"
        ).encode()


# --- the open-loop generator ------------------------------------------------------------------------------------


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()


async def _exchange(conn: _Connection, request: bytes) -> tuple[int, bool]:
    """Send one request, read its whole response: (status, whether the server keeps the connection)."""
    conn.writer.write(request)
    head = await conn.reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    keep = lines[0].startswith("HTTP/1.1")
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection":
            keep = value.strip().lower() != "close"
    if length:
        await conn.reader.readexactly(length)
    return status, keep


@dataclass
class LoadResult:
    rate: int
    scheduled: int
    latencies: list[float] = field(default_factory=list)  # seconds, due time -> response end, 201s only
    all_latencies: list[float] = field(default_factory=list)  # every finished request
    lags: list[float] = field(default_factory=list)  # generator: fired - due
    statuses: Counter[str] = field(default_factory=Counter)
    first_due: float = 0.0
    last_end: float = 0.0
    connections_opened: int = 0
    peak_in_flight: int = 0
    expect: int = 201  # the status of a request that succeeded

    @property
    def ok(self) -> int:
        return self.statuses.get(str(self.expect), 0)

    @property
    def errors(self) -> int:
        return self.scheduled - self.ok


async def open_loop(
    port: int, orders: Orders | Noops, *, rate: float, duration: float, offset: int = 0, expect: int = 201
) -> LoadResult:
    loop = asyncio.get_running_loop()
    count = int(rate * duration)
    result = LoadResult(rate=int(rate), scheduled=count, expect=expect)
    idle: list[_Connection] = []
    slots = asyncio.Semaphore(MAX_CONNECTIONS)
    in_flight = 0

    async def connect() -> _Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        result.connections_opened += 1
        return _Connection(reader, writer)

    async def one(index: int, due: float) -> None:
        nonlocal in_flight
        request = orders.request(offset + index, port)
        async with slots:
            in_flight += 1
            result.peak_in_flight = max(result.peak_in_flight, in_flight)
            conn = idle.pop() if idle else None
            reused = conn is not None
            try:
                try:
                    if conn is None:
                        conn = await connect()
                    status, keep = await _exchange(conn, request)
                except (asyncio.IncompleteReadError, ConnectionError) as exc:
                    # A kept-alive connection the server had closed before reading this request: once more on a
                    # fresh one (the request never reached the application).
                    if conn is None or not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                        raise
                    conn.close()
                    conn = await connect()
                    status, keep = await _exchange(conn, request)
                end = loop.time()
                result.statuses[str(status)] += 1
                result.all_latencies.append(end - due)
                if status == expect:
                    result.latencies.append(end - due)
                result.last_end = max(result.last_end, end)
                if keep:
                    idle.append(conn)
                else:
                    conn.close()
            except Exception as exc:
                result.statuses[type(exc).__name__] += 1
                if conn is not None:
                    conn.close()
            finally:
                in_flight -= 1

    tasks: set[asyncio.Task[None]] = set()
    start = loop.time() + 0.05
    result.first_due = start
    interval = 1.0 / rate
    for index in range(count):
        due = start + index * interval
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        result.lags.append(max(0.0, loop.time() - due))
        task = asyncio.create_task(asyncio.wait_for(one(index, due), REQUEST_TIMEOUT))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        done, pending = await asyncio.wait(set(tasks), timeout=DRAIN)
        for task in pending:
            task.cancel()
        if pending:
            result.statuses["unfinished"] += len(pending)
            await asyncio.wait(pending, timeout=5)
        for task in done:
            if not task.cancelled() and isinstance(task.exception(), asyncio.TimeoutError):
                result.statuses["timeout"] += 1
    for conn in idle:
        conn.close()
    return result


# --- the server ---------------------------------------------------------------------------------------------------


def _start_server(server: Server, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    options = ["--workers", str(server.workers), "--worker-class", server.worker_class, "--keep-alive", "60"]
    options += ["--backlog", "4096", "--timeout", "120", "--log-level", "warning"]
    if server.worker_class == "gthread":
        options += ["--threads", str(server.threads)]
    return gunicorn_start(options, env=env, log=log)


def _warm(port: int, orders: Orders) -> dict[str, int]:
    """Requests one after another until every worker has served some (first requests import and connect)."""
    result = asyncio.run(open_loop(port, orders, rate=25, duration=WARMUP_REQUESTS / 25, offset=10**6))
    return dict(result.statuses)


# --- the in-process reference --------------------------------------------------------------------------------


def _reference(market: Market, keys: list[str]) -> dict[str, float]:
    """The same requests one at a time in this process: through the Django test client, then ``order_place``
    alone; SQL time (statement round trips, COMMIT excluded) and statements counted in each."""
    from django.db import connection
    from django.test import Client

    from marketplace.services.orders import order_place

    sql = {"seconds": 0.0, "statements": 0}

    def timed(execute: Any, statement: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql["seconds"] += time.perf_counter() - began
            sql["statements"] += 1

    orders = Orders.build(market, keys, REFERENCE_REQUESTS, seed=SEED - 1)
    client = Client()

    def headers() -> dict[str, str]:
        return {"Idempotency-Key": os.urandom(16).hex()} if IDEMPOTENCY_KEYS else {}

    for _, body in orders.bodies[:20]:  # warm
        client.post(
            "/api/v1/orders",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {keys[0]}", **headers()},
        )
    request_s = []
    with connection.execute_wrapper(timed):
        for key, body in orders.bodies:
            extra = {"Authorization": f"Bearer {key}", **headers()}
            began = time.perf_counter()
            response = client.post("/api/v1/orders", body, content_type="application/json", headers=extra)
            request_s.append(time.perf_counter() - began)
            assert response.status_code == 201, response.content
    request_sql = dict(sql)
    sql.update(seconds=0.0, statements=0)
    by_key = {str(b.offering_id): b for b in market.books}
    rng = random.Random(SEED - 2)
    service_s = []
    with connection.execute_wrapper(timed):
        for _, body in orders.bodies:
            data = json.loads(body)
            principal = rng.choice(market.buyers)
            began = time.perf_counter()
            order_place(
                principal=principal,
                offering_id=by_key[data["offering"]].offering_id,
                side="buy",
                price=data["price"],
                quantity=1,
                accepted_terms_sha256=data["accepted_terms_sha256"],
            )
            service_s.append(time.perf_counter() - began)
    n = len(orders.bodies)
    return {
        "reference_request_p50_ms": round(statistics.median(request_s) * 1000, 2),
        "reference_request_p99_ms": round(percentile(request_s, 0.99) * 1000, 2),
        "reference_request_mean_ms": round(statistics.mean(request_s) * 1000, 2),
        "reference_request_sql_ms": round(request_sql["seconds"] / n * 1000, 2),
        "reference_request_statements": round(request_sql["statements"] / n, 1),
        "reference_service_p50_ms": round(statistics.median(service_s) * 1000, 2),
        "reference_service_p99_ms": round(percentile(service_s, 0.99) * 1000, 2),
        "reference_service_mean_ms": round(statistics.mean(service_s) * 1000, 2),
        "reference_service_sql_ms": round(sql["seconds"] / n * 1000, 2),
        "reference_service_statements": round(sql["statements"] / n, 1),
        "reference_django_share_ms": round((statistics.mean(request_s) - statistics.mean(service_s)) * 1000, 2),
        "reference_capacity_orders_per_s_one_process": round(1 / statistics.mean(request_s), 1),
    }


def _prioritise_generator() -> tuple[int, int]:
    """(niceness before, during the window): the generator needs little CPU but must wake on time on 2 cores
    the server saturates, so it runs GENERATOR_NICE_BOOST steps ahead when allowed (gunicorn, already
    started, keeps its own niceness)."""
    before = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        os.setpriority(os.PRIO_PROCESS, 0, before - GENERATOR_NICE_BOOST)
    except OSError:  # not allowed: the lag figures say what that cost
        return before, before
    return before, os.getpriority(os.PRIO_PROCESS, 0)


def _postgres_cpu() -> float:
    """User + system CPU seconds of every PostgreSQL process alive now (backends, WAL writer...)."""
    return sum(postgres_cpu_by_pid().values())


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's workers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --- the benchmark ----------------------------------------------------------------------------------------------


def run() -> None:
    if ran_in_fresh_interpreter("http_load"):
        return
    if importlib.util.find_spec("gunicorn") is None:
        emit(bench="marketplace.http_orders", skipped='needs gunicorn: pip install "gunicorn>=23,<24"')
        return
    url = recreate_database(DATABASE, bench="marketplace.http_orders")
    if url is None:
        return
    data_dir = WORK / "http-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["ICHIBA_API_KEY_RATE"] = API_KEY_RATE
    setup_django(url, str(data_dir))
    try:
        _run(url, data_dir)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(url: str, data_dir: Path) -> None:
    from django.db import connections

    from marketplace.services.participants import api_key_create

    settings = server_settings(url)
    market = build_market(offerings=N_OFFERINGS)
    keys = [api_key_create(organization=o, name="bench").secret for o in market.buyer_organizations]
    reset_books(market, seed=SEED)
    reference = _reference(market, keys)
    emit(bench="marketplace.http_orders.reference", offerings=len(market.books), **reference)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": url,
        "ICHIBA_DATA_DIR": str(data_dir),
        "ICHIBA_API_KEY_RATE": API_KEY_RATE,
        "ICHIBA_LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    log = WORK / "http_load-gunicorn.log"
    log.unlink(missing_ok=True)
    warm_orders = Orders.build(market, keys, WARMUP_REQUESTS, seed=SEED - 3)
    for server_index, spec in enumerate(filter(None, SERVERS.split(","))):
        server = Server.parse(spec)
        for rate in RATES:
            orders = Orders.build(market, keys, int(rate * DURATION), seed=SEED + rate + server_index)
            reset_books(market, seed=SEED + rate)
            with connections["default"].cursor() as cursor:
                cursor.execute("ANALYZE")
            connections.close_all()
            process, port = _start_server(server, env, log)
            try:
                warm = _warm(port, warm_orders)
                cpu_before, wall_before = _cpu_seconds(process.pid), time.monotonic()
                busy_before, total_before = _machine_busy()
                own_before, postgres_before = _own_cpu(), _postgres_cpu()
                niceness = _prioritise_generator()
                try:
                    result = asyncio.run(open_loop(port, orders, rate=rate, duration=DURATION))
                finally:
                    os.setpriority(os.PRIO_PROCESS, 0, niceness[0])
                elapsed = time.monotonic() - wall_before
                generator_cpu = (_own_cpu() - own_before) / elapsed
                postgres_cpu = (_postgres_cpu() - postgres_before) / elapsed
                server_cpu = (_cpu_seconds(process.pid) - cpu_before) / elapsed
                busy_after, total_after = _machine_busy()
                machine_busy = (busy_after - busy_before) / max(total_after - total_before, 1.0)
            finally:
                process_stop(process)
            cpu = (server_cpu, postgres_cpu, generator_cpu, machine_busy)
            _emit(result, server, warm, cpu, niceness[1], reference, settings, resting_per_offering())
    _run_matchers(url, data_dir, market, keys, settings)


def _emit(
    result: LoadResult,
    server: Server,
    warm: dict[str, int],
    cpu: tuple[float, float, float, float],
    generator_niceness: int,
    reference: dict[str, float],
    settings: dict[str, str],
    book: float,
) -> None:
    window = max(DURATION, result.last_end - result.first_due) if result.last_end else DURATION
    finished = result.latencies or [float("nan")]
    everything = result.all_latencies or [float("nan")]
    p99 = percentile(finished, 0.99) * 1000
    achieved = result.ok / window
    errors = {k: v for k, v in result.statuses.items() if k != "201"}
    emit(
        bench="marketplace.http_orders",
        server=server.label,
        target_rate=result.rate,
        seconds=DURATION,
        idempotency_keys=IDEMPOTENCY_KEYS,
        requests=result.scheduled,
        achieved_rate=round(achieved, 1),
        p50_ms=round(statistics.median(finished) * 1000, 2),
        p99_ms=round(p99, 2),
        max_ms=round(max(everything) * 1000, 2),
        errors=result.errors,
        error_kinds=errors,
        target_p99_ms=TARGET_P99_MS,
        ok=result.errors == 0 and p99 < TARGET_P99_MS and achieved >= 0.98 * result.rate,
        product_target=result.rate == TARGET_RATE,
        generator_lag_p99_ms=round(percentile(result.lags, 0.99) * 1000, 2),
        generator_lag_max_ms=round(max(result.lags) * 1000, 2),
        connections_opened=result.connections_opened,
        peak_in_flight=result.peak_in_flight,
        gunicorn_cpu_cores=round(cpu[0], 2),
        postgres_cpu_cores=round(cpu[1], 2),
        generator_cpu_cores=round(cpu[2], 2),
        generator_niceness=generator_niceness,
        machine_cpu_busy=round(cpu[3], 2),
        load_average_1m=round(os.getloadavg()[0], 2),
        resting_orders_per_offering_at_end=book,
        warmup=warm,
        **reference,
        pg_fsync=settings["fsync"],
        pg_synchronous_commit=settings["synchronous_commit"],
    )


# --- through the matchers (ICHIBA_MATCHERS=streams) ---------------------------------------------------------------


def _step(
    port: int, requests: Orders | Noops, *, rate: int, expect: int, pids: dict[str, list[int]]
) -> tuple[LoadResult, dict[str, float]]:
    """One open-loop window at ``rate``; the cores the processes of ``pids`` (by role), PostgreSQL and the whole
    machine used during it."""
    busy_before, total_before = _machine_busy()
    roles_before = {role: sum(_cpu_seconds(pid) for pid in found) for role, found in pids.items()}
    postgres_before, wall_before = _postgres_cpu(), time.monotonic()
    niceness = _prioritise_generator()
    try:
        result = asyncio.run(open_loop(port, requests, rate=rate, duration=MATCHER_STEP_SECONDS, expect=expect))
    finally:
        os.setpriority(os.PRIO_PROCESS, 0, niceness[0])
    elapsed = time.monotonic() - wall_before
    busy_after, total_after = _machine_busy()
    return result, {
        **{
            f"{role}_cpu_cores": round((sum(_cpu_seconds(pid) for pid in found) - roles_before[role]) / elapsed, 2)
            for role, found in pids.items()
        },
        "postgres_cpu_cores": round((_postgres_cpu() - postgres_before) / elapsed, 2),
        "machine_cpu_busy": round((busy_after - busy_before) / max(total_after - total_before, 1.0), 2),
    }


def _step_figures(result: LoadResult) -> dict[str, Any]:
    window = max(MATCHER_STEP_SECONDS, result.last_end - result.first_due) if result.last_end else MATCHER_STEP_SECONDS
    finished = result.latencies or [float("nan")]
    p99 = percentile(finished, 0.99) * 1000
    achieved = result.ok / window
    return {
        "rate": result.rate,
        "achieved_rate": round(achieved, 1),
        "p50_ms": round(statistics.median(finished) * 1000, 2),
        "p99_ms": round(p99, 2),
        "errors": result.errors,
        "error_kinds": {k: v for k, v in result.statuses.items() if k != str(result.expect)},
        "generator_lag_p99_ms": round(percentile(result.lags, 0.99) * 1000, 2) if result.lags else 0.0,
        "ok": result.errors == 0 and p99 < TARGET_P99_MS and achieved >= 0.98 * result.rate,
    }


def _run_matchers(url: str, data_dir: Path, market: Market, keys: list[str], settings: dict[str, str]) -> None:
    """Order placement through gunicorn + the shards' matchers, beside the no-op endpoint on the same gunicorn:
    both stepped up the rate ladder, alternating which goes first at each step, each until a step fails."""
    from django.db import connections

    from tests.bench.matching import _dataset_of, _matchers_warm

    problem = redis_problem(matchers.REDIS_URL)
    if problem:
        emit(bench="marketplace.http_orders.matchers", skipped=problem)
        return
    matchers.flush_redis()
    reset_books(market, seed=SEED - 10)
    dataset_of = _dataset_of(market)
    connections.close_all()
    env = {
        **matchers.environment(url, data_dir),
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        "ICHIBA_API_KEY_RATE": API_KEY_RATE,
        "ICHIBA_LOG_LEVEL": "WARNING",
    }
    server = Server.parse(MATCHER_SERVER)
    running = [
        matchers.MatcherProcess(shard, env=env, log=WORK / f"http_load-matcher-{shard}.log")
        for shard in range(matchers.SHARDS)
    ]
    process = None
    steps: list[dict[str, Any]] = []
    try:
        for matcher in running:
            matcher.wait_holding()
        _matchers_warm(market, dataset_of)
        process, port = _start_server(server, env, WORK / "http_load-gunicorn.log")
        noops = Noops(keys)
        warm = {
            "orders": _warm(port, Orders.build(market, keys, WARMUP_REQUESTS, seed=SEED - 11)),
            "noop": dict(asyncio.run(open_loop(port, noops, rate=50, duration=2, expect=200)).statuses),
        }
        before = [m.summary() for m in running]
        failed = {"orders": False, "noop": False}
        for step, rate in enumerate(MATCHER_RATES):
            kinds = ("orders", "noop") if step % 2 == 0 else ("noop", "orders")
            for kind in kinds:
                if failed[kind]:
                    continue
                if kind == "orders":
                    requests: Orders | Noops = Orders.build(market, keys, int(rate * MATCHER_STEP_SECONDS), SEED + rate)
                else:
                    requests = noops
                pids = {"gunicorn": [process.pid], "matchers": [m.process.pid for m in running]}
                result, machine = _step(port, requests, rate=rate, expect=201 if kind == "orders" else 200, pids=pids)
                figures = {
                    "endpoint": kind,
                    "requests": result.scheduled,
                    **_step_figures(result),
                    **machine,
                    "load_average_1m": round(os.getloadavg()[0], 2),
                }
                emit(bench="marketplace.http_orders.matchers_step", server=server.label, **figures)
                steps.append(figures)
                failed[kind] = not figures["ok"]
            if all(failed.values()):
                break
        matched = matchers.window(running, before, sum(s["requests"] for s in steps if s["endpoint"] == "orders"))
    finally:
        if process is not None:
            process_stop(process)
        for matcher in running:
            matcher.stop()
        matchers.flush_redis()

    def sustained(kind: str) -> int:
        return max((s["rate"] for s in steps if s["endpoint"] == kind and s["ok"]), default=0)

    ceiling, orders = sustained("noop"), sustained("orders")
    ratio = orders / ceiling if ceiling else 0.0
    emit(
        bench="marketplace.http_orders.matchers",
        server=server.label,
        shards=matchers.SHARDS,
        step_seconds=MATCHER_STEP_SECONDS,
        orders_sustained_rate=orders,
        noop_ceiling_rate=ceiling,
        ratio_to_ceiling=round(ratio, 3),
        target_ratio=CEILING_TARGET_RATIO,
        target_p99_ms=TARGET_P99_MS,
        ok=ratio >= CEILING_TARGET_RATIO,
        ceiling_is_last_step=ceiling == MATCHER_RATES[-1],
        steps={
            kind: {str(s["rate"]): [s["p99_ms"], s["errors"]] for s in steps if s["endpoint"] == kind}
            for kind in ("orders", "noop")
        },
        matcher=matchers.breakdown(matched),
        warmup=warm,
        resting_orders_per_offering_at_end=resting_per_offering(),
        pg_fsync=settings["fsync"],
        pg_synchronous_commit=settings["synchronous_commit"],
    )
