from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from config.errors import NotFound
from contracts.models import Contract


def contracts_for(*, organization_id: uuid.UUID) -> QuerySet[Contract]:
    """Contracts the organisation is a party to; nobody else sees them (not even that they exist)."""
    return Contract.objects.filter(Q(seller_id=organization_id) | Q(buyer_id=organization_id))


def contract_get(*, contract_id: Any, organization_id: uuid.UUID) -> Contract:
    try:
        wanted = uuid.UUID(str(contract_id))
    except ValueError as exc:
        raise NotFound("No such contract.") from exc
    contract = (
        contracts_for(organization_id=organization_id)
        .filter(pk=wanted)
        .select_related("dataset", "dataset_version")
        .prefetch_related("acceptances", "events")
        .first()
    )
    if contract is None:
        raise NotFound("No such contract.")
    return contract
