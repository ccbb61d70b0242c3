"""Operator's console for settlement: read-only money records; refunds and payouts as explicit actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from settlement.models import (
    Entitlement,
    LedgerEntry,
    LedgerTransaction,
    Payout,
    ProviderEvent,
    Settlement,
    SettlementEvent,
)
from settlement.providers import ProviderUnavailable
from settlement.services.settlements import settlement_refund


class ReadOnly(admin.ModelAdmin):
    """Money records change only through services: the admin shows them and offers explicit actions."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SettlementEventInline(admin.TabularInline):
    model = SettlementEvent
    extra = 0
    fields = ("created_at", "from_status", "to_status", "reason", "actor")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Settlement)
class SettlementAdmin(ReadOnly):
    list_display = ["id", "status", "amount", "currency", "platform_fee", "buyer", "seller", "created_at"]
    list_filter = ["status", "provider", "currency"]
    search_fields = ["id", "trade__id", "contract__id", "payment_ref"]
    inlines = [SettlementEventInline]
    actions = ["refund"]

    @admin.action(description=_("Refund selected payments (revokes the buyer's access)"))
    def refund(self, request: HttpRequest, queryset: QuerySet[Settlement]) -> None:
        done = pending = 0
        for settlement in queryset:
            try:
                after = settlement_refund(
                    settlement_id=settlement.id, reason="refunded by the market operator", actor=str(request.user)
                )
            except (DomainError, ProviderUnavailable) as error:
                messages.error(request, f"{settlement.id}: {error}")
                continue
            if after.status == Settlement.Status.REFUNDED:
                done += 1
            else:
                pending += 1
        if done:
            messages.success(request, _("Refunded %(count)d payment(s).") % {"count": done})
        if pending:
            messages.warning(
                request,
                _("%(count)d refund(s) accepted by the payment provider, still pending; they complete by themselves.")
                % {"count": pending},
            )


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    fields = ("account", "organization", "amount", "currency")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnly):
    list_display = ["posted_at", "kind", "reference", "memo"]
    list_filter = ["kind"]
    search_fields = ["reference"]
    inlines = [LedgerEntryInline]


@admin.register(Payout)
class PayoutAdmin(ReadOnly):
    list_display = ["for_date", "seller", "amount", "currency", "status", "transfer_ref", "paid_at"]
    list_filter = ["status", "currency"]


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnly):
    list_display = ["id", "buyer", "dataset", "dataset_version", "status", "valid_until", "delivery"]
    list_filter = ["status", "delivery"]


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnly):
    list_display = ["received_at", "event_id", "type", "status"]
    list_filter = ["status", "type"]
    search_fields = ["event_id"]
