"""What every load run over real processes checks afterwards, read in PostgreSQL (the fault run, the scale-out
run), and how it lets the workers finish first: with a task between a provider call and its bookkeeping, the
rows would be read mid-step.

Each ``assert_*`` raises AssertionError naming what is broken; ``broken`` runs several and collects every failure,
so a run reports all the invariants it broke, not only the first.
"""

from __future__ import annotations

import itertools
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone
from redis import Redis

from contracts.models import Contract
from marketplace.models import Offering, Trade
from settlement.models import Entitlement, LedgerEntry, LedgerTransaction, OfflinePayment, Settlement
from tests.integration.workers import stop_worker

DRAIN_SECONDS = 90


def broken(checks: Sequence[Callable[[], None]]) -> list[str]:
    """The failure of each check that does not hold."""
    failures = []
    for check in checks:
        try:
            check()
        except AssertionError as exc:
            failures.append(str(exc))
    return failures


# --- letting the workers finish -----------------------------------------------------------------------------------


def queues_drained(redis_url: str, workers: Sequence[subprocess.Popen[str]] = ()) -> bool:
    """Nothing waits in this run's queues and no message is unacknowledged (reserved or running).

    With live ``workers`` this is only a hint that they are idle, never proof: a worker's ``BRPOP`` takes a message
    off the list in Redis before the worker has read the reply and recorded the message as unacknowledged, and in
    that gap the message is in neither place (``settle`` stops the workers before it trusts the answer)."""
    for worker in workers:
        if worker.poll() is not None:
            raise AssertionError(f"a worker died during the run:\n{stop_worker(worker)[-4000:]}")
    client = Redis.from_url(redis_url)
    try:
        prefix = settings.CELERY_QUEUE_PREFIX
        queued: int = 0
        for name in client.scan_iter(f"{prefix}*"):
            if client.type(name) == b"list":
                queued += client.llen(name)  # type: ignore[operator]
        return queued == 0 and client.hlen("unacked") == 0
    finally:
        client.close()


def settle(
    redis_url: str,
    workers: Sequence[subprocess.Popen[str]],
    start: Callable[[str], subprocess.Popen[str]],
    *,
    idle: Callable[[], bool] = lambda: True,
) -> str:
    """Let the workers finish everything queued (and ``idle()`` hold), and return with none running and nothing
    queued; their output.

    Empty queues seen while workers run prove nothing (a message can be between the list and a worker), so once
    they look empty the workers are stopped gracefully: each finishes the task it is running, reads a message its
    pending ``BRPOP`` took (kombu does on close), and puts back what it received but did not run. Only with no
    worker alive are the queues still, and empty queues then mean no task is left in flight. What was put back is
    run by a new worker, and the same again."""
    output = ""
    running = list(workers)
    for attempt in itertools.count(1):
        deadline = time.monotonic() + DRAIN_SECONDS
        while not (queues_drained(redis_url, running) and idle()):
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the workers to drain their queues")
            time.sleep(0.1)
        for worker in running:
            output += stop_worker(worker)
            if worker.returncode != 0:  # not a warm shutdown: a task may have been cut short
                raise AssertionError(f"a worker did not stop cleanly ({worker.returncode}):\n{output[-4000:]}")
        if queues_drained(redis_url):
            return output
        if attempt >= 10:
            raise AssertionError(f"the queues never stayed empty with the workers stopped:\n{output[-4000:]}")
        running = [start(f"settle-{attempt}")]
    raise AssertionError("unreachable")


# --- the invariants ----------------------------------------------------------------------------------------------


def rows(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def assert_seats_never_oversold() -> None:
    # Per offering: the seats its executed trades hold are the seats it counts as sold, and never more than it has.
    wrong = rows(
        """
        SELECT o.id, o.license_seats, o.seats_sold, COALESCE(SUM(t.quantity), 0) AS traded
        FROM marketplace_offering o
        LEFT JOIN marketplace_trade t ON t.offering_id = o.id AND t.status = 'executed'
        GROUP BY o.id
        HAVING o.seats_sold <> COALESCE(SUM(t.quantity), 0)
            OR (o.license_seats IS NOT NULL AND COALESCE(SUM(t.quantity), 0) > o.license_seats)
        """
    )
    assert not wrong, f"oversold or miscounted seats: {wrong}"
    scarce = Offering.objects.filter(license_seats__isnull=False)
    assert all(o.seats_sold == o.license_seats for o in scarce), "the load should have sold out the scarce offerings"


def assert_every_trade_has_one_contract_and_one_settlement() -> None:
    wrong = rows(
        """
        SELECT t.id, t.contract_id, COUNT(s.id)
        FROM marketplace_trade t
        LEFT JOIN contracts_contract c ON c.id = t.contract_id
        LEFT JOIN settlement_settlement s ON s.trade_id = t.id
        GROUP BY t.id, t.contract_id, c.id
        HAVING c.id IS NULL OR COUNT(s.id) <> 1 OR BOOL_OR(s.contract_id <> t.contract_id)
        """
    )
    assert not wrong, f"trades without exactly one contract and one settlement: {wrong}"
    assert Trade.objects.count() > 0
    assert Contract.objects.count() == Trade.objects.count() == Settlement.objects.count()


def assert_no_double_capture() -> None:
    # At the provider: one payment per settlement (one authorisation, whatever was retried or re-driven),
    # never captured beyond what was authorised.
    payments = rows(
        """
        SELECT metadata->>'settlement', COUNT(*), SUM(amount_captured), MAX(amount)
        FROM settlement_offlinepayment GROUP BY 1
        HAVING COUNT(*) > 1 OR SUM(amount_captured) > MAX(amount)
        """
    )
    assert not payments, f"settlements charged twice at the provider: {payments}"
    # In the ledger: at most one capture per settlement, and one exactly for those captured; what the ledger
    # holds at the provider is what the provider captured.
    captures = rows(
        """
        SELECT s.id, s.status, COUNT(t.id)
        FROM settlement_settlement s
        LEFT JOIN settlement_ledgertransaction t ON t.settlement_id = s.id AND t.kind = 'capture'
        GROUP BY s.id, s.status
        HAVING COUNT(t.id) <> CASE WHEN s.status = 'captured' THEN 1 ELSE 0 END
        """
    )
    assert not captures, f"captures booked other than once per captured settlement: {captures}"
    booked = LedgerEntry.objects.filter(
        account=LedgerEntry.Account.PROVIDER_BALANCE, transaction__kind=LedgerTransaction.Kind.CAPTURE
    ).values_list("amount", flat=True)
    captured_at_provider = OfflinePayment.objects.values_list("amount_captured", flat=True)
    assert sum(booked) == sum(captured_at_provider), (
        f"the ledger's captures at the provider ({sum(booked)}) are not what the provider captured "
        f"({sum(captured_at_provider)}): {_capture_mismatches()}"
    )


def _capture_mismatches() -> str:
    """Each settlement whose capture at the provider differs from its capture in the ledger, with its history."""
    booked: Counter[str] = Counter()
    for settlement_id, amount in LedgerEntry.objects.filter(
        account=LedgerEntry.Account.PROVIDER_BALANCE, transaction__kind=LedgerTransaction.Kind.CAPTURE
    ).values_list("transaction__settlement_id", "amount"):
        booked[str(settlement_id)] += amount
    lines = []
    for payment in OfflinePayment.objects.order_by("created_at"):
        paid_for = str(payment.metadata.get("settlement", ""))
        if payment.amount_captured != booked.pop(paid_for, 0):
            lines.append(_describe_settlement(paid_for, payment))
    lines += [f"booked, not captured at the provider: {unpaid} {amount}" for unpaid, amount in booked.items()]
    return "\n".join(["", *lines]) if lines else "no single settlement differs (read again: now they agree)"


def _describe_settlement(settlement_id: str, payment: OfflinePayment) -> str:
    settlement = Settlement.objects.filter(pk=settlement_id).first()
    if settlement is None:
        return f"provider payment {payment.payment_ref} names no settlement ({payment.metadata})"
    entitlement = Entitlement.objects.filter(settlement=settlement).first()
    events = "; ".join(
        f"{e.created_at.isoformat()} {e.from_status}->{e.to_status} ({e.reason}) by {e.actor}"
        for e in settlement.events.order_by("created_at", "id")
    )
    return (
        f"settlement {settlement.id}: status {settlement.status}, review_reason {settlement.review_reason!r}, "
        f"payment_ref {settlement.payment_ref!r}, attempts {settlement.attempts}, next_attempt_at "
        f"{settlement.next_attempt_at}, first_download_at "
        f"{entitlement.first_download_at if entitlement else 'no entitlement'}; provider payment "
        f"{payment.payment_ref} {payment.status} amount {payment.amount} captured {payment.amount_captured}; "
        f"read at {timezone.now().isoformat()}; events: {events}"
    )


def assert_the_ledger_balances() -> None:
    unbalanced = rows(
        """
        SELECT transaction_id, currency, SUM(amount) FROM settlement_ledgerentry
        GROUP BY transaction_id, currency HAVING SUM(amount) <> 0
        """
    )
    assert not unbalanced, f"unbalanced ledger transactions: {unbalanced}"
    assert not rows("SELECT currency FROM settlement_ledgerentry GROUP BY currency HAVING SUM(amount) <> 0")


def assert_every_settlement_final_or_legitimately_waiting(killed: Sequence[uuid.UUID] = ()) -> None:
    """Final, or authorised with no complete download yet and its acceptance window still open (captured when
    the buyer downloads, or when the window ends). Pending is not a legitimate wait once the workers finished
    (and the sweepers ran, after faults); nor is an authorisation whose data the buyer already downloaded in full.
    ``killed``: settlements a worker was killed in, mid-authorisation."""
    now = timezone.now()
    waiting = Settlement.objects.filter(status=Settlement.Status.AUTHORIZED)
    downloaded = waiting.filter(
        Exists(Entitlement.objects.filter(settlement=OuterRef("pk"), first_download_at__isnull=False))
    )
    assert not Settlement.objects.filter(status=Settlement.Status.PENDING).exists(), "pending after the workers ran"
    assert not downloaded.exists(), (
        f"{downloaded.count()} authorised settlements whose data was downloaded in full are not captured"
    )
    assert not waiting.filter(capture_due_at__lte=now).exists()
    assert Settlement.objects.filter(status=Settlement.Status.CAPTURED).exists(), "no download captured anything"
    # Those a worker died in: authorised once (the provider's payment of the first try), not charged again.
    for settlement_id in killed:
        assert Settlement.objects.get(pk=settlement_id).status != Settlement.Status.PENDING
        assert OfflinePayment.objects.filter(metadata__settlement=str(settlement_id)).count() == 1
