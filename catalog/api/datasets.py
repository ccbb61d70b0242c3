"""The dataset resource (docs/api.md#datasets-and-versions): search, create, read, change, withdraw and relist
a dataset, and its public sample. Thin views: validate with a serializer, call one service, render with another."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from catalog import ranking, selectors
from catalog.api.versions import VersionSerializer
from catalog.hooks import offerings_for_dataset
from catalog.models import Category, DataClass, Dataset, DatasetVersion, TakedownCategory, UpdateFrequency
from catalog.services import datasets as dataset_services
from catalog.services.datasets import check_data_class
from config.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from config.api.pagination import MAX_PAGE_SIZE, query_choice, query_int
from config.api.permissions import ReadAnyoneWriteSeller, scope
from config.api.principal import SELL, Principal, principal_of
from config.api.serializers import StrictSerializer
from config.text import displayable_line, displayable_text


class DataClassField(serializers.ChoiceField):
    """``personal`` is not a typo to be told "invalid choice" (400): it is refused by a market rule (422)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=DataClass.choices, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if data == "personal":
            check_data_class(data)
        return str(super().to_internal_value(data))


class AnonymizationSerializer(serializers.Serializer):
    quasi_identifiers = serializers.ListField(
        child=serializers.CharField(max_length=200, validators=[displayable_line]), min_length=1, max_length=100
    )
    personal_info_items = serializers.ListField(
        child=serializers.CharField(max_length=200, validators=[displayable_line]), min_length=1, max_length=100
    )
    method = serializers.CharField(max_length=2000, validators=[displayable_text])


class DatasetCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, validators=[displayable_line])
    description = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, default="", validators=[displayable_text]
    )
    data_class = DataClassField()
    category = serializers.ChoiceField(choices=Category.choices, required=False, default=Category.OTHER)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50, validators=[displayable_line]),
        max_length=20,
        required=False,
        default=list,
    )
    region = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", validators=[displayable_line]
    )
    update_frequency = serializers.ChoiceField(
        choices=UpdateFrequency.choices, required=False, default=UpdateFrequency.ONCE
    )
    anonymization = AnonymizationSerializer(required=False, allow_null=True)


class DatasetUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False, validators=[displayable_line])
    description = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, validators=[displayable_text]
    )
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50, validators=[displayable_line]), max_length=20, required=False
    )
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, validators=[displayable_line])
    update_frequency = serializers.ChoiceField(choices=UpdateFrequency.choices, required=False)
    anonymization = AnonymizationSerializer(required=False)


class WithdrawSerializer(StrictSerializer):
    reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", validators=[displayable_line]
    )


class SellerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class TakedownSerializer(serializers.Serializer):
    """Why the market's operator took a dataset or an offering down (docs/domain.md#take-downs)."""

    category = serializers.ChoiceField(
        choices=TakedownCategory.choices,
        help_text="unlawful (buyers' access revoked, payments refunded), rights, policy or seller_request.",
    )
    reason = serializers.CharField()
    taken_down_at = serializers.DateTimeField()


def takedown_data(row: Any) -> dict[str, Any] | None:
    """A dataset's or an offering's take-down, or None while it is not taken down."""
    if row.taken_down_at is None:
        return None
    return {"category": row.takedown_category, "reason": row.takedown_reason, "taken_down_at": row.taken_down_at}


class DatasetSerializer(serializers.ModelSerializer):
    seller = SellerSerializer()
    tags = serializers.SerializerMethodField()
    latest_version = serializers.SerializerMethodField()
    taken_down = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = [
            "id",
            "seller",
            "title",
            "description",
            "data_class",
            "category",
            "tags",
            "region",
            "update_frequency",
            "anonymization",
            "status",
            "latest_version",
            "created_at",
            "updated_at",
            "published_at",
            "taken_down",
        ]

    @extend_schema_field(TakedownSerializer(allow_null=True))
    def get_taken_down(self, dataset: Dataset) -> dict[str, Any] | None:
        return takedown_data(dataset)

    def get_tags(self, dataset: Dataset) -> list[str]:
        return [tag.name for tag in dataset.tags.all()]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_latest_version(self, dataset: Dataset) -> int | None:
        numbers = [v.number for v in getattr(dataset, "published_versions", [])]
        return max(numbers) if numbers else None


class DatasetDetailSerializer(DatasetSerializer):
    versions = serializers.SerializerMethodField()
    offerings = serializers.SerializerMethodField()

    class Meta(DatasetSerializer.Meta):
        fields = [*DatasetSerializer.Meta.fields, "versions", "offerings"]

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, dataset: Dataset) -> list[dict[str, Any]]:
        return VersionSerializer(self.context["versions"], many=True).data  # type: ignore[return-value]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_offerings(self, dataset: Dataset) -> list[dict[str, Any]]:
        return offerings_for_dataset(dataset.id)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_latest_version(self, dataset: Dataset) -> int | None:
        published = [v.number for v in self.context["versions"] if v.status == DatasetVersion.Status.PUBLISHED]
        return max(published) if published else None


class SampleSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True)
    columns = serializers.ListField(child=serializers.CharField())
    columns_omitted = serializers.IntegerField(help_text="Columns of the sample beyond the first 100, not shown.")
    rows = serializers.ListField(child=serializers.ListField())


SEARCH_PAGE_SIZE = 20


def _viewer(request: Request) -> uuid.UUID | None:
    principal = principal_of(request)
    return principal.organization_id if principal is not None else None


def _seller(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # guaranteed by ReadAnyoneWriteSeller on writes
    return principal


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Datasets matching the query (the planner's estimate if approximate).")
    approximate = serializers.BooleanField(
        help_text="True when the query matches more datasets than are counted: the counts are those of its newest "
        "`counted` matches, scaled to `total`."
    )
    counted = serializers.IntegerField(help_text="How many matches were counted.")
    data_class = FacetValueSerializer(many=True)
    category = FacetValueSerializer(many=True)
    region = FacetValueSerializer(many=True)
    tag = FacetValueSerializer(many=True)


class SearchPageSerializer(serializers.Serializer):
    results = DatasetSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    sort = serializers.ChoiceField(choices=ranking.SORTS)
    facets = FacetsSerializer()
    corrections = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="A query word no dataset holds → the similar words it was widened to.",
    )


def facets_data(facets: ranking.Facets) -> dict[str, Any]:
    data: dict[str, Any] = {"total": facets.total, "approximate": facets.approximate, "counted": facets.counted}
    for name, values in ranking.facet_values(facets):
        data[name] = [{"value": value, "count": count} for value, count in values]
    return data


class DatasetListCreate(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = DatasetSerializer
    pagination_class = None

    @extend_schema(
        operation_id="datasets_search",
        parameters=[
            OpenApiParameter("q", str, description="Free text over title, description and tags (ja/en)."),
            OpenApiParameter(
                "sort",
                str,
                enum=list(ranking.SORTS),
                description="relevance (the default with q), newest (the default without), price (cheapest ask first).",
            ),
            OpenApiParameter("data_class", str, enum=DataClass.values),
            OpenApiParameter("category", str, enum=Category.values),
            OpenApiParameter("tag", str),
            OpenApiParameter("region", str, description="A region exactly as a facet gives it."),
            OpenApiParameter("seller", OpenApiTypes.UUID, description="A seller organisation id."),
            OpenApiParameter("cursor", str, description="From a page's next or previous link."),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": SEARCH_PAGE_SIZE},
                description="The page's length.",
            ),
        ],
        responses=SearchPageSerializer,
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
            data_class=query_choice(request, "data_class", DataClass.values),
            category=query_choice(request, "category", Category.values),
            tag=request.query_params.get("tag", "")[:50],
            region=request.query_params.get("region", "")[:100],
            seller=seller_id,
        )
        page = selectors.dataset_search_page(
            viewer_org_id=_viewer(request),
            filters=filters,
            sort=query_choice(request, "sort", list(ranking.SORTS)),
            cursor=request.query_params.get("cursor") or None,
            page_size=query_int(request, "page_size", minimum=1, maximum=MAX_PAGE_SIZE) or SEARCH_PAGE_SIZE,
        )
        here = request.build_absolute_uri()

        def link(cursor: str | None) -> str | None:
            return replace_query_param(here, "cursor", cursor) if cursor else None

        return Response(
            {
                "results": DatasetSerializer(page.datasets, many=True).data,
                "next": link(page.next_cursor),
                "previous": link(page.previous_cursor),
                "sort": page.sort,
                "facets": facets_data(page.facets),
                "corrections": page.corrections,
            }
        )

    @extend_schema(
        operation_id="datasets_create",
        request=DatasetCreateSerializer,
        responses={201: DatasetDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(SELL)
    def post(self, request: Request) -> Response:
        data = _validated(DatasetCreateSerializer, request.data)
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
    versions = list(selectors.versions_visible(dataset=dataset, viewer_org_id=viewer).prefetch_related("renditions"))
    return DatasetDetailSerializer(dataset, context={"versions": versions}).data


class DatasetDetail(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = DatasetDetailSerializer

    @extend_schema(operation_id="datasets_retrieve", responses=DatasetDetailSerializer)
    def get(self, request: Request, dataset_id: str) -> Response:
        viewer = _viewer(request)
        return Response(_detail(selectors.dataset_get(dataset_id=dataset_id, viewer_org_id=viewer), viewer))

    @extend_schema(operation_id="datasets_update", request=DatasetUpdateSerializer, responses=DatasetDetailSerializer)
    @scope(SELL)
    def patch(self, request: Request, dataset_id: str) -> Response:
        principal = _seller(request)
        dataset = selectors.dataset_get_owned(dataset_id=dataset_id, seller_id=principal.organization_id)
        changes = _validated(DatasetUpdateSerializer, request.data, partial=True)
        dataset = dataset_services.dataset_update(
            dataset_id=dataset.id,
            seller_id=principal.organization_id,
            actor_user_id=principal.user_id,
            changes=changes,
        )
        return Response(_detail(dataset, principal.organization_id))


class DatasetWithdraw(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = WithdrawSerializer

    @extend_schema(operation_id="datasets_withdraw", request=WithdrawSerializer, responses=DatasetDetailSerializer)
    @scope(SELL)
    def post(self, request: Request, dataset_id: str) -> Response:
        principal = _seller(request)
        dataset = selectors.dataset_get_owned(dataset_id=dataset_id, seller_id=principal.organization_id)
        data = _validated(WithdrawSerializer, request.data)
        dataset = dataset_services.dataset_withdraw(
            dataset_id=dataset.id,
            seller_id=principal.organization_id,
            actor_user_id=principal.user_id,
            reason=data["reason"],
        )
        return Response(_detail(dataset, principal.organization_id))


class DatasetRelist(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = DatasetDetailSerializer

    @extend_schema(operation_id="datasets_relist", request=None, responses=DatasetDetailSerializer)
    @scope(SELL)
    def post(self, request: Request, dataset_id: str) -> Response:
        principal = _seller(request)
        dataset = selectors.dataset_get_owned(dataset_id=dataset_id, seller_id=principal.organization_id)
        dataset = dataset_services.dataset_relist(
            dataset_id=dataset.id, seller_id=principal.organization_id, actor_user_id=principal.user_id
        )
        return Response(_detail(dataset, principal.organization_id))


class DatasetSample(GenericAPIView):
    permission_classes = [ReadAnyoneWriteSeller]
    serializer_class = SampleSerializer

    @extend_schema(operation_id="datasets_sample", responses=SampleSerializer)
    def get(self, request: Request, dataset_id: str) -> Response:
        dataset = selectors.dataset_get(dataset_id=dataset_id, viewer_org_id=_viewer(request))
        return Response(selectors.dataset_sample(dataset=dataset))
