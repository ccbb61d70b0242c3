"""Deterministic demo and benchmark data for Ichiba: organisations, five realistic datasets and generators.

Pure Python (standard library only, no Django), so ``load_demo``, the benchmarks and the tests can all use
it. Every value comes from ``random.Random`` instances with fixed seeds and fixed start dates, never from
the clock: writing a dataset twice gives identical bytes.

* ``DEMO_SELLERS`` / ``DEMO_BUYERS``: organisations of the demo market.
* ``DEMO_DATASETS``: five datasets (each < 1 MB) whose ``write()`` produces the file to upload:
  bridge strain gauges (IoT, CSV), machine vibration (IoT, JSON Lines), weather stations (IoT, CSV),
  people-flow counts (anonymised, CSV) and retail baskets (anonymised, CSV). The anonymised files are
  k-anonymous (k >= ``K_ANONYMITY``) over their declared quasi-identifiers.
* ``generate_strain_csv``: an arbitrarily large bridge-strain CSV, written fast in constant memory.
* ``generate_catalog_entries``: varied dataset metadata for a search benchmark.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, BinaryIO, Literal

DataClassName = Literal["anonymized", "iot"]
FileFormatName = Literal["csv", "jsonl", "parquet"]

# Mirrors of catalog.models choices (this module must not import Django).
DATA_CLASSES: tuple[str, ...] = ("anonymized", "iot")
CATEGORIES: tuple[str, ...] = (
    "infrastructure",
    "manufacturing",
    "weather",
    "mobility",
    "retail",
    "energy",
    "agriculture",
    "healthcare",
    "other",
)
UPDATE_FREQUENCIES: tuple[str, ...] = (
    "once",
    "realtime",
    "hourly",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "yearly",
    "irregular",
)
# The market's default k (``market_settings().k_anonymity``); the anonymised demo files satisfy it.
K_ANONYMITY = 5

JST = timezone(timedelta(hours=9), "JST")

STRAIN_COLUMNS: tuple[str, ...] = ("timestamp", "sensor_id", "strain_microstrain", "temperature_c", "status")


# --------------------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSeller:
    """A demo organisation (sellers and buyers alike)."""

    key: str
    name: str
    country: str  # ISO 3166-1 alpha-2
    email: str
    # A seller's public profile (/sellers/<id>/): what it says of itself, as it wrote it, and its site.
    description: str = ""
    website: str = ""


DEMO_SELLERS: tuple[DemoSeller, ...] = (
    DemoSeller(
        key="kansai-bridge",
        name="Kansai Bridge Monitoring Co., Ltd. (関西橋梁モニタリング株式会社)",
        country="JP",
        email="ops@kansai-bridge.demo.ichiba.example",
        description=(
            "関西の道路橋・鉄道橋にひずみ計と温度計を常設し、10分ごとの計測を公開しています。"
            " Strain and temperature gauges on road and rail bridges across Kansai, published every ten minutes."
        ),
        website="https://kansai-bridge.demo.ichiba.example/",
    ),
    DemoSeller(
        key="tokai-precision",
        name="Tokai Precision Machining Co., Ltd. (東海精密加工株式会社)",
        country="JP",
        email="ops@tokai-precision.demo.ichiba.example",
        description=(
            "愛知県の精密加工工場から、マシニングセンタの振動データを提供します。"
            " Vibration data from machining centres in our Aichi plant, for predictive maintenance research."
        ),
    ),
    DemoSeller(
        key="machi-data",
        name="Machi Data Lab Inc. (株式会社まちデータラボ)",
        country="JP",
        email="ops@machi-data.demo.ichiba.example",
        description=(
            "気象観測と人流データを、匿名加工情報として統計的に加工して提供する街のデータラボです。"
            " A city data lab: weather observations and people-flow statistics, anonymised under the APPI."
        ),
    ),
)

DEMO_BUYERS: tuple[DemoSeller, ...] = (
    DemoSeller(
        key="sakura-logistics",
        name="Sakura Logistics K.K. (さくらロジスティクス株式会社)",
        country="JP",
        # The sign-in shown by `make run` (buyer@demo.ichiba.example / ichiba-demo).
        email="buyer@demo.ichiba.example",
    ),
    DemoSeller(
        key="rheinwerk-analytics",
        name="Rheinwerk Analytics GmbH",
        country="DE",
        email="ops@rheinwerk-analytics.demo.ichiba.example",
    ),
)


# --------------------------------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoDataset:
    """Metadata of one demo dataset; ``write()`` produces its file (UTF-8, deterministic)."""

    key: str
    seller_key: str
    title: str
    description: str
    data_class: DataClassName
    category: str
    tags: tuple[str, ...]
    region: str
    update_frequency: str
    # APPI disclosure {"quasi_identifiers", "personal_info_items", "method"}; None for IoT data. Read-only.
    anonymization: dict[str, Any] | None = field(hash=False)
    file_format: FileFormatName
    filename: str

    def content(self) -> bytes:
        """The whole file as bytes (each demo file is below 1 MB)."""
        return _BUILDERS[self.key]()

    def write(self, stream: BinaryIO) -> None:
        """Write the file to a binary stream."""
        stream.write(self.content())


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _jsonl_bytes(records: Iterable[dict[str, Any]]) -> bytes:
    lines = [json.dumps(record, ensure_ascii=False, separators=(",", ":")) for record in records]
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---- 1. Bridge strain gauges (shared with generate_strain_csv) ---------------------------------------


@dataclass(frozen=True)
class _Gauge:
    sensor_id: str
    baseline: float  # µε at 20 °C with no traffic (dead load)
    traffic_gain: float  # µε at peak traffic
    thermal: float  # µε per °C
    temp_offset: float  # °C, steel surface vs air (sun, shade)
    noise: float  # µε, standard deviation


def _gauges(count: int) -> list[_Gauge]:
    width = 2 if count < 100 else len(str(count))
    gauges = []
    for i in range(count):
        # Mid-span gauges see more live load than those near the bearings.
        position = (i % 6) / 5 if count > 1 else 0.5
        mid_span = 1.0 - abs(position - 0.5) * 1.4
        gauges.append(
            _Gauge(
                sensor_id=f"SG-{i + 1:0{width}d}",
                baseline=180.0 + 22.0 * (i % 6) + 4.0 * (i // 6 % 5),
                traffic_gain=45.0 + 70.0 * mid_span,
                thermal=8.5 + 0.6 * (i % 3),
                temp_offset=(0.9, -0.4, 0.3, -0.8, 0.6, -0.2)[i % 6],
                noise=1.6 + 0.2 * (i % 4),
            )
        )
    return gauges


def _traffic(hour: float, weekend: bool) -> float:
    """Relative traffic on the bridge (0..1): rush-hour peaks on weekdays, a midday hump on weekends."""
    daytime = 1.0 / (1.0 + math.exp(-(hour - 6.5) * 1.5)) / (1.0 + math.exp((hour - 21.5) * 1.2))
    if weekend:
        return 0.06 + 0.45 * daytime + 0.2 * math.exp(-(((hour - 14.0) / 3.0) ** 2))
    return (
        0.06
        + 0.4 * daytime
        + 0.5 * math.exp(-(((hour - 8.0) / 1.3) ** 2))
        + 0.42 * math.exp(-(((hour - 18.0) / 1.7) ** 2))
    )


def _clock_suffixes(interval_s: int) -> list[str]:
    return [f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}+09:00" for t in range(0, 86400, interval_s)]


def _strain_day(
    rng: random.Random,
    gauges: Sequence[_Gauge],
    clocks: Sequence[str],
    *,
    mean_temp: float,
    weekend: bool,
    drift: tuple[int, int, int] | None = None,
) -> list[list[str]]:
    """One day of rows without the date, grouped by hour: ``"HH:MM:SS+09:00,SG-01,412.3,14.21,ok"``.

    ``drift`` = (gauge index, first step, number of steps): that gauge's zero point creeps and its
    rows say ``drift`` (a loose bonding or a failing amplifier, as real gauges sometimes do).
    """
    steps = len(clocks)
    per_hour = max(1, steps // 24)
    hours: list[list[str]] = [[] for _ in range(24)]
    gauss = rng.gauss
    uniform = rng.random
    drift_gauge, drift_start, drift_len = drift if drift else (-1, -1, 0)
    for step, clock in enumerate(clocks):
        hour = step * 24.0 / steps
        air = mean_temp + 4.2 * math.sin(2.0 * math.pi * (hour - 9.0) / 24.0)
        load = _traffic(hour, weekend)
        bucket = hours[min(23, step // per_hour)]
        for index, gauge in enumerate(gauges):
            steel = air + gauge.temp_offset + gauss(0.0, 0.12)
            strain = (
                gauge.baseline
                + gauge.thermal * (steel - 20.0)
                + gauge.traffic_gain * load * (0.75 + 0.5 * uniform())
                + gauss(0.0, gauge.noise)
            )
            status = "ok"
            if index == drift_gauge and drift_start <= step < drift_start + drift_len:
                strain += 6.0 + 1.8 * (step - drift_start)
                status = "drift"
            bucket.append(f"{clock},{gauge.sensor_id},{strain:.1f},{steel:.2f},{status}")
    return hours


def _bridge_strain() -> bytes:
    rng = random.Random(20241101)  # noqa: S311 (reproducible demo data)
    gauges = _gauges(6)
    clocks = _clock_suffixes(600)
    start = date(2024, 11, 1)
    # Early November on the Yodogawa: about 17 °C falling to 13 °C, with weather from day to day.
    weather = 0.0
    lines = [",".join(STRAIN_COLUMNS)]
    for offset in range(14):
        day = start + timedelta(days=offset)
        weather = 0.6 * weather + rng.gauss(0.0, 1.6)
        drift = {3: (1, 61, 5), 8: (3, 14, 52)}.get(offset)  # SG-02 briefly, SG-04 for most of a night
        hours = _strain_day(
            rng,
            gauges,
            clocks,
            mean_temp=17.0 - 0.3 * offset + weather,
            weekend=day.weekday() >= 5,
            drift=drift,
        )
        prefix = day.isoformat() + "T"
        lines.extend(prefix + row for hour in hours for row in hour)
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---- 2. Factory machine vibration ---------------------------------------------------------------------


def _machine_vibration() -> bytes:
    rng = random.Random(20241007)  # noqa: S311 (reproducible demo data)
    # machine id, nominal spindle rpm, healthy RMS velocity (mm/s) at nominal speed, bearing heating (°C/krpm)
    machines = (
        ("MC-01", 12000, 1.1, 1.5),
        ("MC-02", 8000, 1.4, 1.9),
        ("MC-03", 10000, 1.2, 1.7),
        ("MC-04", 6000, 1.6, 2.2),
    )
    faulty = "MC-03"
    start = datetime(2024, 10, 7, tzinfo=JST)  # a Monday
    step = timedelta(minutes=20)
    steps = 14 * 72
    fault_start = 4 * 72 + 30  # outer-race defect starts on Friday morning of week one
    alpha = 1.0 - math.exp(-20.0 / 50.0)  # bearing thermal time constant ≈ 50 min
    ambient = 23.5
    temps = {machine[0]: ambient for machine in machines}
    job_rpm = {machine[0]: machine[1] for machine in machines}
    records: list[dict[str, Any]] = []
    for index in range(steps):
        moment = start + index * step
        weekday, hour = moment.weekday(), moment.hour
        on_shift = (weekday < 5 and 6 <= hour < 22) or (weekday == 5 and 6 <= hour < 14)
        for machine_id, nominal, healthy, heating in machines:
            if index % 6 == 0:  # a new job every two hours
                job_rpm[machine_id] = int(nominal * rng.choice((0.6, 0.75, 0.85, 1.0)) // 100 * 100)
            running = on_shift and rng.random() > 0.06  # tool changes and set-ups
            rpm = job_rpm[machine_id] if running else 0
            severity = 0.0
            if machine_id == faulty and index >= fault_start:
                progress = (index - fault_start) / (steps - fault_start)
                severity = (math.exp(3.2 * progress) - 1.0) / (math.exp(3.2) - 1.0)
            if running:
                speed = rpm / nominal
                rms = healthy * (0.55 + 0.45 * speed) * rng.lognormvariate(0.0, 0.08)
                rms += 8.0 * severity * speed * rng.lognormvariate(0.0, 0.1)
                peak = rms * 0.32 * rng.lognormvariate(0.0, 0.12) + 3.1 * severity**0.8 * speed
                target = ambient + heating * rpm / 1000.0 + 16.0 * severity
            else:
                rms = 0.12 + 0.04 * rng.random()
                peak = 0.03 + 0.02 * rng.random()
                target = ambient
            temps[machine_id] += alpha * (target - temps[machine_id])
            records.append(
                {
                    "timestamp": moment.isoformat(),
                    "machine_id": machine_id,
                    "rms_velocity_mm_s": round(rms, 3),
                    "peak_acceleration_g": round(peak, 3),
                    "spindle_rpm": rpm,
                    "bearing_temp_c": round(temps[machine_id] + rng.gauss(0.0, 0.15), 2),
                }
            )
    return _jsonl_bytes(records)


# ---- 3. Weather stations --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Station:
    code: str  # JMA station number
    name: str
    mean_temp: float  # January normal, °C
    daily_range: float  # °C
    humidity: float  # %
    wind: float  # m/s
    wet_start: float  # hourly probability that precipitation starts
    wet_stay: float  # hourly probability that it continues
    intensity: float  # mean mm/h while it precipitates
    lag_hours: int  # weather systems travel west to east


_STATIONS = (
    _Station("47412", "Sapporo", -3.2, 6.0, 70.0, 3.4, 0.035, 0.80, 0.75, 18),
    _Station("47590", "Sendai", 2.0, 7.8, 66.0, 3.5, 0.012, 0.72, 0.85, 12),
    _Station("47662", "Tokyo", 5.4, 8.6, 52.0, 3.0, 0.010, 0.76, 1.3, 8),
    _Station("47772", "Osaka", 6.2, 6.9, 62.0, 2.8, 0.011, 0.74, 1.0, 4),
    _Station("47807", "Fukuoka", 6.9, 6.6, 64.0, 3.1, 0.018, 0.74, 0.95, 0),
)


def _weather_stations() -> bytes:
    rng = random.Random(20250101)  # noqa: S311 (reproducible demo data)
    start = datetime(2025, 1, 1, tzinfo=JST)
    hours = 31 * 24
    # Synoptic pressure pattern shared by all stations (highs and lows every ~5 days), shifted by lag.
    synoptic = [
        7.0 * math.sin(2.0 * math.pi * h / 118.0) + 3.5 * math.sin(2.0 * math.pi * h / 61.0 + 1.3)
        for h in range(-24, hours)
    ]
    per_station: list[list[tuple[object, ...]]] = []
    for station in _STATIONS:
        srng = random.Random(rng.getrandbits(64))  # noqa: S311 (reproducible demo data)
        anomaly = 0.0
        wet = False
        wind_state = 1.0
        pressure_noise = 0.0
        rows: list[tuple[object, ...]] = []
        for h in range(hours):
            moment = start + timedelta(hours=h)
            if h % 24 == 0:
                anomaly = 0.7 * anomaly + srng.gauss(0.0, 1.7)
            pressure_anomaly = synoptic[h + 24 - station.lag_hours]
            pressure_noise = 0.9 * pressure_noise + srng.gauss(0.0, 0.35)
            pressure = 1017.0 + pressure_anomaly + pressure_noise
            boost = 1.0 + max(0.0, -pressure_anomaly) / 3.0
            wet = srng.random() < (station.wet_stay if wet else station.wet_start * boost)
            precipitation = round(srng.expovariate(1.0 / station.intensity), 1) if wet else 0.0
            clock = moment.hour
            swing = station.daily_range / 2.0 * (0.45 if wet else 1.0)
            temp = (
                station.mean_temp
                + anomaly
                + swing * math.cos(2.0 * math.pi * (clock - 14.0) / 24.0)
                + srng.gauss(0.0, 0.3)
            )
            humidity = station.humidity - 3.2 * (temp - station.mean_temp - anomaly) + srng.gauss(0.0, 3.0)
            humidity = min(99.0, max(18.0, humidity + (22.0 if wet else 0.0)))
            wind_state = 0.8 * wind_state + 0.2 * srng.lognormvariate(0.0, 0.45)
            wind = 0.85 * station.wind * wind_state * (1.0 + 0.25 * math.sin(2.0 * math.pi * (clock - 9.0) / 24.0))
            wind *= 1.0 + max(0.0, -pressure_anomaly) / 12.0
            rows.append(
                (
                    moment.isoformat(),
                    station.code,
                    station.name,
                    f"{temp:.1f}",
                    f"{humidity:.0f}",
                    f"{pressure:.1f}",
                    f"{wind:.1f}",
                    f"{precipitation:.1f}",
                )
            )
        per_station.append(rows)
    # Interleave: all stations for one hour, then the next hour.
    ordered = [rows[h] for h in range(hours) for rows in per_station]
    header = (
        "timestamp",
        "station_code",
        "station_name",
        "temperature_c",
        "humidity_pct",
        "pressure_hpa",
        "wind_speed_m_s",
        "precipitation_mm",
    )
    return _csv_bytes(header, ordered)


# ---- 4. People flow (anonymised) ---------------------------------------------------------------------


def mesh_code_250m(lat: float, lon: float) -> str:
    """JIS X 0410 quarter regional mesh (about 250 m) code: 10 digits, e.g. Tokyo Station → 5339461132."""
    lat_minutes = lat * 60.0
    p = int(lat_minutes // 40)
    a = lat_minutes - p * 40  # minutes inside the 1st mesh
    q = int(a // 5)
    b = (a - q * 5) * 60.0  # seconds inside the 2nd mesh
    r = int(b // 30)
    c = b - r * 30
    u = int(lon - 100.0)
    f = (lon - 100.0 - u) * 60.0  # minutes
    v = int(f // 7.5)
    g = (f - v * 7.5) * 60.0  # seconds
    w = int(g // 45)
    h = g - w * 45
    half = (2 if c >= 15 else 0) + (1 if h >= 22.5 else 0) + 1
    quarter = (2 if c % 15 >= 7.5 else 0) + (1 if h % 22.5 >= 11.25 else 0) + 1
    return f"{p}{u:02d}{q}{v}{r}{w}{half}{quarter}"


_AGE_BANDS = ("10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70+")
_PEOPLE_FLOW_QIS = ("mesh_code", "age_band", "gender")
_PEOPLE_FLOW_MESHES = (
    # place, lat, lon, visitors per hour at peak, age profile (share by band), night-life factor
    ("Shibuya", 35.6590, 139.7006, 5200, (0.10, 0.30, 0.21, 0.16, 0.11, 0.07, 0.05), 0.35),
    ("Shinjuku", 35.6905, 139.7000, 6100, (0.07, 0.24, 0.21, 0.19, 0.15, 0.08, 0.06), 0.40),
    ("Umeda", 34.7025, 135.4960, 4800, (0.07, 0.23, 0.20, 0.19, 0.15, 0.09, 0.07), 0.30),
    ("Namba", 34.6665, 135.5010, 3900, (0.10, 0.28, 0.20, 0.16, 0.12, 0.08, 0.06), 0.35),
    ("Sakae", 35.1700, 136.9085, 2600, (0.09, 0.22, 0.19, 0.18, 0.15, 0.10, 0.07), 0.25),
    ("Tenjin", 33.5910, 130.3990, 2900, (0.10, 0.26, 0.20, 0.17, 0.13, 0.08, 0.06), 0.25),
)


def _hourly_presence(hour: int, weekend: bool, night_life: float) -> float:
    daytime = math.exp(-(((hour - (15.0 if weekend else 13.0)) / (4.2 if weekend else 4.8)) ** 2))
    commute = 0.0 if weekend else 0.55 * math.exp(-(((hour - 8.5) / 1.0) ** 2))
    evening = night_life * math.exp(-(((hour - 20.5) / 2.2) ** 2))
    return 0.015 + daytime + commute + evening


def _people_flow() -> bytes:
    rng = random.Random(20241206)  # noqa: S311 (reproducible demo data)
    days = [date(2024, 12, 6) + timedelta(days=i) for i in range(3)]  # Friday to Sunday
    raw: list[tuple[str, int, str, str, str, int]] = []
    for _place, lat, lon, peak, ages, night_life in _PEOPLE_FLOW_MESHES:
        mesh = mesh_code_250m(lat, lon)
        for day in days:
            weekend = day.weekday() >= 5
            day_factor = (1.15 if weekend else 1.0) * rng.uniform(0.93, 1.07)
            for hour in range(24):
                total = peak * day_factor * _hourly_presence(hour, weekend, night_life) / 1.3
                for band, share in zip(_AGE_BANDS, ages, strict=True):
                    for gender, gshare in (("F", 0.505), ("M", 0.485), ("X", 0.01)):
                        count = round(total * share * gshare * rng.lognormvariate(0.0, 0.12))
                        if count >= 10:  # suppression of small cells
                            raw.append((mesh, hour, day.isoformat(), band, gender, count))
    # k-anonymity over (mesh_code, age_band, gender): drop classes with fewer than k rows.
    classes = Counter((mesh, band, gender) for mesh, _h, _d, band, gender, _c in raw)
    kept = [row for row in raw if classes[(row[0], row[3], row[4])] >= K_ANONYMITY]
    kept.sort(key=lambda row: (row[2], row[1], row[0], _AGE_BANDS.index(row[3]), row[4]))
    header = ("mesh_code", "date", "hour", "age_band", "gender", "visitor_count")
    return _csv_bytes(header, ((mesh, day, hour, band, gender, count) for mesh, hour, day, band, gender, count in kept))


# ---- 5. Retail baskets (anonymised) ------------------------------------------------------------------

_RETAIL_QIS = ("store_prefecture", "age_band", "gender")
# category, item, tax-included unit price (JPY), popularity weight
_GROCERIES: tuple[tuple[str, str, int, float], ...] = (
    ("produce", "キャベツ", 198, 3.0),
    ("produce", "玉ねぎ（3個入り）", 258, 3.0),
    ("produce", "にんじん（3本入り）", 158, 2.5),
    ("produce", "大根", 178, 2.0),
    ("produce", "ほうれん草", 198, 1.8),
    ("produce", "もやし", 38, 3.5),
    ("produce", "トマト", 298, 2.2),
    ("produce", "バナナ", 198, 3.0),
    ("produce", "みかん（1袋）", 398, 2.0),
    ("meat", "豚こま切れ肉", 398, 2.8),
    ("meat", "鶏もも肉", 498, 2.6),
    ("meat", "牛切り落とし", 698, 1.3),
    ("meat", "合いびき肉", 450, 1.6),
    ("seafood", "生鮭切り身", 398, 1.8),
    ("seafood", "まぐろ刺身", 598, 1.2),
    ("seafood", "真あじ", 298, 1.0),
    ("dairy_eggs", "牛乳 1L", 238, 3.5),
    ("dairy_eggs", "卵（10個入り）", 268, 3.2),
    ("dairy_eggs", "絹ごし豆腐", 88, 2.6),
    ("dairy_eggs", "納豆（3個パック）", 98, 2.4),
    ("dairy_eggs", "プレーンヨーグルト", 158, 1.8),
    ("deli", "鶏の唐揚げ", 398, 2.0),
    ("deli", "鮭おにぎり", 138, 2.2),
    ("deli", "幕の内弁当", 498, 1.5),
    ("beverages", "緑茶 2L", 178, 2.4),
    ("beverages", "缶コーヒー", 98, 1.6),
    ("beverages", "ビール 350ml×6缶", 1280, 1.2),
    ("staples", "食パン（6枚切り）", 168, 2.6),
    ("staples", "精米 5kg", 2480, 0.7),
    ("staples", "うどん（3玉）", 128, 1.4),
    ("snacks", "ポテトチップス", 148, 1.8),
    ("snacks", "ミルクチョコレート", 198, 1.4),
    ("seasonings", "濃口醤油 1L", 298, 0.8),
    ("seasonings", "合わせ味噌 750g", 348, 0.8),
    ("household", "トイレットペーパー（12ロール）", 498, 0.8),
    ("household", "食器用洗剤", 198, 0.8),
)
# Relative liking per category by age band (index as _AGE_BANDS).
_AGE_TASTE: dict[str, tuple[float, ...]] = {
    "deli": (2.0, 1.8, 1.3, 1.1, 1.0, 0.9, 0.9),
    "snacks": (2.5, 1.6, 1.3, 1.0, 0.8, 0.6, 0.5),
    "beverages": (1.8, 1.5, 1.2, 1.0, 1.0, 0.9, 0.8),
    "seafood": (0.3, 0.6, 0.8, 1.0, 1.3, 1.6, 1.8),
    "produce": (0.5, 0.8, 1.1, 1.2, 1.3, 1.4, 1.4),
    "seasonings": (0.2, 0.7, 1.0, 1.1, 1.2, 1.2, 1.1),
}
_PREFECTURES = (("東京都", 0.32), ("神奈川県", 0.2), ("大阪府", 0.22), ("愛知県", 0.14), ("福岡県", 0.12))
_SHOPPER_AGES = (0.03, 0.14, 0.19, 0.21, 0.18, 0.15, 0.10)
_BASKET_ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _retail_baskets() -> bytes:
    rng = random.Random(20240129)  # noqa: S311 (reproducible demo data)
    weeks = [f"2024-W{week:02d}" for week in range(5, 9)]
    prefectures = [name for name, _ in _PREFECTURES]
    pref_weights = [weight for _, weight in _PREFECTURES]
    used: set[str] = set()
    baskets: list[tuple[str, str, str, str, str, list[tuple[str, str, int, int]]]] = []
    for week in weeks:
        for _ in range(230):
            prefecture = rng.choices(prefectures, pref_weights)[0]
            band_index = rng.choices(range(len(_AGE_BANDS)), _SHOPPER_AGES)[0]
            gender = rng.choices(("F", "M", "X"), (0.6, 0.37, 0.03))[0]
            weights = [
                popularity
                * _AGE_TASTE.get(category, (1.0,) * 7)[band_index]
                * (0.0 if item.startswith("ビール") and band_index == 0 else 1.0)
                for category, item, _price, popularity in _GROCERIES
            ]
            size = min(len(_GROCERIES), max(1, round(rng.lognormvariate(1.1, 0.5))))
            chosen: dict[int, int] = {}
            while len(chosen) < size:
                pick = rng.choices(range(len(_GROCERIES)), weights)[0]
                chosen.setdefault(pick, 1 + (rng.random() < 0.18) + (rng.random() < 0.05))
            lines = []
            for pick, quantity in sorted(chosen.items()):
                category, item, price, _ = _GROCERIES[pick]
                amount = price * quantity
                if category in {"deli", "seafood", "meat"} and rng.random() < 0.15:
                    amount = int(amount * 0.8)  # evening mark-down (見切り値引き)
                lines.append((category, item, quantity, amount))
            token = "bk" + "".join(rng.choices(_BASKET_ID_ALPHABET, k=10))
            while token in used:
                token = "bk" + "".join(rng.choices(_BASKET_ID_ALPHABET, k=10))
            used.add(token)
            baskets.append((token, week, prefecture, _AGE_BANDS[band_index], gender, lines))
    # k-anonymity over (store_prefecture, age_band, gender), counted in baskets (hence also in rows).
    classes = Counter((pref, band, gender) for _t, _w, pref, band, gender, _l in baskets)
    rows: list[tuple[object, ...]] = []
    for token, week, pref, band, gender, lines in baskets:
        if classes[(pref, band, gender)] < K_ANONYMITY:
            continue
        for category, item, quantity, amount in lines:
            rows.append((token, week, pref, band, gender, category, item, quantity, amount))
    header = (
        "basket_id",
        "week",
        "store_prefecture",
        "age_band",
        "gender",
        "category",
        "item",
        "quantity",
        "amount_jpy",
    )
    return _csv_bytes(header, rows)


_BUILDERS: dict[str, Callable[[], bytes]] = {
    "bridge-strain-yodogawa": _bridge_strain,
    "machine-vibration-aichi-plant": _machine_vibration,
    "weather-stations-january": _weather_stations,
    "people-flow-mesh-250m": _people_flow,
    "retail-baskets-weekly": _retail_baskets,
}

DEMO_DATASETS: tuple[DemoDataset, ...] = (
    DemoDataset(
        key="bridge-strain-yodogawa",
        seller_key="kansai-bridge",
        title="Bridge strain gauges, Yodogawa bridge (淀川橋梁 ひずみ計測)",
        description=(
            "Strain of the main girder of a steel road bridge over the Yodogawa, Osaka, from six foil strain "
            "gauges (SG-01 to SG-06) sampled every 10 minutes over two weeks in November 2024. Values are in "
            "microstrain (µε) with the steel surface temperature in °C; they show the weekday rush-hour "
            "traffic cycle and thermal strain, and rows where a gauge drifted are flagged status=drift. "
            "大阪・淀川に架かる鋼道路橋の主桁に設置したひずみゲージ6点（SG-01〜SG-06）の10分間隔・2週間分の"
            "計測データです。ひずみ（µε）と鋼材表面温度（℃）を収録し、ゲージのドリフト発生時は status=drift "
            "で示します。"
        ),
        data_class="iot",
        category="infrastructure",
        tags=("bridge", "strain", "shm", "structural-health", "osaka", "橋梁", "ひずみ"),
        region="Osaka, Kansai (大阪府)",
        update_frequency="daily",
        anonymization=None,
        file_format="csv",
        filename="yodogawa-bridge-strain-2024-11.csv",
    ),
    DemoDataset(
        key="machine-vibration-aichi-plant",
        seller_key="tokai-precision",
        title="Machining centre vibration and bearing temperature (マシニングセンタ 振動・軸受温度)",
        description=(
            "Condition-monitoring data of four machining centres (MC-01 to MC-04) in a precision machining "
            "plant in Aichi, every 20 minutes for two weeks in October 2024: RMS vibration velocity (mm/s, "
            "ISO 10816), peak acceleration (g), spindle speed (rpm) and bearing temperature (°C). MC-03 "
            "develops an outer-race bearing fault from the first Friday, useful for anomaly detection and "
            "predictive maintenance. 愛知県の精密加工工場のマシニングセンタ4台の振動速度RMS・ピーク加速度・"
            "主軸回転数・軸受温度を20分間隔で2週間記録したJSON Linesです。MC-03では軸受外輪の損傷が徐々に"
            "進行しています。"
        ),
        data_class="iot",
        category="manufacturing",
        tags=("vibration", "predictive-maintenance", "cnc", "bearing", "condition-monitoring", "振動", "予知保全"),
        region="Okazaki, Aichi (愛知県)",
        update_frequency="hourly",
        anonymization=None,
        file_format="jsonl",
        filename="machining-centre-vibration-2024-10.jsonl",
    ),
    DemoDataset(
        key="weather-stations-january",
        seller_key="machi-data",
        title="Hourly weather at five Japanese cities, January 2025 (5都市 毎時気象観測)",
        description=(
            "Hourly surface observations from stations at Sapporo (47412), Sendai (47590), Tokyo (47662), "
            "Osaka (47772) and Fukuoka (47807) for January 2025: air temperature (°C), relative humidity "
            "(%), sea-level pressure (hPa), wind speed (m/s) and precipitation (mm/h, water equivalent for "
            "snow). 札幌・仙台・東京・大阪・福岡の観測地点における2025年1月の毎時の気温・湿度・気圧・風速・"
            "降水量です。時刻は日本標準時（+09:00）です。"
        ),
        data_class="iot",
        category="weather",
        tags=("weather", "temperature", "precipitation", "wind", "hourly", "気象", "気温"),
        region="Japan (Hokkaido, Tohoku, Kanto, Kansai, Kyushu)",
        update_frequency="hourly",
        anonymization=None,
        file_format="csv",
        filename="weather-5-cities-2025-01.csv",
    ),
    DemoDataset(
        key="people-flow-mesh-250m",
        seller_key="machi-data",
        title="People flow by 250 m mesh, age band and gender (250mメッシュ 人流 性年代別)",
        description=(
            "Hourly visitor counts in 250 m JIS mesh cells around Shibuya, Shinjuku, Umeda, Namba, Sakae and "
            "Tenjin from 6 to 8 December 2024, estimated from smartphone location data and broken down by "
            "10-year age band and gender. Produced as anonymously processed information (APPI): counts below 10 "
            "are suppressed and every mesh/age/gender class appears in at least 5 rows. 渋谷・新宿・梅田・難波・"
            "栄・天神周辺の250mメッシュ別・1時間別・性年代別の滞在人口（人流）です。個人情報保護法の匿名加工"
            "情報として作成し、10人未満のセルは秘匿しています。"
        ),
        data_class="anonymized",
        category="mobility",
        tags=("people-flow", "mesh", "footfall", "location", "人流", "メッシュ"),
        region="Tokyo, Osaka, Nagoya, Fukuoka",
        update_frequency="weekly",
        anonymization={
            "quasi_identifiers": list(_PEOPLE_FLOW_QIS),
            "personal_info_items": [
                "smartphone location history",
                "date and time of stay",
                "age",
                "gender",
            ],
            "method": (
                "Location records aggregated to 250 m JIS X 0410 mesh cells and 1-hour slots; device IDs and "
                "exact coordinates deleted; age generalised to 10-year bands (70 and over combined); counts "
                "below 10 suppressed; classes over mesh_code, age_band and gender with fewer than 5 rows "
                "removed (k = 5). 匿名加工情報（個人情報保護法第43条）: 端末IDと位置座標を削除し、250mメッシュ・"
                "1時間単位に集計、年齢を10歳階級に一般化、10人未満を秘匿。"
            ),
        },
        file_format="csv",
        filename="people-flow-250m-2024-12-06_08.csv",
    ),
    DemoDataset(
        key="retail-baskets-weekly",
        seller_key="machi-data",
        title="Supermarket baskets by week, prefecture and shopper segment (スーパー購買データ 性年代別)",
        description=(
            "Anonymised loyalty-card purchases at supermarkets in Tokyo, Kanagawa, Osaka, Aichi and Fukuoka, "
            "ISO weeks 5 to 8 of 2024: one row per basket line with the product category, Japanese item "
            "name, quantity and tax-included amount (JPY). Shoppers appear only as 10-year age band and "
            "gender, and baskets under a random token. 首都圏・関西・東海・九州のスーパーの会員カード購買データを"
            "匿名加工し、週・都道府県・性年代別にバスケット明細（品目・数量・税込金額）として提供します。"
        ),
        data_class="anonymized",
        category="retail",
        tags=("retail", "pos", "basket", "grocery", "consumer", "購買", "スーパー"),
        region="Tokyo, Kanagawa, Osaka, Aichi, Fukuoka",
        update_frequency="weekly",
        anonymization={
            "quasi_identifiers": list(_RETAIL_QIS),
            "personal_info_items": [
                "loyalty card number",
                "name",
                "date of birth",
                "gender",
                "home address",
                "store and date of purchase",
                "purchased items and amounts",
            ],
            "method": (
                "Card numbers, names and addresses deleted; baskets re-keyed with random tokens with no "
                "correspondence table kept; purchase dates generalised to ISO weeks and stores to prefectures; "
                "age generalised to 10-year bands; segments over store_prefecture, age_band and gender with "
                "fewer than 5 baskets removed (k = 5). 匿名加工情報（個人情報保護法）: 氏名・会員番号・住所を削除し、"
                "日付を週単位、店舗を都道府県単位、年齢を10歳階級に一般化。"
            ),
        },
        file_format="csv",
        filename="retail-baskets-2024-W05_W08.csv",
    ),
)


def demo_dataset(key: str) -> DemoDataset:
    """The demo dataset with this key (KeyError if none)."""
    for dataset in DEMO_DATASETS:
        if dataset.key == key:
            return dataset
    raise KeyError(key)


# --------------------------------------------------------------------------------------------------
# Large strain CSV for benchmarks
# --------------------------------------------------------------------------------------------------

# Monthly mean air temperature in Osaka (°C, 1991-2020 normals).
_OSAKA_MONTHLY_TEMP = (6.2, 6.6, 9.9, 15.5, 20.3, 24.1, 28.0, 29.4, 25.6, 19.7, 13.9, 8.7)
_BLOCK_BYTES = 1 << 20


def generate_strain_csv(
    stream: BinaryIO,
    *,
    target_bytes: int,
    seed: int = 7,
    sensors: int = 6,
    interval_s: int = 60,
) -> int:
    """Write a bridge strain CSV (columns as the demo dataset) of at least ``target_bytes``; return bytes written.

    Rows run from 2023-04-01T00:00:00+09:00 every ``interval_s`` seconds for ``sensors`` gauges (about
    420 KB per day with the defaults, so 1 GB spans about 6.5 years). For speed, each day reuses one of
    up to 48 pre-computed day profiles (month × weekday/weekend × 2 variants, built lazily with seeded
    generators) and only the date is joined in; memory stays bounded whatever the size. The output stops
    at the first whole hour of rows that reaches ``target_bytes`` and is written in ~1 MB blocks.
    Deterministic: the same arguments give the same bytes.
    """
    if target_bytes < 0:
        raise ValueError("target_bytes must not be negative")
    if not 1 <= sensors <= 9999:
        raise ValueError("sensors must be between 1 and 9999")
    if interval_s <= 0 or 3600 % interval_s:
        raise ValueError("interval_s must divide an hour (e.g. 1, 10, 60, 600, 3600)")
    header = (",".join(STRAIN_COLUMNS) + "\n").encode("ascii")
    stream.write(header)
    written = len(header)
    if written >= target_bytes:
        return written

    gauges = _gauges(sensors)
    clocks = _clock_suffixes(interval_s)
    chooser = random.Random(seed)  # noqa: S311 (reproducible demo data)
    profiles: dict[tuple[int, bool, int], list[list[str]]] = {}
    steps = len(clocks)

    def profile(month: int, weekend: bool, variant: int) -> list[list[str]]:
        key = (month, weekend, variant)
        if key not in profiles:
            rng = random.Random(seed * 1_000_003 + month * 100 + weekend * 10 + variant)  # noqa: S311 (reproducible demo data)
            drift = (rng.randrange(sensors), rng.randrange(steps // 2), max(1, steps // 48)) if variant else None
            profiles[key] = _strain_day(
                rng,
                gauges,
                clocks,
                mean_temp=_OSAKA_MONTHLY_TEMP[month - 1] + rng.gauss(0.0, 2.0),
                weekend=weekend,
                drift=drift,
            )
        return profiles[key]

    pending: list[str] = []
    pending_bytes = 0
    day = date(2023, 4, 1)
    one_day = timedelta(days=1)
    while True:
        prefix = day.isoformat() + "T"
        separator = "\n" + prefix
        hours = profile(day.month, day.weekday() >= 5, chooser.randrange(2))
        for rows in hours:
            chunk = prefix + separator.join(rows) + "\n"
            pending.append(chunk)
            pending_bytes += len(chunk)  # ASCII only: characters == bytes
            if written + pending_bytes >= target_bytes or pending_bytes >= _BLOCK_BYTES:
                stream.write("".join(pending).encode("ascii"))
                written += pending_bytes
                pending.clear()
                pending_bytes = 0
                if written >= target_bytes:
                    return written
        day += one_day


# --------------------------------------------------------------------------------------------------
# Catalog entries for the search benchmark
# --------------------------------------------------------------------------------------------------

# English place, Japanese place, prefecture (English, Japanese)
_PLACES: tuple[tuple[str, str, str, str], ...] = (
    ("Sapporo", "札幌", "Hokkaido", "北海道"),
    ("Asahikawa", "旭川", "Hokkaido", "北海道"),
    ("Aomori", "青森", "Aomori", "青森県"),
    ("Sendai", "仙台", "Miyagi", "宮城県"),
    ("Akita", "秋田", "Akita", "秋田県"),
    ("Niigata", "新潟", "Niigata", "新潟県"),
    ("Utsunomiya", "宇都宮", "Tochigi", "栃木県"),
    ("Saitama", "さいたま", "Saitama", "埼玉県"),
    ("Chiba", "千葉", "Chiba", "千葉県"),
    ("Tokyo", "東京", "Tokyo", "東京都"),
    ("Yokohama", "横浜", "Kanagawa", "神奈川県"),
    ("Kawasaki", "川崎", "Kanagawa", "神奈川県"),
    ("Shizuoka", "静岡", "Shizuoka", "静岡県"),
    ("Hamamatsu", "浜松", "Shizuoka", "静岡県"),
    ("Nagoya", "名古屋", "Aichi", "愛知県"),
    ("Toyota", "豊田", "Aichi", "愛知県"),
    ("Kanazawa", "金沢", "Ishikawa", "石川県"),
    ("Kyoto", "京都", "Kyoto", "京都府"),
    ("Osaka", "大阪", "Osaka", "大阪府"),
    ("Sakai", "堺", "Osaka", "大阪府"),
    ("Kobe", "神戸", "Hyogo", "兵庫県"),
    ("Okayama", "岡山", "Okayama", "岡山県"),
    ("Hiroshima", "広島", "Hiroshima", "広島県"),
    ("Takamatsu", "高松", "Kagawa", "香川県"),
    ("Matsuyama", "松山", "Ehime", "愛媛県"),
    ("Kitakyushu", "北九州", "Fukuoka", "福岡県"),
    ("Fukuoka", "福岡", "Fukuoka", "福岡県"),
    ("Kumamoto", "熊本", "Kumamoto", "熊本県"),
    ("Kagoshima", "鹿児島", "Kagoshima", "鹿児島県"),
    ("Naha", "那覇", "Okinawa", "沖縄県"),
)


@dataclass(frozen=True)
class _Theme:
    category: str
    data_class: DataClassName
    subject: str  # English, e.g. "bridge"
    subject_ja: str
    device: str  # sensors or data source
    device_ja: str
    measures: tuple[tuple[str, str, str, str], ...]  # (English, Japanese, unit, tag)
    tags: tuple[str, ...]
    frequencies: tuple[str, ...]
    quasi_identifiers: tuple[str, ...] = ()
    personal_info_items: tuple[str, ...] = ()


_IOT_SAMPLING = (
    ("1 second", "1秒"),
    ("10 seconds", "10秒"),
    ("1 minute", "1分"),
    ("10 minutes", "10分"),
    ("1 hour", "1時間"),
)
_THEMES: tuple[_Theme, ...] = (
    _Theme(
        "infrastructure",
        "iot",
        "bridge",
        "橋梁",
        "strain gauges and accelerometers",
        "ひずみ計・加速度計",
        (
            ("strain", "ひずみ", "µε", "strain"),
            ("vibration", "振動", "mm/s", "vibration"),
            ("displacement", "変位", "mm", "displacement"),
            ("cable tension", "ケーブル張力", "kN", "tension"),
        ),
        ("bridge", "shm", "橋梁", "インフラ"),
        ("realtime", "hourly", "daily"),
    ),
    _Theme(
        "infrastructure",
        "iot",
        "tunnel",
        "トンネル",
        "crack gauges and gas sensors",
        "亀裂変位計・ガスセンサ",
        (
            ("crack width", "ひび割れ幅", "mm", "crack"),
            ("CO concentration", "CO濃度", "ppm", "air-quality"),
            ("lining temperature", "覆工温度", "°C", "temperature"),
        ),
        ("tunnel", "トンネル", "インフラ"),
        ("hourly", "daily"),
    ),
    _Theme(
        "infrastructure",
        "iot",
        "water main",
        "水道管",
        "pressure loggers",
        "水圧ロガー",
        (
            ("water pressure", "水圧", "MPa", "pressure"),
            ("leak noise", "漏水音", "dB", "leak-detection"),
            ("flow", "流量", "m³/h", "flow"),
        ),
        ("water", "pipeline", "上水道", "漏水"),
        ("hourly", "daily"),
    ),
    _Theme(
        "infrastructure",
        "iot",
        "slope",
        "法面",
        "inclinometers and piezometers",
        "傾斜計・間隙水圧計",
        (
            ("inclination", "傾斜", "degrees", "inclination"),
            ("pore water pressure", "間隙水圧", "kPa", "pore-pressure"),
            ("rainfall", "雨量", "mm", "rainfall"),
        ),
        ("landslide", "slope", "土砂災害", "防災"),
        ("realtime", "hourly"),
    ),
    _Theme(
        "manufacturing",
        "iot",
        "machining centre",
        "マシニングセンタ",
        "vibration sensors",
        "振動センサ",
        (
            ("vibration", "振動", "mm/s", "vibration"),
            ("spindle load", "主軸負荷", "%", "spindle"),
            ("bearing temperature", "軸受温度", "°C", "bearing"),
        ),
        ("cnc", "predictive-maintenance", "予知保全", "工作機械"),
        ("realtime", "hourly", "daily"),
    ),
    _Theme(
        "manufacturing",
        "iot",
        "press line",
        "プレスライン",
        "load cells",
        "ロードセル",
        (
            ("press tonnage", "荷重", "kN", "tonnage"),
            ("vibration", "振動", "g", "vibration"),
            ("cycle time", "サイクルタイム", "s", "cycle-time"),
        ),
        ("press", "stamping", "プレス", "自動車部品"),
        ("hourly", "daily"),
    ),
    _Theme(
        "manufacturing",
        "iot",
        "injection moulding machine",
        "射出成形機",
        "process sensors",
        "プロセスセンサ",
        (
            ("cavity pressure", "型内圧力", "MPa", "pressure"),
            ("mould temperature", "金型温度", "°C", "temperature"),
            ("cycle time", "サイクルタイム", "s", "cycle-time"),
        ),
        ("injection-moulding", "plastics", "射出成形", "品質"),
        ("daily", "weekly"),
    ),
    _Theme(
        "manufacturing",
        "iot",
        "air compressor",
        "コンプレッサ",
        "accelerometers and power meters",
        "加速度センサ・電力計",
        (
            ("vibration", "振動", "mm/s", "vibration"),
            ("discharge temperature", "吐出温度", "°C", "temperature"),
            ("power draw", "消費電力", "kW", "power"),
        ),
        ("compressor", "utilities", "省エネ", "設備保全"),
        ("hourly", "daily"),
    ),
    _Theme(
        "weather",
        "iot",
        "weather station",
        "気象観測所",
        "automatic weather stations",
        "自動気象観測装置",
        (
            ("air temperature", "気温", "°C", "temperature"),
            ("precipitation", "降水量", "mm", "precipitation"),
            ("wind speed", "風速", "m/s", "wind"),
            ("solar radiation", "日射量", "W/m²", "solar"),
        ),
        ("weather", "meteorology", "気象"),
        ("hourly", "daily", "realtime"),
    ),
    _Theme(
        "weather",
        "iot",
        "river",
        "河川",
        "water-level gauges",
        "水位計",
        (("water level", "水位", "m", "water-level"), ("rainfall", "雨量", "mm", "rainfall")),
        ("flood", "river", "洪水", "防災"),
        ("realtime", "hourly"),
    ),
    _Theme(
        "weather",
        "iot",
        "air quality monitor",
        "大気測定局",
        "particulate sensors",
        "微小粒子状物質計",
        (("PM2.5", "PM2.5", "µg/m³", "pm25"), ("NO2", "二酸化窒素", "ppb", "no2"), ("ozone", "オゾン", "ppb", "ozone")),
        ("air-quality", "environment", "大気汚染", "環境"),
        ("hourly", "daily"),
    ),
    _Theme(
        "mobility",
        "iot",
        "road",
        "道路",
        "traffic counters",
        "トラフィックカウンター",
        (
            ("traffic volume", "交通量", "vehicles/h", "traffic"),
            ("average speed", "平均速度", "km/h", "speed"),
            ("heavy vehicle share", "大型車混入率", "%", "trucks"),
        ),
        ("traffic", "road", "交通量", "渋滞"),
        ("realtime", "hourly", "daily"),
    ),
    _Theme(
        "mobility",
        "anonymized",
        "city centre",
        "都心部",
        "smartphone location data",
        "スマートフォン位置情報",
        (("people flow", "人流", "persons/h", "people-flow"), ("stay duration", "滞在時間", "min", "dwell-time")),
        ("people-flow", "mesh", "人流", "位置情報"),
        ("daily", "weekly", "monthly"),
        ("mesh_code", "age_band", "gender"),
        ("location history", "age", "gender"),
    ),
    _Theme(
        "mobility",
        "anonymized",
        "taxi service area",
        "タクシー営業区域",
        "taxi trip records",
        "タクシー乗車記録",
        (
            ("pick-ups", "乗車回数", "trips", "taxi"),
            ("trip distance", "乗車距離", "km", "distance"),
            ("fare", "運賃", "JPY", "fare"),
        ),
        ("taxi", "od", "タクシー", "人流"),
        ("weekly", "monthly"),
        ("origin_mesh", "destination_mesh", "hour"),
        ("pick-up and drop-off locations", "trip times"),
    ),
    _Theme(
        "mobility",
        "anonymized",
        "railway network",
        "鉄道網",
        "IC card ticket gates",
        "交通系ICカード改札",
        (
            ("station-to-station trips", "駅間OD", "trips", "od"),
            ("passenger flow", "旅客流動", "persons", "passengers"),
        ),
        ("railway", "ic-card", "鉄道", "人流"),
        ("monthly", "quarterly"),
        ("origin_station", "destination_station", "age_band"),
        ("card ID", "age", "trip history"),
    ),
    _Theme(
        "retail",
        "anonymized",
        "supermarket",
        "スーパー",
        "loyalty-card POS records",
        "会員カードPOS",
        (("basket contents", "購買明細", "JPY", "basket"), ("purchase frequency", "購買頻度", "visits", "frequency")),
        ("pos", "retail", "購買", "小売"),
        ("weekly", "monthly"),
        ("store_prefecture", "age_band", "gender"),
        ("card number", "name", "age", "gender", "purchases"),
    ),
    _Theme(
        "retail",
        "anonymized",
        "drugstore",
        "ドラッグストア",
        "point-card purchases",
        "ポイントカード購買",
        (("category sales", "カテゴリ別売上", "JPY", "sales"), ("repeat rate", "リピート率", "%", "repeat")),
        ("drugstore", "retail", "購買", "ドラッグストア"),
        ("monthly",),
        ("store_city", "age_band", "gender"),
        ("member ID", "age", "gender", "purchases"),
    ),
    _Theme(
        "retail",
        "iot",
        "shopping street",
        "商店街",
        "footfall counters",
        "通行量カウンター",
        (("footfall", "通行量", "persons/h", "footfall"), ("dwell time", "滞留時間", "s", "dwell-time")),
        ("footfall", "shopping-street", "商店街", "通行量"),
        ("hourly", "daily"),
    ),
    _Theme(
        "energy",
        "iot",
        "solar plant",
        "太陽光発電所",
        "power conditioners",
        "パワーコンディショナ",
        (
            ("PV output", "発電出力", "kW", "pv"),
            ("irradiance", "日射強度", "W/m²", "irradiance"),
            ("module temperature", "モジュール温度", "°C", "temperature"),
        ),
        ("solar", "renewable", "再生可能エネルギー", "太陽光"),
        ("realtime", "hourly", "daily"),
    ),
    _Theme(
        "energy",
        "iot",
        "wind farm",
        "風力発電所",
        "turbine SCADA",
        "風車SCADA",
        (
            ("power output", "発電出力", "kW", "power"),
            ("nacelle vibration", "ナセル振動", "mm/s", "vibration"),
            ("hub wind speed", "ハブ高さ風速", "m/s", "wind"),
        ),
        ("wind-power", "renewable", "風力発電", "振動"),
        ("realtime", "hourly"),
    ),
    _Theme(
        "energy",
        "anonymized",
        "household",
        "一般家庭",
        "smart meters",
        "スマートメーター",
        (
            ("electricity consumption", "電力使用量", "kWh", "electricity"),
            ("peak demand", "ピーク需要", "kW", "demand"),
        ),
        ("smart-meter", "electricity", "電力", "スマートメーター"),
        ("daily", "monthly"),
        ("postcode_area", "household_size", "dwelling_type"),
        ("supply point ID", "address", "consumption"),
    ),
    _Theme(
        "agriculture",
        "iot",
        "greenhouse",
        "ビニールハウス",
        "environment controllers",
        "環境制御装置",
        (
            ("air temperature", "気温", "°C", "temperature"),
            ("CO2 concentration", "CO2濃度", "ppm", "co2"),
            ("soil moisture", "土壌水分", "%", "soil-moisture"),
        ),
        ("greenhouse", "smart-agriculture", "施設園芸", "スマート農業"),
        ("hourly", "daily"),
    ),
    _Theme(
        "agriculture",
        "iot",
        "rice paddy",
        "水田",
        "water-level sensors",
        "水位センサ",
        (("paddy water level", "水田水位", "cm", "water-level"), ("water temperature", "水温", "°C", "temperature")),
        ("rice", "paddy", "稲作", "水田"),
        ("hourly", "daily"),
    ),
    _Theme(
        "agriculture",
        "iot",
        "dairy barn",
        "牛舎",
        "collar sensors",
        "首輪型センサ",
        (
            ("rumination time", "反芻時間", "min/day", "rumination"),
            ("activity", "活動量", "index", "activity"),
            ("barn temperature", "牛舎温度", "°C", "temperature"),
        ),
        ("dairy", "livestock", "畜産", "酪農"),
        ("daily",),
    ),
    _Theme(
        "healthcare",
        "anonymized",
        "health check-up programme",
        "健康診断",
        "check-up results",
        "健診結果",
        (
            ("blood pressure", "血圧", "mmHg", "blood-pressure"),
            ("HbA1c", "HbA1c", "%", "hba1c"),
            ("BMI", "BMI", "kg/m²", "bmi"),
        ),
        ("health-checkup", "medical", "健診", "医療"),
        ("quarterly", "yearly"),
        ("prefecture", "age_band", "gender"),
        ("name", "insurance number", "age", "test results"),
    ),
    _Theme(
        "healthcare",
        "anonymized",
        "clinic",
        "診療所",
        "medical claims",
        "レセプト",
        (("diagnoses", "傷病名", "ICD-10", "icd10"), ("prescriptions", "処方", "items", "prescription")),
        ("claims", "receipt", "レセプト", "医療"),
        ("monthly", "quarterly"),
        ("prefecture", "age_band", "gender", "month"),
        ("patient ID", "name", "date of birth", "diagnoses"),
    ),
    _Theme(
        "healthcare",
        "anonymized",
        "wellness app",
        "ヘルスケアアプリ",
        "wearable devices",
        "ウェアラブル端末",
        (
            ("daily steps", "歩数", "steps", "steps"),
            ("sleep duration", "睡眠時間", "h", "sleep"),
            ("resting heart rate", "安静時心拍数", "bpm", "heart-rate"),
        ),
        ("wearable", "wellness", "歩数", "ヘルスケア"),
        ("weekly", "monthly"),
        ("prefecture", "age_band", "gender"),
        ("account ID", "age", "gender", "activity records"),
    ),
    _Theme(
        "other",
        "iot",
        "port",
        "港湾",
        "noise and vibration meters",
        "騒音振動計",
        (("noise level", "騒音レベル", "dB", "noise"), ("ground vibration", "地盤振動", "dB", "vibration")),
        ("noise", "port", "騒音", "振動"),
        ("hourly", "daily"),
    ),
    _Theme(
        "other",
        "iot",
        "coastline",
        "沿岸",
        "buoys",
        "観測ブイ",
        (("sea surface temperature", "海水温", "°C", "sst"), ("wave height", "波高", "m", "waves")),
        ("ocean", "marine", "海洋", "漁業"),
        ("hourly", "daily"),
    ),
    _Theme(
        "other",
        "anonymized",
        "tourist destination",
        "観光地",
        "visitor surveys",
        "観光客アンケート",
        (("visitor satisfaction", "満足度", "score", "satisfaction"), ("spending", "消費額", "JPY", "spending")),
        ("tourism", "survey", "観光", "インバウンド"),
        ("quarterly", "yearly"),
        ("nationality_region", "age_band", "gender"),
        ("name", "nationality", "age", "answers"),
    ),
)
_DATA_HOLDERS = (
    ("municipal", "市"),
    ("prefectural", "県"),
    ("private operator", "民間事業者"),
    ("university research", "大学"),
    ("utility company", "事業者"),
    ("industry consortium", "コンソーシアム"),
)
_ANON_METHODS = (
    ("aggregated to 1-hour slots and 10-year age bands", "1時間単位・10歳階級に集計"),
    ("identifiers deleted and dates generalised to weeks", "識別子を削除し日付を週単位に一般化"),
    ("top-coding of extreme values and suppression of cells below 10", "外れ値のトップコーディングと10未満のセル秘匿"),
    ("random re-keying without a correspondence table", "対応表を残さない仮IDへの置換"),
)


def generate_catalog_entries(n: int, seed: int = 11) -> Iterator[dict[str, Any]]:
    """Yield ``n`` varied dataset metadata dicts for a search benchmark (deterministic for a seed).

    Keys: title, description, data_class, category, tags (list), region, update_frequency, anonymization
    (the APPI disclosure for anonymised entries, ``{}`` for IoT ones, as the model stores it). Titles and
    descriptions mix English and Japanese from word lists of subjects, measurements and 30 places, so a
    word like "bridge", "振動", "Osaka" or "人流" matches a fraction of the entries.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data)
    for number in range(1, n + 1):
        theme = rng.choice(_THEMES)
        place, place_ja, prefecture, prefecture_ja = rng.choice(_PLACES)
        measures = rng.sample(theme.measures, k=rng.randint(1, min(3, len(theme.measures))))
        year = rng.randint(2018, 2025)
        holder, holder_ja = rng.choice(_DATA_HOLDERS)
        where = place if place == prefecture else f"{place}, {prefecture}"
        where_ja = place_ja if prefecture_ja.startswith(place_ja) else prefecture_ja + place_ja
        english_names = [m[0] for m in measures]
        names = english_names[0] if len(measures) == 1 else f"{', '.join(english_names[:-1])} and {english_names[-1]}"
        names_title = names[:1].upper() + names[1:]  # str.capitalize() would turn "HbA1c" into "Hba1c"
        article = "an" if theme.subject[0] in "aeiou" else "a"
        names_ja = "・".join(m[1] for m in measures)
        units = ", ".join(f"{m[0]} in {m[2]}" for m in measures)
        title = f"{names_title} of {theme.subject}, {place} {year} ({place_ja} {theme.subject_ja} {names_ja})"
        if theme.data_class == "iot":
            sampling, sampling_ja = rng.choice(_IOT_SAMPLING)
            count = rng.randint(2, 120)
            english = (
                f"{names_title} measured by {count} {theme.device} on {article} {theme.subject} in {where} "
                f"({holder} data), sampled every {sampling} during {year}. Units: {units}."
            )
            japanese = (
                f"{where_ja}の{theme.subject_ja}に設置した{theme.device_ja}{count}台で"
                f"{names_ja}を{sampling_ja}間隔で計測した{year}年のデータです（{holder_ja}提供）。"
            )
            anonymization: dict[str, Any] = {}
        else:
            method, method_ja = rng.choice(_ANON_METHODS)
            english = (
                f"{names_title} for the {theme.subject} in {where}, {year}, derived from {theme.device} "
                f"({holder} data) as anonymously processed information: {method}. Units: {units}."
            )
            japanese = (
                f"{where_ja}の{theme.subject_ja}における{theme.device_ja}から作成した"
                f"{names_ja}の匿名加工情報です（{year}年、{method_ja}、{holder_ja}提供）。"
            )
            anonymization = {
                "quasi_identifiers": list(theme.quasi_identifiers),
                "personal_info_items": list(theme.personal_info_items),
                "method": f"{method.capitalize()}; k-anonymity with k = 5. {method_ja}。",
            }
        language = rng.random()
        if language < 0.2:
            description = english
        elif language < 0.4:
            description = japanese
        else:
            description = f"{english} {japanese}"
        # IoT data is tagged so as a seller of sensing data tags it (and as the search bench's "tag=iot" asks).
        kind = ["iot"] if theme.data_class == "iot" else []
        tags = [*kind, *theme.tags, *(m[3] for m in measures), place.lower(), place_ja]
        yield {
            "title": f"{title} #{number}" if rng.random() < 0.05 else title,
            "description": description,
            "data_class": theme.data_class,
            "category": theme.category,
            "tags": list(dict.fromkeys(tags)),
            "region": f"{where} ({prefecture_ja})",
            "update_frequency": rng.choice(theme.frequencies),
            "anonymization": anonymization,
        }
