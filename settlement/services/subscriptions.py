"""Subscriptions: a feed's seats sold for a term of periods, paid period by period for what was delivered.

    trade (hook) → active ─cancel─► cancelling ──(its period closes)──► ended
                     │  └──(term over)────────────────────────────────► ended
                     └─charge declined─► past_due ─paid─► active / cancelling
                                            └──grace passed──► ended (unpaid)

The trade opens the subscription, its first period and that period's settlement (``subscription_rows``, written
by the matching with the trade). The settlement pipeline (``settlement.services.settlements``) tells this module
what became of each period's payment, under the settlement's row lock and then the subscription's; the close pass
(``settlement.services.billing``) closes the periods whose end has come. Every status change goes through
``_set_status``: checked against ``settlement/states.py``, recorded as a ``SubscriptionEvent``, announced through
``settlement.hooks.on_subscription_changed`` and a ``subscription.updated`` webhook to both parties.

Lock order: settlement, then subscription, then its periods, then the entitlement, then the contract. Periods
change only under their subscription's lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from catalog.models import DatasetVersion
from config.api.principal import Principal
from config.errors import Conflict, Forbidden, NotFound, RuleViolation
from config.market import market_settings
from contracts.models import Contract
from contracts.services.contracts import contract_transition
from marketplace import hooks as marketplace_hooks
from settlement import hooks, states
from settlement.models import (
    Entitlement,
    EntitlementVersion,
    Settlement,
    Subscription,
    SubscriptionEvent,
    SubscriptionPeriod,
)
from settlement.services.entitlements import entitlement_end
from settlement.services.webhooks import webhook_listeners, webhook_publish

S = Subscription.Status
Outcome = SubscriptionPeriod.Outcome

EVENT_UPDATED = "subscription.updated"
EVENT_PERIOD_CHARGED = "subscription.period_charged"
EVENT_PERIOD_MISSED = "subscription.period_missed"
EVENT_EXTENDED = "entitlement.extended"

# Stable ids of the period events: announcing twice (a re-driven step) sends each once.
_PERIOD_EVENTS = uuid.UUID("6b1c9a52-0f3e-4e0e-8d8e-2a7c5b1e4f90")


def period_bounds(subscription: Subscription, number: int) -> tuple[datetime, datetime]:
    """Period ``number`` (1-based): from starts_at + (number - 1) x period_days to starts_at + number x period_days."""
    length = timedelta(days=subscription.period_days)
    return subscription.starts_at + (number - 1) * length, subscription.starts_at + number * length


# --- at the trade ----------------------------------------------------------------------------------------------


def subscription_rows(event: marketplace_hooks.TradeExecuted, settlement: Settlement) -> list[Any]:
    """The subscription a trade of a subscription offering concludes, its first event and its first period (paid by
    ``settlement``, the trade's), unsaved: the trade hook's subscriber hands them back with the settlement and the
    matching writes them with the trade. Reads nothing (the matching holds the offering's row lock)."""
    shape = event.subscription
    assert shape is not None
    term = timedelta(days=shape.period_days * shape.term_periods)
    if shape.valid_until - event.executed_at != term:
        # The offering's terms must make the contract last exactly the term (its duration_days); a trade on one that
        # does not is refused, and rolls back whole, rather than sell periods the contract does not cover.
        raise RuleViolation(
            "The subscription's contract must last its whole term: duration_days must equal "
            f"term_periods x period_days ({shape.term_periods} x {shape.period_days})."
        )
    subscription = Subscription(
        id=uuid.uuid4(),
        contract_id=event.contract_id,
        offering_id=event.offering_id,
        dataset_id=shape.dataset_id,
        buyer_id=event.buyer_id,
        seller_id=event.seller_id,
        quantity=event.quantity,
        price=event.price,
        amount=event.amount,
        currency=event.currency,
        period_days=shape.period_days,
        term_periods=shape.term_periods,
        min_versions_per_period=shape.min_versions_per_period,
        min_messages_per_period=shape.min_messages_per_period,
        stream=shape.stream,
        # As the contract's subscription article states it (concluded in this same transaction).
        grace_days=market_settings().subscription_grace_days,
        starts_at=event.executed_at,
        ends_at=shape.valid_until,
        status=S.ACTIVE,
    )
    starts, ends = period_bounds(subscription, 1)
    return [
        subscription,
        SubscriptionEvent(
            subscription=subscription, from_status="", to_status=S.ACTIVE, reason="trade executed", actor="market"
        ),
        SubscriptionPeriod(
            subscription=subscription,
            number=1,
            starts_at=starts,
            ends_at=ends,
            opened_at=event.executed_at,
            settlement=settlement,
        ),
    ]


# --- status -----------------------------------------------------------------------------------------------------


def subscription_webhook_data(subscription: Subscription, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(subscription.id),
        "contract": str(subscription.contract_id),
        "offering": str(subscription.offering_id),
        "dataset": str(subscription.dataset_id),
        "status": subscription.status,
        "end_reason": subscription.end_reason,
        "past_due_since": subscription.past_due_since,
        **extra,
    }


def _publish_to_parties(
    subscription: Subscription, event_type: str, data: dict[str, Any], event_id: uuid.UUID | None
) -> None:
    for organization_id in webhook_listeners(organization_ids=(subscription.buyer_id, subscription.seller_id)):
        webhook_publish(organization_id=organization_id, event_type=event_type, data=data, event_id=event_id)


def _set_status(
    subscription: Subscription,
    target: str,
    *,
    reason: str,
    now: datetime,
    actor: str = "system",
    end_reason: str = "",
) -> None:
    """The one place a subscription's status changes (its row locked by the caller). ``target`` equal to the
    current status records the event (a cancellation while past due) without a change of status."""
    previous = subscription.status
    if target != previous:
        states.subscription_check(previous, target)
    subscription.status = target
    fields = ["status", "updated_at"]
    if target == S.ENDED and previous != S.ENDED:
        subscription.ended_at = now
        subscription.end_reason = end_reason or Subscription.EndReason.TERM
        fields += ["ended_at", "end_reason"]
    subscription.save(update_fields=fields)
    SubscriptionEvent.objects.create(
        subscription=subscription, from_status=previous, to_status=target, reason=reason[:500], actor=actor[:100]
    )
    if target == previous:
        return
    hooks.on_subscription_changed(
        hooks.SubscriptionChanged(
            subscription_id=subscription.id,
            dataset_id=subscription.dataset_id,
            buyer_id=subscription.buyer_id,
            seller_id=subscription.seller_id,
            stream=subscription.stream,
            previous_status=previous,
            status=target,
            access=target in states.SUBSCRIPTION_GRANTING,
            end_reason=subscription.end_reason,
            changed_at=now,
        )
    )
    _publish_to_parties(subscription, EVENT_UPDATED, subscription_webhook_data(subscription, reason=reason), None)


def _locked(subscription_id: uuid.UUID) -> Subscription:
    return Subscription.objects.select_for_update().get(pk=subscription_id)


def period_outcome_set(period: SubscriptionPeriod, target: str) -> None:
    """The one place a period's outcome changes (under its subscription's row lock, held by the caller)."""
    states.subscription_period_check(period.outcome, target)
    period.outcome = target


# --- the end ------------------------------------------------------------------------------------------------------


def _end(subscription: Subscription, *, end_reason: str, reason: str, now: datetime) -> None:
    """End a subscription in force and the access it gave: its entitlement ends (expired when the term or the
    cancelled period ran out, revoked otherwise) and its contract with it (expired at the end of the term,
    terminated before it), unless the payment step that called already ended them."""
    if subscription.status == S.ENDED:
        return
    _set_status(subscription, S.ENDED, reason=reason, now=now, end_reason=end_reason)
    as_agreed = end_reason in (Subscription.EndReason.TERM, Subscription.EndReason.CANCELLED)
    if not as_agreed:
        # Ended early: the period under way closes now, and a later one is never charged (nothing delivered is
        # counted for it). The first keeps its outcome: its payment decides it.
        for period in SubscriptionPeriod.objects.filter(subscription=subscription, closed_at__isnull=True):
            period.closed_at = now
            if period.number > 1 and period.outcome == Outcome.OPEN and period.settlement_id is None:
                period_outcome_set(period, Outcome.MISSED)
            period.save(update_fields=["closed_at", "outcome"])
    entitlement = (
        Entitlement.objects.select_for_update()
        .filter(contract_id=subscription.contract_id, status=Entitlement.Status.ACTIVE)
        .first()
    )
    if entitlement is not None:
        target = Entitlement.Status.EXPIRED if as_agreed else Entitlement.Status.REVOKED
        entitlement_end(entitlement=entitlement, target=target, reason=reason, now=now)
    contract = Contract.objects.select_for_update().filter(pk=subscription.contract_id).only("status").first()
    if contract is not None and contract.status in (Contract.Status.CONCLUDED, Contract.Status.ACTIVE):
        whole_term = end_reason == Subscription.EndReason.TERM
        contract_transition(
            contract_id=subscription.contract_id,
            target=Contract.Status.EXPIRED
            if whole_term and contract.status == "active"
            else Contract.Status.TERMINATED,
            reason=reason[:200],
            locked=contract,
        )


# --- what the payments of the periods became (the settlement pipeline, under the settlement's lock) ---------------


def _period_of(settlement: Settlement) -> SubscriptionPeriod | None:
    return SubscriptionPeriod.objects.filter(settlement_id=settlement.pk).first()


def _pending_declined(subscription: Subscription, *, besides: uuid.UUID) -> bool:
    """Whether another of the subscription's charges is still declined and being retried."""
    return (
        Settlement.objects.filter(
            contract_id=subscription.contract_id, period__gt=1, status=Settlement.Status.PENDING, declines__gt=0
        )
        .exclude(pk=besides)
        .exists()
    )


def subscription_period_paid(*, subscription: Subscription, settlement: Settlement, now: datetime) -> None:
    """A period's payment was captured: the period is charged; a past-due subscription whose charges are all paid
    is in force again, and receives the versions published while it was past due."""
    period = _period_of(settlement)
    if period is not None and period.outcome == Outcome.OPEN:
        period_outcome_set(period, Outcome.CHARGED)
        period.save(update_fields=["outcome"])
        data = _period_data(subscription, period, settlement=settlement)
        _publish_to_parties(
            subscription, EVENT_PERIOD_CHARGED, data, uuid.uuid5(_PERIOD_EVENTS, f"{period.pk}:charged")
        )
    if subscription.past_due_since is None or _pending_declined(subscription, besides=settlement.pk):
        return
    subscription.past_due_since = None
    subscription.save(update_fields=["past_due_since", "updated_at"])
    if subscription.status == S.PAST_DUE:
        target = S.CANCELLING if subscription.cancelled_at else S.ACTIVE
        _set_status(subscription, target, reason=f"period {settlement.period} paid", now=now)
        _grant_published(subscription, now=now)


def subscription_charge_declined(
    *, subscription: Subscription, settlement: Settlement, failure_code: str, now: datetime
) -> None:
    """A later period's charge was declined (it is retried): the subscription is past due from now on, and receives no
    new version until it is paid. One whose access already ended (its term or cancelled period is over) stays ended;
    its charge is retried all the same, and ``past_due_since`` dates the grace period either way."""
    if subscription.past_due_since is None:
        subscription.past_due_since = now
        subscription.save(update_fields=["past_due_since", "updated_at"])
    if subscription.status in (S.ACTIVE, S.CANCELLING):
        _set_status(
            subscription, S.PAST_DUE, reason=f"period {settlement.period} charge declined: {failure_code}", now=now
        )


def _grace(subscription: Subscription) -> timedelta:
    return timedelta(days=subscription.grace_days)


def subscription_grace_over(subscription: Subscription, *, now: datetime) -> bool:
    """Whether a declined charge has been retried for the whole grace period (the contract's, which is
    ``ICHIBA_SUBSCRIPTION_GRACE_DAYS`` at the trade), or the subscription ended for a reason that leaves nothing to
    charge for (unpaid, refunded, revoked)."""
    if subscription.status == S.ENDED and subscription.end_reason not in (
        Subscription.EndReason.TERM,
        Subscription.EndReason.CANCELLED,
    ):
        return True
    since = subscription.past_due_since
    return since is not None and now >= since + _grace(subscription)


def subscription_retry_at(subscription: Subscription, *, declines: int, now: datetime) -> datetime:
    """When a charge declined ``declines`` times is tried again: 1 h, 4 h, 16 h, then daily, never after the grace
    period ends (the try at its end is the last: declined again, the period is unpaid)."""
    delay = timedelta(hours=min(24, 4 ** max(0, declines - 1)))
    since = subscription.past_due_since or now
    return min(now + delay, since + _grace(subscription))


def subscription_period_unpaid(
    *, subscription: Subscription, settlement: Settlement, now: datetime, reason: str
) -> None:
    """A period's charge failed for good (declined through the grace period, or the first payment declined): the
    period is unpaid and the subscription ends, with its access."""
    period = _period_of(settlement)
    if period is not None and period.outcome == Outcome.OPEN:
        period_outcome_set(period, Outcome.UNPAID)
        period.closed_at = period.closed_at or now
        period.save(update_fields=["outcome", "closed_at"])
    first = settlement.period == 1
    end_reason = Subscription.EndReason.PAYMENT_FAILED if first else Subscription.EndReason.UNPAID
    _end(subscription, end_reason=end_reason, reason=reason, now=now)
    if subscription.past_due_since is not None and not _pending_declined(subscription, besides=settlement.pk):
        subscription.past_due_since = None
        subscription.save(update_fields=["past_due_since", "updated_at"])


def subscription_period_voided(
    *, subscription: Subscription, settlement: Settlement, now: datetime, reason: str
) -> None:
    """A period's authorised payment was voided: nothing was charged for it. The first period's is voided when
    the data cannot be delivered: the period is missed and the subscription ends (the trade is void)."""
    period = _period_of(settlement)
    if period is not None and period.outcome == Outcome.OPEN:
        period_outcome_set(period, Outcome.MISSED if settlement.period == 1 else Outcome.UNPAID)
        period.save(update_fields=["outcome"])
    if settlement.period == 1:
        _end(subscription, end_reason=Subscription.EndReason.UNDELIVERABLE, reason=reason, now=now)


def subscription_released(*, subscription: Subscription, settlement: Settlement, now: datetime, reason: str) -> None:
    """Its buyer gave the trade up before the data was delivered (settlements.settlement_release): the first
    period's payment was voided, nothing was charged; the period is missed and the subscription ends."""
    period = _period_of(settlement)
    if period is not None and period.outcome == Outcome.OPEN:
        period_outcome_set(period, Outcome.MISSED)
        period.save(update_fields=["outcome"])
    _end(subscription, end_reason=Subscription.EndReason.RELEASED, reason=reason, now=now)


def subscription_refunded(*, subscription: Subscription, now: datetime, reason: str) -> None:
    """The operator refunded one of its payments: the subscription ends, its access revoked (as a refunded
    licence's is)."""
    _end(subscription, end_reason=Subscription.EndReason.REFUNDED, reason=reason, now=now)


# --- cancellation (the buyer) ----------------------------------------------------------------------------------------


@transaction.atomic
def subscription_cancel(*, principal: Principal, subscription_id: Any) -> Subscription:
    """The buyer cancels: access ends when the current period closes, which is billed like any other (the buyer
    receives what it delivers); no later period opens or is charged (the contract's subscription article).
    Idempotent; the seller may not (403), anyone else sees nothing (404)."""
    try:
        wanted = uuid.UUID(str(subscription_id))
    except ValueError as exc:
        raise NotFound("No such subscription.") from exc
    party = Q(buyer_id=principal.organization_id) | Q(seller_id=principal.organization_id)
    subscription = Subscription.objects.select_for_update().filter(party, pk=wanted).first()
    if subscription is None:
        raise NotFound("No such subscription.")
    if subscription.buyer_id != principal.organization_id:
        raise Forbidden("Only the subscriber cancels a subscription.")
    if subscription.cancelled_at is not None:
        return subscription
    if subscription.status == S.ENDED:
        raise Conflict("The subscription has ended; there is nothing to cancel.")
    now = timezone.now()
    subscription.cancelled_at = now
    subscription.save(update_fields=["cancelled_at", "updated_at"])
    actor = str(principal.organization_id)
    # A past-due one records the cancellation and stays past due until it is paid (then cancelling) or unpaid.
    target = S.CANCELLING if subscription.status == S.ACTIVE else subscription.status
    _set_status(subscription, target, reason="cancelled by the buyer", now=now, actor=actor)
    return subscription


# --- the market's operator (a take-down: oversight.services.takedowns) ------------------------------------------


@transaction.atomic
def subscription_take_down(*, subscription_id: uuid.UUID, reason: str, unlawful: bool) -> Subscription:
    """The offering was taken down by the market's operator. Its subscriptions renew no more: the current period
    is the last (as a buyer's cancellation does, its access kept until then), unless the data is ``unlawful``: then
    the subscription ends now, its access revoked (stream credentials cut through ``on_subscription_changed``) and
    its contract terminated; its payments are refunded by the caller. Idempotent."""
    subscription = _locked(subscription_id)
    if subscription.status == S.ENDED:
        return subscription
    now = timezone.now()
    if unlawful:
        _end(subscription, end_reason=Subscription.EndReason.REVOKED, reason=reason, now=now)
        return subscription
    if subscription.cancelled_at is not None:
        return subscription
    subscription.cancelled_at = now
    subscription.save(update_fields=["cancelled_at", "updated_at"])
    target = S.CANCELLING if subscription.status == S.ACTIVE else subscription.status
    _set_status(subscription, target, reason=reason, now=now, actor="operator")
    return subscription


# --- versions -----------------------------------------------------------------------------------------------------


def _granting(dataset_id: uuid.UUID, *, at: datetime) -> QuerySet[Subscription]:
    """Subscriptions of a dataset that receive a version published ``at``: in force without a payment overdue,
    their term running."""
    return Subscription.objects.filter(
        dataset_id=dataset_id, status__in=states.SUBSCRIPTION_GRANTING, starts_at__lte=at, ends_at__gt=at
    )


def _grant(
    entitlements: Iterable[tuple[uuid.UUID, uuid.UUID]], versions: list[tuple[uuid.UUID, int]], *, now: datetime
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Grant ``versions`` ((id, number), ascending) to each (entitlement id, buyer id); each entitlement's
    ``dataset_version`` becomes its newest. Returns the pairs that were granted something."""
    pairs = list(entitlements)
    if not pairs or not versions:
        return []
    EntitlementVersion.objects.bulk_create(
        [
            EntitlementVersion(entitlement_id=entitlement_id, dataset_version_id=version_id, granted_at=now)
            for entitlement_id, _ in pairs
            for version_id, _number in versions
        ],
        ignore_conflicts=True,
    )
    newest_id, newest_number = versions[-1]
    Entitlement.objects.filter(
        pk__in=[entitlement_id for entitlement_id, _ in pairs], dataset_version__number__lt=newest_number
    ).update(dataset_version_id=newest_id)
    return pairs


def _announce_extension(buyer_ids: Iterable[tuple[uuid.UUID, uuid.UUID]], data: dict[str, Any], key: str) -> None:
    entitled = list(buyer_ids)
    listening = webhook_listeners(organization_ids={buyer_id for _, buyer_id in entitled})
    for entitlement_id, buyer_id in entitled:
        if buyer_id in listening:
            webhook_publish(
                organization_id=buyer_id,
                event_type=EVENT_EXTENDED,
                data={"id": str(entitlement_id), **data},
                event_id=uuid.uuid5(_PERIOD_EVENTS, f"{entitlement_id}:{key}"),
            )


def subscriptions_on_version_published(
    *, dataset_id: uuid.UUID, version_id: uuid.UUID, number: int, sha256: str, published_at: datetime
) -> int:
    """A version was published (in the catalog's transaction, under the dataset's row lock): every subscription
    entitlement of the dataset in force without a payment overdue covers it from now on. Returns how many.

    The subscriptions are locked (after the dataset: nothing locks them the other way round), so one going past due
    at this moment either is seen past due, or goes past due after it received the version."""
    rows = list(
        _granting(dataset_id, at=published_at)
        .select_for_update(of=("self",))
        .filter(contract__entitlement__status=Entitlement.Status.ACTIVE)
        .values_list("contract__entitlement__id", "buyer_id")
    )
    granted = _grant(rows, [(version_id, number)], now=timezone.now())
    _announce_extension(
        granted,
        {"dataset": str(dataset_id), "dataset_version": str(version_id), "version": number, "sha256": sha256},
        key=f"version:{version_id}",
    )
    return len(granted)


def _grant_published(subscription: Subscription, *, now: datetime) -> None:
    """Every version published during the subscription's term so far (up to now), to its entitlement: those a
    past-due subscription missed, once it is paid."""
    entitlement = (
        Entitlement.objects.filter(contract_id=subscription.contract_id, status=Entitlement.Status.ACTIVE)
        .values_list("id", "buyer_id")
        .first()
    )
    if entitlement is None:
        return
    already = EntitlementVersion.objects.filter(entitlement_id=entitlement[0]).values("dataset_version_id")
    missing = list(
        DatasetVersion.objects.filter(
            dataset_id=subscription.dataset_id,
            status=DatasetVersion.Status.PUBLISHED,
            validated_at__gte=subscription.starts_at,
            validated_at__lt=min(now, subscription.ends_at),
        )
        .exclude(pk__in=already)
        .order_by("number")
        .values_list("id", "number")
    )
    granted = _grant([entitlement], missing, now=now)
    if granted and missing:
        newest_id, newest = missing[-1]
        _announce_extension(
            granted,
            {"dataset": str(subscription.dataset_id), "dataset_version": str(newest_id), "version": newest},
            key=f"versions-to:{newest_id}",
        )


# --- periods ------------------------------------------------------------------------------------------------------


def _period_data(
    subscription: Subscription, period: SubscriptionPeriod, *, settlement: Settlement | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "subscription": str(subscription.id),
        "contract": str(subscription.contract_id),
        "number": period.number,
        "starts_at": period.starts_at,
        "ends_at": period.ends_at,
        "versions_delivered": period.versions_delivered,
        "min_versions_per_period": subscription.min_versions_per_period,
        "messages_delivered": period.messages_delivered,
        "min_messages_per_period": subscription.min_messages_per_period,
        "outcome": period.outcome,
    }
    if settlement is not None:
        data |= {
            "settlement": str(settlement.id),
            "amount": settlement.amount,
            "amount_excl_tax": settlement.amount_excl_tax,
            "tax_amount": settlement.tax_amount,
            "currency": settlement.currency,
        }
    return data


def subscription_period_missed_announce(subscription: Subscription, period: SubscriptionPeriod) -> None:
    """Both parties hear that a period was missed (its commitment not met: nothing charged)."""
    _publish_to_parties(
        subscription,
        EVENT_PERIOD_MISSED,
        _period_data(subscription, period),
        uuid.uuid5(_PERIOD_EVENTS, f"{period.pk}:missed"),
    )


def subscription_access_ends(subscription: Subscription, *, whole_term: bool, now: datetime) -> None:
    """The last period closed (the term's, or the one the buyer cancelled in): the subscription ends, with its
    access. A charge of that period still being taken goes on; declined, it is retried through the grace period."""
    if whole_term:
        _end(subscription, end_reason=Subscription.EndReason.TERM, reason="its term ended", now=now)
    else:
        _end(
            subscription,
            end_reason=Subscription.EndReason.CANCELLED,
            reason="cancelled by the buyer: its last period ended",
            now=now,
        )
