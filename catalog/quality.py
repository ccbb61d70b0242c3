"""The quality figures a buyer judges a published version by: the shape of ``DatasetVersion.quality``.

Measured once, when the version is published (``catalog.profiling``), and never edited: a version is immutable.
The API shows the dictionary as it is stored (``quality`` of a version); the dataset page and a feed's page show
it in the reader's language. ``{}`` means "not measured": a version still validating, a rejected one, or one
published before the figures existed.

Per column: how many cells are empty (``null_rate``), how many distinct values there are (exact up to
``DISTINCT_EXACT_UP_TO``, an estimate past it, and ``distinct_approximate`` says which), and the smallest and
largest value of a number, date or date-time column. For IoT data, ``timing``: how regularly each sensor reports
(the median and 99th percentile of the gaps between one sensor's consecutive readings), the largest gap seen,
and how fresh the data was when published.
"""

from __future__ import annotations

from typing import Final, TypedDict

from catalog.validation.report import ColumnType

# Distinct counts are exact up to this many values per column, estimated past it (HyperLogLog or similar).
DISTINCT_EXACT_UP_TO: Final = 100_000

# Column names taken, in this order, as the one telling which sensor a reading came from; a file with none of
# them is one series.
SENSOR_COLUMN_NAMES: Final = (
    "sensor_id",
    "sensor",
    "device_id",
    "device",
    "station_id",
    "station",
    "node_id",
    "meter_id",
    "センサーid",
    "センサid",
    "機器id",
)


class ColumnQuality(TypedDict):
    name: str
    type: ColumnType
    null_count: int
    null_rate: float  # null_count / rows, 0.0 for a file without rows; rounded to 6 places
    distinct: int
    distinct_approximate: bool
    # Numbers as numbers, dates and date-times as ISO 8601 text; None for text and boolean columns and for a
    # column with no value.
    min: int | float | str | None
    max: int | float | str | None


class Gap(TypedDict):
    sensor: str | None  # the sensor's value as text; None when the file is one series
    start: str  # ISO 8601: the reading before the gap
    end: str  # ISO 8601: the reading after it
    seconds: float


class Timing(TypedDict):
    timestamp_column: str
    sensor_column: str | None  # None: the file is one series
    sensors: int
    interval_median_seconds: float | None  # None when no sensor has two readings
    interval_p99_seconds: float | None
    largest_gap: Gap | None
    newest_reading: str  # ISO 8601
    freshness_seconds: float  # from the newest reading to publication; negative when readings are in the future


class Quality(TypedDict):
    rows: int
    columns: list[ColumnQuality]
    timing: Timing | None  # IoT data with a timestamp column only
