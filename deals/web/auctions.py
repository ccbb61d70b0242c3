"""Pages of sealed-bid auctions: the public list (open ones, closing soonest first, and closed ones with their
clearing prices), an auction's page (the terms, the closing time, the bid form, the caller's own bid with raise
and withdraw, after the close the result), the seller's form that auctions a dataset, and the dataset page's panel.

Thin like the API views: reads through ``deals.selectors``, writes through ``deals.services.auctions``; a
``DomainError`` is shown with the form that caused it, which keeps what was typed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import selectors as catalog_selectors
from catalog.models import Dataset
from catalog.web.access import dataset_owned, seller_required
from config.api.principal import SELLER, Principal, principal_of
from config.errors import DomainError, NotFound
from config.web import principal_required
from contracts import eligibility
from contracts.registry import template_get
from contracts.web.display import clause_notes, current_lang, term_rows
from deals import selectors
from deals.models import Auction, AuctionBid
from deals.services.auctions import (
    AUCTION_CLOSED,
    MAX_OPEN_DAYS,
    MAX_SEATS,
    auction_bid_place,
    auction_bid_withdraw,
    auction_open,
)
from marketplace import selectors as market_selectors
from marketplace.services.exclusivity import ExclusivityRefused
from marketplace.services.orders import MAX_PRICE
from marketplace.web.offerings import KIND_FIELDS, OfferingForm
from marketplace.web.orders import REFUSAL_TEXTS, TermsAcceptanceForm

CLOSED_LISTED = 50  # closed auctions on the list page, latest first

member_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation trading on the market take part in auctions.")
)


# --- forms -------------------------------------------------------------------------------------------------


def _price_field(label: Any, help_text: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=MAX_PRICE,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
    )


def auction_field_error(reason: str) -> str:
    """A reason ``auction_open`` gives for a field (plain English, stable for the API) as the form says it to people;
    an unknown reason is shown as it is."""
    labels = {
        "must be in the future": gettext_lazy("The closing time must be in the future."),
        f"at most {MAX_OPEN_DAYS} days ahead": gettext_lazy("The auction closes at most %(days)s days from now.")
        % {"days": MAX_OPEN_DAYS},
        "must be 1 for an exclusive licence": gettext_lazy(
            "An exclusive licence is sold once: it has exactly one seat."
        ),
    }
    return str(labels.get(reason, reason))


class AuctionForm(OfferingForm):
    """The offer form's terms (one field per settable term of the template, at its defaults), without what an
    auction does not have (a kind: licences only; unlimited seats; a delivery URL), with the seats, the reserve
    price and the closing time."""

    seat_count = forms.IntegerField(
        label=gettext_lazy("Seats"),
        min_value=1,
        max_value=MAX_SEATS,
        initial=1,
        help_text=gettext_lazy("How many seats the auction sells: exactly one for an exclusive licence."),
    )
    reserve_price = _price_field(
        gettext_lazy("Reserve price per seat"),
        gettext_lazy("No seat sells below it; bidders see it. In minor units of the currency (yen for JPY)."),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Closes at"),
        help_text=gettext_lazy("Japan time; at most %(days)s days ahead. Bids are taken until then.")
        % {"days": MAX_OPEN_DAYS},
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    OMITTED = ("kind", *KIND_FIELDS, "license_seats", "unlimited", "delivery_url")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "closes_at", timezone.localtime(timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        for name in self.OMITTED:
            del self.fields[name]
        if "license_type" in self.fields:
            self.initial["license_type"] = "exclusive"

    def _check_kind_and_seats(self, cleaned: dict[str, Any]) -> None:
        """No kind and no seats fields here (a deal sells a licence, its seats set by its own fields)."""

    def add_domain_error(self, exc: DomainError) -> None:
        """A refusal naming one of the auction's own fields goes there; the terms' as on the offer form."""
        fields = {"seats": "seat_count", "license_seats": "seat_count", "reserve_price": "reserve_price"}
        own = {fields.get(key, key): reasons for key, reasons in exc.errors.items()}
        own = {key: reasons for key, reasons in own.items() if key in ("seat_count", "reserve_price", "closes_at")}
        if own:
            for key, reasons in own.items():
                self.add_error(key, "; ".join(auction_field_error(str(reason)) for reason in reasons))
            self.add_error(None, exc.detail)
            return
        super().add_domain_error(exc)


# The reasons ``auction_bid_place`` gives for a bid's price (plain English, stable for the API), as people read them.
BID_PRICE_ERRORS = {
    "below the reserve price": gettext_lazy("Bid at least the reserve price."),
    "lower than your bid": gettext_lazy(
        "A bid can only be raised. To bid lower, withdraw your bid and bid again: the new bid takes a new time."
    ),
}


class AuctionBidForm(TermsAcceptanceForm):
    """A sealed bid (or a raise) per seat, naming the hash of the terms the bidder read and ticked."""

    action = "bid"
    price = _price_field(
        gettext_lazy("Your bid per seat"),
        gettext_lazy("In minor units of the currency (yen for JPY). At least the reserve price."),
    )
    field_order = ["price", "accept_terms"]

    def add_domain_error(self, exc: DomainError) -> None:
        """The service's refusal of the price at the field and a closed auction above, in the reader's language;
        anything else as the order forms show it."""
        reasons = exc.errors.get("price")
        if reasons:
            self.add_error("price", "; ".join(str(BID_PRICE_ERRORS.get(str(r), r)) for r in reasons))
        elif exc.code == AUCTION_CLOSED:
            self.add_error(None, _("The auction has closed: it takes no more bids, raises or withdrawals."))
        else:
            super().add_domain_error(exc)


# --- views -------------------------------------------------------------------------------------------------


def _auction(auction_id: uuid.UUID) -> Auction:
    try:
        return selectors.auction_get(auction_id=auction_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def auction_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    viewer = principal.organization_id if principal else None
    open_auctions = list(selectors.auctions_list(status=Auction.Status.OPEN).order_by("closes_at", "id"))
    closed = list(
        selectors.auctions_list().exclude(status=Auction.Status.OPEN).order_by("-closed_at", "-id")[:CLOSED_LISTED]
    )
    return render(
        request,
        "deals/auctions.html",
        {
            "open_auctions": selectors.auctions_page_views(auctions=open_auctions, organization_id=viewer),
            "closed_auctions": selectors.auctions_page_views(auctions=closed, organization_id=viewer),
        },
    )


def auction_detail(request: HttpRequest, auction_id: uuid.UUID, *, form: AuctionBidForm | None = None) -> HttpResponse:
    auction = _auction(auction_id)
    principal = principal_of(request)
    view = selectors.auction_view(auction=auction, organization_id=principal.organization_id if principal else None)
    offering = auction.offering
    template = template_get(offering.template_code, offering.template_version)
    lang = current_lang()
    rows = term_rows(template, offering.terms, lang, currency=offering.currency)
    notes = clause_notes(
        template, auction.dataset.data_class, lang, mandatory_clauses=offering.mandatory_clauses, terms=offering.terms
    )
    anonymized = auction.dataset.data_class == "anonymized"
    own = view.own_bid
    refusal = ""
    if principal is not None and principal.is_buyer and not view.is_seller:
        # The buyer rule, asked as the bid will be (contracts.eligibility): say why not instead of a form.
        refused = eligibility.buyer_refusal(
            buyer=eligibility.Buyer.of(principal), offering=offering, accepted_terms_sha256=offering.terms_sha256
        )
        if refused is not None:
            facts = {"territory": ", ".join(offering.terms.get("territory", [])), "country": principal.country}
            refusal = str(REFUSAL_TEXTS[refused.code]) % facts
    can_bid = (
        principal is not None
        and principal.is_buyer
        and not view.is_seller
        and not refusal
        and auction.status == Auction.Status.OPEN
        and timezone.now() < auction.closes_at
    )
    if form is None and can_bid:
        active = own is not None and own.status == AuctionBid.Status.ACTIVE
        form = AuctionBidForm(
            initial={"accepted_terms_sha256": offering.terms_sha256, "price": own.price if active and own else None},
            anonymized=anonymized,
        )
    return render(
        request,
        "deals/auction.html",
        {
            "auction": auction,
            "view": view,
            "offering": offering,
            "dataset": auction.dataset,
            "rows": rows,
            "changed": [row for row in rows if row.changed],
            "exclusive": offering.terms.get("license_type") == "exclusive",
            "fixed_clauses": [note for note in notes if not note.negotiable],
            "template_title": template.title[lang],
            "form": form,
            "can_bid": can_bid,
            "refusal": refusal,
            "anonymized": anonymized,
            "own": own,
            "own_active": own is not None and own.status == AuctionBid.Status.ACTIVE,
            "past_closing": timezone.now() >= auction.closes_at,
            "closes_in_ms": max(0, int((auction.closes_at - timezone.now()).total_seconds() * 1000)),
        },
    )


# --- the bidder's review before a bid ------------------------------------------------------------------------
# A bid passes through a review (a GET page whose URL holds it, so signing in again returns to it) showing the
# licence, the bid, the consumption tax and the total at most; its "Place bid" posts the bid.


def _bid_review_url(auction_id: uuid.UUID, values: QueryDict | dict[str, Any]) -> str:
    query = {key: str(values.get(key)) for key in ("price", "accepted_terms_sha256", "accept_terms") if values.get(key)}
    return f"{reverse('deals:auction_bid_review', args=[auction_id])}?{urlencode(query)}"


@member_required
def auction_bid_review(request: HttpRequest, principal: Principal, auction_id: uuid.UUID) -> HttpResponse:
    auction = _auction(auction_id)
    form = AuctionBidForm(request.GET, anonymized=auction.dataset.data_class == "anonymized")
    if not form.is_valid():
        return auction_detail(request, auction.id, form=form)
    offering = auction.offering
    stale = form.cleaned_data["accepted_terms_sha256"] != offering.terms_sha256
    changes = (
        [_("The offering's terms changed since you accepted them: read them again and accept them.")] if stale else []
    )
    price = form.cleaned_data["price"]
    return render(
        request,
        "deals/auction_bid_review.html",
        {
            "auction": auction,
            "quote": market_selectors.purchase_quote(
                offering=offering, buyer_country=principal.country, price=price, quantity=1
            ),
            "changes": changes,
            "stale": stale,
            "confirm": [
                ("price", str(price)),
                ("accepted_terms_sha256", offering.terms_sha256),
                ("reviewed", "1"),
            ],
            "terms_url": reverse("deals:auction", args=[auction.id]) + "#terms-heading",
            "change_url": reverse("deals:auction", args=[auction.id]) + "#bid-form",
        },
    )


def auction_bid(request: HttpRequest, auction_id: uuid.UUID) -> HttpResponse:
    """A bidder whose session ended on the review comes back to the same review after signing in."""
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(_bid_review_url(auction_id, request.POST))
    return _auction_bid(request, auction_id=auction_id)


@member_required
def _auction_bid(request: HttpRequest, principal: Principal, auction_id: uuid.UUID) -> HttpResponse:
    if request.method != "POST":
        return redirect("deals:auction", auction_id=auction_id)
    auction = _auction(auction_id)
    form = AuctionBidForm(request.POST, anonymized=auction.dataset.data_class == "anonymized")
    if form.is_valid():
        reviewed = request.POST.get("reviewed") == "1"
        if not reviewed or form.cleaned_data["accepted_terms_sha256"] != auction.offering.terms_sha256:
            return redirect(_bid_review_url(auction.id, request.POST))  # never placed unseen, nor on changed terms
        try:
            placed = auction_bid_place(
                principal=principal,
                auction_id=auction.id,
                price=form.cleaned_data["price"],
                accepted_terms_sha256=form.cleaned_data["accepted_terms_sha256"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            if placed.created:
                messages.success(request, _("Your bid is placed. Nobody else sees it; you may raise or withdraw it."))
            else:
                messages.success(request, _("Your bid is now %(price)s a seat.") % {"price": f"{placed.bid.price:,}"})
            return redirect("deals:auction", auction_id=auction.id)
    return auction_detail(request, auction.id, form=form)


@member_required
def auction_withdraw(request: HttpRequest, principal: Principal, auction_id: uuid.UUID) -> HttpResponse:
    if request.method == "POST":
        try:
            auction_bid_withdraw(principal=principal, auction_id=auction_id)
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Your bid is withdrawn. You may bid again until the auction closes."))
    return redirect("deals:auction", auction_id=auction_id)


def auction_of_offering(request: HttpRequest, offering_id: uuid.UUID) -> HttpResponse:
    """The auction that sells through this offering (the offering's page links here)."""
    try:
        auction = selectors.auction_get_by_offering(offering_id=offering_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    return redirect("deals:auction", auction_id=auction.id)


@seller_required
def auction_create(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = dataset_owned(dataset_id, principal)
    template = template_get("meti-data-provision")
    lang = current_lang()
    version = catalog_selectors.latest_published_version(dataset=dataset)
    form = AuctionForm(
        request.POST if request.method == "POST" else None, template=template, data_class=dataset.data_class, lang=lang
    )
    if request.method == "POST" and form.is_valid():
        try:
            auction = auction_open(
                principal=principal,
                dataset_id=dataset.id,
                template_code=template.code,
                terms=form.terms(),
                seats=form.cleaned_data["seat_count"],
                reserve_price=form.cleaned_data["reserve_price"],
                closes_at=form.cleaned_data["closes_at"],
                currency=form.cleaned_data["currency"],
            )
        except ExclusivityRefused as exc:
            form.add_exclusivity_error(exc)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The auction is open. You accepted its terms as the seller."))
            return redirect("deals:auction", auction_id=auction.id)
    notes = clause_notes(template, dataset.data_class, lang)
    return render(
        request,
        "deals/auction_form.html",
        {
            "dataset": dataset,
            "version": version,
            "template": template,
            "template_title": template.title[lang],
            "form": form,
            "fixed_clauses": [note for note in notes if not note.negotiable],
            "can_offer": dataset.status == Dataset.Status.PUBLISHED and version is not None,
        },
    )


def auction_dataset_panel(request: HttpRequest, dataset_id: uuid.UUID) -> str:
    """On a dataset's page (``catalog.hooks.register_dataset_panel``): its open auctions, for anyone, and for its
    seller the link that auctions it. "" when there is nothing to show."""
    auctions = list(selectors.auctions_list(status=Auction.Status.OPEN, dataset_id=dataset_id).order_by("closes_at"))
    principal = principal_of(request)
    owner = (
        principal is not None
        and SELLER in principal.roles
        and Dataset.objects.filter(pk=dataset_id, seller_id=principal.organization_id, status="published").exists()
    )
    if not auctions and not owner:
        return ""
    return render_to_string(
        "deals/auction_dataset_panel.html",
        {"auctions": auctions, "owner": owner, "dataset_id": dataset_id},
        request=request,
    )
