"""Durable matching on PostgreSQL: ``order_place`` with 1 and 4 worker processes, beside a raw-SQL baseline.

Own database ``ichiba_bench_matching`` on ``ICHIBA_BENCH_PG`` (dropped and created each run, migrated), 100
offerings with unlimited seats from 4 verified sellers, 40 verified buyers. Every offering's book holds an
unlimited ask at 1030, finite asks (5 seats) at 1000/1010/1020 and five resting bids at 900..990; the book is
reset to that (other resting orders cancelled by SQL, the seed placed again, untimed) before each configuration.

The timed stream, per order, on a random offering: 47.5 % bids at 1030 (always match: a finite ask if one is
left, else the unlimited ask), 47.5 % bids at 900..990 (rest: below every ask), 5 % the seller re-posting a
finite ask at 1000..1020 (rests, or trades with a resting bid at 1030 if one is left). Every order is GTC, one
seat for bids. So about half the orders trade and the resting book grows by about
``ORDERS * 0.475 / OFFERINGS`` bids per offering over a configuration (~10 by default; reported).

Before anything is timed, every offering trades once in the parent process (untimed), as on a server that has
been running: each offering's contract document has been composed and its shared texts are known to be stored.

Each configuration runs ``ICHIBA_BENCH_MATCHING_ORDERS`` orders in all, split over N worker processes (forked
while the parent holds no database connection; each opens its own), released together by a barrier. A worker
picks random offerings (own seed) and times each ``order_place`` call (its transaction and COMMIT included).
``orders_per_s`` = orders / (last worker's end - first worker's start), summed over the segments: the real run
and the baseline alternate real, baseline, baseline, real (half the orders each), so a machine whose load
drifts during the run (it is shared) favours neither.

The reference, same run, same server, same concurrency: psycopg directly, per order one transaction
``SELECT ... FROM marketplace_offering WHERE id = %s FOR UPDATE``, one ``UPDATE`` of the offering
(order_seq, seats_sold), ``INSERT`` of the order into ``bench_orders`` and, per trade, one ``UPDATE`` of a
resting order and one ``INSERT`` into ``bench_trades`` (tables shaped like marketplace_order/_trade: same
columns, indexes and foreign keys), then ``COMMIT``. The number of trades of each baseline order is drawn
from the real run's trades-per-order, so both make the same proportion of trades.

How far SQL alone could go: ``marketplace.matching.statements_alone`` replays the statements the breakdown's orders
sent (recorded with their parameters, each order one transaction, prepared where ``order_place`` prepares them)
through bare psycopg on a copy of the database taken just before them, so they write the same rows into the same
state with no Python of ours around them; beside it the baseline runs as many orders with the same trades on the
same copy, one process, replay and baseline alternating (ABBA). ``ratio_if_python_took_no_time`` is the ceiling
of the 1-worker ratio for the rows ``order_place`` writes, and ``python_ms_per_order_at_target`` what would be
left per order for everything else (checks, matching, contracts, settlement, events) at the target ratio.

Below the target (or with ``ICHIBA_BENCH_MATCHING_PROFILE=1``) a single-process cProfile of ``order_place``
over ``ICHIBA_BENCH_MATCHING_PROFILE_ORDERS`` stream orders is emitted too (top self time; top cumulative time
of the project's functions). A ``marketplace.matching.breakdown`` figure (one process, 400 stream orders, before
the timed runs) always reports queries per order (by trades made), how an order's time splits into SQL
(statement round trips), COMMIT and Python, and the statements that take the most time.

Through the shards' matchers (issue 18; ``marketplace.matching.matchers``, skipped without Redis
``ICHIBA_BENCH_REDIS``, see ``tests/bench/matchers.py``): the same 100 offerings in 2 shards, a ``manage.py
run_matcher`` process per shard on this database (the server's fsync and synchronous_commit, reported), Place
commands of the same order stream XADDed straight into the shards' streams by ``ICHIBA_BENCH_MATCHERS_FEEDERS``
feeder processes (default 1), each answer awaited with BLPOP on its reply list. Each session resets the books,
starts fresh matchers and warms them (a crossing bid per offering, untimed). The peak is a closed-loop burst of
``ICHIBA_BENCH_MATCHERS_ORDERS`` orders (default 8000; ``ICHIBA_BENCH_MATCHERS_IN_FLIGHT`` outstanding, default
256), half before the per-order runs and half after them (so drift favours neither: matchers, per-order and
baselines, matchers); ``orders_per_s`` is both halves' orders over their summed wall time, and
``ratio_to_baseline`` is against the better of the baseline's worker counts of this run (target 3x). Then, on the
second session's matchers, an open-loop window of ``ICHIBA_BENCH_MATCHERS_SECONDS`` (default 10) at half that
peak: p50/p99 from each order's due time to its answer (target p99 < 20 ms). The matchers' own account
(``Stats.summary``, taken by SIGUSR1 before and after each window) gives the batch sizes seen and their time per
order: Python matching (contracts, settlement rows), statements sent while matching, the batch's reads (locks,
books) and its one write statement, COMMIT, what runs after commit (settlement tasks published to Redis, logs),
decoding the commands and the answers' round trip to Redis.

``marketplace.matching.matchers_takeover``: shard 0's matcher with a standby (a second ``run_matcher --shard 0``)
and shard 1's matcher, an open-loop feed at ``ICHIBA_BENCH_MATCHERS_TAKEOVER_RATE`` (default 200/s) for 6 s, and
``kill -9`` of shard 0's matcher 2 s in: from the kill to the standby holding the shard's lock, and to the first
answer to a shard-0 order after that; every order answered and stored exactly once (``ok``). Below either target
(or with ``ICHIBA_BENCH_MATCHERS_PROFILE=1``) ``marketplace.matching.matchers_profile`` is a cProfile of
``orders_place_batch`` in this process over ``ICHIBA_BENCH_MATCHERS_PROFILE_ORDERS`` stream orders (default 1000) in
batches of the burst's mean size: where a matcher's Python goes per order.
"""

from __future__ import annotations

import cProfile
import multiprocessing
import os
import pstats
import random
import re
import shutil
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from tests.bench import matchers
from tests.bench.common import ROOT, WORK, emit, percentile, ran_in_fresh_interpreter, redis_problem

SERVER_URL = os.environ.get("ICHIBA_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "ichiba_bench_matching"
COPY = "ichiba_bench_matching_copy"  # the database before the breakdown's orders, for their replay
N_ORDERS = int(os.environ.get("ICHIBA_BENCH_MATCHING_ORDERS", 2000))
N_OFFERINGS = int(os.environ.get("ICHIBA_BENCH_MATCHING_OFFERINGS", 100))
WORKER_COUNTS = tuple(int(n) for n in os.environ.get("ICHIBA_BENCH_MATCHING_WORKERS", "1,4").split(","))
# Bound of each timed loop, per configuration: a worker stops early past it (and reports fewer orders).
MAX_SECONDS = float(os.environ.get("ICHIBA_BENCH_MATCHING_MAX_SECONDS", 300))
PROFILE = os.environ.get("ICHIBA_BENCH_MATCHING_PROFILE", "") == "1"
PROFILE_ORDERS = int(os.environ.get("ICHIBA_BENCH_MATCHING_PROFILE_ORDERS", 300))
DIAGNOSTIC_ORDERS = 400
TARGET_RATIO = 0.5
# The matchers (issue 18): a closed-loop burst in two halves around the per-order runs, then open-loop at half its
# rate, then a takeover.
MATCHER_ORDERS = int(os.environ.get("ICHIBA_BENCH_MATCHERS_ORDERS", 8000))
MATCHER_IN_FLIGHT = int(os.environ.get("ICHIBA_BENCH_MATCHERS_IN_FLIGHT", 256))
MATCHER_FEEDERS = int(os.environ.get("ICHIBA_BENCH_MATCHERS_FEEDERS", 1))
MATCHER_OPEN_SECONDS = float(os.environ.get("ICHIBA_BENCH_MATCHERS_SECONDS", 10))
TAKEOVER_RATE = float(os.environ.get("ICHIBA_BENCH_MATCHERS_TAKEOVER_RATE", 200))
TAKEOVER_SECONDS = 6.0  # the feed's length; the kill comes a third of the way in
MATCHER_PROFILE = os.environ.get("ICHIBA_BENCH_MATCHERS_PROFILE", "") == "1"
MATCHER_PROFILE_ORDERS = int(os.environ.get("ICHIBA_BENCH_MATCHERS_PROFILE_ORDERS", 1000))
MATCHERS_TARGET_RATIO = 3.0
MATCHERS_TARGET_P99_MS = 20.0
SEED = 20250404
N_SELLERS = 4
N_BUYERS = 40

# The book (minor units per seat).
UNLIMITED_ASK_PRICE = 1030
ASK_PRICES = (1000, 1010, 1020)
ASK_SEATS = 5
CROSSING_BID_PRICE = 1030
RESTING_BID_PRICES = tuple(range(900, 1000, 10))
SEED_BIDS = 5
SHARE_REPOST = 0.05
SHARE_CROSSING = 0.475

TINY_CSV = b"timestamp,strain\n2024-01-01T00:00:00+09:00,1.5\n2024-01-01T00:01:00+09:00,1.7\n"


# --- the database and the market (shared with http_load) ------------------------------------------------------


def database_url(name: str) -> str:
    return f"{SERVER_URL.rstrip('/')}/{name}"


def recreate_database(name: str, *, bench: str) -> str | None:
    """Drop and create ``name``; its URL, or None (a ``skipped`` figure emitted) without PostgreSQL."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(database_url("postgres"), autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        emit(bench=bench, skipped=f"needs PostgreSQL at {SERVER_URL}: {exc}".strip())
        return None
    return database_url(name)


def setup_django(url: str, data_dir: str) -> None:
    """Point this process's Django at ``url`` (no Redis), then migrate.

    Tasks go to Celery's in-memory broker and are never run: as in production, where workers run them, the
    timed transaction includes opening each trade's settlement (its rows, in the trade's transaction) but not
    the settlement pipeline after commit, which ``make bench settlement`` measures on its own."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["ICHIBA_DATA_DIR"] = data_dir
    os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("ICHIBA_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def server_settings(url: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        values = {}
        for name in ("fsync", "synchronous_commit", "wal_sync_method", "server_version"):
            row = conn.execute("SELECT current_setting(%s)", (name,)).fetchone()
            values[name] = str(row[0]) if row else ""
    return values


@dataclass(frozen=True)
class Book:
    offering_id: uuid.UUID
    seller: Any  # Principal
    terms_sha256: str


@dataclass
class Market:
    books: list[Book]
    buyers: list[Any]  # Principal
    buyer_organizations: list[Any] = field(default_factory=list)  # Organization


def build_market(*, offerings: int, sellers: int = N_SELLERS, buyers: int = N_BUYERS) -> Market:
    """Verified sellers and buyers; ``offerings`` offerings with unlimited seats, each on its own dataset."""
    from django.core.files.base import ContentFile

    from catalog.services.datasets import dataset_create
    from catalog.services.versions import version_upload, version_validate
    from marketplace.services.offerings import offering_publish
    from marketplace.services.participants import organization_create, principal_for

    seller_orgs = [
        organization_create(name=f"Bench seller {i}", roles={"seller"}, verified=True) for i in range(sellers)
    ]
    buyer_orgs = [organization_create(name=f"Bench buyer {i}", roles={"buyer"}, verified=True) for i in range(buyers)]
    books = []
    for index in range(offerings):
        seller = seller_orgs[index % sellers]
        dataset = dataset_create(seller_id=seller.id, title=f"Bench strain gauges {index}", data_class="iot")
        version = version_upload(
            dataset_id=dataset.id, seller_id=seller.id, upload=ContentFile(TINY_CSV, name="strain.csv")
        )
        version_validate(version_id=version.id)
        offering = offering_publish(
            principal=principal_for(seller),
            dataset_id=dataset.id,
            template_code="meti-data-provision",
            terms={},
            license_seats=None,
        )
        books.append(Book(offering_id=offering.id, seller=principal_for(seller), terms_sha256=offering.terms_sha256))
    return Market(books=books, buyers=[principal_for(b) for b in buyer_orgs], buyer_organizations=buyer_orgs)


def reset_books(market: Market, *, seed: int, seed_bids: int = SEED_BIDS) -> None:
    """Every resting order but the unlimited asks cancelled (SQL), then each book seeded again through
    ``order_place`` (untimed): its unlimited ask if it has none, the finite asks, the resting bids."""
    from django.db import connection

    from marketplace.services.orders import order_place

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE marketplace_order SET status = 'cancelled', status_reason = 'bench reset', updated_at = now(), "
            "cancelled_quantity = quantity - filled_quantity "
            "WHERE status IN ('open', 'partially_filled') AND quantity IS NOT NULL"
        )
        cursor.execute(
            "SELECT DISTINCT offering_id FROM marketplace_order "
            "WHERE status IN ('open', 'partially_filled') AND quantity IS NULL"
        )
        unlimited = {row[0] for row in cursor.fetchall()}
    rng = random.Random(seed)
    for book in market.books:
        if book.offering_id not in unlimited:
            order_place(
                principal=book.seller,
                offering_id=book.offering_id,
                side="sell",
                price=UNLIMITED_ASK_PRICE,
                quantity=None,
            )
        for price in ASK_PRICES:
            order_place(
                principal=book.seller, offering_id=book.offering_id, side="sell", price=price, quantity=ASK_SEATS
            )
        for _ in range(seed_bids):
            order_place(
                principal=rng.choice(market.buyers),
                offering_id=book.offering_id,
                side="buy",
                price=rng.choice(RESTING_BID_PRICES),
                quantity=1,
                accepted_terms_sha256=book.terms_sha256,
            )


def _warm(market: Market) -> None:
    """One trade on every offering, untimed, in this process, whose workers are forked from it: a server that has
    been running has composed each offering's contract document once (``contracts.documents``) and knows its
    shared texts are stored; the timed orders then measure matching, not each offering's first contract."""
    from marketplace.services.orders import order_place

    for index, book in enumerate(market.books):
        order_place(
            principal=market.buyers[index % len(market.buyers)],
            offering_id=book.offering_id,
            side="buy",
            price=CROSSING_BID_PRICE,
            quantity=1,
            accepted_terms_sha256=book.terms_sha256,
        )


def resting_per_offering() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*)::float / GREATEST(count(DISTINCT offering_id), 1) FROM marketplace_order "
            "WHERE status IN ('open', 'partially_filled')"
        )
        row = cursor.fetchone()
    return round(float(row[0]), 1) if row else 0.0


def next_order(rng: random.Random, market: Market) -> dict[str, Any]:
    """order_place keyword arguments of the next order of the stream (see the module's docstring)."""
    book = rng.choice(market.books)
    roll = rng.random()
    if roll < SHARE_REPOST:
        return {
            "principal": book.seller,
            "offering_id": book.offering_id,
            "side": "sell",
            "price": rng.choice(ASK_PRICES),
            "quantity": ASK_SEATS,
        }
    crossing = roll < SHARE_REPOST + SHARE_CROSSING
    return {
        "principal": rng.choice(market.buyers),
        "offering_id": book.offering_id,
        "side": "buy",
        "price": CROSSING_BID_PRICE if crossing else rng.choice(RESTING_BID_PRICES),
        "quantity": 1,
        "accepted_terms_sha256": book.terms_sha256,
    }


# --- workers (forked processes) -------------------------------------------------------------------------------


@dataclass
class WorkerResult:
    latencies: list[float]  # seconds per order
    trades: list[int]  # trades per order
    errors: Counter[str]
    started: float
    ended: float


def _real_worker(
    index: int, count: int, seed: int, market: Market, barrier: Barrier, results: multiprocessing.Queue
) -> None:
    from django.db import connection, connections

    from marketplace.services.orders import order_place

    rng = random.Random(seed)
    connection.ensure_connection()  # this process's own connection, opened after the fork
    latencies: list[float] = []
    trades: list[int] = []
    errors: Counter[str] = Counter()
    barrier.wait(timeout=120)
    started = time.perf_counter()
    for _ in range(count):
        order = next_order(rng, market)
        began = time.perf_counter()
        try:
            trades.append(len(order_place(**order).trades))
        except Exception as exc:  # counted and reported, not fatal
            errors[type(exc).__name__] += 1
            trades.append(0)
        ended = time.perf_counter()
        latencies.append(ended - began)
        if ended - started > MAX_SECONDS:
            break
    results.put((index, WorkerResult(latencies, trades, errors, started, time.perf_counter())))
    connections.close_all()


def _baseline_worker(
    index: int,
    count: int,
    seed: int,
    plan: BaselinePlan,
    barrier: Barrier,
    results: multiprocessing.Queue,
) -> None:
    import psycopg

    rng = random.Random(seed)
    latencies: list[float] = []
    trades: list[int] = []
    errors: Counter[str] = Counter()
    with psycopg.connect(plan.url) as conn:
        barrier.wait(timeout=120)
        started = time.perf_counter()
        for _ in range(count):
            offering_id, resting = rng.choice(plan.offerings)
            matches = rng.choice(plan.trades_per_order)
            buyer = rng.choice(plan.buyers)
            began = time.perf_counter()
            try:
                _baseline_order(conn, rng, offering_id, resting, buyer, matches)
            except psycopg.Error as exc:
                conn.rollback()
                errors[type(exc).__name__] += 1
            ended = time.perf_counter()
            latencies.append(ended - began)
            trades.append(matches)
            if ended - started > MAX_SECONDS:
                break
        results.put((index, WorkerResult(latencies, trades, errors, started, time.perf_counter())))


def _baseline_order(
    conn: Any,
    rng: random.Random,
    offering_id: uuid.UUID,
    resting: Sequence[tuple[uuid.UUID, uuid.UUID]],
    buyer: Any,
    k: int,
) -> None:
    """One order, the minimal durable way: lock, update, inserts, commit."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, order_seq, seats_sold, license_seats, status, terms_sha256, seller_id "
            "FROM marketplace_offering WHERE id = %s FOR UPDATE",
            (offering_id,),
        )
        cur.fetchone()
        cur.execute(
            "UPDATE marketplace_offering SET order_seq = order_seq + 1, seats_sold = seats_sold + %s "
            "WHERE id = %s RETURNING order_seq",
            (k, offering_id),
        )
        row = cur.fetchone()
        seq = row[0]
        order_id = uuid.uuid4()
        cur.execute(
            "INSERT INTO bench_orders (id, offering_id, organization_id, side, type, price, quantity, filled_quantity, "
            "cancelled_quantity, time_in_force, expires_at, accepted_terms_sha256, status, status_reason, seq, "
            "placed_by_user_id, placed_by_api_key_id, created_at, updated_at) VALUES "
            "(%s, %s, %s, 'buy', 'limit', %s, %s, %s, 0, 'gtc', NULL, %s, %s, '', %s, NULL, NULL, now(), now())",
            (order_id, offering_id, buyer, CROSSING_BID_PRICE, max(k, 1), k, "0" * 64, "filled" if k else "open", seq),
        )
        for _ in range(k):
            ask_id, seller_id = rng.choice(resting)
            cur.execute(
                "UPDATE bench_orders SET filled_quantity = filled_quantity + 1, updated_at = now() WHERE id = %s",
                (ask_id,),
            )
            cur.execute(
                "INSERT INTO bench_trades (id, offering_id, buy_order_id, sell_order_id, buyer_id, seller_id, price, "
                "quantity, currency, contract_id, status, executed_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, 1, 'JPY', NULL, 'executed', now())",
                (uuid.uuid4(), offering_id, order_id, ask_id, buyer, seller_id, UNLIMITED_ASK_PRICE),
            )
    conn.commit()


@dataclass(frozen=True)
class BaselinePlan:
    url: str
    offerings: list[tuple[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID]]]]  # offering, its resting asks (id, seller)
    buyers: list[uuid.UUID]
    trades_per_order: list[int]


BASELINE_DDL = """
CREATE TABLE bench_orders (
    id uuid PRIMARY KEY,
    offering_id uuid NOT NULL REFERENCES marketplace_offering (id) DEFERRABLE INITIALLY DEFERRED,
    organization_id uuid NOT NULL REFERENCES marketplace_organization (id) DEFERRABLE INITIALLY DEFERRED,
    side varchar(4) NOT NULL,
    type varchar(6) NOT NULL,
    price bigint CHECK (price IS NULL OR price > 0),
    quantity integer CHECK (quantity IS NULL OR quantity > 0),
    filled_quantity integer NOT NULL CHECK (filled_quantity >= 0),
    cancelled_quantity integer NOT NULL CHECK (cancelled_quantity >= 0),
    time_in_force varchar(3) NOT NULL,
    expires_at timestamptz,
    accepted_terms_sha256 varchar(64) NOT NULL,
    status varchar(16) NOT NULL,
    status_reason varchar(200) NOT NULL,
    seq bigint NOT NULL,
    placed_by_user_id bigint,
    placed_by_api_key_id uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT bench_order_seq_unique UNIQUE (offering_id, seq),
    CONSTRAINT bench_order_quantities CHECK (quantity IS NULL OR filled_quantity <= quantity - cancelled_quantity)
);
CREATE INDEX bench_order_book_idx ON bench_orders (offering_id, status, seq);
CREATE INDEX bench_order_owner_idx ON bench_orders (organization_id, created_at DESC);
CREATE INDEX bench_order_expiry_idx ON bench_orders (status, expires_at);
CREATE TABLE bench_trades (
    id uuid PRIMARY KEY,
    offering_id uuid NOT NULL REFERENCES marketplace_offering (id) DEFERRABLE INITIALLY DEFERRED,
    buy_order_id uuid NOT NULL REFERENCES bench_orders (id) DEFERRABLE INITIALLY DEFERRED,
    sell_order_id uuid NOT NULL REFERENCES bench_orders (id) DEFERRABLE INITIALLY DEFERRED,
    buyer_id uuid NOT NULL REFERENCES marketplace_organization (id) DEFERRABLE INITIALLY DEFERRED,
    seller_id uuid NOT NULL REFERENCES marketplace_organization (id) DEFERRABLE INITIALLY DEFERRED,
    price bigint NOT NULL,
    quantity integer NOT NULL,
    currency varchar(3) NOT NULL,
    contract_id uuid UNIQUE,
    status varchar(16) NOT NULL,
    executed_at timestamptz NOT NULL,
    CONSTRAINT bench_trade_positive CHECK (price > 0 AND quantity > 0),
    CONSTRAINT bench_trade_no_self_trade CHECK (buyer_id <> seller_id)
);
CREATE INDEX bench_trade_tape_idx ON bench_trades (offering_id, executed_at DESC);
"""


def _baseline_plan(url: str, market: Market) -> BaselinePlan:
    """The baseline's tables, each offering with three resting unlimited asks in them."""
    import psycopg

    offerings = []
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_trades, bench_orders")
        conn.execute(BASELINE_DDL)
        for book in market.books:
            asks = []
            for seq in (-3, -2, -1):  # below every seq the offering will hand out
                ask_id = uuid.uuid4()
                conn.execute(
                    "INSERT INTO bench_orders (id, offering_id, organization_id, side, type, price, quantity, "
                    "filled_quantity, cancelled_quantity, time_in_force, accepted_terms_sha256, status, status_reason, "
                    "seq, created_at, updated_at) VALUES "
                    "(%s, %s, %s, 'sell', 'limit', %s, NULL, 0, 0, 'gtc', '', 'open', '', %s, now(), now())",
                    (ask_id, book.offering_id, book.seller.organization_id, UNLIMITED_ASK_PRICE, seq),
                )
                asks.append((ask_id, book.seller.organization_id))
            offerings.append((book.offering_id, asks))
        conn.execute("ANALYZE")
    return BaselinePlan(
        url=url, offerings=offerings, buyers=[b.organization_id for b in market.buyers], trades_per_order=[0]
    )


def _run_workers(
    target: Callable[..., None], workers: int, payload: Any, *, orders: int, seed: int
) -> list[WorkerResult]:
    """Fork ``workers`` processes (no database connection is open in this one), release them at once, collect."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers)
    results: multiprocessing.Queue = context.Queue()
    per_worker = [orders // workers + (1 if i < orders % workers else 0) for i in range(workers)]
    processes = [
        context.Process(target=target, args=(i, per_worker[i], seed + i, payload, barrier, results))
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    collected: dict[int, WorkerResult] = {}
    deadline = time.monotonic() + MAX_SECONDS + 180
    while len(collected) < workers and time.monotonic() < deadline:
        try:
            index, result = results.get(timeout=5)
        except Exception:  # queue.Empty: a worker may have died; check below
            if not any(p.is_alive() for p in processes) and results.empty():
                break
            continue
        collected[index] = result
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.terminate()
    if len(collected) < workers:
        raise RuntimeError(f"only {len(collected)} of {workers} workers reported")
    return [collected[i] for i in range(workers)]


@dataclass(frozen=True)
class Summary:
    orders: int
    orders_per_s: float
    p50_ms: float
    p99_ms: float
    trades: int
    errors: dict[str, int]
    trades_per_order: list[int]


def _summarise(segments: list[list[WorkerResult]]) -> Summary:
    """Orders per second over the segments' summed wall time (each: first worker's start to last one's end)."""
    results = [r for segment in segments for r in segment]
    latencies = [t for r in results for t in r.latencies]
    wall = sum(max(r.ended for r in segment) - min(r.started for r in segment) for segment in segments)
    errors: Counter[str] = Counter()
    for r in results:
        errors.update(r.errors)
    return Summary(
        orders=len(latencies),
        orders_per_s=len(latencies) / wall,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        trades=sum(sum(r.trades) for r in results),
        errors=dict(errors),
        trades_per_order=[n for r in results for n in r.trades],
    )


# --- diagnostics: queries, SQL / COMMIT / Python split, profile ------------------------------------------------


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Any
    prepared: bool  # sent through a cursor that binds on the server (config.db.cursors.statement_cursor)


@dataclass
class RecordedOrder:
    statements: list[Statement] = field(default_factory=list)
    trades: int = 0


def _breakdown(market: Market, *, orders: int, seed: int, record: list[RecordedOrder] | None = None) -> dict[str, Any]:
    """One process, ``orders`` stream orders: queries per order and where an order's time goes. ``record``
    receives each order's statements, as sent, and its trades."""
    import psycopg
    from django.db import connection

    from marketplace.services.orders import order_place

    sql_s = 0.0
    queries = 0
    by_statement: dict[str, list[float]] = {}

    def timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        nonlocal sql_s, queries
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - began
            sql_s += elapsed
            queries += 1
            by_statement.setdefault(_statement_kind(sql), []).append(elapsed)
            if record is not None:
                prepared = not isinstance(context["cursor"].cursor, psycopg.ClientCursor)
                record[-1].statements.append(Statement(sql, params, prepared))

    connection.ensure_connection()
    commit = getattr(connection, "_commit")  # noqa: B009 (private: the COMMIT alone)
    commit_s = 0.0

    def timed_commit() -> None:
        nonlocal commit_s
        began = time.perf_counter()
        try:
            commit()
        finally:
            commit_s += time.perf_counter() - began

    rng = random.Random(seed)
    by_trades: dict[int, list[int]] = {}
    total_s = 0.0
    setattr(connection, "_commit", timed_commit)  # noqa: B010 (an instance override, undone below)
    try:
        with connection.execute_wrapper(timed):
            for _ in range(orders):
                order = next_order(rng, market)
                before = queries
                if record is not None:
                    record.append(RecordedOrder())
                began = time.perf_counter()
                placed = order_place(**order)
                total_s += time.perf_counter() - began
                if record is not None:
                    record[-1].trades = len(placed.trades)
                by_trades.setdefault(len(placed.trades), []).append(queries - before)
    finally:
        delattr(connection, "_commit")
    return {
        "orders": orders,
        "ms_per_order": round(total_s / orders * 1000, 2),
        "sql_ms_per_order": round(sql_s / orders * 1000, 2),
        "commit_ms_per_order": round(commit_s / orders * 1000, 2),
        "python_ms_per_order": round((total_s - sql_s - commit_s) / orders * 1000, 2),
        "queries_per_order": round(queries / orders, 1),
        "queries_by_trades": {str(k): round(statistics.mean(v), 1) for k, v in sorted(by_trades.items())},
        "sql_top": [
            {
                "statement": kind,
                "calls_per_order": round(len(v) / orders, 2),
                "ms_per_order": round(sum(v) / orders * 1000, 2),
            }
            for kind, v in sorted(by_statement.items(), key=lambda item: -sum(item[1]))[:12]
        ],
    }


def copy_database(source: str, copy: str) -> str:
    """A copy of database ``source`` as it is now (no connection to it may be open: Django's are closed)."""
    import psycopg
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(copy), sql.Identifier(source)))
    return database_url(copy)


def drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _replay(conn: Any, orders: Sequence[RecordedOrder]) -> float:
    """Seconds to send ``orders``' statements again, each order one transaction, as ``order_place`` sent them."""
    import psycopg

    client, server = psycopg.ClientCursor(conn), psycopg.Cursor(conn)
    began = time.perf_counter()
    for order in orders:
        for statement in order.statements:
            cursor = server if statement.prepared else client
            cursor.execute(statement.sql, statement.params)
            while True:  # every result read, as the real path reads them (several statements: several results)
                if cursor.description is not None:
                    cursor.fetchall()
                if not cursor.nextset():
                    break
        conn.commit()
    return time.perf_counter() - began


def _baseline_serial(conn: Any, plan: BaselinePlan, rng: random.Random, trades: Sequence[int]) -> float:
    began = time.perf_counter()
    for matches in trades:
        offering_id, resting = rng.choice(plan.offerings)
        _baseline_order(conn, rng, offering_id, resting, rng.choice(plan.buyers), matches)
    return time.perf_counter() - began


def _statements_alone(copy: str, market: Market, recorded: Sequence[RecordedOrder]) -> dict[str, Any]:
    """``recorded`` replayed on the copy ``copy`` (taken before they ran) beside the baseline (see the module's
    docstring); the copy is dropped."""
    import psycopg

    url = database_url(copy)
    try:
        plan = _baseline_plan(url, market)
        rng = random.Random(SEED - 5)
        half = len(recorded) // 2
        first, rest = recorded[:half], recorded[half:]
        with psycopg.connect(url, prepare_threshold=0) as replayed, psycopg.connect(url) as baseline:
            replay_s = _replay(replayed, first)
            baseline_s = _baseline_serial(baseline, plan, rng, [order.trades for order in first])
            baseline_s += _baseline_serial(baseline, plan, rng, [order.trades for order in rest])
            replay_s += _replay(replayed, rest)
    finally:
        drop_database(copy)
    orders = len(recorded)
    statements_ms = replay_s / orders * 1000
    baseline_ms = baseline_s / orders * 1000
    return {
        "orders": orders,
        "statements_per_order": round(sum(len(order.statements) for order in recorded) / orders, 2),
        "trades": sum(order.trades for order in recorded),
        "statements_alone_ms_per_order": round(statements_ms, 3),
        "baseline_ms_per_order": round(baseline_ms, 3),
        "ratio_if_python_took_no_time": round(baseline_ms / statements_ms, 3),
        "target_ratio": TARGET_RATIO,
        "python_ms_per_order_at_target": round(baseline_ms / TARGET_RATIO - statements_ms, 3),
    }


def _statement_kind(sql: str) -> str:
    """``SELECT marketplace_order``, ``INSERT contracts_contract``, ``SAVEPOINT``...: what a statement does to what."""
    words = sql.split()
    verb = words[0].upper() if words else ""
    if verb == "WITH":  # config.db.writes: one statement writing several tables
        return "WITH " + "+".join(t.split("_", 1)[-1] for t in re.findall(r'(?:INSERT INTO|UPDATE) "(\w+)"', sql))
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return " ".join(words[:2]) if verb != "SAVEPOINT" else verb
    table = ""
    if verb == "SELECT" and "FROM" in words:
        table = words[words.index("FROM") + 1]
    elif verb == "INSERT" and len(words) > 2:
        table = words[2]
    elif verb == "UPDATE" and len(words) > 1:
        table = words[1]
    suffix = " FOR UPDATE" if sql.rstrip().endswith("FOR UPDATE") else ""
    return f"{verb} {table.strip(chr(34))}{suffix}"


def _profile(market: Market, *, orders: int, seed: int) -> dict[str, Any]:
    from marketplace.services.orders import order_place

    rng = random.Random(seed)
    stream = [next_order(rng, market) for _ in range(orders)]
    profiler = cProfile.Profile()
    profiler.enable()
    for order in stream:
        order_place(**order)
    profiler.disable()
    return _profile_rows(pstats.Stats(profiler), orders)


def _profile_rows(stats: pstats.Stats, orders: int) -> dict[str, Any]:
    """A profile's top self time, and top cumulative time of the project's functions, per order."""
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    root = str(ROOT)

    def name(key: tuple[str, int, str]) -> str:
        path, line, function = key
        path = path.replace(root + "/", "").replace(str(ROOT / ".venv") + "/", "")
        if "site-packages/" in path:
            path = path.split("site-packages/", 1)[1]
        return f"{path}:{line}({function})" if line else function

    def row(key: Any, value: Any) -> dict[str, Any]:
        calls, _, tottime, cumtime, _ = value
        return {
            "function": name(key),
            "calls_per_order": round(calls / orders, 2),
            "tottime_ms_per_order": round(tottime / orders * 1000, 3),
            "cumtime_ms_per_order": round(cumtime / orders * 1000, 3),
        }

    by_self = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:15]
    ours = [
        item
        for item in entries.items()
        if item[0][0].startswith(root) and "/.venv/" not in item[0][0] and "/tests/" not in item[0][0]
    ]
    by_cumulative = sorted(ours, key=lambda item: item[1][3], reverse=True)[:20]
    total = sum(value[2] for value in entries.values())
    return {
        "orders": orders,
        "ms_per_order_profiled": round(total / orders * 1000, 2),
        "top_self_time": [row(k, v) for k, v in by_self],
        "top_project_cumulative": [row(k, v) for k, v in by_cumulative],
    }


# --- the matchers (ICHIBA_MATCHERS=streams) -----------------------------------------------------------------------


@dataclass
class Window:
    """One timed feed through the matchers: what the feeders saw and what the matchers say they did."""

    fed: list[matchers.Fed]
    matched: list[dict[str, Any]]  # per matcher, matchers.difference

    @property
    def orders(self) -> int:
        return sum(len(f.sent) for f in self.fed)

    @property
    def wall(self) -> float:
        return max(f.ended for f in self.fed) - min(f.started for f in self.fed)

    @property
    def latencies(self) -> list[float]:
        return [t for f in self.fed for t in f.latencies]

    @property
    def trades(self) -> int:
        return sum(f.trades for f in self.fed)

    @property
    def errors(self) -> dict[str, int]:
        found: Counter[str] = Counter()
        for f in self.fed:
            found.update({k: v for k, v in f.statuses.items() if k != "placed"})
        return dict(found)


def _dataset_of(market: Market) -> dict[uuid.UUID, uuid.UUID]:
    from marketplace.models import Offering

    ids = [book.offering_id for book in market.books]
    return dict(Offering.objects.filter(pk__in=ids).values_list("id", "dataset_id"))


def _matchers_start(env: dict[str, str], shards: Sequence[int], *, name: str) -> list[matchers.MatcherProcess]:
    return [
        matchers.MatcherProcess(shard, env=env, log=WORK / f"matching-{name}-{index}-shard{shard}.log")
        for index, shard in enumerate(shards)
    ]


def _timed_feed(
    running: Sequence[matchers.MatcherProcess], batch: Sequence[matchers.Command], *, rate: float = 0.0
) -> Window:
    before = [m.summary() for m in running]
    fed = matchers.feed(batch, feeders=MATCHER_FEEDERS, in_flight=MATCHER_IN_FLIGHT, rate=rate)
    return Window(fed, matchers.window(running, before, len(batch)))


def _matchers_warm(market: Market, dataset_of: dict[uuid.UUID, uuid.UUID]) -> None:
    """One crossing bid per offering, untimed: each matcher reads its books and composes each offering's contract
    document once, as a matcher that has been running has."""
    matchers.feed(matchers.commands(_warm_orders(market), dataset_of), in_flight=16)


def _warm_orders(market: Market) -> list[dict[str, Any]]:
    return [
        {
            "principal": market.buyers[index % len(market.buyers)],
            "offering_id": book.offering_id,
            "side": "buy",
            "price": CROSSING_BID_PRICE,
            "quantity": 1,
            "accepted_terms_sha256": book.terms_sha256,
        }
        for index, book in enumerate(market.books)
    ]


def _matchers_session(
    market: Market,
    env: dict[str, str],
    dataset_of: dict[uuid.UUID, uuid.UUID],
    *,
    name: str,
    orders: int,
    seed: int,
    open_rate: Callable[[Window], float] | None = None,
) -> tuple[Window, Window | None]:
    """Books reset, a matcher per shard started and warmed, a closed-loop burst of ``orders`` stream orders, then
    (``open_rate``: the rate, given the burst) an open-loop window; the matchers stopped."""
    from django.db import connections

    reset_books(market, seed=seed)
    rng = random.Random(seed + 1)
    burst = matchers.commands([next_order(rng, market) for _ in range(orders)], dataset_of)
    connections.close_all()
    running = _matchers_start(env, range(matchers.SHARDS), name=name)
    try:
        for matcher in running:
            matcher.wait_holding()
        _matchers_warm(market, dataset_of)
        closed = _timed_feed(running, burst)
        opened = None
        if open_rate is not None:
            rate = open_rate(closed)
            steady = [next_order(rng, market) for _ in range(int(rate * MATCHER_OPEN_SECONDS))]
            opened = _timed_feed(running, matchers.commands(steady, dataset_of), rate=rate)
    finally:
        for matcher in running:
            matcher.stop()
    return closed, opened


def _takeover(market: Market, env: dict[str, str], dataset_of: dict[uuid.UUID, uuid.UUID]) -> dict[str, Any]:
    """Shard 0's matcher ``kill -9``ed a third of the way into an open-loop feed, its standby running: from the
    kill to the standby's lock and to its first answer; every order answered and stored once."""
    from django.db import connections

    from marketplace.models import Order

    reset_books(market, seed=SEED - 7)
    rng = random.Random(SEED - 8)
    stream = [next_order(rng, market) for _ in range(int(TAKEOVER_RATE * TAKEOVER_SECONDS))]
    batch = matchers.commands(stream, dataset_of)
    connections.close_all()
    [primary] = _matchers_start(env, [0], name="takeover-primary")
    others: list[matchers.MatcherProcess] = []
    try:
        primary.wait_holding()
        others = _matchers_start(env, [0, 1], name="takeover-others")  # shard 0's standby, shard 1's matcher
        standby = others[0]
        others[1].wait_holding()
        _matchers_warm(market, dataset_of)
        process, results = matchers.feed_started(batch, rate=TAKEOVER_RATE)
        time.sleep(TAKEOVER_SECONDS / 3)
        wall_offset = time.time() - time.monotonic()
        killed_at = time.monotonic()
        primary.process.kill()
        primary.process.wait(timeout=30)
        fed: matchers.Fed = results.get(timeout=TAKEOVER_SECONDS + 120)
        process.join(timeout=30)
        took = standby.summary()
    finally:
        for matcher in (primary, *others):
            matcher.stop()
    lock_at = took["took_over_at"] - wall_offset
    after = [
        answered
        for answered, shard in zip(fed.answered, fed.shards, strict=True)
        if shard == 0 and answered > max(killed_at, lock_at)
    ]
    answered_ids = [order_id for order_id, answered in zip(fed.order_ids, fed.answered, strict=True) if answered]
    stored = Order.objects.filter(pk__in=answered_ids).count()
    in_flight = sum(
        1 for s, a, shard in zip(fed.sent, fed.answered, fed.shards, strict=True) if shard == 0 and s < killed_at < a
    )
    return {
        "rate": TAKEOVER_RATE,
        "orders": len(fed.sent),
        "answered": len(answered_ids),
        "stored_of_answered": stored,
        "statuses": dict(fed.statuses),
        "shard0_in_flight_at_kill": in_flight,
        "standby_reclaimed": took["reclaimed"],
        "standby_found_committed": took["already_placed"],
        "lock_after_kill_s": round(lock_at - killed_at, 3) if took["took_over_at"] else None,
        "first_answer_after_kill_s": round(min(after) - killed_at, 3) if after else None,
        "p99_ms_whole_feed": round(percentile(fed.latencies, 0.99) * 1000, 1) if fed.latencies else None,
        "ok": bool(after) and stored == len(answered_ids) == len(fed.sent),
    }


def _window_figures(window: Window, prefix: str) -> dict[str, Any]:
    latencies = window.latencies or [float("nan")]
    return {
        f"{prefix}orders": window.orders,
        f"{prefix}orders_per_s": round(window.orders / window.wall, 1),
        f"{prefix}p50_ms": round(statistics.median(latencies) * 1000, 2),
        f"{prefix}p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        f"{prefix}trades": window.trades,
        f"{prefix}errors": window.errors,
    }


def _matchers_run(
    market: Market, url: str, data_dir: str, best_baseline: tuple[int, float], first: Window, settings: dict[str, str]
) -> None:
    """The matchers' second burst, open loop at half the peak, the figure; then the takeover (and a profile)."""
    env = matchers.environment(url, Path(data_dir))
    dataset_of = _dataset_of(market)
    second, opened = _matchers_session(
        market,
        env,
        dataset_of,
        name="second",
        orders=MATCHER_ORDERS - MATCHER_ORDERS // 2,
        seed=SEED + 500,
        open_rate=lambda closed: (first.orders + closed.orders) / (first.wall + closed.wall) / 2,
    )
    assert opened is not None
    workers, baseline_rate = best_baseline
    peak = (first.orders + second.orders) / (first.wall + second.wall)
    bursts = [*first.fed, *second.fed]
    burst_latencies = [t for f in bursts for t in f.latencies] or [float("nan")]
    errors: Counter[str] = Counter(first.errors)
    errors.update(second.errors)
    open_latencies = opened.latencies or [float("nan")]
    open_p99 = percentile(open_latencies, 0.99) * 1000
    ratio = peak / baseline_rate
    ok_rate = ratio >= MATCHERS_TARGET_RATIO and not errors
    ok_p99 = open_p99 < MATCHERS_TARGET_P99_MS and not opened.errors
    lags = [lag for f in opened.fed for lag in f.lags] or [0.0]
    emit(
        bench="marketplace.matching.matchers",
        shards=matchers.SHARDS,
        offerings=len(market.books),
        feeders=MATCHER_FEEDERS,
        in_flight=MATCHER_IN_FLIGHT,
        orders=first.orders + second.orders,
        orders_per_s=round(peak, 1),
        trades=first.trades + second.trades,
        errors=dict(errors),
        burst_p50_ms=round(statistics.median(burst_latencies) * 1000, 2),
        burst_p99_ms=round(percentile(burst_latencies, 0.99) * 1000, 2),
        reference="the raw-SQL per-order baseline, the better of its worker counts, same run",
        baseline_workers=workers,
        baseline_orders_per_s=round(baseline_rate, 1),
        ratio_to_baseline=round(ratio, 3),
        target_ratio=MATCHERS_TARGET_RATIO,
        ok_ratio=ok_rate,
        open_loop_rate=round(opened.orders / MATCHER_OPEN_SECONDS, 1),
        open_loop_achieved=round(opened.orders / opened.wall, 1),
        open_loop_p50_ms=round(statistics.median(open_latencies) * 1000, 2),
        open_loop_p99_ms=round(open_p99, 2),
        open_loop_max_ms=round(max(open_latencies) * 1000, 2),
        open_loop_errors=opened.errors,
        open_loop_generator_lag_p99_ms=round(percentile(lags, 0.99) * 1000, 2),
        target_p99_ms=MATCHERS_TARGET_P99_MS,
        ok_p99=ok_p99,
        ok=ok_rate and ok_p99,
        burst_matcher=matchers.breakdown([*first.matched, *second.matched]),
        open_loop_matcher=matchers.breakdown(opened.matched),
        pg_fsync=settings["fsync"],
        pg_synchronous_commit=settings["synchronous_commit"],
        load_average_1m=round(os.getloadavg()[0], 2),
    )
    emit(bench="marketplace.matching.matchers_takeover", **_takeover(market, env, dataset_of))
    if not (ok_rate and ok_p99) or MATCHER_PROFILE:
        size = max(1, round(second.orders / max(1, sum(m["batches"] for m in second.matched))))
        emit(bench="marketplace.matching.matchers_profile", **_batch_profile(market, batch=size))


def _batch_profile(market: Market, *, batch: int) -> dict[str, Any]:
    """A matcher's Python under cProfile: ``orders_place_batch`` in this process on batches of ``batch`` stream
    orders (the burst's mean size), its books held between batches, as a matcher holds them; after a warm-up batch
    per offering. Settlement tasks go to the in-memory broker here (to Redis from a matcher)."""
    from marketplace.services.matching import Books, orders_place_batch

    reset_books(market, seed=SEED - 9)
    rng = random.Random(SEED - 10)
    books = Books()
    orders_place_batch([matchers.place(order) for order in _warm_orders(market)], books)
    stream = [matchers.place(next_order(rng, market)) for _ in range(MATCHER_PROFILE_ORDERS)]
    profiler = cProfile.Profile()
    profiler.enable()
    for start in range(0, len(stream), batch):
        orders_place_batch(stream[start : start + batch], books)
    profiler.disable()
    return {"batch": batch, **_profile_rows(pstats.Stats(profiler), len(stream))}


# --- the benchmark ------------------------------------------------------------------------------------------------


def run() -> None:
    if ran_in_fresh_interpreter("matching"):
        return
    url = recreate_database(DATABASE, bench="marketplace.matching")
    if url is None:
        return
    data_dir = WORK / "matching-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(url, str(data_dir))
    try:
        _run(url, str(data_dir))
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(url: str, data_dir: str) -> None:
    from django.db import connections

    settings = server_settings(url)
    started = time.perf_counter()
    market = build_market(offerings=N_OFFERINGS)
    baseline = _baseline_plan(url, market)
    emit(
        bench="marketplace.matching.setup",
        offerings=len(market.books),
        buyers=len(market.buyers),
        seconds=round(time.perf_counter() - started, 1),
    )
    reset_books(market, seed=SEED)
    _warm(market)
    copy_database(DATABASE, COPY)
    recorded: list[RecordedOrder] = []
    breakdown = _breakdown(market, orders=DIAGNOSTIC_ORDERS, seed=SEED - 1, record=recorded)  # also warms the paths
    emit(bench="marketplace.matching.breakdown", **breakdown)
    alone = _statements_alone(COPY, market, recorded)
    emit(
        bench="marketplace.matching.statements_alone",
        order_place_ms_per_order=breakdown["ms_per_order"],
        python_ms_per_order=round(breakdown["ms_per_order"] - alone["statements_alone_ms_per_order"], 3),
        **alone,
    )
    problem = redis_problem(matchers.REDIS_URL)
    burst_first: Window | None = None
    if problem:
        emit(bench="marketplace.matching.matchers", skipped=problem)
    else:  # the matchers' first burst, before the per-order runs; the second one comes after them
        matchers.flush_redis()
        env = matchers.environment(url, Path(data_dir))
        burst_first, _ = _matchers_session(
            market, env, _dataset_of(market), name="first", orders=MATCHER_ORDERS // 2, seed=SEED + 400
        )
    baselines: dict[int, float] = {}
    below_target = False
    for workers in WORKER_COUNTS:
        reset_books(market, seed=SEED + workers)
        with connections["default"].cursor() as cursor:
            cursor.execute("ANALYZE")
        # ABBA: real, baseline, baseline, real: a machine whose load drifts during the run favours neither.
        half, rest = N_ORDERS // 2, N_ORDERS - N_ORDERS // 2
        first = _run_workers(_real_worker, workers, market, orders=half, seed=SEED * 10 + workers)
        plan = BaselinePlan(
            url=baseline.url,
            offerings=baseline.offerings,
            buyers=baseline.buyers,
            trades_per_order=[n for r in first for n in r.trades],
        )
        reference = _summarise(
            [
                _run_workers(_baseline_worker, workers, plan, orders=half, seed=SEED * 20 + workers),
                _run_workers(_baseline_worker, workers, plan, orders=rest, seed=SEED * 30 + workers),
            ]
        )
        second = _run_workers(_real_worker, workers, market, orders=rest, seed=SEED * 40 + workers)
        real = _summarise([first, second])
        baselines[workers] = reference.orders_per_s
        book = resting_per_offering()
        ratio = real.orders_per_s / reference.orders_per_s
        ok = ratio >= TARGET_RATIO and not real.errors
        below_target |= not ok
        emit(
            bench="marketplace.matching",
            workers=workers,
            orders=real.orders,
            orders_per_s=round(real.orders_per_s, 1),
            p50_ms=round(real.p50_ms, 2),
            p99_ms=round(real.p99_ms, 2),
            trades=real.trades,
            errors=sum(real.errors.values()),
            error_kinds=real.errors,
            offerings=len(market.books),
            resting_orders_per_offering_at_end=book,
            reference="psycopg: lock + update + inserts per order, same trades per order",
            baseline_orders=reference.orders,
            baseline_orders_per_s=round(reference.orders_per_s, 1),
            baseline_p50_ms=round(reference.p50_ms, 2),
            baseline_p99_ms=round(reference.p99_ms, 2),
            baseline_trades=reference.trades,
            baseline_errors=sum(reference.errors.values()),
            ratio_to_baseline=round(ratio, 3),
            target_ratio=TARGET_RATIO,
            ok=ok,
            pg_fsync=settings["fsync"],
            pg_synchronous_commit=settings["synchronous_commit"],
            pg_wal_sync_method=settings["wal_sync_method"],
            load_average_1m=round(os.getloadavg()[0], 2),
        )
    if burst_first is not None:
        best = max(baselines.items(), key=lambda item: item[1])
        try:
            _matchers_run(market, url, data_dir, best, burst_first, settings)
        finally:
            matchers.flush_redis()
    if below_target or PROFILE:
        reset_books(market, seed=SEED - 2)
        emit(bench="marketplace.matching.profile", **_profile(market, orders=PROFILE_ORDERS, seed=SEED - 3))
