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
    Subscription,
    SubscriptionEvent,
    SubscriptionPeriod,
)
from settlement.providers import ProviderUnavailable
from settlement.services.settlements import settlement_refund, settlement_review_clear


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


class NeedsReview(admin.SimpleListFilter):
    """Settlements something the provider reported did not match (docs/operations.md#money-the-provider-reports)."""

    title = _("needs review")
    parameter_name = "needs_review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Settlement]) -> QuerySet[Settlement]:
        if self.value() == "yes":
            return queryset.exclude(review_reason="")
        if self.value() == "no":
            return queryset.filter(review_reason="")
        return queryset


@admin.register(Settlement)
class SettlementAdmin(ReadOnly):
    list_display = [
        "id",
        "period",
        "status",
        "needs_review",
        "amount",
        "currency",
        "platform_fee",
        "buyer",
        "seller",
        "created_at",
    ]
    list_filter = [NeedsReview, "status", "provider", "currency"]
    search_fields = ["id", "trade__id", "contract__id", "payment_ref"]
    inlines = [SettlementEventInline]
    actions = ["refund", "close_review"]

    @admin.display(boolean=True, description=_("needs review"))
    def needs_review(self, settlement: Settlement) -> bool:
        return bool(settlement.review_reason)

    @admin.action(description=_("Close the review of selected payments (the sweeper takes them up again)"))
    def close_review(self, request: HttpRequest, queryset: QuerySet[Settlement]) -> None:
        closed = 0
        for settlement in queryset.exclude(review_reason=""):
            settlement_review_clear(settlement_id=settlement.id, actor=str(request.user))
            closed += 1
        messages.success(request, _("Closed the review of %(count)d payment(s).") % {"count": closed})

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


class SubscriptionPeriodInline(admin.TabularInline):
    model = SubscriptionPeriod
    extra = 0
    fields = ("number", "starts_at", "ends_at", "versions_delivered", "messages_delivered", "outcome", "settlement")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SubscriptionEventInline(admin.TabularInline):
    model = SubscriptionEvent
    extra = 0
    fields = ("created_at", "from_status", "to_status", "reason", "actor")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnly):
    list_display = ["id", "status", "buyer", "seller", "dataset", "amount", "currency", "starts_at", "ends_at"]
    list_filter = ["status", "end_reason", "currency"]
    search_fields = ["id", "contract__id"]
    inlines = [SubscriptionPeriodInline, SubscriptionEventInline]


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnly):
    list_display = ["received_at", "event_id", "type", "status", "error"]
    list_filter = ["status", "type"]
    search_fields = ["event_id"]
