"""What the metrics add to one placed order (config/metrics.py), beside the cheapest part of placing it.

Per order that trades, the market's code adds: the request's histogram observation (a label lookup and an observe,
``MetricsMiddleware``), the order counter and the trade and contract counters (label lookups and increments, run
by ``transaction.on_commit``: making the two callbacks is timed, registering them is two list appends, not timed).
This measures exactly that work, ``ICHIBA_BENCH_METRICS_ORDERS`` times, in the two modes a process can be in: its
own registry (``make run``) and prometheus-client's multi-process files (gunicorn and the workers in production,
the slower: each value is an mmap'ed file written under a lock). Each mode runs in a fresh interpreter, so the
mode is chosen before prometheus-client is imported, as in a real process.

Reference, same interpreter, interleaved order by order: one marketable bid submitted to the matching engine
(``marketplace.engine.OrderBook``, pure Python, about 2 µs), the smallest part of ``order_place``; the whole of it,
with its PostgreSQL round trips and COMMIT, takes about 5 ms per order on this machine (``make bench`` ``matching``,
ADR 10). Measured 2026-12-07 on the shared 2-core machine: 5.9 µs in-process, 8.1 µs multi-process (p50 per order,
3x and 4x an engine submit): under 0.2 % of an order's 5 ms, below the matching bench's noise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from tests.bench.common import emit, percentile

ORDERS = int(os.environ.get("ICHIBA_BENCH_METRICS_ORDERS", 20_000))


def _measure() -> dict[str, float]:
    """Run in the child interpreter (Django set up on the test settings, no database needed)."""
    import django

    django.setup()
    from config import metrics
    from marketplace.engine import Order, OrderBook, Side

    book = OrderBook(seats_remaining=None)
    book.submit(Order(id="ask", side=Side.SELL, owner="seller", price=1000, quantity=None), now=0.0)
    metric_ns: list[int] = []
    engine_ns: list[int] = []
    for i in range(ORDERS):
        bid = Order(id=f"bid{i}", side=Side.BUY, owner="buyer", price=1000, quantity=1)
        started = time.perf_counter_ns()
        book.submit(bid, now=float(i))
        engine_ns.append(time.perf_counter_ns() - started)

        started = time.perf_counter_ns()
        # What order_place and _conclude hand to on_commit, then what runs at the commit, then the middleware's.
        callbacks: list[Callable[[], None]] = [metrics.ORDERS_PLACED.labels("buy", "limit").inc, _trades("book")]
        for callback in callbacks:
            callback()
        metrics.REQUEST_DURATION.labels("api/v1/orders", "POST", "201").observe(0.004)
        metric_ns.append(time.perf_counter_ns() - started)
    return {
        "metrics_p50_us": percentile(metric_ns, 0.5) / 1000,
        "metrics_p99_us": percentile(metric_ns, 0.99) / 1000,
        "engine_submit_p50_us": percentile(engine_ns, 0.5) / 1000,
    }


def _trades(channel: str) -> Callable[[], None]:
    from config import metrics

    def count() -> None:
        metrics.TRADES.labels(channel).inc(1)
        metrics.CONTRACTS_CONCLUDED.labels(channel).inc(1)

    return count


def _child(mode: str) -> dict[str, float]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with tempfile.TemporaryDirectory(prefix="ichiba-bench-metrics-") as directory:
        if mode == "multiprocess":
            env["PROMETHEUS_MULTIPROC_DIR"] = directory
        code = "import json; from tests.bench.metrics_overhead import _measure; print(json.dumps(_measure()))"
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=600
        )
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def run() -> None:
    for mode in ("in-process", "multiprocess"):
        figures = _child(mode)
        emit(
            bench="metrics.order_overhead",
            mode=mode,
            orders=ORDERS,
            **{key: round(value, 2) for key, value in figures.items()},
            ratio_to_engine_submit=round(figures["metrics_p50_us"] / figures["engine_submit_p50_us"], 3),
        )
