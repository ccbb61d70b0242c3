"""Reads of the deals app: who may see what, and what each party is shown.

Requests for data: a request's author sees it whatever its status, with every answer; a verified seller sees the
open ones of other organisations (not past ``respond_by``) and, whatever their status, those it answered; to anyone
else a request does not exist (404). The buyer's name reaches a seller only if the request's ``public_identity``.

Auctions: public (the auction, its terms, its reserve and closing time; after the close its clearing price, the
number of bids and of winners); a bid only to its bidder, the winners by name only to the seller (and each
winner its own win). Before the close nobody, the seller included, learns anything of the bids.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from config.api.principal import Principal
from config.errors import Forbidden, NotFound
from deals.models import Auction, AuctionBid, DataRequest, PrivateOffer, PrivateOfferRevision
from marketplace import hooks as market_hooks
from marketplace.models import Offering
from marketplace.selectors import Quote, purchase_quote

# --- requests for data ---------------------------------------------------------------------------------------


class DataRequestStatus(models.TextChoices):
    """A request's status as shown: the stored one, except that an open request past its ``respond_by`` is
    ``expired`` (computed when read; nothing runs at that time)."""

    OPEN = "open", pgettext_lazy("data request", "Open")
    CLOSED = "closed", pgettext_lazy("data request", "Closed")
    EXPIRED = "expired", pgettext_lazy("data request", "Expired")


ROLE_BUYER, ROLE_SELLER = "buyer", "seller"


def data_request_status(data_request: DataRequest, *, now: datetime | None = None) -> str:
    if data_request.status == DataRequest.Status.CLOSED:
        return DataRequestStatus.CLOSED
    if data_request.respond_by <= (now or timezone.now()):
        return DataRequestStatus.EXPIRED
    return DataRequestStatus.OPEN


def _status_filter(status: str, now: datetime) -> Q:
    if status == DataRequestStatus.OPEN:
        return Q(status=DataRequest.Status.OPEN, respond_by__gt=now)
    if status == DataRequestStatus.EXPIRED:
        return Q(status=DataRequest.Status.OPEN, respond_by__lte=now)
    return Q(status=DataRequest.Status.CLOSED)


def reads_open_requests(principal: Principal) -> bool:
    """Whether the organisation is shown other organisations' open requests: a seller the operator verified."""
    return principal.is_seller and principal.verified


def data_request_visible(
    data_request: DataRequest, principal: Principal | None, *, now: datetime | None = None
) -> bool:
    if principal is None:
        return False
    if data_request.buyer_id == principal.organization_id:
        return True
    if not reads_open_requests(principal):
        return False
    if data_request_status(data_request, now=now) == DataRequestStatus.OPEN:
        return True
    return PrivateOffer.objects.filter(data_request=data_request, seller_id=principal.organization_id).exists()


def data_requests_visible(
    *, principal: Principal, role: str = "", data_class: str = "", category: str = "", status: str = ""
) -> QuerySet[DataRequest]:
    """The requests listed to the caller, newest first. ``role`` "buyer": its own, whatever their status;
    "seller": other organisations' open ones (a verified seller only: 403 otherwise); "": both that apply. An
    organisation that is neither a buyer nor a verified seller lists nothing it may see: 403."""
    now = timezone.now()
    own = Q(buyer_id=principal.organization_id)
    others_open = _status_filter(DataRequestStatus.OPEN, now) & ~own
    if role == ROLE_BUYER:
        wanted = own
    elif role == ROLE_SELLER:
        if not reads_open_requests(principal):
            raise Forbidden("Only sellers verified by the market operator see requests for data.")
        wanted = others_open
    elif reads_open_requests(principal):
        wanted = own | others_open
    elif principal.is_buyer:
        wanted = own
    else:
        raise Forbidden("Only sellers verified by the market operator see requests for data.")
    queryset = DataRequest.objects.select_related("buyer").filter(wanted).order_by("-created_at", "-id")
    if data_class:
        queryset = queryset.filter(data_class=data_class)
    if category:
        queryset = queryset.filter(category=category)
    if status:
        queryset = queryset.filter(_status_filter(status, now))
    return queryset


def data_requests_with_answer_counts(queryset: QuerySet[DataRequest], *, principal: Principal) -> QuerySet[DataRequest]:
    """``answer_count`` on each request: every answer on the caller's own requests, only the caller's own answers on
    another's (a seller never learns how many others answered)."""
    counted = Q(buyer_id=principal.organization_id) | Q(private_offers__seller_id=principal.organization_id)
    return queryset.annotate(answer_count=Count("private_offers", filter=counted, distinct=True))


def data_request_get(*, data_request_id: Any, principal: Principal | None) -> DataRequest:
    try:
        wanted = uuid.UUID(str(data_request_id))
    except ValueError as exc:
        raise NotFound("No such request for data.") from exc
    data_request = DataRequest.objects.select_related("buyer").filter(pk=wanted).first()
    if data_request is None or not data_request_visible(data_request, principal):
        raise NotFound("No such request for data.")
    return data_request


def data_request_answers(*, data_request: DataRequest, principal: Principal) -> QuerySet[PrivateOffer]:
    """The private offers that answer the request, as the caller may see them: all of them for its author, only
    its own for a seller; oldest first. Each carries its latest revision's ``price`` and ``quantity``."""
    queryset = PrivateOffer.objects.select_related("seller").filter(data_request=data_request)
    if data_request.buyer_id != principal.organization_id:
        queryset = queryset.filter(seller_id=principal.organization_id)
    latest = PrivateOfferRevision.objects.filter(private_offer=OuterRef("pk"), number=OuterRef("revision"))
    return queryset.annotate(
        latest_price=Subquery(latest.values("price")[:1]),
        latest_quantity=Subquery(latest.values("quantity")[:1]),
    ).order_by("created_at", "id")


def data_request_answer_status(private_offer: PrivateOffer, *, now: datetime | None = None) -> str:
    """A private offer's status as shown: an open one past its ``expires_at`` is ``expired`` even before the
    sweep that records it."""
    if private_offer.status == PrivateOffer.Status.OPEN and private_offer.expires_at <= (now or timezone.now()):
        return PrivateOffer.Status.EXPIRED
    return private_offer.status


# --- private offers ------------------------------------------------------------------------------------------

PRIVATE_OFFER_ROLES = ("seller", "buyer")


def private_offers_for(
    *,
    organization_id: uuid.UUID,
    role: str = "",
    status: str = "",
    data_request_id: uuid.UUID | None = None,
    proposed_by: str = "",
) -> QuerySet[PrivateOffer]:
    """The private offers the organisation is a party to (``role``: only those where it is the seller, or the
    buyer), the latest changed first, with their revisions. ``status`` as the parties read it: an open offer past
    its ``expires_at`` is ``expired`` even before the beat marked it so. ``data_request_id``: only the offers
    answering that request (its author's answers, or a seller's own). ``proposed_by``: only those whose first
    revision the seller wrote (an offer), or the buyer (a proposal)."""
    if role == "seller":
        mine = Q(seller_id=organization_id)
    elif role == "buyer":
        mine = Q(buyer_id=organization_id)
    else:
        mine = Q(seller_id=organization_id) | Q(buyer_id=organization_id)
    offers = PrivateOffer.objects.filter(mine)
    if proposed_by:
        offers = offers.filter(proposed_by=proposed_by)
    if data_request_id is not None:
        offers = offers.filter(data_request_id=data_request_id)
    now = timezone.now()
    if status == PrivateOffer.Status.OPEN:
        offers = offers.filter(status=status, expires_at__gt=now)
    elif status == PrivateOffer.Status.EXPIRED:
        offers = offers.filter(Q(status=status) | Q(status=PrivateOffer.Status.OPEN, expires_at__lte=now))
    elif status:
        offers = offers.filter(status=status)
    return offers.select_related("seller", "buyer", "dataset", "data_request", "trade").prefetch_related(
        Prefetch("revisions", queryset=PrivateOfferRevision.objects.order_by("number"))
    )


def private_offer_get(*, private_offer_id: uuid.UUID | str, organization_id: uuid.UUID) -> PrivateOffer:
    """One private offer of the organisation's (seller or buyer); anyone else's, or none, is a 404."""
    try:
        offer_id = uuid.UUID(str(private_offer_id))
    except ValueError as exc:
        raise NotFound("No such private offer.") from exc
    offer = private_offers_for(organization_id=organization_id).filter(pk=offer_id).first()
    if offer is None:
        raise NotFound("No such private offer.")
    return offer


# --- auctions ----------------------------------------------------------------------------------------------


def auctions_list(*, status: str = "", dataset_id: uuid.UUID | None = None) -> QuerySet[Auction]:
    """Every auction (anyone may read them), or those of one status or dataset."""
    queryset = Auction.objects.select_related("dataset", "seller", "offering")
    if status:
        queryset = queryset.filter(status=status)
    if dataset_id is not None:
        queryset = queryset.filter(dataset_id=dataset_id)
    return queryset


def auction_get(*, auction_id: Any) -> Auction:
    try:
        wanted = uuid.UUID(str(auction_id))
    except ValueError as exc:
        raise NotFound("No such auction.") from exc
    auction = Auction.objects.select_related("dataset", "seller", "offering").filter(pk=wanted).first()
    if auction is None:
        raise NotFound("No such auction.")
    return auction


def auction_get_by_offering(*, offering_id: uuid.UUID) -> Auction:
    auction = Auction.objects.filter(offering_id=offering_id).first()
    if auction is None:
        raise NotFound("No such auction.")
    return auction


def auction_bid_own(*, auction: Auction, organization_id: uuid.UUID | None) -> AuctionBid | None:
    """The caller's own bid in the auction (withdrawn, lost or forfeited ones too), or None."""
    if organization_id is None:
        return None
    return AuctionBid.objects.select_related("trade").filter(auction=auction, bidder_id=organization_id).first()


@dataclass(frozen=True)
class Winner:
    bid: AuctionBid
    bidder_name: str
    trade_id: uuid.UUID | None
    contract_id: uuid.UUID | None
    settlement_id: uuid.UUID | None
    price: int | None  # what the winner was charged a seat (its trade's price)


@dataclass(frozen=True)
class AuctionView:
    """An auction as one caller may see it."""

    auction: Auction
    closed: bool
    own_bid: AuctionBid | None
    winners_count: int | None  # None before the close
    winners: tuple[Winner, ...]  # named: all of them to the seller, its own win to a winner, none to others
    is_seller: bool


def auction_view(*, auction: Auction, organization_id: uuid.UUID | None) -> AuctionView:
    closed = auction.status != Auction.Status.OPEN
    is_seller = organization_id is not None and organization_id == auction.seller_id
    own = None if is_seller else auction_bid_own(auction=auction, organization_id=organization_id)
    winners: list[Winner] = []
    count = None
    if closed:
        won = list(
            AuctionBid.objects.select_related("bidder", "trade")
            .filter(auction=auction, status=AuctionBid.Status.WON)
            .order_by("-price", "placed_at", "id")
        )
        count = len(won)
        named = [bid for bid in won if is_seller or bid.bidder_id == organization_id]
        settlements = market_hooks.settlements_of_trades([bid.trade_id for bid in named if bid.trade_id])
        winners = [
            Winner(
                bid=bid,
                bidder_name=bid.bidder.name,
                trade_id=bid.trade_id,
                contract_id=bid.trade.contract_id if bid.trade else None,
                settlement_id=settlements.get(bid.trade_id) if bid.trade_id else None,
                price=bid.trade.price if bid.trade else None,
            )
            for bid in named
        ]
    return AuctionView(
        auction=auction, closed=closed, own_bid=own, winners_count=count, winners=tuple(winners), is_seller=is_seller
    )


def auctions_page_views(*, auctions: list[Auction], organization_id: uuid.UUID | None) -> list[AuctionView]:
    """A page of a list as the caller may see it, in two queries whatever its length: the caller's own bids and
    the closed auctions' numbers of winners (a list names no winner: the auction's own page does)."""
    ids = [auction.id for auction in auctions]
    own = auctions_bid_by(organization_id=organization_id, auction_ids=ids) if organization_id else {}
    counts = dict(
        Auction.objects.filter(pk__in=[a.id for a in auctions if a.status != Auction.Status.OPEN])
        .annotate(won=Count("bids", filter=Q(bids__status=AuctionBid.Status.WON)))
        .values_list("id", "won")
    )
    return [
        AuctionView(
            auction=auction,
            closed=auction.status != Auction.Status.OPEN,
            own_bid=own.get(auction.id),
            winners_count=counts.get(auction.id),
            winners=(),
            is_seller=organization_id is not None and organization_id == auction.seller_id,
        )
        for auction in auctions
    ]


def auctions_bid_by(*, organization_id: uuid.UUID, auction_ids: list[uuid.UUID]) -> dict[uuid.UUID, AuctionBid]:
    """The caller's bids in these auctions (one query for a page), by auction id."""
    bids = AuctionBid.objects.select_related("trade").filter(bidder_id=organization_id, auction_id__in=auction_ids)
    return {bid.auction_id: bid for bid in bids}


def private_offer_quote(*, offer: PrivateOffer, revision: PrivateOfferRevision) -> Quote:
    """What accepting ``revision`` costs the offer's buyer, tax included (``marketplace.selectors.purchase_quote``):
    the offering its acceptance opens, as it will be (a licence of the revision's seats on its terms), not saved."""
    offering = Offering(
        dataset=offer.dataset,
        seller=offer.seller,
        channel=Offering.Channel.PRIVATE,
        buyer=offer.buyer,
        template_code=offer.template_code,
        template_version=offer.template_version,
        terms=revision.terms,
        terms_sha256=revision.terms_sha256,
        license_seats=revision.quantity,
        currency=offer.currency,
    )
    return purchase_quote(
        offering=offering, buyer_country=offer.buyer.country, price=revision.price, quantity=revision.quantity
    )
