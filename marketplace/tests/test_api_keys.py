"""API keys managed by their owner: ``/api/v1/api-keys`` (docs/api.md#api-keys-and-scopes)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from config.api.principal import MANAGE, READ, SCOPES, SELL, TRADE
from marketplace.models import ApiKey, Membership, ParticipantEvent
from tests.builders import keyed_client, member_client

pytestmark = pytest.mark.django_db


def _client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _create(client: APIClient, **body: object) -> dict:
    response = client.post("/api/v1/api-keys", {"name": "ci", "scopes": [READ], **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@contextmanager
def _later(delta: timedelta) -> Iterator[None]:
    """The clock ``delta`` ahead, for everything that asks Django for the time (the key's expiry is compared with
    it in Python and in the query)."""
    real = timezone.now
    with mock.patch("django.utils.timezone.now", side_effect=lambda: real() + delta):
        yield


@pytest.fixture
def principal_cache(settings) -> None:
    """The production setting: the principal cached for 30 s (the test settings read every key anew)."""
    settings.ICHIBA = {**settings.ICHIBA, "API_KEY_CACHE_SECONDS": 30}


def test_create_shows_the_secret_once_and_the_key_works_within_its_scopes(buyer) -> None:
    made = _create(buyer.client, name="nightly report", scopes=[TRADE, READ])
    assert made["secret"].startswith("ichiba_") and made["secret"].startswith(made["prefix"])
    assert made["scopes"] == [READ, TRADE], "in the canonical order"
    assert made["status"] == "active" and made["expires_at"] is None and made["last_used_at"] is None
    me = _client(made["secret"]).get("/api/v1/me").json()
    assert me["scopes"] == [READ, TRADE] and me["id"] == buyer.id
    listed = buyer.client.get("/api/v1/api-keys").json()["results"]
    mine = next(key for key in listed if key["id"] == made["id"])
    assert "secret" not in mine and mine["last_used_at"] is not None, "used just now"
    one = buyer.client.get(f"/api/v1/api-keys/{made['id']}").json()
    assert one["name"] == "nightly report" and "secret" not in one
    assert _client(made["secret"]).get("/api/v1/api-keys").status_code == 403, "listing keys needs manage"


def test_a_key_never_hands_on_a_scope_it_lacks(buyer) -> None:
    manager = keyed_client(buyer, MANAGE)
    refused = manager.post("/api/v1/api-keys", {"name": "bot", "scopes": [TRADE]}, format="json")
    assert refused.status_code == 403, refused.content
    assert refused.json()["type"] == "/problems/insufficient-scope"
    assert "'trade'" in refused.json()["detail"]
    assert not ApiKey.objects.filter(name="bot").exists()
    assert _create(manager, name="bot", scopes=[MANAGE])["scopes"] == [MANAGE], "what it holds, it may give"
    assert keyed_client(buyer, READ, TRADE).post("/api/v1/api-keys", {"name": "x", "scopes": [READ]}).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scopes": ["read", "admin"]}, "scopes.1"),
        ({"scopes": []}, "scopes"),
        ({"scopes": "read"}, "scopes"),
        ({"expires_at": "2020-01-01T00:00:00+09:00"}, "expires_at"),
        ({"expires_at": "tomorrow"}, "expires_at"),
        ({"name": "evil\u202etxt.exe"}, "name"),
        ({"name": "\u200b"}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "line\nbreak"}, "name"),
        ({"owner": "someone else"}, "owner"),
        ({"expires_at": "9999-12-31T23:59:59-12:00"}, "expires_at"),
        ({"scopes": ["read"] * 1000}, "scopes"),
        ({"name": ["a list"]}, "name"),
    ],
)
def test_bad_input_is_a_400_problem_naming_the_field(buyer, body, field) -> None:
    before = ApiKey.objects.count()
    response = buyer.client.post("/api/v1/api-keys", {"name": "ci", "scopes": [READ], **body}, format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"], response.json()
    assert ApiKey.objects.count() == before


def test_an_expired_key_is_refused(buyer) -> None:
    """(A cached principal lives no longer than its key: api_key_authenticate caps the entry's lifetime, a time the
    cache keeps by the real clock, so this test reads keys from the database.)"""
    made = _create(buyer.client, expires_at=(timezone.now() + timedelta(hours=1)).isoformat())
    client = _client(made["secret"])
    assert client.get("/api/v1/me").status_code == 200
    with _later(timedelta(hours=1, seconds=1)):
        assert client.get("/api/v1/me").status_code == 401
        listed = buyer.client.get(f"/api/v1/api-keys/{made['id']}").json()
        assert listed["status"] == "expired"


def test_a_revoked_key_is_refused_from_its_next_request(buyer, principal_cache) -> None:
    made = _create(buyer.client, scopes=[READ, MANAGE])
    client = _client(made["secret"])
    assert client.get("/api/v1/me").status_code == 200  # cached now
    revoked = client.post(f"/api/v1/api-keys/{made['id']}/revoke")  # a key may revoke itself
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["status"] == "revoked" and revoked.json()["revoked_at"]
    assert client.get("/api/v1/me").status_code == 401
    again = buyer.client.post(f"/api/v1/api-keys/{made['id']}/revoke")
    assert again.status_code == 200 and again.json()["revoked_at"] == revoked.json()["revoked_at"]
    [event] = ParticipantEvent.objects.filter(kind="api_key_revoked", payload__api_key=made["id"])
    assert event.payload["by_api_key"] == made["id"] and event.actor is None


def test_rotation_keeps_both_keys_alive_for_the_grace_then_only_the_new_one(buyer) -> None:
    old = _create(buyer.client, name="partner", scopes=[READ, TRADE])
    old_client = _client(old["secret"])
    assert old_client.get("/api/v1/me").status_code == 200
    response = buyer.client.post(f"/api/v1/api-keys/{old['id']}/rotate", {"grace_seconds": 3600}, format="json")
    assert response.status_code == 201, response.content
    new = response.json()
    assert new["name"] == "partner" and new["scopes"] == [READ, TRADE] and new["secret"] != old["secret"]
    new_client = _client(new["secret"])
    assert old_client.get("/api/v1/me").status_code == 200, "the old key lives on during the grace"
    assert new_client.get("/api/v1/me").status_code == 200
    listed = buyer.client.get(f"/api/v1/api-keys/{old['id']}").json()
    assert listed["replaced_by"] == new["id"] and listed["status"] == "active"
    assert datetime.fromisoformat(listed["expires_at"]) <= timezone.now() + timedelta(hours=1)
    with _later(timedelta(hours=1, seconds=1)):
        assert old_client.get("/api/v1/me").status_code == 401
        assert new_client.get("/api/v1/me").status_code == 200
    again = buyer.client.post(f"/api/v1/api-keys/{old['id']}/rotate", {}, format="json")
    assert again.status_code == 409, "a key is rotated once: rotate its successor"
    [event] = ParticipantEvent.objects.filter(kind="api_key_rotated", payload__api_key=old["id"])
    assert event.payload["successor"] == new["id"] and event.payload["grace_seconds"] == 3600
    assert event.actor is not None or event.payload.get("by_api_key")


def test_a_rotation_without_grace_refuses_the_old_key_at_once_in_every_process(buyer, principal_cache) -> None:
    old = _create(buyer.client)
    old_client = _client(old["secret"])
    assert old_client.get("/api/v1/me").status_code == 200  # its principal is cached now
    rotated = buyer.client.post(f"/api/v1/api-keys/{old['id']}/rotate", {"grace_seconds": 0}, format="json")
    assert rotated.status_code == 201
    assert old_client.get("/api/v1/me").status_code == 401, "the cached principal was forgotten"
    assert _client(rotated.json()["secret"]).get("/api/v1/me").status_code == 200


def test_rotation_is_refused_for_a_scope_the_caller_lacks_and_bounded(buyer) -> None:
    wide = _create(buyer.client, name="wide", scopes=list(SCOPES))
    manager = keyed_client(buyer, READ, MANAGE)
    refused = manager.post(f"/api/v1/api-keys/{wide['id']}/rotate", {}, format="json")
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/insufficient-scope"
    for grace in (-1, 7 * 24 * 3600 + 1, "soon"):
        response = buyer.client.post(f"/api/v1/api-keys/{wide['id']}/rotate", {"grace_seconds": grace}, format="json")
        assert response.status_code == 400 and "grace_seconds" in response.json()["errors"]
    buyer.client.post(f"/api/v1/api-keys/{wide['id']}/revoke")
    assert buyer.client.post(f"/api/v1/api-keys/{wide['id']}/rotate", {}, format="json").status_code == 409
    assert ApiKey.objects.filter(name="wide").count() == 1, "nothing made by the refusals"


def test_the_default_grace_is_a_day(buyer) -> None:
    old = _create(buyer.client)
    before = timezone.now()
    buyer.client.post(f"/api/v1/api-keys/{old['id']}/rotate")
    expires = ApiKey.objects.get(pk=old["id"]).expires_at
    assert expires is not None and before + timedelta(hours=24) <= expires <= timezone.now() + timedelta(hours=24)


def test_another_organisations_key_is_not_found(buyer, seller) -> None:
    theirs = _create(seller.client)
    for response in (
        buyer.client.get(f"/api/v1/api-keys/{theirs['id']}"),
        buyer.client.post(f"/api/v1/api-keys/{theirs['id']}/revoke"),
        buyer.client.post(f"/api/v1/api-keys/{theirs['id']}/rotate"),
        buyer.client.get("/api/v1/api-keys/not-a-uuid"),
    ):
        assert response.status_code == 404, response.content
    assert ApiKey.objects.get(pk=theirs["id"]).status == "active"


def test_a_replay_never_shows_the_secret_again(buyer) -> None:
    body = {"name": "retry", "scopes": [READ]}
    first = buyer.client.post("/api/v1/api-keys", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    replay = buyer.client.post("/api/v1/api-keys", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == replay.status_code == 201
    assert "secret" in first.json() and "secret" not in replay.json()
    assert replay["Idempotent-Omitted"] == "secret" and replay.json()["id"] == first.json()["id"]
    assert ApiKey.objects.filter(name="retry").count() == 1


def test_members_act_with_their_roles_scopes(buyer) -> None:
    admin = member_client(buyer, Membership.Role.ADMIN)
    member = member_client(buyer, Membership.Role.MEMBER)
    made = _create(admin, name="from the admin", scopes=list(SCOPES))
    event = ParticipantEvent.objects.get(kind="api_key_created", payload__api_key=made["id"])
    assert event.actor is not None and "by_api_key" not in event.payload
    assert member.get("/api/v1/api-keys").status_code == 403
    assert member.post("/api/v1/api-keys", {"name": "m", "scopes": [READ]}, format="json").status_code == 403


def test_every_change_is_an_audit_event(buyer) -> None:
    made = _create(buyer.client, scopes=[READ])
    rotated = buyer.client.post(f"/api/v1/api-keys/{made['id']}/rotate").json()
    buyer.client.post(f"/api/v1/api-keys/{rotated['id']}/revoke")
    events = ParticipantEvent.objects.filter(organization=buyer.organization, kind__startswith="api_key_")
    kinds = [(event.kind, event.payload["api_key"]) for event in events.order_by("created_at", "id")]
    by_the_key = ApiKey.objects.get(organization=buyer.organization, name="test").id
    assert kinds[-4:] == [
        ("api_key_created", made["id"]),
        ("api_key_created", rotated["id"]),
        ("api_key_rotated", made["id"]),
        ("api_key_revoked", rotated["id"]),
    ]
    assert all(event.payload["by_api_key"] == str(by_the_key) for event in events.order_by("-id")[:4])


def test_onboard_takes_scopes() -> None:
    out = io.StringIO()
    call_command(
        "onboard",
        *("--org", "Scoped Sensors", "--email", "ops@scoped.example", "--role", "buyer"),
        *("--scope", "read", "--scope", "trade"),
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert _client(result["api_key"]).get("/api/v1/me").json()["scopes"] == [READ, TRADE]
    assert SELL not in ApiKey.objects.get(organization_id=result["organization_id"]).scopes
