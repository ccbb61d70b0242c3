"""The public tape (``/trades``, docs/api.md#the-life-of-an-order): every executed trade, newest first; a party to
a trade also sees its contract and settlement."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.pagination import CreatedCursorPagination
from config.api.permissions import Public
from config.api.principal import principal_of
from config.api.serializers import Serializer
from marketplace import hooks, selectors
from marketplace.models import Trade


class TradeSerializer(Serializer):
    id = serializers.UUIDField(read_only=True)
    offering = serializers.UUIDField(source="offering_id", read_only=True)
    price = serializers.IntegerField(read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    currency = serializers.CharField(read_only=True)
    executed_at = serializers.DateTimeField(read_only=True)
    contract = serializers.SerializerMethodField()
    settlement = serializers.SerializerMethodField()

    def _party(self, trade: Trade) -> bool:
        viewer = self.context.get("viewer")
        return viewer is not None and viewer in (trade.buyer_id, trade.seller_id)

    @staticmethod
    def _public(data: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in data.items() if key not in ("contract", "settlement")}

    def to_representation(self, trade: Trade) -> dict[str, Any]:
        data = dict(super().to_representation(trade))
        return data if self._party(trade) else self._public(data)

    def get_contract(self, trade: Trade) -> str | None:
        return str(trade.contract_id) if trade.contract_id else None

    def get_settlement(self, trade: Trade) -> str | None:
        if not self._party(trade):  # dropped for the public anyway
            return None
        settlement_id = self.context["settlements"].get(trade.id)  # read for the whole page: trade_context
        return str(settlement_id) if settlement_id else None


def trade_context(
    trades: Iterable[Trade], *, viewer: uuid.UUID | None, written: Sequence[models.Model] = ()
) -> dict[str, Any]:
    """What ``TradeSerializer`` needs to show ``trades`` to ``viewer``: the settlements of the viewer's own trades
    among them, in one query for the page (none for the public, none when ``written``, the rows just stored
    with the trades, holds them)."""
    trades = list(trades)
    own = [t.id for t in trades if viewer is not None and viewer in (t.buyer_id, t.seller_id)]
    return {"viewer": viewer, "settlements": hooks.settlements_of_trades(own, written=written)}


def _viewer(request: Request) -> uuid.UUID | None:
    principal = principal_of(request)
    return principal.organization_id if principal else None


class TapePagination(CreatedCursorPagination):
    ordering = ("-executed_at", "-id")


class TradeList(GenericAPIView):
    """The public tape; a party to a trade also sees its contract and settlement."""

    permission_classes = [Public]
    serializer_class = TradeSerializer
    pagination_class = TapePagination

    @extend_schema(
        operation_id="trades_list",
        parameters=[OpenApiParameter("offering", OpenApiTypes.UUID)],
        responses=TradeSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        offering = request.query_params.get("offering")
        try:
            offering_id = uuid.UUID(offering) if offering else None
        except ValueError as exc:
            raise ValidationError({"offering": ["Must be an offering id."]}) from exc
        page = self.paginate_queryset(selectors.trades_tape(offering_id=offering_id))
        trades = list(page or [])
        data = TradeSerializer(trades, many=True, context=trade_context(trades, viewer=_viewer(request))).data
        return self.get_paginated_response(data)
