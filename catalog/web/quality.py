"""A version's quality figures (``catalog.quality``) as pages show them, in the reader's language: null rates as
percentages, estimated distinct counts as "about N", intervals, gaps and freshness in human units ("3 hours 12
minutes before publication"); and a feed's figures over its versions, a row each.

The stored dictionary is read defensively: it is written once by profiling, but a page must render whatever an older
or partial one holds (a missing figure shows as a dash, never as an error).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog import selectors
from catalog.models import DatasetVersion

# The versions a feed's table shows, newest first: a feed publishing daily fills a screen in a month.
FEED_VERSIONS = 30

# Duration units, largest first: (seconds in one, name).
_UNITS: tuple[tuple[int, str], ...] = (
    (86_400, "day"),
    (3_600, "hour"),
    (60, "minute"),
    (1, "second"),
)


def _unit(count: int, unit: str) -> str:
    if unit == "day":
        return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}
    if unit == "hour":
        return ngettext("%(count)d hour", "%(count)d hours", count) % {"count": count}
    if unit == "minute":
        return ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}
    return ngettext("%(count)d second", "%(count)d seconds", count) % {"count": count}


def duration(seconds: Any) -> str:
    """``seconds`` in the two largest units it has ("3 hours 12 minutes", "2 days 4 hours", "45 seconds"), rounded
    down to the smaller one; under a second "less than a second"; "" for no number."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not math.isfinite(seconds):
        return ""
    whole = int(abs(seconds))
    if whole == 0:
        return _("less than a second")
    parts: list[str] = []
    for size, unit in _UNITS:
        count, whole = divmod(whole, size)
        if count:
            parts.append(_unit(count, unit))
        if len(parts) == 2 or (parts and not count):
            break  # the two largest units; "2 days 0 hours" is "2 days"
    if len(parts) == 1:
        return parts[0]
    return _("%(larger)s %(smaller)s") % {"larger": parts[0], "smaller": parts[1]}


def freshness(seconds: Any) -> str:
    """How fresh the data was when published: "3 hours 12 minutes before publication" (newest reading to
    publication); readings dated after it (a clock ahead) say so."""
    text = duration(seconds)
    if not text:
        return ""
    if seconds < 0:
        return _("%(duration)s after publication (readings dated in the future)") % {"duration": text}
    return _("%(duration)s before publication") % {"duration": text}


def percent(rate: Any) -> str:
    """A rate from 0 to 1 as a percentage with one decimal; a rate above 0 never shows as 0.0 % ("< 0.1%")."""
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not math.isfinite(rate):
        return ""
    value = rate * 100
    if 0 < value < 0.05:
        return "< 0.1%"
    return f"{value:.1f}%"


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e15 else f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class ColumnLine:
    name: str
    type: str
    null_rate: str
    distinct: str
    min: Any
    max: Any
    is_time: bool  # min and max are instants: shown in the market's time zone


@dataclass(frozen=True)
class GapLine:
    sensor: str | None
    start: str
    end: str
    length: str


@dataclass(frozen=True)
class QualityPanel:
    """What the "Data quality" panel shows of one version, or ``measured`` False while it is being measured
    (``awaiting``) or when its measuring failed for good (not ``awaiting``)."""

    version: DatasetVersion
    measured: bool
    awaiting: bool = False
    rows: int | None = None
    columns: tuple[ColumnLine, ...] = ()
    columns_omitted: int = 0
    timing: dict[str, Any] | None = None
    sensors: int | None = None
    interval_median: str = ""
    interval_p99: str = ""
    largest_gap: GapLine | None = None
    newest_reading: str = ""
    freshness: str = ""


def _distinct(column: dict[str, Any]) -> str:
    count = column.get("distinct")
    if not isinstance(count, int):
        return ""
    if column.get("distinct_approximate"):
        return _("about %(count)s") % {"count": f"{count:,}"}
    return f"{count:,}"


def _column(column: dict[str, Any]) -> ColumnLine:
    kind = str(column.get("type", ""))
    is_time = kind == "datetime"
    low, high = column.get("min"), column.get("max")
    return ColumnLine(
        name=str(column.get("name", "")),
        type=kind,
        null_rate=percent(column.get("null_rate")),
        distinct=_distinct(column),
        min=low if is_time or low is None else _number(low),
        max=high if is_time or high is None else _number(high),
        is_time=is_time,
    )


def _gap(gap: Any) -> GapLine | None:
    if not isinstance(gap, dict):
        return None
    return GapLine(
        sensor=gap.get("sensor"),
        start=str(gap.get("start", "")),
        end=str(gap.get("end", "")),
        length=duration(gap.get("seconds")),
    )


def _stored(version: DatasetVersion) -> dict[str, Any] | None:
    """The stored figures as the plain dictionary they are (read with .get: any figure may be missing)."""
    return cast(dict[str, Any] | None, selectors.quality_of(version))


def quality_panel(version: DatasetVersion, *, shown: selectors.Shown = selectors.PAGE) -> QualityPanel:
    """The panel of ``version``: its figures, the first ``shown.schema_columns`` columns (the rest counted)."""
    quality = _stored(version)
    if quality is None:
        return QualityPanel(version=version, measured=False, awaiting=selectors.awaiting_profile(version))
    columns = [column for column in quality.get("columns") or [] if isinstance(column, dict)]
    timing = quality.get("timing") if isinstance(quality.get("timing"), dict) else None
    panel = QualityPanel(
        version=version,
        measured=True,
        rows=quality.get("rows"),
        columns=tuple(_column(column) for column in columns[: shown.schema_columns]),
        columns_omitted=max(0, len(columns) - shown.schema_columns),
    )
    if timing is None:
        return panel
    return replace(
        panel,
        timing=timing,
        sensors=timing.get("sensors"),
        interval_median=duration(timing.get("interval_median_seconds")),
        interval_p99=duration(timing.get("interval_p99_seconds")),
        largest_gap=_gap(timing.get("largest_gap")),
        newest_reading=str(timing.get("newest_reading", "")),
        freshness=freshness(timing.get("freshness_seconds")),
    )


@dataclass(frozen=True)
class FeedLine:
    """One version of a feed, as its table shows it."""

    number: int
    published_at: datetime | None
    measured: bool
    rows: int | None
    freshness: str
    interval_median: str
    largest_gap: str
    largest_gap_sensor: str | None
    worst_null_rate: str
    worst_null_column: str


def _feed_line(version: DatasetVersion) -> FeedLine:
    quality = _stored(version)
    if quality is None:
        return FeedLine(version.number, version.validated_at, False, version.row_count, "", "", "", None, "", "")
    timing: dict[str, Any] = quality["timing"] if isinstance(quality.get("timing"), dict) else {}
    gap = _gap(timing.get("largest_gap"))
    columns = [
        c for c in quality.get("columns") or [] if isinstance(c, dict) and isinstance(c.get("null_rate"), int | float)
    ]
    worst = max(columns, key=lambda column: column["null_rate"], default=None)
    return FeedLine(
        number=version.number,
        published_at=version.validated_at,
        measured=True,
        rows=quality.get("rows"),
        freshness=duration(timing.get("freshness_seconds")),
        interval_median=duration(timing.get("interval_median_seconds")),
        largest_gap=gap.length if gap else "",
        largest_gap_sensor=gap.sensor if gap else None,
        worst_null_rate=percent(worst["null_rate"]) if worst else "",
        worst_null_column=str(worst.get("name", "")) if worst else "",
    )


def feed_lines(*, dataset_id: uuid.UUID, limit: int = FEED_VERSIONS) -> list[FeedLine]:
    """The latest ``limit`` published versions of a dataset, newest first, a line of figures each; one query."""
    versions = (
        DatasetVersion.objects.filter(dataset_id=dataset_id, status=DatasetVersion.Status.PUBLISHED)
        .only("id", "dataset_id", "number", "status", "validated_at", "row_count", "quality")
        .order_by("-number")[:limit]
    )
    return [_feed_line(version) for version in versions]
