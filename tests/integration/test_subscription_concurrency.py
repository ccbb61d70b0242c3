"""A period is charged once: close passes raced by threads on PostgreSQL, replayed provider answers, and a worker
that died after the provider authorised a period's charge (run by CI).

Each thread stands for a process: two beat schedulers by mistake, the beat entry and ``manage.py close_periods``
at once, a redelivered task beside the sweeper.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Count
from django.utils import timezone

from settlement.models import (
    LedgerTransaction,
    OfflinePayment,
    Settlement,
    SettlementEvent,
    Subscription,
    SubscriptionPeriod,
)
from settlement.providers import PaymentResult, provider_get
from settlement.services import billing, settlements
from settlement.services.settlements import idempotency_key
from tests.builders import feed_version, make_party, place, readings_csv, subscription_offering
from tests.fixtures import require_postgres
from tests.integration.workers import broker_at, publishing_to_broker, race

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 6
# Charges opened with the broker down: their tasks are never queued (nothing stale is left for another run's
# workers); the sweeper's re-drive or the test's own calls run them.
DEAD_BROKER = "redis://127.0.0.1:9/0"
SUBSCRIPTIONS = 12
DAY = timedelta(days=1)


class _Run:
    """``django_capture_on_commit_callbacks`` for builders outside a test transaction: each request commits and
    runs its on-commit work itself (Celery is eager), so there is nothing to capture."""

    def __call__(self, *, execute: bool = True) -> Any:
        from contextlib import nullcontext

        return nullcontext()


@pytest.fixture
def subscribed(transactional_db: Any) -> list[Subscription]:
    """``SUBSCRIPTIONS`` subscriptions of one feed, their first period closed and a new version published in the
    second: each second period is due to be charged once its end comes."""
    require_postgres()
    run = _Run()
    seller = make_party("Race Seller", {"seller"})
    buyer = make_party("Race Buyer", {"buyer"})
    offering = subscription_offering(seller, run, seats=None, period_days=30, term_periods=3)
    assert place(seller, offering, "sell", None, 1000).status_code == 201
    for _ in range(SUBSCRIPTIONS):
        assert place(buyer, offering, "buy", 1, 1000).status_code == 201
    subscriptions = list(Subscription.objects.order_by("starts_at"))
    assert len(subscriptions) == SUBSCRIPTIONS
    billing.subscription_periods_close(as_of=subscriptions[-1].starts_at + 30 * DAY)
    feed_version(seller, offering, run, readings_csv(12))
    return subscriptions


def test_racing_close_passes_close_each_period_once_and_charge_it_once(subscribed: list[Subscription]) -> None:
    as_of = subscribed[-1].starts_at + 60 * DAY
    passes = race(THREADS, lambda _: billing.subscription_periods_close(as_of=as_of, batch=5))
    assert not [p for p in passes if isinstance(p, Exception)], passes
    assert sum(p.charged for p in passes) == SUBSCRIPTIONS, [p.as_dict() for p in passes]
    second = SubscriptionPeriod.objects.filter(number=2)
    assert second.count() == SUBSCRIPTIONS and not second.filter(closed_at__isnull=True).exists()
    assert set(second.values_list("outcome", flat=True)) == {"charged"}
    charges = Settlement.objects.filter(period=2)
    assert charges.count() == SUBSCRIPTIONS and set(charges.values_list("status", flat=True)) == {"captured"}
    per_settlement = OfflinePayment.objects.values("metadata__settlement").annotate(n=Count("id"))
    assert {row["n"] for row in per_settlement} == {1}, "one payment per settlement"
    assert LedgerTransaction.objects.filter(settlement__period=2, kind="capture").count() == SUBSCRIPTIONS
    assert SubscriptionPeriod.objects.filter(number=3).count() == SUBSCRIPTIONS, "each next period opened once"


def test_a_replayed_capture_and_racing_charges_of_a_period_charge_it_once(subscribed: list[Subscription]) -> None:
    # The charges are opened, but their tasks are not run (the broker is unreachable: the rows are the truth).
    with publishing_to_broker(), broker_at(DEAD_BROKER):
        billing.subscription_periods_close(as_of=subscribed[-1].starts_at + 60 * DAY)
    charge = Settlement.objects.filter(period=2).order_by("created_at").first()
    assert charge is not None and charge.status == "pending"
    # (Celery is eager here: the thread whose authorisation lands also runs the capture it enqueues.)
    results = race(THREADS, lambda _: settlements.settlement_authorize(settlement_id=charge.id).status)
    assert set(results) <= {"authorized", "captured"}, results
    assert OfflinePayment.objects.filter(metadata__settlement=str(charge.id)).count() == 1
    results = race(
        THREADS, lambda _: settlements.settlement_capture(settlement_id=charge.id, reason="period delivered").status
    )
    assert set(results) == {"captured"}, results
    charge.refresh_from_db()
    captured = PaymentResult(status="captured", payment_ref=charge.payment_ref, amount=1000, currency="JPY")
    race(
        THREADS,
        lambda _: settlements.settlement_apply_provider_state(
            settlement_id=charge.id, result=captured, source="replayed event"
        ),
    )
    assert LedgerTransaction.objects.filter(settlement=charge, kind="capture").count() == 1
    assert (
        SettlementEvent.objects.filter(settlement=charge, to_status="captured").exclude(from_status="captured").count()
        == 1
    )
    assert SubscriptionPeriod.objects.get(settlement=charge).outcome == "charged"


def test_a_worker_that_died_after_the_provider_authorised_is_not_charged_twice(
    subscribed: list[Subscription],
) -> None:
    with publishing_to_broker(), broker_at(DEAD_BROKER):
        billing.subscription_periods_close(as_of=subscribed[-1].starts_at + 60 * DAY)
    charge = Settlement.objects.filter(period=2).order_by("created_at").first()
    assert charge is not None
    # What the dead worker did: the provider authorised under the charge's key; nothing was recorded here.
    provider_get(charge.provider).authorize(
        amount=charge.amount,
        currency=charge.currency,
        payment_method="pm_card_visa",
        customer_ref=str(charge.buyer_id),
        idempotency_key=idempotency_key(charge.id, "authorize"),
        description="the dead worker's call",
        metadata={"settlement": str(charge.id)},
    )
    # The sweeper re-drives it: the same payment comes back, and is captured once.
    settlements.settlements_sweep(now=timezone.now() + timedelta(hours=1))
    charge.refresh_from_db()
    assert charge.status == "captured"
    assert OfflinePayment.objects.filter(metadata__settlement=str(charge.id)).count() == 1
    assert LedgerTransaction.objects.filter(settlement=charge, kind="capture").count() == 1


def test_a_period_closed_while_its_subscription_is_busy_waits_for_the_next_pass(
    subscribed: list[Subscription],
) -> None:
    """A payment step holds the subscription's row: the pass skips that period instead of waiting (it could be
    about to write it), and a later pass closes it."""
    from django.db import connection, transaction

    busy = subscribed[0]
    as_of = subscribed[-1].starts_at + 60 * DAY

    def hold_then_close(index: int) -> Any:
        if index == 0:
            with transaction.atomic():
                Subscription.objects.select_for_update().get(pk=busy.pk)
                import time

                time.sleep(1.5)
            return None
        import time

        time.sleep(0.3)
        return billing.subscription_periods_close(as_of=as_of)

    held, closed = race(2, hold_then_close)
    assert held is None and not isinstance(closed, Exception), closed
    assert (closed.charged, closed.skipped) == (SUBSCRIPTIONS - 1, 1)
    assert SubscriptionPeriod.objects.get(subscription=busy, number=2).closed_at is None
    assert billing.subscription_periods_close(as_of=as_of).charged == 1
    connection.close()
    make_party("Later Buyer", {"buyer"})  # the database is still usable
