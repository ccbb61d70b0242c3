"""A matcher's batch: many orders matched in arrival order against books held in memory, written in one transaction.

A shard's matcher (``marketplace.matching.matcher``) is the only process that places orders on its shard's books,
so it keeps them in memory between batches (``Books``). Each batch still locks the rows of the offerings it trades
on (``FOR UPDATE``, in id order) and reads them: whoever else changes a book (a cancel, an expiry, a void that gives
seats back, a withdrawal, a take-down) does it under the same lock and counts the change in
``Offering.book_version``, and the matcher reads a book again whenever that count is not the one it last wrote.
So the in-memory book is a cache that is checked under the lock, never a second truth.

The orders are matched one after another exactly as ``order_place`` matches one in process (``place_matched``),
each seeing the book the previous one left; their rows (orders, fills, trades, contracts, acceptances,
settlements, events, idempotency records) are collected and written together by ``rows_write`` (one statement on
PostgreSQL), then one COMMIT. Only then is any request answered.

A refusal decided before an order touches its book (a market rule, an offering gone) answers that order alone.
A refusal decided after (a trade the dataset's exclusivity forbids) leaves the batch's books half changed: the
attempt rolls back, the held books are dropped, and the batch starts again without that order. A trade on a
dataset with an exclusive offering is judged against the contracts stored, so a second such trade on one dataset
waits for the next batch, which sees the first one's contract.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from catalog.models import DatasetVersion
from config.api.models import IdempotencyRecord
from config.errors import Conflict, DomainError, NotFound
from config.request_id import request_id_bound
from marketplace import engine
from marketplace.matching.commands import Outcome, Place
from marketplace.models import Offering, Order, Trade
from marketplace.services.exclusivity import EXCLUSIVE
from marketplace.services.orders import (
    Placed,
    _book,
    _check_command,
    _Market,
    _Rows,
    place_matched,
    placed_snapshot,
)

logger = logging.getLogger(__name__)

__all__ = ["Books", "Spent", "orders_place_batch"]


@dataclass
class Spent:
    """Seconds the batches spent, summed over every attempt (one refused mid-batch counts too)."""

    read: float = 0.0  # locking the offerings and reading them, their books when stale, the idempotency keys
    matching: float = 0.0  # place_matched of every order: matching, contracts, settlement rows, in Python
    matching_sql: float = 0.0  # of which statements sent while matching (what it reads that no batch read holds)
    write: float = 0.0  # building and sending the batch's one write statement
    commit: float = 0.0  # the COMMIT
    after_commit: float = 0.0  # what runs once committed: settlement tasks published, log lines, metrics
    total: float = 0.0  # orders_place_batch as a whole; what no field above names is the rest of its Python

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class _Held:
    """A book kept between batches, as of ``version`` (the offering's ``book_version`` it last wrote)."""

    version: int
    resting: dict[str, Order]
    book: engine.OrderBook


class Books:
    """The books one matcher holds in memory, by offering id; each checked under its offering's lock when used.

    ``keep=False``: nothing is held between batches (matching in process, where other processes match the same
    books, and ``order_rematch`` / ``deal_execute``): every batch reads the books it needs."""

    def __init__(self, *, keep: bool = True) -> None:
        self._held: dict[uuid.UUID, _Held] = {}
        self.keep = keep
        self.reads = 0  # books read from the database (a first use, or another writer changed them)
        self.spent = Spent()

    def __len__(self) -> int:
        return len(self._held)

    def forget(self, offering_ids: Sequence[uuid.UUID] | None = None) -> None:
        if offering_ids is None:
            self._held.clear()
            return
        for offering_id in offering_ids:
            self._held.pop(offering_id, None)

    def markets(self, offering_ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[_Market, engine.OrderBook]]:
        """Lock the offerings (in id order) and return each with its book (the one held if it is current, else
        read again) and the dataset version a trade would license. Three queries at most, whatever the batch's
        size: the offerings, the versions, the books that must be read."""
        offerings = list(
            Offering.objects.select_for_update(of=("self",))
            .select_related("seller")
            .filter(pk__in=offering_ids)
            .order_by("pk")
        )
        if not offerings:
            return {}
        latest = _latest_versions(offering_ids)
        stale = [offering for offering in offerings if not self._current(offering)]
        if stale:
            self._read(stale)
        markets = {}
        for offering in offerings:
            held = self._held[offering.id]
            version, exclusive_here = latest.get(offering.dataset_id, (None, False))
            market = _Market(offering=offering, resting=held.resting, version=version, exclusive_here=exclusive_here)
            markets[offering.id] = (market, held.book)
        if not self.keep:
            self._held.clear()
        return markets

    def _current(self, offering: Offering) -> bool:
        held = self._held.get(offering.id)
        if held is None or held.version != offering.book_version:
            return False
        seats = None if offering.license_seats is None else offering.license_seats - offering.seats_sold
        return held.book.seats_remaining == seats  # a writer that forgot to count its change is caught here too

    def _read(self, offerings: list[Offering]) -> None:
        self.reads += len(offerings)
        resting: dict[uuid.UUID, dict[str, Order]] = {offering.id: {} for offering in offerings}
        for order in Order.objects.filter(offering_id__in=resting, status__in=Order.RESTING).order_by("seq"):
            resting[order.offering_id][str(order.id)] = order
        for offering in offerings:
            self._held[offering.id] = _Held(
                version=offering.book_version,
                resting=resting[offering.id],
                book=_book(offering, resting[offering.id]),
            )

    def wrote(self, offerings: Sequence[Offering]) -> None:
        """After a commit: the held books of these offerings are as of their new ``book_version``."""
        for offering in offerings:
            held = self._held.get(offering.id)
            if held is not None:
                held.version = offering.book_version


# The versions trades license, kept per process: a published version never changes, and what a contract quotes of
# its dataset (title, data class, anonymisation) changes only with the dataset's ``updated_at`` (its changes are
# saved through the catalog's services). So (version id, dataset updated_at) names the instances' content; reading
# them (JSON columns and all) cost a matcher a third of a millisecond per dataset per batch.
_KEPT_VERSIONS = 1024
_versions: OrderedDict[tuple[uuid.UUID, datetime], DatasetVersion] = OrderedDict()
_versions_lock = threading.Lock()


def _latest_versions(offering_ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[DatasetVersion | None, bool]]:
    """Dataset id -> its latest published version (with its dataset, without its bulky columns) and whether any
    offering of the dataset is exclusive (only then may a trade meet an exclusivity conflict), for these offerings'
    datasets: one query of ids, and one of instances for the versions (or datasets) this process has not seen."""
    latest = (
        DatasetVersion.objects.filter(dataset_id=OuterRef("dataset_id"), status=DatasetVersion.Status.PUBLISHED)
        .order_by("-number")
        .values("pk")[:1]
    )
    exclusive = Offering.objects.filter(dataset_id=OuterRef("dataset_id"), terms__license_type=EXCLUSIVE)
    found = (
        Offering.objects.filter(pk__in=offering_ids)
        .annotate(latest=Subquery(latest), exclusive_here=Exists(exclusive))
        .values_list("dataset_id", "latest", "exclusive_here", "dataset__updated_at")
    )
    rows = {dataset_id: (version_id, flag, updated) for dataset_id, version_id, flag, updated in found}
    with _versions_lock:
        kept = {key: _versions.get(key) for key in ((v, u) for v, _, u in rows.values() if v is not None)}
    read: dict[uuid.UUID, DatasetVersion] = {}
    missing = [version_id for (version_id, _), version in kept.items() if version is None]
    if missing:
        for version in (
            DatasetVersion.objects.select_related("dataset")
            .defer("checks", "sample", "dataset__description", "dataset__search_text")
            .filter(pk__in=missing)
        ):
            read[version.id] = version
        with _versions_lock:
            for version in read.values():
                _versions[(version.id, version.dataset.updated_at)] = version
            while len(_versions) > _KEPT_VERSIONS:
                _versions.popitem(last=False)
    result: dict[uuid.UUID, tuple[DatasetVersion | None, bool]] = {}
    for dataset_id, (version_id, flag, updated) in rows.items():
        licensed = None if version_id is None else kept.get((version_id, updated)) or read.get(version_id)
        result[dataset_id] = (licensed, bool(flag))
    return result


class _Refused(Exception):
    """An order refused after it had changed the batch's books: the attempt is rolled back and made again
    without it."""

    def __init__(self, index: int, error: DomainError) -> None:
        super().__init__(error.detail)
        self.index = index
        self.error = error


def orders_place_batch(commands: Sequence[Place], books: Books) -> list[Outcome]:
    """Match and store these orders (in this order) in as few transactions as the rules allow (usually one);
    an outcome per command, in the same order, once all are committed."""
    began = time.perf_counter()
    try:
        return _place_batch(commands, books)
    finally:
        books.spent.total += time.perf_counter() - began


def _place_batch(commands: Sequence[Place], books: Books) -> list[Outcome]:
    outcomes = _decide(commands, list(range(len(commands))), books)
    return [outcomes[index] for index in range(len(commands))]


def _decide(commands: Sequence[Place], pending: list[int], books: Books) -> dict[int, Outcome]:
    """The outcomes of the commands at ``pending``, in as few attempts as the rules allow."""
    outcomes: dict[int, Outcome] = {}
    while pending:
        try:
            outcomes.update(_attempt(commands, pending, books))
        except _Refused as refused:
            books.forget()
            outcomes[refused.index] = Outcome.refused(commands[refused.index].order_id, refused.error)
        except IntegrityError:
            books.forget()
            if len(pending) == 1:
                outcomes[pending[0]] = _integrity_outcome(commands[pending[0]])
            else:  # one order's row is refused by the database: find it by placing them one by one
                for index in pending:
                    outcomes.update(_decide(commands, [index], books))
        except BaseException:
            books.forget()
            raise
        pending = [index for index in pending if index not in outcomes]
    return outcomes


def _integrity_outcome(command: Place) -> Outcome:
    """A lone order the database refused: its key taken by another request (a race with another endpoint that
    used the same key), or a constraint this code did not foresee."""
    claim = command.idempotency
    if claim is not None and IdempotencyRecord.objects.filter(scope=claim.scope, key=claim.key).exists():
        return Outcome(status="key-used", order_id=command.order_id)
    logger.error("order %s refused by the database", command.order_id, exc_info=True)
    return Outcome.refused(command.order_id, Conflict("The order could not be stored; nothing was placed."))


def _attempt(commands: Sequence[Place], pending: list[int], books: Books) -> dict[int, Outcome]:
    """One transaction: the pending commands in order, up to one that must wait for this batch's commit."""
    decided: dict[int, Outcome] = {}
    placed: dict[int, tuple[Order, list[Trade]]] = {}
    spent = books.spent
    committed: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.perf_counter()))  # the first hook: right after COMMIT
        began = time.perf_counter()
        now = timezone.now()
        markets = books.markets({commands[index].offering_id for index in pending})
        keys = _keys_recorded([commands[index] for index in pending])
        spent.read += time.perf_counter() - began
        rows = _Rows()
        touched: dict[uuid.UUID, Offering] = {}
        traded: set[uuid.UUID] = set()  # datasets with an exclusive offering that traded in this batch
        with connection.execute_wrapper(_timed(spent)):  # what the matching itself sends
            for index in pending:
                command = commands[index]
                found = markets.get(command.offering_id)
                if found is None:
                    decided[index] = Outcome.refused(command.order_id, NotFound("No such offering."))
                    continue
                market, book = found
                claim = command.idempotency
                if claim is not None and (claim.scope, claim.key) in keys:
                    decided[index] = Outcome(status="key-used", order_id=command.order_id)
                    continue
                try:
                    _check_command(command, market.offering)
                except DomainError as exc:
                    decided[index] = Outcome.refused(command.order_id, exc)
                    continue
                dataset_id = market.offering.dataset_id
                if market.exclusive_here and dataset_id in traded:
                    break  # judged against this batch's contracts once they are stored: in the next batch
                began = time.perf_counter()
                try:
                    with request_id_bound(command.request_id):
                        order, trades = place_matched(command, market, book, rows, now)
                except DomainError as exc:
                    raise _Refused(index, exc) from exc
                finally:
                    spent.matching += time.perf_counter() - began
                if trades and market.exclusive_here:
                    traded.add(dataset_id)
                if claim is not None:
                    keys.add((claim.scope, claim.key))
                touched[market.offering.id] = market.offering
                placed[index] = (order, trades)
        for offering in touched.values():
            offering.book_version += 1
            rows.updates.append((offering, ("order_seq", "seats_sold", "book_version")))
        began = time.perf_counter()
        rows.write()
        wrote_at = time.perf_counter()
        spent.write += wrote_at - began
    ended = time.perf_counter()
    if committed:  # not when the caller's transaction holds the commit
        spent.commit += committed[0] - wrote_at
        spent.after_commit += ended - committed[0]
    books.wrote(list(touched.values()))
    written = tuple(rows.subscriber_rows)
    for index, (order, trades) in placed.items():
        result = Placed(order=order, trades=trades, subscriber_rows=written)
        decided[index] = Outcome(
            status="placed",
            order_id=order.id,
            trade_ids=tuple(t.id for t in trades),
            placed=placed_snapshot(result) if books.keep else {},
            result=result,
        )
    return decided


def _timed(spent: Spent) -> Callable[..., Any]:
    def execute(run: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        began = time.perf_counter()
        try:
            return run(sql, params, many, context)
        finally:
            spent.matching_sql += time.perf_counter() - began

    return execute


def _keys_recorded(commands: Sequence[Place]) -> set[tuple[str, str]]:
    """The idempotency keys of these commands already recorded (by an earlier batch, or another endpoint)."""
    claims = [command.idempotency for command in commands if command.idempotency is not None]
    if not claims:
        return set()
    wanted = {(claim.scope, claim.key) for claim in claims}
    found = IdempotencyRecord.objects.filter(
        scope__in={scope for scope, _ in wanted}, key__in={key for _, key in wanted}
    ).values_list("scope", "key")
    return {pair for pair in found if pair in wanted}
