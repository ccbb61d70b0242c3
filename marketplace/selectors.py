from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from catalog.models import Dataset
from catalog.selectors import new_versions_per_period
from config.api.principal import Principal
from config.errors import NotFound
from config.market import market_settings
from contracts.odrl_export import offer_odrl
from contracts.registry import template_get
from contracts.services.contracts import OfferSnapshot
from contracts.terms import term_int, terms_typed
from marketplace.models import ApiKey, Invitation, Membership, Offering, Order, Organization, Trade
from marketplace.services.participants import principal_for
from marketplace.tax import Tax, consumption_tax, treatment_of


def principal_for_user(user: Any) -> Principal | None:
    if user is None or not user.is_authenticated:
        return None
    membership = Membership.objects.select_related("organization").filter(user_id=user.pk).first()
    if membership is None:
        return None
    return principal_for(membership.organization, user_id=user.pk, scopes=membership.scopes)


def organization_get(*, organization_id: Any) -> Organization:
    return Organization.objects.get(pk=organization_id)


def seller_get(*, seller_id: Any) -> Organization:
    """A seller organisation, whose profile is public; 404 for any other id (a buyer-only organisation too)."""
    try:
        wanted = uuid.UUID(str(seller_id))
    except ValueError as exc:
        raise NotFound("No such seller.") from exc
    seller = Organization.objects.filter(pk=wanted, is_seller=True).first()
    if seller is None:
        raise NotFound("No such seller.")
    return seller


@dataclass(frozen=True)
class FeedRecord:
    """An open subscription offering of the seller and its feed's delivery record (``offering_delivery_record``)."""

    offering: Offering
    periods: list[DeliveredPeriod]

    @property
    def periods_met(self) -> int:
        """Closed periods in which the feed delivered at least its commitment."""
        commitment = self.offering.min_versions_per_period or 0
        return sum(1 for period in self.periods if not period.current and period.met(commitment))

    @property
    def periods_closed(self) -> int:
        return sum(1 for period in self.periods if not period.current)


@dataclass(frozen=True)
class SellerProfile:
    """What a seller's public page and ``GET /sellers/{id}`` show: the organisation, its listed datasets (newest first,
    at most ``DATASETS_SHOWN``; ``datasets_listed`` counts them all), its open offerings on public books, its trades
    on the public tape, and each open subscription's delivery record."""

    seller: Organization
    datasets: list[Any]
    datasets_listed: int
    offerings: list[Offering]
    trades: int
    feeds: list[FeedRecord]


SELLER_DATASETS_SHOWN = 50


def seller_profile(*, seller_id: Any, now: datetime | None = None) -> SellerProfile:
    """The seller's public profile (``seller_get`` decides who has one). Private offers' trades are not counted: only
    their two parties know of them."""
    seller = seller_get(seller_id=seller_id)
    listed = Dataset.objects.filter(seller=seller, status=Dataset.Status.PUBLISHED)
    datasets = list(
        listed.prefetch_related("tags")
        .defer("search_text", "search_title", "search_tags")
        .order_by("-created_at", "-id")[:SELLER_DATASETS_SHOWN]
    )
    offerings = list(
        Offering.objects.select_related("dataset")
        .filter(
            seller=seller,
            status=Offering.Status.ACTIVE,
            channel=Offering.Channel.BOOK,
            dataset__status=Dataset.Status.PUBLISHED,
        )
        .order_by("-created_at", "-id")
    )
    trades = (
        Trade.objects.filter(seller=seller, status=Trade.Status.EXECUTED)
        .exclude(offering__channel=Offering.Channel.PRIVATE)
        .count()
    )
    feeds = [
        FeedRecord(offering=offering, periods=offering_delivery_record(offering=offering, now=now))
        for offering in offerings
        if offering.is_subscription
    ]
    return SellerProfile(
        seller=seller,
        datasets=datasets,
        datasets_listed=listed.count() if len(datasets) == SELLER_DATASETS_SHOWN else len(datasets),
        offerings=offerings,
        trades=trades,
        feeds=feeds,
    )


def offering_get(*, offering_id: Any, organization_id: uuid.UUID | None = None) -> Offering:
    """An offering by id. Offerings are public (withdrawn ones too, for the contracts that name them), except a
    private offer's own offering, which only its two parties see (``organization_id``: the caller's); to anyone
    else it does not exist."""
    try:
        wanted = uuid.UUID(str(offering_id))
    except ValueError as exc:
        raise NotFound("No such offering.") from exc
    offering = Offering.objects.select_related("dataset", "seller").filter(pk=wanted).first()
    if offering is None or not offering_visible(offering, organization_id):
        raise NotFound("No such offering.")
    return offering


def offering_visible(offering: Offering, organization_id: uuid.UUID | None) -> bool:
    """Whether the caller may know the offering exists: a private one only its seller and its buyer."""
    return offering.channel != Offering.Channel.PRIVATE or organization_id in (offering.seller_id, offering.buyer_id)


def offerings_list(*, dataset_id: uuid.UUID | None = None, status: str = "", kind: str = "") -> QuerySet[Offering]:
    queryset = Offering.objects.select_related("dataset", "seller").filter(
        dataset__status__in=["published", "withdrawn"], channel=Offering.Channel.BOOK
    )
    if dataset_id is not None:
        queryset = queryset.filter(dataset_id=dataset_id)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def offer_snapshot(offering: Offering, *, negotiation: tuple[dict[str, Any], ...] = ()) -> OfferSnapshot:
    """The offering as contracts sees it when a trade concludes a contract (``negotiation``: a deal's revisions)."""
    return OfferSnapshot(
        offering_id=offering.id,
        seller_id=offering.seller_id,
        seller_name=offering.seller.name,
        dataset_id=offering.dataset_id,
        template_code=offering.template_code,
        template_version=offering.template_version,
        terms=offering.terms,
        terms_sha256=offering.terms_sha256,
        currency=offering.currency,
        seller_accepted_at=offering.accepted_at,
        seller_user_id=offering.accepted_by_user_id,
        seller_api_key_id=offering.accepted_by_api_key_id,
        delivery_channel=delivery_channel(offering.delivery_url),
        channel=offering.channel,
        negotiation=negotiation,
    )


def offering_odrl(offering: Offering, *, data_class: str) -> dict[str, Any]:
    """The offering's terms as an ODRL 2.2 Offer (``contracts.odrl_export.offer_odrl``): its ``/odrl`` document, the
    policy the DCAT-AP catalog embeds and the offer the Dataspace Protocol's catalog carries. ``data_class``: its
    dataset's, which the caller has read."""
    return offer_odrl(
        offering_id=offering.id,
        seller_id=offering.seller_id,
        dataset_id=offering.dataset_id,
        terms=offering.terms,
        data_class=data_class,
        template_code=offering.template_code,
        template_version=offering.template_version,
        terms_sha256=offering.terms_sha256,
    )


def delivery_channel(delivery_url: str) -> str:
    """What a contract states of the delivery: the seller's endpoint when the offering has a delivery URL."""
    return "endpoint" if delivery_url else "market"


def _public_summary(offering: Offering) -> dict[str, Any]:
    terms = terms_typed(template_get(offering.template_code, offering.template_version), offering.terms)
    return {
        "id": str(offering.id),
        "template": f"{offering.template_code}@{offering.template_version}",
        "terms_sha256": offering.terms_sha256,
        "license_type": terms.get("license_type"),
        "duration_days": terms.get("duration_days"),
        "territory": terms.get("territory"),
        "license_seats": offering.license_seats,
        "seats_left": offering.seats_left,
        "currency": offering.currency,
        "status": offering.status,
        "kind": offering.kind,
        "period_days": offering.period_days,
        "term_periods": offering.term_periods,
    }


@dataclass(frozen=True)
class DeliveredPeriod:
    """One period of a subscription offering's feed and the new versions published in it."""

    number: int  # 1 for the period the offering was published in
    starts_at: datetime
    ends_at: datetime
    versions: int
    current: bool  # still running: its count is "so far"

    def met(self, commitment: int) -> bool:
        return self.versions >= commitment


def offering_delivery_record(
    *, offering: Offering, now: datetime | None = None, periods: int = 6
) -> list[DeliveredPeriod]:
    """The feed's delivery record as the offering page shows it: new versions (``catalog.selectors.new_versions``,
    the rule the billing counts by) in each of the latest ``periods`` periods, aligned at the offering's
    publication, up to now (or its withdrawal); most recent first. Empty for a licence."""
    if not offering.is_subscription or offering.period_days is None:
        return []
    period = timedelta(days=offering.period_days)
    until = now or timezone.now()
    if offering.withdrawn_at is not None:
        until = min(until, offering.withdrawn_at)
    elapsed = max(0, (until - offering.created_at) // period) + 1  # the running period included
    first = max(0, elapsed - periods)
    start = offering.created_at + first * period
    counts = new_versions_per_period(
        dataset_id=offering.dataset_id, start=start, period=period, periods=elapsed - first
    )
    record = [
        DeliveredPeriod(
            number=first + index + 1,
            starts_at=start + index * period,
            ends_at=start + (index + 1) * period,
            versions=count,
            current=first + index + 1 == elapsed and offering.withdrawn_at is None,
        )
        for index, count in enumerate(counts)
    ]
    return record[::-1]


def _resting_asks(now: datetime) -> QuerySet[Order]:
    """The asks resting on books at ``now``: a good-till-date ask past its expiry no longer counts, even before the
    sweeper marks it expired."""
    return Order.objects.filter(side=Order.Side.SELL, status__in=Order.RESTING, price__isnull=False).exclude(
        time_in_force="gtd", expires_at__lte=now
    )


def dataset_best_asks(limit: int) -> dict[uuid.UUID, int]:
    """The cheapest datasets' best asks (catalog.hooks): per dataset, the lowest price of an ask resting on an active
    public book of it (unexpired) with seats left, cheapest first, at most ``limit``: the price its card shows
    (``dataset_best_prices``). Prices compare in minor units whatever the currency: the market lists in yen."""
    asks = (
        _resting_asks(timezone.now())
        .filter(offering__status=Offering.Status.ACTIVE, offering__channel=Offering.Channel.BOOK)
        .filter(Q(offering__license_seats__isnull=True) | Q(offering__seats_sold__lt=F("offering__license_seats")))
        .values("offering__dataset_id")
        .annotate(best=Min("price"))
        .order_by("best", "offering__dataset_id")[:limit]
    )
    return {row["offering__dataset_id"]: row["best"] for row in asks}


@dataclass(frozen=True)
class BestPrice:
    """What a buyer reads first of an offering on its public book: the lowest asking price per seat (per period for
    a subscription), the licence it buys and the seats left. ``price`` None: no seat is offered right now."""

    offering_id: uuid.UUID
    dataset_id: uuid.UUID
    kind: str
    currency: str
    price: int | None
    duration_days: int | None  # a licence's term
    period_days: int | None  # a subscription's period and number of periods
    term_periods: int | None
    seats_left: int | None  # None: unlimited seats

    @property
    def is_subscription(self) -> bool:
        return self.kind == Offering.Kind.SUBSCRIPTION

    @classmethod
    def of(cls, offering: Offering, best_ask: int | None) -> BestPrice:
        """An offering's best price from its row and the best ask its page already read (no query); a sold-out
        offering has none, whatever asks still rest on its book."""
        return cls(
            offering_id=offering.id,
            dataset_id=offering.dataset_id,
            kind=offering.kind,
            currency=offering.currency,
            price=best_ask if offering.seats_left != 0 else None,
            duration_days=_duration_days(offering.terms),
            period_days=offering.period_days,
            term_periods=offering.term_periods,
            seats_left=offering.seats_left,
        )


def best_prices(*, dataset_ids: Iterable[uuid.UUID] = (), offering_ids: Iterable[uuid.UUID] = ()) -> list[BestPrice]:
    """The best price of each active public-book offering of these datasets (or these offerings), in one query
    whatever their number: the catalog's cards, a dataset's page and an offering's page all read it."""
    wanted = Q(pk__in=list(offering_ids)) | Q(dataset_id__in=list(dataset_ids))
    best_ask = _resting_asks(timezone.now()).filter(offering=OuterRef("pk")).order_by("price").values("price")[:1]
    offerings = (
        Offering.objects.filter(wanted, status=Offering.Status.ACTIVE, channel=Offering.Channel.BOOK)
        .annotate(best_ask=Subquery(best_ask))
        .only(
            "id",
            "dataset_id",
            "kind",
            "currency",
            "terms",
            "license_seats",
            "seats_sold",
            "period_days",
            "term_periods",
            "created_at",
        )
        .order_by("created_at", "id")
    )
    return [BestPrice.of(offering, offering.best_ask) for offering in offerings]


def _duration_days(terms: Any) -> int | None:
    try:
        return term_int(terms.get("duration_days"), path="terms.duration_days") if isinstance(terms, dict) else None
    except ValueError:
        return None


def dataset_best_prices(*, dataset_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, BestPrice]:
    """Per dataset, the offering a buyer would buy first: the cheapest asking price among its active book
    offerings (the oldest offering on a tie); with no seat offered anywhere, its oldest offering without a price.
    A dataset with no active book offering is left out. Prices compare in minor units: the market lists in yen."""
    chosen: dict[uuid.UUID, BestPrice] = {}
    for best in best_prices(dataset_ids=dataset_ids):
        current = chosen.get(best.dataset_id)
        if current is None or (best.price is not None and (current.price is None or best.price < current.price)):
            chosen[best.dataset_id] = best
    return chosen


def offerings_public_summary(dataset_id: uuid.UUID) -> list[dict[str, Any]]:
    """A dataset's active offerings as the catalog shows them (catalog.hooks)."""
    offerings = Offering.objects.filter(
        dataset_id=dataset_id, status=Offering.Status.ACTIVE, channel=Offering.Channel.BOOK
    ).order_by("created_at")
    return [_public_summary(offering) for offering in offerings]


def order_get_owned(*, order_id: Any, organization_id: uuid.UUID) -> Order:
    try:
        wanted = uuid.UUID(str(order_id))
    except ValueError as exc:
        raise NotFound("No such order.") from exc
    order = Order.objects.filter(pk=wanted, organization_id=organization_id).first()
    if order is None:
        raise NotFound("No such order.")
    return order


def orders_owned(*, organization_id: uuid.UUID, status: str = "") -> QuerySet[Order]:
    queryset = Order.objects.filter(organization_id=organization_id)
    return queryset.filter(status=status) if status else queryset


@dataclass(frozen=True)
class BookLevel:
    price: int
    quantity: int | None  # None: an unlimited ask rests at this price
    orders: int


def book_depth(*, offering: Offering, levels: int = 20) -> dict[str, list[BookLevel]]:
    """The offering's resting orders aggregated per price, best first, without owners (market data)."""
    now = timezone.now()
    resting = (
        Order.objects.filter(offering=offering, status__in=Order.RESTING)
        .exclude(time_in_force="gtd", expires_at__lte=now)
        .values("side", "price")
        .annotate(
            remaining=Sum(F("quantity") - F("filled_quantity") - F("cancelled_quantity")),
            unlimited=Count("id", filter=Q(quantity__isnull=True)),
            orders=Count("id"),
        )
    )
    book: dict[str, list[BookLevel]] = {"bids": [], "asks": []}
    for row in resting:
        level = BookLevel(
            price=row["price"], quantity=None if row["unlimited"] else int(row["remaining"] or 0), orders=row["orders"]
        )
        book["bids" if row["side"] == Order.Side.BUY else "asks"].append(level)
    book["bids"].sort(key=lambda level: -level.price)
    book["asks"].sort(key=lambda level: level.price)
    return {side: levels_[:levels] for side, levels_ in book.items()}


def trades_tape(*, offering_id: uuid.UUID | None = None) -> QuerySet[Trade]:
    """The public tape: executed trades of the order books and of auctions (at their clearing prices); a private
    offer's trade is known to its two parties only."""
    queryset = Trade.objects.filter(status=Trade.Status.EXECUTED).exclude(offering__channel=Offering.Channel.PRIVATE)
    return queryset.filter(offering_id=offering_id) if offering_id else queryset


def last_trade(*, offering: Offering) -> Trade | None:
    return trades_tape(offering_id=offering.id).order_by("-executed_at", "-id").first()


# --- what a purchase will cost: the review step's and the quote API's figures -------------------------------------


@dataclass(frozen=True)
class Licence:
    """What a seat licenses, as the review step summarises it (the full terms are the offering's)."""

    license_type: str  # the terms' license_type: non_exclusive or exclusive
    duration_days: int
    territory: tuple[str, ...]  # ISO 3166-1 alpha-2 codes
    seats: int | None  # the offering's licence seats in all; None: unlimited

    @property
    def summary(self) -> str:
        """One English phrase (API text stays English, docs/adr/0009): "non-exclusive, 365 days, JP, 10 seats"."""
        seats = "unlimited seats" if self.seats is None else f"{self.seats} seat{'s' if self.seats != 1 else ''}"
        kind = self.license_type.replace("_", "-")
        return f"{kind}, {self.duration_days} days, {', '.join(self.territory) or 'worldwide'}, {seats}"


@dataclass(frozen=True)
class Quote:
    """What buying ``quantity`` seats of ``offering`` at ``price`` per seat costs the buyer, tax included.

    Computed as settlement computes the settlement of a trade (``marketplace.tax``: the treatment from the seller's
    and the buyer's countries, the rate in force, the tax rounded down once per settlement). A purchase that fills
    from several resting asks is several trades, each its own settlement rounded on its own, so its tax can be a
    few minor units lower than the quote's, never higher; a limit order's quote is an upper bound anyway (it may
    trade lower). For a subscription the figures are per period (the price is per seat per period; each period is
    its own settlement)."""

    offering: Offering
    licence: Licence
    quantity: int
    price: int  # per seat (per period for a subscription), minor units, tax excluded
    currency: str
    tax: Tax
    terms_sha256: str

    @property
    def amount_excl_tax(self) -> int:
        return self.tax.amount_excl_tax

    @property
    def tax_rate(self) -> Decimal:
        return self.tax.rate

    @property
    def tax_amount(self) -> int:
        return self.tax.tax_amount

    @property
    def amount_incl_tax(self) -> int:
        return self.tax.amount_incl_tax

    @property
    def treatment(self) -> str:
        return self.tax.treatment

    @property
    def per_period(self) -> bool:
        return self.offering.is_subscription

    @property
    def period_days(self) -> int | None:
        return self.offering.period_days if self.per_period else None

    @property
    def term_periods(self) -> int | None:
        return self.offering.term_periods if self.per_period else None

    @property
    def term_amount_incl_tax(self) -> int | None:
        """A subscription's total over its whole term if every period is charged (a period the seller fails to
        deliver is not); None for a licence."""
        return self.amount_incl_tax * self.term_periods if self.term_periods else None


def licence_of(offering: Offering) -> Licence:
    terms = offering.terms
    return Licence(
        license_type=str(terms.get("license_type", "non_exclusive")),
        duration_days=int(terms.get("duration_days", 0)),
        territory=tuple(str(code) for code in terms.get("territory", [])),
        seats=offering.license_seats,
    )


def purchase_quote(*, offering: Offering, buyer_country: str, price: int, quantity: int) -> Quote:
    """The one computation of what a purchase costs before it is made: the web's review step, the quote API and
    the deals' reviews (a private offer's acceptance, an auction bid) all call it. ``offering`` with its seller
    read (``offering_get`` does); no query."""
    treatment = treatment_of(seller_country=offering.seller.country, buyer_country=buyer_country)
    tax = consumption_tax(
        amount_excl_tax=price * quantity, treatment=treatment, rate=market_settings().consumption_tax_rate
    )
    return Quote(
        offering=offering,
        licence=licence_of(offering),
        quantity=quantity,
        price=price,
        currency=offering.currency,
        tax=tax,
        terms_sha256=offering.terms_sha256,
    )


def traded_tax(trades: list[Trade], *, buyer_country: str) -> Tax | None:
    """The tax of what an order bought, summed over its trades, each trade being its own settlement (rounded on its
    own); None when nothing traded. Each trade's offering with its seller read (the matching's locked row)."""
    if not trades:
        return None
    rate = market_settings().consumption_tax_rate
    taxes = [
        consumption_tax(
            amount_excl_tax=trade.price * trade.quantity,
            treatment=treatment_of(seller_country=trade.offering.seller.country, buyer_country=buyer_country),
            rate=rate,
        )
        for trade in trades
    ]
    return Tax(
        amount_excl_tax=sum(tax.amount_excl_tax for tax in taxes),
        treatment=taxes[0].treatment,  # one offering, one seller, one buyer: one treatment
        rate=taxes[0].rate,
        tax_amount=sum(tax.tax_amount for tax in taxes),
    )


# --- members (marketplace.web.members) -----------------------------------------------------------------------------


def members_list(*, organization_id: Any) -> list[Membership]:
    """The organisation's members with their users, admins first, then by address."""
    return list(members_queryset(organization_id=organization_id).order_by("role", "user__email"))  # admin < member


def members_queryset(*, organization_id: Any) -> QuerySet[Membership]:
    """The organisation's members with their users (the API pages them, newest first)."""
    return Membership.objects.filter(organization_id=organization_id).select_related("user")


def invitations_open(*, organization_id: Any) -> list[Invitation]:
    """Invitations neither accepted nor withdrawn and still within their lifetime, newest first."""
    since = timezone.now() - market_settings().invitation_lifetime
    return list(
        Invitation.objects.filter(
            organization_id=organization_id, accepted_at__isnull=True, withdrawn_at__isnull=True, created_at__gt=since
        )
    )


def api_keys_of(*, organization_id: uuid.UUID) -> QuerySet[ApiKey]:
    """The organisation's keys, newest first (the cursor's order), revoked and expired ones too."""
    return ApiKey.objects.filter(organization_id=organization_id).order_by("-created_at")


def api_key_get(*, organization_id: uuid.UUID, api_key_id: Any) -> ApiKey:
    """One of the organisation's keys; another's, or none, is a 404."""
    try:
        wanted = uuid.UUID(str(api_key_id))
    except ValueError as exc:
        raise NotFound("No such API key.") from exc
    found = ApiKey.objects.filter(pk=wanted, organization_id=organization_id).first()
    if found is None:
        raise NotFound("No such API key.")
    return found
