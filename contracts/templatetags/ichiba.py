"""Template filters the pages of every app share: times with their zone, the reasons and actors of event
histories, and country codes as names, each in the request's language.

    {% load ichiba %}
    {{ contract.concluded_at|when }}          2026-11-27 14:05 JST
    {{ event.created_at|when:"seconds" }}     2026-11-27 14:05:09 JST
    {{ event.reason|event_reason }}           約定 d0c8e2dd-…
    {{ offering.territory|countries }}        ドイツ (DE), 日本 (JP)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import dateformat, timezone

from catalog.models import FileFormat
from contracts.documents import country_name
from contracts.web import history
from contracts.web.display import current_lang

register = template.Library()

MINUTES, SECONDS = "Y-m-d H:i", "Y-m-d H:i:s"


@register.filter
def when(value: Any, precision: str = "minutes") -> str:
    """A point in time in the market's time zone (settings.TIME_ZONE), with the zone's abbreviation, as the
    contracts state it. ``value``: a datetime, or the ISO 8601 text validation stores (a dataset's time range);
    a time without an offset is shown as written, without a zone, since its zone is not known."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return str(value)
    fmt = SECONDS if precision == "seconds" else MINUTES
    if timezone.is_naive(value):
        return dateformat.format(value, fmt)
    try:
        local = timezone.localtime(value)
    except OverflowError:  # a stored time at the edge of the calendar (0001-01-01+10:00): shown as written
        return value.isoformat()
    return dateformat.format(local, f"{fmt} T")


@register.filter
def event_reason(reason: str) -> str:
    return history.event_reason(str(reason or ""))


@register.filter
def event_actor(actor: str) -> str:
    return history.event_actor(str(actor or ""))


@register.filter
def countries(codes: Any) -> str:
    """ISO 3166-1 alpha-2 codes as the countries' names with their codes, as the terms table shows them."""
    if isinstance(codes, str):
        codes = [codes]
    lang = current_lang()
    return ", ".join(country_name(str(code), lang) for code in codes or [])


@register.filter
def format_label(code: str) -> str:
    """A data file format's name ("Parquet", "JSON Lines", catalog.models.FileFormat); an unknown code as it is."""
    return str(dict(FileFormat.choices).get(code, code))
