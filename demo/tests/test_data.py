"""Demo data: deterministic, parseable, small, and the anonymised files are k-anonymous and free of identifiers.

Pure Python: runs with ``pytest demo/tests/test_data.py -p no:django``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from demo.data import (
    CATEGORIES,
    DATA_CLASSES,
    DEMO_BUYERS,
    DEMO_DATASETS,
    DEMO_SELLERS,
    K_ANONYMITY,
    STRAIN_COLUMNS,
    UPDATE_FREQUENCIES,
    DemoDataset,
    demo_dataset,
    generate_catalog_entries,
    generate_strain_csv,
    mesh_code_250m,
)

MAX_BYTES = 1_000_000
MAX_ROWS = 15_000  # "a few thousand": the largest (bridge strain, 6 gauges × 10 min × 14 days) has 12,096

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Japanese phone numbers (03-1234-5678, 090 1234 5678, 0312345678, +81-90-...), not digits inside numbers.
PHONE = re.compile(r"(?<![\d.])(?:\+81[-\s]?\d{1,4}|0\d{1,4})[-\s]?\d{1,4}[-\s]?\d{4}(?![\d.])")
TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")  # e.g. an Individual Number (My Number)
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
DIRECT_IDENTIFIER_COLUMNS = {"name", "email", "phone", "address", "user_id", "card_number", "member_id"}

DATASETS = {dataset.key: dataset for dataset in DEMO_DATASETS}
IDS = [dataset.key for dataset in DEMO_DATASETS]
ANONYMIZED = [dataset for dataset in DEMO_DATASETS if dataset.data_class == "anonymized"]


def _content(dataset: DemoDataset) -> bytes:
    stream = io.BytesIO()
    dataset.write(stream)
    return stream.getvalue()


def _records(dataset: DemoDataset) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) of a demo file, checking its structure on the way."""
    text = _content(dataset).decode("utf-8")  # raises if not UTF-8
    if dataset.file_format == "csv":
        lines = list(csv.reader(io.StringIO(text, newline="")))
        header, body = lines[0], lines[1:]
        assert len(set(header)) == len(header), "duplicate column names"
        bad = [number for number, line in enumerate(body, start=2) if len(line) != len(header)]
        assert not bad, f"rows with another field count than the header: {bad[:5]}"
        return header, [dict(zip(header, line, strict=True)) for line in body]
    records = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(record, dict) for record in records)
    header = list(records[0])
    assert all(list(record) == header for record in records), "JSON objects with other keys"
    return header, records


@pytest.fixture(scope="module")
def parsed() -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
    return {dataset.key: _records(dataset) for dataset in DEMO_DATASETS}


# ---- metadata -------------------------------------------------------------------------------------


def test_organisations() -> None:
    assert len(DEMO_SELLERS) == 3
    assert len(DEMO_BUYERS) == 2
    organisations = [*DEMO_SELLERS, *DEMO_BUYERS]
    assert len({org.key for org in organisations}) == 5
    assert len({org.email for org in organisations}) == 5
    for org in organisations:
        assert re.fullmatch(r"[A-Z]{2}", org.country)
        assert org.email.endswith(".ichiba.example")
        assert 0 < len(org.name) <= 200
    assert {buyer.country for buyer in DEMO_BUYERS} >= {"JP"}
    assert len({buyer.country for buyer in DEMO_BUYERS}) == 2


def test_datasets_metadata() -> None:
    assert IDS == [
        "bridge-strain-yodogawa",
        "machine-vibration-aichi-plant",
        "weather-stations-january",
        "people-flow-mesh-250m",
        "retail-baskets-weekly",
    ]
    sellers = {seller.key for seller in DEMO_SELLERS}
    assert {dataset.seller_key for dataset in DEMO_DATASETS} == sellers  # every seller offers something
    assert len({dataset.filename for dataset in DEMO_DATASETS}) == len(DEMO_DATASETS)
    for dataset in DEMO_DATASETS:
        assert dataset.data_class in DATA_CLASSES
        assert dataset.category in CATEGORIES
        assert dataset.update_frequency in UPDATE_FREQUENCIES
        assert dataset.filename.endswith("." + dataset.file_format)
        assert 0 < len(dataset.title) <= 200
        assert 0 < len(dataset.region) <= 100
        assert JAPANESE.search(dataset.title) and JAPANESE.search(dataset.description)
        assert 0 < len(dataset.tags) <= 20
        assert all(tag == tag.lower() and 0 < len(tag) <= 50 for tag in dataset.tags)
        assert any(JAPANESE.search(tag) for tag in dataset.tags)
        assert demo_dataset(dataset.key) is dataset
    with pytest.raises(KeyError):
        demo_dataset("no-such-dataset")


def test_expected_formats_and_classes() -> None:
    expected = {
        "bridge-strain-yodogawa": ("iot", "infrastructure", "csv"),
        "machine-vibration-aichi-plant": ("iot", "manufacturing", "jsonl"),
        "weather-stations-january": ("iot", "weather", "csv"),
        "people-flow-mesh-250m": ("anonymized", "mobility", "csv"),
        "retail-baskets-weekly": ("anonymized", "retail", "csv"),
    }
    actual = {d.key: (d.data_class, d.category, d.file_format) for d in DEMO_DATASETS}
    assert actual == expected


@pytest.mark.parametrize("key", IDS)
def test_anonymization_disclosure(key: str, parsed: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    dataset = DATASETS[key]
    if dataset.data_class == "iot":
        assert dataset.anonymization is None
        return
    disclosure = dataset.anonymization
    assert disclosure is not None
    assert set(disclosure) == {"quasi_identifiers", "personal_info_items", "method"}
    assert disclosure["quasi_identifiers"] and disclosure["personal_info_items"]
    assert 0 < len(disclosure["method"]) <= 2000
    columns, _ = parsed[key]
    assert set(disclosure["quasi_identifiers"]) <= set(columns), "declared QIs must be columns of the file"


# ---- files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", IDS)
def test_writing_is_deterministic(key: str) -> None:
    dataset = DATASETS[key]
    first, second = _content(dataset), _content(dataset)
    assert first == second
    assert first == dataset.content()


@pytest.mark.parametrize("key", IDS)
def test_file_is_small_and_parses(key: str, parsed: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    dataset = DATASETS[key]
    content = _content(dataset)
    assert 10_000 < len(content) < MAX_BYTES
    assert content.endswith(b"\n")
    assert b"\r" not in content
    columns, rows = parsed[key]
    assert 1_000 <= len(rows) <= MAX_ROWS
    assert all(value not in ("", None) for row in rows for value in row.values()), "empty cells"
    assert len(columns) >= 5


EXPECTED_COLUMNS = {
    "bridge-strain-yodogawa": list(STRAIN_COLUMNS),
    "machine-vibration-aichi-plant": [
        "timestamp",
        "machine_id",
        "rms_velocity_mm_s",
        "peak_acceleration_g",
        "spindle_rpm",
        "bearing_temp_c",
    ],
    "weather-stations-january": [
        "timestamp",
        "station_code",
        "station_name",
        "temperature_c",
        "humidity_pct",
        "pressure_hpa",
        "wind_speed_m_s",
        "precipitation_mm",
    ],
    "people-flow-mesh-250m": ["mesh_code", "date", "hour", "age_band", "gender", "visitor_count"],
    "retail-baskets-weekly": [
        "basket_id",
        "week",
        "store_prefecture",
        "age_band",
        "gender",
        "category",
        "item",
        "quantity",
        "amount_jpy",
    ],
}


@pytest.mark.parametrize("key", IDS)
def test_columns(key: str, parsed: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    assert parsed[key][0] == EXPECTED_COLUMNS[key]


@pytest.mark.parametrize("key", ["bridge-strain-yodogawa", "machine-vibration-aichi-plant", "weather-stations-january"])
def test_timestamps_are_iso8601_in_jst(key: str, parsed: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    _, rows = parsed[key]
    moments = [datetime.fromisoformat(row["timestamp"]) for row in rows]
    assert all(moment.utcoffset() == timedelta(hours=9) for moment in moments)
    assert moments == sorted(moments)
    assert moments[-1] - moments[0] >= timedelta(days=13)


def test_bridge_strain_content(parsed: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    _, rows = parsed["bridge-strain-yodogawa"]
    assert {row["sensor_id"] for row in rows} == {f"SG-0{i}" for i in range(1, 7)}
    moments = sorted({datetime.fromisoformat(row["timestamp"]) for row in rows})
    assert {b - a for a, b in pairwise(moments)} == {timedelta(minutes=10)}
    statuses = Counter(row["status"] for row in rows)
    assert set(statuses) == {"ok", "drift"}
    assert 0 < statuses["drift"] < len(rows) * 0.02  # drift is rare
    strain = [float(row["strain_microstrain"]) for row in rows]
    assert all(-1000 < value < 2000 for value in strain)
    assert all(-10 < float(row["temperature_c"]) < 40 for row in rows)

    # Traffic: the weekday morning rush strains the girder more than the small hours.
    def mean_at(hour: int) -> float:
        values = [
            float(row["strain_microstrain"])
            for row in rows
            if row["sensor_id"] == "SG-03"
            and int(row["timestamp"][11:13]) == hour
            and date.fromisoformat(row["timestamp"][:10]).weekday() < 5
        ]
        return sum(values) / len(values)

    assert mean_at(8) > mean_at(3) + 40


def test_machine_vibration_shows_a_developing_fault(
    parsed: dict[str, tuple[list[str], list[dict[str, Any]]]],
) -> None:
    _, rows = parsed["machine-vibration-aichi-plant"]
    assert {row["machine_id"] for row in rows} == {"MC-01", "MC-02", "MC-03", "MC-04"}
    for row in rows:
        assert isinstance(row["spindle_rpm"], int) and row["spindle_rpm"] >= 0
        assert row["rms_velocity_mm_s"] > 0 and row["peak_acceleration_g"] > 0
        assert 15 < row["bearing_temp_c"] < 90

    def running_rms(machine: str, first_days: bool) -> float:
        values = [
            row["rms_velocity_mm_s"]
            for row in rows
            if row["machine_id"] == machine
            and row["spindle_rpm"] > 0
            and (row["timestamp"] < "2024-10-10") == first_days
            and (row["timestamp"] >= "2024-10-16" or first_days)
        ]
        return sum(values) / len(values)

    assert running_rms("MC-03", first_days=False) > 2 * running_rms("MC-03", first_days=True)
    assert running_rms("MC-01", first_days=False) < 1.3 * running_rms("MC-01", first_days=True)


def test_weather_is_plausible(parsed: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    _, rows = parsed["weather-stations-january"]
    stations = {row["station_code"]: row["station_name"] for row in rows}
    assert len(stations) == 5
    by_station = Counter(row["station_code"] for row in rows)
    assert set(by_station.values()) == {31 * 24}  # hourly for the whole month
    for row in rows:
        assert 0 <= float(row["humidity_pct"]) <= 100
        assert 950 < float(row["pressure_hpa"]) < 1060
        assert float(row["wind_speed_m_s"]) >= 0 and float(row["precipitation_mm"]) >= 0

    def mean_temp(name: str) -> float:
        values = [float(row["temperature_c"]) for row in rows if row["station_name"] == name]
        return sum(values) / len(values)

    assert mean_temp("Sapporo") < 0 < mean_temp("Sendai") < mean_temp("Fukuoka")
    afternoon = [float(r["temperature_c"]) for r in rows if r["station_name"] == "Tokyo" and "T14:" in r["timestamp"]]
    dawn = [float(r["temperature_c"]) for r in rows if r["station_name"] == "Tokyo" and "T05:" in r["timestamp"]]
    assert sum(afternoon) / len(afternoon) > sum(dawn) / len(dawn) + 3  # diurnal cycle


def test_people_flow_content(parsed: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    _, rows = parsed["people-flow-mesh-250m"]
    for row in rows:
        assert re.fullmatch(r"\d{10}", row["mesh_code"])  # quarter regional mesh (250 m)
        date.fromisoformat(row["date"])
        assert 0 <= int(row["hour"]) <= 23
        assert row["gender"] in {"F", "M", "X"}
        assert re.fullmatch(r"\d0-\d9|70\+", row["age_band"])
        assert int(row["visitor_count"]) >= 10  # small counts are suppressed
    assert len({row["mesh_code"] for row in rows}) >= 5


def test_mesh_code() -> None:
    assert mesh_code_250m(35.681236, 139.767125) == "5339461132"  # Tokyo Station, 3rd mesh 53394611
    assert mesh_code_250m(34.7025, 135.4960)[:8] == "52350349"  # Osaka / Umeda


def test_retail_baskets_content(parsed: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    _, rows = parsed["retail-baskets-weekly"]
    for row in rows:
        assert re.fullmatch(r"bk[a-z2-9]{10}", row["basket_id"])
        assert re.fullmatch(r"2024-W\d{2}", row["week"])
        date.fromisoformat(row["week"] + "-1")  # a valid ISO week
        assert row["store_prefecture"][-1] in "都道府県"
        assert int(row["quantity"]) >= 1 and int(row["amount_jpy"]) > 0
        assert JAPANESE.search(row["item"])
    lines_per_basket = Counter(row["basket_id"] for row in rows)
    assert len(lines_per_basket) > 300
    assert max(lines_per_basket.values()) > 1
    # A basket belongs to one segment.
    segments = {(r["basket_id"], r["week"], r["store_prefecture"], r["age_band"], r["gender"]) for r in rows}
    assert len(segments) == len(lines_per_basket)


# ---- anonymisation ----------------------------------------------------------------------------------


def _k(rows: list[dict[str, Any]], quasi_identifiers: list[str]) -> int:
    classes = Counter(tuple(row[name] for name in quasi_identifiers) for row in rows)
    return min(classes.values())


@pytest.mark.parametrize("dataset", ANONYMIZED, ids=[d.key for d in ANONYMIZED])
def test_k_anonymity_over_declared_quasi_identifiers(
    dataset: DemoDataset, parsed: dict[str, tuple[list[str], list[dict[str, Any]]]]
) -> None:
    assert dataset.anonymization is not None
    quasi_identifiers = dataset.anonymization["quasi_identifiers"]
    _, rows = parsed[dataset.key]
    assert _k(rows, quasi_identifiers) >= K_ANONYMITY
    # Sanity of the helper: a row-unique column breaks k.
    assert _k([{"a": "1"}, {"a": "1"}, {"a": "2"}], ["a"]) == 1


def test_retail_k_counts_baskets(parsed: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    _, rows = parsed["retail-baskets-weekly"]
    baskets: dict[tuple[str, ...], set[str]] = {}
    for row in rows:
        key = (row["store_prefecture"], row["age_band"], row["gender"])
        baskets.setdefault(key, set()).add(row["basket_id"])
    assert min(len(ids) for ids in baskets.values()) >= K_ANONYMITY


@pytest.mark.parametrize("dataset", ANONYMIZED, ids=[d.key for d in ANONYMIZED])
def test_no_direct_identifiers(dataset: DemoDataset, parsed: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    columns, rows = parsed[dataset.key]
    assert not DIRECT_IDENTIFIER_COLUMNS & set(columns)
    text = _content(dataset).decode("utf-8")
    assert not EMAIL.search(text)
    assert not TWELVE_DIGITS.search(text)
    for row in rows:
        for value in row.values():
            assert not PHONE.search(str(value)), value


@pytest.mark.parametrize(
    "text",
    ["ops@example.jp", "03-1234-5678", "090 1234 5678", "0312345678", "+81-90-1234-5678", "123456789012"],
)
def test_identifier_patterns_would_catch(text: str) -> None:
    assert EMAIL.search(text) or PHONE.search(text) or TWELVE_DIGITS.search(text)


@pytest.mark.parametrize("text", ["5339461132", "2024-12-06", "2024-W05", "1013.2", "bk2x9k4m7pqr", "12345678901"])
def test_identifier_patterns_spare_ordinary_values(text: str) -> None:
    assert not (EMAIL.search(text) or PHONE.search(text) or TWELVE_DIGITS.search(text))


# ---- large strain CSV ---------------------------------------------------------------------------------


def test_generate_strain_csv_writes_valid_rows() -> None:
    target = 1_000_000
    stream = io.BytesIO()
    written = generate_strain_csv(stream, target_bytes=target)
    data = stream.getvalue()
    assert written == len(data)
    assert target <= written < target + 100_000
    lines = data.decode("ascii").splitlines()
    assert lines[0] == ",".join(STRAIN_COLUMNS)
    rows = list(csv.reader(lines[1:]))
    assert len(rows) > 10_000
    previous: datetime | None = None
    for timestamp, sensor_id, strain, temperature, status in rows:
        moment = datetime.fromisoformat(timestamp)
        assert moment.utcoffset() == timedelta(hours=9)
        assert previous is None or moment >= previous
        previous = moment
        assert re.fullmatch(r"SG-\d{2}", sensor_id)
        float(strain)
        float(temperature)
        assert status in {"ok", "drift"}
    assert data.endswith(b"\n")


def test_generate_strain_csv_is_deterministic_and_seeded() -> None:
    first, second, other = io.BytesIO(), io.BytesIO(), io.BytesIO()
    generate_strain_csv(first, target_bytes=300_000)
    generate_strain_csv(second, target_bytes=300_000)
    generate_strain_csv(other, target_bytes=300_000, seed=8)
    assert first.getvalue() == second.getvalue()
    assert first.getvalue() != other.getvalue()


def test_generate_strain_csv_spans_days_and_options() -> None:
    stream = io.BytesIO()
    generate_strain_csv(stream, target_bytes=2_000_000, sensors=3, interval_s=600)
    lines = stream.getvalue().decode("ascii").splitlines()[1:]
    days = {line[:10] for line in lines}
    assert len(days) > 30
    assert {line.split(",")[1] for line in lines} == {"SG-01", "SG-02", "SG-03"}
    tiny = io.BytesIO()
    assert generate_strain_csv(tiny, target_bytes=10) == len(tiny.getvalue()) == len(",".join(STRAIN_COLUMNS)) + 1
    with pytest.raises(ValueError, match="interval_s"):
        generate_strain_csv(io.BytesIO(), target_bytes=1, interval_s=7)


# ---- catalog entries --------------------------------------------------------------------------------


def test_generate_catalog_entries() -> None:
    entries = list(generate_catalog_entries(2_000))
    assert len(entries) == 2_000
    assert entries == list(generate_catalog_entries(2_000))  # deterministic
    assert entries != list(generate_catalog_entries(2_000, seed=12))
    keys = {"title", "description", "data_class", "category", "tags", "region", "update_frequency", "anonymization"}
    for entry in entries:
        assert set(entry) == keys
        assert entry["data_class"] in DATA_CLASSES
        assert entry["category"] in CATEGORIES
        assert entry["update_frequency"] in UPDATE_FREQUENCIES
        assert 0 < len(entry["title"]) <= 200 and 0 < len(entry["region"]) <= 100
        assert isinstance(entry["tags"], list) and 0 < len(entry["tags"]) <= 20
        assert all(0 < len(tag) <= 50 for tag in entry["tags"])
        if entry["data_class"] == "anonymized":
            disclosure = entry["anonymization"]
            assert set(disclosure) == {"quasi_identifiers", "personal_info_items", "method"}
            assert disclosure["quasi_identifiers"] and disclosure["personal_info_items"] and disclosure["method"]
        else:
            assert entry["anonymization"] == {}
    assert {entry["category"] for entry in entries} == set(CATEGORIES)
    assert {entry["data_class"] for entry in entries} == set(DATA_CLASSES)
    assert len({entry["title"] for entry in entries}) > 1_500  # varied


@pytest.mark.parametrize("word", ["bridge", "振動", "Osaka", "人流"])
def test_catalog_entries_hit_a_fraction_of_searches(word: str) -> None:
    entries = list(generate_catalog_entries(5_000))
    hits = sum(
        word.lower() in " ".join([entry["title"], entry["description"], *entry["tags"]]).lower() for entry in entries
    )
    assert 0.005 * len(entries) < hits < 0.5 * len(entries)


def test_catalog_entries_mix_languages() -> None:
    descriptions = [entry["description"] for entry in generate_catalog_entries(1_000)]
    japanese_only = sum(not re.search(r"[A-Za-z]{4}", d) for d in descriptions)
    english_only = sum(not JAPANESE.search(d) for d in descriptions)
    bilingual = len(descriptions) - japanese_only - english_only
    assert japanese_only > 50 and english_only > 50 and bilingual > 300


def test_catalog_entries_zero_and_negative() -> None:
    assert list(generate_catalog_entries(0)) == []
    with pytest.raises(ValueError, match="n must"):
        list(generate_catalog_entries(-1))
