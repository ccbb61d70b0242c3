"""Dataset files in S3-compatible storage (``ICHIBA_DATA_STORAGE=s3``), against moto's S3 server on loopback.

The whole path through real S3 calls: the upload lands in the bucket, validation reads it back, the trade's
entitlement delivers it through a presigned URL that dies no later than the download token, and the
capture checks the object before it takes the money.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from catalog.models import DatasetVersion
from settlement.models import Download, Entitlement, Settlement
from settlement.services import settlements
from tests.builders import place, published_offering

pytestmark = pytest.mark.django_db


def _client(endpoint: str) -> Any:
    """A client of the test's S3 server, to read what the market stored in its bucket."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


def presigned_expiry(url: str) -> datetime:
    query = parse_qs(urlsplit(url).query)
    if "X-Amz-Expires" in query:  # SigV4: signed at X-Amz-Date, valid for X-Amz-Expires seconds
        signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return signed + timedelta(seconds=int(query["X-Amz-Expires"][0]))
    return datetime.fromtimestamp(int(query["Expires"][0]), tz=UTC)  # SigV2


def test_a_dataset_in_s3_is_validated_sold_and_delivered_by_presigned_url(
    s3: str, s3_server: str, seller: Any, buyer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    offering = published_offering(seller, django_capture_on_commit_callbacks, seats=5)
    version = DatasetVersion.objects.get(dataset_id=offering["dataset"])
    assert version.status == "published", version.checks
    client = _client(s3_server)
    stored = client.get_object(Bucket=s3, Key=version.file.name)["Body"].read()
    assert stored.startswith(b"timestamp,value") and len(stored) == version.size_bytes

    with django_capture_on_commit_callbacks(execute=True):
        place(seller, offering, "sell", 5, 1000)
    with django_capture_on_commit_callbacks(execute=True):
        [made] = place(buyer, offering, "buy", 1, 1000).json()["trades"]
    settlement = Settlement.objects.get(trade_id=made["id"])
    assert settlement.status == "authorized"
    entitlement = Entitlement.objects.get(settlement=settlement)
    token = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens").json()

    redirect = buyer.client.get(token["download_url"])
    assert redirect.status_code == 302
    target = redirect["Location"]
    assert target.startswith(f"{s3_server}/{s3}/") and presigned_expiry(target) <= datetime.fromisoformat(
        token["expires_at"]
    )
    assert requests.get(target, timeout=10).content == stored
    assert Download.objects.filter(entitlement=entitlement).count() == 1, "the hand-over is on record"

    captured = settlements.settlement_capture(settlement_id=settlement.id, reason="acceptance window passed")
    assert captured.status == "captured", "the object exists, with its size and checksum"


def test_an_object_gone_from_the_bucket_voids_the_payment(
    s3: str, s3_server: str, seller: Any, buyer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    offering = published_offering(seller, django_capture_on_commit_callbacks, seats=5)
    with django_capture_on_commit_callbacks(execute=True):
        place(seller, offering, "sell", 5, 1000)
    with django_capture_on_commit_callbacks(execute=True):
        [made] = place(buyer, offering, "buy", 1, 1000).json()["trades"]
    version = DatasetVersion.objects.get(dataset_id=offering["dataset"])
    version.file.storage.delete(version.file.name)
    settlement = Settlement.objects.get(trade_id=made["id"])
    voided = settlements.settlement_capture(settlement_id=settlement.id, reason="acceptance window passed")
    assert voided.status == "voided" and "missing" in voided.failure_message


def test_a_published_version_s_rendition_is_stored_in_the_bucket_beside_it(
    s3: str, s3_server: str, seller: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # The profiling task copies the object to a temporary file (S3 has no local path) and saves its Parquet
    # rendition through the same storage.
    offering = published_offering(seller, django_capture_on_commit_callbacks, seats=5)
    version = DatasetVersion.objects.get(dataset_id=offering["dataset"])
    assert version.quality["rows"] == version.row_count
    (rendition,) = version.renditions.all()
    client = _client(s3_server)
    stored = client.get_object(Bucket=s3, Key=rendition.file.name)["Body"].read()
    assert stored.startswith(b"PAR1") and len(stored) == rendition.size_bytes
    assert hashlib.sha256(stored).hexdigest() == rendition.sha256
