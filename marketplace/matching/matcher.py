"""A shard's matcher process (``manage.py run_matcher --shard N``): the one writer of the shard's order books.

It first takes the shard's PostgreSQL advisory lock on its database connection. A second matcher for the same
shard (a standby) waits on that lock and takes over when the holder's connection ends (the process died, or was
killed); the lock and the writes share the connection, so a matcher that lost its connection can write nothing
either and exits. The new holder claims what its predecessor had read but not acknowledged, answers those its
predecessor had already committed from the database, and places the rest; then it reads new commands.

Batching needs no timer: the matcher takes whatever is waiting (up to ``ICHIBA_MATCHER_BATCH``), and while it
writes one batch the next one gathers. At a low rate every batch is one order and nobody waits for a batch to
fill; under load batches grow, and one COMMIT serves many orders.

Redis going away does not end a matcher: it keeps its shard (the lock is PostgreSQL's), logs the outage, and tries
again with a short backoff, checking meanwhile that it still holds the lock. When Redis answers it joins the stream
again as it did when it took the shard: the group created again if Redis lost it (restarted without persistence),
then every entry read and not acknowledged claimed and answered, those already committed from the database (a batch
that committed but whose answers never reached Redis). Entries a recreated group delivers from before its creation
are checked the same way. PostgreSQL going away does end it: its lock went with its connection, and a standby may
already hold the shard.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.market import market_settings
from marketplace.matching import streams
from marketplace.matching.commands import Outcome, Place
from marketplace.models import Order
from marketplace.services.matching import Books, Spent, orders_place_batch
from marketplace.services.orders import placed_snapshot, placed_taker

logger = logging.getLogger(__name__)

# The advisory lock's first key (the second is the shard): "ichiba" matchers, as an int4.
LOCK_CLASS = 0x1C1BA
# What a Redis outage raises (BusyLoadingError, Redis reading its file after a restart, is a ConnectionError).
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
# Seconds between tries while Redis is down: doubling from the first to the last.
RETRY_FIRST_SECONDS = 0.1
RETRY_MAX_SECONDS = 2.0


def shards_held() -> set[int]:
    """The shards whose advisory lock some session holds now (a matcher per shard, wherever it runs). Advisory
    locks belong to a database, and ``pg_locks`` shows every database's: only this one's count."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objsubid = 2 AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [LOCK_CLASS],
        )
        return {int(shard) for (shard,) in cursor.fetchall()}


def matchers_readiness() -> tuple[dict[str, Any], bool] | None:
    """``GET /readyz`` with matchers (``config.health``): not ready while a shard has no matcher holding its lock,
    since every order to it would wait out its reply timeout and stay undecided until one starts. Nothing to say
    in process."""
    if market_settings().matchers != "streams":
        return None
    shards = market_settings().matcher_shards
    missing = sorted(set(range(shards)) - shards_held())
    return {"shards": shards, "without_matcher": missing}, not missing


@dataclass
class Stats:
    """What a matcher has done, for its log and the bench. Seconds are summed over batches (``process``); the
    batches' own split is ``Books.spent``."""

    batches: int = 0
    commands: int = 0
    sizes: Counter[int] = field(default_factory=Counter)
    reclaimed: int = 0
    already_placed: int = 0
    took_over_at: float = 0.0  # time.time() when it held the lock
    redis_outages: int = 0
    busy: float = 0.0  # in process(): from the entries read to their answers sent
    decode: float = 0.0  # the commands' JSON
    place: float = 0.0  # placing (orders_place_batch, and the predecessor's orders looked up)
    answer: float = 0.0  # the answers, XACK and XDEL in one round trip to Redis

    def summary(self, spent: Spent | None = None) -> dict[str, Any]:
        """As one JSON object (``run_matcher`` prints it on SIGUSR1 and when it stops)."""
        return {
            "batches": self.batches,
            "commands": self.commands,
            "sizes": {str(size): count for size, count in sorted(self.sizes.items())},
            "reclaimed": self.reclaimed,
            "already_placed": self.already_placed,
            "took_over_at": self.took_over_at,
            "redis_outages": self.redis_outages,
            "seconds": {
                "busy": self.busy,
                "decode": self.decode,
                "place": self.place,
                "answer": self.answer,
                **({"batch_" + name: value for name, value in spent.as_dict().items()} if spent else {}),
            },
        }


class Matcher:
    def __init__(
        self,
        shard: int,
        *,
        batch: int | None = None,
        consumer: str | None = None,
        on_batch: Callable[[Stats], None] | None = None,
    ) -> None:
        self.shard = shard
        self.batch = batch or market_settings().matcher_batch
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.stream = streams.stream_key(shard)
        self.books = Books()
        self.stats = Stats()
        self.stop = threading.Event()
        self._on_batch = on_batch
        # Entries up to this stream id may have been committed already: a group created again delivers them anew.
        self._recheck_until: tuple[int, int] | None = None

    # -- taking the shard ----------------------------------------------------------------------------------

    def take_shard(self) -> None:
        """Block until this process holds the shard's lock (a standby waits here while another holds it)."""
        connection.ensure_connection()
        with connection.cursor() as cursor:
            while not self.stop.is_set():
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, self.shard])
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)  # the holder's session ends when it dies; polling notices within this
        self.stats.took_over_at = time.time()
        logger.info("matcher of shard %s holds its lock", self.shard, extra={"event": "matcher.took_over"})

    def holds_shard(self) -> bool:
        """Whether this matcher's session still holds the shard's lock (a lost connection raises instead)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s "
                "AND objsubid = 2 AND pid = pg_backend_pid() AND granted)",
                [LOCK_CLASS, self.shard],
            )
            return bool(cursor.fetchone()[0])

    def _group(self) -> None:
        """The shard's consumer group, created (with its stream) if Redis has none: at the stream's start, so the
        commands sent while there was no group are read too, and those already there are checked first."""
        redis_client = streams.client()
        try:
            redis_client.xgroup_create(self.stream, streams.GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
            return
        last = redis_client.xrevrange(self.stream, count=1)
        self._recheck_until = _entry_id(last[0][0]) if last else None

    # -- the loop ------------------------------------------------------------------------------------------

    def run(self) -> None:
        self.take_shard()
        while not self.stop.is_set():
            try:
                self._join()
                self._serve()
            except REDIS_DOWN as error:
                self._wait_for_redis(error)

    def _join(self) -> None:
        """Join the shard's stream: its group, then what was read and never acknowledged (by a predecessor, or by
        this matcher before Redis went away)."""
        self._group()
        self._reclaim()

    def _serve(self) -> None:
        redis_client = streams.client()
        while not self.stop.is_set():
            try:
                read = redis_client.xreadgroup(
                    streams.GROUP, self.consumer, {self.stream: ">"}, count=self.batch, block=200
                )
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                return  # Redis lost its data (restarted without persistence): join again
            entries = [entry for _stream, found in read or () for entry in found]
            if not entries:
                self._recheck_until = None  # the recreated group's backlog is behind us
                continue
            self.process(entries, reclaimed=self._maybe_committed(entries))

    def _maybe_committed(self, entries: Sequence[tuple[Any, dict[Any, Any]]]) -> bool:
        until = self._recheck_until
        if until is None:
            return False
        if _entry_id(entries[-1][0]) > until:
            self._recheck_until = None
        return _entry_id(entries[0][0]) <= until

    def _wait_for_redis(self, error: Exception) -> None:
        """Keep the shard and try Redis again, backing off, until it answers (or the matcher is stopped); a lost
        PostgreSQL connection ends the matcher here, as it would in a batch."""
        self.stats.redis_outages += 1
        logger.warning(
            "matcher of shard %s: Redis unavailable (%s), keeping the shard and trying again",
            self.shard,
            type(error).__name__,
            extra={"event": "matcher.redis_unavailable"},
        )
        since, delay = time.monotonic(), RETRY_FIRST_SECONDS
        while not self.stop.wait(delay):
            if not self.holds_shard():
                raise RuntimeError(f"matcher of shard {self.shard} lost its lock while Redis was down")
            try:
                streams.client().ping()
            except REDIS_DOWN:
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            logger.info(
                "matcher of shard %s: Redis is back after %.1f s",
                self.shard,
                time.monotonic() - since,
                extra={"event": "matcher.redis_back"},
            )
            return

    def _reclaim(self) -> None:
        """Take over the entries a predecessor read and never acknowledged, oldest first."""
        redis_client = streams.client()
        start = "0-0"
        while True:
            result = redis_client.xautoclaim(
                self.stream, streams.GROUP, self.consumer, min_idle_time=0, start_id=start, count=self.batch
            )
            start, entries = result[0], result[1]
            entries = [entry for entry in entries if entry[1]]  # an entry deleted meanwhile comes back empty
            if entries:
                self.stats.reclaimed += len(entries)
                self.process(entries, reclaimed=True)
            if start in (b"0-0", "0-0"):
                return

    def process(self, entries: Sequence[tuple[Any, dict[Any, Any]]], *, reclaimed: bool) -> None:
        """Place one batch and answer it: commit first, then answer, then acknowledge."""
        began = time.perf_counter()
        commands: list[Place] = []
        for entry_id, fields in entries:
            try:
                commands.append(Place.of_json(json.loads(fields[streams.FIELD.encode()])))
            except (KeyError, ValueError, TypeError):
                logger.error("matcher of shard %s dropped a malformed entry %s", self.shard, entry_id)
        decoded = time.perf_counter()
        outcomes: list[Outcome] = []
        if reclaimed and commands:
            done = self._already_placed(commands)
            outcomes += done.values()
            commands = [command for command in commands if command.order_id not in done]
        if commands:
            outcomes += orders_place_batch(commands, self.books)
        placed = time.perf_counter()
        redis_client = streams.client()
        with redis_client.pipeline(transaction=False) as pipeline:
            for outcome in outcomes:
                streams.answer(pipeline, outcome)
            ids = [entry_id for entry_id, _ in entries]
            pipeline.xack(self.stream, streams.GROUP, *ids)
            pipeline.xdel(self.stream, *ids)
            pipeline.execute()
        ended = time.perf_counter()
        self.stats.busy += ended - began
        self.stats.decode += decoded - began
        self.stats.place += placed - decoded
        self.stats.answer += ended - placed
        self.stats.batches += 1
        self.stats.commands += len(entries)
        self.stats.sizes[len(entries)] += 1
        if self._on_batch is not None:
            self._on_batch(self.stats)

    def _already_placed(self, commands: Sequence[Place]) -> dict[Any, Outcome]:
        """Of commands read before (by a predecessor, or by this matcher before Redis went away), those already
        committed: answered from the database, as the order was placed, with the trades it made as it arrived (not
        those it made later resting on the book), in the same form as a batch's answers."""
        ids = [command.order_id for command in commands]
        stored = list(Order.objects.filter(pk__in=ids).values_list("id", flat=True))
        outcomes = {}
        for order_id in stored:
            placed = placed_taker(order_id)
            outcomes[order_id] = Outcome(
                status="placed",
                order_id=order_id,
                trade_ids=tuple(trade.id for trade in placed.trades),
                placed=placed_snapshot(placed),
            )
        self.stats.already_placed += len(stored)
        return outcomes


def _entry_id(raw: bytes | str) -> tuple[int, int]:
    """A stream entry's id (``"1700000000000-3"``) as a pair that orders like the stream."""
    text = raw.decode() if isinstance(raw, bytes) else raw
    milliseconds, _, sequence = text.partition("-")
    return int(milliseconds), int(sequence or 0)
