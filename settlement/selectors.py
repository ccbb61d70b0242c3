"""Reads of settlement: entitlements a buyer holds, and the usage history of downloads.

Visibility (docs/api.md#errors, docs/domain.md#traceable): a buyer sees its own entitlements and downloads; a seller
sees who downloaded which version of its own datasets, and when. Anything else is "not found".
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Sum

from config.errors import NotFound
from marketplace.models import Offering
from settlement.models import (
    SELLER_ACCOUNTS,
    Download,
    DownloadToken,
    Entitlement,
    EntitlementEvent,
    EntitlementVersion,
    LedgerEntry,
    Payout,
    Settlement,
    SettlementEvent,
    Subscription,
    SubscriptionPeriod,
)


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def entitlements_of_buyer(*, organization_id: uuid.UUID, status: str = "") -> QuerySet[Entitlement]:
    """The buyer's entitlements, each with the versions it covers (``covered``: a subscription's granted ones, in
    one query for the page; a licence has none listed and covers its ``dataset_version``) and its subscription."""
    granted = EntitlementVersion.objects.select_related("dataset_version").order_by("dataset_version__number")
    queryset = (
        Entitlement.objects.select_related("dataset", "dataset_version")
        .annotate(subscription_id=F("contract__subscription__id"))
        .prefetch_related(Prefetch("versions", queryset=granted, to_attr="granted"))
        .filter(buyer_id=organization_id)
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def entitlement_get_for_buyer(*, entitlement_id: Any, organization_id: uuid.UUID) -> Entitlement:
    """The buyer's own entitlement; a malformed id, an unknown one and another's are the same 404."""
    wanted = _uuid_or_none(entitlement_id)
    entitlement = (
        None if wanted is None else entitlements_of_buyer(organization_id=organization_id).filter(pk=wanted).first()
    )
    if entitlement is None:
        raise NotFound("No such entitlement.")
    return entitlement


def downloads_visible(
    *,
    organization_id: uuid.UUID,
    dataset_id: uuid.UUID | None = None,
    version_number: int | None = None,
    version_id: uuid.UUID | None = None,
    buyer_id: uuid.UUID | None = None,
) -> QuerySet[Download]:
    """Downloads of the organisation's own datasets (as seller) and its own downloads (as buyer)."""
    queryset = Download.objects.select_related("dataset_version__dataset", "buyer", "rendition").filter(
        Q(dataset_version__dataset__seller_id=organization_id) | Q(buyer_id=organization_id)
    )
    if dataset_id is not None:
        queryset = queryset.filter(dataset_version__dataset_id=dataset_id)
    if version_number is not None:
        queryset = queryset.filter(dataset_version__number=version_number)
    if version_id is not None:
        queryset = queryset.filter(dataset_version_id=version_id)
    if buyer_id is not None:
        queryset = queryset.filter(buyer_id=buyer_id)
    return queryset


def usage_summary(*, organization_id: uuid.UUID, dataset_id: uuid.UUID | None = None) -> QuerySet[Any]:
    """Per buyer and version: how many downloads, how many completed, bytes sent, the last one's time."""
    return _summarise(downloads_visible(organization_id=organization_id, dataset_id=dataset_id))


def _summarise(downloads: QuerySet[Download]) -> QuerySet[Any]:
    """Downloads grouped per buyer and version: count, completed count, bytes, the last one's time."""
    return (
        downloads.order_by()
        .values(
            "buyer_id",
            "buyer__name",
            "dataset_version_id",
            "dataset_version__number",
            "dataset_version__dataset_id",
            "dataset_version__dataset__title",
        )
        .annotate(
            downloads=Count("id"),
            completed=Count("id", filter=Q(completed=True)),
            bytes=Sum("bytes_sent"),
            last_at=Max("started_at"),
        )
        .order_by("-last_at", "buyer_id", "dataset_version_id")
    )


def entitlement_versions(entitlement: Entitlement) -> list[Any]:
    """The versions an entitlement covers, oldest first: a subscription's granted ones, else its one version."""
    granted = getattr(entitlement, "granted", None)
    if granted is None:
        granted = list(entitlement.versions.select_related("dataset_version").order_by("dataset_version__number"))
    return [row.dataset_version for row in granted] or [entitlement.dataset_version]


def download_coverage(
    *, entitlement_id: uuid.UUID, version_id: uuid.UUID | None = None, rendition_id: uuid.UUID | None = None
) -> int:
    """Bytes of the file the buyer has received at least once, over all its (partial) downloads (of one version,
    ``version_id``, when the entitlement covers several; of that version's file as uploaded, or with ``rendition_id``
    of that rendition: byte ranges of two formats are of two files).

    A resumed download (``Range: bytes=N-`` after a broken one) completes the file as surely as one
    full download does, so first delivery is judged on the union of the byte ranges actually sent.
    """
    downloads = Download.objects.filter(entitlement_id=entitlement_id, bytes_sent__gt=0)
    if version_id is not None:
        downloads = downloads.filter(dataset_version_id=version_id, rendition_id=rendition_id)
    spans = sorted((start, start + sent) for start, sent in downloads.values_list("range_start", "bytes_sent"))
    covered = 0
    reach = 0
    for start, end in spans:
        if end <= reach:
            continue
        covered += end - max(start, reach)
        reach = end
    return covered


# --- settlements (parties only) --------------------------------------------------------------------------------


def settlements_of_trades(
    trade_ids: Collection[uuid.UUID], written: Sequence[models.Model] = ()
) -> dict[uuid.UUID, uuid.UUID]:
    """Trade id -> its settlement's id, for the trades that have one: one query for a page of trades, none for
    the trades whose settlements are among ``written`` (rows the caller has just stored: an order placement's
    response shows the settlements its trades opened without reading them back)."""
    wanted = set(trade_ids)
    found = {
        row.trade_id: row.id
        for row in written
        if isinstance(row, Settlement) and row.trade_id in wanted and row.period == 1
    }
    missing = wanted - found.keys()
    if missing:
        # The trade's own settlement: a subscription's later periods have theirs too (period 2, 3 ...).
        found |= dict(Settlement.objects.filter(trade_id__in=missing, period=1).values_list("trade_id", "id"))
    return found


def settlements_for(*, organization_id: uuid.UUID) -> QuerySet[Settlement]:
    """Settlements the organisation is a party to (buyer or seller), newest first."""
    return Settlement.objects.filter(Q(buyer_id=organization_id) | Q(seller_id=organization_id)).prefetch_related(
        "events"
    )


def settlement_get(*, settlement_id: Any, organization_id: uuid.UUID) -> Settlement:
    """A settlement the organisation is a party to; a malformed id, an unknown one and another's: 404."""
    wanted = _uuid_or_none(settlement_id)
    settlement = None if wanted is None else settlements_for(organization_id=organization_id).filter(pk=wanted).first()
    if settlement is None:
        raise NotFound("No such settlement.")
    return settlement


# --- subscriptions (parties only) -----------------------------------------------------------------------------


def subscriptions_for(*, organization_id: uuid.UUID, role: str = "", status: str = "") -> QuerySet[Subscription]:
    """Subscriptions the organisation is a party to (``role``: only as buyer or seller), newest first, each with
    its periods (one query for a page) and its entitlement's id (``entitlement_id``, None before it is granted)."""
    party = {"buyer": Q(buyer_id=organization_id), "seller": Q(seller_id=organization_id)}
    queryset = (
        Subscription.objects.filter(party.get(role) or (party["buyer"] | party["seller"]))
        .annotate(entitlement_id=F("contract__entitlement__id"))
        .prefetch_related(
            # Each period with its payment, whose amount (tax included) the pages show.
            Prefetch("periods", queryset=SubscriptionPeriod.objects.select_related("settlement").order_by("number"))
        )
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def subscription_get(*, subscription_id: Any, organization_id: uuid.UUID) -> Subscription:
    """A subscription the organisation is a party to; a malformed id, an unknown one and another's: 404."""
    wanted = _uuid_or_none(subscription_id)
    found = None if wanted is None else subscriptions_for(organization_id=organization_id).filter(pk=wanted).first()
    if found is None:
        raise NotFound("No such subscription.")
    return found


def subscription_access_ends_at(subscription: Subscription, *, cancelled_at: datetime | None = None) -> datetime | None:
    """When a cancelled subscription's access ends (or, with ``cancelled_at``, would end if cancelled then): the end of
    the period during which the buyer cancelled (the first period not closed yet, or, cancelled after its end and
    before the close pass came, the one after it), never past the term. None when it was not cancelled, or has
    ended."""
    cancelled_at = cancelled_at or subscription.cancelled_at
    if cancelled_at is None or subscription.status == Subscription.Status.ENDED:
        return None
    # The periods prefetched: all of them (``subscriptions_for``), or only those not closed (``unclosed``).
    periods = getattr(subscription, "unclosed", None)
    if periods is None:
        periods = subscription.periods.all()
    unclosed = [period for period in periods if period.closed_at is None]
    if not unclosed:
        return subscription.ends_at
    end = min(period.ends_at for period in unclosed)
    length = timedelta(days=subscription.period_days)
    while end <= cancelled_at and end < subscription.ends_at:
        end += length
    return min(end, subscription.ends_at)


# --- web pages: a buyer's purchases, a seller's sales and payouts, the usage of a seller's data ------------------


def purchases_of_buyer(*, organization_id: uuid.UUID, status: str = "") -> QuerySet[Settlement]:
    """The buyer's purchases: its trades' settlements with what a purchase page shows beside them (contract, dataset,
    entitlement). A subscription's later periods are paid by settlements of their own, listed with the subscription
    (``subscriptions_for``), not as purchases."""
    queryset = Settlement.objects.filter(buyer_id=organization_id, period=1).select_related(
        "trade", "contract__dataset", "contract__dataset_version", "seller", "entitlement"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def purchase_get(*, settlement_id: Any, organization_id: uuid.UUID) -> Settlement:
    """One of the buyer's own settlements; a malformed id, an unknown one and another's are the same 404."""
    wanted = _uuid_or_none(settlement_id)
    settlement = (
        None if wanted is None else purchases_of_buyer(organization_id=organization_id).filter(pk=wanted).first()
    )
    if settlement is None:
        raise NotFound("No such purchase.")
    return settlement


@dataclass(frozen=True)
class SellerBalance:
    organization_id: uuid.UUID
    name: str
    currency: str
    payable: int  # what the market owes the seller; negative: what the seller owes (a refund after its payout)


def seller_balances(*, negative_only: bool = False) -> list[SellerBalance]:
    """Every seller's balance per currency (its proceeds and consumption tax not yet paid out), those who owe the
    market first: one aggregate over the seller accounts of the ledger."""
    rows = (
        LedgerEntry.objects.filter(account__in=SELLER_ACCOUNTS, organization_id__isnull=False)
        .values("organization_id", "organization__name", "currency")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("-total", "organization__name")
    )
    if negative_only:
        rows = rows.filter(total__gt=0)  # debit-positive: a seller account in debit is owed by the seller
    return [
        SellerBalance(
            organization_id=row["organization_id"],
            name=row["organization__name"],
            currency=row["currency"],
            payable=-row["total"],
        )
        for row in rows
    ]


def purchase_takedown(*, settlement: Settlement) -> Offering | None:
    """The purchase's offering if the market's operator took it down (its category and reason), else None."""
    return (
        Offering.objects.filter(trades__id=settlement.trade_id, taken_down_at__isnull=False)
        .only("id", "taken_down_at", "takedown_category", "takedown_reason")
        .first()
    )


def latest_token_expiry(*, entitlement_ids: list[uuid.UUID], now: datetime) -> dict[uuid.UUID, datetime]:
    """Per entitlement: until when the most lasting download token still unexpired is valid."""
    rows = (
        DownloadToken.objects.filter(entitlement_id__in=entitlement_ids, expires_at__gt=now)
        .order_by()
        .values("entitlement_id")
        .annotate(until=Max("expires_at"))
    )
    return {row["entitlement_id"]: row["until"] for row in rows}


def settlement_history(*, settlement: Settlement) -> list[tuple[str, SettlementEvent | EntitlementEvent]]:
    """The settlement's events and its entitlement's, oldest first, each tagged "payment" or "access"."""
    events: list[tuple[str, SettlementEvent | EntitlementEvent]] = [
        ("payment", event) for event in SettlementEvent.objects.filter(settlement=settlement)
    ]
    events += [("access", event) for event in EntitlementEvent.objects.filter(entitlement__settlement=settlement)]
    return sorted(events, key=lambda pair: (pair[1].created_at, pair[0] == "access"))


def downloads_of_purchase(*, settlement: Settlement) -> QuerySet[Download]:
    return Download.objects.filter(entitlement__settlement=settlement, buyer_id=settlement.buyer_id).select_related(
        "dataset_version", "rendition"
    )


def sales_of_seller(*, organization_id: uuid.UUID, status: str = "") -> QuerySet[Settlement]:
    queryset = Settlement.objects.filter(seller_id=organization_id).select_related(
        "contract__dataset", "contract__dataset_version", "payout"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def payouts_of_seller(*, organization_id: uuid.UUID) -> QuerySet[Payout]:
    return Payout.objects.filter(seller_id=organization_id)


def seller_currencies(*, organization_id: uuid.UUID) -> list[str]:
    """Every currency the seller has sold or been paid in (its balances are per currency)."""
    sold = Settlement.objects.filter(seller_id=organization_id).order_by().values_list("currency", flat=True)
    paid = Payout.objects.filter(seller_id=organization_id).order_by().values_list("currency", flat=True)
    return sorted(set(sold.distinct()) | set(paid.distinct()))


def seller_proceeds_authorised(*, organization_id: uuid.UUID, currency: str) -> int:
    """Proceeds of sales whose payment is authorised but not captured yet: not owed to the seller until then."""
    total = Settlement.objects.filter(
        seller_id=organization_id, currency=currency, status=Settlement.Status.AUTHORIZED
    ).aggregate(total=Sum("seller_proceeds"))["total"]
    return int(total or 0)


def downloads_of_seller(*, organization_id: uuid.UUID, dataset_id: uuid.UUID | None = None) -> QuerySet[Download]:
    """Downloads of the seller's own datasets only (not what it downloaded itself as a buyer)."""
    queryset = Download.objects.select_related("dataset_version__dataset", "buyer", "rendition").filter(
        dataset_version__dataset__seller_id=organization_id
    )
    if dataset_id is not None:
        queryset = queryset.filter(dataset_version__dataset_id=dataset_id)
    return queryset


def usage_summary_of_seller(*, organization_id: uuid.UUID, dataset_id: uuid.UUID | None = None) -> QuerySet[Any]:
    """Per buyer and version of the seller's datasets: downloads, completed ones, bytes, the last one's time."""
    return _summarise(downloads_of_seller(organization_id=organization_id, dataset_id=dataset_id))


def datasets_with_downloads(*, organization_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """(id, title) of the seller's datasets that were downloaded at least once: the usage page's filter."""
    rows = (
        downloads_of_seller(organization_id=organization_id)
        .order_by()
        .values_list("dataset_version__dataset_id", "dataset_version__dataset__title")
        .distinct()
    )
    return sorted(rows, key=lambda row: row[1])


# --- web pages: a buyer's subscriptions, a seller's subscribers ------------------------------------------------------


def subscriptions_of_purchases(
    *, organization_id: uuid.UUID, contract_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Subscription]:
    """The buyer's subscriptions concluded by these contracts (its purchases of subscription offerings), by contract
    id, each with its periods: two queries for a page of purchases."""
    found = subscriptions_for(organization_id=organization_id, role="buyer").filter(contract_id__in=list(contract_ids))
    return {subscription.contract_id: subscription for subscription in found}


def versions_received(*, entitlement_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """Per subscription entitlement: the dataset versions it covers (``EntitlementVersion``), oldest first: one query
    for a page. A licence's entitlement has none listed (it covers its ``dataset_version``)."""
    covered: dict[uuid.UUID, list[Any]] = {}
    rows = (
        EntitlementVersion.objects.filter(entitlement_id__in=list(entitlement_ids))
        .select_related("dataset_version")
        .order_by("dataset_version__number")
    )
    for row in rows:
        covered.setdefault(row.entitlement_id, []).append(row.dataset_version)
    return covered


def charges_overdue(*, contract_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Settlement]:
    """Per contract: the earliest of its subscription's period charges that was declined and is being retried (the
    reason it is past due), if any: one query."""
    overdue: dict[uuid.UUID, Settlement] = {}
    rows = Settlement.objects.filter(
        contract_id__in=list(contract_ids), period__gt=1, status=Settlement.Status.PENDING, declines__gt=0
    ).order_by("contract_id", "period")
    for settlement in rows:
        overdue.setdefault(settlement.contract_id, settlement)
    return overdue


def subscribers_of_seller(*, organization_id: uuid.UUID) -> QuerySet[Subscription]:
    """The seller's subscriptions in force (active, cancelling, past due), grouped by offering (its dataset's title,
    then the offering), the newest first within each, with the buyer, the dataset and the periods not closed yet
    (``unclosed``: the current one, and one whose end came before the close pass did)."""
    unclosed = SubscriptionPeriod.objects.filter(closed_at__isnull=True).order_by("number")
    return (
        Subscription.objects.filter(seller_id=organization_id, status__in=["active", "cancelling", "past_due"])
        .select_related("buyer", "dataset", "offering")
        .prefetch_related(Prefetch("periods", queryset=unclosed, to_attr="unclosed"))
        .order_by("dataset__title", "offering_id", "-starts_at", "-id")
    )


def period_outcomes_of_seller(*, organization_id: uuid.UUID) -> QuerySet[SubscriptionPeriod]:
    """The closed periods of the seller's subscriptions, the latest closed first: what each delivered and became
    (charged, missed, unpaid; a first period's outcome is its trade's payment)."""
    return (
        SubscriptionPeriod.objects.filter(subscription__seller_id=organization_id, closed_at__isnull=False)
        .select_related("subscription__buyer", "subscription__dataset", "settlement")
        .order_by("-closed_at", "-ends_at", "-id")
    )


def token_hash(token: str) -> str:
    """What the market stores of a download token (never the token): its SHA-256."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def download_token_found(*, token: str) -> DownloadToken | None:
    """The market's download token presented as ``token``, with its entitlement, that entitlement's purchase and
    dataset, and the version it was made for; None when there is none (the download's 401). For the page that
    explains a link that does not work: whoever holds the token holds the link, so it names what the link was for."""
    if not token or len(token) > 256:  # as download_authorize: an opaque token is 43 characters
        return None
    return (
        DownloadToken.objects.select_related(
            "entitlement__dataset", "entitlement__dataset_version", "entitlement__settlement", "dataset_version"
        )
        .filter(token_hash=token_hash(token), kind="opaque")  # delivery.KIND_OPAQUE: the market's own tokens
        .first()
    )
