"""Offering endpoints (docs/api.md#offerings): publish, read, move the delivery URL, withdraw, the offer as ODRL."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api.datasets import (  # one withdrawal body, one take-down, for datasets and offerings
    TakedownSerializer,
    WithdrawSerializer,
    takedown_data,
)
from config.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from config.api.pagination import query_choice, query_uuid
from config.api.permissions import ReadAnyoneWriteSeller, scope
from config.api.principal import SELL, Principal, principal_of
from config.api.renderers import JSONLDRenderer
from config.api.serializers import StrictSerializer
from config.errors import NotFound
from config.text import displayable_line
from contracts.meti.data_provision_terms import (
    MAX_MESSAGES_PER_PERIOD,
    MAX_PERIOD_DAYS,
    MAX_SUBSCRIPTION_DAYS,
    MAX_TERM_PERIODS,
    MAX_VERSIONS_PER_PERIOD,
)
from marketplace import selectors
from marketplace.models import Offering
from marketplace.services.offerings import offering_publish, offering_set_delivery_url, offering_withdraw

DELIVERY_URL_HELP = (
    "Your own https endpoint that serves the data to buyers (seller-hosted delivery; docs/delivery.md): buyers "
    "send it the market's signed JWT. Empty: the market delivers the stored version. Refused unless its host "
    "resolves to public addresses only; no credentials, no fragment."
)


class OfferingCreateSerializer(StrictSerializer):
    dataset = serializers.UUIDField()
    template = serializers.CharField(
        max_length=64, help_text="Template code, e.g. meti-data-provision.", validators=[displayable_line]
    )
    terms = serializers.DictField(help_text="Validated against the template's terms_schema; defaults fill gaps.")
    license_seats = serializers.IntegerField(allow_null=True, min_value=1, max_value=1_000_000)
    currency = serializers.CharField(
        max_length=3, min_length=3, required=False, default="JPY", validators=[displayable_line]
    )
    delivery_url = serializers.URLField(
        max_length=500,
        required=False,
        default="",
        allow_blank=True,
        validators=[displayable_line],
        help_text=DELIVERY_URL_HELP,
    )
    kind = serializers.ChoiceField(
        choices=Offering.Kind.choices,
        required=False,
        default=Offering.Kind.LICENCE,
        help_text="licence: the dataset version published at the trade. subscription: a feed, priced per period.",
    )
    period_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_PERIOD_DAYS,
        help_text="Subscription only (required): the length of one period in days; the book prices one period.",
    )  # fmt: skip
    term_periods = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_TERM_PERIODS,
        help_text=(
            "Subscription only (required): the number of periods the contract runs; term_periods x period_days is "
            f"at most {MAX_SUBSCRIPTION_DAYS} and becomes the terms' duration_days."
        ),
    )  # fmt: skip
    min_versions_per_period = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_VERSIONS_PER_PERIOD,
        help_text=(
            "Subscription only (default 1): the delivery commitment, new versions (a SHA-256 not published before) "
            "per period; a period with fewer is not charged."
        ),
    )  # fmt: skip
    stream = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Subscription only: readings also flow live over MQTT (refused while the market runs no broker).",
    )
    min_messages_per_period = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_MESSAGES_PER_PERIOD,
        help_text="Subscription with stream only (optional): live-stream messages per period, also committed to.",
    )  # fmt: skip


class OfferingUpdateSerializer(StrictSerializer):
    delivery_url = serializers.URLField(
        max_length=500, allow_blank=True, validators=[displayable_line], help_text=DELIVERY_URL_HELP
    )


class OfferingSerializer(serializers.ModelSerializer):
    template = serializers.SerializerMethodField()
    seller = serializers.SerializerMethodField()
    seats_left = serializers.IntegerField(allow_null=True)
    mandatory_clauses = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Clauses the data class makes part of the terms."
    )
    seller_acceptance = serializers.SerializerMethodField()
    delivery = serializers.ChoiceField(
        choices=["hosted", "provider"],
        read_only=True,
        help_text="hosted: the market delivers the data; provider: the seller's server at delivery_url does.",
    )
    delivery_url = serializers.CharField(
        read_only=True, help_text="The seller's endpoint for seller-hosted delivery; empty when the market delivers."
    )
    kind = serializers.ChoiceField(choices=Offering.Kind.choices, help_text="licence or subscription.")
    period_days = serializers.IntegerField(
        allow_null=True, help_text="A subscription's period in days (the book's prices are per period); else null."
    )
    term_periods = serializers.IntegerField(
        allow_null=True, help_text="A subscription's number of periods (term_periods x period_days = duration_days)."
    )
    min_versions_per_period = serializers.IntegerField(
        allow_null=True, help_text="A subscription's delivery commitment: new versions per period; else null."
    )
    stream = serializers.BooleanField(help_text="Whether the subscription also carries a live MQTT stream.")
    min_messages_per_period = serializers.IntegerField(
        allow_null=True, help_text="Live-stream messages per period the seller also commits to, if any."
    )
    taken_down = serializers.SerializerMethodField()

    class Meta:
        model = Offering
        fields = [
            "id",
            "dataset",
            "seller",
            "template",
            "terms",
            "terms_sha256",
            "mandatory_clauses",
            "license_seats",
            "seats_sold",
            "seats_left",
            "currency",
            "kind",
            "period_days",
            "term_periods",
            "min_versions_per_period",
            "stream",
            "min_messages_per_period",
            "status",
            "seller_acceptance",
            "created_at",
            "withdrawn_at",
            "delivery",
            "delivery_url",
            "taken_down",
        ]

    @extend_schema_field(TakedownSerializer(allow_null=True))
    def get_taken_down(self, offering: Offering) -> dict[str, Any] | None:
        return takedown_data(offering)

    def get_template(self, offering: Offering) -> str:
        return f"{offering.template_code}@{offering.template_version}"

    def get_seller(self, offering: Offering) -> dict[str, str]:
        return {"id": str(offering.seller_id), "name": offering.seller.name}

    def get_seller_acceptance(self, offering: Offering) -> dict[str, Any]:
        return {"accepted_at": offering.accepted_at, "terms_sha256": offering.terms_sha256}


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # ReadAnyoneWriteSeller on writes
    return principal


class OfferingListCreate(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = OfferingSerializer

    @extend_schema(
        operation_id="offerings_list",
        parameters=[
            OpenApiParameter("dataset", OpenApiTypes.UUID),
            OpenApiParameter("status", str, enum=Offering.Status.values),
            OpenApiParameter("kind", str, enum=Offering.Kind.values),
        ],
        responses=OfferingSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        wanted_status = query_choice(request, "status", Offering.Status.values)
        kind = query_choice(request, "kind", Offering.Kind.values)
        dataset_id = query_uuid(request, "dataset")
        page = self.paginate_queryset(selectors.offerings_list(dataset_id=dataset_id, status=wanted_status, kind=kind))
        return self.get_paginated_response(OfferingSerializer(page, many=True).data)

    @extend_schema(
        operation_id="offerings_create",
        request=OfferingCreateSerializer,
        responses={201: OfferingSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(SELL)
    def post(self, request: Request) -> Response:
        serializer = OfferingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        offering = offering_publish(
            principal=_principal(request),
            dataset_id=data["dataset"],
            template_code=data["template"],
            terms=data["terms"],
            license_seats=data["license_seats"],
            currency=data["currency"],
            delivery_url=data["delivery_url"],
            kind=data["kind"],
            period_days=data["period_days"],
            term_periods=data["term_periods"],
            min_versions_per_period=data["min_versions_per_period"],
            stream=data["stream"],
            min_messages_per_period=data["min_messages_per_period"],
        )
        return Response(OfferingSerializer(offering).data, status=status.HTTP_201_CREATED)


class OfferingDetail(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = OfferingSerializer

    @extend_schema(operation_id="offerings_retrieve", responses=OfferingSerializer)
    def get(self, request: Request, offering_id: str) -> Response:
        offering = selectors.offering_get(offering_id=offering_id, organization_id=_caller(request))
        return Response(OfferingSerializer(offering).data)

    @extend_schema(operation_id="offerings_update", request=OfferingUpdateSerializer, responses=OfferingSerializer)
    @scope(SELL)
    def patch(self, request: Request, offering_id: str) -> Response:
        """Move the delivery URL; entitlements granted earlier keep theirs (docs/delivery.md#changing-the-url)."""
        principal = _principal(request)
        serializer = OfferingUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data
        offering = selectors.offering_get(offering_id=offering_id)
        if "delivery_url" in changes:
            offering = offering_set_delivery_url(
                principal=principal, offering_id=offering.id, delivery_url=changes["delivery_url"]
            )
        elif offering.seller_id != principal.organization_id:
            raise NotFound("No such offering.")  # another seller's offering: not found, as for any change
        return Response(OfferingSerializer(offering).data)


class OfferingWithdraw(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = WithdrawSerializer

    @extend_schema(operation_id="offerings_withdraw", request=WithdrawSerializer, responses=OfferingSerializer)
    @scope(SELL)
    def post(self, request: Request, offering_id: str) -> Response:
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offering = selectors.offering_get(offering_id=offering_id)
        offering = offering_withdraw(
            principal=_principal(request), offering_id=offering.id, reason=serializer.validated_data["reason"]
        )
        return Response(OfferingSerializer(offering).data)


class OfferingOdrl(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    # JSON-LD first; the same document as plain JSON for a client that asks for that.
    renderer_classes = [JSONLDRenderer, JSONRenderer]

    @extend_schema(
        operation_id="offerings_odrl",
        responses=OpenApiResponse(OpenApiTypes.OBJECT, description="ODRL 2.2 Offer"),
    )
    def get(self, request: Request, offering_id: str) -> Response:
        offering = selectors.offering_get(offering_id=offering_id, organization_id=_caller(request))
        return Response(selectors.offering_odrl(offering, data_class=offering.dataset.data_class))


def _caller(request: Request) -> uuid.UUID | None:
    """The calling organisation, if any: a private offer's offering is shown to its parties only."""
    principal = principal_of(request)
    return principal.organization_id if principal is not None else None
