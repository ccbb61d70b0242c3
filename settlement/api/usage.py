"""Usage history (docs/domain.md#traceable): a seller sees who downloaded which version of its data, and when;
a buyer sees its own downloads. Both as a paginated list and as per-buyer, per-version totals.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.pagination import CreatedCursorPagination, OffsetPagination, query_uuid
from config.api.principal import Principal, principal_of
from settlement import selectors
from settlement.models import Download


class DownloadSerializer(serializers.ModelSerializer):
    dataset = serializers.SerializerMethodField()
    dataset_version = serializers.SerializerMethodField()
    buyer = serializers.SerializerMethodField()
    format = serializers.SerializerMethodField(
        help_text="The format the data was downloaded in: the version's own, or one of its renditions (?format=)."
    )
    # Declared optional: to_representation leaves them out for anyone but the buyer (the OpenAPI document says so).
    client_address = serializers.IPAddressField(required=False, allow_null=True, help_text="Shown to the buyer only.")
    user_agent = serializers.CharField(required=False, allow_blank=True, help_text="Shown to the buyer only.")

    class Meta:
        model = Download
        fields = [
            "id",
            "entitlement",
            "dataset",
            "dataset_version",
            "format",
            "buyer",
            "range_start",
            "range_end",
            "bytes_sent",
            "completed",
            "started_at",
            "finished_at",
            "client_address",
            "user_agent",
        ]

    def get_dataset(self, download: Download) -> dict[str, str]:
        dataset = download.dataset_version.dataset
        return {"id": str(dataset.id), "title": dataset.title}

    def get_dataset_version(self, download: Download) -> dict[str, Any]:
        return {"id": str(download.dataset_version_id), "number": download.dataset_version.number}

    def get_format(self, download: Download) -> str:
        rendition = download.rendition
        return rendition.file_format if rendition is not None else download.dataset_version.file_format

    def get_buyer(self, download: Download) -> dict[str, str]:
        return {"id": str(download.buyer_id), "name": download.buyer.name}

    def to_representation(self, download: Download) -> dict[str, Any]:
        data = dict(super().to_representation(download))
        if download.buyer_id != self.context.get("viewer"):
            # The buyer's network details are its own; the seller sees who, what and when.
            data.pop("client_address")
            data.pop("user_agent")
        return data


class UsageSummarySerializer(serializers.Serializer):
    buyer = serializers.DictField(child=serializers.CharField())
    dataset = serializers.DictField(child=serializers.CharField())
    dataset_version = serializers.DictField()
    downloads = serializers.IntegerField()
    completed = serializers.IntegerField()
    bytes = serializers.IntegerField()
    last_at = serializers.DateTimeField()

    def to_representation(self, row: Any) -> dict[str, Any]:
        return super().to_representation(
            {
                "buyer": {"id": str(row["buyer_id"]), "name": row["buyer__name"]},
                "dataset": {
                    "id": str(row["dataset_version__dataset_id"]),
                    "title": row["dataset_version__dataset__title"],
                },
                "dataset_version": {"id": str(row["dataset_version_id"]), "number": row["dataset_version__number"]},
                "downloads": row["downloads"],
                "completed": row["completed"],
                "bytes": row["bytes"] or 0,
                "last_at": row["last_at"],
            }
        )


class DownloadPagination(CreatedCursorPagination):
    ordering = ("-started_at", "-id")


class SummaryPagination(OffsetPagination):
    """Aggregates have no stable row id to put in a cursor; offsets over a sorted aggregate do."""


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


def _version_param(request: Request) -> tuple[int | None, uuid.UUID | None]:
    """``version`` is a version number (as in ``/datasets/{id}/versions/{number}``) or a version id."""
    value = request.query_params.get("version")
    if not value:
        return None, None
    if value.isascii() and value.isdigit() and len(value) < 10:
        return int(value), None
    try:
        return None, uuid.UUID(value)
    except ValueError as exc:
        raise ValidationError({"version": ["Must be a version number or a version id."]}) from exc


class UsageList(GenericAPIView):
    serializer_class = DownloadSerializer
    pagination_class = DownloadPagination

    @extend_schema(
        operation_id="usage_list",
        parameters=[
            OpenApiParameter("dataset", OpenApiTypes.UUID),
            OpenApiParameter("version", OpenApiTypes.STR, description="A version number or a version id."),
            OpenApiParameter("buyer", OpenApiTypes.UUID),
        ],
        responses=DownloadSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        principal = _principal(request)
        number, version_id = _version_param(request)
        downloads = selectors.downloads_visible(
            organization_id=principal.organization_id,
            dataset_id=query_uuid(request, "dataset"),
            version_number=number,
            version_id=version_id,
            buyer_id=query_uuid(request, "buyer"),
        )
        page = self.paginate_queryset(downloads)
        context = {"viewer": principal.organization_id}
        return self.get_paginated_response(DownloadSerializer(page, many=True, context=context).data)


class UsageSummary(GenericAPIView):
    serializer_class = UsageSummarySerializer
    pagination_class = SummaryPagination

    @extend_schema(
        operation_id="usage_summary",
        parameters=[OpenApiParameter("dataset", OpenApiTypes.UUID)],
        responses=UsageSummarySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.usage_summary(
            organization_id=_principal(request).organization_id, dataset_id=query_uuid(request, "dataset")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(UsageSummarySerializer(page, many=True).data)
