from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.hooks import offerings_for_dataset
from catalog.models import Category, DataClass, Dataset, DatasetVersion, UpdateFrequency
from catalog.services.datasets import check_data_class
from config.api.serializers import StrictSerializer


class DataClassField(serializers.ChoiceField):
    """``personal`` is not a typo to be told "invalid choice" (400): it is refused by a market rule (422)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=DataClass.choices, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if data == "personal":
            check_data_class(data)
        return str(super().to_internal_value(data))


class AnonymizationSerializer(serializers.Serializer):
    quasi_identifiers = serializers.ListField(child=serializers.CharField(max_length=200), min_length=1, max_length=100)
    personal_info_items = serializers.ListField(
        child=serializers.CharField(max_length=200), min_length=1, max_length=100
    )
    method = serializers.CharField(max_length=2000)


class DatasetCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    data_class = DataClassField()
    category = serializers.ChoiceField(choices=Category.choices, required=False, default=Category.OTHER)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=20, required=False, default=list
    )
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    update_frequency = serializers.ChoiceField(
        choices=UpdateFrequency.choices, required=False, default=UpdateFrequency.ONCE
    )
    anonymization = AnonymizationSerializer(required=False, allow_null=True)


class DatasetUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20, required=False)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    update_frequency = serializers.ChoiceField(choices=UpdateFrequency.choices, required=False)
    anonymization = AnonymizationSerializer(required=False)


class WithdrawSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SellerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class CheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    passed = serializers.BooleanField()
    detail = serializers.CharField()


class VersionSerializer(serializers.ModelSerializer):
    checks = CheckSerializer(many=True)
    format = serializers.CharField(source="file_format")

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
            "time_range",
            "checks",
            "created_at",
            "validated_at",
        ]


class VersionAcceptedSerializer(serializers.ModelSerializer):
    class Meta:
        model = DatasetVersion
        fields = ["number", "status", "sha256", "size_bytes", "created_at"]


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or JSON Lines, UTF-8.")
    format = serializers.ChoiceField(choices=["csv", "jsonl"], required=False, help_text="Default: from the file name.")


class DatasetSerializer(serializers.ModelSerializer):
    seller = SellerSerializer()
    tags = serializers.SerializerMethodField()
    latest_version = serializers.SerializerMethodField()

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
        ]

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
    rows = serializers.ListField(child=serializers.ListField())
