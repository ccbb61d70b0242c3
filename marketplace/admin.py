"""Operator's console for the marketplace: verify organisations, manage members, revoke API keys; offerings, orders
and trades, read-only (the book changes only through its services, under the offering's row lock)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from catalog.services.datasets import datasets_reindex_seller
from config.console import ReadOnlyAdmin, ReadOnlyInline, change_link, list_link, row_link
from config.errors import DomainError
from config.text import displayable_filename, displayable_line, displayable_text
from contracts.web.display import money
from marketplace.models import (
    ApiKey,
    Membership,
    Offering,
    OfferingEvent,
    Order,
    OrderEvent,
    Organization,
    ParticipantApplication,
    ParticipantEvent,
    Trade,
)
from marketplace.services.mail import origin_of
from marketplace.services.participants import api_key_revoke, organization_set_verified
from marketplace.services.signup import application_reject, application_verify


class MembershipInline(ReadOnlyInline):
    """Members join by invitation and their roles change on the organisation's members page, where the last admin
    is kept and every change is recorded (marketplace.services.members): the console shows them, never edits them."""

    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = fields


class ApiKeyInline(ReadOnlyInline):
    """Keys are issued by the organisation's admins (or `manage.py onboard`), so that only they see the secret."""

    model = ApiKey
    fields = ("name", "prefix", "scopes", "expires_at", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    show_change_link = True


class ParticipantEventInline(ReadOnlyInline):
    model = ParticipantEvent
    fields = ("created_at", "kind", "actor", "payload")
    readonly_fields = fields


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "is_seller",
        "is_buyer",
        "country",
        "corporate_number",
        "verified",
        "verified_at",
        "created_at",
    ]
    list_filter = ["verified", "is_seller", "is_buyer", "country"]
    search_fields = ["name", "id", "=corporate_number"]
    readonly_fields = ["id", "corporate_number", "verified", "verified_at", "created_at", "trading"]
    inlines = [MembershipInline, ApiKeyInline, ParticipantEventInline]
    actions = ["verify", "unverify"]
    # An organisation's name is shown to every party it trades with and copied into contracts (config.text).
    formfield_overrides = {
        models.CharField: {"validators": [displayable_line]},
        models.URLField: {"validators": [displayable_line], "assume_scheme": "https"},
        models.TextField: {"validators": [displayable_text]},
        models.FileField: {"validators": [displayable_filename]},
    }

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            # Its datasets' search tokens hold its name (a buyer finds a seller's datasets by it).
            datasets_reindex_seller(seller_id=obj.id)

    @admin.display(description=_("trading"))
    def trading(self, organization: Organization) -> str:
        if organization.pk is None:
            return ""
        links = [
            list_link("settlement.settlement", _("Its purchases"), buyer__id__exact=organization.pk),
            list_link("settlement.settlement", _("Its sales"), seller__id__exact=organization.pk),
            list_link("marketplace.order", _("Its orders"), organization__id__exact=organization.pk),
            list_link("catalog.dataset", _("Its datasets"), seller__id__exact=organization.pk),
        ]
        return format_html_join(" · ", "{}", ((link,) for link in links))

    @admin.action(description=_("Verify selected organisations"))
    def verify(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        for organization in queryset:
            organization_set_verified(organization=organization, verified=True, actor=request.user)
        messages.success(request, _("Verified %(count)d organisation(s).") % {"count": queryset.count()})

    @admin.action(description=_("Withdraw verification"))
    def unverify(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        for organization in queryset:
            organization_set_verified(organization=organization, verified=False, actor=request.user)
        messages.success(
            request, _("Withdrew verification of %(count)d organisation(s).") % {"count": queryset.count()}
        )


# --- the review queue: participants' applications ------------------------------------------------------------------


class ApplicationEventInline(ReadOnlyInline):
    model = ParticipantEvent
    fk_name = "application"
    fields = ("created_at", "kind", "actor", "payload")
    readonly_fields = fields


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        max_length=2000,
        help_text=_("Sent to the applicant by e-mail, as written."),
    )


@admin.register(ParticipantApplication)
class ParticipantApplicationAdmin(ReadOnlyAdmin):
    """The operator's review queue: pending applications first (oldest first), then decided ones (newest first).
    Each is verified or rejected with a reason on its own page (marketplace.services.signup)."""

    list_display = ["company_name", "corporate_number", "status", "roles_shown", "country", "email", "created_at"]
    list_filter = ["status", "country"]
    search_fields = ["company_name", "=corporate_number", "email"]
    fields = (
        "id",
        "status",
        "decision",
        "company_name",
        "corporate_number",
        "country",
        "roles_shown",
        "contact_name",
        "phone",
        "email",
        "created_at",
        "decided_at",
        "decided_by",
        "reason",
        "organization_link",
    )
    readonly_fields = fields
    inlines = [ApplicationEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ParticipantApplication]:
        pending = Case(
            When(status=ParticipantApplication.Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        # Not super()'s: it orders before the annotation exists.
        return ParticipantApplication.objects.annotate(pending_first=pending).order_by("pending_first", "created_at")

    def get_ordering(self, request: HttpRequest) -> list[str]:
        return ["pending_first", "created_at"]

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<uuid:application_id>/verify/",
                self.admin_site.admin_view(self.verify_view),
                name="marketplace_application_verify",
            ),
            path(
                "<uuid:application_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="marketplace_application_reject",
            ),
        ]
        return own + super().get_urls()

    @admin.display(description=_("roles"))
    def roles_shown(self, application: ParticipantApplication) -> str:
        return ", ".join(str(_(role)) for role in application.roles)

    @admin.display(description=_("decision"))
    def decision(self, application: ParticipantApplication) -> str:
        if application.status != ParticipantApplication.Status.PENDING:
            return ""
        return format_html(
            '<a class="button" id="verify-link" href="{}">{}</a> <a class="button" id="reject-link" href="{}">{}</a>',
            reverse("admin:marketplace_application_verify", args=[application.pk]),
            _("Verify…"),
            reverse("admin:marketplace_application_reject", args=[application.pk]),
            _("Reject…"),
        )

    @admin.display(description=_("organisation"))
    def organization_link(self, application: ParticipantApplication) -> str:
        return row_link(application.organization)

    def _decide(self, request: HttpRequest, application_id: Any, template: str, form: Any = None) -> HttpResponse:
        application = ParticipantApplication.objects.filter(pk=application_id).first()
        if application is None:
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "application": application,
            "form": form,
            "title": application.company_name,
        }
        return TemplateResponse(request, template, context, status=400 if form is not None and form.errors else 200)

    def verify_view(self, request: HttpRequest, application_id: Any) -> HttpResponse:
        if not self.has_view_permission(request) or not request.user.has_perm("marketplace.change_organization"):
            raise Http404
        if request.method == "POST":
            try:
                application_verify(
                    application_id=application_id,
                    actor=request.user,
                    origin=origin_of(f"{request.scheme}://{request.get_host()}"),
                )
            except DomainError as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, _("The application was verified: the organisation and its admin exist."))
            return redirect("admin:marketplace_participantapplication_change", application_id)
        return self._decide(request, application_id, "admin/marketplace/application_verify.html")

    def reject_view(self, request: HttpRequest, application_id: Any) -> HttpResponse:
        if not self.has_view_permission(request) or not request.user.has_perm("marketplace.change_organization"):
            raise Http404
        form = RejectionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                application_reject(
                    application_id=application_id,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    origin=origin_of(f"{request.scheme}://{request.get_host()}"),
                )
            except DomainError as exc:
                if "reason" in exc.errors:
                    form.add_error("reason", exc.detail)
                    return self._decide(request, application_id, "admin/marketplace/application_reject.html", form)
                messages.error(request, exc.detail)
            else:
                messages.success(request, _("The application was rejected; the applicant is told the reason."))
            return redirect("admin:marketplace_participantapplication_change", application_id)
        return self._decide(request, application_id, "admin/marketplace/application_reject.html", form)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organization",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "organization__name"]
    # The organisation manages its keys (its admins, docs/api.md#api-keys-and-scopes); the operator only revokes.
    readonly_fields = [
        "id",
        "organization",
        "name",
        "prefix",
        "key_hash",
        "scopes",
        "created_at",
        "created_by",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "replaced_by",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke selected API keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            api_key_revoke(api_key=api_key, actor=request.user)
        messages.success(request, _("Revoked %(count)d key(s).") % {"count": queryset.count()})


# --- the book: offerings, orders, trades (read-only) ---------------------------------------------------------------


class OfferingEventInline(ReadOnlyInline):
    model = OfferingEvent
    fields = ("created_at", "from_status", "to_status", "reason", "payload")
    readonly_fields = fields


@admin.register(Offering)
class OfferingAdmin(ReadOnlyAdmin):
    list_display = ["id", "dataset_link", "seller_link", "kind", "channel", "status", "seats", "currency", "created_at"]
    list_filter = ["status", "kind", "channel", "currency"]
    search_fields = ["dataset__title", "seller__name", "=id"]
    list_select_related = ["dataset", "seller"]
    fields = (
        "id",
        "status",
        "dataset_link",
        "seller_link",
        "kind",
        "channel",
        "seats",
        "currency",
        "period_days",
        "term_periods",
        "template_code",
        "template_version",
        "terms",
        "terms_sha256",
        "delivery_url",
        "created_at",
        "withdrawn_at",
        "orders",
        "trades",
    )
    readonly_fields = fields
    inlines = [OfferingEventInline]

    @admin.display(description=_("dataset"), ordering="dataset__title")
    def dataset_link(self, offering: Offering) -> str:
        return row_link(offering.dataset)

    @admin.display(description=_("seller"), ordering="seller__name")
    def seller_link(self, offering: Offering) -> str:
        return row_link(offering.seller)

    @admin.display(description=_("seats sold"))
    def seats(self, offering: Offering) -> str:
        total = _("unlimited") if offering.license_seats is None else offering.license_seats
        return f"{offering.seats_sold} / {total}"

    @admin.display(description=_("orders"))
    def orders(self, offering: Offering) -> str:
        return list_link("marketplace.order", _("Orders on this offering"), offering__id__exact=offering.pk)

    @admin.display(description=_("trades"))
    def trades(self, offering: Offering) -> str:
        return list_link("marketplace.trade", _("Trades on this offering"), offering__id__exact=offering.pk)


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "from_status", "to_status", "reason", "payload")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "organization_link",
        "offering_link",
        "side",
        "type",
        "price_shown",
        "quantity",
        "filled_quantity",
        "status",
        "created_at",
    ]
    list_filter = ["status", "side", "type", "time_in_force"]
    search_fields = ["organization__name", "offering__dataset__title", "=id"]
    list_select_related = ["organization", "offering__dataset"]
    date_hierarchy = "created_at"
    fields = (
        "id",
        "status",
        "status_reason",
        "organization_link",
        "offering_link",
        "side",
        "type",
        "price_shown",
        "quantity",
        "filled_quantity",
        "cancelled_quantity",
        "time_in_force",
        "expires_at",
        "created_at",
        "updated_at",
        "trades",
    )
    readonly_fields = fields
    inlines = [OrderEventInline]

    @admin.display(description=_("organisation"), ordering="organization__name")
    def organization_link(self, order: Order) -> str:
        return row_link(order.organization)

    @admin.display(description=_("offering"))
    def offering_link(self, order: Order) -> str:
        return row_link(order.offering, order.offering.dataset.title)

    @admin.display(description=_("price"), ordering="price")
    def price_shown(self, order: Order) -> str:
        return str(_("market")) if order.price is None else money(order.price, order.offering.currency)

    @admin.display(description=_("trades"))
    def trades(self, order: Order) -> str:
        lookup = "buy_order__id__exact" if order.side == Order.Side.BUY else "sell_order__id__exact"
        return list_link("marketplace.trade", _("Trades of this order"), **{lookup: order.pk})


@admin.register(Trade)
class TradeAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "executed_at",
        "dataset",
        "seller_link",
        "buyer_link",
        "price_shown",
        "quantity",
        "amount_shown",
        "status",
        "contract_link",
    ]
    list_filter = ["status", "currency"]
    search_fields = ["buyer__name", "seller__name", "offering__dataset__title", "=id", "=contract__id"]
    list_select_related = ["buyer", "seller", "offering__dataset"]
    date_hierarchy = "executed_at"
    fields = (
        "id",
        "status",
        "executed_at",
        "dataset",
        "offering_link",
        "buy_order_link",
        "sell_order_link",
        "seller_link",
        "buyer_link",
        "price_shown",
        "quantity",
        "amount_shown",
        "contract_link",
        "settlements",
    )
    readonly_fields = fields

    @admin.display(description=_("dataset"), ordering="offering__dataset__title")
    def dataset(self, trade: Trade) -> str:
        return row_link(trade.offering.dataset)

    @admin.display(description=_("offering"))
    def offering_link(self, trade: Trade) -> str:
        return row_link(trade.offering, trade.offering_id)

    @admin.display(description=_("buy order"))
    def buy_order_link(self, trade: Trade) -> str:
        return change_link(str(trade.buy_order_id), "marketplace.order", trade.buy_order_id)

    @admin.display(description=_("sell order"))
    def sell_order_link(self, trade: Trade) -> str:
        return change_link(str(trade.sell_order_id), "marketplace.order", trade.sell_order_id)

    @admin.display(description=_("seller"), ordering="seller__name")
    def seller_link(self, trade: Trade) -> str:
        return row_link(trade.seller)

    @admin.display(description=_("buyer"), ordering="buyer__name")
    def buyer_link(self, trade: Trade) -> str:
        return row_link(trade.buyer)

    @admin.display(description=_("price"), ordering="price")
    def price_shown(self, trade: Trade) -> str:
        return money(trade.price, trade.currency)

    @admin.display(description=_("amount"))
    def amount_shown(self, trade: Trade) -> str:
        return money(trade.price * trade.quantity, trade.currency)

    @admin.display(description=_("contract"))
    def contract_link(self, trade: Trade) -> str:
        return change_link(str(_("Contract")), "contracts.contract", trade.contract_id)

    @admin.display(description=_("settlements"))
    def settlements(self, trade: Trade) -> str:
        return list_link("settlement.settlement", _("Payments of this trade"), trade__id__exact=trade.pk)
