"""The catalog API as a partner uses it (docs/api.md#datasets-and-versions)."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import CatalogEvent, Dataset, DatasetVersion

pytestmark = pytest.mark.django_db

ANONYMIZATION = {
    "quasi_identifiers": ["age_band", "prefecture"],
    "personal_info_items": ["age band", "prefecture of residence", "purchase category"],
    "method": "Ages generalised to 10-year bands; addresses to prefecture; rare combinations suppressed.",
}


def iot_payload(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Bridge strain gauges 橋梁ひずみ",
        "description": "Strain at six gauges on the Yodogawa bridge, every 10 minutes.",
        "data_class": "iot",
        "category": "infrastructure",
        "tags": ["bridge", "strain", "橋梁"],
        "region": "Osaka",
        "update_frequency": "daily",
        **overrides,
    }


def iot_csv(rows: int = 30) -> bytes:
    lines = ["timestamp,sensor_id,strain_microstrain,temperature_c"]
    for i in range(rows):
        lines.append(
            f"2024-04-01T{i // 6:02d}:{(i % 6) * 10:02d}:00+09:00,SG-0{i % 3 + 1},{100 + i * 0.5},{18 + i % 5}"
        )
    return ("\n".join(lines) + "\n").encode()


def anonymized_csv(rows: int = 40, extra: str = "") -> bytes:
    lines = ["age_band,prefecture,category,amount_jpy"]
    for i in range(rows):
        lines.append(f"{20 + (i % 2) * 10}-{29 + (i % 2) * 10},{'Osaka' if i % 4 < 2 else 'Kyoto'},food,{100 + i}")
    return ("\n".join(lines) + "\n" + extra).encode()


def parquet_bytes(table: pa.Table, **options: Any) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **options)
    return buffer.getvalue()


def create(party: Any, payload: dict[str, Any]) -> dict[str, Any]:
    response = party.client.post("/api/v1/datasets", payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def upload(party: Any, dataset_id: str, content: bytes, name: str = "data.csv", **extra: Any) -> Any:
    return party.client.post(
        f"/api/v1/datasets/{dataset_id}/versions",
        {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra},
        format="multipart",
    )


def upload_validated(party: Any, dataset_id: str, content: bytes, capture: Any, name: str = "data.csv") -> dict:
    with capture(execute=True):
        response = upload(party, dataset_id, content, name)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "validating"
    version = party.client.get(response["Location"])
    assert version.status_code == 200
    return version.json()


def assert_problem(response: Any, status: int, type_: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    if type_:
        assert body["type"] == f"/problems/{type_}"
    return body


# --- creating datasets ------------------------------------------------------------------------------


def test_seller_creates_an_iot_dataset_as_a_draft(seller) -> None:
    body = create(seller, iot_payload())
    assert body["status"] == "draft"
    assert body["seller"] == {"id": seller.id, "name": "Kansai Bridge Monitoring"}
    assert body["tags"] == ["bridge", "strain", "橋梁"]
    assert body["versions"] == [] and body["offerings"] == [] and body["latest_version"] is None
    assert CatalogEvent.objects.filter(dataset_id=body["id"], to_status="draft").count() == 1


def test_personal_data_is_refused_with_an_explanation(seller) -> None:
    response = seller.client.post("/api/v1/datasets", iot_payload(data_class="personal"), format="json")
    body = assert_problem(response, 422, "personal-data-refused")
    assert "information bank" in body["detail"]
    assert not Dataset.objects.exists()


def test_anonymized_data_must_declare_its_appi_disclosure(seller) -> None:
    response = seller.client.post("/api/v1/datasets", iot_payload(data_class="anonymized"), format="json")
    body = assert_problem(response, 400, "invalid")
    assert "anonymization" in body["errors"]
    partial = {"quasi_identifiers": ["age_band"], "method": "generalised"}
    response = seller.client.post(
        "/api/v1/datasets", iot_payload(data_class="anonymized", anonymization=partial), format="json"
    )
    assert "anonymization.personal_info_items" in assert_problem(response, 400)["errors"]
    body = create(seller, iot_payload(data_class="anonymized", anonymization=ANONYMIZATION))
    assert body["anonymization"] == ANONYMIZATION


def test_iot_data_carries_no_anonymization(seller) -> None:
    response = seller.client.post("/api/v1/datasets", iot_payload(anonymization=ANONYMIZATION), format="json")
    assert "anonymization" in assert_problem(response, 400)["errors"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (iot_payload(data_class="video"), "data_class"),
        (iot_payload(category="gossip"), "category"),
        (iot_payload(update_frequency="sometimes"), "update_frequency"),
        (iot_payload(tags="bridge"), "tags"),
        (iot_payload(title=""), "title"),
        (iot_payload(title=["not", "a", "string"]), "title"),
        (iot_payload(colour="blue"), "colour"),
        ({"data_class": "iot"}, "title"),
    ],
)
def test_invalid_fields_are_400_with_field_errors(seller, payload, field) -> None:
    body = assert_problem(seller.client.post("/api/v1/datasets", payload, format="json"), 400, "invalid")
    assert field in body["errors"], body
    assert not Dataset.objects.exists()


def test_malformed_and_non_object_json(seller) -> None:
    response = seller.client.post("/api/v1/datasets", b'{"title": ', content_type="application/json")
    assert_problem(response, 400, "malformed")
    response = seller.client.post("/api/v1/datasets", b"[1, 2]", content_type="application/json")
    assert_problem(response, 400, "invalid")
    response = seller.client.post("/api/v1/datasets", b"title=x", content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415, "unsupported-media-type")


def test_only_sellers_create_and_only_members_write(buyer, anonymous) -> None:
    assert_problem(buyer.client.post("/api/v1/datasets", iot_payload(), format="json"), 403, "forbidden")
    assert_problem(anonymous.post("/api/v1/datasets", iot_payload(), format="json"), 401)


def test_idempotency_key_replays_and_refuses_a_different_body(seller) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "create-bridge-1"}
    first = seller.client.post("/api/v1/datasets", iot_payload(), format="json", **headers)
    again = seller.client.post("/api/v1/datasets", iot_payload(), format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Dataset.objects.count() == 1
    other = seller.client.post("/api/v1/datasets", iot_payload(title="Other"), format="json", **headers)
    assert_problem(other, 409, "idempotency-conflict")
    # A failed request stores nothing: the same key may be used once the request is fixed.
    bad = seller.client.post("/api/v1/datasets", iot_payload(category="x"), format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert_problem(bad, 400)
    assert (
        seller.client.post("/api/v1/datasets", iot_payload(), format="json", HTTP_IDEMPOTENCY_KEY="k2").status_code
        == 201
    )


def test_idempotency_keys_are_per_organisation(seller, other_seller) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "same-key"}
    assert seller.client.post("/api/v1/datasets", iot_payload(), format="json", **headers).status_code == 201
    assert other_seller.client.post("/api/v1/datasets", iot_payload(), format="json", **headers).status_code == 201
    assert Dataset.objects.count() == 2


# --- versions -----------------------------------------------------------------------------------------


def test_upload_validates_and_publishes(seller, buyer, django_capture_on_commit_callbacks) -> None:
    dataset = create(seller, iot_payload())
    content = iot_csv(30)
    version = upload_validated(seller, dataset["id"], content, django_capture_on_commit_callbacks)
    import hashlib

    assert version["status"] == "published", version["checks"]
    assert version["number"] == 1 and version["row_count"] == 30 and version["size_bytes"] == len(content)
    assert version["sha256"] == hashlib.sha256(content).hexdigest()
    assert [c["name"] for c in version["schema"]] == [
        "timestamp",
        "sensor_id",
        "strain_microstrain",
        "temperature_c",
    ]
    assert {c["name"] for c in version["checks"]} >= {
        "checksum",
        "encoding",
        "parse",
        "schema",
        "row_count",
        "timestamp",
    }
    assert all(c["passed"] and c["detail"] for c in version["checks"])

    detail = buyer.client.get(f"/api/v1/datasets/{dataset['id']}").json()
    assert detail["status"] == "published" and detail["latest_version"] == 1
    sample = buyer.client.get(f"/api/v1/datasets/{dataset['id']}/sample").json()
    assert sample["columns"][0] == "timestamp" and len(sample["rows"]) == 20 and sample["version"] == 1


def test_rejected_version_is_never_visible_to_buyers(seller, buyer, django_capture_on_commit_callbacks) -> None:
    dataset = create(seller, iot_payload(data_class="anonymized", anonymization=ANONYMIZATION))
    leaked = anonymized_csv(40, extra="30-39,Osaka,food,taro.yamada@example.com\n")
    version = upload_validated(seller, dataset["id"], leaked, django_capture_on_commit_callbacks)
    assert version["status"] == "rejected"
    failed = {c["name"]: c["detail"] for c in version["checks"] if not c["passed"]}
    assert "direct_identifiers" in failed and "taro.yamada@example.com" not in failed["direct_identifiers"]

    assert buyer.client.get(f"/api/v1/datasets/{dataset['id']}").status_code == 404, "still a draft"
    assert seller.client.get(f"/api/v1/datasets/{dataset['id']}").json()["versions"][0]["status"] == "rejected"

    good = upload_validated(seller, dataset["id"], anonymized_csv(40), django_capture_on_commit_callbacks)
    assert good["status"] == "published" and good["number"] == 2, good["checks"]
    detail = buyer.client.get(f"/api/v1/datasets/{dataset['id']}").json()
    assert [v["number"] for v in detail["versions"]] == [2]
    assert buyer.client.get(f"/api/v1/datasets/{dataset['id']}/versions/1").status_code == 404
    assert detail["anonymization"]["method"] == ANONYMIZATION["method"], "APPI disclosure is public"


def test_k_anonymity_below_threshold_rejects(seller, django_capture_on_commit_callbacks) -> None:
    dataset = create(seller, iot_payload(data_class="anonymized", anonymization=ANONYMIZATION))
    thin = anonymized_csv(40, extra="60-69,Hokkaido,food,120\n")
    version = upload_validated(seller, dataset["id"], thin, django_capture_on_commit_callbacks)
    assert version["status"] == "rejected"
    k_check = next(c for c in version["checks"] if c["name"] == "k_anonymity")
    assert not k_check["passed"] and "1" in k_check["detail"]


def test_ragged_csv_is_rejected_with_line_numbers(seller, django_capture_on_commit_callbacks) -> None:
    dataset = create(seller, iot_payload())
    ragged = iot_csv(10) + b"2024-04-02T00:00:00+09:00,SG-01\n"
    response_version = upload_validated(seller, dataset["id"], ragged, django_capture_on_commit_callbacks)
    assert response_version["status"] == "rejected"
    parse = next(c for c in response_version["checks"] if c["name"] == "parse")
    assert not parse["passed"] and "12" in parse["detail"]


def test_shift_jis_csv_is_validated_and_published(seller, buyer, django_capture_on_commit_callbacks) -> None:
    """Japanese sellers export CSV from spreadsheets as Shift_JIS (cp932): it is read as such, not refused."""
    dataset = create(seller, iot_payload())
    sjis = "timestamp,地点,ひずみ\n" + "".join(f"2024-04-01T00:{i:02d}:00+09:00,大阪,{100 + i}\n" for i in range(30))
    version = upload_validated(seller, dataset["id"], sjis.encode("cp932"), django_capture_on_commit_callbacks)
    assert version["status"] == "published", version["checks"]
    encoding = next(c for c in version["checks"] if c["name"] == "encoding")
    assert encoding == {"name": "encoding", "passed": True, "detail": "Shift_JIS (cp932)."}
    sample = buyer.client.get(f"/api/v1/datasets/{dataset['id']}/sample").json()
    assert sample["columns"] == ["timestamp", "地点", "ひずみ"] and sample["rows"][0][1:] == ["大阪", 100]


def test_wrong_encoding_and_binary_uploads(seller) -> None:
    dataset = create(seller, iot_payload())
    neither = "timestamp,地点\n2024-04-01T00:00:00+09:00,大阪\n".encode("cp932") + b"\x81\x20\xe9t\xe9\n"
    body = assert_problem(upload(seller, dataset["id"], neither), 400, "invalid")
    assert "neither UTF-8 nor Shift_JIS" in body["detail"]
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    assert "PNG" in assert_problem(upload(seller, dataset["id"], png, name="data.csv"), 400)["detail"]
    nul = b"timestamp,a\n\x00\x00\x00\n"
    assert "binary" in assert_problem(upload(seller, dataset["id"], nul), 400)["detail"]
    assert not DatasetVersion.objects.exists()


def test_versions_are_listed_newest_first_a_page_at_a_time(seller, buyer, django_capture_on_commit_callbacks) -> None:
    dataset = create(seller, iot_payload())
    for rows in (30, 31, 32):
        upload_validated(seller, dataset["id"], iot_csv(rows), django_capture_on_commit_callbacks)
    url = f"/api/v1/datasets/{dataset['id']}/versions"
    first = buyer.client.get(f"{url}?page_size=2").json()
    assert [v["number"] for v in first["results"]] == [3, 2] and first["next"]
    second = buyer.client.get(first["next"]).json()
    assert [v["number"] for v in second["results"]] == [1] and second["next"] is None
    assert [v["number"] for v in buyer.client.get(url).json()["results"]] == [3, 2, 1]
    for query in ("page_size=0", "page_size=201", "page_size=x", "cursor=not-a-cursor"):
        body = assert_problem(buyer.client.get(f"{url}?{query}"), 400, "invalid")
        assert list(body["errors"]) == [query.split("=")[0]], query


def test_upload_refusals(seller, other_seller, buyer, settings) -> None:
    dataset = create(seller, iot_payload())
    url = f"/api/v1/datasets/{dataset['id']}/versions"
    assert_problem(upload(other_seller, dataset["id"], iot_csv()), 404, "not-found")
    assert_problem(upload(buyer, dataset["id"], iot_csv()), 403)
    assert_problem(upload(seller, dataset["id"], iot_csv(), name="data.xlsx"), 400)
    assert_problem(upload(seller, dataset["id"], b""), 400)
    assert_problem(seller.client.post(url, {"nofile": "x"}, format="multipart"), 400)
    assert_problem(seller.client.post(url, {"file": "x"}, format="json"), 400)
    settings.ICHIBA = {**settings.ICHIBA, "MAX_UPLOAD_BYTES": 1000}
    assert_problem(upload(seller, dataset["id"], iot_csv(100)), 413, "payload-too-large")
    assert not DatasetVersion.objects.exists()


def test_streamed_limit_applies_without_content_length(seller, settings) -> None:
    from catalog.uploads import HashingUploadHandler
    from config.errors import PayloadTooLarge

    handler = HashingUploadHandler(max_bytes=10)
    handler.new_file("file", "a.csv", "text/csv", None)
    handler.receive_data_chunk(b"12345", 0)
    with pytest.raises(PayloadTooLarge):
        handler.receive_data_chunk(b"678901", 5)


def test_published_versions_are_immutable(seller, django_capture_on_commit_callbacks) -> None:
    from catalog.services.versions import version_validate
    from catalog.states import version_check
    from config.errors import InvalidTransition

    dataset = create(seller, iot_payload())
    upload_validated(seller, dataset["id"], iot_csv(), django_capture_on_commit_callbacks)
    version = DatasetVersion.objects.get(dataset_id=dataset["id"])
    with pytest.raises(InvalidTransition):
        version_check(version.status, "rejected")
    assert version_validate(version_id=version.id).status == "published", "re-validation changes nothing"


# --- search, edit, withdraw ---------------------------------------------------------------------------


def _published(party: Any, capture: Any, **overrides: Any) -> str:
    dataset = create(party, iot_payload(**overrides))
    upload_validated(party, dataset["id"], iot_csv(), capture)
    return dataset["id"]


def test_search_in_english_and_japanese_with_filters(
    seller, other_seller, buyer, django_capture_on_commit_callbacks
) -> None:
    cap = django_capture_on_commit_callbacks
    bridge = _published(seller, cap)
    vibration = _published(
        other_seller,
        cap,
        title="Factory vibration 工場の振動データ",
        description="Spindle vibration.",
        category="manufacturing",
        tags=["vibration", "振動"],
    )
    create(seller, iot_payload(title="Unpublished bridge draft"))

    def ids(query: str, party: Any = buyer) -> list[str]:
        response = party.client.get(f"/api/v1/datasets?{query}")
        assert response.status_code == 200, response.content
        assert set(response.json()) >= {"results", "next"}
        return [d["id"] for d in response.json()["results"]]

    assert ids("q=bridge") == [bridge]
    assert ids("q=BRIDGE strain") == [bridge]
    assert ids("q=brid") == [bridge], "the last word matches as a prefix"
    assert ids("q=橋梁") == [bridge]
    assert ids("q=振動") == [vibration]
    assert ids("q=工場") == [vibration]
    assert ids("q=振") == [vibration], "a single kanji matches"
    assert ids("q=ｖｉｂｒａｔｉｏｎ") == [vibration], "full-width Latin is folded"
    assert ids("q=submarine") == []
    assert set(ids("")) == {bridge, vibration}, "drafts are not listed to others"
    assert ids("category=manufacturing") == [vibration]
    assert ids("tag=橋梁") == [bridge]
    assert ids(f"seller={other_seller.id}") == [vibration]
    assert ids("data_class=anonymized") == []
    assert len(ids("", party=seller)) == 3, "a seller also sees its own drafts"
    assert_problem(buyer.client.get("/api/v1/datasets?data_class=personal"), 400)
    assert_problem(buyer.client.get("/api/v1/datasets?seller=not-a-uuid"), 400)


def test_anonymous_can_browse_the_catalog(seller, anonymous, django_capture_on_commit_callbacks) -> None:
    dataset_id = _published(seller, django_capture_on_commit_callbacks)
    assert [d["id"] for d in anonymous.get("/api/v1/datasets").json()["results"]] == [dataset_id]
    assert anonymous.get(f"/api/v1/datasets/{dataset_id}/sample").status_code == 200


def test_pagination_is_cursor_based(seller, buyer, django_capture_on_commit_callbacks) -> None:
    for i in range(3):
        _published(seller, django_capture_on_commit_callbacks, title=f"Gauge set {i}")
    first = buyer.client.get("/api/v1/datasets?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = buyer.client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert not {d["id"] for d in first["results"]} & {d["id"] for d in second["results"]}


def test_edit_metadata_and_withdraw(seller, other_seller, buyer, django_capture_on_commit_callbacks) -> None:
    dataset_id = _published(seller, django_capture_on_commit_callbacks)
    url = f"/api/v1/datasets/{dataset_id}"
    assert_problem(other_seller.client.patch(url, {"title": "Mine now"}, format="json"), 404)
    assert_problem(seller.client.patch(url, {"data_class": "anonymized"}, format="json"), 400)
    edited = seller.client.patch(url, {"title": "Yodogawa strain", "tags": ["淀川"]}, format="json")
    assert edited.status_code == 200 and edited.json()["title"] == "Yodogawa strain"
    assert [d["id"] for d in buyer.client.get("/api/v1/datasets?q=淀川").json()["results"]] == [dataset_id]

    assert_problem(other_seller.client.post(f"{url}/withdraw", {}, format="json"), 404)
    withdrawn = seller.client.post(f"{url}/withdraw", {"reason": "sensor recalibration"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert buyer.client.get("/api/v1/datasets?q=淀川").json()["results"] == [], "withdrawn leaves search"
    assert buyer.client.get(url).json()["status"] == "withdrawn", "licensees can still read it"
    assert_problem(seller.client.post(f"{url}/withdraw", {}, format="json"), 409, "invalid-transition")
    assert_problem(upload(seller, dataset_id, iot_csv()), 409)
    assert seller.client.post(f"{url}/relist", format="json").json()["status"] == "published"


@pytest.mark.parametrize("body", ["[]", "0", "false", "null", '"sold"', '[{"reason": "x"}]'])
def test_a_withdrawal_body_that_is_not_a_json_object_is_a_400(
    seller, django_capture_on_commit_callbacks, body: str
) -> None:
    dataset_id = _published(seller, django_capture_on_commit_callbacks)
    url = f"/api/v1/datasets/{dataset_id}/withdraw"
    assert_problem(seller.client.post(url, body, content_type="application/json"), 400, "invalid")
    assert Dataset.objects.get(pk=dataset_id).status == "published"
    assert seller.client.post(url).json()["status"] == "withdrawn", "no body at all: no reason"


def test_anonymisation_disclosure_is_fixed_after_publication(seller, django_capture_on_commit_callbacks) -> None:
    dataset = create(seller, iot_payload(data_class="anonymized", anonymization=ANONYMIZATION))
    upload_validated(seller, dataset["id"], anonymized_csv(), django_capture_on_commit_callbacks)
    changed = {**ANONYMIZATION, "method": "something else"}
    response = seller.client.patch(f"/api/v1/datasets/{dataset['id']}", {"anonymization": changed}, format="json")
    assert_problem(response, 409)


def test_other_organisations_ids_and_garbage_ids_are_404(seller, buyer) -> None:
    draft = create(seller, iot_payload())
    for url in (
        f"/api/v1/datasets/{draft['id']}",
        f"/api/v1/datasets/{draft['id']}/sample",
        f"/api/v1/datasets/{draft['id']}/versions/1",
        "/api/v1/datasets/not-a-uuid",
        "/api/v1/datasets/00000000-0000-0000-0000-000000000000/versions/x",
    ):
        assert_problem(buyer.client.get(url), 404, "not-found")


def test_version_upload_is_idempotent(seller, django_capture_on_commit_callbacks) -> None:
    dataset = create(seller, iot_payload())
    url = f"/api/v1/datasets/{dataset['id']}/versions"

    def post(content: bytes) -> Any:
        return seller.client.post(
            url,
            {"file": SimpleUploadedFile("d.csv", content)},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="up-1",
        )

    with django_capture_on_commit_callbacks(execute=True):
        first = post(iot_csv())
    second = post(iot_csv())
    assert first.status_code == second.status_code == 202 and first.json() == second.json()
    assert DatasetVersion.objects.count() == 1
    assert_problem(post(iot_csv(31)), 409, "idempotency-conflict")


# --- the identifier screen runs on every upload, whatever its data class --------------------------------------


def _my_number(body: int) -> str:
    """A 12-digit number whose last digit is the My Number check digit of the eleven before it."""
    digits = f"{body:011d}"
    total = sum(int(d) * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(digits), start=1))
    return digits + str(0 if total % 11 <= 1 else 11 - total % 11)


# Each leak is a column the seller adds to an otherwise clean file: (column, its value on row i, published?).
LEAKS: dict[str, tuple[str, Any, bool]] = {
    "e-mail column": ("contact", lambda i: f"owner{i}@mail.example.jp", False),
    "My Number column": ("resident_no", lambda i: _my_number(27182818284 + 7_919 * i), False),
    "compact timestamps": ("read_at", lambda i: int(f"2024040{1 + i // 24}{i % 24:02d}{(i * 7) % 60:02d}"), True),
}


def _file(data_class: str, fmt: str, leak: str | None, rows: int = 40) -> bytes:
    records: list[dict[str, Any]] = []
    for i in range(rows):
        if data_class == "iot":
            record: dict[str, Any] = {
                "timestamp": f"2024-04-01T{i // 6:02d}:{(i % 6) * 10:02d}:00+09:00",
                "sensor_id": f"SG-0{i % 3 + 1}",
                "strain": 100 + i,
            }
        else:
            record = {
                "age_band": f"{20 + (i % 2) * 10}-{29 + (i % 2) * 10}",
                "prefecture": "Osaka" if i % 4 < 2 else "Kyoto",
                "amount_jpy": 100 + i,
            }
        if leak is not None:
            column, value, _published = LEAKS[leak]
            record[column] = value(i)
        records.append(record)
    if fmt == "jsonl":
        return "".join(json.dumps(record) + "\n" for record in records).encode()
    if fmt == "parquet":
        for record in records:
            if "timestamp" in record:  # a real timestamp type, as IoT exports write it
                record["timestamp"] = datetime.fromisoformat(record["timestamp"])
        return parquet_bytes(pa.Table.from_pylist(records), row_group_size=16)
    lines = [",".join(records[0])] + [",".join(str(v) for v in record.values()) for record in records]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("leak", list(LEAKS))
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("data_class", ["iot", "anonymized"])
def test_identifiers_keep_any_version_from_publishing_and_out_of_every_sample(
    seller, buyer, client, django_capture_on_commit_callbacks, data_class: str, fmt: str, leak: str
) -> None:
    """An IoT upload is screened like an anonymised one: an identifier column keeps the version from publishing,
    so neither the API's sample nor the dataset page ever shows it; a column that only looks numeric-identifying
    (compact timestamps, some of which pass the My Number check digit by chance) is published as usual."""
    extra = {"anonymization": ANONYMIZATION} if data_class == "anonymized" else {}
    dataset = create(seller, iot_payload(data_class=data_class, **extra))
    name = f"data.{fmt}"
    first = upload_validated(
        seller, dataset["id"], _file(data_class, fmt, None), django_capture_on_commit_callbacks, name
    )
    assert first["status"] == "published", first["checks"]

    column, value, published = LEAKS[leak]
    content = _file(data_class, fmt, leak)
    version = upload_validated(seller, dataset["id"], content, django_capture_on_commit_callbacks, name)
    screen = next(c for c in version["checks"] if c["name"] == "direct_identifiers")
    values = [str(value(i)) for i in range(40)]
    if published:
        assert version["status"] == "published" and screen["passed"], version["checks"]
        sample = buyer.client.get(f"/api/v1/datasets/{dataset['id']}/sample").json()
        assert sample["version"] == 2 and column in sample["columns"]
        return

    assert version["status"] == "rejected" and not screen["passed"], version["checks"]
    assert f"'{column}' (40)" in screen["detail"], screen["detail"]
    assert not any(v in screen["detail"] for v in values), "the report masks what it found"
    for party in (buyer.client, seller.client):
        sample = party.get(f"/api/v1/datasets/{dataset['id']}/sample").json()
        assert sample["version"] == 1 and column not in sample["columns"], sample
    assert [v["number"] for v in buyer.client.get(f"/api/v1/datasets/{dataset['id']}").json()["versions"]] == [1]
    page = client.get(f"/datasets/{dataset['id']}/").content.decode()
    assert "SG-0" in page or "Osaka" in page, "the page shows the published sample"
    assert f">{column}<" not in page and not any(v in page for v in values)


def test_parquet_upload_is_validated_by_its_own_schema(seller, buyer, django_capture_on_commit_callbacks) -> None:
    """A Parquet file's types come from its metadata (no inference), its rows are read a row group at a time, and
    the version's format, sample and time range are those of any other version."""
    dataset = create(seller, iot_payload())
    rows = 50
    table = pa.table(
        {
            "timestamp": pa.array(
                [datetime.fromisoformat(f"2024-04-01T{i // 6:02d}:{(i % 6) * 10:02d}:00+09:00") for i in range(rows)],
                pa.timestamp("ms", tz="+09:00"),
            ),
            "sensor_id": pa.array([f"SG-0{i % 3 + 1}" for i in range(rows)]).dictionary_encode(),
            "strain": [100.0 + i / 2 for i in range(rows)],
            "count": pa.array(range(rows), pa.int32()),
            "ok": [i % 7 != 0 for i in range(rows)],
            "note": [None if i % 2 else "checked" for i in range(rows)],
        }
    )
    version = upload_validated(
        seller, dataset["id"], parquet_bytes(table, row_group_size=16), django_capture_on_commit_callbacks, "s.parquet"
    )
    assert version["status"] == "published", version["checks"]
    assert version["format"] == "parquet" and version["row_count"] == rows
    assert version["schema"] == [
        {"name": "timestamp", "type": "datetime", "nullable": False},
        {"name": "sensor_id", "type": "string", "nullable": False},
        {"name": "strain", "type": "number", "nullable": False},
        {"name": "count", "type": "integer", "nullable": False},
        {"name": "ok", "type": "boolean", "nullable": False},
        {"name": "note", "type": "string", "nullable": True},
    ]
    checks = {c["name"]: c for c in version["checks"]}
    assert checks["parse"]["detail"] == "Parquet with 6 columns and 50 rows in 4 row groups."
    assert version["time_range"] == ["2024-04-01T00:00:00+09:00", "2024-04-01T08:10:00+09:00"]
    sample = buyer.client.get(f"/api/v1/datasets/{dataset['id']}/sample").json()
    assert sample["rows"][:2] == [
        ["2024-04-01T00:00:00+09:00", "SG-01", 100.0, 0, False, "checked"],
        ["2024-04-01T00:10:00+09:00", "SG-02", 100.5, 1, True, None],
    ]


def test_parquet_k_anonymity_and_a_broken_parquet_file(seller, django_capture_on_commit_callbacks) -> None:
    dataset = create(seller, iot_payload(data_class="anonymized", category="retail", anonymization=ANONYMIZATION))
    table = pa.table(
        {
            "age_band": ["20-29"] * 12 + ["30-39"] * 2,
            "prefecture": ["Osaka"] * 14,
            "amount_jpy": pa.array(range(14), pa.int64()),
        }
    )
    name = "a.parquet"
    version = upload_validated(seller, dataset["id"], parquet_bytes(table), django_capture_on_commit_callbacks, name)
    k_check = next(c for c in version["checks"] if c["name"] == "k_anonymity")
    assert version["status"] == "rejected" and not k_check["passed"]
    assert (
        "k = 2 over (age_band, prefecture)" in k_check["detail"]
        and "('30-39', 'Osaka') has 2 rows" in k_check["detail"]
    )

    cut = parquet_bytes(table)[:-40]  # the footer, where Parquet keeps its schema, is cut off
    version = upload_validated(seller, dataset["id"], cut, django_capture_on_commit_callbacks, name)
    assert version["status"] == "rejected"
    parse = next(c for c in version["checks"] if c["name"] == "parse")
    assert not parse["passed"] and parse["detail"].startswith("The Parquet file cannot be read")
    version = upload_validated(seller, dataset["id"], anonymized_csv(), django_capture_on_commit_callbacks, name)
    encoding = next(c for c in version["checks"] if c["name"] == "encoding")
    assert version["status"] == "rejected" and "not a Parquet file" in encoding["detail"]
