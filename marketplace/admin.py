"""Operator's console: verify organisations, manage members, revoke API keys."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from catalog.services.datasets import datasets_reindex_seller
from config.text import displayable_filename, displayable_line, displayable_text
from marketplace.models import ApiKey, Membership, Organization, ParticipantEvent
from marketplace.services.participants import api_key_revoke, organization_set_verified


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # keys are issued with `manage.py onboard` or by members, so the secret is shown once


class ParticipantEventInline(admin.TabularInline):
    model = ParticipantEvent
    extra = 0
    fields = ("created_at", "kind", "actor", "payload")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "is_seller", "is_buyer", "country", "verified", "verified_at", "created_at"]
    list_filter = ["verified", "is_seller", "is_buyer", "country"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "verified", "verified_at", "created_at"]
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


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "organization__name"]
    readonly_fields = [
        "id",
        "organization",
        "name",
        "prefix",
        "key_hash",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke selected API keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            api_key_revoke(api_key=api_key, actor=request.user)
        messages.success(request, _("Revoked %(count)d key(s).") % {"count": queryset.count()})
