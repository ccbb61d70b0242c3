"""Use cases of offerings: publish (the seller accepts its own offer), withdraw, and where the seller delivers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import pycountry
from django.db import transaction
from django.utils import timezone

from catalog.models import Dataset
from config.api.principal import Principal
from config.errors import Conflict, Forbidden, InvalidInput, NotFound
from config.outbound import outbound_url_clean
from contracts.registry import template_get
from contracts.terms import terms_resolve
from marketplace import states
from marketplace.models import Offering, OfferingEvent
from marketplace.services.exclusivity import exclusivity_check, is_exclusive
from marketplace.services.orders import offering_cancel_resting_orders

MAX_SEATS = 1_000_000
DELIVERY_URL_MAX_LENGTH = Offering._meta.get_field("delivery_url").max_length or 500


def _event(
    offering: Offering,
    *,
    to_status: str,
    from_status: str = "",
    principal: Principal | None,
    reason: str,
    payload: Mapping[str, Any] | None = None,
) -> None:
    OfferingEvent.objects.create(
        offering=offering,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:200],
        actor_organization_id=principal.organization_id if principal else None,
        actor_user_id=principal.user_id if principal else None,
        payload=dict(payload or {}),
    )


def _check_currency(currency: str) -> str:
    code = currency.upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise InvalidInput("currency is an ISO 4217 code such as JPY.", errors={"currency": ["unknown currency"]})
    return code


def delivery_url_clean(url: str) -> str:
    """ "" (the market delivers the stored version) or the seller's own endpoint, through the one guard for other
    parties' URLs (config/outbound.py: https, no credentials or fragment, a public host). May resolve the host's
    name: call it before taking a lock."""
    if not url.strip():
        return ""
    return outbound_url_clean(url, field="delivery_url", max_length=DELIVERY_URL_MAX_LENGTH)


@transaction.atomic
def offering_publish(
    *,
    principal: Principal,
    dataset_id: uuid.UUID,
    template_code: str,
    terms: Mapping[str, Any],
    license_seats: int | None,
    currency: str = "JPY",
    delivery_url: str = "",
) -> Offering:
    if not principal.is_seller:
        raise Forbidden("Only organisations with the seller role may offer data.")
    # Before the dataset's row lock is taken: the guard may wait on DNS.
    delivery_url = delivery_url_clean(delivery_url)
    dataset = Dataset.objects.select_for_update().filter(pk=dataset_id, seller_id=principal.organization_id).first()
    if dataset is None:
        raise NotFound("No such dataset.")
    if dataset.status != Dataset.Status.PUBLISHED:
        raise Conflict(
            f"The dataset is {dataset.status}; only a published dataset (with a published version) can be offered."
        )
    if license_seats is not None and not 1 <= license_seats <= MAX_SEATS:
        raise InvalidInput(
            f"license_seats is between 1 and {MAX_SEATS:,}, or null for unlimited.", errors={"license_seats": ["range"]}
        )
    template = template_get(template_code)
    resolved = terms_resolve(template=template, terms=terms, license_seats=license_seats, data_class=dataset.data_class)
    # Under the dataset's row lock, taken above: two publications on one dataset are judged one after the other.
    exclusivity_check(
        dataset_id=dataset.id,
        territory=resolved.terms["territory"],
        exclusive=is_exclusive(resolved.terms),
        organization_id=principal.organization_id,
    )
    offering = Offering.objects.create(
        dataset=dataset,
        seller_id=principal.organization_id,
        template_code=template.code,
        template_version=template.version,
        terms=resolved.terms,
        terms_sha256=resolved.sha256,
        mandatory_clauses=list(resolved.mandatory_clauses),
        license_seats=license_seats,
        currency=_check_currency(currency),
        accepted_at=timezone.now(),
        accepted_by_user_id=principal.user_id,
        accepted_by_api_key_id=principal.api_key_id,
        delivery_url=delivery_url,
    )
    _event(
        offering,
        to_status=offering.status,
        principal=principal,
        reason="published; the seller accepted its offer",
        payload={"terms_sha256": resolved.sha256},
    )
    return offering


@transaction.atomic
def offering_withdraw(*, principal: Principal, offering_id: uuid.UUID, reason: str = "") -> Offering:
    """Take an offering off the market. Concluded contracts are never touched by it."""
    offering = Offering.objects.select_for_update().filter(pk=offering_id, seller_id=principal.organization_id).first()
    if offering is None:
        raise NotFound("No such offering.")
    states.offering_check(offering.status, Offering.Status.WITHDRAWN)
    previous = offering.status
    offering.status = Offering.Status.WITHDRAWN
    offering.withdrawn_at = timezone.now()
    offering.save(update_fields=["status", "withdrawn_at"])
    cancelled = offering_cancel_resting_orders(offering=offering, reason="offering withdrawn by the seller")
    _event(
        offering,
        from_status=previous,
        to_status=offering.status,
        principal=principal,
        reason=reason or "withdrawn by the seller",
        payload={"orders_cancelled": cancelled},
    )
    return offering


def offering_set_delivery_url(*, principal: Principal, offering_id: uuid.UUID, delivery_url: str) -> Offering:
    """Move the seller's delivery endpoint ("" hands delivery back to the market). Applies to the entitlements
    granted from now on; each entitlement keeps the delivery and URL it was granted with (docs/delivery.md)."""
    delivery_url = delivery_url_clean(delivery_url)  # outside the transaction: the guard may wait on DNS
    with transaction.atomic():
        offering = (
            Offering.objects.select_for_update().filter(pk=offering_id, seller_id=principal.organization_id).first()
        )
        if offering is None:
            raise NotFound("No such offering.")
        previous = offering.delivery_url
        if delivery_url != previous:
            offering.delivery_url = delivery_url
            offering.save(update_fields=["delivery_url"])
            _event(
                offering,
                from_status=offering.status,
                to_status=offering.status,
                principal=principal,
                reason="delivery_url changed",
                payload={"delivery_url": delivery_url, "previous_delivery_url": previous},
            )
    return offering
