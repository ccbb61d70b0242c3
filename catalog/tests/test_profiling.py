"""A published version's quality figures and renditions (catalog.profiling,
docs/domain.md#quality-figures-and-renditions): the figures on small hand-made files of each format, the renditions
read back, and the task that stores them once."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from celery.exceptions import Retry
from django.core.files.base import ContentFile
from django.db import connection

from catalog.models import CatalogEvent, DatasetVersion, VersionRendition
from catalog.profiling import Profile, profile_file
from catalog.quality import DISTINCT_EXACT_UP_TO
from catalog.selectors import PROFILE_FAILED, PROFILE_MAX_ATTEMPTS, PROFILE_STARTED
from catalog.services.versions import (
    version_profile,
    version_upload,
    version_validate,
    versions_unprofiled,
)
from catalog.tasks import PROFILE_MAX_RETRIES, profile_version, sweep_unprofiled_versions
from catalog.validation import validate_stream
from tests.builders import Party, published_dataset, readings_csv

PUBLISHED = datetime(2024, 2, 1, tzinfo=UTC)


def profiled(tmp_path: Path, content: bytes, fmt: str, *, data_class: str = "iot") -> tuple[Profile, dict[str, Any]]:
    """Validate ``content`` as the market does, then profile it with the validated schema and encoding."""
    path = tmp_path / f"original.{fmt}"
    path.write_bytes(content)
    with path.open("rb") as stream:
        report = validate_stream(stream, fmt=fmt, data_class=data_class).to_dict()  # type: ignore[arg-type]
    assert report["passed"], report["checks"]
    encoding = "cp932" if any("cp932" in check["detail"] for check in report["checks"][:1]) else None
    profile = profile_file(
        path,
        fmt=fmt,
        schema=report["schema"],
        encoding=encoding,
        published_at=PUBLISHED,
        work_dir=tmp_path / "work",
        data_class=data_class,
    )
    return profile, report


def columns(profile: Profile) -> dict[str, dict[str, Any]]:
    return {column["name"]: dict(column) for column in profile.quality["columns"]}


def rendition(profile: Profile, file_format: str) -> Path:
    (found,) = [r for r in profile.renditions if r.file_format == file_format]
    assert found.size_bytes == found.path.stat().st_size
    assert found.sha256 == hashlib.sha256(found.path.read_bytes()).hexdigest()
    return found.path


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


# --- the figures and the renditions of each format -----------------------------------------------------


def test_a_csv_file_s_figures_and_its_parquet_rendition_typed_per_the_schema(tmp_path: Path) -> None:
    content = (
        b"sensor_id,timestamp,temp,count,ok,day,code\n"
        b"A,2024-01-01T00:00:00+09:00,1.5,+3,true,2024-01-01,007\n"
        b"A,2024-01-01T00:01:00+09:00,,4,FALSE,2024-01-02,007\n"
        b"B,2024-01-01T00:00:00+09:00,-2.25,,True,,x\n"
        b"B,2024-01-01T00:10:00+09:00,.5,10,,2024-01-03,\n"
    )
    profile, _ = profiled(tmp_path, content, "csv")
    quality = profile.quality
    assert quality["rows"] == 4
    figures = columns(profile)
    assert figures["temp"] | {} == {
        "name": "temp",
        "type": "number",
        "null_count": 1,
        "null_rate": 0.25,
        "distinct": 3,
        "distinct_approximate": False,
        "min": -2.25,
        "max": 1.5,
    }
    assert (figures["count"]["min"], figures["count"]["max"], figures["count"]["null_count"]) == (3, 10, 1)
    assert (figures["ok"]["distinct"], figures["ok"]["min"], figures["ok"]["null_count"]) == (2, None, 1)
    assert (figures["day"]["min"], figures["day"]["max"]) == ("2024-01-01", "2024-01-03")
    assert figures["timestamp"]["min"] == "2023-12-31T15:00:00+00:00"  # an offset: held as UTC
    assert (figures["code"]["distinct"], figures["code"]["min"], figures["code"]["null_count"]) == (2, None, 1)
    assert [r.file_format for r in profile.renditions] == ["parquet"], "never a CSV of a CSV"

    table = pq.read_table(rendition(profile, "parquet"))
    assert table.schema.types == [
        pa.string(),
        pa.timestamp("us", tz="UTC"),
        pa.float64(),
        pa.int64(),
        pa.bool_(),
        pa.date32(),
        pa.string(),
    ]
    assert table.column("temp").to_pylist() == [1.5, None, -2.25, 0.5]
    assert table.column("count").to_pylist() == [3, 4, None, 10]
    assert table.column("ok").to_pylist() == [True, False, True, None]
    assert table.column("code").to_pylist() == ["007", "007", "x", None]
    assert table.column("timestamp")[0].as_py() == datetime(2023, 12, 31, 15, tzinfo=UTC)


def test_a_cp932_csv_with_quotes_crlf_and_a_newline_in_a_cell_reads_as_validation_read_it(tmp_path: Path) -> None:
    text = (
        "センサーID,時刻,メモ,値\r\n"
        '東京,2024-01-01T00:00:00,"彼は""こんにちは""と言った\r\n二行目",1\r\n'
        '大阪,2024-01-01T00:00:00,"a,b",2\r\n'
        "東京,2024-01-01T00:30:00,,3\r\n"
    )
    profile, report = profiled(tmp_path, text.encode("cp932"), "csv")
    assert report["checks"][0]["detail"] == "Shift_JIS (cp932)."
    table = pq.read_table(rendition(profile, "parquet"))
    assert table.column("メモ").to_pylist() == ['彼は"こんにちは"と言った\r\n二行目', "a,b", None]
    assert table.column("センサーID").to_pylist() == ["東京", "大阪", "東京"]
    timing = profile.quality["timing"]
    assert timing is not None
    # No column is named like a timestamp: the first date-time column is, as validation chose it.
    assert (timing["timestamp_column"], timing["sensor_column"], timing["sensors"]) == ("時刻", "センサーID", 2)
    assert timing["largest_gap"] == {
        "sensor": "東京",
        "start": "2024-01-01T00:00:00",
        "end": "2024-01-01T00:30:00",
        "seconds": 1800.0,
    }
    # Readings without an offset are in the market's time zone (Asia/Tokyo): 31 days and 9 hours, less 30 minutes.
    assert timing["freshness_seconds"] == (31 * 24 + 9) * 3600 - 1800


def test_json_lines_with_nested_values_become_json_text_in_both_renditions(tmp_path: Path) -> None:
    lines = [
        {"device": "d1", "ts": "2024-01-01T00:00:00Z", "reading": {"a": [1, 2], "ja": "値"}, "n": 1},
        {"device": "d1", "ts": "2024-01-01T01:00:00Z", "reading": "plain", "n": 2.5},
        {"device": "d2", "ts": "2024-01-01T00:00:00Z", "n": None},
    ]
    content = ("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n\n").encode()
    profile, _ = profiled(tmp_path, content, "jsonl")
    assert sorted(r.file_format for r in profile.renditions) == ["csv", "parquet"]
    figures = columns(profile)
    assert (figures["reading"]["type"], figures["reading"]["null_count"], figures["reading"]["distinct"]) == (
        "string",
        1,
        2,
    )
    assert (figures["n"]["min"], figures["n"]["max"]) == (1.0, 2.5)
    nested = json.dumps({"a": [1, 2], "ja": "値"}, ensure_ascii=False)
    table = pq.read_table(rendition(profile, "parquet"))
    assert table.column("reading").to_pylist() == [nested, "plain", None]
    assert table.column("n").to_pylist() == [1.0, 2.5, None]
    rows = csv_rows(rendition(profile, "csv"))
    assert rows[0] == ["device", "ts", "reading", "n"]
    assert [row[2] for row in rows[1:]] == [nested, "plain", ""]
    assert rendition(profile, "csv").read_bytes().count(b"\r\n") == 4, "RFC 4180 line ends"


def test_a_parquet_file_gets_a_csv_rendition_that_parses_back_to_its_values(tmp_path: Path) -> None:
    table = pa.table(
        {
            "station_id": pa.array([7, 7, 8, 7], pa.int32()),
            "timestamp": pa.array(
                [datetime(2024, 1, 1, h, tzinfo=UTC) for h in (0, 2, 0, 3)], pa.timestamp("ms", tz="UTC")
            ),
            "level": pa.array([1.25, None, 3.0, 4.5]),
            "tags": pa.array([["a", "b"], None, [], ["c"]]),
            "note": pa.array(['say "x"', "two\nlines", None, "ok"]),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    profile, _ = profiled(tmp_path, sink.getvalue(), "parquet")
    assert [r.file_format for r in profile.renditions] == ["csv"]
    rows = csv_rows(rendition(profile, "csv"))
    assert rows[0] == ["station_id", "timestamp", "level", "tags", "note"]
    assert [row[0] for row in rows[1:]] == ["7", "7", "8", "7"]
    assert [datetime.fromisoformat(row[1]) for row in rows[1:]] == table.column("timestamp").to_pylist()
    assert [row[2] for row in rows[1:]] == ["1.25", "", "3", "4.5"]
    assert [row[3] for row in rows[1:]] == ['["a", "b"]', "", "[]", '["c"]']
    assert [row[4] for row in rows[1:]] == ['say "x"', "two\nlines", "", "ok"]
    figures = columns(profile)
    assert (figures["station_id"]["min"], figures["station_id"]["max"], figures["station_id"]["distinct"]) == (7, 8, 2)
    assert figures["tags"]["distinct"] == 3
    timing = profile.quality["timing"]
    assert timing is not None
    assert (timing["sensor_column"], timing["sensors"]) == ("station_id", 2)
    assert timing["largest_gap"] is not None and timing["largest_gap"]["seconds"] == 7200.0
    assert timing["newest_reading"] == "2024-01-01T03:00:00+00:00"


def test_gaps_per_sensor_in_time_order_with_a_known_largest_gap(tmp_path: Path) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    readings = []
    for sensor, step in (("s1", 60), ("s2", 120)):
        for i in range(100):
            readings.append((sensor, start + timedelta(seconds=i * step)))
    readings.append(("s2", start + timedelta(seconds=99 * 120 + 3600)))  # s2 silent for an hour
    readings.reverse()  # out of order in the file: gaps are taken in time order per sensor
    content = "device_id,timestamp,v\n" + "".join(f"{s},{t.isoformat()},1\n" for s, t in readings)
    profile, _ = profiled(tmp_path, content.encode(), "csv")
    timing = profile.quality["timing"]
    assert timing is not None
    assert (timing["sensor_column"], timing["sensors"]) == ("device_id", 2)
    # 99 gaps of 60 s, 99 of 120 s and one of 3600 s: the median is 120 s (the 100th of 199), p99 120 s.
    assert timing["interval_median_seconds"] == 120.0
    assert timing["interval_p99_seconds"] == 120.0
    assert timing["largest_gap"] == {
        "sensor": "s2",
        "start": (start + timedelta(seconds=99 * 120)).isoformat(),
        "end": (start + timedelta(seconds=99 * 120 + 3600)).isoformat(),
        "seconds": 3600.0,
    }
    newest = start + timedelta(seconds=99 * 120 + 3600)
    assert timing["newest_reading"] == newest.isoformat()
    assert timing["freshness_seconds"] == (PUBLISHED - newest).total_seconds()


def test_one_series_without_a_sensor_column_and_anonymised_data_without_timing(tmp_path: Path) -> None:
    profile, _ = profiled(tmp_path, readings_csv(5), "csv")
    timing = profile.quality["timing"]
    assert timing is not None
    assert (timing["sensor_column"], timing["sensors"], timing["interval_median_seconds"]) == (None, 1, 60.0)
    assert timing["largest_gap"] is not None and timing["largest_gap"]["sensor"] is None
    anonymised = b"age_band,prefecture,amount\n20s,Tokyo,100\n20s,Tokyo,200\n"
    path = tmp_path / "a.csv"
    path.write_bytes(anonymised)
    schema = [
        {"name": "age_band", "type": "string", "nullable": False},
        {"name": "prefecture", "type": "string", "nullable": False},
        {"name": "amount", "type": "integer", "nullable": False},
    ]
    quality = profile_file(
        path,
        fmt="csv",
        schema=schema,
        encoding=None,
        published_at=PUBLISHED,
        work_dir=tmp_path / "w2",
        data_class="anonymized",
    ).quality
    assert quality["timing"] is None and quality["rows"] == 2


def test_distinct_counts_are_exact_up_to_the_bound_and_estimated_past_it(tmp_path: Path) -> None:
    n = DISTINCT_EXACT_UP_TO + 20_000
    content = "timestamp,id,few\n" + "".join(f"2024-01-01T00:00:00Z,{i},{i % 7}\n" for i in range(n))
    profile, _ = profiled(tmp_path, content.encode(), "csv")
    figures = columns(profile)
    assert (figures["few"]["distinct"], figures["few"]["distinct_approximate"]) == (7, False)
    assert figures["timestamp"]["distinct"] == 1
    assert figures["id"]["distinct_approximate"] is True
    assert abs(figures["id"]["distinct"] - n) / n < 0.05, figures["id"]
    assert (figures["id"]["min"], figures["id"]["max"]) == (0, n - 1)


def test_an_integer_past_64_bits_keeps_its_digits_as_text(tmp_path: Path) -> None:
    huge = "123456789012345678901234567890"
    content = f"timestamp,n\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,{huge}\n".encode()
    profile, report = profiled(tmp_path, content, "csv")
    assert report["schema"][1]["type"] == "integer"
    table = pq.read_table(rendition(profile, "parquet"))
    assert table.column("n").to_pylist() == ["1", huge]
    assert columns(profile)["n"]["distinct"] == 2


def test_a_date_time_column_whose_first_values_come_late_is_typed_by_them(tmp_path: Path) -> None:
    # The first block has no value in "seen"; the values that come have an offset, so the column is UTC.
    rows = ["timestamp,seen"] + [f"2024-01-01T00:00:{i % 60:02d}Z," for i in range(200_000)]
    rows.append("2024-01-01T01:00:00Z,2024-01-02T00:00:00+09:00")
    profile, _ = profiled(tmp_path, ("\n".join(rows) + "\n").encode(), "csv")
    table = pq.read_table(rendition(profile, "parquet"), columns=["seen"])
    assert table.schema.field("seen").type == pa.timestamp("us", tz="UTC")
    assert table.column("seen")[-1].as_py() == datetime(2024, 1, 1, 15, tzinfo=UTC)


# --- the task: stored once, idempotent, failures recorded -------------------------------------------------


def publish(seller: Party, content: bytes, name: str = "data.csv", *, capture: Any = None) -> DatasetVersion:
    dataset = published_dataset(seller)
    version = version_upload(
        dataset_id=dataset.id,
        seller_id=seller.organization.id,
        upload=ContentFile(content, name=name),
        original_filename=name,
    )
    if capture is None:
        return version_validate(version_id=version.id)
    with capture(execute=True):
        return version_validate(version_id=version.id)


@pytest.mark.django_db
def test_publishing_queues_the_profile_on_commit_and_it_stores_figures_and_renditions(
    seller: Party, django_capture_on_commit_callbacks: Any
) -> None:
    version = publish(seller, readings_csv(30), capture=django_capture_on_commit_callbacks)
    version.refresh_from_db()
    assert version.status == "published"
    assert version.quality["rows"] == 30 and version.quality["timing"]["interval_median_seconds"] == 60.0
    (stored,) = version.renditions.all()
    assert stored.file_format == "parquet"
    with stored.file.open("rb") as data:
        body = data.read()
    assert len(body) == stored.size_bytes and hashlib.sha256(body).hexdigest() == stored.sha256
    assert pq.read_table(io.BytesIO(body)).column("value").to_pylist() == list(range(30))
    assert CatalogEvent.objects.filter(version=version, reason="profiled").count() == 1


@pytest.mark.django_db
def test_a_second_delivery_changes_nothing(seller: Party, django_capture_on_commit_callbacks: Any) -> None:
    version = publish(seller, readings_csv(10), capture=django_capture_on_commit_callbacks)
    before = list(VersionRendition.objects.filter(version=version).values_list("id", "file", "sha256"))
    assert before
    assert profile_version.delay(str(version.id)).get() is True
    version_profile(version_id=version.id)
    assert list(VersionRendition.objects.filter(version=version).values_list("id", "file", "sha256")) == before
    assert CatalogEvent.objects.filter(version=version, reason="profiled").count() == 1


@pytest.mark.django_db
def test_a_version_that_cannot_be_profiled_stays_published_without_figures(seller: Party) -> None:
    version = publish(seller, readings_csv(10))  # no on-commit callbacks run: not profiled yet
    assert version.status == "published" and version.quality == {}
    storage = version.file.storage
    storage.delete(version.file.name)
    storage.save(version.file.name, ContentFile(b"other,columns\n1,2\n"))
    assert profile_version.delay(str(version.id)).get() is False
    version.refresh_from_db()
    assert (version.status, version.quality, version.renditions.count()) == ("published", {}, 0)
    (failed,) = CatalogEvent.objects.filter(version=version, reason=PROFILE_FAILED)
    assert failed.payload["error"] == "ProfileError" and "header" in failed.payload["detail"]
    DatasetVersion.objects.filter(pk=version.pk).update(validated_at=datetime.now(UTC) - timedelta(days=1))
    assert sweep_unprofiled_versions() == 0, "a failure for good is not tried again by the sweep"


@pytest.mark.django_db
def test_a_storage_failure_is_retried_then_recorded_once(seller: Party) -> None:
    version = publish(seller, readings_csv(10))
    version.file.storage.delete(version.file.name)  # FileNotFoundError, an OSError: retried like validation
    with pytest.raises(Retry):
        profile_version.apply(args=[str(version.id)])
    assert not CatalogEvent.objects.filter(version=version, reason=PROFILE_FAILED).exists()
    profile_version.apply(args=[str(version.id)], retries=PROFILE_MAX_RETRIES)  # the last delivery
    version.refresh_from_db()
    assert (version.status, version.quality) == ("published", {})
    (failed,) = CatalogEvent.objects.filter(version=version, reason=PROFILE_FAILED)
    assert failed.payload["error"] == "FileNotFoundError"


@pytest.mark.django_db
def test_the_sweep_profiles_a_published_version_whose_message_was_lost(seller: Party) -> None:
    version = publish(seller, readings_csv(10))
    assert version.quality == {}
    assert sweep_unprofiled_versions() == 0, "published just now: its message may still be on its way"
    DatasetVersion.objects.filter(pk=version.pk).update(validated_at=datetime.now(UTC) - timedelta(days=1))
    assert sweep_unprofiled_versions() == 1
    version.refresh_from_db()
    assert version.quality["rows"] == 10 and version.renditions.count() == 1
    assert sweep_unprofiled_versions() == 0


@pytest.mark.django_db
def test_the_sweep_gives_up_on_a_version_whose_profiling_never_finishes(seller: Party) -> None:
    version = publish(seller, readings_csv(10))
    DatasetVersion.objects.filter(pk=version.pk).update(validated_at=datetime.now(UTC) - timedelta(days=1))
    for _ in range(PROFILE_MAX_ATTEMPTS - 1):  # deliveries whose worker was killed: started, never finished
        CatalogEvent.objects.create(
            dataset=version.dataset,
            version=version,
            from_status="published",
            to_status="published",
            reason=PROFILE_STARTED,
        )
    assert versions_unprofiled(older_than=timedelta(hours=1), limit=10) == [version.id]
    CatalogEvent.objects.create(
        dataset=version.dataset,
        version=version,
        from_status="published",
        to_status="published",
        reason=PROFILE_STARTED,
    )
    assert versions_unprofiled(older_than=timedelta(hours=1), limit=10) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_store_each_rendition_once_and_leave_no_orphan_file(seller: Party) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL: set DATABASE_URL to a PostgreSQL database")
    content = "\n".join(["timestamp,v"] + [f"2024-01-01T00:00:{i % 60:02d}Z,{i}" for i in range(20_000)]) + "\n"
    version = publish(seller, content.encode(), name="data.csv")
    # transaction=True runs on-commit callbacks at once: the version was profiled; undo it to race two workers.
    for stored in version.renditions.all():
        stored.file.storage.delete(stored.file.name)
    VersionRendition.objects.filter(version=version).delete()
    DatasetVersion.objects.filter(pk=version.pk).update(quality={})
    CatalogEvent.objects.filter(version=version, reason="profiled").delete()
    storage = version.file.storage
    folder = str(version.dataset_id)
    before = set(storage.listdir(folder)[1])

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            version_profile(version_id=version.id)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    (stored,) = VersionRendition.objects.filter(version=version)
    assert set(storage.listdir(folder)[1]) - before == {Path(stored.file.name).name}
    assert CatalogEvent.objects.filter(version=version, reason="profiled").count() == 1
    version.refresh_from_db()
    assert version.quality["rows"] == 20_000
