"""Delivery through the API: download tokens, the streamed download, its refusals, its audit, JWTs for sellers."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from datetime import timedelta
from typing import Any

import jwt
import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import DatasetVersion, FileFormat
from config.market import market_settings
from settlement.api import downloads as download_views
from settlement.models import Download, DownloadToken, Entitlement
from settlement.services import delivery, signing
from settlement.services.entitlements import entitlement_revoke
from tests.builders import FakeS3, entitled, make_party, stored_bytes

pytestmark = pytest.mark.django_db

SELLER_URL = "https://data.seller.example:8443/v1/gauges?format=csv"
SELLER_ORIGIN = "https://data.seller.example:8443"


@pytest.fixture(autouse=True)
def _key_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "JWT_PRIVATE_KEY": "", "JWT_KEY_FILE": str(tmp_path / "keys" / "es256.pem")}


@pytest.fixture
def entitlement(seller, buyer, django_capture_on_commit_callbacks) -> Entitlement:
    return entitled(seller, buyer, django_capture_on_commit_callbacks)


@pytest.fixture
def captures(monkeypatch: Any) -> list[tuple[str, str]]:
    """Calls of the pipeline's capture task (its effect is the pipeline's to test)."""
    from settlement import tasks

    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(tasks.settlement_capture, "delay", lambda *args: calls.append(args))
    return calls


def mint(party: Any, entitlement: Entitlement, **headers: Any) -> Any:
    return party.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens", **headers)


def fetch(url: str, capture: Any, method: str = "get", **headers: Any) -> tuple[Any, bytes]:
    """A download with no API key, the body read whole (so the stream closes) and on-commit work run."""
    with capture(execute=True):
        response = getattr(APIClient(), method)(url, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def problem(response: Any, body: bytes, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, body
    assert response["Content-Type"] == "application/problem+json"
    data = json.loads(body)
    assert data["type"] == f"/problems/{code}" and data["status"] == status
    return data


# --- tokens ---------------------------------------------------------------------------------------------------


def test_a_token_has_256_bits_and_only_its_hash_is_stored(buyer, entitlement) -> None:
    before = timezone.now()
    response = mint(buyer, entitlement)
    assert response.status_code == 201, response.content
    body = response.json()
    token = body["token"]
    assert body["kind"] == "opaque"
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) >= 32
    assert body["download_url"] == f"http://testserver/api/v1/downloads/{token}"
    row = DownloadToken.objects.get(entitlement=entitlement)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in vars(row).values()}
    assert row.created_by_api_key_id is not None
    # 15 minutes by default, in whole seconds.
    expires_at = row.expires_at
    assert timedelta(minutes=14, seconds=58) <= expires_at - before <= timedelta(minutes=15)
    assert body["expires_at"] == timezone.localtime(expires_at).isoformat()
    assert mint(buyer, entitlement).json()["token"] != token, "a fresh secret every time"


def test_token_lifetime_is_capped_by_the_entitlements_term(buyer, entitlement, settings) -> None:
    ends = timezone.now() + timedelta(minutes=3, microseconds=500)
    Entitlement.objects.filter(pk=entitlement.pk).update(valid_until=ends)
    body = mint(buyer, entitlement).json()
    assert DownloadToken.objects.get().expires_at == ends.replace(microsecond=0)
    settings.ICHIBA = {**settings.ICHIBA, "DOWNLOAD_TOKEN_SECONDS": 60}
    body = mint(buyer, entitlement).json()
    assert DownloadToken.objects.get(token_hash=hashlib.sha256(body["token"].encode()).hexdigest()).expires_at < ends


def test_tokens_are_refused_once_the_entitlement_is_not_active(buyer, entitlement) -> None:
    Entitlement.objects.filter(pk=entitlement.pk).update(
        valid_from=timezone.now() - timedelta(days=30), valid_until=timezone.now() - timedelta(seconds=1)
    )
    ended = mint(buyer, entitlement)
    problem(ended, ended.content, 409, "entitlement-not-active")
    Entitlement.objects.filter(pk=entitlement.pk).update(valid_until=timezone.now() + timedelta(days=1))
    entitlement_revoke(entitlement_id=entitlement.id, reason="refund", actor="operator")
    revoked = mint(buyer, entitlement)
    assert "revoked" in problem(revoked, revoked.content, 409, "entitlement-not-active")["detail"]
    assert not DownloadToken.objects.exists()


def test_only_the_buyer_mints_tokens_and_nothing_leaks(seller, buyer, entitlement, anonymous) -> None:
    other_buyer = make_party("Nagoya Mobility Lab", {"buyer"})
    for party, target in [
        (other_buyer, entitlement.id),
        (seller, entitlement.id),
        (buyer, "not-a-uuid"),
        (buyer, "7d4e1f3c-0000-4000-8000-000000000000"),
    ]:
        response = party.client.post(f"/api/v1/entitlements/{target}/tokens")
        problem(response, response.content, 404, "not-found")
    unauthenticated = anonymous.post(f"/api/v1/entitlements/{entitlement.id}/tokens")
    assert unauthenticated.status_code == 401
    assert not DownloadToken.objects.exists()


def test_a_token_is_never_kept_in_the_clear_not_even_for_idempotent_replay(buyer, entitlement) -> None:
    from config.api.models import IdempotencyRecord

    first = mint(buyer, entitlement, HTTP_IDEMPOTENCY_KEY="dl-1")
    again = mint(buyer, entitlement, HTTP_IDEMPOTENCY_KEY="dl-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["token"] != again.json()["token"], "minting twice is harmless: two tokens"
    assert DownloadToken.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


# --- the download ---------------------------------------------------------------------------------------------


def test_a_full_download_streams_the_exact_file_with_its_digest(
    buyer, entitlement, captures, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(download_views, "CHUNK_BYTES", 100)  # several chunks, one boundary mid-file
    expected = stored_bytes(entitlement)
    version = entitlement.dataset_version
    url = mint(buyer, entitlement).json()["download_url"]
    response, body = fetch(url, django_capture_on_commit_callbacks, HTTP_USER_AGENT="curl/8.5")
    assert response.status_code == 200
    assert body == expected and hashlib.sha256(body).hexdigest() == version.sha256
    assert response["Content-Length"] == str(len(expected)) == str(version.size_bytes)
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{version.sha256}"'
    assert response["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(expected).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(hashlib.sha256(expected).digest()).decode()}:"
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    [download] = Download.objects.all()
    assert (download.bytes_sent, download.completed, download.range_start, download.range_end) == (
        len(expected),
        True,
        0,
        None,
    )
    assert (download.buyer_id, download.dataset_version_id) == (entitlement.buyer_id, version.id)
    assert (download.client_address, download.user_agent) == ("127.0.0.1", "curl/8.5")
    assert download.finished_at is not None and download.token is not None


def test_first_complete_download_enqueues_the_capture_once(
    buyer, entitlement, captures, django_capture_on_commit_callbacks
) -> None:
    url = mint(buyer, entitlement).json()["download_url"]
    fetch(url, django_capture_on_commit_callbacks, HTTP_RANGE="bytes=0-99")
    assert captures == [], "a part is not delivery"
    fetch(url, django_capture_on_commit_callbacks)
    fetch(url, django_capture_on_commit_callbacks)
    assert captures == [(str(entitlement.settlement_id), "first download")]
    entitlement.refresh_from_db()
    assert entitlement.first_download_at is not None


def test_first_download_through_the_real_pipeline_captures_the_payment(
    buyer, entitlement, django_capture_on_commit_callbacks
) -> None:
    url = mint(buyer, entitlement).json()["download_url"]
    fetch(url, django_capture_on_commit_callbacks)
    entitlement.settlement.refresh_from_db()
    assert entitlement.settlement.status == "captured"


def test_a_resumed_download_counts_as_delivered(
    buyer, entitlement, captures, django_capture_on_commit_callbacks
) -> None:
    expected = stored_bytes(entitlement)
    url = mint(buyer, entitlement).json()["download_url"]
    head, first = fetch(url, django_capture_on_commit_callbacks, HTTP_RANGE="bytes=0-499")
    tail, rest = fetch(url, django_capture_on_commit_callbacks, HTTP_RANGE="bytes=500-")
    assert (head.status_code, tail.status_code) == (206, 206)
    assert head["Content-Range"] == f"bytes 0-499/{len(expected)}" and head["Content-Length"] == "500"
    assert tail["Content-Range"] == f"bytes 500-{len(expected) - 1}/{len(expected)}"
    assert head["ETag"] == tail["ETag"] == f'"{entitlement.dataset_version.sha256}"'
    assert first + rest == expected
    assert sorted(Download.objects.values_list("range_start", "range_end", "bytes_sent", "completed")) == [
        (0, 499, 500, True),
        (500, len(expected) - 1, len(expected) - 500, True),
    ]
    assert captures == [(str(entitlement.settlement_id), "first download")]


@pytest.mark.parametrize(
    ("header", "status", "part"),
    [
        ("bytes=-10", 206, slice(-10, None)),
        ("bytes=10-19", 206, slice(10, 20)),
        ("bytes=1190-999999", 206, slice(1190, None)),
        ("bytes=0-9,20-29", 200, slice(None)),  # several ranges: the whole file
        ("bytes=abc", 200, slice(None)),  # malformed: ignored
        ("items=0-9", 200, slice(None)),  # another unit: ignored
    ],
)
def test_ranges(buyer, entitlement, django_capture_on_commit_callbacks, header, status, part) -> None:
    expected = stored_bytes(entitlement)
    url = mint(buyer, entitlement).json()["download_url"]
    response, body = fetch(url, django_capture_on_commit_callbacks, HTTP_RANGE=header)
    assert response.status_code == status
    assert body == expected[part] and response["Content-Length"] == str(len(body))


@pytest.mark.parametrize("header", ["bytes=5000-", "bytes=-0", "bytes=1199-1300"])
def test_an_unsatisfiable_range_is_416_with_the_size(buyer, entitlement, django_capture_on_commit_callbacks, header):
    size = entitlement.dataset_version.size_bytes
    assert size == 1199
    url = mint(buyer, entitlement).json()["download_url"]
    response, body = fetch(url, django_capture_on_commit_callbacks, HTTP_RANGE=header)
    problem(response, body, 416, "range-not-satisfiable")
    assert response["Content-Range"] == f"bytes */{size}"
    assert not Download.objects.exists()


def test_if_range_applies_the_range_only_for_the_current_etag(
    buyer, entitlement, django_capture_on_commit_callbacks
) -> None:
    expected = stored_bytes(entitlement)
    url = mint(buyer, entitlement).json()["download_url"]
    etag = f'"{entitlement.dataset_version.sha256}"'
    same, body = fetch(url, django_capture_on_commit_callbacks, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=etag)
    assert same.status_code == 206 and body == expected[100:]
    changed, body = fetch(url, django_capture_on_commit_callbacks, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE='"0000"')
    assert changed.status_code == 200 and body == expected


def test_head_sends_headers_and_no_data_and_is_not_a_download(
    buyer, entitlement, django_capture_on_commit_callbacks
) -> None:
    url = mint(buyer, entitlement).json()["download_url"]
    response, body = fetch(url, django_capture_on_commit_callbacks, method="head")
    assert response.status_code == 200 and body == b""
    assert response["Content-Length"] == str(entitlement.dataset_version.size_bytes)
    assert response["ETag"] == f'"{entitlement.dataset_version.sha256}"' and response["Accept-Ranges"] == "bytes"
    ranged, _ = fetch(url, django_capture_on_commit_callbacks, method="head", HTTP_RANGE="bytes=0-9")
    assert ranged.status_code == 206 and ranged["Content-Length"] == "10"
    assert not Download.objects.exists()


def test_an_interrupted_download_records_only_what_was_taken(
    buyer, entitlement, captures, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(download_views, "CHUNK_BYTES", 100)
    token = mint(buyer, entitlement).json()["token"]
    view = download_views.DownloadView.as_view()
    with django_capture_on_commit_callbacks(execute=True):
        # Straight to the view, as a WSGI server would call it (the test client wraps the stream itself).
        response: Any = view(RequestFactory().get(f"/api/v1/downloads/{token}"), token=token)
        chunks = iter(response.streaming_content)
        next(chunks)
        next(chunks)  # the server asked for a second chunk: the first was sent
        # The client went away: the server closes the response. request_finished must not close the
        # test's database connection meanwhile.
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
    [download] = Download.objects.all()
    assert (download.bytes_sent, download.completed) == (100, False)
    assert download.finished_at is not None
    assert captures == []


# --- refusals: never a byte -------------------------------------------------------------------------------------


def _assert_no_data(body: bytes, entitlement: Entitlement) -> None:
    assert stored_bytes(entitlement)[:40] not in body
    assert not Download.objects.exists()


def test_a_tampered_or_unknown_token_is_401(buyer, entitlement, django_capture_on_commit_callbacks) -> None:
    token = mint(buyer, entitlement).json()["token"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for candidate in [tampered, "x", "a" * 300, token.upper()]:
        response, body = fetch(f"/api/v1/downloads/{candidate}", django_capture_on_commit_callbacks)
        problem(response, body, 401, "download-token-invalid")
        assert response["WWW-Authenticate"].startswith("Bearer")
        _assert_no_data(body, entitlement)


def test_an_expired_token_is_410(buyer, entitlement, django_capture_on_commit_callbacks) -> None:
    url = mint(buyer, entitlement).json()["download_url"]
    DownloadToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response, body = fetch(url, django_capture_on_commit_callbacks)
    problem(response, body, 410, "download-token-expired")
    _assert_no_data(body, entitlement)


def test_a_revoked_entitlement_stops_tokens_already_issued(buyer, entitlement, django_capture_on_commit_callbacks):
    url = mint(buyer, entitlement).json()["download_url"]
    entitlement_revoke(entitlement_id=entitlement.id, reason="refund", actor="operator")
    for method in ("get", "head"):
        response, body = fetch(url, django_capture_on_commit_callbacks, method=method)
        assert response.status_code == 403
    response, body = fetch(url, django_capture_on_commit_callbacks)
    problem(response, body, 403, "entitlement-revoked")
    _assert_no_data(body, entitlement)


def test_an_ended_entitlement_is_410(buyer, entitlement, django_capture_on_commit_callbacks) -> None:
    url = mint(buyer, entitlement).json()["download_url"]
    Entitlement.objects.filter(pk=entitlement.pk).update(status="expired")
    response, body = fetch(url, django_capture_on_commit_callbacks)
    problem(response, body, 410, "entitlement-expired")
    # Past its term but not yet swept: the window decides, not the sweeper.
    Entitlement.objects.filter(pk=entitlement.pk).update(
        status="active", valid_from=timezone.now() - timedelta(days=30), valid_until=timezone.now()
    )
    response, body = fetch(url, django_capture_on_commit_callbacks)
    problem(response, body, 410, "entitlement-expired")
    _assert_no_data(body, entitlement)


def test_another_buyers_token_only_ever_opens_its_own_entitlement(
    seller, buyer, entitlement, django_capture_on_commit_callbacks
) -> None:
    """Tokens are bearer credentials for one entitlement: the holder gets that version, nothing else."""
    other_buyer = make_party("Sendai Freight", {"buyer"})
    theirs = entitled(seller, other_buyer, django_capture_on_commit_callbacks)
    url = mint(other_buyer, theirs).json()["download_url"]
    response, body = fetch(url, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and body == stored_bytes(theirs)
    assert list(Download.objects.values_list("buyer_id", "entitlement_id")) == [(theirs.buyer_id, theirs.id)]
    # And our buyer cannot mint on theirs.
    assert mint(buyer, theirs).status_code == 404


def test_a_missing_file_is_503_recorded_and_sent_to_the_pipeline(
    buyer, entitlement, captures, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from settlement import tasks

    checks: list[tuple[str, ...]] = []
    monkeypatch.setattr(tasks.settlement_check_delivery, "delay", lambda *args: checks.append(args))
    url = mint(buyer, entitlement).json()["download_url"]
    version = entitlement.dataset_version
    version.file.storage.delete(version.file.name)
    response, body = fetch(url, django_capture_on_commit_callbacks)
    problem(response, body, 503, "data-unavailable")
    [download] = Download.objects.all()
    assert (download.bytes_sent, download.completed) == (0, False) and download.finished_at is not None
    assert checks == [(str(entitlement.settlement_id),)], "the pipeline checks delivery (and voids if it must)"
    assert captures == [], "a buyer who received nothing is never charged early"


def test_a_file_of_the_wrong_size_is_not_served(buyer, entitlement, captures, django_capture_on_commit_callbacks):
    url = mint(buyer, entitlement).json()["download_url"]
    version = entitlement.dataset_version
    with open(version.file.path, "ab") as handle:
        handle.write(b"tampered\n")
    response, body = fetch(url, django_capture_on_commit_callbacks)
    problem(response, body, 503, "data-unavailable")
    assert b"tampered" not in body


def test_object_storage_redirects_to_a_url_that_dies_with_the_token(
    buyer, entitlement, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    fake = FakeS3()
    settings.DATA_STORAGE = "s3"
    monkeypatch.setattr(DatasetVersion._meta.get_field("file"), "storage", fake)
    url = mint(buyer, entitlement).json()["download_url"]
    token = DownloadToken.objects.get()
    response, body = fetch(url, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"].startswith("https://bucket.s3.example/")
    [call] = fake.calls
    assert call["name"] == entitlement.dataset_version.file.name
    assert 0 < call["expire"] <= (token.expires_at - timezone.now()).total_seconds() + 1
    assert call["parameters"]["ResponseContentDisposition"].startswith("attachment")
    [download] = Download.objects.all()
    assert (download.bytes_sent, download.completed) == (0, False)
    # Refusals still come before any presigning.
    DownloadToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response, _ = fetch(url, django_capture_on_commit_callbacks)
    assert response.status_code == 410 and len(fake.calls) == 1


# --- provider delivery: JWTs the seller verifies offline -----------------------------------------------------------


@pytest.fixture
def provider_entitlement(seller, buyer, django_capture_on_commit_callbacks) -> Entitlement:
    return entitled(seller, buyer, django_capture_on_commit_callbacks, delivery_url=SELLER_URL)


def test_the_contract_of_a_seller_hosted_offering_states_the_seller_s_endpoint(
    provider_entitlement, seller, buyer, django_capture_on_commit_callbacks
) -> None:
    contract = provider_entitlement.contract
    assert "retrieval from an endpoint (such as an API) operated by the Provider" in contract.document_en
    assert "提供者が管理するエンドポイント（API等）からの取得" in contract.document_ja
    hosted = entitled(seller, buyer, django_capture_on_commit_callbacks).contract
    assert "download through time-limited download tokens issued by the Market" in hosted.document_en


def test_provider_delivery_mints_a_jwt_the_seller_verifies_with_the_jwks(
    buyer, provider_entitlement, anonymous, settings, tmp_path
) -> None:
    entitlement = provider_entitlement
    assert (entitlement.delivery, entitlement.delivery_url) == ("provider", SELLER_URL)
    response = mint(buyer, entitlement)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "jwt" and body["download_url"] == SELLER_URL

    # What the seller does: fetch the JWKS once, verify offline.
    jwks_response = anonymous.get("/.well-known/jwks.json")
    assert jwks_response.status_code == 200
    assert "max-age" in jwks_response["Cache-Control"] and "public" in jwks_response["Cache-Control"]
    [jwk] = json.loads(jwks_response.content)["keys"]
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("EC", "P-256", "ES256", "sig")
    assert "d" not in jwk, "never the private part"
    thumbprint_input = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
    assert jwk["kid"] == base64.urlsafe_b64encode(hashlib.sha256(thumbprint_input.encode()).digest()).decode().rstrip(
        "="
    )
    header = jwt.get_unverified_header(body["token"])
    assert header["kid"] == jwk["kid"] and header["alg"] == "ES256"
    claims = jwt.decode(
        body["token"],
        jwt.PyJWK(jwk).key,
        algorithms=["ES256"],
        audience=SELLER_ORIGIN,
        issuer=market_settings().jwt_issuer,
        options={"require": ["exp", "iat", "jti", "aud", "iss", "sub"]},
    )
    row = DownloadToken.objects.get()
    assert claims["jti"] == str(row.id) and row.kind == "jwt"
    assert row.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert claims["sub"] == str(entitlement.buyer_id)
    assert claims["ent"] == str(entitlement.id)
    assert claims["dv"] == str(entitlement.dataset_version_id)
    assert claims["sha256"] == entitlement.dataset_version.sha256
    assert claims["exp"] == int(row.expires_at.timestamp()) and claims["exp"] - claims["iat"] <= 15 * 60

    # Another seller's server (another audience) refuses it; a tampered token fails the signature.
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(body["token"], jwt.PyJWK(jwk).key, algorithms=["ES256"], audience="https://other.example")
    head, payload, signature = body["token"].split(".")
    forged_claims = {**claims, "ent": "00000000-0000-4000-8000-000000000000"}
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged_claims).encode()).decode().rstrip("=")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            f"{head}.{forged_payload}.{signature}", jwt.PyJWK(jwk).key, algorithms=["ES256"], audience=SELLER_ORIGIN
        )

    # The key file: generated once, private, stable.
    key_file = tmp_path / "keys" / "es256.pem"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    signing._cache.clear()
    assert signing.signing_key().kid == jwk["kid"]


def test_a_sellers_jwt_does_not_open_the_markets_download(
    buyer, provider_entitlement, django_capture_on_commit_callbacks
) -> None:
    token = mint(buyer, provider_entitlement).json()["token"]
    response, body = fetch(f"/api/v1/downloads/{token}", django_capture_on_commit_callbacks)
    problem(response, body, 401, "download-token-invalid")
    _assert_no_data(body, provider_entitlement)


def test_a_configured_pem_key_signs(settings, tmp_path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.ICHIBA = {**settings.ICHIBA, "JWT_PRIVATE_KEY": pem, "JWT_KEY_FILE": str(tmp_path / "unused.pem")}
    [jwk] = signing.jwks()["keys"]
    assert jwt.PyJWK(jwk).key.public_numbers() == key.public_key().public_numbers()
    assert not (tmp_path / "unused.pem").exists()


def test_delivery_token_hash_is_sha256_hex() -> None:
    assert delivery.token_hash("abc") == hashlib.sha256(b"abc").hexdigest()


def test_log_lines_never_keep_a_download_token() -> None:
    import logging

    from config.logging import RedactDownloadTokens

    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Gone: %s", ("/api/v1/downloads/s3cr3t-token?x=1",), None
    )
    assert RedactDownloadTokens().filter(record)
    assert record.getMessage() == "Gone: /api/v1/downloads/[token]?x=1"


# --- the OpenAPI document ------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FileFormat.values)
def test_a_download_is_sent_as_exactly_the_media_types_the_openapi_document_lists(
    buyer, entitlement, captures, django_capture_on_commit_callbacks, anonymous, file_format: str
) -> None:
    import yaml

    operation = yaml.safe_load(anonymous.get("/api/schema/").content)["paths"]["/api/v1/downloads/{token}"]["get"]
    documented = {status: set(operation["responses"][status]["content"]) for status in ("200", "206")}
    assert documented["200"] == documented["206"] == set(download_views.CONTENT_TYPES.values())
    assert "application/octet-stream" not in documented["200"], "every stored format has its own media type"

    DatasetVersion.objects.filter(pk=entitlement.dataset_version_id).update(file_format=file_format)
    url = mint(buyer, entitlement).json()["download_url"]
    whole, _ = fetch(url, django_capture_on_commit_callbacks)
    part, _ = fetch(url, django_capture_on_commit_callbacks, HTTP_RANGE="bytes=0-9")
    assert (whole.status_code, part.status_code) == (200, 206)
    assert whole["Content-Type"] in documented["200"] and part["Content-Type"] in documented["206"]
