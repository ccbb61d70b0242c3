"""What every app's part of the operator's console (Django admin, ``<app>/admin.py``) shares: read-only pages for
rows that change only through services, and links from a row to the rows it names.

A link goes by the admin's URL name (``admin:<app>_<model>_change``), never by importing the other app's model, so
an app's console may link to a higher app's rows (a contract to its settlement) and the imports still point one way
(docs/architecture.md).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through services (money, the book, concluded contracts): the console shows them and
    offers explicit actions, never a form that edits or deletes them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """An append-only history (events) or the rows of a record, shown under it and never edited there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def change_link(label: str, model: str, pk: Any, text: Any = None) -> SafeString | str:
    """A link to one row's page in the console (``model``: ``"app_label.model_name"``), or "" for no row."""
    if pk is None:
        return ""
    app_label, model_name = model.lower().split(".")
    try:
        url = reverse(f"admin:{app_label}_{model_name}_change", args=[pk])
    except NoReverseMatch:  # not in the console
        return str(text if text is not None else pk)
    return format_html('<a href="{}" data-model="{}">{}</a>', url, model.lower(), text if text is not None else label)


def row_link(obj: models.Model | None, text: Any = None) -> SafeString | str:
    """A link to ``obj``'s page in the console, showing ``text`` (default: the row itself), or "" for no row."""
    if obj is None:
        return ""
    meta = obj._meta
    return change_link(str(obj), f"{meta.app_label}.{meta.model_name}", obj.pk, text)


def list_link(model: str, text: Any, **lookups: Any) -> SafeString | str:
    """A link to the console's list of ``model`` rows filtered by ``lookups`` (``contract__id__exact=...``)."""
    app_label, model_name = model.lower().split(".")
    try:
        url = reverse(f"admin:{app_label}_{model_name}_changelist")
    except NoReverseMatch:
        return str(text)
    return format_html('<a href="{}?{}">{}</a>', url, urlencode({k: str(v) for k, v in lookups.items()}), text)
