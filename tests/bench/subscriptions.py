"""``close_periods`` over 10,000 subscriptions with real Celery workers: periods closed/s and period end to outcome.

Own database ``ichiba_bench_subscriptions`` on ``ICHIBA_BENCH_PG`` (dropped, created, migrated each run) and Redis
``ICHIBA_BENCH_SUBSCRIPTIONS_REDIS`` (default ``redis://127.0.0.1:6379/10``, not the settlement bench's number;
flushed at start and end). Without either, one ``skipped`` figure. Offline payment provider, no queue prefix,
``ICHIBA_LOG_LEVEL=ERROR``.

The market (setup, untimed; ``setup_s`` reported). Through the services: ``FEEDS`` (100) feeds of 10 verified
sellers, each a dataset whose first version is uploaded and validated, offered as a subscription (30-day periods,
a term of 12, a commitment of ``MIN_VERSIONS`` = 2 new versions a period, 1,000 JPY per seat and period); 500
verified buyers and one template buyer, who buys one seat of every feed from its seller's unlimited ask
(``order_place``), its settlement authorised and captured in this process (``settlement_authorize``,
``settlement_capture``: the pipeline's services), so each feed has one real subscription, contract, trade, order,
settlement, entitlement and first period, all paid. Then, in bulk (``bulk_create``), ``SUBSCRIPTIONS`` (10,000)
copies of those rows, 100 per feed, each for one of the 500 buyers (20 feeds each; a buyer's default payment method
is ``pm_card_visa``, or ``pm_card_chargeCustomerFail`` for ``DECLINING`` = 3 % of them, 15 buyers), as the trade and
a captured first period would have left them, started at T - 60 days: period 1 closed and ``charged``, period 2
open from T - 30 days to T, the same instant for all (the copied orders, trades, contracts, first settlements,
subscriptions, both periods and entitlements; not their history rows: events, ledger, provider books). The 100
real subscriptions stay as they are: their first period ends 30 days after the setup, so the pass leaves them.

Deliveries are ``DatasetVersion`` rows (bulk, copies of the first version's with their own SHA-256 and
``validated_at``), counted by the pass with ``catalog.selectors.new_versions``, the one rule (a re-upload of an
earlier SHA-256 is no delivery): every feed 2 new versions in period 1; in period 2, 80 feeds 2 new versions
(every fourth also a re-upload of its first version: still 2), 10 feeds 1 new version and 1 re-upload (1: missed,
though 2 were uploaded), 10 feeds nothing (missed). So 8,000 periods are charged, the declining buyers' 240 of
them declined, and 2,000 missed; ``outcomes_as_expected`` compares every period's outcome with this mix. No party
has a webhook endpoint, no offering streams, no period is a term's last (nothing ends).

The timeline. T is chosen ``ICHIBA_BENCH_CLOSE_LEAD`` (90) s after the real setup, before the bulk rows are
written (they need it) and ``VACUUM ANALYZE`` is run; the workers (``celery -A config worker -Q
settlement,webhooks,default -c ICHIBA_BENCH_CLOSE_CONCURRENCY`` (4), prefork, as in the settlement bench) are
started and ready; then this process waits until T and launches the pass at T + 0.5 s, as beat launches it after a
period's end: ``python -c`` in a subprocess that calls the real command, ``call_command("close_periods",
"--as-of", T + 0.5 s)``, counting its statements (``connection.execute_wrapper``). If the setup overran T, the
pass starts late and ``pass_started_after_period_end_s`` says by how much (the latencies from T then include it;
those from the launch do not). ``wall_clock_stepped_s`` (in both figures: at the launch, at the drain's end) is how
far the wall clock moved against the monotonic one since T was chosen: not about 0, the wall clock was adjusted (a
shared VM's is, now and then: slewed at 5 ms/s for a minute was seen) and timestamps across the adjustment are off
by that much.

* ``close_periods.pass``: ``periods_closed_per_s`` = periods / the command's own wall time (``call_command``, in the
  subprocess: not the interpreter's start or ``django.setup()``, which ``process_wall_s`` includes); target >= 200/s.
  ``statements_per_period``, the costliest statement kinds (``sql_top``: calls and ms in all), SQL and Python time
  per period (SQL: inside ``cursor.execute``; Python: the rest, publishing the charges' messages to Redis
  included). CPU (cores) over the subprocess's life: of the close process itself (``getrusage``), of its PostgreSQL
  backend (``/proc/<pg_backend_pid()>/stat``, before and after the command), of the workers (already charging the
  first batches), of all PostgreSQL processes, and the machine's busy share, from ``/proc``.
* ``close_periods.end_to_end``: then the workers drain the charges (at most ``DRAIN_TIMEOUT``, 900 s; a count is
  polled each second). A period is done when its outcome is final for this pass: missed at its ``closed_at`` (the
  pass's instant for its batch), charged at its settlement's ``captured_at``, declined at its subscription's
  ``past_due_since`` (the first decline; the retry waits an hour). All timestamps are the rows' own (the close
  process's and the workers' clocks: one machine). ``end_to_end_per_s`` = periods / (last done - launch); per period
  ``latency_from_period_end`` = done - T and ``latency_from_launch`` = done - launch (p50/p99/max): the first is the
  figure the issue asks for, the second the honest one should the pass start late; ``charge_latency_from_period_end``
  the charged and declined periods' p99 alone. From the launch to the last outcome: CPU (cores) of the workers,
  of the PostgreSQL processes alive at the end (the close process's backend, gone by then, is left out) and the
  machine's busy share; worker and PostgreSQL CPU ms per charge. ``charge_tasks_per_s`` = the charges' tasks (an
  authorisation and a capture per charge, the authorisation alone for a decline) / (last charge's outcome -
  launch); the reference, same run, same worker command: as many ``bench.noop`` tasks queued while the workers are
  stopped, then drained (``settlement._noop_drain``): ``reference_noop_tasks_per_s``, and ``ratio_to_noop``.

``ICHIBA_BENCH_CLOSE_PYSPY=<file>``: the pass runs under ``py-spy record`` (installed by hand: not a dependency), its
samples written to that file as collapsed stacks (one line per stack, its count last: ``flamegraph.pl`` or
speedscope draw them, ``sort`` and ``awk`` sum them); the figures are then the profiled run's.
``ICHIBA_BENCH_CLOSE_SUBSCRIPTIONS`` (10,000) sizes the fixture (100 feeds whatever the size).

Worker processes are always stopped (SIGTERM, then SIGKILL of their process group) in ``finally``.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.common import ROOT, WORK, emit, redis_problem, worker_environment
from tests.bench.matching import TINY_CSV, _statement_kind, percentile, ran_in_fresh_interpreter, recreate_database
from tests.bench.settlement import Sample, Workers, _noop_drain, _redis, _sample, _usage

DATABASE = "ichiba_bench_subscriptions"
REDIS_URL = os.environ.get("ICHIBA_BENCH_SUBSCRIPTIONS_REDIS", "redis://127.0.0.1:6379/10")
SUBSCRIPTIONS = int(os.environ.get("ICHIBA_BENCH_CLOSE_SUBSCRIPTIONS", 10_000))
CONCURRENCY = int(os.environ.get("ICHIBA_BENCH_CLOSE_CONCURRENCY", 4))
LEAD_S = float(os.environ.get("ICHIBA_BENCH_CLOSE_LEAD", 90))
FEEDS = 100
SELLERS = 10
BUYERS = 500
DECLINING = 15  # buyers whose card declines every charge (3 %)
PERIOD_DAYS = 30
TERM_PERIODS = 12
MIN_VERSIONS = 2
PRICE = 1000
DELIVERED_FEEDS = 80  # period 2: MIN_VERSIONS new versions
SHORT_FEEDS = 10  # period 2: one new version and one re-upload of earlier content
# the rest (10): nothing in period 2
AS_OF_AFTER_S = 0.5  # the pass runs at T + this, with --as-of the same instant
DRAIN_TIMEOUT = 900.0
TARGET_PERIODS_PER_S = 200.0
SEED = 20250414
BULK = 2000  # rows per INSERT

DAY = timedelta(days=1)


# --- setup -------------------------------------------------------------------------------------------------------


def _setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from config.celery import app

    assert not app.conf.task_always_eager and settings.CELERY_BROKER_URL == REDIS_URL
    call_command("migrate", "--noinput", verbosity=0)


@dataclass
class Feed:
    """One feed's real rows (through the services), the templates of its copies."""

    offering: Any
    dataset_id: uuid.UUID
    version: Any  # its first DatasetVersion
    subscription: Any
    contract: Any
    trade: Any
    buy_order: Any
    settlement: Any
    period: Any  # the real subscription's first period
    entitlement: Any


@dataclass
class Fixture:
    period_end: datetime  # T
    expected: dict[uuid.UUID, str]  # period 2's id → "charged", "declined" or "missed"
    setup_s: float
    bulk_s: float
    clock: float  # time.time() - time.monotonic() when T was chosen: a step of the wall clock shows against it
    mix: dict[str, Any] = field(default_factory=dict)


def _real_feeds() -> tuple[list[Feed], list[Any]]:
    """Sellers, buyers and one real, paid subscription per feed, through the services; the buyers returned."""
    from django.core.files.base import ContentFile

    from catalog.services.datasets import dataset_create
    from catalog.services.versions import version_upload, version_validate
    from contracts.models import Contract
    from marketplace.hooks import save_payment_method
    from marketplace.models import Offering, Trade
    from marketplace.services.offerings import offering_publish
    from marketplace.services.orders import order_place
    from marketplace.services.participants import organization_create, principal_for
    from settlement.models import Entitlement, Settlement, Subscription, SubscriptionPeriod
    from settlement.services.settlements import settlement_authorize, settlement_capture

    sellers = [
        organization_create(name=f"Bench feed seller {i}", roles={"seller"}, verified=True) for i in range(SELLERS)
    ]
    buyers = [organization_create(name=f"Bench subscriber {i}", roles={"buyer"}, verified=True) for i in range(BUYERS)]
    template_buyer = organization_create(name="Bench first subscriber", roles={"buyer"}, verified=True)
    save_payment_method(organization_id=template_buyer.id, payment_method="pm_card_visa")
    feeds = []
    for index in range(FEEDS):
        seller = sellers[index % SELLERS]
        dataset = dataset_create(seller_id=seller.id, title=f"Bench strain feed {index}", data_class="iot")
        version = version_upload(
            dataset_id=dataset.id, seller_id=seller.id, upload=ContentFile(TINY_CSV, name="strain.csv")
        )
        version = version_validate(version_id=version.id)
        offering = offering_publish(
            principal=principal_for(seller),
            dataset_id=dataset.id,
            template_code="meti-data-provision",
            terms={},
            license_seats=None,
            kind="subscription",
            period_days=PERIOD_DAYS,
            term_periods=TERM_PERIODS,
            min_versions_per_period=MIN_VERSIONS,
        )
        order_place(principal=principal_for(seller), offering_id=offering.id, side="sell", price=PRICE, quantity=None)
        placed = order_place(
            principal=principal_for(template_buyer),
            offering_id=offering.id,
            side="buy",
            price=PRICE,
            quantity=1,
            accepted_terms_sha256=offering.terms_sha256,
        )
        [trade] = placed.trades
        settlement = Settlement.objects.get(trade_id=trade.id, period=1)
        settlement_authorize(settlement_id=settlement.id)
        assert settlement_capture(settlement_id=settlement.id, reason="bench").status == Settlement.Status.CAPTURED
        trade = Trade.objects.get(pk=trade.id)
        assert trade.contract_id is not None
        subscription = Subscription.objects.get(contract_id=trade.contract_id)
        feeds.append(
            Feed(
                offering=Offering.objects.get(pk=offering.id),  # its order_seq now counts the two orders
                dataset_id=dataset.id,
                version=version,
                subscription=subscription,
                contract=Contract.objects.get(pk=trade.contract_id),
                trade=trade,
                buy_order=trade.buy_order,
                settlement=Settlement.objects.get(pk=settlement.id),
                period=SubscriptionPeriod.objects.get(subscription=subscription, number=1),
                entitlement=Entitlement.objects.get(contract_id=trade.contract_id),
            )
        )
    return feeds, buyers


def _copy(template: Any, **changes: Any) -> Any:
    """A new unsaved row of ``template``'s model with its column values, ``changes`` applied."""
    model = type(template)
    values = {f.attname: getattr(template, f.attname) for f in model._meta.concrete_fields}
    values.update(changes)
    return model(**values)


def _versions(feeds: list[Feed], *, period_end: datetime) -> tuple[list[Any], dict[str, list[uuid.UUID]]]:
    """The feeds' later versions (unsaved), and which feeds delivered what in period 2."""
    rng = random.Random(SEED)
    period_1 = period_end - 2 * PERIOD_DAYS * DAY
    period_2 = period_end - PERIOD_DAYS * DAY
    rows: list[Any] = []
    kinds: dict[str, list[uuid.UUID]] = {"delivered": [], "short": [], "silent": []}

    def version(feed: Feed, number: int, at: datetime, *, sha256: str | None = None) -> Any:
        return _copy(
            feed.version,
            id=uuid.uuid4(),
            number=number,
            sha256=sha256 or f"{rng.getrandbits(256):064x}",
            validated_at=at,
            validation_started_at=at,
        )

    for index, feed in enumerate(feeds):
        # The first version, published before the subscriptions started.
        feed.version.validated_at = period_1 - 30 * DAY
        number = 1
        for k in (1, 2):  # period 1: two new versions
            number += 1
            rows.append(version(feed, number, period_1 + k * 10 * DAY))
        if index < DELIVERED_FEEDS:
            kind = "delivered"
            moments = [period_2 + (k + 1) * 9 * DAY for k in range(MIN_VERSIONS)]
            for moment in moments:
                number += 1
                rows.append(version(feed, number, moment))
            if index % 4 == 0:  # a re-upload of the first version's content: no delivery
                number += 1
                rows.append(version(feed, number, period_2 + 29 * DAY, sha256=feed.version.sha256))
        elif index < DELIVERED_FEEDS + SHORT_FEEDS:
            kind = "short"
            number += 1
            new = version(feed, number, period_2 + 5 * DAY)
            rows.append(new)
            number += 1  # the seller uploads the same content again: two uploads, one delivery
            rows.append(version(feed, number, period_2 + 20 * DAY, sha256=new.sha256))
        else:
            kind = "silent"
        kinds[kind].append(feed.dataset_id)
    return rows, kinds


def _bulk_fixture(feeds: list[Feed], buyers: list[Any], *, period_end: datetime) -> dict[uuid.UUID, str]:
    """The copies (see the module's docstring), written with ``bulk_create``; period 2's expected outcomes."""
    from django.db import connection, models, transaction

    from catalog.models import DatasetVersion
    from contracts.models import Contract
    from marketplace.models import Offering, Order, Trade
    from settlement.models import Entitlement, PaymentMethod, Settlement, Subscription, SubscriptionPeriod

    declining = {buyer.id for buyer in buyers[:DECLINING]}
    methods = [
        PaymentMethod(
            organization_id=buyer.id,
            provider="offline",
            token="pm_card_chargeCustomerFail" if buyer.id in declining else "pm_card_visa",
            is_default=True,
        )
        for buyer in buyers
    ]
    versions, kinds = _versions(feeds, period_end=period_end)
    delivered = set(kinds["delivered"])
    starts = period_end - 2 * PERIOD_DAYS * DAY
    paid = starts + timedelta(minutes=3)
    second = starts + PERIOD_DAYS * DAY
    ends = starts + TERM_PERIODS * PERIOD_DAYS * DAY
    per_feed = SUBSCRIPTIONS // FEEDS
    rows: dict[type[models.Model], list[Any]] = {
        Order: [],
        Contract: [],
        Trade: [],
        Settlement: [],
        Subscription: [],
        SubscriptionPeriod: [],
        Entitlement: [],
    }
    expected: dict[uuid.UUID, str] = {}
    for index, feed in enumerate(feeds):
        count = per_feed + (1 if index < SUBSCRIPTIONS % FEEDS else 0)
        for slot in range(count):
            buyer = buyers[(index + slot * 5) % BUYERS]  # 100 distinct buyers per feed, 20 feeds per buyer
            order = _copy(
                feed.buy_order,
                id=uuid.uuid4(),
                organization_id=buyer.id,
                seq=feed.offering.order_seq + 1 + slot,
                status=Order.Status.FILLED,
            )
            contract = _copy(
                feed.contract,
                id=uuid.uuid4(),
                buyer_id=buyer.id,
                buyer_name=buyer.name,
                valid_from=starts,
                valid_until=ends,
                concluded_at=starts,
                status=Contract.Status.ACTIVE,
            )
            trade = _copy(feed.trade, id=uuid.uuid4(), buy_order_id=order.id, buyer_id=buyer.id, executed_at=starts)
            contract.trade_ref = str(trade.id)
            trade.contract_id = contract.id
            settlement = _copy(
                feed.settlement,
                id=uuid.uuid4(),
                trade_id=trade.id,
                contract_id=contract.id,
                buyer_id=buyer.id,
                payment_ref=f"bench-{uuid.uuid4()}",
                authorized_at=starts,
                capture_due_at=paid,
                captured_at=paid,
                closed_at=paid,
            )
            subscription = _copy(
                feed.subscription,
                id=uuid.uuid4(),
                contract_id=contract.id,
                buyer_id=buyer.id,
                starts_at=starts,
                ends_at=ends,
            )
            first = _copy(
                feed.period,
                id=None,
                subscription_id=subscription.id,
                starts_at=starts,
                ends_at=second,
                opened_at=starts,
                versions_delivered=2,
                settlement_id=settlement.id,
                closed_at=second + timedelta(seconds=30),
            )
            current = SubscriptionPeriod(
                subscription_id=subscription.id,
                number=2,
                starts_at=second,
                ends_at=period_end,
                opened_at=second + timedelta(seconds=30),
            )
            entitlement = _copy(
                feed.entitlement,
                id=uuid.uuid4(),
                settlement_id=settlement.id,
                contract_id=contract.id,
                buyer_id=buyer.id,
                valid_from=starts,
                valid_until=ends,
            )
            for row in (order, contract, trade, settlement, subscription, first, current, entitlement):
                rows[type(row)].append(row)
        feed.offering.order_seq += count
    with transaction.atomic():
        PaymentMethod.objects.bulk_create(methods, batch_size=BULK)
        DatasetVersion.objects.bulk_create(versions, batch_size=BULK)
        for feed in feeds:
            DatasetVersion.objects.filter(pk=feed.version.pk).update(
                validated_at=feed.version.validated_at, validation_started_at=feed.version.validated_at
            )
            Offering.objects.filter(pk=feed.offering.pk).update(order_seq=feed.offering.order_seq)
        for model, objects in rows.items():
            model._default_manager.bulk_create(objects, batch_size=BULK)
    by_copy = {s.id: s for s in rows[Subscription]}
    for period in rows[SubscriptionPeriod]:
        if period.number != 2:
            continue
        subscription = by_copy[period.subscription_id]
        if subscription.dataset_id not in delivered:
            expected[period.pk] = "missed"
        else:
            expected[period.pk] = "declined" if subscription.buyer_id in declining else "charged"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return expected


def _build(lead_s: float) -> Fixture:
    began = time.monotonic()
    feeds, buyers = _real_feeds()
    _redis().flushdb()  # the real trades' authorisations and captures ran here; their messages are not wanted
    # T: far enough ahead that the bulk rows, VACUUM and the workers' start are done by then.
    period_end = (_now() + timedelta(seconds=lead_s)).replace(microsecond=0)
    clock = _clock()
    bulk_began = time.monotonic()
    expected = _bulk_fixture(feeds, buyers, period_end=period_end)
    outcomes = list(expected.values())
    return Fixture(
        period_end=period_end,
        expected=expected,
        setup_s=time.monotonic() - began,
        bulk_s=time.monotonic() - bulk_began,
        clock=clock,
        mix={
            "subscriptions": len(expected),
            "feeds": FEEDS,
            "buyers": BUYERS,
            "declining_buyers": DECLINING,
            "expected_charged": outcomes.count("charged"),
            "expected_declined": outcomes.count("declined"),
            "expected_missed": outcomes.count("missed"),
            "period_days": PERIOD_DAYS,
            "min_versions_per_period": MIN_VERSIONS,
        },
    )


# --- the pass (a subprocess, as beat's would be) -------------------------------------------------------------------


def close_pass() -> None:
    """In the subprocess (``python -c``; environment from the parent): ``close_periods --as-of sys.argv[1]``, timed
    and its statements counted; one JSON line on stdout."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    by_kind: dict[str, list[float]] = {}
    sql_s = 0.0

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal sql_s
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - began
            sql_s += elapsed
            by_kind.setdefault(_statement_kind(sql), []).append(elapsed)

    tick = os.sysconf("SC_CLK_TCK")

    def backend_cpu(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    with connection.cursor() as cursor:  # the connection the command will use (CONN_MAX_AGE keeps it)
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    backend_before = backend_cpu(backend)
    out = io.StringIO()
    started = time.time()
    began = time.perf_counter()
    with connection.execute_wrapper(counted):
        call_command("close_periods", "--as-of", sys.argv[1], stdout=out)
    elapsed = time.perf_counter() - began
    ended = time.time()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        same_backend = cursor.fetchone()[0] == backend
    backend_s = backend_cpu(backend) - backend_before
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "started": started,
                "ended": ended,
                "elapsed_s": elapsed,
                "sql_s": sql_s,
                "closed": json.loads(out.getvalue()),
                "statements": sum(len(v) for v in by_kind.values()),
                "by_kind": {kind: [len(v), sum(v)] for kind, v in by_kind.items()},
                "process_cpu_s": usage.ru_utime + usage.ru_stime,
                "backend_cpu_s": backend_s if same_backend else None,
            }
        ),
        flush=True,
    )


@dataclass
class Pass:
    launched: float  # time.time() in this process, just before the subprocess started
    exited: float
    result: dict[str, Any]
    before: Sample
    after: Sample


def _run_pass(as_of: datetime, workers: Workers, env: dict[str, str]) -> Pass:
    code = "from tests.bench.subscriptions import close_pass; close_pass()"
    before = _sample(workers)
    launched = time.time()
    command = [sys.executable, "-c", code, as_of.isoformat()]
    profile = os.environ.get("ICHIBA_BENCH_CLOSE_PYSPY", "")
    if profile:  # py-spy (not a dependency: pip install py-spy) samples the pass into this file (collapsed stacks)
        command = [
            shutil.which("py-spy") or "py-spy",
            "record",
            "-r",
            "250",
            "-f",
            "raw",
            "-o",
            profile,
            "--",
            *command,
        ]
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    exited = time.time()
    after = _sample(workers)
    if completed.returncode != 0:
        raise RuntimeError(f"close_periods failed ({completed.returncode}): {completed.stderr[-3000:]}")
    result = json.loads([line for line in completed.stdout.splitlines() if line.startswith("{")][-1])
    return Pass(launched=launched, exited=exited, result=result, before=before, after=after)


# --- the drain -----------------------------------------------------------------------------------------------------

_DONE = """
SELECT p.id, p.closed_at, p.outcome, s.status, s.declines,
       extract(epoch FROM p.closed_at), extract(epoch FROM s.captured_at), extract(epoch FROM sub.past_due_since)
FROM settlement_subscriptionperiod p
JOIN settlement_subscription sub ON sub.id = p.subscription_id
LEFT JOIN settlement_settlement s ON s.id = p.settlement_id
WHERE p.number = 2 AND p.ends_at = %s
"""


@dataclass
class Outcomes:
    periods: int
    closed: int
    charged: int  # captured
    declined: int  # declined at least once, being retried
    missed: int
    other: int  # a charge in any other state (pending, authorised, failed, voided)
    done: dict[uuid.UUID, float]  # period → when its outcome was final (epoch seconds)
    outcome: dict[uuid.UUID, str]


def _outcomes(period_end: datetime) -> Outcomes:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_DONE, [period_end])
        rows = cursor.fetchall()
    done: dict[uuid.UUID, float] = {}
    outcome: dict[uuid.UUID, str] = {}
    closed = charged = declined = missed = other = 0
    for pk, closed_at, period_outcome, status, declines, closed_epoch, captured_epoch, past_due_epoch in rows:
        if closed_at is None:
            continue
        closed += 1
        if period_outcome == "missed":
            missed += 1
            outcome[pk], done[pk] = "missed", float(closed_epoch)
        elif status == "captured":
            charged += 1
            outcome[pk], done[pk] = "charged", float(captured_epoch)
        elif status == "pending" and declines and past_due_epoch is not None:
            declined += 1
            outcome[pk], done[pk] = "declined", float(past_due_epoch)
        else:
            other += 1
    return Outcomes(len(rows), closed, charged, declined, missed, other, done, outcome)


_PROGRESS = """
SELECT count(*), count(*) FILTER (
    WHERE p.outcome = 'missed' OR s.status = 'captured' OR (s.status = 'pending' AND s.declines > 0)
)
FROM settlement_subscriptionperiod p LEFT JOIN settlement_settlement s ON s.id = p.settlement_id
WHERE p.number = 2 AND p.ends_at = %s
"""


def _drain(period_end: datetime, workers: Workers) -> tuple[Outcomes, list[Sample]]:
    """Wait until every period of the pass has its outcome (at most DRAIN_TIMEOUT), polling a count each second;
    CPU samples taken on the way."""
    from django.db import connection

    deadline = time.monotonic() + DRAIN_TIMEOUT
    samples = []
    while True:
        samples.append(_sample(workers))
        with connection.cursor() as cursor:
            cursor.execute(_PROGRESS, [period_end])
            total, finished = cursor.fetchone()
        if finished >= total or time.monotonic() > deadline:
            return _outcomes(period_end), samples
        if workers.process is None or workers.process.poll() is not None:
            raise RuntimeError(f"the worker died; see {workers.log}")
        time.sleep(1.0)


# --- the benchmark ----------------------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _clock() -> float:
    """The wall clock against the monotonic one: constant unless the wall clock was stepped (NTP, a VM's resume)."""
    return time.time() - time.monotonic()


def _round(value: float, digits: int = 3) -> float:
    return round(value, digits)


def _latencies(values: list[float], prefix: str) -> dict[str, float | None]:
    if not values:
        return {f"{prefix}_p50_s": None, f"{prefix}_p99_s": None, f"{prefix}_max_s": None}
    return {
        f"{prefix}_p50_s": _round(statistics.median(values)),
        f"{prefix}_p99_s": _round(percentile(values, 0.99)),
        f"{prefix}_max_s": _round(max(values)),
    }


def run() -> None:
    if ran_in_fresh_interpreter("subscriptions"):
        return
    problem = redis_problem(REDIS_URL)
    if problem:
        emit(bench="close_periods", skipped=problem)
        return
    url = recreate_database(DATABASE, bench="close_periods")
    if url is None:
        return
    data_dir = WORK / "subscriptions-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = worker_environment(database_url=url, redis_url=REDIS_URL, data_dir=data_dir)
    _setup_django(env)
    _redis().flushdb()
    log = WORK / "subscriptions-worker.log"
    log.unlink(missing_ok=True)
    workers = Workers(concurrency=CONCURRENCY, env=env, log=log)
    try:
        _run(workers, env)
    finally:
        workers.stop()
        from django.db import connections

        connections.close_all()
        _redis().flushdb()
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(workers: Workers, env: dict[str, str]) -> None:
    from django.db import connections

    from tests.bench.matching import server_settings

    fixture = _build(LEAD_S)
    workers.start()
    ready_s = workers.wait_ready()
    connections.close_all()  # this process's connection is idle through the pass (its polls open a new one)
    as_of = fixture.period_end + timedelta(seconds=AS_OF_AFTER_S)
    while (left := as_of.timestamp() - time.time()) > 0:  # by the wall clock, which the rows' timestamps follow
        time.sleep(min(left, 1.0))
    clock_at_launch = _clock() - fixture.clock
    ran = _run_pass(as_of, workers, env)
    state, samples = _drain(fixture.period_end, workers)
    clock_at_end = _clock() - fixture.clock
    workers.stop()
    result = ran.result
    periods = int(result["closed"]["periods"])
    t_end = fixture.period_end.timestamp()
    pass_s = float(result["elapsed_s"])
    common = {
        "subscriptions": SUBSCRIPTIONS,
        "worker_concurrency": CONCURRENCY,
        "cpus": os.cpu_count(),
        "postgres": server_settings(env["DATABASE_URL"]),
    }
    elapsed = max(ran.exited - ran.launched, 1e-9)
    by_kind = sorted(result["by_kind"].items(), key=lambda item: -item[1][1])
    usage = _usage(ran.before, ran.after)
    emit(
        bench="close_periods.pass",
        periods=periods,
        closed=result["closed"],
        periods_closed_per_s=_round(periods / pass_s, 1) if pass_s else None,
        target_periods_per_s=TARGET_PERIODS_PER_S,
        meets_target=bool(pass_s) and periods / pass_s >= TARGET_PERIODS_PER_S and periods == len(fixture.expected),
        command_s=_round(pass_s, 3),
        process_wall_s=_round(elapsed, 3),
        pass_started_after_period_end_s=_round(ran.launched - t_end, 3),
        wall_clock_stepped_s=_round(clock_at_launch, 3),
        statements=result["statements"],
        statements_per_period=_round(result["statements"] / max(periods, 1), 3),
        sql_ms_per_period=_round(result["sql_s"] / max(periods, 1) * 1000, 3),
        python_ms_per_period=_round((pass_s - result["sql_s"]) / max(periods, 1) * 1000, 3),
        sql_top=[
            {"statement": kind, "calls": calls, "ms": _round(seconds * 1000, 1)}
            for kind, (calls, seconds) in by_kind[:8]
        ],
        close_process_cpu_cores=_round(result["process_cpu_s"] / elapsed, 2),
        close_backend_cpu_cores=_round(result["backend_cpu_s"] / elapsed, 2),
        **usage,
        load_average_1m=_round(os.getloadavg()[0], 2),
        setup_s=_round(fixture.setup_s, 1),
        bulk_rows_s=_round(fixture.bulk_s, 1),
        worker_ready_s=_round(ready_s, 2),
        fixture=fixture.mix,
        **common,
    )

    done = state.done
    last = max(done.values(), default=ran.launched)
    mismatched = sum(1 for pk, expected in fixture.expected.items() if state.outcome.get(pk) != expected)
    charges = state.charged + state.declined + state.other
    # From the launch (the workers charge the first batches while the pass runs) to the last outcome.
    drain = [ran.before, *(s for s in samples if s.at <= last + 1.0)]
    drain_usage: dict[str, Any] = {}
    if len(drain) >= 2 and drain[-1].at - drain[0].at >= 1.0:
        first, final = drain[0], drain[-1]
        drain_usage = _usage(first, final)
        postgres_s = sum(cpu - first.postgres.get(pid, 0.0) for pid, cpu in final.postgres.items())
        drain_usage["worker_cpu_ms_per_charge"] = _round((final.workers - first.workers) / max(charges, 1) * 1000, 2)
        drain_usage["postgres_cpu_ms_per_charge"] = _round(postgres_s / max(charges, 1) * 1000, 2)
    span = max(last - ran.launched, 1e-9)
    # The reference: the charges' tasks (an authorisation and a capture each; a decline has no capture) as no-ops.
    tasks = 2 * state.charged + state.declined
    noop_per_s = _noop_drain(workers, tasks) if tasks else 0.0
    charge_span = max((v for pk, v in done.items() if state.outcome[pk] != "missed"), default=ran.launched)
    tasks_per_s = tasks / max(charge_span - ran.launched, 1e-9)
    emit(
        bench="close_periods.end_to_end",
        periods=state.periods,
        done=len(done),
        charged=state.charged,
        declined=state.declined,
        missed=state.missed,
        unfinished=state.periods - len(done),
        outcomes_as_expected=mismatched == 0,
        outcomes_mismatched=mismatched,
        end_to_end_per_s=_round(len(done) / span, 1),
        end_to_end_s=_round(span, 2),
        wall_clock_stepped_s=_round(clock_at_end, 3),
        **_latencies([v - t_end for v in done.values()], "latency_from_period_end"),
        **_latencies([v - ran.launched for v in done.values()], "latency_from_launch"),
        charge_latency_from_period_end_p99_s=_round(
            percentile([v - t_end for pk, v in done.items() if state.outcome[pk] != "missed"] or [0.0], 0.99)
        ),
        charge_tasks_per_s=_round(tasks_per_s, 1),
        reference="bench.noop tasks, same worker command, as many as the charges' tasks",
        reference_noop_tasks_per_s=_round(noop_per_s, 1),
        ratio_to_noop=_round(tasks_per_s / noop_per_s) if noop_per_s else None,
        **drain_usage,
        load_average_1m=_round(os.getloadavg()[0], 2),
        **common,
    )
