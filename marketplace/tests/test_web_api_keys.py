"""The API keys page for an organisation's admins, and the pages that manage the organisation, which follow the
same scopes: a ``member`` reads them but may not change them (docs/api.md#api-keys-and-scopes)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from marketplace.models import ApiKey, Membership, ParticipantEvent
from marketplace.services.participants import member_add
from tests.builders import text

pytestmark = pytest.mark.django_db


def _signed_in(party, role: str) -> Client:
    email = f"{role}@{party.email.split('@')[1]}"
    member_add(organization=party.organization, email=email, role=role)
    client = Client(headers={"accept-language": "en"})
    client.force_login(get_user_model().objects.get(username=email))
    return client


def _secret(page: str) -> str:
    found = re.search(r'id="new-key-secret">([^<]+)<', page)
    assert found, "the new key's secret is on the page"
    return found.group(1)


def test_an_admin_creates_rotates_and_revokes_a_key(buyer) -> None:
    admin = _signed_in(buyer, Membership.Role.ADMIN)
    page = admin.get("/organization/api-keys/")
    assert page.status_code == 200 and 'id="nav-api-keys"' in text(page)
    made = admin.post("/organization/api-keys/", {"name": "ETL", "scopes": ["read", "trade"], "lifetime": "30"})
    assert made.status_code == 201, text(made)
    secret = _secret(text(made))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/me").json()["scopes"] == ["read", "trade"]
    key = ApiKey.objects.get(organization=buyer.organization, name="ETL")
    assert key.expires_at is not None
    assert secret not in text(admin.get("/organization/api-keys/")), "shown once"

    confirm = admin.get(f"/organization/api-keys/{key.id}/rotate/")
    assert confirm.status_code == 200 and 'id="confirm-button"' in text(confirm)
    assert admin.post(f"/organization/api-keys/{key.id}/rotate/", {"grace": "forever"}).status_code == 400
    assert ApiKey.objects.get(pk=key.id).replaced_by_id is None
    rotated = admin.post(f"/organization/api-keys/{key.id}/rotate/", {"grace": "3600"})
    assert rotated.status_code == 201
    successor = _secret(text(rotated))
    assert api.get("/api/v1/me").status_code == 200, "the old key lives through the grace"

    assert admin.get(f"/organization/api-keys/{key.id}/revoke/").status_code == 200, "confirmed first"
    assert ApiKey.objects.get(pk=key.id).revoked_at is None
    admin.post(f"/organization/api-keys/{key.id}/revoke/")
    assert api.get("/api/v1/me").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {successor}")
    assert api.get("/api/v1/me").status_code == 200
    kinds = set(ParticipantEvent.objects.filter(organization=buyer.organization).values_list("kind", flat=True))
    assert {"api_key_created", "api_key_rotated", "api_key_revoked"} <= kinds


def test_bad_input_is_shown_at_its_field(buyer) -> None:
    admin = _signed_in(buyer, Membership.Role.ADMIN)
    before = ApiKey.objects.count()
    for data in ({"name": "x", "scopes": []}, {"name": "evil\u202e", "scopes": ["read"]}, {"scopes": ["root"]}):
        response = admin.post("/organization/api-keys/", data)
        assert response.status_code == 400
        assert 'class="errorlist"' in text(response)
    assert ApiKey.objects.count() == before


def test_a_member_sees_no_link_and_is_refused(buyer, seller) -> None:
    member = _signed_in(buyer, Membership.Role.MEMBER)
    assert 'id="nav-api-keys"' not in text(member.get("/orders/"))
    assert member.get("/organization/api-keys/").status_code == 403
    assert member.post("/organization/api-keys/", {"name": "x", "scopes": ["read"]}).status_code == 403
    key = ApiKey.objects.get(organization=buyer.organization)
    assert member.post(f"/organization/api-keys/{key.id}/revoke/").status_code == 403
    assert ApiKey.objects.get(pk=key.id).revoked_at is None
    admin = _signed_in(seller, Membership.Role.ADMIN)
    assert admin.get(f"/organization/api-keys/{key.id}/revoke/").status_code == 404, "another organisation's"


def test_a_member_reads_but_does_not_change_the_organisation(seller) -> None:
    member = _signed_in(seller, Membership.Role.MEMBER)
    invoices = member.get("/invoices/")
    assert invoices.status_code == 200 and "id_invoice_registration_number" not in text(invoices)
    assert member.post("/invoices/", {"invoice_registration_number": "T7000012050002"}).status_code == 403
    assert member.get(f"/sellers/{seller.id}/edit/").status_code == 403
    assert 'id="edit-profile"' not in text(member.get(f"/sellers/{seller.id}/"))
    admin = _signed_in(seller, Membership.Role.ADMIN)
    assert "id_invoice_registration_number" in text(admin.get("/invoices/"))
    assert admin.get(f"/sellers/{seller.id}/edit/").status_code == 200
