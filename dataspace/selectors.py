"""Reads for the catalog's interoperable descriptions: a page of published datasets with everything the DCAT-AP
mapping shows (latest version, time range, open offerings), in a fixed number of queries whatever the catalog's
size, and one dataset with its offerings' best asks for its schema.org description.

What is listed is what the market's own catalog lists: published datasets (not drafts, not withdrawn ones); of
their offerings, the open ones of the public order book (``channel="book"``, active). A private offer's or an
auction's offering is never shown (marketplace.models.Offering.channel).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import DateTimeField, Exists, Max, Min, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from catalog.models import DataClass, Dataset, DatasetVersion
from catalog.selectors import SearchFilters, dataset_search
from config.api.pagination import MAX_PAGE_SIZE as API_MAX_PAGE_SIZE
from config.errors import NotFound
from dataspace.models import PID_PREFIX, Negotiation, Transfer
from marketplace.models import Offering, Order

# A harvester gets pages of this many datasets unless it names another size, at most the API's largest page
# (docs/dataspace.md).
PAGE_SIZE = 50
MAX_PAGE_SIZE = API_MAX_PAGE_SIZE

# Columns of an offering the mapping reads (the ODRL offer, the distribution); none of the matching's.
_OFFERING_FIELDS = (
    "id",
    "dataset_id",
    "seller_id",
    "kind",
    "period_days",
    "term_periods",
    "min_versions_per_period",
    "stream",
    "min_messages_per_period",
    "template_code",
    "template_version",
    "terms",
    "terms_sha256",
    "license_seats",
    "seats_sold",
    "currency",
    "created_at",
    "channel",
    "status",
)


@dataclass(frozen=True)
class CatalogEntry:
    """A published dataset as the catalog describes it."""

    dataset: Dataset  # with its seller and tags loaded
    offerings: tuple[Offering, ...]  # open order-book offerings, oldest first
    latest: DatasetVersion | None  # the latest published version (its bulky columns not loaded)
    time_range: tuple[datetime, datetime] | None  # earliest and latest reading over the published versions
    best_asks: dict[uuid.UUID, int]  # offering id -> lowest resting ask (minor units); loaded for one dataset only


@dataclass(frozen=True)
class CatalogPage:
    number: int  # 1-based
    size: int
    total: int  # published datasets
    entries: tuple[CatalogEntry, ...]

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))


def _listed() -> Q:
    return Q(status=Dataset.Status.PUBLISHED)


def catalog_page(*, number: int, size: int = PAGE_SIZE) -> CatalogPage:
    """Page ``number`` (1-based) of the published datasets, oldest listed first so that a dataset listed later
    never moves the earlier pages a harvester has read: six queries (count, datasets with their sellers and latest
    version's id, tags, versions, time ranges, offerings) for any page of any catalog. A page past the last is
    empty (its number is answered, not refused: a harvester that raced a withdrawal stops there)."""
    if number < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValueError("page number from 1, size from 1 to MAX_PAGE_SIZE")
    total = Dataset.objects.filter(_listed()).count()
    offset = (number - 1) * size
    # The page's ids first, from the index alone (dataset_status_created_idx (status, -created_at, -id), scanned
    # backwards): what OFFSET skips is never joined or projected. Then those rows, in the same statement.
    page_ids = Dataset.objects.filter(_listed()).order_by("created_at", "id").values("id")[offset : offset + size]
    datasets = list(
        Dataset.objects.filter(pk__in=page_ids)
        .select_related("seller")
        .prefetch_related("tags")
        .defer("search_text")
        .annotate(latest_version_id=_latest_version_id())
        .order_by("created_at", "id")
    )
    return CatalogPage(number=number, size=size, total=total, entries=_entries(datasets, with_asks=False))


def catalog_entry(*, dataset_id: uuid.UUID) -> CatalogEntry:
    """One published dataset with its open offerings and their best asks (its schema.org description), else 404."""
    dataset = (
        Dataset.objects.filter(_listed(), pk=dataset_id)
        .select_related("seller")
        .prefetch_related("tags")
        .defer("search_text")
        .annotate(latest_version_id=_latest_version_id())
        .first()
    )
    if dataset is None:
        raise NotFound("No such dataset.")
    return _entries([dataset], with_asks=True)[0]


def _latest_version_id() -> Subquery:
    return Subquery(
        DatasetVersion.objects.filter(dataset_id=OuterRef("pk"), status=DatasetVersion.Status.PUBLISHED)
        .order_by("-number")
        .values("id")[:1]
    )


def _entries(datasets: Sequence[Dataset], *, with_asks: bool) -> tuple[CatalogEntry, ...]:
    if not datasets:
        return ()
    ids = [dataset.id for dataset in datasets]
    version_ids = [dataset.latest_version_id for dataset in datasets if dataset.latest_version_id]  # type: ignore[attr-defined]
    versions = {
        version.dataset_id: version
        for version in DatasetVersion.objects.filter(pk__in=version_ids).only(
            "id", "dataset_id", "number", "file_format", "size_bytes", "sha256", "row_count", "validated_at"
        )
    }
    ranges = time_ranges(dataset_ids=[dataset.id for dataset in datasets if dataset.data_class == DataClass.IOT])
    offerings: dict[uuid.UUID, list[Offering]] = {dataset_id: [] for dataset_id in ids}
    for offering in (
        Offering.objects.filter(dataset_id__in=ids, status=Offering.Status.ACTIVE, channel=Offering.Channel.BOOK)
        .only(*_OFFERING_FIELDS)
        .order_by("created_at", "id")
    ):
        offerings[offering.dataset_id].append(offering)
    asks = best_asks(offering_ids=[o.id for group in offerings.values() for o in group]) if with_asks else {}
    return tuple(
        CatalogEntry(
            dataset=dataset,
            offerings=tuple(offerings[dataset.id]),
            latest=versions.get(dataset.id),
            time_range=ranges.get(dataset.id),
            best_asks={o.id: asks[o.id] for o in offerings[dataset.id] if o.id in asks},
        )
        for dataset in datasets
    )


def time_ranges(*, dataset_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[datetime, datetime]]:
    """Each dataset's earliest and latest reading over its published versions (their validated ``time_range``s,
    compared as instants, whatever offset each file wrote), in one grouped query."""
    wanted = list(dataset_ids)
    if not wanted:
        return {}
    rows = (
        DatasetVersion.objects.filter(
            dataset_id__in=wanted, status=DatasetVersion.Status.PUBLISHED, time_range__isnull=False
        )
        .values("dataset_id")
        .annotate(
            start=Min(Cast(KT("time_range__0"), DateTimeField())),
            end=Max(Cast(KT("time_range__1"), DateTimeField())),
        )
    )
    return {
        row["dataset_id"]: (_aware(row["start"]), _aware(row["end"]))
        for row in rows
        if row["start"] is not None and row["end"] is not None
    }


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def best_asks(*, offering_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The lowest resting sell price of each offering's book (minor units), in one grouped query; an offering
    without asks is absent."""
    wanted = list(offering_ids)
    if not wanted:
        return {}
    rows = (
        Order.objects.filter(offering_id__in=wanted, side=Order.Side.SELL, status__in=Order.RESTING)
        .exclude(time_in_force=Order.TimeInForce.GTD, expires_at__lte=timezone.now())
        .values("offering_id")
        .annotate(best=Min("price"))
    )
    return {row["offering_id"]: row["best"] for row in rows if row["best"] is not None}


def best_ask(*, offering_id: uuid.UUID) -> int | None:
    """The offering's lowest resting ask (minor units), None when nothing rests."""
    return best_asks(offering_ids=[offering_id]).get(offering_id)


# --- the Dataspace Protocol's catalog (dataspace.dsp) -----------------------------------------------------------


@dataclass(frozen=True)
class OfferedPage:
    """A page of the DSP catalog: published datasets with at least one open order-book offering that has a resting
    ask (what a connector can buy at once), oldest listed first. ``has_next`` says whether a later page has any."""

    number: int  # 1-based
    size: int
    entries: tuple[CatalogEntry, ...]  # with best_asks loaded
    has_next: bool


def _resting_asks() -> Any:
    return Order.objects.filter(side=Order.Side.SELL, status__in=Order.RESTING).exclude(
        time_in_force=Order.TimeInForce.GTD, expires_at__lte=timezone.now()
    )


def _offered() -> Exists:
    """The dataset has an open order-book offering with a resting ask."""
    return Exists(
        Offering.objects.filter(
            dataset_id=OuterRef("pk"),
            status=Offering.Status.ACTIVE,
            channel=Offering.Channel.BOOK,
        ).filter(Exists(_resting_asks().filter(offering_id=OuterRef("pk"))))
    )


def offered_page(*, number: int, size: int = PAGE_SIZE, query: str = "", data_class: str = "") -> OfferedPage:
    """Page ``number`` of the datasets a DSP connector can buy, matching the free-text ``query`` (as the market's
    own search reads it, catalog.selectors.dataset_search) and the ``data_class`` when given. One more id than the
    page is read to know whether a next page exists, so no count is made."""
    if number < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValueError("page number from 1, size from 1 to MAX_PAGE_SIZE")
    listed = dataset_search(viewer_org_id=None, filters=SearchFilters(q=query, data_class=data_class))
    offset = (number - 1) * size
    ids = list(
        listed.filter(_offered()).order_by("created_at", "id").values_list("id", flat=True)[offset : offset + size + 1]
    )
    datasets = list(
        Dataset.objects.filter(pk__in=ids[:size])
        .select_related("seller")
        .prefetch_related("tags")
        .defer("search_text")
        .annotate(latest_version_id=_latest_version_id())
        .order_by("created_at", "id")
    )
    return OfferedPage(number=number, size=size, entries=_entries(datasets, with_asks=True), has_next=len(ids) > size)


def transfer_of_consumer(*, organization_id: uuid.UUID, transfer_id: uuid.UUID | None) -> Transfer:
    """The organisation's own transfer process; no id, an unknown one and another's are the same NotFound."""
    transfer = (
        None if transfer_id is None else Transfer.objects.filter(pk=transfer_id, consumer_id=organization_id).first()
    )
    if transfer is None:
        raise NotFound("No such transfer process.")
    return transfer


# --- the Dataspace Protocol's negotiations ---------------------------------------------------------------------------


def negotiation_of(*, consumer_id: uuid.UUID, provider_pid: str) -> Negotiation | None:
    """The consumer's negotiation named by ``provider_pid`` (``urn:uuid:<id>`` or the bare uuid); None for an
    unknown one and for another organisation's alike (the binding answers both with a 404)."""
    try:
        wanted = uuid.UUID(provider_pid.removeprefix(PID_PREFIX))
    except ValueError:
        return None
    return Negotiation.objects.filter(pk=wanted, consumer_id=consumer_id).first()
