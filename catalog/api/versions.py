"""The version resource (docs/api.md#datasets-and-versions): upload a new version of a dataset (validated in the
background) and read the versions its caller may see."""

from __future__ import annotations

import uuid
from typing import Any, get_args

from django.http import HttpRequest
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.models import DatasetVersion, FileFormat
from catalog.quality import DISTINCT_EXACT_UP_TO, Quality
from catalog.services import versions as version_services
from catalog.uploads import HashingUploadHandler
from catalog.validation.report import ColumnType
from config.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from config.api.pagination import CreatedCursorPagination
from config.api.parsers import JSONParser
from config.api.permissions import ReadAnyoneWriteSeller, scope
from config.api.principal import SELL, Principal, principal_of
from config.errors import InvalidInput, PayloadTooLarge
from config.market import market_settings
from config.text import displayable_filename


class CheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    passed = serializers.BooleanField()
    detail = serializers.SerializerMethodField()

    def get_detail(self, check: dict[str, Any]) -> str:
        return selectors.check_detail_shown(check.get("detail"), selectors.API)


class ColumnSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    nullable = serializers.BooleanField()


# --- quality figures (catalog.quality): the stored dictionary, typed here for the OpenAPI document ---------------


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string"}],
        "nullable": True,
        "description": "A number for a number column; ISO 8601 text for a date or date-time column; "
        "null for text and boolean columns and for a column with no value.",
    }
)
class ScalarField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return value


class ColumnQualitySerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=list(get_args(ColumnType)))  # as validation types a column
    null_count = serializers.IntegerField()
    null_rate = serializers.FloatField(help_text="null_count / rows, from 0 to 1 (0 for a file without rows).")
    distinct = serializers.IntegerField(help_text="Distinct values; an estimate when distinct_approximate.")
    distinct_approximate = serializers.BooleanField(
        help_text=f"True past {DISTINCT_EXACT_UP_TO:,} distinct values, where the count is estimated."
    )
    min = ScalarField()
    max = ScalarField()


class GapSerializer(serializers.Serializer):
    sensor = serializers.CharField(allow_null=True, help_text="The sensor's value as text; null: one series.")
    start = serializers.CharField(help_text="ISO 8601: the reading before the gap.")
    end = serializers.CharField(help_text="ISO 8601: the reading after it.")
    seconds = serializers.FloatField()


class TimingSerializer(serializers.Serializer):
    timestamp_column = serializers.CharField()
    sensor_column = serializers.CharField(allow_null=True, help_text="null: the file is one series.")
    sensors = serializers.IntegerField()
    interval_median_seconds = serializers.FloatField(
        allow_null=True, help_text="Median gap between one sensor's consecutive readings; null: no sensor has two."
    )
    interval_p99_seconds = serializers.FloatField(allow_null=True)
    largest_gap = GapSerializer(allow_null=True)
    newest_reading = serializers.CharField(help_text="ISO 8601.")
    freshness_seconds = serializers.FloatField(
        help_text="From the newest reading to publication; negative when readings are in the future."
    )


class QualitySerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    columns = ColumnQualitySerializer(many=True)
    timing = TimingSerializer(allow_null=True, help_text="IoT data with a timestamp column only.")


class RenditionSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=FileFormat.values, source="file_format")
    size_bytes = serializers.IntegerField()
    sha256 = serializers.CharField()


class VersionSerializer(serializers.ModelSerializer):
    checks = CheckSerializer(many=True)
    format = serializers.CharField(source="file_format")
    schema = serializers.SerializerMethodField()
    schema_columns_omitted = serializers.SerializerMethodField(
        help_text="Columns beyond the first 1,000, not listed in schema (only versions stored before the limit)."
    )
    quality = serializers.SerializerMethodField(
        help_text="What a buyer can judge the data by, measured once the version is published; null until then "
        "(and for a rejected version)."
    )
    renditions = serializers.SerializerMethodField(
        help_text="The same data in other formats, converted once the version is published (empty until then): "
        "download one with ?format= on the download URL."
    )

    class Meta:
        model = DatasetVersion
        fields = [
            "number",
            "status",
            "format",
            "original_filename",
            "sha256",
            "size_bytes",
            "row_count",
            "schema",
            "schema_columns_omitted",
            "time_range",
            "checks",
            "quality",
            "renditions",
            "created_at",
            "validated_at",
        ]

    @extend_schema_field(ColumnSerializer(many=True))
    def get_schema(self, version: DatasetVersion) -> list[dict[str, Any]]:
        return selectors.schema_shown(version.schema, selectors.API)[0]

    def get_schema_columns_omitted(self, version: DatasetVersion) -> int:
        return selectors.schema_shown(version.schema, selectors.API)[1]

    @extend_schema_field(QualitySerializer(allow_null=True))
    def get_quality(self, version: DatasetVersion) -> Quality | None:
        return selectors.quality_of(version)

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, version: DatasetVersion) -> list[dict[str, Any]]:
        return RenditionSerializer(selectors.renditions_of(version), many=True).data  # type: ignore[return-value]


class VersionAcceptedSerializer(serializers.ModelSerializer):
    class Meta:
        model = DatasetVersion
        fields = ["number", "status", "sha256", "size_bytes", "created_at"]


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8 or Shift_JIS/CP932), JSON Lines (UTF-8) or Parquet.", validators=[displayable_filename]
    )
    format = serializers.ChoiceField(
        choices=["csv", "jsonl", "parquet"], required=False, help_text="Default: from the file name."
    )


def _viewer(request: Request) -> uuid.UUID | None:
    principal = principal_of(request)
    return principal.organization_id if principal is not None else None


def _seller(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # guaranteed by ReadAnyoneWriteSeller on writes
    return principal


class VersionListCreate(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = VersionSerializer
    pagination_class = CreatedCursorPagination
    parser_classes = [MultiPartParser, JSONParser]

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Installed before authentication: a session's CSRF check reads request.POST, which parses
        # (streams) the upload, and it must go through the hashing, size-limited handler.
        if request.method == "POST":
            request.upload_handlers = [HashingUploadHandler(request, max_bytes=market_settings().max_upload_bytes)]
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Refuse what can be refused from the headers before reading the body, then check ownership."""
        if request.method == "POST":
            limit = market_settings().max_upload_bytes
            try:
                declared = int(request.headers.get("Content-Length") or 0)
            except ValueError as exc:
                raise InvalidInput("Content-Length is not a number.") from exc
            if declared > limit + 64 * 1024:  # room for the multipart envelope
                raise PayloadTooLarge(
                    f"The upload is larger than the limit of {limit:,} bytes.", errors={"file": ["too large"]}
                )
            if not request.content_type.startswith("multipart/form-data"):
                raise InvalidInput(
                    "Upload the file as multipart/form-data with a field named file.",
                    errors={"file": ["required"]},
                )
        super().initial(request, *args, **kwargs)
        if request.method == "POST":
            principal = _seller(request)
            self.dataset = selectors.dataset_get_owned(
                dataset_id=kwargs["dataset_id"], seller_id=principal.organization_id
            )

    @extend_schema(operation_id="datasets_versions_list", responses=VersionSerializer(many=True))
    def get(self, request: Request, dataset_id: str) -> Response:
        viewer = _viewer(request)
        dataset = selectors.dataset_get(dataset_id=dataset_id, viewer_org_id=viewer)
        # Newest first, a page at a time like every list: a dataset's versions keep growing.
        page = self.paginate_queryset(
            selectors.versions_visible(dataset=dataset, viewer_org_id=viewer).prefetch_related("renditions")
        )
        return self.get_paginated_response(VersionSerializer(page, many=True).data)

    @extend_schema(
        operation_id="datasets_versions_upload",
        request={"multipart/form-data": VersionUploadSerializer},
        responses={202: VersionAcceptedSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(SELL)
    def post(self, request: Request, dataset_id: str) -> Response:
        serializer = VersionUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        principal = _seller(request)
        upload = data["file"]
        version = version_services.version_upload(
            dataset_id=self.dataset.id,
            seller_id=principal.organization_id,
            actor_user_id=principal.user_id,
            upload=upload,
            original_filename=upload.name,
            file_format=data.get("format"),
        )
        body = VersionAcceptedSerializer(version).data
        body["status"] = DatasetVersion.Status.VALIDATING  # as accepted; validation may already have run eagerly
        location = f"/api/v1/datasets/{self.dataset.id}/versions/{version.number}"
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class VersionDetail(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = VersionSerializer

    @extend_schema(
        operation_id="datasets_versions_retrieve",
        # A version's number, as the upload answered it: an integer (anything else is no version, a 404).
        parameters=[
            OpenApiParameter("number", int, OpenApiParameter.PATH, description="The version's number: 1, 2...")
        ],
        responses=VersionSerializer,
    )
    def get(self, request: Request, dataset_id: str, number: str) -> Response:
        viewer = _viewer(request)
        dataset = selectors.dataset_get(dataset_id=dataset_id, viewer_org_id=viewer)
        return Response(
            VersionSerializer(selectors.version_get(dataset=dataset, number=number, viewer_org_id=viewer)).data
        )
