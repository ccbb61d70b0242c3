"""Reads of the catalog: what a caller may see, and search."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from catalog import ranking, search
from catalog.models import CatalogEvent, Dataset, DatasetVersion, Tag, VersionRendition
from catalog.quality import Quality
from config.errors import NotFound


@dataclass(frozen=True)
class SearchFilters:
    q: str = ""
    data_class: str = ""
    category: str = ""
    tag: str = ""
    region: str = ""
    seller: uuid.UUID | None = None


def _visible(viewer_org_id: uuid.UUID | None) -> Q:
    """Listed datasets for everyone; a seller also sees its own drafts and withdrawn datasets."""
    visible = Q(status=Dataset.Status.PUBLISHED)
    if viewer_org_id is not None:
        visible |= Q(seller_id=viewer_org_id)
    return visible


def _filtered(viewer_org_id: uuid.UUID | None, filters: SearchFilters) -> QuerySet[Dataset]:
    """The visible datasets that pass every filter but the text."""
    queryset = Dataset.objects.filter(_visible(viewer_org_id))
    if filters.data_class:
        queryset = queryset.filter(data_class=filters.data_class)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.region:
        queryset = queryset.filter(region=filters.region)
    if filters.tag:
        # Resolved to an id first: a join on the tag's name lets the planner walk every dataset looking
        # for a tag that may not exist.
        tag_id = Tag.objects.filter(name=search.normalize(filters.tag.strip())).values_list("id", flat=True).first()
        if tag_id is None:
            return queryset.none()
        queryset = queryset.filter(id__in=Dataset.tags.through.objects.filter(tag_id=tag_id).values("dataset_id"))
    if filters.seller:
        queryset = queryset.filter(seller_id=filters.seller)
    return queryset


def dataset_search(*, viewer_org_id: uuid.UUID | None, filters: SearchFilters) -> QuerySet[Dataset]:
    """The matching datasets, unordered and unranked (for lists that order them themselves)."""
    queryset = _filtered(viewer_org_id, filters)
    if filters.q.strip():
        words = search.query_words(filters.q)
        terms = [search.word_tokens(word) for word in words]
        queryset = ranking.text_match(queryset, terms, {}, search.synonyms_of(words))
    # search_text is the largest column and only ever read by the database.
    return (
        queryset.select_related("seller").prefetch_related("tags").defer("search_text", "search_title", "search_tags")
    )


def dataset_search_page(
    *,
    viewer_org_id: uuid.UUID | None,
    filters: SearchFilters,
    sort: str = "",
    cursor: str | None = None,
    page_size: int = 20,
) -> ranking.SearchPage:
    """A page of the catalog search in ``sort`` order (relevance by default with a query, else newest), its cursors
    and its facets; a misspelt English word is widened to the similar words of the catalog (catalog/ranking.py)."""
    return ranking.search_page(
        filtered=_filtered(viewer_org_id, filters), q=filters.q, sort=sort, cursor=cursor, page_size=page_size
    )


def dataset_get(*, dataset_id: Any, viewer_org_id: uuid.UUID | None) -> Dataset:
    """A dataset visible to the viewer: listed ones, withdrawn ones (licensees keep reading them), and the
    viewer's own drafts. Anything else is 404, so another organisation's drafts do not leak."""
    try:
        dataset_uuid = uuid.UUID(str(dataset_id))
    except ValueError as exc:
        raise NotFound("No such dataset.") from exc
    visible = _visible(viewer_org_id) | Q(status=Dataset.Status.WITHDRAWN)
    dataset = Dataset.objects.filter(visible, pk=dataset_uuid).select_related("seller").prefetch_related("tags").first()
    if dataset is None:
        raise NotFound("No such dataset.")
    return dataset


def dataset_get_owned(*, dataset_id: Any, seller_id: uuid.UUID) -> Dataset:
    """The seller's own dataset, else 404 (never 403: another organisation's ids do not leak)."""
    try:
        dataset_uuid = uuid.UUID(str(dataset_id))
    except ValueError as exc:
        raise NotFound("No such dataset.") from exc
    dataset = Dataset.objects.filter(pk=dataset_uuid, seller_id=seller_id).select_related("seller").first()
    if dataset is None:
        raise NotFound("No such dataset.")
    return dataset


def versions_visible(*, dataset: Dataset, viewer_org_id: uuid.UUID | None) -> QuerySet[DatasetVersion]:
    """Published versions for everyone; validating and rejected ones only for the owner."""
    versions = dataset.versions.all().order_by("-number")
    if viewer_org_id != dataset.seller_id:
        versions = versions.filter(status=DatasetVersion.Status.PUBLISHED)
    return versions


def version_get(*, dataset: Dataset, number: Any, viewer_org_id: uuid.UUID | None) -> DatasetVersion:
    try:
        wanted = int(number)
    except (TypeError, ValueError) as exc:
        raise NotFound("No such version.") from exc
    version = versions_visible(dataset=dataset, viewer_org_id=viewer_org_id).filter(number=wanted).first()
    if version is None:
        raise NotFound("No such version.")
    return version


def latest_published_version(*, dataset: Dataset) -> DatasetVersion | None:
    return dataset.versions.filter(status=DatasetVersion.Status.PUBLISHED).order_by("-number").first()


def latest_published_version_of(*, dataset_id: uuid.UUID) -> DatasetVersion | None:
    """The latest published version of a dataset with the dataset itself, in one query (for a contract: without
    the bulky columns no contract states; reading one of them later costs a query)."""
    return (
        DatasetVersion.objects.filter(dataset_id=dataset_id, status=DatasetVersion.Status.PUBLISHED)
        .select_related("dataset")
        .defer("checks", "sample", "dataset__description", "dataset__search_text")
        .order_by("-number")
        .first()
    )


# --- quality figures and renditions (catalog.quality, VersionRendition) ------------------------------------------


def quality_of(version: DatasetVersion) -> Quality | None:
    """A version's quality figures as stored, or None while they are not measured (``{}``: a version validating,
    rejected, just published and not profiled yet, or published before the figures existed)."""
    quality = version.quality
    return quality if isinstance(quality, dict) and quality else None  # type: ignore[return-value]


def renditions_of(version: DatasetVersion) -> list[VersionRendition]:
    """The version's data in the formats other than its own, by format (read from ``prefetch_related("renditions")``
    when the caller loaded them). A stored rendition in the original's own format is never offered: the original is
    that file."""
    return sorted(
        (rendition for rendition in version.renditions.all() if rendition.file_format != version.file_format),
        key=lambda rendition: rendition.file_format,
    )


def rendition_formats(*, version_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Each version's renditions' formats (never its own), by format, for a page of versions in one query; a version
    without renditions is absent."""
    wanted = list(version_ids)
    found: dict[uuid.UUID, list[str]] = {}
    if not wanted:
        return found
    rows = (
        VersionRendition.objects.filter(version_id__in=wanted)
        .exclude(file_format=F("version__file_format"))
        .order_by("version_id", "file_format")
        .values_list("version_id", "file_format")
    )
    for version_id, file_format in rows:
        found.setdefault(version_id, []).append(file_format)
    return found


# A version's profiling is told by its catalog events (catalog.services.versions records them).
PROFILE_STARTED = "profiling started"
PROFILE_FAILED = "profiling failed"
# Deliveries of a version's profiling after which it is given up: one that never finishes (its worker killed, out
# of memory or time) would otherwise be re-driven for ever by the sweeper. Above a task's own retries.
PROFILE_MAX_ATTEMPTS = 10


def versions_awaiting_profile() -> QuerySet[DatasetVersion]:
    """Published versions whose quality figures and renditions are not made yet and still to come
    (catalog.tasks.profile_version runs right after publication, the sweeper re-drives it): not once their
    profiling failed for good or was started ``PROFILE_MAX_ATTEMPTS`` times, when no other format will come."""
    failed = CatalogEvent.objects.filter(reason=PROFILE_FAILED, version__isnull=False).values("version_id")
    return (
        DatasetVersion.objects.filter(status=DatasetVersion.Status.PUBLISHED, quality={})
        .exclude(pk__in=failed)
        .annotate(started=Count("events", filter=Q(events__reason=PROFILE_STARTED)))
        .filter(started__lt=PROFILE_MAX_ATTEMPTS)
    )


def awaiting_profile(version: DatasetVersion) -> bool:
    """Whether this version is among :func:`versions_awaiting_profile`."""
    if version.status != DatasetVersion.Status.PUBLISHED or quality_of(version) is not None:
        return False
    return versions_awaiting_profile().filter(pk=version.pk).exists()


# --- deliveries: new versions ---------------------------------------------------------------------------------
#
# A subscription is billed for a period only if the seller delivered in it, and a delivery is a *new* version: one
# whose content no earlier version had. The rule is here, once; the billing, the offering page's delivery record
# and anything else that counts deliveries read it through these functions.


def new_versions(*, dataset_ids: Iterable[uuid.UUID]) -> QuerySet[DatasetVersion]:
    """The deliveries of these datasets: each published version whose SHA-256 differs from that of every version of
    its dataset published before it (a re-upload of earlier content is not a delivery). A version is published at
    its ``validated_at``; two published at the same instant are ordered by number. A version's standing never
    changes once it is published, since only later versions can be published after it: a closed period's count
    stays what it was."""
    published = DatasetVersion.Status.PUBLISHED
    earlier_same_content = DatasetVersion.objects.filter(
        dataset_id=OuterRef("dataset_id"), status=published, sha256=OuterRef("sha256")
    ).filter(
        Q(validated_at__lt=OuterRef("validated_at"))
        | Q(validated_at=OuterRef("validated_at"), number__lt=OuterRef("number"))
    )
    return DatasetVersion.objects.filter(dataset_id__in=list(dataset_ids), status=published).exclude(
        Exists(earlier_same_content)
    )


def new_versions_between(*, dataset_id: uuid.UUID, start: datetime, end: datetime) -> int:
    """How many new versions (``new_versions``) of the dataset were published in [start, end): one query."""
    return new_versions(dataset_ids=[dataset_id]).filter(validated_at__gte=start, validated_at__lt=end).count()


def new_versions_per_period(*, dataset_id: uuid.UUID, start: datetime, period: timedelta, periods: int) -> list[int]:
    """New versions (``new_versions``) of the dataset published in each of ``periods`` consecutive periods of length
    ``period`` from ``start``: [start, start + period), [start + period, start + 2 period)...; one query."""
    if periods <= 0:
        return []
    end = start + period * periods
    counts = [0] * periods
    published = new_versions(dataset_ids=[dataset_id]).filter(validated_at__gte=start, validated_at__lt=end)
    for moment in published.values_list("validated_at", flat=True):
        if moment is not None:  # a published version always has it; the column allows none
            counts[(moment - start) // period] += 1
    return counts


@dataclass(frozen=True)
class Shown:
    """How much of a version's schema, sample and check details a response shows, whatever was stored: a file
    within the market's limits fits, and a version stored before the limits (200,000 columns, megabyte cells)
    still gives a bounded page or response. What is left out is counted, never silently dropped."""

    schema_columns: int
    sample_columns: int
    sample_rows: int
    text_chars: int
    detail_chars: int = 2000


# A page stays within a few hundred KB even at its worst (every character escaped); the API shows more.
PAGE = Shown(schema_columns=200, sample_columns=30, sample_rows=20, text_chars=100)
API = Shown(schema_columns=1000, sample_columns=100, sample_rows=20, text_chars=500)


def _cut(value: Any, chars: int) -> Any:
    if isinstance(value, str) and len(value) > chars:
        return value[: chars - 1] + "…"
    return value


def schema_shown(schema: Any, shown: Shown) -> tuple[list[dict[str, Any]], int]:
    """The first columns of a stored schema (names cut to ``shown.text_chars``) and how many were left out."""
    columns = schema if isinstance(schema, list) else []
    kept = [
        {**column, "name": _cut(column.get("name", ""), shown.text_chars)}
        for column in columns[: shown.schema_columns]
        if isinstance(column, dict)
    ]
    return kept, max(0, len(columns) - shown.schema_columns)


def check_detail_shown(detail: Any, shown: Shown) -> str:
    """A stored check detail, cut (a version validated before the limits may list 200,000 columns in one)."""
    return str(_cut(str(detail or ""), shown.detail_chars))


def dataset_sample(*, dataset: Dataset, shown: Shown = API) -> dict[str, Any]:
    """The first rows and columns of the latest published version's sample, each cell cut to
    ``shown.text_chars``; empty before anything is published. ``columns_omitted`` counts the columns left out."""
    version = latest_published_version(dataset=dataset)
    sample = version.sample if version is not None else {}
    columns = sample.get("columns", []) if isinstance(sample, dict) else []
    rows = sample.get("rows", []) if isinstance(sample, dict) else []
    width, chars = shown.sample_columns, shown.text_chars
    return {
        "version": version.number if version is not None else None,
        "columns": [_cut(name, chars) for name in columns[:width]],
        "columns_omitted": max(0, len(columns) - width),
        "rows": [[_cut(cell, chars) for cell in row[:width]] for row in rows[: shown.sample_rows]],
    }
