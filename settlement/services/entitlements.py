"""Entitlements: a buyer's right to fetch one exact dataset version during its contract's window.

Granted by the settlement pipeline when the payment is authorised; ended by expiry (the sweeper,
``entitlements_expire``) or revocation (operator, refund). Statuses change only here, checked against
``settlement/states.py``, and every change writes an ``EntitlementEvent`` and a partner webhook.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.db.reads import read_values
from config.db.writes import write_insert, writes_deferred
from config.errors import NotFound
from contracts.models import Contract
from contracts.services.contracts import contract_transition
from marketplace.models import Offering
from settlement import states
from settlement.models import Entitlement, EntitlementEvent, Settlement
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
    write_insert(
        EntitlementEvent(
            entitlement=entitlement,
            from_status=from_status,
            to_status=to_status,
            reason=reason[:500],
            actor=actor[:100],
        )
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


@dataclass(frozen=True)
class GrantFacts:
    """What a grant reads besides the contract: the settlement's entitlement if it has one already, and the
    offering's delivery URL. A caller may read them with the contract (``GRANT_FACTS_COLUMNS``)."""

    existing_id: Any  # None: no entitlement yet
    delivery_url: str | None  # "" for hosted delivery; None if the offering is gone


# Two columns to select with a contract row aliased ``c``, in the same statement: GrantFacts, in that order. One
# parameter, the settlement's id. (Identifiers from the models' metadata; a caller formats ``{columns}`` first.)
GRANT_FACTS_COLUMNS = (
    f'(SELECT e.id FROM "{Entitlement._meta.db_table}" e WHERE e.settlement_id = %s), '  # noqa: S608
    f'(SELECT o.delivery_url FROM "{Offering._meta.db_table}" o WHERE o.id = c.offering_id)'
)


@transaction.atomic(savepoint=False)  # part of the caller's step: no savepoint round trips of its own
def entitlement_grant(
    *, settlement: Settlement, contract: Contract | None = None, facts: GrantFacts | None = None
) -> Entitlement:
    """Grant the buyer access to the contract's exact version for the contract's window. Idempotent.

    Runs inside the caller's transaction (the authorisation step), under the settlement's row lock. A second call
    for the same settlement returns the first entitlement unchanged: one settlement, one entitlement (OneToOne).
    ``facts``: read by the caller in this transaction, under the settlement's lock (else read here).
    """
    if contract is None or contract.pk != settlement.contract_id:
        contract = Contract.objects.get(pk=settlement.contract_id)
    if facts is None:
        facts = _grant_facts(settlement_id=settlement.pk, contract_id=contract.pk)
    if facts.existing_id is not None:
        return Entitlement.objects.get(settlement_id=settlement.pk)
    # The offering may have been withdrawn since: withdrawal never takes away what a buyer licensed.
    delivery_url = facts.delivery_url
    entitlement = Entitlement(
        settlement_id=settlement.pk,
        contract_id=contract.pk,
        buyer_id=contract.buyer_id,
        dataset_id=contract.dataset_id,
        dataset_version_id=contract.dataset_version_id,
        valid_from=contract.valid_from,
        valid_until=contract.valid_until,
        status=Entitlement.Status.ACTIVE,
        delivery=Entitlement.Delivery.PROVIDER if delivery_url else Entitlement.Delivery.HOSTED,
        delivery_url=delivery_url or "",
    )
    # The row and its event: sent with the caller's other rows when the caller defers its writes, else at once.
    with writes_deferred():
        write_insert(entitlement)
        _event(entitlement, from_status="", to_status=entitlement.status, reason="granted", actor="system")
    webhook_publish(organization_id=contract.buyer_id, event_type=EVENT_GRANTED, data=_webhook_data(entitlement))
    return entitlement


def _grant_facts(*, settlement_id: uuid.UUID, contract_id: uuid.UUID) -> GrantFacts:
    [(existing_id, delivery_url)] = read_values(
        f'SELECT {GRANT_FACTS_COLUMNS} FROM "{Contract._meta.db_table}" c WHERE c.id = %s',  # noqa: S608
        [settlement_id, contract_id],
    )
    return GrantFacts(existing_id=existing_id, delivery_url=delivery_url)


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
