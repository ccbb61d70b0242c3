"""The shards' matchers for the benches (``python -m tests.bench matching http``): ``manage.py run_matcher``
processes on a bench's database and Redis, commands fed straight into their streams, and what they say they did.

Redis is ``ICHIBA_BENCH_REDIS`` (default ``redis://127.0.0.1:6379/7``, the benches' own database number: flushed
before and after, since the matchers publish settlement tasks there that no worker takes). The matchers run with
``ICHIBA_MATCHERS=streams``, ``ICHIBA_MATCHER_SHARDS=2`` and the key prefix ``bench-``, the server's durability
settings (fsync as configured; reported), and print ``Stats.summary`` as a JSON line on SIGUSR1: the bench takes
one before and one after a timed window, and the difference is that window's batches and where their time went.

A feeder (a forked process, one asyncio loop) sends ``commands.Place`` JSON with ``XADD`` to the order's shard's
stream and waits with ``BLPOP`` on the order's reply list, as ``streams.send`` does for a request: closed-loop
(``in_flight`` orders outstanding at all times: the peak) or open-loop (order i is due at ``start + i / rate``
whatever became of the earlier ones; its latency runs from that due time to its answer, so a late generator or a
backlog is counted).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.common import ROOT, worker_environment

REDIS_URL = os.environ.get("ICHIBA_BENCH_REDIS", "redis://127.0.0.1:6379/7")
SHARDS = 2
PREFIX = "bench-"
REPLY_TIMEOUT = 30.0  # seconds a feeder waits for one answer before it counts the order as unanswered


def environment(database_url: str, data_dir: Path) -> dict[str, str]:
    """The matchers' (and a server's) environment: the bench's database and Redis, orders through matchers."""
    return {
        **os.environ,
        **worker_environment(database_url=database_url, redis_url=REDIS_URL, data_dir=data_dir),
        "PYTHONUNBUFFERED": "1",
        "ICHIBA_MATCHERS": "streams",
        "ICHIBA_MATCHER_SHARDS": str(SHARDS),
        "ICHIBA_MATCHER_KEY_PREFIX": PREFIX,
    }


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def shard_of(dataset_id: uuid.UUID) -> int:
    """``marketplace.matching.shards.shard_of`` with the bench's shard count (this process's settings may differ)."""
    return dataset_id.int % SHARDS


def stream_key(shard: int) -> str:
    return f"{PREFIX}ichiba:matcher:{shard}"


def reply_key(order_id: uuid.UUID | str) -> str:
    return f"{PREFIX}ichiba:matcher:reply:{order_id}"


class MatcherProcess:
    """``manage.py run_matcher --shard N``, its output in ``log``."""

    def __init__(self, shard: int, *, env: dict[str, str], log: Path) -> None:
        self.shard = shard
        self.log = log
        log.unlink(missing_ok=True)
        with log.open("ab") as stream:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "run_matcher", "--shard", str(shard)],
                cwd=ROOT,
                env=env,
                stdout=stream,
                stderr=subprocess.STDOUT,
            )

    def summaries(self) -> list[dict[str, Any]]:
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith('{"matcher"'):
                found.append(json.loads(line))
        return found

    def summary(self, timeout: float = 30.0) -> dict[str, Any]:
        """What it has done so far (SIGUSR1: it prints a summary line; not before it says it waits for its lock,
        when its handler is in place)."""
        deadline = time.monotonic() + 60
        while "waiting for its lock" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the matcher of shard {self.shard} did not start; see {self.log}")
            time.sleep(0.05)
        before = len(self.summaries())
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.summaries()
            if len(found) > before:
                return found[-1]
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"the matcher of shard {self.shard} printed no summary; see {self.log}")

    def wait_holding(self, timeout: float = 60.0) -> None:
        """Until it holds its shard's lock."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.summary()["took_over_at"]:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the matcher of shard {self.shard} never took its shard; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def difference(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What a matcher did between two of its summaries."""
    sizes: Counter[int] = Counter({int(k): v for k, v in after["sizes"].items()})
    sizes.subtract({int(k): v for k, v in before["sizes"].items()})
    return {
        "batches": after["batches"] - before["batches"],
        "commands": after["commands"] - before["commands"],
        "sizes": Counter({k: v for k, v in sizes.items() if v > 0}),
        "seconds": {k: v - before["seconds"].get(k, 0.0) for k, v in after["seconds"].items()},
    }


def window(running: Sequence[MatcherProcess], before: Sequence[dict[str, Any]], commands: int) -> list[dict[str, Any]]:
    """What each of ``running`` did since ``before`` (its summaries), once they have counted ``commands`` in all
    (a batch is counted just after its answers are sent), or after 10 s."""
    deadline = time.monotonic() + 10
    while True:
        done = [difference(b, m.summary()) for m, b in zip(running, before, strict=True)]
        if sum(d["commands"] for d in done) >= commands or time.monotonic() > deadline:
            return done
        time.sleep(0.05)


def breakdown(windows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Several matchers' windows (``difference``) added up: batch sizes and milliseconds per order by part."""
    commands = sum(w["commands"] for w in windows)
    batches = sum(w["batches"] for w in windows)
    sizes: Counter[int] = Counter()
    seconds: Counter[str] = Counter()
    for window in windows:
        sizes.update(window["sizes"])
        seconds.update(window["seconds"])
    every = sorted(sizes.elements())
    spent = {name: seconds[name] for name in seconds}
    python_other = spent.get("batch_total", 0.0) - sum(
        spent.get("batch_" + part, 0.0) for part in ("read", "matching", "write", "commit", "after_commit")
    )
    per_order = {
        "matching_python": spent.get("batch_matching", 0.0) - spent.get("batch_matching_sql", 0.0),
        "matching_sql": spent.get("batch_matching_sql", 0.0),
        "batch_python_other": python_other,
        "read_sql": spent.get("batch_read", 0.0),
        "write_statement": spent.get("batch_write", 0.0),
        "commit": spent.get("batch_commit", 0.0),
        "after_commit": spent.get("batch_after_commit", 0.0),
        "decode": spent.get("decode", 0.0),
        "answer_redis": spent.get("answer", 0.0),
        "busy": spent.get("busy", 0.0),
    }
    return {
        "batches": batches,
        "commands": commands,
        "batch_size_mean": round(commands / batches, 1) if batches else 0,
        "batch_size_p50": every[len(every) // 2] if every else 0,
        "batch_size_max": every[-1] if every else 0,
        "batch_sizes": _size_histogram(sizes),
        "ms_per_order": {k: round(v / commands * 1000, 3) if commands else 0 for k, v in per_order.items()},
        "ms_per_batch": {
            k: round(v / batches * 1000, 3) if batches else 0
            for k, v in per_order.items()
            if k in ("commit", "write_statement", "read_sql", "busy")
        },
    }


def _size_histogram(sizes: Counter[int]) -> dict[str, int]:
    """Batches by size: 1, 2-3, 4-7, 8-15... (powers of two)."""
    bins: Counter[str] = Counter()
    for size, count in sizes.items():
        low = 1 << (size.bit_length() - 1)
        bins[str(low) if low == 1 else f"{low}-{2 * low - 1}"] += count
    return dict(sorted(bins.items(), key=lambda item: int(item[0].split("-")[0])))


# --- the feeder ---------------------------------------------------------------------------------------------------


@dataclass
class Fed:
    """One feeder's orders: (shard, sent or due, answered) in monotonic seconds; statuses; trades."""

    sent: list[float] = field(default_factory=list)
    answered: list[float] = field(default_factory=list)
    shards: list[int] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    trades: int = 0
    started: float = 0.0
    ended: float = 0.0
    lags: list[float] = field(default_factory=list)  # open-loop: fired - due

    @property
    def latencies(self) -> list[float]:
        return [a - s for s, a in zip(self.sent, self.answered, strict=True) if a]


@dataclass(frozen=True)
class Command:
    shard: int
    order_id: str
    payload: bytes  # the Place's JSON


def place(order: dict[str, Any]) -> Any:
    """``tests.bench.matching.next_order`` keyword arguments as a ``commands.Place``."""
    from marketplace.matching.commands import Place

    return Place(
        order_id=uuid.uuid4(),
        offering_id=order["offering_id"],
        principal=order["principal"],
        side=order["side"],
        type="limit",
        price=order["price"],
        quantity=order["quantity"],
        time_in_force="gtc",
        expires_at=None,
        accepted_terms_sha256=order.get("accepted_terms_sha256", ""),
        request_id=f"bench-{uuid.uuid4().hex[:12]}",
        sent_at=time.time(),
    )


def commands(orders: Sequence[dict[str, Any]], dataset_of: dict[uuid.UUID, uuid.UUID]) -> list[Command]:
    """Orders as Place commands for their shards' streams, rendered ahead of the window."""
    rendered = []
    for order in orders:
        command = place(order)
        shard = shard_of(dataset_of[command.offering_id])
        rendered.append(Command(shard, str(command.order_id), json.dumps(command.as_json()).encode()))
    return rendered


async def _feed(batch: Sequence[Command], *, in_flight: int, rate: float) -> Fed:
    """Closed-loop with ``in_flight`` outstanding (rate 0), else open-loop at ``rate`` orders/s."""
    import redis.asyncio as aredis

    fed = Fed()
    count = len(batch)
    fed.sent = [0.0] * count
    fed.answered = [0.0] * count
    fed.shards = [c.shard for c in batch]
    fed.order_ids = [c.order_id for c in batch]
    pool = aredis.BlockingConnectionPool.from_url(REDIS_URL, max_connections=max(in_flight, 64) + 8, timeout=60)
    client: Any = aredis.Redis(connection_pool=pool)  # Any: redis-py's stubs type every command sync-or-async
    loop = asyncio.get_running_loop()

    async def one(index: int, due: float | None) -> None:
        command = batch[index]
        fed.sent[index] = due if due is not None else loop.time()
        try:
            await client.xadd(stream_key(command.shard), {"c": command.payload})
            reply = await client.blpop([reply_key(command.order_id)], timeout=REPLY_TIMEOUT)
        except Exception as exc:  # counted, not fatal
            fed.statuses[type(exc).__name__] += 1
            return
        if reply is None:
            fed.statuses["unanswered"] += 1
            return
        fed.answered[index] = loop.time()
        outcome = json.loads(reply[1])
        fed.statuses[outcome["status"]] += 1
        fed.trades += len(outcome["trade_ids"])

    fed.started = loop.time()
    if rate <= 0:
        queue = iter(range(count))

        async def client_loop() -> None:
            for index in queue:
                await one(index, None)

        await asyncio.gather(*(client_loop() for _ in range(in_flight)))
    else:
        tasks = []
        start = loop.time() + 0.05
        fed.started = start
        for index in range(count):
            due = start + index / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            fed.lags.append(max(0.0, loop.time() - due))
            tasks.append(asyncio.create_task(one(index, due)))
        await asyncio.gather(*tasks)
    fed.ended = loop.time()
    await client.aclose()
    await pool.aclose()
    return fed


def _feeder(batch: Sequence[Command], in_flight: int, rate: float, results: multiprocessing.Queue) -> None:
    results.put(asyncio.run(_feed(batch, in_flight=in_flight, rate=rate)))


def feed(
    batch: Sequence[Command], *, feeders: int = 1, in_flight: int = 0, rate: float = 0.0, timeout: float = 600
) -> list[Fed]:
    """``batch`` through ``feeders`` forked processes (each a share of the commands, of ``in_flight``, of
    ``rate``); returns when all have their answers. The caller holds no database connection (fork)."""
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue = context.Queue()
    shares = [batch[i::feeders] for i in range(feeders)]
    processes = [
        context.Process(
            target=_feeder, args=(share, max(1, in_flight // feeders), rate / feeders, results), daemon=True
        )
        for share in shares
    ]
    for process in processes:
        process.start()
    collected = [results.get(timeout=timeout) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    return collected


def feed_started(batch: Sequence[Command], *, rate: float) -> tuple[Any, multiprocessing.Queue]:
    """One open-loop feeder, started: the caller does something meanwhile (a kill), then ``results.get()``."""
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue = context.Queue()
    process = context.Process(target=_feeder, args=(batch, 0, rate, results), daemon=True)
    process.start()
    return process, results
