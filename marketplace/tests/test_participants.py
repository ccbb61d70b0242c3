from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.models import ApiKey, Organization, ParticipantEvent
from marketplace.services.participants import (
    api_key_create,
    api_key_revoke,
    organization_set_verified,
    principal_forget,
)
from settlement.models import PaymentMethod

pytestmark = pytest.mark.django_db


def onboard(*args: str) -> dict:
    out = io.StringIO()
    call_command("onboard", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, "onboard prints exactly one JSON object"
    return json.loads(lines[0])


def test_onboard_prints_one_json_object_with_a_working_key() -> None:
    result = onboard(
        "--org",
        "Acme Sensors",
        "--email",
        "ops@acme.example",
        "--role",
        "seller",
        "--role",
        "buyer",
        "--country",
        "de",
        "--verified",
        "--payment-method",
        "pm_card_visa",
    )
    assert set(result) == {"organization_id", "email", "api_key"}
    organization = Organization.objects.get(pk=result["organization_id"])
    assert (organization.is_seller, organization.is_buyer, organization.country) == (True, True, "DE")
    assert organization.verified and organization.verified_at is not None
    assert PaymentMethod.objects.get(organization=organization, is_default=True).token == "pm_card_visa"

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {result['api_key']}")
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json() == {
        "id": result["organization_id"],
        "name": "Acme Sensors",
        "roles": ["buyer", "seller"],
        "country": "DE",
        "verified": True,
        "invoice_registration_number": "",
        "authenticated_by": "api_key",
        "scopes": ["read", "trade", "sell", "manage"],
    }


def test_onboard_unverified_by_default_and_rejects_bad_input() -> None:
    result = onboard("--org", "Quiet Buyer", "--email", "b@quiet.example", "--role", "buyer")
    assert Organization.objects.get(pk=result["organization_id"]).verified is False
    with pytest.raises(CommandError, match="ISO 3166"):
        onboard("--org", "X", "--email", "x@x.example", "--role", "buyer", "--country", "Japan")
    with pytest.raises(CommandError, match="pm_card_visa"):
        onboard("--org", "Y", "--email", "y@y.example", "--role", "buyer", "--payment-method", "4242424242424242")
    assert not Organization.objects.filter(name__in=["X", "Y"]).exists(), "a refused onboarding leaves nothing"


def test_onboard_records_a_sellers_payout_account() -> None:
    from settlement.models import PayoutAccount

    out = onboard(
        "--org", "Acme Sensors", "--email", "ops@acme.example", "--role", "seller", "--verified",
        "--payout-account", "acct_1AcmeSensors",
    )  # fmt: skip
    account = PayoutAccount.objects.get(organization_id=out["organization_id"])
    assert account.account_ref == "acct_1AcmeSensors"
    with pytest.raises(CommandError, match="connected account"):
        onboard(
            "--org", "Z", "--email", "z@z.example", "--role", "seller", "--payout-account", "DE89370400440532013000"
        )
    with pytest.raises(CommandError, match="for sellers"):
        onboard("--org", "W", "--email", "w@w.example", "--role", "buyer", "--payout-account", "acct_1Buyer")
    assert not Organization.objects.filter(name__in=["Z", "W"]).exists(), "nothing half-written"


def test_api_key_is_stored_hashed_and_shown_once(seller) -> None:
    stored = ApiKey.objects.get(organization=seller.organization)
    assert seller.api_key not in (stored.key_hash, stored.prefix)
    assert seller.api_key.startswith(stored.prefix)
    assert len(seller.api_key) >= 40


def test_unknown_malformed_and_revoked_keys_get_401_problem(seller, anonymous) -> None:
    for header in ("Bearer ichiba_nope", "Bearer", "Bearer a b", "Bearer \u00e9\u00e9"):
        anonymous.credentials(HTTP_AUTHORIZATION=header)
        response = anonymous.get("/api/v1/me")
        assert response.status_code == 401, header
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")
    api_key_revoke(api_key=ApiKey.objects.get(organization=seller.organization))
    response = seller.client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "The API key is unknown, expired or revoked."
    assert ParticipantEvent.objects.filter(kind="api_key_revoked", organization=seller.organization).count() == 1


def test_no_credentials_is_401_problem(anonymous) -> None:
    response = anonymous.get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "/problems/not-authenticated" and body["status"] == 401 and body["title"]


def test_last_used_is_recorded_coarsely(seller, principal_cache) -> None:
    key = ApiKey.objects.get(organization=seller.organization)
    assert key.last_used_at is None
    seller.client.get("/api/v1/me")
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    seller.client.get("/api/v1/me")
    key.refresh_from_db()
    assert key.last_used_at == first, "refreshed at most once a minute"
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - timedelta(minutes=5))
    principal_forget(key_hash=key.key_hash)  # as when the cached principal expires
    seller.client.get("/api/v1/me")
    key.refresh_from_db()
    assert key.last_used_at > first - timedelta(seconds=1)


def test_session_auth_resolves_the_members_organisation(db) -> None:
    from tests.builders import make_party

    party = make_party("Session Co", {"buyer"}, password="correct horse battery")
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username=party.email, password="correct horse battery")
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["authenticated_by"] == "session" and me.json()["id"] == party.id
    # A session write without the CSRF token is refused as problem details.
    response = client.post("/api/v1/datasets", {"title": "x"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_verification_is_an_audited_state_change(seller) -> None:
    organization_set_verified(organization=seller.organization, verified=False)
    organization_set_verified(organization=seller.organization, verified=False)  # no-op, no event
    organization_set_verified(organization=seller.organization, verified=True)
    kinds = list(ParticipantEvent.objects.filter(organization=seller.organization).values_list("kind", flat=True))
    assert kinds == ["created", "verified", "member_added", "api_key_created", "unverified", "verified"]


def test_throttling_per_organisation(seller, buyer, settings) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "ORGANIZATION_RATE": "3/min"}
    second_key = APIClient()
    second_key.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organization=seller.organization, name='second').secret}"
    )
    codes = [seller.client.get("/api/v1/me").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    throttled = second_key.get("/api/v1/me")
    assert throttled.status_code == 429, "a second key of the same organisation shares its budget"
    assert throttled["Content-Type"] == "application/problem+json"
    assert int(throttled["Retry-After"]) > 0
    assert buyer.client.get("/api/v1/me").status_code == 200, "another organisation has its own budget"


def test_api_key_create_twice_gives_distinct_keys(seller) -> None:
    first = api_key_create(organization=seller.organization, name="ci")
    second = api_key_create(organization=seller.organization, name="ci")
    assert first.secret != second.secret
    assert first.api_key.revoked_at is None and timezone.now() >= first.api_key.created_at


# --- the cached principal of an API key -------------------------------------------------------------------------


@pytest.fixture
def principal_cache(settings) -> None:
    """The production setting (the test settings read every key from the database: see config/settings/test.py)."""
    settings.ICHIBA = {**settings.ICHIBA, "API_KEY_CACHE_SECONDS": 30}


def _me(client: APIClient) -> dict:
    response = client.get("/api/v1/me")
    assert response.status_code == 200, response.content
    return response.json()


def test_revoking_a_key_in_use_refuses_its_next_request(seller, principal_cache) -> None:
    key = ApiKey.objects.get(organization=seller.organization)
    _me(seller.client)  # the principal is cached now
    api_key_revoke(api_key=key)
    assert seller.client.get("/api/v1/me").status_code == 401


def test_every_change_of_the_organisation_shows_on_the_next_request(seller, principal_cache) -> None:
    assert _me(seller.client)["verified"] is True
    organization_set_verified(organization=seller.organization, verified=False)
    assert _me(seller.client)["verified"] is False, "the operator's withdrawal applies at once"
    organization = Organization.objects.get(pk=seller.organization.pk)
    organization.name = "Renamed Sensors"
    organization.save()  # as the admin's change form does
    assert _me(seller.client)["name"] == "Renamed Sensors"


def test_a_queryset_update_is_seen_once_its_principal_is_forgotten(seller, principal_cache) -> None:
    _me(seller.client)
    Organization.objects.filter(pk=seller.organization.pk).update(country="DE")
    assert _me(seller.client)["country"] == "JP", "cached: an update() sends no signal"
    principal_forget(organization_id=seller.organization.pk)
    assert _me(seller.client)["country"] == "DE"


def test_keys_authenticate_from_the_database_when_the_cache_is_down(seller, settings, principal_cache) -> None:
    from django.core.cache import caches

    from marketplace.services.participants import api_key_authenticate
    from tests.fixtures import free_port

    # A real Redis client against a port nobody listens on: every cache call fails with a connection error.
    # (The service itself: the request's throttle has its own answer to a cache outage.)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    try:
        principal = api_key_authenticate(secret=seller.api_key)
        assert principal is not None and principal.organization_id == seller.organization.pk
        api_key_revoke(api_key=ApiKey.objects.get(organization=seller.organization))
        assert api_key_authenticate(secret=seller.api_key) is None
    finally:
        caches["default"].close()


def test_the_principal_is_shared_through_redis_and_forgotten_there(seller, principal_cache) -> None:
    from django.core.cache import cache

    from marketplace.services.participants import _hash, _principal_cache_key
    from tests.fixtures import require_redis

    require_redis()  # with REDIS_URL, the cache is Redis
    entry = _principal_cache_key(_hash(seller.api_key))
    cache.delete(entry)
    _me(seller.client)
    cached = cache.get(entry)
    assert cached is not None and cached.organization_id == seller.organization.pk, "every process reads this entry"
    api_key_revoke(api_key=ApiKey.objects.get(organization=seller.organization))
    assert cache.get(entry) is None
    assert seller.client.get("/api/v1/me").status_code == 401
