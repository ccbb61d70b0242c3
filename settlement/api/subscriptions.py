"""Subscription endpoints (docs/api.md#subscriptions): the parties read their subscriptions, the buyer cancels."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.permissions import scope
from config.api.principal import TRADE, Principal, principal_of
from config.api.serializers import Serializer
from settlement import selectors
from settlement.models import Subscription, SubscriptionPeriod
from settlement.services.subscriptions import subscription_cancel


class SubscriptionPeriodSerializer(Serializer):
    number = serializers.IntegerField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    versions_delivered = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="New versions published during it; null until it closes."
    )
    messages_delivered = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Stream messages counted during it (message commitments only)."
    )
    outcome = serializers.ChoiceField(choices=SubscriptionPeriod.Outcome.choices, read_only=True)
    settlement = serializers.UUIDField(
        source="settlement_id", read_only=True, allow_null=True, help_text="The payment for it, when there is one."
    )
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class SubscriptionSerializer(Serializer):
    id = serializers.UUIDField(read_only=True)
    contract = serializers.UUIDField(source="contract_id", read_only=True)
    offering = serializers.UUIDField(source="offering_id", read_only=True)
    dataset = serializers.UUIDField(source="dataset_id", read_only=True)
    buyer = serializers.UUIDField(source="buyer_id", read_only=True)
    seller = serializers.UUIDField(source="seller_id", read_only=True)
    entitlement = serializers.UUIDField(
        source="entitlement_id", read_only=True, allow_null=True, help_text="The buyer's access (once granted)."
    )
    status = serializers.ChoiceField(choices=Subscription.Status.choices, read_only=True)
    quantity = serializers.IntegerField(read_only=True, help_text="Seats.")
    price = serializers.IntegerField(read_only=True, help_text="Per seat and period, in minor units.")
    amount = serializers.IntegerField(read_only=True, help_text="Per period: price x quantity.")
    currency = serializers.CharField(read_only=True)
    period_days = serializers.IntegerField(read_only=True)
    term_periods = serializers.IntegerField(read_only=True)
    min_versions_per_period = serializers.IntegerField(read_only=True)
    min_messages_per_period = serializers.IntegerField(read_only=True, allow_null=True)
    stream = serializers.BooleanField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True, help_text="The end of the term.")
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    past_due_since = serializers.DateTimeField(read_only=True, allow_null=True)
    ended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    end_reason = serializers.ChoiceField(
        choices=[("", ""), *Subscription.EndReason.choices], read_only=True, help_text="Empty unless ended."
    )
    periods = SubscriptionPeriodSerializer(many=True, read_only=True, source="periods.all")
    created_at = serializers.DateTimeField(read_only=True)


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


class SubscriptionList(GenericAPIView):
    """The caller's subscriptions, as buyer and as seller, newest first."""

    serializer_class = SubscriptionSerializer

    @extend_schema(
        operation_id="subscriptions_list",
        parameters=[
            OpenApiParameter("status", str, enum=list(Subscription.Status.values)),
            OpenApiParameter("role", str, enum=["buyer", "seller"], description="Only as subscriber, or as seller."),
        ],
        responses=SubscriptionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        status = request.query_params.get("status", "")
        if status and status not in Subscription.Status.values:
            raise ValidationError({"status": [f"One of {', '.join(Subscription.Status.values)}."]})
        role = request.query_params.get("role", "")
        if role and role not in ("buyer", "seller"):
            raise ValidationError({"role": ["buyer or seller."]})
        queryset = selectors.subscriptions_for(
            organization_id=_principal(request).organization_id, role=role, status=status
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(SubscriptionSerializer(page, many=True).data)


class SubscriptionDetail(GenericAPIView):
    serializer_class = SubscriptionSerializer

    @extend_schema(operation_id="subscriptions_retrieve", responses=SubscriptionSerializer)
    def get(self, request: Request, subscription_id: str) -> Response:
        subscription = selectors.subscription_get(
            subscription_id=subscription_id, organization_id=_principal(request).organization_id
        )
        return Response(SubscriptionSerializer(subscription).data)


class SubscriptionCancel(GenericAPIView):
    """The subscriber cancels: no period after the current one; access ends when it closes. Idempotent."""

    serializer_class = SubscriptionSerializer

    @extend_schema(operation_id="subscriptions_cancel", request=None, responses=SubscriptionSerializer)
    @scope(TRADE)
    def post(self, request: Request, subscription_id: str) -> Response:
        principal = _principal(request)
        cancelled = subscription_cancel(principal=principal, subscription_id=subscription_id)
        subscription = selectors.subscription_get(
            subscription_id=cancelled.id, organization_id=principal.organization_id
        )
        return Response(SubscriptionSerializer(subscription).data)
