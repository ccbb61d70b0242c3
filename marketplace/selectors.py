from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from config.api.principal import Principal
from config.errors import NotFound
from contracts.services.contracts import OfferSnapshot
from marketplace.models import Membership, Offering, Organization
from marketplace.services.participants import principal_for


def principal_for_user(user: Any) -> Principal | None:
    if user is None or not user.is_authenticated:
        return None
    membership = Membership.objects.select_related("organization").filter(user_id=user.pk).first()
    if membership is None:
        return None
    return principal_for(membership.organization, user_id=user.pk)


def organization_get(*, organization_id: Any) -> Organization:
    return Organization.objects.get(pk=organization_id)


def offering_get(*, offering_id: Any) -> Offering:
    """Any offering by id: offerings are public (withdrawn ones too, for the contracts that name them)."""
    try:
        wanted = uuid.UUID(str(offering_id))
    except ValueError as exc:
        raise NotFound("No such offering.") from exc
    offering = Offering.objects.select_related("dataset", "seller").filter(pk=wanted).first()
    if offering is None:
        raise NotFound("No such offering.")
    return offering


def offerings_list(*, dataset_id: uuid.UUID | None = None, status: str = "") -> QuerySet[Offering]:
    queryset = Offering.objects.select_related("dataset", "seller").filter(
        dataset__status__in=["published", "withdrawn"]
    )
    if dataset_id is not None:
        queryset = queryset.filter(dataset_id=dataset_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def offer_snapshot(offering: Offering) -> OfferSnapshot:
    """The offering as contracts sees it when a trade concludes a contract."""
    return OfferSnapshot(
        offering_id=offering.id,
        seller_id=offering.seller_id,
        seller_name=offering.seller.name,
        dataset_id=offering.dataset_id,
        template_code=offering.template_code,
        template_version=offering.template_version,
        terms=offering.terms,
        terms_sha256=offering.terms_sha256,
        currency=offering.currency,
        seller_accepted_at=offering.accepted_at,
        seller_user_id=offering.accepted_by_user_id,
        seller_api_key_id=offering.accepted_by_api_key_id,
    )


def offerings_public_summary(dataset_id: uuid.UUID) -> list[dict[str, Any]]:
    """A dataset's active offerings as the catalog shows them (catalog.hooks)."""
    return [
        {
            "id": str(o.id),
            "template": f"{o.template_code}@{o.template_version}",
            "terms_sha256": o.terms_sha256,
            "license_type": o.terms.get("license_type"),
            "duration_days": o.terms.get("duration_days"),
            "territory": o.terms.get("territory"),
            "license_seats": o.license_seats,
            "seats_left": o.seats_left,
            "currency": o.currency,
            "status": o.status,
        }
        for o in Offering.objects.filter(dataset_id=dataset_id, status=Offering.Status.ACTIVE).order_by("created_at")
    ]
