"""Settlement endpoints (docs/api.md#the-life-of-a-settlement): a party reads the money side of its trades."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.principal import Principal, principal_of
from settlement import selectors
from settlement.models import Settlement, SettlementEvent


class SettlementEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SettlementEvent
        fields = ["from_status", "to_status", "reason", "created_at"]


class SettlementSerializer(serializers.ModelSerializer):
    events = SettlementEventSerializer(many=True, read_only=True)
    fee_rate = serializers.DecimalField(max_digits=6, decimal_places=4, coerce_to_string=True)
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=4, coerce_to_string=True)
    amount_incl_tax = serializers.IntegerField(
        source="amount", read_only=True, help_text="What the buyer pays, consumption tax included (= amount)."
    )
    tax_treatment = serializers.CharField(
        help_text=(
            "How the sale is taxed: standard (both parties in Japan), export (the buyer abroad: zero-rated), "
            "reverse_charge (the seller abroad: the buyer accounts for the tax), out_of_scope (both abroad); "
            "empty for a settlement opened before the market charged consumption tax."
        )
    )

    class Meta:
        model = Settlement
        fields = [
            "id",
            "trade",
            "contract",
            "period",
            "status",
            "amount",
            "currency",
            "amount_excl_tax",
            "tax_treatment",
            "tax_rate",
            "tax_amount",
            "amount_incl_tax",
            "fee_rate",
            "platform_fee",
            "platform_fee_tax",
            "seller_proceeds",
            "failure_code",
            "failure_message",
            "refund_reason",
            "authorized_at",
            "capture_due_at",
            "captured_at",
            "created_at",
            "events",
        ]


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


class SettlementList(GenericAPIView):
    serializer_class = SettlementSerializer

    @extend_schema(
        operation_id="settlements_list",
        parameters=[
            OpenApiParameter("status", str, enum=list(Settlement.Status.values)),
            OpenApiParameter("role", str, enum=["buyer", "seller"], description="Only purchases or only sales."),
        ],
        responses=SettlementSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        organization_id = _principal(request).organization_id
        queryset = selectors.settlements_for(organization_id=organization_id)
        status = request.query_params.get("status")
        if status:
            if status not in Settlement.Status.values:
                raise ValidationError({"status": [f"One of {', '.join(Settlement.Status.values)}."]})
            queryset = queryset.filter(status=status)
        role = request.query_params.get("role")
        if role:
            if role not in ("buyer", "seller"):
                raise ValidationError({"role": ["buyer or seller."]})
            queryset = queryset.filter(**{f"{role}_id": organization_id})
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(SettlementSerializer(page, many=True).data)


class SettlementDetail(GenericAPIView):
    serializer_class = SettlementSerializer

    @extend_schema(operation_id="settlements_retrieve", responses=SettlementSerializer)
    def get(self, request: Request, settlement_id: str) -> Response:
        settlement = selectors.settlement_get(
            settlement_id=settlement_id, organization_id=_principal(request).organization_id
        )
        return Response(SettlementSerializer(settlement).data)
