"""Order endpoints (docs/api.md#the-life-of-an-order): place, list, read, cancel orders, and an offering's book of
resting orders (``/offerings/{id}/book``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IDEMPOTENCY_PARAMETER, idempotency_claim_of, idempotent
from config.api.models import IdempotencyRecord
from config.api.pagination import query_choice
from config.api.permissions import Public, scope, scope_check
from config.api.principal import SELL, TRADE, Principal, principal_of
from config.api.serializers import Serializer, StrictSerializer
from marketplace import selectors
from marketplace.api.trades import TradeSerializer, trade_context
from marketplace.matching import streams
from marketplace.matching.streams import MatcherPending
from marketplace.models import Order
from marketplace.services.orders import MAX_PRICE, MAX_QUANTITY, Placed, order_cancel, order_place, placed_taker
from marketplace.tax import TREATMENTS, Tax


class OrderCreateSerializer(StrictSerializer):
    offering = serializers.UUIDField()
    side = serializers.ChoiceField(choices=Order.Side.choices)
    type = serializers.ChoiceField(choices=Order.Type.choices, required=False, default=Order.Type.LIMIT)
    price = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PRICE,
        required=False,
        allow_null=True,
        default=None,
        help_text="Per seat, in minor units (JPY has none). Limit orders only.",
    )
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        allow_null=True,
        help_text="Seats. null: an unlimited ask (seller, offering with unlimited seats).",
    )
    time_in_force = serializers.ChoiceField(
        choices=Order.TimeInForce.choices, required=False, default=Order.TimeInForce.GTC
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    accepted_terms_sha256 = serializers.RegexField(
        r"^[0-9a-f]{64}$", required=False, default="", help_text="Buy orders: the offering's terms_sha256."
    )


# Plain serializers with declared fields, not ModelSerializers: these render every placed order and the tape,
# and a ModelSerializer introspects the model to build its fields on every use (a millisecond per response).


class OrderSerializer(Serializer):
    id = serializers.UUIDField(read_only=True)
    offering = serializers.UUIDField(source="offering_id", read_only=True)
    side = serializers.ChoiceField(choices=Order.Side.choices, read_only=True)
    type = serializers.ChoiceField(choices=Order.Type.choices, read_only=True)
    price = serializers.IntegerField(
        allow_null=True, read_only=True, help_text="Per seat, minor units; none for market."
    )
    quantity = serializers.IntegerField(allow_null=True, read_only=True, help_text="Seats; empty: an unlimited ask.")
    filled_quantity = serializers.IntegerField(read_only=True)
    remaining_quantity = serializers.IntegerField(allow_null=True, read_only=True)
    cancelled_quantity = serializers.IntegerField(read_only=True)
    time_in_force = serializers.ChoiceField(choices=Order.TimeInForce.choices, read_only=True)
    expires_at = serializers.DateTimeField(allow_null=True, read_only=True)
    status = serializers.ChoiceField(choices=Order.Status.choices, read_only=True)
    status_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class PlacedOrderSerializer(OrderSerializer):
    trades = serializers.SerializerMethodField()
    # What a buy order bought, summed over its trades: each trade is its own settlement, taxed and rounded on its
    # own (marketplace.selectors.traded_tax, in the context as "tax"); null for a sell order and for a buy that
    # traded nothing.
    amount_excl_tax = serializers.SerializerMethodField(
        help_text="Buy orders: the sum of price x quantity over the trades; null if none."
    )
    tax_rate = serializers.SerializerMethodField(
        help_text='Buy orders: the consumption tax rate applied, e.g. "0.1000"; "0.0000" when the sale is exempt.'
    )
    tax_amount = serializers.SerializerMethodField(help_text="Buy orders: the consumption tax of the trades.")
    amount_incl_tax = serializers.SerializerMethodField(
        help_text="Buy orders: what the trades' settlements charge in all."
    )
    tax_treatment = serializers.SerializerMethodField(
        help_text="Buy orders: standard, export, reverse_charge or out_of_scope (as the quote explains)."
    )

    def _tax(self) -> Tax | None:
        tax: Tax | None = self.context.get("tax")
        return tax

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_amount_excl_tax(self, order: Order) -> int | None:
        tax = self._tax()
        return tax.amount_excl_tax if tax else None

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True))
    def get_tax_rate(self, order: Order) -> str | None:
        tax = self._tax()
        return f"{tax.rate:.4f}" if tax else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_tax_amount(self, order: Order) -> int | None:
        tax = self._tax()
        return tax.tax_amount if tax else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_amount_incl_tax(self, order: Order) -> int | None:
        tax = self._tax()
        return tax.amount_incl_tax if tax else None

    @extend_schema_field(serializers.ChoiceField(choices=list(TREATMENTS), allow_null=True))
    def get_tax_treatment(self, order: Order) -> str | None:
        tax = self._tax()
        return tax.treatment if tax else None

    @extend_schema_field(TradeSerializer(many=True))
    def get_trades(self, order: Order) -> list[dict[str, Any]]:
        return TradeSerializer(self.context["trades"], many=True, context=self.context).data  # type: ignore[return-value]


class BookLevelSerializer(Serializer):
    price = serializers.IntegerField()
    quantity = serializers.IntegerField(allow_null=True, help_text="null: an unlimited ask")
    orders = serializers.IntegerField()


class BookSerializer(Serializer):
    bids = BookLevelSerializer(many=True)
    asks = BookLevelSerializer(many=True)
    last_trade = TradeSerializer(allow_null=True)


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


def _viewer(request: Request) -> uuid.UUID | None:
    principal = principal_of(request)
    return principal.organization_id if principal else None


def _side_scope(side: str) -> str:
    """A bid is trading (``trade``), an ask selling (``sell``): docs/api.md#api-keys-and-scopes."""
    return TRADE if side == Order.Side.BUY else SELL


class PendingOrderSerializer(Serializer):
    """An order its matcher has not decided yet (202): it will be decided exactly once, and its URL tells how."""

    id = serializers.UUIDField(read_only=True)
    status = serializers.ChoiceField(choices=["pending"], read_only=True)
    url = serializers.URLField(read_only=True)


def _placed_body(placed: Placed, principal: Principal) -> Any:
    shown = (
        {"viewer": principal.organization_id, "settlements": placed.settlements}  # its matcher sent them
        if placed.settlements is not None
        else trade_context(placed.trades, viewer=principal.organization_id, written=placed.subscriber_rows)
    )
    context = {
        "trades": placed.trades,
        **shown,
        "tax": selectors.traded_tax(placed.trades, buyer_country=principal.country)
        if placed.order.side == Order.Side.BUY
        else None,
    }
    return PlacedOrderSerializer(placed.order, context=context).data


def _placed_replay(request: Request, record: IdempotencyRecord) -> Any:
    """A retry whose first request's order was placed by its matcher, but which never wrote its response into
    the key's record (it timed out, or died): the order as placed, with the trades it made then."""
    order_id = record.response_headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    return _placed_body(placed_taker(uuid.UUID(order_id)), _principal(request))


class OrderListCreate(GenericAPIView):
    serializer_class = OrderSerializer

    @extend_schema(
        operation_id="orders_list",
        parameters=[OpenApiParameter("status", str, enum=Order.Status.values)],
        responses=OrderSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        wanted = query_choice(request, "status", Order.Status.values)
        orders = selectors.orders_owned(organization_id=_principal(request).organization_id, status=wanted)
        page = self.paginate_queryset(orders)
        return self.get_paginated_response(OrderSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_place",
        request=OrderCreateSerializer,
        responses={201: PlacedOrderSerializer, 202: PendingOrderSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent(journaled=streams.enabled, replay_pending=_placed_replay)
    @scope(TRADE, SELL)
    def post(self, request: Request) -> Response:
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        principal = _principal(request)
        scope_check(principal, _side_scope(data["side"]))
        try:
            placed = order_place(
                principal=principal,
                offering_id=data["offering"],
                side=data["side"],
                type=data["type"],
                price=data["price"],
                quantity=data["quantity"],
                time_in_force=data["time_in_force"],
                expires_at=data["expires_at"],
                accepted_terms_sha256=data["accepted_terms_sha256"],
                idempotency=idempotency_claim_of(request),
            )
        except MatcherPending as pending:
            # Its matcher has not answered in time: the order will be decided exactly once; its URL tells how.
            location = reverse("order", kwargs={"order_id": str(pending.order_id)})
            body = {"id": str(pending.order_id), "status": "pending", "url": request.build_absolute_uri(location)}
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})
        return Response(_placed_body(placed, principal), status=status.HTTP_201_CREATED)


class OrderDetail(GenericAPIView):
    serializer_class = OrderSerializer

    @extend_schema(operation_id="orders_retrieve", responses=OrderSerializer)
    def get(self, request: Request, order_id: str) -> Response:
        order = selectors.order_get_owned(order_id=order_id, organization_id=_principal(request).organization_id)
        return Response(OrderSerializer(order).data)


class OrderCancel(GenericAPIView):
    serializer_class = OrderSerializer

    @extend_schema(operation_id="orders_cancel", request=None, responses=OrderSerializer)
    @scope(TRADE, SELL)
    def post(self, request: Request, order_id: str) -> Response:
        principal = _principal(request)
        order = selectors.order_get_owned(order_id=order_id, organization_id=principal.organization_id)
        scope_check(principal, _side_scope(order.side))
        return Response(OrderSerializer(order_cancel(principal=principal, order_id=order.id)).data)


class OfferingBook(GenericAPIView):
    """Aggregated and anonymous: prices, quantities and order counts, never owners."""

    permission_classes = [Public]
    serializer_class = BookSerializer

    @extend_schema(operation_id="offerings_book", responses=BookSerializer)
    def get(self, request: Request, offering_id: str) -> Response:
        offering = selectors.offering_get(offering_id=offering_id)
        depth = selectors.book_depth(offering=offering)
        last = selectors.last_trade(offering=offering)
        return Response(
            {
                "bids": [vars(level) for level in depth["bids"]],
                "asks": [vars(level) for level in depth["asks"]],
                "last_trade": (
                    TradeSerializer(last, context=trade_context([last], viewer=_viewer(request))).data if last else None
                ),
            }
        )
