"""The close pass: every subscription period whose end has come is closed, and billed only if delivered.

``subscription_periods_close(as_of=...)`` (``manage.py close_periods``, Celery beat ``settlement.close_periods``)
takes the periods not yet closed whose ``ends_at`` is at or before ``as_of``, in batches, oldest end first:

- it counts what the seller delivered during the period: new versions (``catalog.selectors.new_versions``, the one
  rule of what a delivery is, read once for the whole batch) and, for a live stream with a message commitment,
  messages (``hooks.stream_messages_between``);
- the first period was paid with the trade: closing it records the count;
- a later period whose commitment was met opens its settlement (``settlement_period_open``), whose charge (authorise,
  then capture at once) is enqueued when the batch commits; one whose commitment was not met is ``missed``: nothing is
  charged and both parties are told (``subscription.period_missed``);
- the period during which the buyer cancelled is billed like any other: the buyer had access to the end of it and
  received what it delivered (the contract: no *later* period is charged);
- then the next period opens, unless this was the last of the term or the one the buyer cancelled in: the
  subscription ends, with its access (``subscriptions.subscription_access_ends``).

Last, past-due charges whose grace period ran out by ``as_of`` fail for good (``settlement_period_give_up``).

Safe to run concurrently and to run again: a batch locks its periods (``SKIP LOCKED``: two passes take disjoint
batches) and then their subscriptions (skipped too when a payment step holds one: that period waits for the next
batch), and a closed period is never taken again, so a period is charged once. Each batch is one transaction.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, Expression, F, Field, OuterRef, Subquery, Value, When
from django.db.models.functions import Least
from django.utils import timezone

from catalog.selectors import new_versions
from marketplace.models import Organization
from marketplace.tax import treatment_of
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
    # The periods, locked (their rows only), with the window each counts deliveries in: from the earlier of its start
    # and its opening (a test clock opens periods ahead of time) to the earlier of its end and now.
    periods = list(
        SubscriptionPeriod.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(closed_at__isnull=True, ends_at__lte=as_of)
        .annotate(count_from=Least("starts_at", "opened_at"), count_until=Least("ends_at", Value(now)))
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
    delivered = _deliveries([(locked[p.subscription_id].dataset_id, p) for p in ready])
    met = {period.pk: _met(locked[period.subscription_id], period, delivered) for period in ready}
    cancelled_in = {p.pk for p in ready if _cancelled_during(locked[p.subscription_id], p)}
    charging = [p for p in ready if p.number > 1 and met[p.pk]]
    # Each contract's trade, and how it is taxed: a later period is taxed as the first (the same parties and sale).
    trades = {
        contract_id: (trade_id, tax_treatment)
        for contract_id, trade_id, tax_treatment in Settlement.objects.filter(
            contract_id__in={locked[p.subscription_id].contract_id for p in charging}, period=1
        ).values_list("contract_id", "trade_id", "tax_treatment")
    }
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
            trade_id, tax_treatment = trades[subscription.contract_id]
            # A subscription traded before the market charged tax is taxed as its parties' countries say now.
            tax_treatment = tax_treatment or _treatment_now(subscription)
            settlement, event = settlement_period_open(
                subscription=subscription, period=period, trade_id=trade_id, tax_treatment=tax_treatment
            )
            period.settlement = settlement
            settlements.append(settlement)
            events.append(event)
            closed.charged += 1
        elif period.number > 1:
            subscriptions.period_outcome_set(period, Outcome.MISSED)
            closed.missed += 1
        last = period.number >= subscription.term_periods
        if last or period.pk in cancelled_in:
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
    # Set-based (``bulk_update`` would build one CASE branch per period and column, and was half the pass's time):
    # every column that varies takes few values in a batch, each one branch over its periods' ids, and each charged
    # period's settlement is the one just written for its contract and number.
    SubscriptionPeriod.objects.filter(pk__in=[period.pk for period in ready]).update(
        closed_at=now,
        versions_delivered=_per_value(ready, "versions_delivered"),
        messages_delivered=_per_value(ready, "messages_delivered"),
        outcome=_per_value(ready, "outcome"),
    )
    if charging:
        SubscriptionPeriod.objects.filter(pk__in=charging_ids).update(
            settlement=Subquery(
                Settlement.objects.filter(
                    contract__subscription=OuterRef("subscription_id"), period=OuterRef("number")
                ).values("pk")[:1]
            )
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


def _per_value(periods: Sequence[SubscriptionPeriod], name: str) -> Expression:
    """Each period's value of the column ``name``, as one expression of an ``UPDATE`` of ``periods``: a branch per
    distinct value (a batch's periods share a few: counts of versions, outcomes) over the ids that have it."""
    column = SubscriptionPeriod._meta.get_field(name)
    assert isinstance(column, Field)
    ids: dict[object, list[int]] = defaultdict(list)
    for period in periods:
        ids[getattr(period, name)].append(period.pk)
    if len(ids) == 1:
        return Value(next(iter(ids)), output_field=column)
    return Case(
        *(When(pk__in=pks, then=Value(value, output_field=column)) for value, pks in ids.items()),
        default=F(name),
        output_field=column,
    )


def _deliveries(periods: Sequence[tuple[uuid.UUID, SubscriptionPeriod]]) -> dict[uuid.UUID, list[datetime]]:
    """When each new version (``catalog.selectors.new_versions``) of the batch's datasets was published, sorted per
    dataset, over the span of all the batch's windows: one query for the whole batch."""
    if not periods:
        return {}
    start = min(period.count_from for _, period in periods)  # type: ignore[attr-defined]  # the annotations
    end = max(period.count_until for _, period in periods)  # type: ignore[attr-defined]
    published: dict[uuid.UUID, list[datetime]] = defaultdict(list)
    rows = (
        new_versions(dataset_ids={dataset_id for dataset_id, _ in periods})
        .filter(validated_at__gte=start, validated_at__lt=end)
        .values_list("dataset_id", "validated_at")
    )
    for dataset_id, moment in rows:
        if moment is not None:  # a published version always has it; the column allows none
            published[dataset_id].append(moment)
    for moments in published.values():
        moments.sort()
    return published


def _met(subscription: Subscription, period: SubscriptionPeriod, delivered: dict[uuid.UUID, list[datetime]]) -> bool:
    """Record what the period delivered and say whether it met the subscription's commitment. A message commitment
    that cannot be counted (no counter registered: streams are off) is not met: the market bills only what it can
    verify."""
    moments = delivered.get(subscription.dataset_id, [])
    start, end = period.count_from, period.count_until  # type: ignore[attr-defined]  # the annotations
    period.versions_delivered = bisect.bisect_left(moments, end) - bisect.bisect_left(moments, start)
    met = period.versions_delivered >= subscription.min_versions_per_period
    if subscription.min_messages_per_period is not None:
        period.messages_delivered = hooks.stream_messages_between(subscription.dataset_id, start, end)
        met = met and period.messages_delivered is not None
        met = met and (period.messages_delivered or 0) >= subscription.min_messages_per_period
    return met


def _cancelled_during(subscription: Subscription, period: SubscriptionPeriod) -> bool:
    """Whether the buyer cancelled before this period ended: it is then the last (billed as any other if delivered).
    (Cancelled after its end, before the pass came: it is the next one that the buyer cancelled in.)"""
    return subscription.cancelled_at is not None and subscription.cancelled_at < period.ends_at


def _give_up_past_grace(*, as_of: datetime, closed: Closed) -> None:
    """Declined period charges whose subscription has been past due for its whole grace period by ``as_of``. The few
    charges being retried are read, and each one whose grace ran out is given up under its row locks."""
    overdue = [
        settlement_id
        for settlement_id, since, grace_days in Settlement.objects.filter(
            status=Settlement.Status.PENDING,
            period__gt=1,
            declines__gt=0,
            contract__subscription__past_due_since__lte=as_of,
        )
        .order_by("created_at")
        .values_list("id", "contract__subscription__past_due_since", "contract__subscription__grace_days")[
            :GIVE_UP_BATCH
        ]
        if since is not None and since + timedelta(days=grace_days) <= as_of
    ]
    for settlement_id in overdue:
        if settlement_period_give_up(settlement_id=settlement_id, now=as_of).status == Settlement.Status.FAILED:
            closed.unpaid += 1


def _treatment_now(subscription: Subscription) -> str:
    countries = dict(
        Organization.objects.filter(pk__in=(subscription.buyer_id, subscription.seller_id)).values_list("id", "country")
    )
    return treatment_of(
        seller_country=countries[subscription.seller_id], buyer_country=countries[subscription.buyer_id]
    )
