"""What the data-request tests build: a request's body as a partner posts it, and an answer (a private offer naming
the request, made through the private offers' service)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from deals.models import PrivateOffer
from deals.services.private_offers import private_offer_create
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
    """A seller's private offer naming the request, revision 1, through the private offers' service (which locks the
    request with ``data_request_for_answer`` and announces it with ``data_request_answered``)."""
    dataset = published_dataset(seller)
    return private_offer_create(
        principal=principal(seller),
        dataset_id=dataset.id,
        template_code="meti-data-provision",
        terms={},
        price=price,
        quantity=quantity,
        expires_at=timezone.now() + timedelta(days=14),
        data_request_id=data_request_id,
    )
