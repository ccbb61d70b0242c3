"""A version's quality figures and renditions in the API (docs/api.md#quality-figures-and-other-formats): null and
empty until profiling stored them, then the stored figures as they are and the other formats' sizes and checksums;
the OpenAPI document types every field."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import yaml

from catalog.models import DatasetVersion
from tests.builders import iot_csv, published_dataset, quality_figures, version_profiled, version_published

pytestmark = pytest.mark.django_db


def latest(dataset: Any) -> DatasetVersion:
    return DatasetVersion.objects.filter(dataset=dataset, status="published").latest("number")


def test_a_version_not_measured_yet_shows_quality_null_and_no_renditions(seller, anonymous) -> None:
    dataset = published_dataset(seller)
    DatasetVersion.objects.filter(dataset=dataset).update(quality={})
    body = anonymous.get(f"/api/v1/datasets/{dataset.id}/versions/1").json()
    assert body["quality"] is None and body["renditions"] == []


def test_a_profiled_version_shows_its_figures_and_its_other_formats(seller, buyer, anonymous) -> None:
    dataset = published_dataset(seller)
    parquet, jsonl = b"PAR1 not really PAR1", b'{"a": 1}\n'
    version = version_profiled(latest(dataset), renditions={"parquet": parquet, "jsonl": jsonl})
    for client in (anonymous, buyer.client, seller.client):
        body = client.get(f"/api/v1/datasets/{dataset.id}/versions/{version.number}").json()
        assert body["quality"] == quality_figures()
        assert body["renditions"] == [
            {"format": "jsonl", "size_bytes": len(jsonl), "sha256": hashlib.sha256(jsonl).hexdigest()},
            {"format": "parquet", "size_bytes": len(parquet), "sha256": hashlib.sha256(parquet).hexdigest()},
        ]
    # The list of versions and the dataset's own resource (its versions embedded) show the same.
    [listed] = anonymous.get(f"/api/v1/datasets/{dataset.id}/versions").json()["results"]
    embedded = anonymous.get(f"/api/v1/datasets/{dataset.id}").json()["versions"]
    assert listed["quality"] == embedded[0]["quality"] == quality_figures()
    assert [r["format"] for r in listed["renditions"]] == [r["format"] for r in embedded[0]["renditions"]]


def test_a_rendition_in_the_originals_own_format_is_never_listed(seller, anonymous) -> None:
    dataset = published_dataset(seller)
    version_profiled(latest(dataset), renditions={"csv": b"a\n1\n", "parquet": b"PAR1"})
    body = anonymous.get(f"/api/v1/datasets/{dataset.id}/versions/1").json()
    assert [r["format"] for r in body["renditions"]] == ["parquet"]


def test_the_versions_list_reads_renditions_in_one_query_for_the_page(
    seller, anonymous, django_assert_max_num_queries
) -> None:
    dataset = published_dataset(seller)
    version_profiled(latest(dataset))
    for rows in (21, 22, 23):
        version_profiled(version_published(seller, dataset, iot_csv(rows)))
    with django_assert_max_num_queries(8) as context:
        anonymous.get(f"/api/v1/datasets/{dataset.id}/versions")
    assert sum("catalog_versionrendition" in query["sql"] for query in context.captured_queries) == 1


def test_the_openapi_document_types_quality_and_renditions(anonymous) -> None:
    schema = yaml.safe_load(anonymous.get("/api/schema/").content)["components"]["schemas"]
    version = schema["Version"]["properties"]
    assert version["quality"]["nullable"] is True
    quality = schema[version["quality"]["allOf"][0]["$ref"].rsplit("/", 1)[1]]["properties"]
    assert set(quality) == {"rows", "columns", "timing"}
    column = schema[quality["columns"]["items"]["$ref"].rsplit("/", 1)[1]]["properties"]
    assert set(column) == set(quality_figures()["columns"][0])
    timing = schema[quality["timing"]["allOf"][0]["$ref"].rsplit("/", 1)[1]]["properties"]
    assert set(timing) == set(quality_figures()["timing"])
    gap = schema[timing["largest_gap"]["allOf"][0]["$ref"].rsplit("/", 1)[1]]["properties"]
    assert set(gap) == {"sensor", "start", "end", "seconds"}
    rendition = schema[version["renditions"]["items"]["$ref"].rsplit("/", 1)[1]]["properties"]
    assert set(rendition) == {"format", "size_bytes", "sha256"}
