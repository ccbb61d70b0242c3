"""Usage history: a seller sees who downloaded which version of its data and when; nobody else does."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.builders import entitled, make_party

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _key_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "JWT_PRIVATE_KEY": "", "JWT_KEY_FILE": str(tmp_path / "es256.pem")}


def download(party: Any, entitlement: Any, capture: Any, **headers: Any) -> None:
    url = party.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens").json()["download_url"]
    with capture(execute=True):
        response: Any = APIClient().get(url, HTTP_USER_AGENT="ichiba-test", **headers)
        b"".join(response.streaming_content)


def test_the_seller_sees_its_buyers_downloads(seller, other_seller, buyer, django_capture_on_commit_callbacks) -> None:
    capture = django_capture_on_commit_callbacks
    entitlement = entitled(seller, buyer, capture)
    second_buyer = make_party("Fukuoka Port Analytics", {"buyer"})
    theirs = entitled(seller, second_buyer, capture)
    download(buyer, entitlement, capture)
    download(buyer, entitlement, capture, HTTP_RANGE="bytes=0-99")
    download(second_buyer, theirs, capture)

    rows = seller.client.get("/api/v1/usage").json()["results"]
    assert len(rows) == 3
    names = {row["buyer"]["name"] for row in rows}
    assert names == {"Osaka Analytics", "Fukuoka Port Analytics"}
    first = rows[-1]
    assert first["dataset"]["title"] == "Bridge strain gauges" and first["dataset_version"]["number"] == 1
    assert {"started_at", "finished_at", "bytes_sent", "completed", "range_start"} <= set(first)
    assert "client_address" not in first and "user_agent" not in first, "the buyer's network is its own"

    only_buyer = seller.client.get(f"/api/v1/usage?buyer={buyer.id}").json()["results"]
    assert len(only_buyer) == 2 and {row["buyer"]["id"] for row in only_buyer} == {buyer.id}
    by_dataset = seller.client.get(f"/api/v1/usage?dataset={theirs.dataset_id}&version=1").json()["results"]
    assert len(by_dataset) == 1
    by_version_id = seller.client.get(f"/api/v1/usage?version={entitlement.dataset_version_id}").json()["results"]
    assert len(by_version_id) == 2
    assert seller.client.get("/api/v1/usage?version=2").json()["results"] == []

    assert other_seller.client.get("/api/v1/usage").json()["results"] == []
    assert other_seller.client.get("/api/v1/usage/summary").json()["results"] == []

    mine = buyer.client.get("/api/v1/usage").json()["results"]
    assert len(mine) == 2 and all(row["buyer"]["id"] == buyer.id for row in mine)
    assert mine[0]["client_address"] == "127.0.0.1" and mine[0]["user_agent"] == "ichiba-test"

    summary = seller.client.get(f"/api/v1/usage/summary?dataset={entitlement.dataset_id}").json()
    assert summary["next"] is None
    [row] = summary["results"]
    size = entitlement.dataset_version.size_bytes
    assert row["buyer"] == {"id": buyer.id, "name": "Osaka Analytics"}
    assert row["dataset_version"]["number"] == 1
    assert (row["downloads"], row["completed"], row["bytes"]) == (2, 2, size + 100)
    assert row["last_at"]
    assert len(seller.client.get("/api/v1/usage/summary").json()["results"]) == 2


@pytest.mark.parametrize("query", ["dataset=nope", "buyer=12", "version=v1"])
def test_bad_filters_are_400_problems(seller, query) -> None:
    response = seller.client.get(f"/api/v1/usage?{query}")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


def test_usage_needs_an_organisation(anonymous) -> None:
    assert anonymous.get("/api/v1/usage").status_code == 401
    assert anonymous.get("/api/v1/usage/summary").status_code == 401
