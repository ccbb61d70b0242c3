"""Entitlements: a buyer's right to fetch one exact dataset version during its contract's window.

Granted by the settlement pipeline when the payment is authorised; ended by expiry (the sweeper,
``entitlements_expire``) or revocation (operator, refund). Statuses change only here, checked against
``settlement/states.py``, and every change writes an ``EntitlementEvent`` and a partner webhook.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from catalog.models import DatasetVersion
from config.errors import NotFound
from config.logging import log_after_commit
from contracts.models import Contract
from contracts.services.contracts import contract_transition
from marketplace.models import Offering
from settlement import hooks, states
from settlement.models import Entitlement, EntitlementEvent, EntitlementVersion, Settlement
from settlement.services.webhooks import webhook_publish

logger = logging.getLogger(__name__)

# Rows locked per transaction by the expiry sweeper: short transactions, and parallel sweepers on
# PostgreSQL take disjoint batches (SKIP LOCKED) instead of queueing behind one another.
EXPIRE_BATCH = 200

# Revocation and expiry share one partner event (webhooks.EVENT_TYPES has no "entitlement.expired"):
# ``data.status`` says which it was and ``data.reason`` is "expired" for expiry.
EVENT_GRANTED = "entitlement.granted"
EVENT_ENDED = "entitlement.revoked"


def _event(entitlement: Entitlement, *, from_status: str, to_status: str, reason: str, actor: str) -> None:
    EntitlementEvent.objects.create(
        entitlement=entitlement, from_status=from_status, to_status=to_status, reason=reason[:500], actor=actor[:100]
    )


def _webhook_data(entitlement: Entitlement, *, reason: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(entitlement.id),
        "contract": str(entitlement.contract_id),
        "settlement": str(entitlement.settlement_id),
        "dataset": str(entitlement.dataset_id),
        "dataset_version": str(entitlement.dataset_version_id),
        "valid_from": entitlement.valid_from.isoformat(),
        "valid_until": entitlement.valid_until.isoformat(),
        "status": entitlement.status,
        "delivery": entitlement.delivery,
    }
    if reason:
        data["reason"] = reason
    return data


def _announce_ended(entitlement: Entitlement, *, reason: str) -> None:
    """Tell the higher apps (settlement.hooks) that the entitlement no longer gives access, in this transaction."""
    hooks.on_entitlement_ended(
        hooks.EntitlementEnded(
            entitlement_id=entitlement.id,
            buyer_id=entitlement.buyer_id,
            status=entitlement.status,
            reason=reason,
            ended_at=entitlement.ended_at or timezone.now(),
        )
    )


@transaction.atomic(savepoint=False)  # part of the caller's step: no savepoint round trips of its own
def entitlement_grant(
    *,
    settlement: Settlement,
    contract: Contract | None = None,
    first: bool = False,
    delivery_url: str | None = None,
    subscription: bool = False,
) -> Entitlement:
    """Grant the buyer access to the contract's exact version for the contract's window. Idempotent.

    ``subscription``: the contract is a subscription's, whose entitlement covers the contracted version (the latest
    at the trade) and every version published since (``EntitlementVersion``); its ``dataset_version`` is the newest.

    Runs inside the caller's transaction (the authorisation step), under the settlement's row lock. A second call
    for the same settlement returns the first entitlement unchanged: one settlement, one entitlement (OneToOne).

    ``first``: the caller holds the settlement's row lock and found it pending, and a pending settlement has no
    entitlement, so none is looked for (the OneToOne constraint still refuses a second one).
    ``delivery_url``: the offering's, as the caller read it in this transaction ("" for hosted delivery or an
    offering that is gone); read here when not given.
    """
    if not first:
        existing = Entitlement.objects.filter(settlement_id=settlement.pk).first()
        if existing is not None:
            return existing
    if contract is None or contract.pk != settlement.contract_id:
        contract = Contract.objects.get(pk=settlement.contract_id)
    if delivery_url is None:
        # The offering may have been withdrawn since: withdrawal never takes away what a buyer licensed.
        delivery_url = Offering.objects.filter(pk=contract.offering_id).values_list("delivery_url", flat=True).first()
    versions = _published_since(contract) if subscription else []
    entitlement = Entitlement(
        settlement_id=settlement.pk,
        contract_id=contract.pk,
        buyer_id=contract.buyer_id,
        dataset_id=contract.dataset_id,
        dataset_version_id=versions[-1] if versions else contract.dataset_version_id,
        valid_from=contract.valid_from,
        valid_until=contract.valid_until,
        status=Entitlement.Status.ACTIVE,
        delivery=Entitlement.Delivery.PROVIDER if delivery_url else Entitlement.Delivery.HOSTED,
        delivery_url=delivery_url or "",
    )
    entitlement.save(force_insert=True)
    if versions:
        now = timezone.now()
        EntitlementVersion.objects.bulk_create(
            EntitlementVersion(entitlement=entitlement, dataset_version_id=version_id, granted_at=now)
            for version_id in versions
        )
    _event(entitlement, from_status="", to_status=entitlement.status, reason="granted", actor="system")
    webhook_publish(organization_id=contract.buyer_id, event_type=EVENT_GRANTED, data=_webhook_data(entitlement))
    log_after_commit(
        logger,
        f"entitlement {entitlement.pk} granted for settlement {settlement.pk}",
        event="entitlement.granted",
        entitlement=str(entitlement.pk),
        settlement=str(settlement.pk),
        trade=str(settlement.trade_id),
        contract=str(contract.pk),
        dataset_version=str(entitlement.dataset_version_id),
        delivery=entitlement.delivery,
        valid_until=entitlement.valid_until.isoformat(),
    )
    return entitlement


def _published_since(contract: Contract) -> list[uuid.UUID]:
    """The contracted version and every version of the dataset published after it (by number) until now, oldest
    first: what a subscription's entitlement covers when it is granted."""
    contracted = DatasetVersion.objects.filter(pk=contract.dataset_version_id).values("number")[:1]
    return list(
        DatasetVersion.objects.filter(
            dataset_id=contract.dataset_id,
            status=DatasetVersion.Status.PUBLISHED,
            number__gte=Subquery(contracted),
            validated_at__lt=contract.valid_until,
        )
        .order_by("number")
        .values_list("id", flat=True)
    ) or [contract.dataset_version_id]


def entitlement_end(*, entitlement: Entitlement, target: str, reason: str, now: datetime) -> None:
    """End an entitlement the caller holds locked (a subscription ending): ``expired`` when its access ran out as
    agreed, ``revoked`` otherwise. Its contract is left to the caller."""
    states.entitlement_check(entitlement.status, target)
    previous = entitlement.status
    entitlement.status = target
    entitlement.ended_at = now
    entitlement.save(update_fields=["status", "ended_at"])
    _event(entitlement, from_status=previous, to_status=target, reason=reason, actor="system")
    _announce_ended(entitlement, reason=reason)
    webhook_publish(
        organization_id=entitlement.buyer_id,
        event_type=EVENT_ENDED,
        data=_webhook_data(entitlement, reason="expired" if target == Entitlement.Status.EXPIRED else reason),
    )


@transaction.atomic
def entitlement_revoke(*, entitlement_id: uuid.UUID, reason: str, actor: str) -> Entitlement:
    """End access now (operator action, refund). The contract is left to the caller (the refund flow).

    Tokens already issued stop working at once: every download re-reads the entitlement's status.
    """
    entitlement = Entitlement.objects.select_for_update().filter(pk=entitlement_id).first()
    if entitlement is None:
        raise NotFound("No such entitlement.")
    states.entitlement_check(entitlement.status, Entitlement.Status.REVOKED)
    previous = entitlement.status
    entitlement.status = Entitlement.Status.REVOKED
    entitlement.ended_at = timezone.now()
    entitlement.save(update_fields=["status", "ended_at"])
    _event(entitlement, from_status=previous, to_status=entitlement.status, reason=reason, actor=actor)
    _announce_ended(entitlement, reason=reason or "revoked")
    webhook_publish(
        organization_id=entitlement.buyer_id,
        event_type=EVENT_ENDED,
        data=_webhook_data(entitlement, reason=reason or "revoked"),
    )
    return entitlement


def _expire_one(entitlement: Entitlement, *, now: datetime) -> None:
    states.entitlement_check(entitlement.status, Entitlement.Status.EXPIRED)
    previous = entitlement.status
    entitlement.status = Entitlement.Status.EXPIRED
    entitlement.ended_at = now
    entitlement.save(update_fields=["status", "ended_at"])
    _event(entitlement, from_status=previous, to_status=entitlement.status, reason="expired", actor="system")
    _announce_ended(entitlement, reason="expired")
    # Lock order: entitlement, then its contract. Only an active contract expires; one that was already
    # terminated (refund) or never activated keeps its status, and that is recorded, not an error.
    contract = Contract.objects.select_for_update().get(pk=entitlement.contract_id)
    if contract.status == Contract.Status.ACTIVE:
        contract_transition(contract_id=contract.pk, target=Contract.Status.EXPIRED, reason="term ended")
    else:
        logger.info("Entitlement %s expired; its contract is %s, left as is.", entitlement.pk, contract.status)
    webhook_publish(
        organization_id=entitlement.buyer_id, event_type=EVENT_ENDED, data=_webhook_data(entitlement, reason="expired")
    )


def entitlements_expire(*, now: datetime | None = None) -> int:
    """Expire every active entitlement whose window has ended; returns how many. Safe to run in parallel."""
    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            batch = list(
                Entitlement.objects.select_for_update(skip_locked=True)
                .filter(status=Entitlement.Status.ACTIVE, valid_until__lte=now)
                .order_by("valid_until", "id")[:EXPIRE_BATCH]
            )
            for entitlement in batch:
                _expire_one(entitlement, now=now)
        expired += len(batch)
        if len(batch) < EXPIRE_BATCH:
            return expired
