"""Requests for data (docs/api.md#requests-for-data): a verified buyer requests data, lists and closes its requests;
verified sellers list the open ones and read each with their own answers. Thin views: a serializer checks the
shape, ``deals.services.data_requests`` decides, ``deals.selectors`` says who sees what."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import Category, DataClass
from config.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from config.api.pagination import query_choice
from config.api.permissions import scope
from config.api.principal import TRADE, Principal, principal_of
from config.api.serializers import Serializer, StrictSerializer
from config.text import displayable_line, displayable_text
from deals import selectors
from deals.models import DataRequest, PrivateOffer
from deals.services.data_requests import (
    MAX_BUDGET,
    MAX_DESCRIPTION,
    MAX_PURPOSE,
    MAX_RESPOND_DAYS,
    MAX_TERRITORY,
    MAX_TITLE,
    data_request_close,
    data_request_create,
    requested_data_class_check,
)


class RequestedDataClassField(serializers.ChoiceField):
    """``personal`` is not a typo to be told "invalid choice" (400): a market rule refuses it (422)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=DataClass.choices, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if data == "personal":
            requested_data_class_check(data)
        return str(super().to_internal_value(data))


class DataRequestCreateSerializer(StrictSerializer):
    """A request for data: what a verified buyer needs, for what, where, until when sellers may answer."""

    title = serializers.CharField(max_length=MAX_TITLE, validators=[displayable_line])
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION, required=False, allow_blank=True, default="", validators=[displayable_text]
    )
    data_class = RequestedDataClassField(help_text="anonymized or iot; personal data is refused (422).")
    category = serializers.ChoiceField(choices=Category.choices)
    territory = serializers.ListField(
        child=serializers.RegexField(r"^[A-Za-z]{2}$", validators=[displayable_line]),
        min_length=1,
        max_length=MAX_TERRITORY,
        help_text=(
            "ISO 3166-1 alpha-2 codes of the countries the data is wanted for; stored upper-case, sorted, once each."
        ),
    )
    purpose = serializers.CharField(max_length=MAX_PURPOSE, validators=[displayable_text])
    budget_max = serializers.IntegerField(
        min_value=1,
        max_value=MAX_BUDGET,
        required=False,
        allow_null=True,
        default=None,
        help_text="The most the buyer means to pay, in minor units of currency; null for none stated.",
    )
    currency = serializers.CharField(
        max_length=3, min_length=3, required=False, default="JPY", validators=[displayable_line]
    )
    respond_by = serializers.DateTimeField(
        help_text=f"Until when sellers may answer: in the future, at most {MAX_RESPOND_DAYS} days ahead."
    )
    public_identity = serializers.BooleanField(
        required=False, default=False, help_text="Show your organisation's name to sellers (default: they see none)."
    )


class PartyNameSerializer(Serializer):
    """An organisation by its name only."""

    name = serializers.CharField(read_only=True)


class DataRequestAnswerSerializer(Serializer):
    """A private offer that names the request, as its latest revision stands."""

    id = serializers.UUIDField(read_only=True)
    status = serializers.SerializerMethodField()
    seller = serializers.SerializerMethodField()
    price = serializers.IntegerField(source="latest_price", read_only=True, help_text="Per seat, minor units.")
    quantity = serializers.IntegerField(source="latest_quantity", read_only=True, help_text="Seats.")
    currency = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.ChoiceField(choices=PrivateOffer.Status.choices))
    def get_status(self, offer: PrivateOffer) -> str:
        return selectors.data_request_answer_status(offer)

    @extend_schema_field(PartyNameSerializer)
    def get_seller(self, offer: PrivateOffer) -> dict[str, str]:
        return {"name": offer.seller.name}


class DataRequestSerializer(Serializer):
    """A request for data as the caller may read it: ``buyer`` is named to a seller only if the buyer chose
    ``public_identity``."""

    id = serializers.UUIDField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    data_class = serializers.ChoiceField(choices=DataClass.choices, read_only=True)
    category = serializers.ChoiceField(choices=Category.choices, read_only=True)
    territory = serializers.ListField(child=serializers.CharField(read_only=True), read_only=True)
    purpose = serializers.CharField(read_only=True)
    budget_max = serializers.IntegerField(read_only=True, allow_null=True)
    currency = serializers.CharField(read_only=True)
    respond_by = serializers.DateTimeField(read_only=True)
    public_identity = serializers.BooleanField(read_only=True)
    status = serializers.SerializerMethodField()
    buyer = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @extend_schema_field(
        serializers.ChoiceField(
            choices=selectors.DataRequestStatus.choices,
            help_text="open; closed (by its buyer); expired (past respond_by, which counts as closed).",
        )
    )
    def get_status(self, data_request: DataRequest) -> str:
        return selectors.data_request_status(data_request)

    @extend_schema_field(PartyNameSerializer(allow_null=True, help_text="Sellers see it only if public_identity."))
    def get_buyer(self, data_request: DataRequest) -> dict[str, str] | None:
        if self._mine(data_request) or data_request.public_identity:
            return {"name": data_request.buyer.name}
        return None

    @extend_schema_field(serializers.BooleanField(help_text="Whether your organisation made the request."))
    def get_mine(self, data_request: DataRequest) -> bool:
        return self._mine(data_request)

    def _mine(self, data_request: DataRequest) -> bool:
        return data_request.buyer_id == self.context["viewer"]


class DataRequestDetailSerializer(DataRequestSerializer):
    """A request for data with its answers: every one to its buyer, a seller's own to a seller."""

    answers = serializers.SerializerMethodField()

    @extend_schema_field(DataRequestAnswerSerializer(many=True))
    def get_answers(self, data_request: DataRequest) -> list[dict[str, Any]]:
        """Every private offer answering it to its buyer; to a seller, its own."""
        return DataRequestAnswerSerializer(self.context["answers"], many=True).data  # type: ignore[return-value]


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


def _role(request: Request) -> str:
    role = query_choice(request, "role", [selectors.ROLE_BUYER, selectors.ROLE_SELLER])
    mine = query_choice(request, "mine", ["true", "false"])
    if mine == "true":
        if role == selectors.ROLE_SELLER:
            raise ValidationError({"mine": ["mine=true lists your own requests: it cannot go with role=seller."]})
        return selectors.ROLE_BUYER
    return role


def _detail(data_request: DataRequest, principal: Principal) -> dict[str, Any]:
    answers = selectors.data_request_answers(data_request=data_request, principal=principal)
    context = {"viewer": principal.organization_id, "answers": answers}
    return DataRequestDetailSerializer(data_request, context=context).data


class DataRequestListCreate(GenericAPIView):
    serializer_class = DataRequestSerializer

    @extend_schema(
        operation_id="data_requests_list",
        parameters=[
            OpenApiParameter(
                "role",
                str,
                enum=[selectors.ROLE_BUYER, selectors.ROLE_SELLER],
                description="buyer: your own requests, whatever their status; seller: other organisations' open "
                "ones (verified sellers). Default: both that apply to you.",
            ),
            OpenApiParameter("mine", str, enum=["true", "false"], description="true: as role=buyer."),
            OpenApiParameter("data_class", str, enum=DataClass.values),
            OpenApiParameter("category", str, enum=Category.values),
            OpenApiParameter("status", str, enum=selectors.DataRequestStatus.values),
        ],
        responses=DataRequestSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        role = _role(request)
        data_class = query_choice(request, "data_class", DataClass.values)
        category = query_choice(request, "category", Category.values)
        wanted_status = query_choice(request, "status", selectors.DataRequestStatus.values)
        principal = _principal(request)
        queryset = selectors.data_requests_visible(
            principal=principal, role=role, data_class=data_class, category=category, status=wanted_status
        )
        page = self.paginate_queryset(queryset)
        context = {"viewer": principal.organization_id}
        return self.get_paginated_response(DataRequestSerializer(page, many=True, context=context).data)

    @extend_schema(
        operation_id="data_requests_create",
        request=DataRequestCreateSerializer,
        responses={201: DataRequestDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(TRADE)
    def post(self, request: Request) -> Response:
        serializer = DataRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        principal = _principal(request)
        data_request = data_request_create(principal=principal, **serializer.validated_data)
        return Response(_detail(data_request, principal), status=status.HTTP_201_CREATED)


class DataRequestDetail(GenericAPIView):
    serializer_class = DataRequestDetailSerializer

    @extend_schema(operation_id="data_requests_retrieve", responses=DataRequestDetailSerializer)
    def get(self, request: Request, data_request_id: str) -> Response:
        principal = _principal(request)
        data_request = selectors.data_request_get(data_request_id=data_request_id, principal=principal)
        return Response(_detail(data_request, principal))


class DataRequestClose(GenericAPIView):
    """Its buyer closes a request; sellers no longer see or answer it (offers already made stay as they are)."""

    serializer_class = DataRequestDetailSerializer

    @extend_schema(
        operation_id="data_requests_close",
        request=None,
        responses=DataRequestDetailSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(TRADE)
    def post(self, request: Request, data_request_id: str) -> Response:
        principal = _principal(request)
        data_request = data_request_close(principal=principal, data_request_id=data_request_id)
        return Response(_detail(data_request, principal))
