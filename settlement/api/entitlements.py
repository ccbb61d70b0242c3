"""Entitlement endpoints (docs/api.md#downloads): a buyer lists its entitlements (with the versions each covers) and
mints short-lived download tokens, for the newest covered version or one it names."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import FileFormat
from config.api.pagination import query_choice
from config.api.permissions import scope
from config.api.principal import TRADE, Principal, principal_of
from config.api.serializers import Serializer, StrictSerializer
from settlement import selectors
from settlement.models import Entitlement
from settlement.services.delivery import KIND_JWT, IssuedToken, format_url, token_issue


class CoveredVersionSerializer(Serializer):
    number = serializers.IntegerField(read_only=True)
    id = serializers.UUIDField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    size = serializers.IntegerField(source="size_bytes", read_only=True, help_text="Bytes.")
    published_at = serializers.DateTimeField(source="validated_at", read_only=True)


class EntitlementSerializer(serializers.ModelSerializer):
    dataset_title = serializers.CharField(source="dataset.title", read_only=True)
    version_number = serializers.IntegerField(source="dataset_version.number", read_only=True)
    delivery_url = serializers.CharField(
        read_only=True, help_text="The seller's own endpoint for provider delivery; empty for hosted delivery."
    )
    subscription = serializers.UUIDField(
        source="subscription_id", read_only=True, allow_null=True, help_text="The subscription it belongs to, if any."
    )
    dataset_versions = serializers.SerializerMethodField(
        help_text=(
            "The versions it covers, oldest first: a licence its one version; a subscription the latest at its start "
            "and each one published since while it was in force. `dataset_version` is the newest."
        )
    )

    class Meta:
        model = Entitlement
        fields = [
            "id",
            "contract",
            "dataset",
            "dataset_version",
            "valid_from",
            "valid_until",
            "status",
            "delivery",
            "delivery_url",
            "dataset_title",
            "version_number",
            "first_download_at",
            "created_at",
            "ended_at",
            "subscription",
            "dataset_versions",
        ]

    @extend_schema_field(CoveredVersionSerializer(many=True))
    def get_dataset_versions(self, entitlement: Entitlement) -> Any:
        return CoveredVersionSerializer(selectors.entitlement_versions(entitlement), many=True).data


class TokenRequestSerializer(StrictSerializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="The number of the version to fetch, one the entitlement covers; default: the newest it covers.",
    )


class TokenFileSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=FileFormat.values)
    size_bytes = serializers.IntegerField()
    sha256 = serializers.CharField()
    download_url = serializers.URLField()


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once; only its SHA-256 is stored.")
    expires_at = serializers.DateTimeField()
    download_url = serializers.URLField(
        help_text=(
            "hosted: GET this URL (the token is part of it). provider (kind=jwt): the seller's endpoint; "
            "send the token as `Authorization: Bearer <token>`."
        )
    )
    kind = serializers.ChoiceField(choices=["opaque", "jwt"])
    version = serializers.IntegerField(help_text="The number of the version the token fetches.")
    formats = TokenFileSerializer(
        many=True,
        help_text=(
            "The files the token fetches, the version's own format first: hosted, every format the version has "
            "(the others with ?format=, converted when it was published); provider, the original only."
        ),
    )


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


def _render_token(request: Request, issued: IssuedToken) -> dict[str, Any]:
    if issued.kind == KIND_JWT:
        download_url = issued.delivery_url
    else:
        download_url = request.build_absolute_uri(reverse("download", kwargs={"token": issued.token}))
    return {
        "token": issued.token,
        "expires_at": issued.expires_at,
        "download_url": download_url,
        "kind": issued.kind,
        "version": issued.version,
        "formats": [
            {
                "format": file.file_format,
                "size_bytes": file.size_bytes,
                "sha256": file.sha256,
                "download_url": download_url if file.rendition is None else format_url(download_url, file.file_format),
            }
            for file in issued.files
        ],
    }


class EntitlementList(GenericAPIView):
    """The caller's entitlements as a buyer, newest first."""

    serializer_class = EntitlementSerializer

    @extend_schema(
        operation_id="entitlements_list",
        parameters=[OpenApiParameter("status", str, enum=Entitlement.Status.values)],
        responses=EntitlementSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        wanted = query_choice(request, "status", Entitlement.Status.values)
        entitlements = selectors.entitlements_of_buyer(
            organization_id=_principal(request).organization_id, status=wanted
        )
        page = self.paginate_queryset(entitlements)
        return self.get_paginated_response(EntitlementSerializer(page, many=True).data)


class EntitlementDetail(GenericAPIView):
    serializer_class = EntitlementSerializer

    @extend_schema(operation_id="entitlements_retrieve", responses=EntitlementSerializer)
    def get(self, request: Request, entitlement_id: str) -> Response:
        entitlement = selectors.entitlement_get_for_buyer(
            entitlement_id=entitlement_id, organization_id=_principal(request).organization_id
        )
        return Response(EntitlementSerializer(entitlement).data)


class EntitlementTokenCreate(GenericAPIView):
    """Mint a download token: lifetime ``ICHIBA_DOWNLOAD_TOKEN_SECONDS`` (15 min), never past the term.

    Deliberately not keyed by ``Idempotency-Key``: replaying a response would mean storing the token in the
    clear in the idempotency log, and minting twice is harmless (each call returns a new token)."""

    serializer_class = IssuedTokenSerializer

    @extend_schema(
        operation_id="entitlements_mint_token",
        request=TokenRequestSerializer,
        responses={201: IssuedTokenSerializer},
    )
    @scope(TRADE)
    def post(self, request: Request, entitlement_id: str) -> Response:
        body = TokenRequestSerializer(data=request.data if request.data else {})
        body.is_valid(raise_exception=True)
        issued = token_issue(
            principal=_principal(request), entitlement_id=entitlement_id, version=body.validated_data["version"]
        )
        return Response(IssuedTokenSerializer(_render_token(request, issued)).data, status=status.HTTP_201_CREATED)
