"""Operator's console for the catalog: datasets, their versions and history, read-only (a dataset changes through
its seller's pages and the catalog's services, which keep its search words and its versions' files in step)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogEvent, Dataset, DatasetVersion
from config.console import ReadOnlyAdmin, ReadOnlyInline, list_link, row_link


class DatasetVersionInline(ReadOnlyInline):
    model = DatasetVersion
    fields = ("number", "status", "file_format", "size_bytes", "row_count", "sha256", "created_at")
    readonly_fields = fields
    ordering = ("-number",)


class CatalogEventInline(ReadOnlyInline):
    model = CatalogEvent
    fields = ("created_at", "version", "from_status", "to_status", "reason")
    readonly_fields = fields


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    list_display = ["title", "seller_link", "data_class", "category", "status", "published_at", "created_at"]
    list_filter = ["status", "data_class", "category"]
    search_fields = ["title", "seller__name", "=id"]
    list_select_related = ["seller"]
    date_hierarchy = "created_at"
    fields = (
        "id",
        "title",
        "seller_link",
        "status",
        "data_class",
        "category",
        "region",
        "update_frequency",
        "description",
        "anonymization",
        "created_at",
        "published_at",
        "offerings",
        "contracts",
    )
    readonly_fields = fields
    inlines = [DatasetVersionInline, CatalogEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dataset]:
        return super().get_queryset(request).select_related("seller")

    @admin.display(description=_("seller"), ordering="seller__name")
    def seller_link(self, dataset: Dataset) -> str:
        return row_link(dataset.seller)

    @admin.display(description=_("offerings"))
    def offerings(self, dataset: Dataset) -> str:
        return list_link("marketplace.offering", _("Offerings of this dataset"), dataset__id__exact=dataset.pk)

    @admin.display(description=_("contracts"))
    def contracts(self, dataset: Dataset) -> str:
        return list_link("contracts.contract", _("Contracts on this dataset"), dataset__id__exact=dataset.pk)
