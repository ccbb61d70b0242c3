"""Operator's console for settlement: read-only money records; refunds and payouts as explicit actions.

A refund asks first: the action shows the payments chosen and a form for the reason, which the buyer reads on the
purchase (its page, the API, the ``settlement.updated`` webhook); nothing is refunded until it is sent with one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from config.console import ReadOnlyAdmin, ReadOnlyInline, change_link, row_link
from config.errors import DomainError
from config.text import displayable_line
from contracts.web.display import money
from settlement import selectors
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
from settlement.services.settlements import REFUND_REASON_MAX, settlement_refund, settlement_review_clear


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


class RefundForm(forms.Form):
    """The refund's confirmation: the reason the buyer will read, required."""

    reason = forms.CharField(
        label=_("Reason, shown to the buyer"),
        max_length=REFUND_REASON_MAX,
        strip=True,
        validators=[displayable_line],
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("The buyer reads it on the purchase's page, in the API and in the webhook. Write it for them."),
    )


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "period",
        "status",
        "needs_review",
        "amount_shown",
        "fee_shown",
        "buyer_link",
        "seller_link",
        "dataset",
        "created_at",
    ]
    list_filter = [NeedsReview, "status", "provider", "currency"]
    # By organisation (buyer or seller), dataset title, or one of the payment's ids.
    search_fields = [
        "buyer__name",
        "seller__name",
        "contract__dataset__title",
        "=id",
        "=trade__id",
        "=contract__id",
        "=payment_ref",
    ]
    list_select_related = ["buyer", "seller", "contract__dataset"]
    date_hierarchy = "created_at"
    fields = (
        "id",
        "status",
        "period",
        "amount_shown",
        "excl_tax_shown",
        "tax_shown",
        "tax_treatment",
        "tax_rate",
        "fee_shown",
        "fee_tax_shown",
        "proceeds_shown",
        "fee_rate",
        "buyer_link",
        "seller_link",
        "dataset",
        "trade_link",
        "contract_link",
        "provider",
        "payment_method",
        "payment_ref",
        "failure_code",
        "failure_message",
        "refund_reason",
        "refund_requested_at",
        "review_reason",
        "review_flagged_at",
        "release_reason",
        "authorized_at",
        "captured_at",
        "capture_due_at",
        "closed_at",
        "payout",
        "created_at",
    )
    readonly_fields = fields
    inlines = [SettlementEventInline]
    actions = ["refund", "close_review"]

    @admin.display(boolean=True, description=_("needs review"))
    def needs_review(self, settlement: Settlement) -> bool:
        return bool(settlement.review_reason)

    @admin.display(description=_("amount (tax included)"), ordering="amount")
    def amount_shown(self, settlement: Settlement) -> str:
        return money(settlement.amount, settlement.currency)

    @admin.display(description=_("amount excluding tax"))
    def excl_tax_shown(self, settlement: Settlement) -> str:
        return money(settlement.amount_excl_tax, settlement.currency)

    @admin.display(description=_("consumption tax"))
    def tax_shown(self, settlement: Settlement) -> str:
        return money(settlement.tax_amount, settlement.currency)

    @admin.display(description=_("consumption tax on the fee"))
    def fee_tax_shown(self, settlement: Settlement) -> str:
        return money(settlement.platform_fee_tax, settlement.currency)

    @admin.display(description=_("platform fee"), ordering="platform_fee")
    def fee_shown(self, settlement: Settlement) -> str:
        return money(settlement.platform_fee, settlement.currency)

    @admin.display(description=_("seller's proceeds"))
    def proceeds_shown(self, settlement: Settlement) -> str:
        return money(settlement.seller_proceeds, settlement.currency)

    @admin.display(description=_("buyer"), ordering="buyer__name")
    def buyer_link(self, settlement: Settlement) -> str:
        return row_link(settlement.buyer)

    @admin.display(description=_("seller"), ordering="seller__name")
    def seller_link(self, settlement: Settlement) -> str:
        return row_link(settlement.seller)

    @admin.display(description=_("dataset"), ordering="contract__dataset__title")
    def dataset(self, settlement: Settlement) -> str:
        return row_link(settlement.contract.dataset)

    @admin.display(description=_("trade"))
    def trade_link(self, settlement: Settlement) -> str:
        return change_link(str(settlement.trade_id), "marketplace.trade", settlement.trade_id)

    @admin.display(description=_("contract"))
    def contract_link(self, settlement: Settlement) -> str:
        return change_link(str(settlement.contract_id), "contracts.contract", settlement.contract_id)

    @admin.action(description=_("Close the review of selected payments (the sweeper takes them up again)"))
    def close_review(self, request: HttpRequest, queryset: QuerySet[Settlement]) -> None:
        closed = 0
        for settlement in queryset.exclude(review_reason=""):
            settlement_review_clear(settlement_id=settlement.id, actor=str(request.user))
            closed += 1
        messages.success(request, _("Closed the review of %(count)d payment(s).") % {"count": closed})

    @admin.action(description=_("Refund selected payments (revokes the buyer's access)…"))
    def refund(self, request: HttpRequest, queryset: QuerySet[Settlement]) -> TemplateResponse | None:
        """First the confirmation page, with the payments and the reason's form; sent with a reason, the refunds."""
        chosen = list(queryset.select_related("buyer", "seller", "contract__dataset").order_by("created_at", "id"))
        form = RefundForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._refund(request, chosen, reason=form.cleaned_data["reason"])
            return None
        refundable = [settlement for settlement in chosen if settlement.status == Settlement.Status.CAPTURED]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Refund payments"),
            "opts": self.model._meta,
            "form": form,
            "refundable": [self._line(settlement) for settlement in refundable],
            "others": [self._line(settlement) for settlement in chosen if settlement not in refundable],
            "selected": [str(settlement.pk) for settlement in chosen],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/settlement/settlement/refund_confirmation.html", context)

    def _line(self, settlement: Settlement) -> dict[str, Any]:
        return {
            "settlement": settlement,
            "amount": money(settlement.amount, settlement.currency),
            "status": settlement.get_status_display(),
        }

    def _refund(self, request: HttpRequest, chosen: list[Settlement], *, reason: str) -> None:
        done = pending = 0
        for settlement in chosen:
            try:
                after = settlement_refund(settlement_id=settlement.id, reason=reason, actor=str(request.user))
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


class LedgerEntryInline(ReadOnlyInline):
    model = LedgerEntry
    fields = ("account", "organization", "amount_shown")
    readonly_fields = fields

    @admin.display(description=_("amount"))
    def amount_shown(self, entry: LedgerEntry) -> str:
        return money(entry.amount, entry.currency)


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["posted_at", "kind", "reference", "memo"]
    list_filter = ["kind"]
    search_fields = ["reference"]
    inlines = [LedgerEntryInline]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    """Payouts, and every seller's balance (Seller balances): a seller refunded after it was paid out owes the market,
    its balance negative until its next sales cover it; no payout is made meanwhile."""

    list_display = ["for_date", "seller_link", "amount_shown", "status", "transfer_ref", "paid_at"]
    list_filter = ["status", "currency"]
    search_fields = ["seller__name", "=transfer_ref"]
    list_select_related = ["seller"]

    def get_urls(self) -> list[URLPattern]:
        balances = path("balances/", self.admin_site.admin_view(self.balances_view), name="settlement_payout_balances")
        return [balances, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {"balances_url": reverse("admin:settlement_payout_balances"), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def balances_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        lines = [
            {
                "balance": balance,
                "seller": change_link(balance.name, "marketplace.organization", balance.organization_id, balance.name),
                "shown": money(abs(balance.payable), balance.currency),
            }
            for balance in selectors.seller_balances()
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Seller balances"),
            "opts": self.model._meta,
            "lines": lines,
        }
        return TemplateResponse(request, "admin/settlement/payout/balances.html", context)

    @admin.display(description=_("seller"), ordering="seller__name")
    def seller_link(self, payout: Payout) -> str:
        return row_link(payout.seller)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_shown(self, payout: Payout) -> str:
        return money(payout.amount, payout.currency)


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin):
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
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "buyer", "seller", "dataset", "amount_shown", "starts_at", "ends_at"]
    list_filter = ["status", "end_reason", "currency"]
    search_fields = ["buyer__name", "seller__name", "dataset__title", "=id", "=contract__id"]

    @admin.display(description=_("amount per period"), ordering="amount")
    def amount_shown(self, subscription: Subscription) -> str:
        return money(subscription.amount, subscription.currency)

    inlines = [SubscriptionPeriodInline, SubscriptionEventInline]


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "event_id", "type", "status", "error"]
    list_filter = ["status", "type"]
    search_fields = ["event_id"]
