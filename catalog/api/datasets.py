"""Catalog endpoints (docs/api.md#datasets-and-versions): thin views, validate → service → render."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.api import serializers as s
from catalog.models import Category, DataClass, DatasetVersion
from catalog.services import datasets as dataset_services
from catalog.services import versions as version_services
from catalog.uploads import HashingUploadHandler
from config.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from config.api.pagination import CreatedCursorPagination
from config.api.parsers import JSONParser
from config.api.permissions import ReadAnyoneWriteSeller
from config.api.principal import Principal, principal_of
from config.errors import InvalidInput, PayloadTooLarge


def _viewer(request: Request) -> uuid.UUID | None:
    principal = principal_of(request)
    return principal.organization_id if principal is not None else None


def _seller(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # guaranteed by ReadAnyoneWriteSeller on writes
    return principal


def _choice(request: Request, name: str, choices: list[str]) -> str:
    value = request.query_params.get(name, "")
    if value and value not in choices:
        raise ValidationError({name: [f"Must be one of: {', '.join(choices)}."]})
    return value


class SearchPagination(CreatedCursorPagination):
    page_size = 20


class DatasetListCreate(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = s.DatasetSerializer
    pagination_class = SearchPagination

    @extend_schema(
        operation_id="datasets_search",
        parameters=[
            OpenApiParameter("q", str, description="Free text over title, description and tags (ja/en)."),
            OpenApiParameter("data_class", str, enum=DataClass.values),
            OpenApiParameter("category", str, enum=Category.values),
            OpenApiParameter("tag", str),
            OpenApiParameter("seller", OpenApiTypes.UUID, description="A seller organisation id."),
        ],
        responses=s.DatasetSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        seller = request.query_params.get("seller") or None
        try:
            seller_id = uuid.UUID(seller) if seller else None
        except ValueError as exc:
            raise ValidationError({"seller": ["Must be an organisation id."]}) from exc
        q = request.query_params.get("q", "")
        if len(q) > 200:
            raise ValidationError({"q": ["At most 200 characters."]})
        filters = selectors.SearchFilters(
            q=q,
            data_class=_choice(request, "data_class", DataClass.values),
            category=_choice(request, "category", Category.values),
            tag=request.query_params.get("tag", "")[:50],
            seller=seller_id,
        )
        queryset = selectors.dataset_search(viewer_org_id=_viewer(request), filters=filters).prefetch_related(
            Prefetch(
                "versions",
                queryset=DatasetVersion.objects.filter(status=DatasetVersion.Status.PUBLISHED).only(
                    "number", "dataset_id"
                ),
                to_attr="published_versions",
            )
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.DatasetSerializer(page, many=True).data)

    @extend_schema(
        operation_id="datasets_create",
        request=s.DatasetCreateSerializer,
        responses={201: s.DatasetDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = _validated(s.DatasetCreateSerializer, request.data)
        principal = _seller(request)
        dataset = dataset_services.dataset_create(
            seller_id=principal.organization_id, actor_user_id=principal.user_id, **data
        )
        return Response(_detail(dataset, principal.organization_id), status=status.HTTP_201_CREATED)


def _validated(serializer_class: type[Any], data: Any, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _detail(dataset: Any, viewer: uuid.UUID | None) -> dict[str, Any]:
    versions = list(selectors.versions_visible(dataset=dataset, viewer_org_id=viewer))
    return s.DatasetDetailSerializer(dataset, context={"versions": versions}).data


class DatasetDetail(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = s.DatasetDetailSerializer

    @extend_schema(operation_id="datasets_retrieve", responses=s.DatasetDetailSerializer)
    def get(self, request: Request, dataset_id: str) -> Response:
        viewer = _viewer(request)
        return Response(_detail(selectors.dataset_get(dataset_id=dataset_id, viewer_org_id=viewer), viewer))

    @extend_schema(
        operation_id="datasets_update", request=s.DatasetUpdateSerializer, responses=s.DatasetDetailSerializer
    )
    def patch(self, request: Request, dataset_id: str) -> Response:
        principal = _seller(request)
        dataset = selectors.dataset_get_owned(dataset_id=dataset_id, seller_id=principal.organization_id)
        changes = _validated(s.DatasetUpdateSerializer, request.data, partial=True)
        dataset = dataset_services.dataset_update(
            dataset_id=dataset.id,
            seller_id=principal.organization_id,
            actor_user_id=principal.user_id,
            changes=changes,
        )
        return Response(_detail(dataset, principal.organization_id))


class DatasetWithdraw(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = s.WithdrawSerializer

    @extend_schema(operation_id="datasets_withdraw", request=s.WithdrawSerializer, responses=s.DatasetDetailSerializer)
    def post(self, request: Request, dataset_id: str) -> Response:
        principal = _seller(request)
        dataset = selectors.dataset_get_owned(dataset_id=dataset_id, seller_id=principal.organization_id)
        data = _validated(s.WithdrawSerializer, request.data)
        dataset = dataset_services.dataset_withdraw(
            dataset_id=dataset.id,
            seller_id=principal.organization_id,
            actor_user_id=principal.user_id,
            reason=data["reason"],
        )
        return Response(_detail(dataset, principal.organization_id))


class DatasetRelist(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = s.DatasetDetailSerializer

    @extend_schema(operation_id="datasets_relist", request=None, responses=s.DatasetDetailSerializer)
    def post(self, request: Request, dataset_id: str) -> Response:
        principal = _seller(request)
        dataset = selectors.dataset_get_owned(dataset_id=dataset_id, seller_id=principal.organization_id)
        dataset = dataset_services.dataset_relist(
            dataset_id=dataset.id, seller_id=principal.organization_id, actor_user_id=principal.user_id
        )
        return Response(_detail(dataset, principal.organization_id))


class VersionListCreate(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = s.VersionSerializer
    pagination_class = CreatedCursorPagination
    parser_classes = [MultiPartParser, JSONParser]

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Installed before authentication: a session's CSRF check reads request.POST, which parses
        # (streams) the upload, and it must go through the hashing, size-limited handler.
        if request.method == "POST":
            request.upload_handlers = [HashingUploadHandler(request, max_bytes=settings.ICHIBA["MAX_UPLOAD_BYTES"])]
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Refuse what can be refused from the headers before reading the body, then check ownership."""
        if request.method == "POST":
            limit = settings.ICHIBA["MAX_UPLOAD_BYTES"]
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

    @extend_schema(operation_id="datasets_versions_list", responses=s.VersionSerializer(many=True))
    def get(self, request: Request, dataset_id: str) -> Response:
        viewer = _viewer(request)
        dataset = selectors.dataset_get(dataset_id=dataset_id, viewer_org_id=viewer)
        # Newest first, a page at a time like every list: a dataset's versions keep growing.
        page = self.paginate_queryset(selectors.versions_visible(dataset=dataset, viewer_org_id=viewer))
        return self.get_paginated_response(s.VersionSerializer(page, many=True).data)

    @extend_schema(
        operation_id="datasets_versions_upload",
        request={"multipart/form-data": s.VersionUploadSerializer},
        responses={202: s.VersionAcceptedSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, dataset_id: str) -> Response:
        data = _validated(s.VersionUploadSerializer, request.data)
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
        body = s.VersionAcceptedSerializer(version).data
        body["status"] = DatasetVersion.Status.VALIDATING  # as accepted; validation may already have run eagerly
        location = f"/api/v1/datasets/{self.dataset.id}/versions/{version.number}"
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class VersionDetail(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = s.VersionSerializer

    @extend_schema(operation_id="datasets_versions_retrieve", responses=s.VersionSerializer)
    def get(self, request: Request, dataset_id: str, number: str) -> Response:
        viewer = _viewer(request)
        dataset = selectors.dataset_get(dataset_id=dataset_id, viewer_org_id=viewer)
        return Response(
            s.VersionSerializer(selectors.version_get(dataset=dataset, number=number, viewer_org_id=viewer)).data
        )


class DatasetSample(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = s.SampleSerializer

    @extend_schema(operation_id="datasets_sample", responses=s.SampleSerializer)
    def get(self, request: Request, dataset_id: str) -> Response:
        dataset = selectors.dataset_get(dataset_id=dataset_id, viewer_org_id=_viewer(request))
        return Response(selectors.dataset_sample(dataset=dataset))
