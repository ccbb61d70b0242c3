"""Entitlements: grant (idempotent, exact version, contract window, channel), revoke, expire; the buyer's list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from config.errors import InvalidTransition, NotFound
from contracts.models import Contract
from settlement.models import Entitlement, EntitlementEvent
from settlement.services import entitlements as service
from tests.builders import entitled

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch: Any) -> list[tuple[Any, str, dict[str, Any]]]:
    calls: list[tuple[Any, str, dict[str, Any]]] = []

    def publish(*, organization_id: Any, event_type: str, data: dict[str, Any]) -> int:
        calls.append((organization_id, event_type, data))
        return 0

    monkeypatch.setattr(service, "webhook_publish", publish)
    return calls


@pytest.fixture
def entitlement(seller, buyer, django_capture_on_commit_callbacks) -> Entitlement:
    return entitled(seller, buyer, django_capture_on_commit_callbacks)


def test_grant_copies_the_contract_and_is_idempotent(entitlement, published) -> None:
    contract = entitlement.contract
    assert (entitlement.valid_from, entitlement.valid_until) == (contract.valid_from, contract.valid_until)
    assert entitlement.dataset_version_id == contract.dataset_version_id
    assert (entitlement.buyer_id, entitlement.dataset_id) == (contract.buyer_id, contract.dataset_id)
    assert (entitlement.delivery, entitlement.delivery_url) == ("hosted", "")
    assert entitlement.settlement.contract_id == contract.id
    events_before = EntitlementEvent.objects.filter(entitlement=entitlement).count()
    assert events_before == 1
    again = service.entitlement_grant(settlement=entitlement.settlement)
    assert again.pk == entitlement.pk
    assert EntitlementEvent.objects.filter(entitlement=entitlement).count() == 1
    assert published == [], "no second granted webhook"


def test_grant_publishes_the_granted_webhook(seller, buyer, django_capture_on_commit_callbacks, published) -> None:
    entitlement = entitled(seller, buyer, django_capture_on_commit_callbacks)
    [(organization_id, event_type, data)] = published
    assert (organization_id, event_type) == (buyer.organization.id, "entitlement.granted")
    assert data["id"] == str(entitlement.id) and data["dataset_version"] == str(entitlement.dataset_version_id)
    [event] = entitlement.events.all()
    assert (event.from_status, event.to_status, event.reason) == ("", "active", "granted")


def test_an_offering_with_a_delivery_url_grants_provider_delivery(
    seller, buyer, django_capture_on_commit_callbacks
) -> None:
    entitlement = entitled(seller, buyer, django_capture_on_commit_callbacks, delivery_url="https://s.example/d")
    assert (entitlement.delivery, entitlement.delivery_url) == ("provider", "https://s.example/d")


def test_revoke_records_and_publishes_and_leaves_the_contract(entitlement, published) -> None:
    revoked = service.entitlement_revoke(entitlement_id=entitlement.id, reason="operator: abuse", actor="ops@x")
    assert revoked.status == "revoked" and revoked.ended_at is not None
    last = entitlement.events.last()
    assert last is not None
    assert (last.from_status, last.to_status, last.reason, last.actor) == (
        "active",
        "revoked",
        "operator: abuse",
        "ops@x",
    )
    [(_, event_type, data)] = published
    assert event_type == "entitlement.revoked" and data["status"] == "revoked" and data["reason"] == "operator: abuse"
    assert Contract.objects.get(pk=entitlement.contract_id).status == "active"
    with pytest.raises(InvalidTransition):
        service.entitlement_revoke(entitlement_id=entitlement.id, reason="again", actor="ops")
    with pytest.raises(NotFound):
        service.entitlement_revoke(entitlement_id=Contract.objects.first().pk, reason="x", actor="ops")  # type: ignore[union-attr]


def test_expiry_ends_the_entitlement_and_its_contract(entitlement, published) -> None:
    contract = Contract.objects.get(pk=entitlement.contract_id)
    assert contract.status == "active"
    assert service.entitlements_expire() == 0, "nothing due yet"
    later = entitlement.valid_until + timedelta(seconds=1)
    assert service.entitlements_expire(now=later) == 1
    entitlement.refresh_from_db()
    assert (entitlement.status, entitlement.ended_at) == ("expired", later)
    assert Contract.objects.get(pk=contract.pk).status == "expired"
    last = entitlement.events.last()
    assert last is not None and (last.from_status, last.to_status, last.reason) == ("active", "expired", "expired")
    [(_, event_type, data)] = published
    assert event_type == "entitlement.revoked" and (data["status"], data["reason"]) == ("expired", "expired")
    assert service.entitlements_expire(now=later) == 0, "idempotent"


def test_expiry_works_in_batches_and_spares_a_contract_that_is_not_active(
    seller, buyer, django_capture_on_commit_callbacks, monkeypatch, published
) -> None:
    first = entitled(seller, buyer, django_capture_on_commit_callbacks)
    second = entitled(seller, buyer, django_capture_on_commit_callbacks)
    Contract.objects.filter(pk=second.contract_id).update(status="terminated")
    monkeypatch.setattr(service, "EXPIRE_BATCH", 1)
    later = max(first.valid_until, second.valid_until) + timedelta(seconds=1)
    assert service.entitlements_expire(now=later) == 2
    assert set(Entitlement.objects.values_list("status", flat=True)) == {"expired"}
    assert Contract.objects.get(pk=first.contract_id).status == "expired"
    assert Contract.objects.get(pk=second.contract_id).status == "terminated"


# --- the buyer's list ---------------------------------------------------------------------------------------------


def test_a_buyer_lists_its_own_entitlements(seller, buyer, entitlement, django_capture_on_commit_callbacks) -> None:
    response = buyer.client.get("/api/v1/entitlements")
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    [item] = body["results"]
    assert {"id", "contract", "dataset", "dataset_version", "valid_from", "valid_until", "status"} <= set(item)
    assert item["id"] == str(entitlement.id) and item["status"] == "active"
    assert item["dataset_title"] == "Bridge strain gauges" and item["version_number"] == 1
    assert item["delivery"] == "hosted"
    assert buyer.client.get("/api/v1/entitlements?status=revoked").json()["results"] == []
    assert seller.client.get("/api/v1/entitlements").json()["results"] == [], "the seller is not the buyer"
    detail = buyer.client.get(f"/api/v1/entitlements/{entitlement.id}")
    assert detail.status_code == 200 and detail.json()["id"] == str(entitlement.id)


@pytest.mark.parametrize(
    "path", ["/api/v1/entitlements/nope", "/api/v1/entitlements/7d4e1f3c-0000-4000-8000-0000000000aa"]
)
def test_unknown_entitlements_are_404_problems(buyer, path) -> None:
    response = buyer.client.get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_a_bad_status_filter_is_a_400_problem(buyer) -> None:
    response = buyer.client.get("/api/v1/entitlements?status=lost")
    assert response.status_code == 400 and "status" in response.json()["errors"]


def test_the_term_comes_from_the_contract_not_the_clock(entitlement) -> None:
    assert entitlement.valid_until > timezone.now()
    assert entitlement.valid_from <= timezone.now()
