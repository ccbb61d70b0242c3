"""Seller endpoints (docs/api.md#sellers): a seller organisation's public profile, and its members' changes to it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from config.api.parsers import JSONParser
from config.api.permissions import ReadAnyoneWriteSeller, scope
from config.api.principal import MANAGE, Principal, principal_of
from config.api.serializers import StrictSerializer
from config.errors import Forbidden
from config.text import displayable_filename, displayable_line, displayable_text
from marketplace import selectors
from marketplace.services.profiles import (
    DESCRIPTION_MAX_CHARS,
    LOGO_MAX_BYTES,
    WEBSITE_MAX_CHARS,
    organization_profile_update,
)


class DeliveredPeriodSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    new_versions = serializers.IntegerField(source="versions")
    current = serializers.BooleanField(help_text="Still running: its count is so far.")


class FeedSerializer(serializers.Serializer):
    offering = serializers.UUIDField(source="offering.id")
    dataset = serializers.UUIDField(source="offering.dataset_id")
    period_days = serializers.IntegerField(source="offering.period_days")
    min_versions_per_period = serializers.IntegerField(source="offering.min_versions_per_period")
    periods_closed = serializers.IntegerField()
    periods_met = serializers.IntegerField(help_text="Closed periods that delivered at least the commitment.")
    periods = DeliveredPeriodSerializer(many=True, help_text="The latest periods, most recent first.")


class OpenOfferingSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    dataset = serializers.UUIDField(source="dataset_id")
    dataset_title = serializers.CharField(source="dataset.title")
    kind = serializers.CharField()
    seats_left = serializers.IntegerField(allow_null=True)
    currency = serializers.CharField()


class ListedDatasetSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    data_class = serializers.CharField()
    category = serializers.CharField()
    region = serializers.CharField()


class SellerProfileSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="seller.id")
    name = serializers.CharField(source="seller.name")
    country = serializers.CharField(source="seller.country")
    verified = serializers.BooleanField(source="seller.verified")
    verified_at = serializers.DateTimeField(source="seller.verified_at", allow_null=True)
    description = serializers.CharField(source="seller.description", help_text="As the seller wrote it.")
    website = serializers.CharField(source="seller.website")
    logo_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="seller.created_at")
    trades = serializers.IntegerField(help_text="Trades on public order books and at auctions (not private offers).")
    datasets_listed = serializers.IntegerField()
    datasets = ListedDatasetSerializer(many=True, help_text="Its listed datasets, newest first (at most 50).")
    open_offerings = OpenOfferingSerializer(many=True, source="offerings")
    feeds = FeedSerializer(many=True, help_text="Each open subscription's delivery record.")

    def get_logo_url(self, profile: selectors.SellerProfile) -> str | None:
        if not profile.seller.logo:
            return None
        return reverse("web:seller_logo", args=[profile.seller.id], request=self.context.get("request"))

    def get_page_url(self, profile: selectors.SellerProfile) -> str:
        return reverse("web:seller", args=[profile.seller.id], request=self.context.get("request"))


class SellerProfileUpdateSerializer(StrictSerializer):
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=DESCRIPTION_MAX_CHARS,
        trim_whitespace=False,
        validators=[displayable_text],
    )
    website = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=WEBSITE_MAX_CHARS,
        validators=[displayable_line],
        help_text="An http or https address; empty removes it.",
    )
    logo = serializers.FileField(
        required=False,
        allow_null=True,
        allow_empty_file=False,
        validators=[displayable_filename],
        help_text=f"A PNG, JPEG or WebP image of at most {LOGO_MAX_BYTES} bytes (multipart/form-data); null removes "
        "it.",
    )


def _member(request: Request, seller_id: str) -> Principal:
    principal = principal_of(request)
    if principal is None or str(principal.organization_id) != str(seller_id):
        raise Forbidden("Only the organisation's own members may change its profile.")
    return principal


class SellerDetail(GenericAPIView):
    """A seller organisation's public profile; its own members change it."""

    permission_classes = [ReadAnyoneWriteSeller]
    parser_classes = [JSONParser, MultiPartParser]
    serializer_class = SellerProfileSerializer

    @extend_schema(operation_id="sellers_retrieve", responses=SellerProfileSerializer)
    def get(self, request: Request, seller_id: str) -> Response:
        profile = selectors.seller_profile(seller_id=seller_id)
        return Response(SellerProfileSerializer(profile, context={"request": request}).data)

    @extend_schema(
        operation_id="sellers_update", request=SellerProfileUpdateSerializer, responses=SellerProfileSerializer
    )
    @scope(MANAGE)
    def patch(self, request: Request, seller_id: str) -> Response:
        seller = selectors.seller_get(seller_id=seller_id)  # 404 first: the id names no seller
        principal = _member(request, seller_id)
        serializer = SellerProfileUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes: dict[str, Any] = dict(serializer.validated_data)
        organization_profile_update(
            organization_id=seller.id,
            actor_organization_id=principal.organization_id,
            actor_user_id=principal.user_id,
            changes=changes,
        )
        profile = selectors.seller_profile(seller_id=seller.id)
        return Response(SellerProfileSerializer(profile, context={"request": request}).data)
