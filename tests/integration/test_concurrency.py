"""Races on PostgreSQL: parallel requests through the real API, each thread with its own connection."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from catalog.models import Dataset, DatasetVersion
from config.api.models import IdempotencyRecord
from tests.builders import make_party
from tests.fixtures import require_postgres
from tests.integration.workers import race

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(api_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key}")
    return client


def test_same_idempotency_key_in_parallel_creates_once() -> None:
    require_postgres()
    seller = make_party("Racing Seller", {"seller"})
    payload = {"title": "Raced", "data_class": "iot", "category": "energy"}

    def post(_: int) -> Any:
        return client_for(seller.api_key).post(
            "/api/v1/datasets", payload, format="json", HTTP_IDEMPOTENCY_KEY="race-1"
        )

    responses = race(8, post)
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1, "every caller sees the one dataset"
    assert Dataset.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_parallel_uploads_get_distinct_version_numbers() -> None:
    require_postgres()
    seller = make_party("Uploading Seller", {"seller"})
    created = seller.client.post(
        "/api/v1/datasets", {"title": "Many versions", "data_class": "iot"}, format="json"
    ).json()
    content = b"timestamp,v\n2024-01-01T00:00:00+09:00,1\n"

    def post(index: int) -> Any:
        return client_for(seller.api_key).post(
            f"/api/v1/datasets/{created['id']}/versions",
            {"file": SimpleUploadedFile(f"v{index}.csv", content)},
            format="multipart",
        )

    responses = race(6, post)
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [202] * 6
    numbers = sorted(DatasetVersion.objects.filter(dataset_id=created["id"]).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert sorted(r.json()["number"] for r in responses) == numbers
