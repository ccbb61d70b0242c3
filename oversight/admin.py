"""Operator's console for oversight: the take-down action on datasets and offerings, the take-downs, and the audit
trail's export.

The catalog's and the marketplace's consoles cannot name this app (it sits above them), so the dataset and offering
pages are registered again here, as their own admins with the take-down action and the taken-down state added. A
take-down asks first: the confirmation page names what it will do (open orders cancelled, buyers' access kept or
revoked, payments refunded) and takes the category and the reason the seller and the buyers read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from catalog.admin import DatasetAdmin
from catalog.models import TAKEDOWN_REASON_MAX, Dataset, TakedownCategory
from config.console import ReadOnlyAdmin, row_link
from config.errors import DomainError
from config.text import displayable_line
from marketplace.admin import OfferingAdmin
from marketplace.models import Offering
from oversight.models import Takedown
from oversight.services.audit import audit_csv, audit_period
from oversight.services.takedowns import takedown_apply, takedown_effects, takedown_progress

TAKEDOWN_FIELDS = ("taken_down_at", "takedown_category", "takedown_reason")


class TakedownForm(forms.Form):
    """The take-down's confirmation: why, in a category and in words the seller and the buyers read."""

    category = forms.ChoiceField(
        label=_("Category"),
        choices=TakedownCategory.choices,
        help_text=_("Only unlawful content revokes the buyers' access and refunds their payments."),
    )
    reason = forms.CharField(
        label=_("Reason, shown to the seller and the buyers"),
        max_length=TAKEDOWN_REASON_MAX,
        strip=True,
        validators=[displayable_line],
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class AuditExportForm(forms.Form):
    first = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("To (included)"), widget=forms.DateInput(attrs={"type": "date"}))


class _TakeDown:
    """The take-down action of a dataset or offering console page (``target``: which of the two it takes down)."""

    target: str
    model: Any
    admin_site: Any
    media: Any

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*super().get_fields(request, obj), *TAKEDOWN_FIELDS)  # type: ignore[misc]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*super().get_readonly_fields(request, obj), *TAKEDOWN_FIELDS)  # type: ignore[misc]

    def _effects(self, obj: Any) -> Any:
        if self.target == "dataset":
            return takedown_effects(dataset_id=obj.pk)
        return takedown_effects(dataset_id=obj.dataset_id, offering_id=obj.pk)

    @admin.action(description=_("Take down (the market's operator)…"))
    def take_down(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        chosen = list(queryset.order_by("pk"))
        form = TakedownForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._take_down(request, chosen, **form.cleaned_data)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Take down"),
            "opts": self.model._meta,
            "form": form,
            "lines": [{"obj": obj, "effects": self._effects(obj)} for obj in chosen if obj.taken_down_at is None],
            "already": [obj for obj in chosen if obj.taken_down_at is not None],
            "selected": [str(obj.pk) for obj in chosen],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/oversight/takedown_confirmation.html", context)

    def _take_down(self, request: HttpRequest, chosen: list[Any], *, category: str, reason: str) -> None:
        done = 0
        for obj in chosen:
            if obj.taken_down_at is not None:
                continue
            target = {f"{self.target}_id": obj.pk}
            try:
                takedown_apply(category=category, reason=reason, actor=str(request.user), **target)
            except DomainError as error:
                messages.error(request, f"{obj}: {error}")
                continue
            done += 1
        if done:
            messages.success(
                request,
                _("Took %(count)d down; the buyers' purchases are being handled (see Take-downs).") % {"count": done},
            )


class DatasetTakedownAdmin(_TakeDown, DatasetAdmin):
    target = "dataset"
    actions = ["take_down"]
    list_filter = [*DatasetAdmin.list_filter, "takedown_category"]


class OfferingTakedownAdmin(_TakeDown, OfferingAdmin):
    target = "offering"
    actions = ["take_down"]
    list_filter = [*OfferingAdmin.list_filter, "takedown_category"]


admin.site.unregister(Dataset)
admin.site.register(Dataset, DatasetTakedownAdmin)
admin.site.unregister(Offering)
admin.site.register(Offering, OfferingTakedownAdmin)


@admin.register(Takedown)
class TakedownAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "dataset_link", "offering_link", "category", "status", "actor", "completed_at"]
    list_filter = ["status", "category"]
    search_fields = ["dataset__title", "reason", "actor", "=id", "=dataset__id", "=offering__id"]
    list_select_related = ["dataset", "offering"]
    date_hierarchy = "created_at"
    fields = (
        "id",
        "dataset_link",
        "offering_link",
        "category",
        "reason",
        "actor",
        "status",
        "orders_cancelled",
        "purchases",
        "last_error",
        "next_attempt_at",
        "created_at",
        "completed_at",
    )
    readonly_fields = fields

    @admin.display(description=_("dataset"), ordering="dataset__title")
    def dataset_link(self, takedown: Takedown) -> str:
        return row_link(takedown.dataset)

    @admin.display(description=_("offering"))
    def offering_link(self, takedown: Takedown) -> str:
        return row_link(takedown.offering) if takedown.offering_id else str(_("every offering of the dataset"))

    @admin.display(description=_("purchases"))
    def purchases(self, takedown: Takedown) -> str:
        progress = takedown_progress(takedown)
        return str(
            _(
                "%(refunded)d payment(s) refunded, %(voided)d released or voided, %(revoked)d access(es) revoked; "
                "%(left)d payment(s) in force or in flight"
            )
            % {
                "refunded": progress.refunded,
                "voided": progress.voided,
                "revoked": progress.revoked,
                "left": progress.left,
            }
        )

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "audit-export/", self.admin_site.admin_view(self.audit_export), name="oversight_takedown_audit_export"
        )
        return [export, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {"audit_export_url": reverse("admin:oversight_takedown_audit_export"), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def audit_export(self, request: HttpRequest) -> HttpResponseBase:
        """The audit trail of a period, as CSV (oversight.services.audit), streamed."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        form = AuditExportForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                period = audit_period(first=form.cleaned_data["first"], last=form.cleaned_data["last"])
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                response = StreamingHttpResponse(audit_csv(period), content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="{period.filename}"'
                return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export the audit trail"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/oversight/audit_export.html", context)
