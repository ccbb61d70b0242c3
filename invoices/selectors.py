"""Reads of invoices: a party sees the documents it issued or received, nobody else's."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from config.errors import NotFound
from invoices.models import Invoice


def invoices_for(*, organization_id: uuid.UUID) -> QuerySet[Invoice]:
    """The organisation's invoices, newest first: as a buyer, the sale invoices and their returns it received; as a
    seller, those it issued through the market and the market's fee invoices (and returns) it received."""
    return Invoice.objects.filter(Q(issuer_id=organization_id) | Q(recipient_id=organization_id))


def invoice_get(*, invoice_id: uuid.UUID | str, organization_id: uuid.UUID) -> Invoice:
    """One of the organisation's invoices; anyone else's, or an id that is none, is not found (404: nothing leaks)."""
    try:
        return invoices_for(organization_id=organization_id).select_related("original").get(pk=invoice_id)
    except (Invoice.DoesNotExist, ValidationError, ValueError):
        raise NotFound("No such invoice.") from None


def invoices_of_settlements(
    *, settlement_ids: list[uuid.UUID], organization_id: uuid.UUID
) -> dict[uuid.UUID, list[Invoice]]:
    """The organisation's invoices of these settlements, by settlement (for the purchases and sales pages)."""
    found: dict[uuid.UUID, list[Invoice]] = {}
    for invoice in invoices_for(organization_id=organization_id).filter(settlement_id__in=settlement_ids):
        found.setdefault(invoice.settlement_id, []).append(invoice)
    return found
