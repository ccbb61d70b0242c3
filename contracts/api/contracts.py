"""Contract endpoints (docs/api.md#the-life-of-a-contract): templates for anyone; contracts for their parties only."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer, StaticHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.pagination import query_int, whole_list, whole_list_schema
from config.api.principal import Principal, principal_of
from config.api.renderers import JSONLDRenderer
from config.errors import NotFound
from contracts import selectors
from contracts.api.serializers import ContractSerializer, TemplateSerializer
from contracts.documents import document_response
from contracts.meti.platform_rules import PLATFORM_RULES, PLATFORM_RULES_VERSION
from contracts.odrl_export import contract_odrl
from contracts.registry import TEMPLATES, templates_current


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


class TemplateList(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = TemplateSerializer
    pagination_class = None

    @extend_schema(
        operation_id="contract_templates_list", responses=whole_list_schema(TemplateSerializer, "ContractTemplateList")
    )
    def get(self, request: Request) -> Response:
        return whole_list(TemplateSerializer(templates_current(), many=True).data)


class TemplateDetail(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = TemplateSerializer

    @extend_schema(
        operation_id="contract_templates_retrieve",
        parameters=[
            OpenApiParameter(
                "version",
                {"type": "integer", "minimum": 1},
                description="A past version; default: the current one.",
            )
        ],
        responses=TemplateSerializer,
    )
    def get(self, request: Request, code: str) -> Response:
        version = query_int(request, "version", minimum=1)
        # The path names the template: an unknown code or version is a 404 (template_get's 400 is for a body).
        current = next((t for t in templates_current() if t.code == code), None)
        if current is None:
            known = ", ".join(t.code for t in templates_current())
            raise NotFound(f"No contract template {code!r}; known: {known}.")
        template = current if version is None else TEMPLATES.get((code, version))
        if template is None:
            raise NotFound(
                f"Contract template {code!r} has no version {version}; the current one is {current.version}."
            )
        return Response(TemplateSerializer(template).data)


class PlatformRules(GenericAPIView):
    """The market's own rules (the data-sharing / platform layer), published for every participant."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="platform_rules", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(
            {
                "version": PLATFORM_RULES_VERSION,
                "platform_fee_rate": settings.ICHIBA["PLATFORM_FEE_RATE"],
                "sections": [{"code": s.code, "title": dict(s.title), "text": dict(s.text)} for s in PLATFORM_RULES],
            }
        )


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
