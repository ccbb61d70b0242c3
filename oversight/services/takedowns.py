"""The market operator's take-down of a dataset or an offering (docs/domain.md#take-downs).

Two steps, each safe to repeat:

1. **Off the market, at once** (``_take_off_market``, one transaction): the offerings' rows locked in id order (the
   lock matching takes, so a purchase racing the take-down either committed its trade before, and is handled in
   step 2, or finds the offering withdrawn), then the dataset's; the dataset withdrawn for good, every offering
   withdrawn and marked taken down with its resting orders cancelled by the book's own service, the ``Takedown``
   row written, both parties told by webhook. Either all of it commits or none.
2. **The purchases** (``takedown_finish``, after commit, re-driven by ``takedowns_sweep``): subscriptions renew no
   more. Unless the data is unlawful, buyers keep what they hold. Unlawful: each purchase's access is revoked and
   its payment given back through settlement's own paths, each in its own transaction in settlement's lock order
   (settlement, subscription, entitlement, contract): payments not yet captured are released (voided, never
   charged), captured ones refunded with the provider called outside any transaction under the settlement's
   idempotency key (ADR 5), so a refund never happens twice. The take-down is ``done`` once no payment of its
   offerings is left open or captured.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import Dataset, TakedownCategory
from catalog.services.datasets import dataset_take_down, takedown_clean
from config.errors import DomainError, InvalidInput, NotFound
from marketplace.models import Offering, Order
from marketplace.services.offerings import offering_take_down
from oversight import tasks
from oversight.models import Takedown
from settlement import states as settlement_states
from settlement.models import Entitlement, Settlement, Subscription
from settlement.providers import ProviderUnavailable
from settlement.services.entitlements import entitlement_revoke
from settlement.services.settlements import (
    REFUND_REASON_MAX,
    settlement_refund,
    settlement_release,
    settlement_release_void,
)
from settlement.services.subscriptions import subscription_take_down
from settlement.services.webhooks import webhook_listeners, webhook_publish

logger = logging.getLogger(__name__)

# How long a take-down whose refunds could not all be made waits before it is tried again.
RETRY_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class TakedownEffects:
    """What a take-down would do, for the console's confirmation page."""

    offerings: int  # offerings on the market that leave it
    open_orders: int  # resting orders cancelled
    active_entitlements: int  # buyers' access in force: kept, or revoked when the data is unlawful
    subscriptions: int  # subscriptions in force: they renew no more (end now when unlawful)
    refunds: int  # captured payments refunded when the data is unlawful
    releases: int  # payments not yet captured, released (never charged) when the data is unlawful


def _covered(dataset_id: uuid.UUID, offering_id: uuid.UUID | None) -> Q:
    return Q(pk=offering_id) if offering_id else Q(dataset_id=dataset_id)


def takedown_effects(*, dataset_id: uuid.UUID, offering_id: uuid.UUID | None = None) -> TakedownEffects:
    offering_ids = list(Offering.objects.filter(_covered(dataset_id, offering_id)).values_list("id", flat=True))
    settlements = Settlement.objects.filter(trade__offering_id__in=offering_ids)
    return TakedownEffects(
        offerings=Offering.objects.filter(pk__in=offering_ids, status=Offering.Status.ACTIVE).count(),
        open_orders=Order.objects.filter(offering_id__in=offering_ids, status__in=Order.RESTING).count(),
        active_entitlements=Entitlement.objects.filter(
            settlement__trade__offering_id__in=offering_ids, status=Entitlement.Status.ACTIVE
        ).count(),
        subscriptions=Subscription.objects.filter(offering_id__in=offering_ids)
        .exclude(status=Subscription.Status.ENDED)
        .count(),
        refunds=settlements.filter(status=Settlement.Status.CAPTURED).count(),
        releases=settlements.filter(status__in=settlement_states.SETTLEMENT_OPEN, period=1).count(),
    )


@dataclass(frozen=True)
class TakedownProgress:
    """Where a take-down's purchases stand, for the console."""

    refunded: int  # payments of its offerings refunded
    voided: int  # payments released or voided, never charged
    left: int  # payments still open or captured: what an unlawful take-down still has to give back
    revoked: int  # buyers' access revoked


def takedown_progress(takedown: Takedown) -> TakedownProgress:
    offering_ids = Offering.objects.filter(_covered(takedown.dataset_id, takedown.offering_id)).values("id")
    settlements = Settlement.objects.filter(trade__offering_id__in=offering_ids)
    return TakedownProgress(
        refunded=settlements.filter(status=Settlement.Status.REFUNDED).count(),
        voided=settlements.filter(status=Settlement.Status.VOIDED).count(),
        left=settlements.filter(
            Q(status=Settlement.Status.CAPTURED) | Q(status__in=settlement_states.SETTLEMENT_OPEN, period=1)
        ).count(),
        revoked=Entitlement.objects.filter(
            settlement__trade__offering_id__in=offering_ids, status=Entitlement.Status.REVOKED
        ).count(),
    )


def takedown_apply(
    *,
    category: str,
    reason: str,
    actor: str,
    dataset_id: uuid.UUID | None = None,
    offering_id: uuid.UUID | None = None,
) -> Takedown:
    """Take a dataset (every offering of it) or one offering down. Returns its ``Takedown``; a dataset or offering
    already taken down returns the first take-down (idempotent: two operators at once make one). Its purchases are
    handled after commit (``takedown_finish``, a task)."""
    if (dataset_id is None) == (offering_id is None):
        raise InvalidInput("Take down a dataset or an offering.", errors={"target": ["one of dataset, offering"]})
    category, reason = takedown_clean(category=category, reason=reason)
    takedown = _take_off_market(
        dataset_id=dataset_id, offering_id=offering_id, category=category, reason=reason, actor=actor
    )
    return takedown


@transaction.atomic
def _take_off_market(
    *, dataset_id: uuid.UUID | None, offering_id: uuid.UUID | None, category: str, reason: str, actor: str
) -> Takedown:
    if offering_id is not None:
        found = Offering.objects.filter(pk=offering_id).values_list("dataset_id", flat=True).first()
        if found is None:
            raise NotFound("No such offering.")
        dataset_id = found
    if dataset_id is None or not Dataset.objects.filter(pk=dataset_id).exists():
        raise NotFound("No such dataset.")
    # The offerings first, in id order (matching locks an offering, then the dataset for exclusivity), then the
    # dataset; an offering published meanwhile (under the dataset's lock) is locked once the dataset's lock is held.
    covered = _covered(dataset_id, offering_id)
    offering_ids = list(
        Offering.objects.select_for_update().filter(covered).order_by("id").values_list("id", flat=True)
    )
    Dataset.objects.select_for_update().filter(pk=dataset_id).first()  # two operators at once: one after the other
    existing = Takedown.objects.filter(dataset_id=dataset_id, offering__isnull=offering_id is None)
    if offering_id is not None:
        existing = existing.filter(offering_id=offering_id)
    found_takedown = existing.first()
    if found_takedown is not None:
        return found_takedown
    if offering_id is None:
        dataset_take_down(dataset_id=dataset_id, category=category, reason=reason, actor=actor)
        offering_ids += list(
            Offering.objects.select_for_update()
            .filter(covered)
            .exclude(pk__in=offering_ids)
            .order_by("id")
            .values_list("id", flat=True)
        )
    cancelled = 0
    offerings = []
    for each in offering_ids:
        offering, orders = offering_take_down(offering_id=each, category=category, reason=reason, actor=actor)
        offerings.append(offering)
        cancelled += orders
    takedown = Takedown.objects.create(
        dataset_id=dataset_id,
        offering_id=offering_id,
        category=category,
        reason=reason,
        actor=actor[:150],
        orders_cancelled=cancelled,
        next_attempt_at=timezone.now() + RETRY_AFTER,
    )
    _announce(takedown, offerings)
    transaction.on_commit(lambda: tasks.takedown_finish.delay(str(takedown.id)), robust=True)
    return takedown


def _announce(takedown: Takedown, offerings: list[Offering]) -> None:
    """``offering.taken_down`` to the seller, and to each buyer holding access to one of the offerings (under a
    stable event id, so a re-publish sends nothing twice)."""
    if not offerings:
        return
    buyers = set(
        Entitlement.objects.filter(
            settlement__trade__offering_id__in=[offering.id for offering in offerings],
            status=Entitlement.Status.ACTIVE,
        ).values_list("buyer_id", flat=True)
    )
    seller_id = offerings[0].seller_id
    data = {
        "takedown": str(takedown.id),
        "dataset": str(takedown.dataset_id),
        "offerings": [str(offering.id) for offering in offerings],
        "category": takedown.category,
        "reason": takedown.reason,
        "taken_down_at": takedown.created_at,
        # Unlawful data: the buyers' access is revoked and their payments refunded; otherwise they keep it.
        "access_revoked": takedown.category == TakedownCategory.UNLAWFUL,
    }
    for organization_id in webhook_listeners(organization_ids=(seller_id, *buyers)):
        webhook_publish(
            organization_id=organization_id,
            event_type="offering.taken_down",
            data=data,
            event_id=uuid.uuid5(takedown.id, str(organization_id)),
        )


def buyer_reason(takedown: Takedown) -> str:
    """What a buyer reads on a purchase ended by the take-down (the refund's reason, the events): English, as
    stored text is (ADR 9)."""
    label = {
        TakedownCategory.UNLAWFUL: "unlawful content",
        TakedownCategory.RIGHTS: "infringes another's rights",
        TakedownCategory.POLICY: "breaks the market's rules",
        TakedownCategory.SELLER_REQUEST: "at the seller's request",
    }.get(TakedownCategory(takedown.category), takedown.category)
    return f"Taken down by the market's operator ({label}): {takedown.reason}"[:REFUND_REASON_MAX]


def takedown_finish(*, takedown_id: uuid.UUID, now: datetime | None = None) -> Takedown:
    """Apply a take-down to its purchases (see the module's docstring); safe to run any number of times, by several
    workers at once: every step is one of settlement's idempotent services. ``done`` once nothing is left to do;
    otherwise the problem is recorded and the sweeper tries again later."""
    takedown = Takedown.objects.filter(pk=takedown_id).first()
    if takedown is None:
        raise NotFound("No such take-down.")
    if takedown.status == Takedown.Status.DONE:
        return takedown
    offering_ids = list(
        Offering.objects.filter(_covered(takedown.dataset_id, takedown.offering_id)).values_list("id", flat=True)
    )
    unlawful = takedown.category == TakedownCategory.UNLAWFUL
    reason = buyer_reason(takedown)
    problems: list[str] = []
    for subscription_id in (
        Subscription.objects.filter(offering_id__in=offering_ids)
        .exclude(status=Subscription.Status.ENDED)
        .order_by("id")
        .values_list("id", flat=True)
    ):
        subscription_take_down(subscription_id=subscription_id, reason=reason, unlawful=unlawful)
    if unlawful:
        problems = _revoke_and_refund(offering_ids, reason=reason)
    settlements = Settlement.objects.filter(trade__offering_id__in=offering_ids)
    left = (
        unlawful
        and settlements.filter(
            Q(status=Settlement.Status.CAPTURED) | Q(status__in=settlement_states.SETTLEMENT_OPEN, period=1)
        ).exists()
    )
    return _record(takedown.id, left=left, problems=problems, now=now or timezone.now())


def _revoke_and_refund(offering_ids: list[uuid.UUID], *, reason: str) -> list[str]:
    settlements = Settlement.objects.filter(trade__offering_id__in=offering_ids).order_by("id")
    problems: list[str] = []
    # Not captured yet: released, so they end voided and never charged (an authorisation in flight is voided as
    # soon as it lands); the access of an authorised one is revoked at once.
    for settlement_id in settlements.filter(
        status__in=settlement_states.SETTLEMENT_OPEN, period=1, release_requested_at__isnull=True
    ).values_list("id", flat=True):
        settlement_release(settlement_id=settlement_id, reason=reason, actor="operator")
    # Their voids are enqueued after each release commits; made here too (same idempotency key), so a take-down
    # usually finishes in one pass.
    for settlement_id in settlements.filter(
        status=Settlement.Status.AUTHORIZED, release_requested_at__isnull=False
    ).values_list("id", flat=True):
        try:
            settlement_release_void(settlement_id=settlement_id)
        except ProviderUnavailable as error:
            problems.append(f"{settlement_id}: {error}")
    # Any access still in force (captured purchases, a subscription's later periods): revoked now, before the
    # refunds, so no download happens while the provider is asked.
    for entitlement_id in Entitlement.objects.filter(
        settlement__trade__offering_id__in=offering_ids, status=Entitlement.Status.ACTIVE
    ).values_list("id", flat=True):
        try:
            entitlement_revoke(entitlement_id=entitlement_id, reason=reason, actor="operator")
        except DomainError:  # ended meanwhile (expired, refunded): nothing left to revoke
            continue
    for settlement_id in settlements.filter(status=Settlement.Status.CAPTURED).values_list("id", flat=True):
        try:
            settlement_refund(settlement_id=settlement_id, reason=reason, actor="operator")
        except (DomainError, ProviderUnavailable) as error:
            logger.warning("take-down: refund of %s not made: %s", settlement_id, error)
            problems.append(f"{settlement_id}: {error}")
    return problems


@transaction.atomic
def _record(takedown_id: uuid.UUID, *, left: bool, problems: list[str], now: datetime) -> Takedown:
    takedown = Takedown.objects.select_for_update().get(pk=takedown_id)
    if takedown.status == Takedown.Status.DONE:
        return takedown
    if left:
        takedown.last_error = ("; ".join(problems) or "payments still in flight")[:500]
        takedown.next_attempt_at = now + RETRY_AFTER
    else:
        takedown.status = Takedown.Status.DONE
        takedown.completed_at = now
        takedown.next_attempt_at = None
        takedown.last_error = ""
    takedown.save(update_fields=["status", "completed_at", "next_attempt_at", "last_error", "updated_at"])
    return takedown


def takedowns_sweep(*, now: datetime | None = None) -> int:
    """Re-drive take-downs still being applied whose next attempt is due (a lost task, a refund the provider could
    not make yet); returns how many were enqueued."""
    now = now or timezone.now()
    due = list(
        Takedown.objects.filter(status=Takedown.Status.APPLYING, next_attempt_at__lte=now).values_list("id", flat=True)
    )
    for takedown_id in due:
        tasks.takedown_finish.delay(str(takedown_id))
    return len(due)
