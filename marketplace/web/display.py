"""How an offering's price reads to a buyer, in one place: the catalog's cards, the top of a dataset's page and of
an offering's page all show ``price_phrase`` ("¥12,000 / seat · 365-day licence · 3 seats left"), read through
``marketplace.selectors.best_prices`` in one query per page.

The words are plain on purpose: a seat is explained where it appears, and the exchange's words (bid, ask, time in
force) stay in the order forms' "Advanced" part and in the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contracts.web.display import money
from marketplace.selectors import BestPrice, dataset_best_prices


def seats_explained(seats_left: int | None) -> str:
    """What "seats" means, for the phrase's help text (title of its <abbr>)."""
    if seats_left is None:
        return _("Unlimited seats: the seller sells this licence to any number of buyer organisations.")
    return _("A seat is one buyer organisation's licence: the seller sells this offering to at most this many buyers.")


def seats_phrase(seats_left: int | None) -> str:
    if seats_left is None:
        return _("unlimited seats")
    if seats_left == 0:
        return _("every seat sold")
    return ngettext("%(count)s seat left", "%(count)s seats left", seats_left) % {"count": f"{seats_left:,}"}


def unit_price(best: BestPrice, amount: int) -> SafeString:
    """``¥12,000 / seat``, or ``¥3,000 / seat / 30 days`` for a subscription (the book prices one period)."""
    shown = format_html('<strong class="price">{}</strong>', money(amount, best.currency))
    if best.is_subscription and best.period_days:
        template = ngettext("%(price)s / seat / %(days)s day", "%(price)s / seat / %(days)s days", best.period_days)
        return mark_safe(escape(template) % {"price": shown, "days": f"{best.period_days:,}"})  # noqa: S308 - escaped
    return mark_safe(escape(_("%(price)s / seat")) % {"price": shown})  # noqa: S308 - both parts escaped


def term_phrase(best: BestPrice) -> str:
    """The licence a seat buys: "365-day licence", or for a subscription its periods ("12 periods")."""
    if best.is_subscription:
        periods = best.term_periods or 1
        return ngettext("%(count)s period", "%(count)s periods", periods) % {"count": f"{periods:,}"}
    if best.duration_days is None:
        return _("licence")
    return _("%(days)s-day licence") % {"days": f"{best.duration_days:,}"}


def price_phrase(best: BestPrice) -> SafeString:
    """The best price, the licence and the seats left in one line:
    ``¥12,000 / seat · 365-day licence · 3 seats left``; ``No asking price yet · …`` while no seat is offered."""
    price = unit_price(best, best.price) if best.price is not None else escape(_("No asking price yet"))
    seats = format_html(
        '<abbr class="seats" title="{}">{}</abbr>', seats_explained(best.seats_left), seats_phrase(best.seats_left)
    )
    return format_html(
        '<span class="price-phrase" data-offering="{}">{} · {} · {}</span>',
        best.offering_id,
        price,
        term_phrase(best),
        seats,
    )


def dataset_price_phrases(dataset_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each dataset's best price as its phrase (catalog.hooks.dataset_prices): one query for the whole page."""
    return {dataset_id: price_phrase(best) for dataset_id, best in dataset_best_prices(dataset_ids=dataset_ids).items()}
