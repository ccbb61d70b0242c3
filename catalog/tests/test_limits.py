"""Issue 13, findings 3 and 4: one file never takes the market down. Past the published limits a file is refused
with a check; a version stored before the limits still gives bounded pages and responses; k-anonymity counts in
bounded memory with the exact verdict; a validation killed again and again is rejected, not redelivered forever."""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from catalog.models import Dataset, DatasetVersion
from catalog.services.datasets import dataset_create
from catalog.services.versions import version_upload
from catalog.tasks import sweep_validating_versions, validate_version
from catalog.validation import _kanon, validate_stream
from catalog.validation._errors import preview
from tests.builders import Party, iot_csv, published_dataset, signed_in

WIDE = 200_000  # the reproduction: a 2.7 MB CSV of 200,000 columns published, and its page cost 15.7 s


# --- a version stored before the limits: bounded page and API -------------------------------------------------


def _stored_wide_version(seller: Party) -> Dataset:
    """A published version as a file of 200,000 columns and 20 rows would have left it before the limits: the
    schema, the sample and the schema check's detail built directly, each with every column."""
    dataset = published_dataset(seller)
    names = [f"column_{i:06d}" for i in range(WIDE)]
    DatasetVersion.objects.filter(dataset=dataset).update(
        schema=[{"name": name, "type": "integer", "nullable": False} for name in names],
        sample={"columns": names, "rows": [[i * j for j in range(WIDE)] for i in range(20)]},
        checks=[{"name": "schema", "passed": True, "detail": ", ".join(f"{name}: integer" for name in names)}],
    )
    return dataset


@pytest.mark.django_db
def test_a_version_stored_with_200000_columns_gives_a_bounded_page_and_api(seller: Party, anonymous: Any) -> None:
    dataset = _stored_wide_version(seller)

    page = Client().get(f"/datasets/{dataset.id}/")
    assert page.status_code == 200
    assert len(page.content) < 300_000, len(page.content)
    html = page.content.decode()
    assert "column_000199" in html and "column_000200" not in html  # the schema's first 200 columns
    assert "199,800 more columns are not shown." in html
    assert "199,970 more columns are not shown." in html  # the sample's first 30

    own_page = signed_in(seller).get(f"/sell/datasets/{dataset.id}/versions/1/")
    assert own_page.status_code == 200 and len(own_page.content) < 300_000, len(own_page.content)
    assert "199,800 more columns are not shown." in own_page.content.decode()

    version = anonymous.get(f"/api/v1/datasets/{dataset.id}/versions/1")
    assert version.status_code == 200 and len(version.content) < 200_000, len(version.content)
    body = version.json()
    assert len(body["schema"]) == 1000 and body["schema_columns_omitted"] == WIDE - 1000
    assert len(body["checks"][0]["detail"]) == 2000 and body["checks"][0]["detail"].endswith("…")

    detail = anonymous.get(f"/api/v1/datasets/{dataset.id}")
    assert detail.status_code == 200 and len(detail.content) < 200_000, len(detail.content)
    assert detail.json()["versions"][0]["schema_columns_omitted"] == WIDE - 1000

    sample = anonymous.get(f"/api/v1/datasets/{dataset.id}/sample")
    assert sample.status_code == 200 and len(sample.content) < 100_000, len(sample.content)
    assert sample.json()["columns_omitted"] == WIDE - 100
    assert [len(row) for row in sample.json()["rows"]] == [100] * 20


@pytest.mark.django_db
def test_the_note_on_left_out_columns_is_translated(seller: Party) -> None:
    dataset = _stored_wide_version(seller)
    html = Client(headers={"accept-language": "ja"}).get(f"/datasets/{dataset.id}/").content.decode()
    assert "ほか 199,800 列は表示していません。" in html


@pytest.mark.django_db
def test_an_upload_past_the_market_settings_is_rejected_with_the_limits_check(seller: Party, settings: Any) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "MAX_COLUMNS": 2}
    version = _validating(seller)
    assert validate_version(str(version.id)) == "rejected"
    version.refresh_from_db()
    assert [check["name"] for check in version.checks] == ["checksum", "encoding", "limits"]
    assert version.checks[-1]["detail"] == (
        "The header has 3 columns; the market accepts at most 2 columns (setting ICHIBA_MAX_COLUMNS)."
    )
    page = signed_in(seller, lang="ja").get(f"/sell/datasets/{version.dataset_id}/versions/1/").content.decode()
    assert "市場の上限" in page and "見出し行に 3 列あります" in page


# --- the redelivery cap ----------------------------------------------------------------------------------------


def _validating(seller: Party) -> DatasetVersion:
    """A version just uploaded: its validation is enqueued on commit, which a test's transaction never reaches."""
    dataset = dataset_create(
        seller_id=seller.organization.id,
        title="Gauges",
        data_class="iot",
        category="infrastructure",
        tags=[],
        region="",
        update_frequency="once",
        anonymization=None,
    )
    return version_upload(
        dataset_id=dataset.id,
        seller_id=seller.organization.id,
        upload=ContentFile(iot_csv(), name="g.csv"),
        original_filename="g.csv",
    )


def _killed(version: DatasetVersion, times: int) -> None:
    """What ``times`` deliveries killed mid-task (SIGKILL from the OOM killer, past the time limit) leave: each
    counted before its work started, the last one longer ago than the task's time limit."""
    DatasetVersion.objects.filter(pk=version.pk).update(
        validation_attempts=times, validation_started_at=timezone.now() - timedelta(hours=1, minutes=5)
    )


@pytest.mark.django_db
def test_a_validation_interrupted_as_often_as_allowed_is_rejected_instead_of_redelivered(seller: Party) -> None:
    version = _validating(seller)
    _killed(version, 3)
    assert validate_version(str(version.id)) == "rejected"
    version.refresh_from_db()
    assert version.validation_attempts == 4
    assert [check["name"] for check in version.checks] == ["interrupted"]
    assert version.checks[0]["detail"].startswith("Validation was interrupted 3 times")
    assert "ICHIBA_VALIDATION_MAX_ATTEMPTS" in version.checks[0]["detail"]
    assert validate_version(str(version.id)) == "rejected"  # a late redelivery changes nothing
    assert DatasetVersion.objects.get(pk=version.pk).validation_attempts == 4
    page = signed_in(seller, lang="ja").get(f"/sell/datasets/{version.dataset_id}/versions/1/").content.decode()
    assert "検証が 3 回中断されました" in page


@pytest.mark.django_db
def test_fewer_interruptions_are_tried_again_and_counted(seller: Party) -> None:
    version = _validating(seller)
    _killed(version, 2)
    assert validate_version(str(version.id)) == "published"
    assert DatasetVersion.objects.get(pk=version.pk).validation_attempts == 3


@pytest.mark.django_db
def test_a_delivery_while_another_runs_is_neither_counted_nor_run_and_the_sweeper_leaves_it(seller: Party) -> None:
    version = _validating(seller)
    DatasetVersion.objects.filter(pk=version.pk).update(
        validation_attempts=1,
        validation_started_at=timezone.now() - timedelta(minutes=10),
        created_at=timezone.now() - timedelta(hours=3),
    )
    assert validate_version(str(version.id)) == "validating"
    assert DatasetVersion.objects.get(pk=version.pk).validation_attempts == 1
    assert sweep_validating_versions() == 0  # still within its time limit: not stuck
    _killed(version, 1)
    assert sweep_validating_versions() == 1  # its worker died: re-driven (eagerly here), and counted
    version.refresh_from_db()
    assert version.status == "published" and version.validation_attempts == 2


# --- k-anonymity in bounded memory, with the exact verdict -----------------------------------------------------


def _distinct_rows(rows: int) -> bytes:
    return ("age,zip,amount\n" + "".join(f"{i % 90},{i:07d},{i % 1000}\n" for i in range(rows))).encode()


@pytest.mark.parametrize("path", ["arrow", "hand-written"])
def test_many_unique_rows_are_counted_exactly_under_a_small_memory_budget(
    monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """300,000 distinct combinations (the worst case: a group per row) with DuckDB's memory limited to 8 MB, less
    than their keys alone take: DuckDB spills its hash table to disk and, past what it still needs in memory, the
    groups are counted again in parts. The verdict and the figures are those of counting everything at once."""
    monkeypatch.setattr(_kanon, "MEMORY_LIMIT", "8MB")
    counted_in: list[int] = []
    count = _kanon.KAnonymity._count

    def recording(self: _kanon.KAnonymity, connection: Any, keys: str, k: int, parts: int, part: int) -> Any:
        counted_in.append(parts)
        return count(self, connection, keys, k, parts, part)

    monkeypatch.setattr(_kanon.KAnonymity, "_count", recording)
    data = _distinct_rows(300_000)
    stream = io.BytesIO(data) if path == "arrow" else _Unseekable(data)
    report = validate_stream(stream, fmt="csv", data_class="anonymized", quasi_identifiers=["age", "zip"])
    detail = report.check("k_anonymity").detail  # type: ignore[union-attr]
    assert detail.startswith(
        "k = 1 over (age, zip): 300,000 of 300,000 groups (300,000 rows) have fewer than 5 rows, "
        "e.g. ('0', '0000000') has 1 row; ('1', '0000001') has 1 row; ('2', '0000002') has 1 row."
    )
    assert counted_in[0] == 1 and max(counted_in) > 1  # one part did not fit in 8 MB; smaller parts did


class _Unseekable(io.BytesIO):
    """A stream that cannot seek: read by the hand-written reader, which hands the counter Python lists."""

    def seekable(self) -> bool:
        return False


def _kanon_detail(data: bytes, fmt: str, quasi: list[str], k: int = 5) -> str:
    report = validate_stream(io.BytesIO(data), fmt=fmt, data_class="anonymized", quasi_identifiers=quasi, k=k)  # type: ignore[arg-type]
    found = report.check("k_anonymity")
    assert found is not None
    return f"{found.passed} {found.detail}"


def _random_csv(rnd: random.Random, rows: int) -> bytes:
    lines = ["band,pref,note"]
    for _ in range(rows):
        lines.append(f"{rnd.randrange(8) * 10},{rnd.choice('ABCDEFGHIJ' * 3 + 'KLMNOPQRSTUVWXYZ')},{rnd.random()}")
    return ("\n".join(lines) + "\n").encode()


def _random_jsonl(rnd: random.Random, rows: int) -> bytes:
    values: list[Any] = [1, 1.0, True, "1", None, [1, 2], {"b": 1, "a": 2}, "値", 2.5, 0, -0.0, False]
    return "".join(
        json.dumps({"a": rnd.choice(values), "b": rnd.choice(values), "c": rnd.randrange(3)}, ensure_ascii=False) + "\n"
        for _ in range(rows)
    ).encode()


def _in_memory_detail(data: bytes, fmt: str, quasi: list[str], k: int = 5) -> str:
    """The check as counting every group in memory gives it, by Python's equality of the values read (1, 1.0 and
    true one group; a JSON array or object by its canonical text), the first seen of equal groups first."""
    if fmt == "csv":
        rows: list[dict[str, Any]] = list(csv.DictReader(io.StringIO(data.decode())))
    else:
        rows = [json.loads(line) for line in data.decode().splitlines()]
    groups: Counter[tuple[Any, ...]] = Counter(
        tuple(
            json.dumps(v, sort_keys=True, ensure_ascii=False) if isinstance(v, list | dict) else v
            for v in (row.get(name) for name in quasi)
        )
        for row in rows
    )
    over = f"({', '.join(quasi)})"
    small = [(n, order, key) for order, (key, n) in enumerate(groups.items()) if n < k]
    if not small:
        return f"True k = {min(groups.values()):,} over {over}: all {len(groups):,} groups have at least {k} rows."
    shown = "; ".join(
        "("
        + ", ".join("null" if v is None else preview(str(v), 24) for v in key)
        + f") has {n:,} row"
        + ("s" if n != 1 else "")
        for n, _, key in sorted(small)[:3]
    )
    return (
        f"False k = {min(groups.values()):,} over {over}: {len(small):,} of {len(groups):,} groups "
        f"({sum(n for n, _, _ in small):,} rows) have fewer than {k} rows, e.g. {shown}. Generalise these columns "
        "(wider bands, coarser regions) or suppress the rare combinations."
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("parts", [1, 8])
def test_the_counts_give_the_verdict_and_detail_of_counting_in_memory(
    monkeypatch: pytest.MonkeyPatch, seed: int, parts: int
) -> None:
    """Whether the groups are counted at once or in parts (as past DuckDB's memory limit), the check is what
    counting them in memory by Python's equality gives: the rule the hand-written counter had."""
    rnd = random.Random(seed)
    cases = [
        (_random_csv(rnd, 3000), "csv", ["band", "pref"], 5),
        (_random_csv(rnd, 3000), "csv", ["pref"], 2),
        (_random_jsonl(rnd, 2000), "jsonl", ["a", "b"], 3),
        (_random_jsonl(rnd, 2000), "jsonl", ["a", "c"], 40),
    ]
    monkeypatch.setattr(_kanon, "FIRST_PARTS", parts)
    assert [_kanon_detail(*case) for case in cases] == [_in_memory_detail(*case) for case in cases]
