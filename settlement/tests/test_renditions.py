"""Downloading a version in another format (``?format=``, docs/api.md#downloads): the same token fetches the
rendition converted at publication, an ordinary file with its own bytes, headers, ranges and audit; a format the
version has no file in is a problem, never the original passed off as it."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from typing import Any

import pyarrow.parquet as pq
import pytest
from rest_framework.test import APIClient

from catalog.models import DatasetVersion, VersionRendition
from settlement.models import Download, DownloadToken, Entitlement
from tests.builders import FakeS3, entitled, stored_bytes, version_profiled

pytestmark = pytest.mark.django_db

SELLER_URL = "https://data.seller.example/v1/gauges"


@pytest.fixture(autouse=True)
def _key_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "JWT_PRIVATE_KEY": "", "JWT_KEY_FILE": str(tmp_path / "keys" / "es256.pem")}


@pytest.fixture
def entitlement(seller, buyer, capture) -> Entitlement:
    entitlement = entitled(seller, buyer, capture)
    version_profiled(entitlement.dataset_version)
    return entitlement


@pytest.fixture
def captures(monkeypatch: Any) -> list[tuple[str, str]]:
    from settlement import tasks

    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(tasks.settlement_capture, "delay", lambda *args: calls.append(args))
    return calls


def token_of(buyer: Any, entitlement: Entitlement) -> dict[str, Any]:
    response = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens")
    assert response.status_code == 201, response.content
    return response.json()


def fetch(url: str, capture: Any, method: str = "get", **headers: Any) -> tuple[Any, bytes]:
    with capture(execute=True):
        response = getattr(APIClient(), method)(url, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def rendition(entitlement: Entitlement, file_format: str) -> tuple[VersionRendition, bytes]:
    stored = VersionRendition.objects.get(version=entitlement.dataset_version_id, file_format=file_format)
    with stored.file.open("rb") as handle:
        return stored, handle.read()


def problem_of(response: Any, body: bytes, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, body
    assert response["Content-Type"] == "application/problem+json"
    data = json.loads(body)
    assert data["type"] == f"/problems/{code}" and data["status"] == status
    return data


def test_the_parquet_rendition_is_an_ordinary_file_with_its_own_headers(buyer, entitlement, captures, capture) -> None:
    stored, expected = rendition(entitlement, "parquet")
    url = token_of(buyer, entitlement)["download_url"]
    response, body = fetch(f"{url}?format=parquet", capture, HTTP_USER_AGENT="curl/8.5")
    assert response.status_code == 200 and body == expected
    assert pq.read_table(io.BytesIO(body)).num_rows == 40, "a real Parquet file of the version's rows"
    digest = hashlib.sha256(expected).digest()
    assert stored.sha256 == digest.hex() != entitlement.dataset_version.sha256
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    assert response["Content-Length"] == str(len(expected)) == str(stored.size_bytes)
    assert response["ETag"] == f'"{stored.sha256}"'
    assert response["Digest"] == "sha-256=" + base64.b64encode(digest).decode()
    assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(digest).decode()}:"
    assert response["Content-Disposition"] == 'attachment; filename="Bridge strain gauges-v1.parquet"'
    assert "no-store" in response["Cache-Control"] and response["Accept-Ranges"] == "bytes"
    # Recorded as a download of the version, in that format; whole, it is the data delivered.
    [download] = Download.objects.all()
    assert (download.dataset_version_id, download.rendition_id) == (entitlement.dataset_version_id, stored.id)
    assert (download.bytes_sent, download.completed) == (len(expected), True)
    assert captures == [(str(entitlement.settlement_id), "first download")]
    usage = buyer.client.get("/api/v1/usage").json()["results"]
    assert [row["format"] for row in usage] == ["parquet"]


@pytest.mark.parametrize("file_format", ["jsonl", "csv"])
def test_each_format_the_version_has_is_served_and_its_own_format_is_the_original(
    buyer, entitlement, capture, file_format: str
) -> None:
    url = token_of(buyer, entitlement)["download_url"]
    response, body = fetch(f"{url}?format={file_format}", capture)
    assert response.status_code == 200
    if file_format == "csv":  # the version was uploaded as CSV: its own file, not a conversion
        assert body == stored_bytes(entitlement) and response["Content-Type"] == "text/csv; charset=utf-8"
        assert Download.objects.get().rendition_id is None
    else:
        assert body == rendition(entitlement, "jsonl")[1] and response["Content-Type"] == "application/jsonl"
        assert response["Content-Disposition"].endswith('-v1.jsonl"')


def test_ranges_head_and_if_range_work_on_a_rendition_as_on_the_original(buyer, entitlement, captures, capture) -> None:
    stored, expected = rendition(entitlement, "parquet")
    url = token_of(buyer, entitlement)["download_url"] + "?format=parquet"
    head, first = fetch(url, capture, HTTP_RANGE="bytes=0-99")
    assert head.status_code == 206 and first == expected[:100]
    assert head["Content-Range"] == f"bytes 0-99/{len(expected)}" and head["ETag"] == f'"{stored.sha256}"'
    assert captures == [], "a part is not delivery"
    tail, rest = fetch(url, capture, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=f'"{stored.sha256}"')
    assert tail.status_code == 206 and first + rest == expected
    assert captures == [(str(entitlement.settlement_id), "first download")], "resumed whole: delivered"
    # If-Range with the original's ETag: that is another file, so the whole rendition comes back.
    other, whole = fetch(url, capture, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=f'"{entitlement.dataset_version.sha256}"')
    assert other.status_code == 200 and whole == expected
    unsatisfiable, body = fetch(url, capture, HTTP_RANGE=f"bytes={len(expected)}-")
    problem_of(unsatisfiable, body, 416, "range-not-satisfiable")
    assert unsatisfiable["Content-Range"] == f"bytes */{len(expected)}"
    before = Download.objects.count()
    headed, body = fetch(url, capture, method="head")
    assert headed.status_code == 200 and body == b""
    assert headed["Content-Length"] == str(len(expected)) and headed["ETag"] == f'"{stored.sha256}"'
    assert headed["Content-Type"] == "application/vnd.apache.parquet"
    assert Download.objects.count() == before, "HEAD is not a download"


def test_a_part_of_one_format_and_the_rest_of_another_is_not_a_delivery(buyer, entitlement, captures, capture) -> None:
    """Byte ranges of two formats are of two files: they never add up to one."""
    _, parquet = rendition(entitlement, "parquet")
    url = token_of(buyer, entitlement)["download_url"]
    fetch(f"{url}?format=parquet", capture, HTTP_RANGE="bytes=0-99")
    fetch(url, capture, HTTP_RANGE="bytes=100-")
    assert captures == []


@pytest.mark.parametrize(
    "query", ["format=xlsx", "format=", "format=PARQUET", "format=parquet&format=csv", "format=" + "x" * 5000]
)
def test_a_bad_format_is_a_400_naming_it(buyer, entitlement, capture, query: str) -> None:
    url = token_of(buyer, entitlement)["download_url"]
    response, body = fetch(f"{url}?{query}", capture)
    data = problem_of(response, body, 400, "invalid")
    assert list(data["errors"]) == ["format"] and "csv, jsonl, parquet" in data["errors"]["format"][0]
    assert not Download.objects.exists()


def test_a_format_with_a_nul_is_a_400_too(buyer, entitlement, capture) -> None:
    url = token_of(buyer, entitlement)["download_url"]
    response, body = fetch(f"{url}?format=par%00quet", capture)
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert not Download.objects.exists()


def test_a_bad_format_with_a_bad_token_is_still_never_data(buyer, entitlement, capture) -> None:
    response, body = fetch("/api/v1/downloads/nope?format=parquet", capture)
    problem_of(response, body, 401, "download-token-invalid")


def test_a_format_the_version_has_no_file_in_is_404_listing_those_it_has(buyer, entitlement, capture) -> None:
    VersionRendition.objects.filter(version=entitlement.dataset_version_id, file_format="jsonl").delete()
    url = token_of(buyer, entitlement)["download_url"]
    response, body = fetch(f"{url}?format=jsonl", capture)
    data = problem_of(response, body, 404, "format-not-available")
    assert data["formats"] == ["csv", "parquet"]
    assert "jsonl" in data["detail"]
    assert not Download.objects.exists()


def test_while_the_version_is_being_converted_another_format_is_409_with_retry_after(
    buyer, entitlement, capture
) -> None:
    VersionRendition.objects.filter(version=entitlement.dataset_version_id).delete()
    DatasetVersion.objects.filter(pk=entitlement.dataset_version_id).update(quality={})
    url = token_of(buyer, entitlement)["download_url"]
    for method in ("get", "head"):
        response, body = fetch(f"{url}?format=parquet", capture, method=method)
        assert response.status_code == 409 and response["Retry-After"] == "30"
        if method == "get":
            problem_of(response, body, 409, "format-not-ready")
    # Its own format is there all along.
    response, body = fetch(url, capture)
    assert response.status_code == 200 and body == stored_bytes(entitlement)


def test_once_profiling_failed_for_good_another_format_is_404_not_a_wait(buyer, entitlement, capture) -> None:
    from catalog.services.versions import version_profile_failed

    VersionRendition.objects.filter(version=entitlement.dataset_version_id).delete()
    DatasetVersion.objects.filter(pk=entitlement.dataset_version_id).update(quality={})
    version_profile_failed(version_id=entitlement.dataset_version_id, error=OSError("disk full"))
    url = token_of(buyer, entitlement)["download_url"]
    response, body = fetch(f"{url}?format=parquet", capture)
    assert problem_of(response, body, 404, "format-not-available")["formats"] == ["csv"]


def test_the_token_lists_every_format_with_its_url_size_and_checksum(buyer, entitlement, capture) -> None:
    issued = token_of(buyer, entitlement)
    version = entitlement.dataset_version
    parquet, _ = rendition(entitlement, "parquet")
    jsonl, _ = rendition(entitlement, "jsonl")
    assert issued["formats"] == [
        {
            "format": "csv",
            "size_bytes": version.size_bytes,
            "sha256": version.sha256,
            "download_url": issued["download_url"],
        },
        {
            "format": "jsonl",
            "size_bytes": jsonl.size_bytes,
            "sha256": jsonl.sha256,
            "download_url": issued["download_url"] + "?format=jsonl",
        },
        {
            "format": "parquet",
            "size_bytes": parquet.size_bytes,
            "sha256": parquet.sha256,
            "download_url": issued["download_url"] + "?format=parquet",
        },
    ]
    for listed in issued["formats"]:
        response, body = fetch(listed["download_url"], capture)
        assert hashlib.sha256(body).hexdigest() == listed["sha256"]


def test_the_bearer_download_takes_the_format_too(buyer, entitlement, capture) -> None:
    token = token_of(buyer, entitlement)["token"]
    _, expected = rendition(entitlement, "parquet")
    response, body = fetch("/api/v1/downloads?format=parquet", capture, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and body == expected


def test_seller_hosted_delivery_offers_the_original_only(seller, buyer, capture) -> None:
    entitlement = entitled(seller, buyer, capture, delivery_url=SELLER_URL)
    version_profiled(entitlement.dataset_version)
    issued = token_of(buyer, entitlement)
    assert issued["kind"] == "jwt"
    assert issued["formats"] == [
        {
            "format": "csv",
            "size_bytes": entitlement.dataset_version.size_bytes,
            "sha256": entitlement.dataset_version.sha256,
            "download_url": SELLER_URL,
        }
    ]


def test_object_storage_redirects_to_the_renditions_own_object(
    buyer, entitlement, settings, monkeypatch, capture
) -> None:
    stored = VersionRendition.objects.get(version=entitlement.dataset_version_id, file_format="parquet")
    fake = FakeS3()
    settings.DATA_STORAGE = "s3"
    monkeypatch.setattr(VersionRendition._meta.get_field("file"), "storage", fake)
    url = token_of(buyer, entitlement)["download_url"]
    token = DownloadToken.objects.get()
    response, _ = fetch(f"{url}?format=parquet", capture)
    assert response.status_code == 302
    [call] = fake.calls
    assert call["name"] == stored.file.name
    assert call["parameters"]["ResponseContentDisposition"].endswith('-v1.parquet"')
    assert call["parameters"]["ResponseContentType"] == "application/vnd.apache.parquet"
    assert 0 < call["expire"] <= (token.expires_at - token.created_at).total_seconds() + 1
    [download] = Download.objects.all()
    assert download.rendition_id == stored.id
