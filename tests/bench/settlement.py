"""The settlement pipeline with real Celery workers: trades/s from trade commit to active entitlement, and lag.

Own database ``ichiba_bench_settlement`` on ``ICHIBA_BENCH_PG`` (dropped, created, migrated each run) and Redis
``ICHIBA_BENCH_REDIS`` (default ``redis://127.0.0.1:6379/7``, flushed at start and end: it is the benches' own
DB number). Without either, one ``skipped`` figure. The market is ``matching.build_market``: 20 offerings
with unlimited seats (4 verified sellers), 40 verified buyers whose default payment method is ``pm_card_visa``;
each offering's book holds one unlimited ask at 1030, so every bid at 1030 trades exactly one seat.

This process (and the producers it forks) publishes to Redis like a web server does: ``REDIS_URL`` set and
``CELERY_TASK_ALWAYS_EAGER=false`` before ``django.setup()``. A trade's transaction opens its ``Settlement`` and
its ``settlement.authorize`` message is published on commit; the workers are real ``celery -A config worker -Q
settlement,webhooks,default`` processes (prefork, ``-c`` N, ``--without-mingle --without-gossip
--without-heartbeat``) on the same database, offline payment provider, ``ICHIBA_LOG_LEVEL=ERROR``. Trades are
placed by ``ICHIBA_BENCH_SETTLEMENT_PRODUCERS`` (2) forked producer processes, each with its own database
connection, calling ``marketplace.services.orders.order_place`` with crossing bids on random offerings.

Timestamps are the rows' own: ``trade.executed_at`` (set in the producer just before its COMMIT) and
``entitlement.created_at`` (set in the worker inside the authorisation's transaction); all on one machine.

* ``settlement.sustained``: workers running (the first of ``ICHIBA_BENCH_SETTLEMENT_CONCURRENCY``, default
  ``4,2``: on a shared 2-core machine ``-c 2`` and ``-c 4`` drained within each other's noise and ``-c 8`` was
  slower, the task being CPU-bound; 4 processes get a larger share of the cores the producers and PostgreSQL
  also use, so they lag less under sustained load), producers open-loop at ``ICHIBA_BENCH_SETTLEMENT_RATE``
  trades/s (100) in all for ``ICHIBA_BENCH_SETTLEMENT_SECONDS`` (20): each producer places its share on a fixed
  schedule; when late it places at once (as fast as it can) and it stops at the schedule's end, so
  ``offered_rate`` (trades committed / placing window) says honestly what was offered. Then the pipeline is
  drained (at most 120 s). Per trade ``lag`` = entitlement.created_at - trade.executed_at (p50/p99/max);
  ``end_to_end_trades_per_s`` = entitled trades / (last entitlement - first trade). Target: the offered rate at
  100/s, 100 trades/s end to end, p99 lag under 2 s; both rates within the same 2 % (an end-to-end rate counts
  the last trade's lag too, so it stays under the offered one even with no backlog: 2000 trades on a 19.99 s
  schedule whose last entitlement follows 25 ms later make 99.9/s). CPU (cores) of the workers, PostgreSQL and
  the producers over the placing window, and of the whole machine, from /proc.
* ``settlement.burst``, per concurrency in ``ICHIBA_BENCH_SETTLEMENT_CONCURRENCY``: workers stopped, the
  producers commit ``ICHIBA_BENCH_SETTLEMENT_BURST`` (1000) trades as fast as they can (their messages wait in
  Redis: ``queued_messages``), then the workers start; ``settlements_per_s`` = trades / (last entitlement - first
  entitlement), so the workers' start-up is left out; CPU per settlement from /proc samples inside that window.
  The reference, same run, same worker command: the same number of ``bench.noop`` tasks (defined below: one
  Redis RPUSH of the time; the worker imports this module with ``-I``) published to the ``settlement`` queue
  while the workers are stopped, then drained: ``reference_noop_tasks_per_s`` = tasks / (last - first run), so
  ``ratio_to_noop`` says how close the pipeline is to the task queue's own ceiling on this machine.
* ``settlement.breakdown``: 200 more trades committed, their messages dropped, and their settlements authorised
  one after another in this process (``settlement_authorize``, no broker): ms per settlement, split into SQL
  round trips and Python, statements per settlement and the costliest ones.

Worker processes are always stopped (SIGTERM, then SIGKILL of their process group) in ``finally``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

from celery import shared_task

from tests.bench.common import ROOT, WORK, emit, postgres_cpu_by_pid, redis_problem, worker_environment
from tests.bench.http_load import _cpu_seconds, _machine_busy
from tests.bench.matching import (
    CROSSING_BID_PRICE,
    UNLIMITED_ASK_PRICE,
    Market,
    _statement_kind,
    build_market,
    percentile,
    ran_in_fresh_interpreter,
    recreate_database,
)

DATABASE = "ichiba_bench_settlement"
REDIS_URL = os.environ.get("ICHIBA_BENCH_REDIS", "redis://127.0.0.1:6379/7")
QUEUES = "settlement,webhooks,default"
CONCURRENCIES = tuple(int(n) for n in os.environ.get("ICHIBA_BENCH_SETTLEMENT_CONCURRENCY", "4,2").split(","))
PRODUCERS = int(os.environ.get("ICHIBA_BENCH_SETTLEMENT_PRODUCERS", 2))
RATE = float(os.environ.get("ICHIBA_BENCH_SETTLEMENT_RATE", 100))
SECONDS = float(os.environ.get("ICHIBA_BENCH_SETTLEMENT_SECONDS", 20))
BURST = int(os.environ.get("ICHIBA_BENCH_SETTLEMENT_BURST", 1000))
OFFERINGS = 20
BREAKDOWN = 200  # settlements authorised in-process for settlement.breakdown
DRAIN_TIMEOUT = 120.0
TARGET_TRADES_PER_S = 100.0
TARGET_P99_LAG_S = 2.0
SEED = 20250405
NOOP_KEY = "ichiba-bench:noop"
READY_KEY = "ichiba-bench:ready"

_redis_client: Any = None


def _redis() -> Any:
    global _redis_client
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(os.environ.get("REDIS_URL", REDIS_URL))
    return _redis_client


@shared_task(name="bench.noop", ignore_result=True)
def noop(key: str) -> None:
    """The reference task: as little as a task can do and still be seen (one RPUSH of when it ran)."""
    _redis().rpush(key, repr(time.time()))


# --- setup -------------------------------------------------------------------------------------------------------


def _setup_django(env: dict[str, str]) -> None:
    """This process publishes to Redis (not eager): the environment is read once, by ``django.setup()``."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from config.celery import app

    assert not app.conf.task_always_eager and settings.CELERY_BROKER_URL == REDIS_URL
    call_command("migrate", "--noinput", verbosity=0)


def _prepare(market: Market) -> None:
    from marketplace.hooks import save_payment_method
    from marketplace.services.orders import order_place

    for organization in market.buyer_organizations:
        save_payment_method(organization_id=organization.id, payment_method="pm_card_visa")
    for book in market.books:
        order_place(
            principal=book.seller, offering_id=book.offering_id, side="sell", price=UNLIMITED_ASK_PRICE, quantity=None
        )


# --- workers -------------------------------------------------------------------------------------------------------


@dataclass
class Workers:
    concurrency: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            QUEUES,
            "-c",
            str(self.concurrency),
            "--pool",
            "prefork",
            "-I",
            "tests.bench.settlement",
            "-l",
            "error",
            "-n",
            f"bench-settlement-{os.getpid()}-{time.monotonic_ns()}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
        with self.log.open("ab") as stream:
            # Own session: its prefork children can be killed as a group if the master does not stop them.
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=stream,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds until a task sent now has run (the master forked its children, a child consumed)."""
        client = _redis()
        client.delete(READY_KEY)
        began = time.monotonic()
        _send_noops(1, key=READY_KEY)
        while client.llen(READY_KEY) < 1:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"the worker died; see {self.log}")
            if time.monotonic() - began > timeout:
                raise RuntimeError(f"the worker did not run a task within {timeout} s; see {self.log}")
            time.sleep(0.05)
        return time.monotonic() - began

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # warm shutdown: running tasks finish
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # children the master left behind (it stops them)
            os.killpg(process.pid, signal.SIGKILL)


def _send_noops(count: int, *, key: str) -> None:
    from config.celery import app

    with app.producer_or_acquire() as producer:
        for _ in range(count):
            app.send_task("bench.noop", args=[key], queue="settlement", producer=producer)


def _reset_broker_connections() -> None:
    """Forget this process's broker connections before forking (a child must not share the parent's socket)."""
    from kombu import pools

    from config.celery import app

    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()
    global _redis_client
    _redis_client = None


# --- producers (forked processes) ----------------------------------------------------------------------------


@dataclass
class ProducerResult:
    placed: int
    started: float  # time.time()
    ended: float
    place_s: list[float] = field(default_factory=list)
    late_s: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def _producer(
    index: int,
    count: int,
    interval: float,
    market: Market,
    barrier: Barrier,
    results: multiprocessing.Queue,
    release: Event,
) -> None:
    """Place ``count`` crossing bids; on a schedule of one per ``interval`` s when interval > 0, and then no
    later than the schedule's end (a producer that fell behind stops there, short of ``count``)."""
    from django.db import connection, connections

    from marketplace.services.orders import order_place

    rng = random.Random(SEED + index)
    connection.ensure_connection()
    barrier.wait(timeout=120)
    result = ProducerResult(placed=0, started=time.time(), ended=0.0)
    start = time.monotonic() + index * interval / max(PRODUCERS, 1)  # producers interleave
    for i in range(count):
        if interval > 0:
            now = time.monotonic()
            if now > start + count * interval:
                break
            delay = start + i * interval - now
            if delay > 0:
                time.sleep(delay)
            else:
                result.late_s.append(-delay)
        book = rng.choice(market.books)
        began = time.perf_counter()
        try:
            placed = order_place(
                principal=rng.choice(market.buyers),
                offering_id=book.offering_id,
                side="buy",
                price=CROSSING_BID_PRICE,
                quantity=1,
                accepted_terms_sha256=book.terms_sha256,
            )
            result.placed += len(placed.trades)
        except Exception as exc:  # counted and reported, not fatal
            result.errors[type(exc).__name__] += 1
        result.place_s.append(time.perf_counter() - began)
    result.ended = time.time()
    results.put((index, result))
    release.wait(timeout=120)  # the parent samples CPU first: this backend's counts only while it lives
    connections.close_all()


def _produce(
    market: Market, *, trades: int, rate: float | None, collected_hook: Callable[[], None] | None = None
) -> list[ProducerResult]:
    """Fork the producers (no database or broker connection open here), release them together, collect;
    ``collected_hook`` runs once all have reported, before they close their connections and exit."""
    from django.db import connections

    connections.close_all()
    _reset_broker_connections()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PRODUCERS)
    release = context.Event()
    results: multiprocessing.Queue = context.Queue()
    interval = PRODUCERS / rate if rate else 0.0
    shares = [trades // PRODUCERS + (1 if i < trades % PRODUCERS else 0) for i in range(PRODUCERS)]
    processes = [
        context.Process(target=_producer, args=(i, shares[i], interval, market, barrier, results, release))
        for i in range(PRODUCERS)
    ]
    for process in processes:
        process.start()
    collected: dict[int, ProducerResult] = {}
    deadline = time.monotonic() + 600
    while len(collected) < PRODUCERS and time.monotonic() < deadline:
        try:
            index, result = results.get(timeout=5)
        except Exception:  # queue.Empty: a producer may have died
            if not any(p.is_alive() for p in processes) and results.empty():
                break
            continue
        collected[index] = result
    try:
        if collected_hook is not None and len(collected) == PRODUCERS:
            collected_hook()
    finally:
        release.set()
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.terminate()
    if len(collected) < PRODUCERS:
        raise RuntimeError(f"only {len(collected)} of {PRODUCERS} producers reported")
    return [collected[i] for i in range(PRODUCERS)]


# --- measuring -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pipeline:
    trades: int
    entitled: int
    failed: int
    first_trade: float
    last_trade: float
    first_entitlement: float
    last_entitlement: float
    lags: list[float]


def _pipeline(since: datetime) -> Pipeline:
    """Trades executed since ``since`` and how far their settlements got (epoch seconds)."""
    from django.db import connection

    from settlement.models import Settlement

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM t.executed_at)::float8, extract(epoch FROM e.created_at)::float8, s.status "
            "FROM marketplace_trade t "
            "LEFT JOIN settlement_settlement s ON s.trade_id = t.id "
            "LEFT JOIN settlement_entitlement e ON e.settlement_id = s.id "
            "WHERE t.executed_at >= %s",
            [since],
        )
        rows = cursor.fetchall()
    executed = [row[0] for row in rows]
    entitled = [row[1] for row in rows if row[1] is not None]
    return Pipeline(
        trades=len(rows),
        entitled=len(entitled),
        failed=sum(1 for row in rows if row[2] == Settlement.Status.FAILED),
        first_trade=min(executed, default=0.0),
        last_trade=max(executed, default=0.0),
        first_entitlement=min(entitled, default=0.0),
        last_entitlement=max(entitled, default=0.0),
        lags=[row[1] - row[0] for row in rows if row[1] is not None],
    )


@dataclass(frozen=True)
class Sample:
    at: float  # time.time()
    workers: float  # CPU seconds of the worker master and its children
    postgres: dict[int, float]  # CPU seconds of each PostgreSQL process alive
    busy: float  # jiffies of all CPUs (busy, total)
    total: float


def _sample(workers: Workers) -> Sample:
    busy, total = _machine_busy()
    pid = workers.process.pid if workers.process is not None else 0
    return Sample(time.time(), _cpu_seconds(pid) if pid else 0.0, postgres_cpu_by_pid(), busy, total)


def _usage(first: Sample, last: Sample) -> dict[str, float]:
    elapsed = max(last.at - first.at, 1e-9)
    return {
        "worker_cpu_cores": _round((last.workers - first.workers) / elapsed, 2),
        # Processes alive at the end, from the first sample (0 if started since); one that exited in between
        # is left out (a producer's backend: the figure may undercount, never goes negative).
        "postgres_cpu_cores": _round(
            sum(cpu - first.postgres.get(pid, 0.0) for pid, cpu in last.postgres.items()) / elapsed, 2
        ),
        "machine_cpu_busy": _round((last.busy - first.busy) / max(last.total - first.total, 1.0), 2),
    }


def _drain(since: datetime, workers: Workers) -> tuple[Pipeline, list[Sample]]:
    """Wait until every trade since ``since`` has its entitlement (or failed), at most DRAIN_TIMEOUT; CPU
    samples taken on the way."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    samples = []
    while True:
        samples.append(_sample(workers))
        state = _pipeline(since)
        if state.entitled + state.failed >= state.trades or time.monotonic() > deadline:
            return state, samples
        if workers.process is None or workers.process.poll() is not None:
            raise RuntimeError(f"the worker died; see {workers.log}")
        time.sleep(0.25)


def _drain_usage(state: Pipeline, samples: list[Sample], per_s: float) -> dict[str, Any]:
    """CPU while the workers settled (samples inside first..last entitlement: start-up left out)."""
    inside = [s for s in samples if state.first_entitlement <= s.at <= state.last_entitlement]
    if len(inside) < 2 or inside[-1].at - inside[0].at < 1.0 or not per_s:
        return {}
    usage = _usage(inside[0], inside[-1])
    return {
        **usage,
        "worker_cpu_ms_per_settlement": _round(usage["worker_cpu_cores"] / per_s * 1000, 2),
        "postgres_cpu_ms_per_settlement": _round(usage["postgres_cpu_cores"] / per_s * 1000, 2),
    }


def _breakdown(market: Market, count: int) -> dict[str, Any]:
    """``count`` settlements authorised one after another in this process (no worker, no broker): what one
    authorisation costs, its SQL statements and where their time goes."""
    from django.db import connection

    from settlement.models import Settlement
    from settlement.services.settlements import settlement_authorize

    since = _now()
    _produce(market, trades=count, rate=None)
    _redis().flushdb()  # their messages: authorised here instead
    ids = list(
        Settlement.objects.filter(status=Settlement.Status.PENDING, created_at__gte=since).values_list("id", flat=True)
    )
    sql_s = 0.0
    by_statement: dict[str, list[float]] = {}

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal sql_s
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - began
            sql_s += elapsed
            by_statement.setdefault(_statement_kind(sql), []).append(elapsed)

    total_s = 0.0
    with connection.execute_wrapper(timed):
        for settlement_id in ids:
            began = time.perf_counter()
            settlement_authorize(settlement_id=settlement_id)
            total_s += time.perf_counter() - began
    n = max(len(ids), 1)
    return {
        "settlements": len(ids),
        "ms_per_settlement": _round(total_s / n * 1000, 2),
        "sql_ms_per_settlement": _round(sql_s / n * 1000, 2),
        "python_ms_per_settlement": _round((total_s - sql_s) / n * 1000, 2),
        "statements_per_settlement": _round(sum(len(v) for v in by_statement.values()) / n, 1),
        "one_process_settlements_per_s": _round(n / total_s, 1) if total_s else None,
        "sql_top": [
            {"statement": kind, "calls": _round(len(v) / n, 2), "ms": _round(sum(v) / n * 1000, 2)}
            for kind, v in sorted(by_statement.items(), key=lambda item: -sum(item[1]))[:10]
        ],
    }


def _noop_drain(workers: Workers, count: int) -> float:
    """``count`` noops queued while the workers are stopped, then drained: tasks/s, first to last run."""
    client = _redis()
    client.delete(NOOP_KEY)
    _send_noops(count, key=NOOP_KEY)
    workers.start()
    began = time.monotonic()
    while client.llen(NOOP_KEY) < count:
        if workers.process is None or workers.process.poll() is not None:
            raise RuntimeError(f"the worker died; see {workers.log}")
        if time.monotonic() - began > DRAIN_TIMEOUT:
            break
        time.sleep(0.1)
    times = sorted(float(v) for v in client.lrange(NOOP_KEY, 0, -1))
    workers.stop()
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return len(times) / span if span > 0 else 0.0


def _now() -> datetime:
    return datetime.now(UTC)


def _round(value: float, digits: int = 3) -> float:
    return round(value, digits)


# --- the benchmark ----------------------------------------------------------------------------------------------


def run() -> None:
    if ran_in_fresh_interpreter("settlement"):
        return
    problem = redis_problem(REDIS_URL)
    if problem:
        emit(bench="settlement", skipped=problem)
        return
    url = recreate_database(DATABASE, bench="settlement")
    if url is None:
        return
    data_dir = WORK / "settlement-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = worker_environment(database_url=url, redis_url=REDIS_URL, data_dir=data_dir)
    _setup_django(env)
    _redis().flushdb()
    log = WORK / "settlement-worker.log"
    log.unlink(missing_ok=True)
    workers = Workers(concurrency=CONCURRENCIES[0], env=env, log=log)
    try:
        _run(workers, log)
    finally:
        workers.stop()
        from django.db import connections

        connections.close_all()
        _redis().flushdb()
        shutil.rmtree(data_dir, ignore_errors=True)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # reaped children: the producers, once joined
    return usage.ru_utime + usage.ru_stime


def _run(workers: Workers, log: Path) -> None:
    market = build_market(offerings=OFFERINGS)
    _prepare(market)
    _redis().flushdb()  # build_market queued validation messages nobody consumes (it validated in-process)
    common = {"producers": PRODUCERS, "offerings": OFFERINGS, "cpus": os.cpu_count()}

    # Sustained: workers running, producers open-loop at RATE for SECONDS.
    workers.start()
    ready_s = workers.wait_ready()
    since = _now()
    before, producers_before = _sample(workers), _children_cpu()
    after: list[Sample] = []
    produced = _produce(
        market, trades=int(RATE * SECONDS), rate=RATE, collected_hook=lambda: after.append(_sample(workers))
    )
    usage = _usage(before, after[0])
    placing_window = max(r.ended for r in produced) - min(r.started for r in produced)
    usage["producer_cpu_cores"] = _round((_children_cpu() - producers_before) / placing_window, 2)
    state, _ = _drain(since, workers)
    workers.stop()
    placed = sum(r.placed for r in produced)
    offered = placed / placing_window
    end_to_end = state.entitled / (state.last_entitlement - state.first_trade) if state.entitled else 0.0
    lags = state.lags or [float("nan")]
    late = [s for r in produced for s in r.late_s]
    place_s = [s for r in produced for s in r.place_s]
    errors: Counter[str] = Counter()
    for r in produced:
        errors.update(r.errors)
    p99 = percentile(lags, 0.99)
    emit(
        bench="settlement.sustained",
        worker_concurrency=workers.concurrency,
        target_rate=RATE,
        seconds=_round(placing_window, 1),
        trades=state.trades,
        offered_rate=_round(offered, 1),
        offered_rate_reached=offered >= 0.98 * RATE,
        entitled=state.entitled,
        failed=state.failed,
        unfinished=state.trades - state.entitled - state.failed,
        end_to_end_trades_per_s=_round(end_to_end, 1),
        lag_p50_s=_round(statistics.median(lags)),
        lag_p99_s=_round(p99),
        lag_max_s=_round(max(lags)),
        target_trades_per_s=TARGET_TRADES_PER_S,
        target_p99_lag_s=TARGET_P99_LAG_S,
        meets_target=(
            offered >= 0.98 * RATE
            and end_to_end >= 0.98 * TARGET_TRADES_PER_S
            and p99 < TARGET_P99_LAG_S
            and state.entitled == state.trades
        ),
        producer_late_share=_round(len(late) / max(len(place_s), 1)),
        producer_late_p99_s=_round(percentile(late, 0.99)) if late else 0.0,
        order_place_p50_ms=_round(statistics.median(place_s) * 1000, 2),
        order_place_p99_ms=_round(percentile(place_s, 0.99) * 1000, 2),
        producer_errors=dict(errors),
        worker_ready_s=_round(ready_s, 2),
        **usage,
        load_average_1m=_round(os.getloadavg()[0], 2),
        **common,
    )

    # Burst drain per concurrency, each beside the no-op drain of the same worker command.
    for concurrency in CONCURRENCIES:
        burst = Workers(concurrency=concurrency, env=workers.env, log=log)
        try:
            since = _now()
            produced = _produce(market, trades=BURST, rate=None)
            placing_window = max(r.ended for r in produced) - min(r.started for r in produced)
            queued = int(_redis().llen("settlement"))
            started = time.time()
            burst.start()
            state, samples = _drain(since, burst)
            burst.stop()
            span = state.last_entitlement - state.first_entitlement
            per_s = state.entitled / span if span > 0 else 0.0
            noop_per_s = _noop_drain(burst, state.trades)
        finally:
            burst.stop()
        emit(
            bench="settlement.burst",
            worker_concurrency=concurrency,
            trades=state.trades,
            queued_messages=queued,
            placed_per_s=_round(sum(r.placed for r in produced) / placing_window, 1),
            entitled=state.entitled,
            failed=state.failed,
            settlements_per_s=_round(per_s, 1),
            first_entitlement_after_start_s=_round(state.first_entitlement - started, 2),
            reference="bench.noop tasks, same worker command, same count",
            reference_noop_tasks_per_s=_round(noop_per_s, 1),
            ratio_to_noop=_round(per_s / noop_per_s) if noop_per_s else None,
            target_trades_per_s=TARGET_TRADES_PER_S,
            meets_target=per_s >= TARGET_TRADES_PER_S and state.entitled == state.trades,
            **_drain_usage(state, samples, per_s),
            load_average_1m=_round(os.getloadavg()[0], 2),
            **common,
        )

    emit(bench="settlement.breakdown", **_breakdown(market, BREAKDOWN))
