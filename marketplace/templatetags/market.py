"""Template tags of the order book: an offering's market panel on any page (the offering page, and the
dataset page, whose view belongs to catalog and must not import the marketplace), and money formatting.

    {% load market %}
    {% market_for offering as market %}{% include "marketplace/_market.html" %}
    {{ market.last_trade.price|price:offering }}    ¥1,000, or ¥1,000 / 30 days for a subscription
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import ngettext

from contracts.web.display import money as format_money
from marketplace.models import Offering
from marketplace.selectors import BestPrice
from marketplace.tax import EXEMPTION_NOTES
from marketplace.web.display import price_phrase as phrase_of
from marketplace.web.orders import REASON_LABELS, Market, offering_or_404
from marketplace.web.orders import market_for as build_market

register = template.Library()


@register.simple_tag(takes_context=True)
def market_for(context: template.Context, offering: Any) -> Market:
    """``offering``: an Offering, or the dict of one that catalog's dataset page lists (it has an ``id``)."""
    if not isinstance(offering, Offering):
        offering = offering_or_404(offering["id"] if isinstance(offering, dict) else offering)
    return build_market(context["request"], offering)


@register.filter
def money(amount: int | None, currency: str = "JPY") -> str:
    return "" if amount is None else format_money(int(amount), currency)


@register.filter
def tax_note(treatment: str) -> str:
    """Why a sale taxed as ``treatment`` carries no consumption tax; "" for a taxed sale."""
    note = EXEMPTION_NOTES.get(treatment)
    return "" if note is None else str(note)


@register.filter
def percent(rate: Any) -> str:
    """A rate as a percentage without trailing zeros ("10%", "8%", "12.5%")."""
    return f"{(Decimal(rate) * 100).normalize():f}%"


@register.filter
def price(amount: int | None, offering: Any) -> str:
    """A price on an offering's book: per seat, and for a subscription per period ("¥1,000 / 30 days")."""
    if amount is None:
        return ""
    shown = format_money(int(amount), offering.currency)
    days = getattr(offering, "period_days", None)
    if getattr(offering, "kind", Offering.Kind.LICENCE) != Offering.Kind.SUBSCRIPTION or not days:
        return shown
    return ngettext("%(price)s / %(days)s day", "%(price)s / %(days)s days", days) % {"price": shown, "days": days}


@register.filter
def price_phrase(best: BestPrice) -> str:
    """``¥12,000 / seat · 365-day licence · 3 seats left`` (marketplace.web.display, the one place it is written)."""
    return phrase_of(best)


@register.filter
def order_reason(reason: str) -> str:
    """An order's ``status_reason`` in the reader's language, when it is one the market records."""
    return str(REASON_LABELS.get(reason, reason))
