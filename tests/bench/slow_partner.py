"""A slow partner beside payments: authorisation p99 with and without trickling webhook receivers, same run.

Issue 13, finding 1: a receiver trickling one header byte every 3 s kept a delivery alive for minutes, and since
webhooks and settlement shared one worker, another buyer's authorisation took 115 s. Here the workers are what
``make worker`` starts (``manage.py workers``: one Celery worker per pool) on the settlement bench's market
(``ichiba_bench_slow_partner`` on ``ICHIBA_BENCH_PG``, Redis ``ICHIBA_BENCH_REDIS``; skipped without either).

* Without: once WARM_UP trades have settled unmeasured (the pools have started),
  ``ICHIBA_BENCH_SLOW_PARTNER_TRADES`` (200) trades placed open-loop at ``ICHIBA_BENCH_SLOW_PARTNER_RATE`` (10/s) by
  the settlement bench's producers; each trade's authorisation lag = entitlement.created_at - trade.executed_at
  (the entitlement is granted in the authorisation's transaction).
* With: every buyer registers ``ENDPOINTS_PER_BUYER`` (4) endpoints for every event type on a receiver in this
  process that answers each delivery one header byte every ``TRICKLE_SECONDS`` (3 s); the same number of trades
  at the same rate. The webhooks pool is saturated by slow deliveries the whole time (each cut at its deadline,
  ``ICHIBA_WEBHOOK_TIMEOUT_SECONDS``); the figure says what that does to authorisations: the p99 with receivers
  beside the p99 without, and the webhook attempts made meanwhile (how many timed out, the longest).

One JSON line, ``settlement.slow_partner``. The pools are stopped (SIGTERM to the launcher, then SIGKILL of its
process group) in ``finally``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench.common import ROOT, WORK, emit, redis_problem, worker_environment
from tests.bench.matching import build_market, percentile, ran_in_fresh_interpreter, recreate_database
from tests.bench.settlement import (
    REDIS_URL,
    _pipeline,
    _prepare,
    _produce,
    _redis,
    _setup_django,
)

DATABASE = "ichiba_bench_slow_partner"
TRADES = int(os.environ.get("ICHIBA_BENCH_SLOW_PARTNER_TRADES", 200))
RATE = float(os.environ.get("ICHIBA_BENCH_SLOW_PARTNER_RATE", 10))
WARM_UP = 20  # trades settled before measuring: the pools have started and forked
OFFERINGS = 20
ENDPOINTS_PER_BUYER = 4
TRICKLE_SECONDS = 3.0
TRICKLE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
DRAIN_TIMEOUT = 180.0


class Trickler:
    """Answers every request one byte per TRICKLE_SECONDS, until the client hangs up."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/hooks"
        self.stop = threading.Event()
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):
            connection.settimeout(10)
            connection.recv(65536)
            for byte in TRICKLE:
                if self.stop.wait(TRICKLE_SECONDS):
                    return
                connection.sendall(bytes([byte]))

    def close(self) -> None:
        self.stop.set()
        self.server.close()


class Pools:
    """``manage.py workers``, as ``make worker`` runs it."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as stream:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "workers", "--loglevel", "error"],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=stream,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _phase(
    market: Any, pools: Pools, *, trades: int = TRADES, rate: float | None = RATE
) -> tuple[list[float], int, int]:
    """``trades`` trades at ``rate``; their authorisation lags once all are entitled (or DRAIN_TIMEOUT passed)."""
    since = datetime.now(UTC)
    _produce(market, trades=trades, rate=rate)
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while True:
        state = _pipeline(since)
        if state.entitled + state.failed >= state.trades or time.monotonic() > deadline:
            return state.lags, state.trades, state.trades - state.entitled - state.failed
        if not pools.alive():
            raise RuntimeError(f"the worker pools stopped; see {pools.log}")
        time.sleep(0.25)


def _register_trickling_endpoints(market: Any, url: str) -> int:
    from settlement.services.webhooks import EVENT_TYPES, webhook_endpoint_create

    for principal in market.buyers:
        for _ in range(ENDPOINTS_PER_BUYER):
            webhook_endpoint_create(principal=principal, url=url, events=EVENT_TYPES)
    return len(market.buyers) * ENDPOINTS_PER_BUYER


def _webhook_attempts(since: datetime) -> dict[str, Any]:
    from settlement.models import WebhookAttempt, WebhookDelivery

    attempts = WebhookAttempt.objects.filter(attempted_at__gte=since)
    durations = list(attempts.values_list("duration_ms", flat=True))
    return {
        "webhook_deliveries_queued": WebhookDelivery.objects.filter(created_at__gte=since).count(),
        "webhook_attempts": len(durations),
        "webhook_attempts_timed_out": attempts.filter(error__startswith="Timed out").count(),
        "webhook_attempt_max_ms": max(durations, default=0),
    }


def _lag_figures(lags: list[float], suffix: str) -> dict[str, float | None]:
    if not lags:
        return {f"authorisation_p50_s_{suffix}": None, f"authorisation_p99_s_{suffix}": None}
    return {
        f"authorisation_p50_s_{suffix}": round(statistics.median(lags), 3),
        f"authorisation_p99_s_{suffix}": round(percentile(lags, 0.99), 3),
        f"authorisation_max_s_{suffix}": round(max(lags), 3),
    }


def run() -> None:
    if ran_in_fresh_interpreter("slow_partner"):
        return
    problem = redis_problem(REDIS_URL)
    if problem:
        emit(bench="settlement.slow_partner", skipped=problem)
        return
    url = recreate_database(DATABASE, bench="settlement.slow_partner")
    if url is None:
        return
    data_dir = WORK / "slow-partner-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    # Local settings (as make worker): webhooks may reach the receiver on 127.0.0.1.
    env = {
        **worker_environment(database_url=url, redis_url=REDIS_URL, data_dir=data_dir),
        "ICHIBA_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
    }
    _setup_django(env)
    _redis().flushdb()
    log = WORK / "slow-partner-workers.log"
    log.unlink(missing_ok=True)
    pools = Pools(env, log)
    trickler = Trickler()
    try:
        market = build_market(offerings=OFFERINGS)
        _prepare(market)
        _redis().flushdb()  # build_market's validation messages (it validated in-process)
        pools.start()
        _phase(market, pools, trades=WARM_UP, rate=None)
        without, trades_without, unfinished_without = _phase(market, pools)
        endpoints = _register_trickling_endpoints(market, trickler.url)
        since = datetime.now(UTC)
        with_slow, trades_with, unfinished_with = _phase(market, pools)
        webhooks = _webhook_attempts(since)
        from config.market import market_settings
        from config.workers import pools as worker_pools

        p99_without = percentile(without, 0.99) if without else None
        p99_with = percentile(with_slow, 0.99) if with_slow else None
        emit(
            bench="settlement.slow_partner",
            reference="the same trades at the same rate without the trickling receivers, same run, same pools",
            trades_without=trades_without,
            trades_with=trades_with,
            unfinished_without=unfinished_without,
            unfinished_with=unfinished_with,
            rate=RATE,
            **_lag_figures(without, "without"),
            **_lag_figures(with_slow, "with"),
            p99_ratio_with_to_without=round(p99_with / p99_without, 2) if p99_with and p99_without else None,
            trickling_endpoints=endpoints,
            trickle_byte_every_s=TRICKLE_SECONDS,
            receiver_connections=trickler.connections,
            webhook_timeout_s=market_settings().webhook_timeout.total_seconds(),
            **webhooks,
            pools={pool.name: f"{pool.execution} x{pool.concurrency}" for pool in worker_pools()},
            load_average_1m=round(os.getloadavg()[0], 2),
            cpus=os.cpu_count(),
        )
    finally:
        pools.stop()
        trickler.close()
        from django.db import connections

        connections.close_all()
        _redis().flushdb()
        shutil.rmtree(data_dir, ignore_errors=True)
