"""Concluded contracts (docs/api.md#the-life-of-a-contract), for their parties only: each as data, as its
document (HTML) and as an ODRL 2.2 Agreement (JSON-LD)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer, StaticHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.principal import Principal, principal_of
from config.api.renderers import JSONLDRenderer
from contracts import selectors
from contracts.documents import document_response
from contracts.models import Acceptance, Contract, ContractEvent
from contracts.odrl_export import contract_odrl


class AcceptanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Acceptance
        fields = ["role", "organization_id", "terms_sha256", "appi_notice_accepted", "accepted_at"]


class ContractEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractEvent
        fields = ["from_status", "to_status", "reason", "created_at"]


class NegotiationRevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    author = serializers.ChoiceField(choices=["seller", "buyer"], help_text="The party that wrote this revision.")
    terms_sha256 = serializers.CharField()
    price = serializers.IntegerField()
    quantity = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class ContractSerializer(serializers.ModelSerializer):
    template = serializers.SerializerMethodField()
    seller = serializers.SerializerMethodField()
    buyer = serializers.SerializerMethodField()
    dataset_version = serializers.SerializerMethodField()
    offering = serializers.UUIDField(source="offering_id")
    acceptances = AcceptanceSerializer(many=True)
    events = ContractEventSerializer(many=True)
    channel = serializers.ChoiceField(
        choices=["book", "private", "auction"],
        read_only=True,
        help_text="How it came about: the order book, a private offer accepted, or an auction won.",
    )
    negotiation = NegotiationRevisionSerializer(
        many=True, read_only=True, help_text="A private offer's revisions, oldest first; the last is the agreed one."
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "template",
            "contract_type",
            "seller",
            "buyer",
            "dataset",
            "dataset_version",
            "offering",
            "terms",
            "terms_sha256",
            "document_sha256",
            "document_en_sha256",
            "price",
            "quantity",
            "amount",
            "currency",
            "status",
            "valid_from",
            "valid_until",
            "concluded_at",
            "channel",
            "negotiation",
            "acceptances",
            "events",
        ]

    def get_template(self, contract: Contract) -> str:
        return f"{contract.template_code}@{contract.template_version}"

    def get_seller(self, contract: Contract) -> dict[str, str]:
        return {"id": str(contract.seller_id), "name": contract.seller_name}

    def get_buyer(self, contract: Contract) -> dict[str, str]:
        return {"id": str(contract.buyer_id), "name": contract.buyer_name}

    def get_dataset_version(self, contract: Contract) -> int:
        return contract.dataset_version.number


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


class ContractList(GenericAPIView):
    serializer_class = ContractSerializer

    @extend_schema(operation_id="contracts_list", responses=ContractSerializer(many=True))
    def get(self, request: Request) -> Response:
        queryset = (
            selectors.contracts_for(organization_id=_principal(request).organization_id)
            .select_related("dataset_version")
            .prefetch_related("acceptances", "events")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ContractSerializer(page, many=True).data)


class ContractDetail(GenericAPIView):
    serializer_class = ContractSerializer

    @extend_schema(operation_id="contracts_retrieve", responses=ContractSerializer)
    def get(self, request: Request, contract_id: str) -> Response:
        contract = selectors.contract_get(contract_id=contract_id, organization_id=_principal(request).organization_id)
        return Response(ContractSerializer(contract).data)


class ContractDocument(GenericAPIView):
    renderer_classes = [StaticHTMLRenderer]

    @extend_schema(
        operation_id="contracts_document",
        parameters=[OpenApiParameter("lang", str, enum=["ja", "en"], description="Default ja (the governing text).")],
        responses=OpenApiResponse(OpenApiTypes.STR, description="The contract as HTML"),
    )
    def get(self, request: Request, contract_id: str) -> HttpResponse:
        lang = request.query_params.get("lang", "ja")
        if lang not in ("ja", "en"):
            raise ValidationError({"lang": ["Must be ja or en."]})
        contract = selectors.contract_get(contract_id=contract_id, organization_id=_principal(request).organization_id)
        return document_response(contract, "ja" if lang == "ja" else "en")


class ContractOdrl(GenericAPIView):
    # JSON-LD first; the same document as plain JSON for a client that asks for that.
    renderer_classes = [JSONLDRenderer, JSONRenderer]

    @extend_schema(
        operation_id="contracts_odrl",
        responses=OpenApiResponse(OpenApiTypes.OBJECT, description="ODRL 2.2 Agreement"),
    )
    def get(self, request: Request, contract_id: str) -> Response:
        contract = selectors.contract_get(contract_id=contract_id, organization_id=_principal(request).organization_id)
        return Response(contract_odrl(contract))
