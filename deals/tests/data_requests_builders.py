"""What the data-request tests build: a request's body as a partner posts it, and an answer (a private offer naming
the request, written as the private offers' service writes it, through ``data_request_for_answer`` and
``data_request_answered`` in one transaction)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from contracts.registry import template_get
from contracts.terms import terms_resolve
from deals.models import DataRequest, PrivateOffer, PrivateOfferRevision
from deals.services.data_requests import data_request_answered, data_request_for_answer
from tests.builders import Party, principal, published_dataset


def request_body(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Bridge vibration, Kansai 関西の橋梁振動",
        "description": "Accelerometer readings from road bridges, hourly or finer.",
        "data_class": "iot",
        "category": "infrastructure",
        "territory": ["jp", "US", "JP"],
        "purpose": "Research on maintenance planning for road bridges.",
        "budget_max": 500_000,
        "currency": "JPY",
        "respond_by": (timezone.now() + timedelta(days=30)).isoformat(),
        **overrides,
    }


def posted(buyer: Party, **overrides: Any) -> dict[str, Any]:
    response = buyer.client.post("/api/v1/data-requests", request_body(**overrides), format="json")
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def answer(seller: Party, data_request_id: Any, *, price: int = 120_000, quantity: int = 1) -> PrivateOffer:
    """A seller's private offer naming the request, revision 1, as the private offers' service would write it."""
    dataset = published_dataset(seller)
    template = template_get("meti-data-provision")
    resolved = terms_resolve(template=template, terms={}, license_seats=quantity, data_class=dataset.data_class)
    with transaction.atomic():
        data_request: DataRequest = data_request_for_answer(
            principal=principal(seller), data_request_id=data_request_id
        )
        offer = PrivateOffer.objects.create(
            seller_id=seller.organization.id,
            buyer_id=data_request.buyer_id,
            dataset=dataset,
            data_request=data_request,
            template_code=template.code,
            template_version=template.version,
            currency=data_request.currency,
            expires_at=timezone.now() + timedelta(days=14),
        )
        PrivateOfferRevision.objects.create(
            private_offer=offer,
            number=1,
            author=PrivateOfferRevision.Author.SELLER,
            terms=resolved.terms,
            terms_sha256=resolved.sha256,
            mandatory_clauses=list(resolved.mandatory_clauses),
            price=price,
            quantity=quantity,
            created_at=timezone.now(),
        )
        data_request_answered(data_request=data_request, private_offer=offer, principal=principal(seller))
    return offer
