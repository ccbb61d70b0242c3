"""The close pass: every subscription period whose end has come is closed, and billed only if delivered.

``subscription_periods_close(as_of=...)`` (``manage.py close_periods``, Celery beat ``settlement.close_periods``)
takes the periods not yet closed whose ``ends_at`` is at or before ``as_of``, in batches, oldest end first:

- it counts what the seller delivered during the period: new versions (``catalog.selectors.new_versions_count``, in
  the batch's one query) and, for a live stream with a message commitment, messages (``hooks.stream_messages_between``);
- the first period was paid with the trade: closing it records the count;
- a later period whose commitment was met opens its settlement (``settlement_period_open``), whose charge (authorise,
  then capture at once) is enqueued when the batch commits; one whose commitment was not met is ``missed``: nothing is
  charged and both parties are told (``subscription.period_missed``);
- then the next period opens, unless this was the last of the term or the buyer cancelled: the subscription ends,
  with its access (``subscriptions.subscription_access_ends``).

Last, past-due charges whose grace period ran out by ``as_of`` fail for good (``settlement_period_give_up``).

Safe to run concurrently and to run again: a batch locks its periods (``SKIP LOCKED``: two passes take disjoint
batches) and then their subscriptions (skipped too when a payment step holds one: that period waits for the next
batch), and a closed period is never taken again, so a period is charged once. Each batch is one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Value
from django.db.models.functions import Least
from django.utils import timezone

from catalog.selectors import new_versions_count
from config.market import market_settings
from settlement import hooks
from settlement.models import Settlement, SettlementEvent, Subscription, SubscriptionPeriod
from settlement.services import subscriptions
from settlement.services.settlements import settlement_period_give_up, settlement_period_open
from settlement.services.webhooks import webhook_listeners, webhook_listeners_memo

# Periods closed per transaction: big enough that a batch's few statements are spread thin, small enough that its
# locks are short. The grace sweep takes at most this many declined charges per pass.
CLOSE_BATCH = 500
GIVE_UP_BATCH = 1000

Outcome = SubscriptionPeriod.Outcome


@dataclass
class Closed:
    """What one pass did."""

    periods: int = 0  # closed
    charged: int = 0  # of them, later periods delivered: their charges opened
    missed: int = 0  # later periods not delivered: nothing charged
    ended: int = 0  # subscriptions whose last period closed
    unpaid: int = 0  # declined charges given up after the grace period
    skipped: int = 0  # periods left for a later pass: their subscription was busy (a payment step held it)
    charges: list[uuid.UUID] = field(default_factory=list, repr=False)  # the settlements opened

    def as_dict(self) -> dict[str, int]:
        return {
            "periods": self.periods,
            "charged": self.charged,
            "missed": self.missed,
            "ended": self.ended,
            "unpaid": self.unpaid,
            "skipped": self.skipped,
        }


def subscription_periods_close(*, as_of: datetime | None = None, batch: int = CLOSE_BATCH) -> Closed:
    """Close every period that ended at or before ``as_of`` (default: now), then give up past-due charges whose
    grace period ended by then. ``as_of`` after now is a test clock (``close_periods`` allows it only where
    ``ICHIBA_SUBSCRIPTION_TEST_CLOCK`` is on)."""
    as_of = as_of or timezone.now()
    closed = Closed()
    with webhook_listeners_memo():  # each party is asked about its webhook endpoints once per pass
        while _close_batch(as_of=as_of, batch=batch, closed=closed):
            pass
    _give_up_past_grace(as_of=as_of, closed=closed)
    return closed


@transaction.atomic
def _close_batch(*, as_of: datetime, batch: int, closed: Closed) -> bool:
    """Close one batch; False when nothing was left to close (or only periods of busy subscriptions)."""
    now = timezone.now()
    # The periods, locked (their rows, not the subscriptions joined for the count), with what was delivered
    # during each counted in the same statement. The count runs from the earlier of the period's start and its
    # opening (a test clock opens periods ahead of time) to the earlier of its end and now.
    periods = list(
        SubscriptionPeriod.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(closed_at__isnull=True, ends_at__lte=as_of)
        .annotate(count_from=Least("starts_at", "opened_at"), count_until=Least("ends_at", Value(now)))
        .annotate(
            delivered=new_versions_count(
                dataset_id=OuterRef("subscription__dataset_id"),
                start=OuterRef("count_from"),
                end=OuterRef("count_until"),
            )
        )
        .order_by("ends_at", "id")[:batch]
    )
    if not periods:
        closed.skipped = 0
        return False
    # Then their subscriptions; one a payment step holds is skipped (never waited for: that step may be about to
    # write this very period), and its period waits for the next batch or pass.
    locked = {
        subscription.id: subscription
        for subscription in Subscription.objects.select_for_update(skip_locked=True).filter(
            pk__in={period.subscription_id for period in periods}
        )
    }
    ready = [period for period in periods if period.subscription_id in locked]
    closed.skipped = len(periods) - len(ready)  # what the last batch left: the pass ends with what is left
    if not ready:
        return False
    met = {period.pk: _met(locked[period.subscription_id], period) for period in ready}
    charging = [p for p in ready if p.number > 1 and met[p.pk]]
    trades = dict(
        Settlement.objects.filter(
            contract_id__in={locked[p.subscription_id].contract_id for p in charging}, period=1
        ).values_list("contract_id", "trade_id")
    )
    webhook_listeners(organization_ids={o for s in locked.values() for o in (s.buyer_id, s.seller_id)})
    settlements: list[Settlement] = []
    events: list[SettlementEvent] = []
    opened: list[SubscriptionPeriod] = []
    ending: list[tuple[Subscription, bool]] = []
    charging_ids = {p.pk for p in charging}
    for period in ready:
        subscription = locked[period.subscription_id]
        period.closed_at = now
        if period.number > 1 and period.pk in charging_ids:
            settlement, event = settlement_period_open(
                subscription=subscription, period=period, trade_id=trades[subscription.contract_id]
            )
            period.settlement = settlement
            settlements.append(settlement)
            events.append(event)
            closed.charged += 1
        elif period.number > 1:
            subscriptions.period_outcome_set(period, Outcome.MISSED)
            closed.missed += 1
        last = period.number >= subscription.term_periods
        if last or subscription.cancelled_at is not None:
            ending.append((subscription, last))
        else:
            starts, ends = subscriptions.period_bounds(subscription, period.number + 1)
            opened.append(
                SubscriptionPeriod(
                    subscription=subscription, number=period.number + 1, starts_at=starts, ends_at=ends, opened_at=now
                )
            )
    Settlement.objects.bulk_create(settlements)
    SettlementEvent.objects.bulk_create(events)
    SubscriptionPeriod.objects.bulk_update(
        ready, ["versions_delivered", "messages_delivered", "outcome", "settlement", "closed_at"]
    )
    SubscriptionPeriod.objects.bulk_create(opened)
    for period in ready:
        if period.outcome == Outcome.MISSED:
            subscriptions.subscription_period_missed_announce(locked[period.subscription_id], period)
    for subscription, whole_term in ending:
        subscriptions.subscription_access_ends(subscription, whole_term=whole_term, now=now)
    closed.periods += len(ready)
    closed.ended += len(ending)
    closed.charges += [settlement.id for settlement in settlements]
    return True


def _met(subscription: Subscription, period: SubscriptionPeriod) -> bool:
    """Record what the period delivered and say whether it met the subscription's commitment. A message commitment
    that cannot be counted (no counter registered: streams are off) is not met: the market bills only what it can
    verify."""
    period.versions_delivered = int(period.delivered)  # type: ignore[attr-defined]  # the annotation
    met = period.versions_delivered >= subscription.min_versions_per_period
    if subscription.min_messages_per_period is not None:
        period.messages_delivered = hooks.stream_messages_between(
            subscription.dataset_id,
            period.count_from,  # type: ignore[attr-defined]
            period.count_until,  # type: ignore[attr-defined]
        )
        met = met and period.messages_delivered is not None
        met = met and (period.messages_delivered or 0) >= subscription.min_messages_per_period
    return met


def _give_up_past_grace(*, as_of: datetime, closed: Closed) -> None:
    """Declined period charges whose subscription has been past due for the whole grace period by ``as_of``."""
    cutoff = as_of - market_settings().subscription_grace
    overdue = list(
        Settlement.objects.filter(
            status=Settlement.Status.PENDING,
            period__gt=1,
            declines__gt=0,
            contract__subscription__past_due_since__lte=cutoff,
        )
        .order_by("created_at")
        .values_list("id", flat=True)[:GIVE_UP_BATCH]
    )
    for settlement_id in overdue:
        if settlement_period_give_up(settlement_id=settlement_id, now=as_of).status == Settlement.Status.FAILED:
            closed.unpaid += 1
