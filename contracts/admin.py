"""Operator's console for contracts: concluded contracts, their acceptances and history, read-only (a concluded
contract never changes; its status moves only through ``contract_transition``, called by the trade's settlement)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from config.console import ReadOnlyAdmin, ReadOnlyInline, change_link, list_link, row_link
from contracts.models import Acceptance, Contract, ContractEvent
from contracts.web.display import money


class AcceptanceInline(ReadOnlyInline):
    model = Acceptance
    fields = ("role", "organization_id", "user_id", "api_key_id", "terms_sha256", "accepted_at")
    readonly_fields = fields


class ContractEventInline(ReadOnlyInline):
    model = ContractEvent
    fields = ("created_at", "from_status", "to_status", "reason", "actor")
    readonly_fields = fields


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "dataset_link",
        "seller_link",
        "buyer_link",
        "amount_shown",
        "status",
        "channel",
        "concluded_at",
        "valid_until",
    ]
    list_filter = ["status", "channel", "currency", "data_class"]
    # By party (the names as concluded), dataset title, contract or trade id.
    search_fields = ["seller_name", "buyer_name", "dataset__title", "=id", "=trade_ref"]
    list_select_related = ["dataset", "seller", "buyer"]
    date_hierarchy = "concluded_at"
    fields = (
        "id",
        "status",
        "channel",
        "dataset_link",
        "dataset_version",
        "offering_link",
        "trade_link",
        "settlements",
        "seller_link",
        "buyer_link",
        "buyer_country",
        "price_shown",
        "quantity",
        "amount_shown",
        "template_code",
        "template_version",
        "terms",
        "terms_sha256",
        "document_sha256",
        "document_en_sha256",
        "valid_from",
        "valid_until",
        "concluded_at",
    )
    readonly_fields = fields
    inlines = [AcceptanceInline, ContractEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contract]:
        return super().get_queryset(request).select_related("dataset", "seller", "buyer")

    @admin.display(description=_("dataset"), ordering="dataset__title")
    def dataset_link(self, contract: Contract) -> str:
        return row_link(contract.dataset)

    @admin.display(description=_("seller"), ordering="seller_name")
    def seller_link(self, contract: Contract) -> str:
        return change_link(contract.seller_name, "marketplace.organization", contract.seller_id)

    @admin.display(description=_("buyer"), ordering="buyer_name")
    def buyer_link(self, contract: Contract) -> str:
        return change_link(contract.buyer_name, "marketplace.organization", contract.buyer_id)

    @admin.display(description=_("offering"))
    def offering_link(self, contract: Contract) -> str:
        return change_link(str(contract.offering_id), "marketplace.offering", contract.offering_id)

    @admin.display(description=_("trade"))
    def trade_link(self, contract: Contract) -> str:
        return change_link(contract.trade_ref, "marketplace.trade", contract.trade_ref or None)

    @admin.display(description=_("settlements"))
    def settlements(self, contract: Contract) -> str:
        return list_link("settlement.settlement", _("Payments of this contract"), contract__id__exact=contract.pk)

    @admin.display(description=_("price"), ordering="price")
    def price_shown(self, contract: Contract) -> str:
        return money(contract.price, contract.currency)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_shown(self, contract: Contract) -> str:
        return money(contract.amount, contract.currency)
