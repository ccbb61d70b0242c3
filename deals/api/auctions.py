"""Auction endpoints (docs/api.md#auctions): a seller opens a sealed-bid auction; anyone reads the auctions; a
verified buyer places, raises, reads and withdraws its own bid until the close; after it, the result."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from config.api.pagination import query_choice, query_uuid
from config.api.permissions import ReadAnyoneWriteSeller, scope
from config.api.principal import SELL, TRADE, Principal, principal_of
from config.api.serializers import Serializer, StrictSerializer
from config.errors import NotFound
from config.text import displayable_line
from deals import selectors
from deals.models import Auction, AuctionBid
from deals.selectors import AuctionView
from deals.services.auctions import MAX_OPEN_DAYS, MAX_SEATS, auction_bid_place, auction_bid_withdraw, auction_open
from marketplace.services.orders import MAX_PRICE


class AuctionCreateSerializer(StrictSerializer):
    dataset = serializers.UUIDField(help_text="Your published dataset.")
    template = serializers.CharField(
        max_length=64,
        required=False,
        default="meti-data-provision",
        validators=[displayable_line],
        help_text="Contract template code (its current version).",
    )
    terms = serializers.DictField(
        help_text="Validated against the template's terms_schema as an offering's; typically "
        '{"license_type": "exclusive"}. Licences only: no subscription.'
    )
    seats = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=MAX_SEATS, help_text="Seats sold; exactly 1 if exclusive."
    )
    reserve_price = serializers.IntegerField(
        min_value=1, max_value=MAX_PRICE, help_text="Per seat, minor units: no seat sells below it."
    )
    closes_at = serializers.DateTimeField(help_text=f"In the future, at most {MAX_OPEN_DAYS} days ahead.")
    currency = serializers.CharField(
        max_length=3, min_length=3, required=False, default="JPY", validators=[displayable_line]
    )


class AuctionBidCreateSerializer(StrictSerializer):
    price = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PRICE,
        help_text="Per seat, minor units; at least the reserve, never lower than your bid.",
    )
    accepted_terms_sha256 = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="The auction's terms_sha256.")


class AuctionBidSerializer(Serializer):
    id = serializers.UUIDField(read_only=True)
    auction = serializers.UUIDField(source="auction_id", read_only=True)
    price = serializers.IntegerField(read_only=True, help_text="Your bid per seat, minor units.")
    status = serializers.ChoiceField(choices=AuctionBid.Status.choices, read_only=True)
    placed_at = serializers.DateTimeField(read_only=True, help_text="The time of the bid or of its latest raise.")
    accepted_terms_sha256 = serializers.CharField(read_only=True)
    trade = serializers.UUIDField(source="trade_id", read_only=True, allow_null=True, help_text="When won.")
    contract = serializers.SerializerMethodField(help_text="When won: the concluded contract.")
    price_paid = serializers.SerializerMethodField(help_text="When won: the clearing price it was charged a seat.")
    updated_at = serializers.DateTimeField(read_only=True)

    def get_contract(self, bid: AuctionBid) -> str | None:
        return str(bid.trade.contract_id) if bid.trade_id and bid.trade and bid.trade.contract_id else None

    def get_price_paid(self, bid: AuctionBid) -> int | None:
        return bid.trade.price if bid.trade_id and bid.trade else None


class AuctionPartySerializer(Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class AuctionDatasetSerializer(Serializer):
    id = serializers.UUIDField(read_only=True)
    title = serializers.CharField(read_only=True)


class AuctionWinnerSerializer(Serializer):
    bidder = serializers.SerializerMethodField()
    price = serializers.IntegerField(read_only=True, allow_null=True, help_text="Charged a seat (its trade's price).")
    trade = serializers.UUIDField(source="trade_id", read_only=True, allow_null=True)
    contract = serializers.UUIDField(source="contract_id", read_only=True, allow_null=True)
    settlement = serializers.UUIDField(source="settlement_id", read_only=True, allow_null=True)

    @extend_schema_field(AuctionPartySerializer)
    def get_bidder(self, winner: Any) -> dict[str, str]:
        return {"id": str(winner.bid.bidder_id), "name": winner.bidder_name}


class AuctionSerializer(Serializer):
    """An auction as the caller may see it (``deals.selectors.AuctionView``)."""

    id = serializers.UUIDField(source="auction.id", read_only=True)
    status = serializers.ChoiceField(source="auction.status", choices=Auction.Status.choices, read_only=True)
    dataset = serializers.SerializerMethodField()
    seller = serializers.SerializerMethodField()
    offering = serializers.UUIDField(source="auction.offering_id", read_only=True)
    template = serializers.SerializerMethodField()
    terms = serializers.DictField(source="auction.offering.terms", read_only=True)
    terms_sha256 = serializers.CharField(source="auction.offering.terms_sha256", read_only=True)
    mandatory_clauses = serializers.ListField(
        source="auction.offering.mandatory_clauses", child=serializers.CharField(), read_only=True
    )
    seats = serializers.IntegerField(source="auction.seats", read_only=True)
    reserve_price = serializers.IntegerField(source="auction.reserve_price", read_only=True)
    currency = serializers.CharField(source="auction.currency", read_only=True)
    closes_at = serializers.DateTimeField(source="auction.closes_at", read_only=True)
    created_at = serializers.DateTimeField(source="auction.created_at", read_only=True)
    closed_at = serializers.DateTimeField(source="auction.closed_at", read_only=True, allow_null=True)
    clearing_price = serializers.IntegerField(
        source="auction.clearing_price",
        read_only=True,
        allow_null=True,
        help_text="After the close: the uniform price a seat (recomputed if a seat passed on); null before or no sale.",
    )
    bids_received = serializers.IntegerField(
        source="auction.bids_received", read_only=True, allow_null=True, help_text="After the close only."
    )
    winners_count = serializers.IntegerField(read_only=True, allow_null=True, help_text="After the close only.")
    winners = AuctionWinnerSerializer(
        many=True,
        read_only=True,
        help_text="Named winners: all of them to the seller, your own win to you, none to anyone else.",
    )
    bid = AuctionBidSerializer(source="own_bid", read_only=True, allow_null=True, help_text="Your own bid, if any.")

    @extend_schema_field(AuctionDatasetSerializer)
    def get_dataset(self, view: AuctionView) -> dict[str, str]:
        return {"id": str(view.auction.dataset_id), "title": view.auction.dataset.title}

    @extend_schema_field(AuctionPartySerializer)
    def get_seller(self, view: AuctionView) -> dict[str, str]:
        return {"id": str(view.auction.seller_id), "name": view.auction.seller.name}

    def get_template(self, view: AuctionView) -> str:
        offering = view.auction.offering
        return f"{offering.template_code}@{offering.template_version}"


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember or ReadAnyoneWriteSeller on writes
    return principal


def _caller(request: Request) -> uuid.UUID | None:
    principal = principal_of(request)
    return principal.organization_id if principal is not None else None


def _render(auction: Auction, request: Request, **kwargs: Any) -> Response:
    view = selectors.auction_view(auction=auction, organization_id=_caller(request))
    return Response(AuctionSerializer(view).data, **kwargs)


class AuctionListCreate(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = AuctionSerializer

    @extend_schema(
        operation_id="auctions_list",
        parameters=[
            OpenApiParameter("status", str, enum=Auction.Status.values, description="Only auctions of this status."),
            OpenApiParameter("dataset", OpenApiTypes.UUID, description="Only auctions of this dataset."),
        ],
        responses=AuctionSerializer(many=True),
        description="Every auction, newest first (anyone may read them). A list names no winner; the caller's own "
        "bid is shown.",
    )
    def get(self, request: Request) -> Response:
        wanted = query_choice(request, "status", Auction.Status.values)
        dataset_id = query_uuid(request, "dataset")
        page = self.paginate_queryset(selectors.auctions_list(status=wanted, dataset_id=dataset_id))
        views = selectors.auctions_page_views(auctions=list(page or []), organization_id=_caller(request))
        return self.get_paginated_response(AuctionSerializer(views, many=True).data)

    @extend_schema(
        operation_id="auctions_open",
        request=AuctionCreateSerializer,
        responses={201: AuctionSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(SELL)
    def post(self, request: Request) -> Response:
        serializer = AuctionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        auction = auction_open(
            principal=_principal(request),
            dataset_id=data["dataset"],
            template_code=data["template"],
            terms=data["terms"],
            seats=data["seats"],
            reserve_price=data["reserve_price"],
            closes_at=data["closes_at"],
            currency=data["currency"],
        )
        return _render(selectors.auction_get(auction_id=auction.id), request, status=status.HTTP_201_CREATED)


class AuctionDetail(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = AuctionSerializer

    @extend_schema(operation_id="auctions_retrieve", responses=AuctionSerializer)
    def get(self, request: Request, auction_id: str) -> Response:
        return _render(selectors.auction_get(auction_id=auction_id), request)


class AuctionBids(GenericAPIView):
    serializer_class = AuctionBidSerializer

    @extend_schema(
        operation_id="auctions_bid",
        request=AuctionBidCreateSerializer,
        responses={201: AuctionBidSerializer, 200: AuctionBidSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="Place your sealed bid (201), or raise it (200; the same price again changes nothing).",
    )
    @idempotent
    @scope(TRADE)
    def post(self, request: Request, auction_id: str) -> Response:
        serializer = AuctionBidCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        placed = auction_bid_place(
            principal=_principal(request),
            auction_id=auction_id,
            price=data["price"],
            accepted_terms_sha256=data["accepted_terms_sha256"],
        )
        return Response(
            AuctionBidSerializer(placed.bid).data,
            status=status.HTTP_201_CREATED if placed.created else status.HTTP_200_OK,
        )


class AuctionOwnBid(GenericAPIView):
    serializer_class = AuctionBidSerializer

    @extend_schema(operation_id="auctions_own_bid", responses=AuctionBidSerializer)
    def get(self, request: Request, auction_id: str) -> Response:
        auction = selectors.auction_get(auction_id=auction_id)
        bid = selectors.auction_bid_own(auction=auction, organization_id=_principal(request).organization_id)
        if bid is None:
            raise NotFound("You have no bid in this auction.")
        return Response(AuctionBidSerializer(bid).data)


class AuctionBidWithdraw(GenericAPIView):
    serializer_class = AuctionBidSerializer

    @extend_schema(
        operation_id="auctions_bid_withdraw",
        request=None,
        responses=AuctionBidSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(TRADE)
    def post(self, request: Request, auction_id: str) -> Response:
        bid = auction_bid_withdraw(principal=_principal(request), auction_id=auction_id)
        return Response(AuctionBidSerializer(bid).data)
