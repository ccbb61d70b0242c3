"""Pages of private offers: the list of those received and sent, the seller's form that makes one (from its dataset's
page, or answering a data request with ``?data_request=``), and an offer's page, where the revisions stand side by
side with what changed highlighted and the party whose turn it is accepts (naming the hash), counters or declines.

Thin like the API views: read through ``deals.selectors``, write through ``deals.services.private_offers``, and show
a ``DomainError`` next to the fields it names. The terms fields are the offering form's (one per settable value of
the template, in the reader's language), so a counter-offer is written in the words of the contract.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
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
from django.utils.translation import gettext_lazy, pgettext

from catalog import selectors as catalog_selectors
from catalog.models import Dataset
from config.api.principal import BUYER, SELLER, Principal, principal_of
from config.errors import DomainError, NotFound
from config.text import displayable_line, displayable_text
from config.web import principal_required
from contracts.registry import Template, template_get, templates_current
from contracts.terms import with_defaults
from contracts.web.display import Lang, clause_notes, current_lang, money, term_rows
from contracts.web.previews import document_preview, preview_facts
from deals import selectors
from deals.models import DataRequest, PrivateOffer, PrivateOfferRevision
from deals.services.private_offers import (
    MAX_VALIDITY,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    buyer_hidden,
    effective_status,
    private_offer_accept,
    private_offer_counter,
    private_offer_create,
    private_offer_decline,
)
from marketplace.hooks import settlements_of_trades
from marketplace.services.exclusivity import ExclusivityRefused
from marketplace.services.orders import MAX_PRICE, MAX_QUANTITY
from marketplace.web.offerings import KIND_FIELDS, OfferingForm

member_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation trading on the market have private offers.")
)
seller_required = principal_required(
    refusal=gettext_lazy("Only organisations with the seller role may make private offers."), role=SELLER
)

DEFAULT_VALID_DAYS = 14

# Fields of the offering form that a private offer does not have: its kind (a licence, always), its seats (the
# quantity is the offer's), its delivery (the market's).
_NOT_IN_A_DEAL = ("kind", *KIND_FIELDS, "license_seats", "unlimited", "delivery_url")


def status_label(status: str) -> str:
    labels: dict[str, str] = {
        PrivateOffer.Status.OPEN: pgettext("private offer", "Open"),
        PrivateOffer.Status.ACCEPTED: pgettext("private offer", "Accepted"),
        PrivateOffer.Status.DECLINED: pgettext("private offer", "Declined"),
        PrivateOffer.Status.EXPIRED: pgettext("private offer", "Expired"),
    }
    return str(labels.get(status, status))


def party_label(party: str) -> str:
    return _("Seller") if party == SELLER else _("Buyer")


def proposal_label(offer: PrivateOffer) -> str:
    """How the offer began, when the buyer began it ("" for a seller's offer)."""
    if offer.proposed_by != BUYER:
        return ""
    if offer.proposed_via == PrivateOffer.Via.DSP:
        return _("Proposed by the buyer over the Dataspace Protocol")
    return _("Proposed by the buyer")


# --- forms ---------------------------------------------------------------------------------------------------


class DealTermsForm(OfferingForm):
    """The offering form's terms fields (the template's settable values), pre-filled from ``terms`` (a revision's, or
    the template's defaults), with the deal's price per seat and seats. Built without arguments too (the text rule's
    walk): the first current template, for anonymised data, in English."""

    price = forms.IntegerField(
        label=gettext_lazy("Price per seat"),
        min_value=1,
        max_value=MAX_PRICE,
        help_text=gettext_lazy("In minor units of the currency (yen for JPY)."),
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Seats"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        help_text=gettext_lazy("An exclusive licence is sold once: one seat."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the other party"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[displayable_text],
        help_text=gettext_lazy("Shown with this revision; not part of the contract."),
    )

    def __init__(
        self,
        *args: Any,
        template: Template | None = None,
        data_class: str = "anonymized",
        lang: Lang = "en",
        terms: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        template = template or templates_current()[0]
        super().__init__(*args, template=template, data_class=data_class, lang=lang, **kwargs)
        for name in _NOT_IN_A_DEAL:
            self.fields.pop(name, None)
        if terms is not None:
            self.initial.update(self._initial_terms(template, with_defaults(template, terms)))
            self._coded_initial()

    def _check_kind_and_seats(self, cleaned: dict[str, Any]) -> None:
        """No kind and no seats fields here (a deal sells a licence, its seats set by its own fields)."""

    def add_domain_error(self, exc: DomainError) -> None:
        if isinstance(exc, ExclusivityRefused):
            self.add_exclusivity_error(exc)
            return
        if "license_seats" in exc.errors:  # a revision's seats are its licence's seats
            exc.errors.pop("license_seats")
            self.add_error("quantity", _("An exclusive licence is sold once: one seat."))
        for key in ("price", "quantity", "note", "expires_at"):
            if key in exc.errors and key in self.fields:
                self.add_error(key, "; ".join(exc.errors.pop(key)))
        super().add_domain_error(exc)


class PrivateOfferForm(DealTermsForm):
    """The seller's offer: which dataset, to whom (an organisation's id, or the data request it answers), for how
    long, and the terms, price and seats."""

    dataset = forms.ChoiceField(label=gettext_lazy("Dataset"), choices=())
    buyer = forms.UUIDField(
        label=gettext_lazy("Buyer (organisation id)"),
        required=False,
        help_text=gettext_lazy("The id of the organisation you offer to; leave empty when answering a data request."),
    )
    data_request = forms.UUIDField(
        label=gettext_lazy("Data request"),
        required=False,
        help_text=gettext_lazy("The request this offer answers: its author is the buyer."),
    )
    valid_days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=MAX_VALIDITY.days,
        initial=DEFAULT_VALID_DAYS,
        help_text=gettext_lazy("The offer expires after this many days unless it is accepted."),
    )

    def __init__(self, *args: Any, datasets: list[Dataset] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(d.id), d.title) for d in datasets or []]
        self.fields["dataset"].choices = choices  # type: ignore[attr-defined]
        self.fields["currency"].help_text = gettext_lazy("ISO 4217 code; JPY has no minor unit.")


class CounterForm(DealTermsForm):
    """A counter-offer: the latest revision's terms, price and seats, changed where the party wants (the currency
    is the offer's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("currency", None)


class AcceptForm(forms.Form):
    accepted_terms_sha256 = forms.RegexField(
        regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput, validators=[displayable_line]
    )
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    accept_terms = forms.BooleanField(
        label=gettext_lazy("I accept these terms, price and seats for my organisation."), required=True
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=REASON_MAX_LENGTH, validators=[displayable_line]
    )


# --- the dataset page's button -----------------------------------------------------------------------------------


def dataset_panel(request: HttpRequest, dataset_id: uuid.UUID) -> str:
    """ "Make a private offer" on the seller's own published dataset's page; "" for anyone else."""
    principal = principal_of(request)
    if principal is None or not principal.is_seller:
        return ""
    owned = Dataset.objects.filter(
        pk=dataset_id, seller_id=principal.organization_id, status=Dataset.Status.PUBLISHED
    ).exists()
    if not owned:
        return ""
    url = f"{reverse('deals:private_offer_new')}?dataset={dataset_id}"
    return render_to_string("deals/_private_offer_panel.html", {"url": url}, request=request)


# --- what the pages show -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferLine:
    offer: PrivateOffer
    latest: PrivateOfferRevision
    status: str
    status_label: str
    my_turn: bool
    counterparty: str  # the other party's name, or "" when hidden
    proposal: str  # "Proposed by the buyer ..." when the buyer wrote revision 1, else ""

    @property
    def amount(self) -> str:
        return money(self.latest.price * self.latest.quantity, self.offer.currency)


def _line(offer: PrivateOffer, organization_id: uuid.UUID) -> OfferLine:
    revisions = sorted(offer.revisions.all(), key=lambda r: r.number)
    latest = revisions[-1]
    status = effective_status(offer)
    mine = SELLER if organization_id == offer.seller_id else BUYER
    if mine == SELLER:
        counterparty = "" if buyer_hidden(offer, organization_id) else offer.buyer.name
    else:
        counterparty = offer.seller.name
    return OfferLine(
        offer=offer,
        latest=latest,
        status=status,
        status_label=status_label(status),
        my_turn=status == PrivateOffer.Status.OPEN and latest.author != mine,
        counterparty=counterparty,
        proposal=proposal_label(offer),
    )


@dataclass(frozen=True)
class CompareRow:
    label: str
    previous: str
    latest: str
    changed: bool


def _compare(
    template: Template, latest: PrivateOfferRevision, previous: PrivateOfferRevision | None, lang: Lang, currency: str
) -> list[CompareRow]:
    """The latest revision beside the previous one: price, seats, amount and every term, each marked if it changed."""
    rows = [
        CompareRow(
            str(_("Price per seat")),
            money(previous.price, currency) if previous else "",
            money(latest.price, currency),
            previous is not None and previous.price != latest.price,
        ),
        CompareRow(
            str(_("Seats")),
            str(previous.quantity) if previous else "",
            str(latest.quantity),
            previous is not None and previous.quantity != latest.quantity,
        ),
        CompareRow(
            str(_("Amount")),
            money(previous.price * previous.quantity, currency) if previous else "",
            money(latest.price * latest.quantity, currency),
            previous is not None and previous.price * previous.quantity != latest.price * latest.quantity,
        ),
    ]
    now_rows = term_rows(template, latest.terms, lang, currency=currency)
    before: dict[str, str] = {}
    if previous is not None:
        before = {row.path: row.value for row in term_rows(template, previous.terms, lang, currency=currency)}
    for row in now_rows:
        was = before.get(row.path, "")
        rows.append(CompareRow(row.label, was, row.value, previous is not None and was != row.value))
    return rows


def _offer(offer_id: uuid.UUID, principal: Principal) -> PrivateOffer:
    try:
        return selectors.private_offer_get(private_offer_id=offer_id, organization_id=principal.organization_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _detail(
    request: HttpRequest,
    principal: Principal,
    offer: PrivateOffer,
    *,
    counter_form: CounterForm | None = None,
    accept_form: AcceptForm | None = None,
    status: int = 200,
) -> HttpResponse:
    lang = current_lang()
    template = template_get(offer.template_code, offer.template_version)
    line = _line(offer, principal.organization_id)
    revisions = sorted(offer.revisions.all(), key=lambda r: r.number)
    latest = revisions[-1]
    previous = revisions[-2] if len(revisions) > 1 else None
    mine = SELLER if principal.organization_id == offer.seller_id else BUYER
    settlement_id = None
    if offer.trade_id is not None:
        settlement_id = settlements_of_trades([offer.trade_id]).get(offer.trade_id)
    notes = clause_notes(
        template, offer.dataset.data_class, lang, mandatory_clauses=latest.mandatory_clauses, terms=latest.terms
    )
    preview = ""
    if request.GET.get("preview"):
        version = catalog_selectors.latest_published_version(dataset=offer.dataset)
        if version is not None:
            facts = preview_facts(
                dataset=offer.dataset,
                version=version,
                seller_name=offer.seller.name,
                terms=latest.terms,
                terms_sha256=latest.terms_sha256,
                currency=offer.currency,
                lang=lang,
            )
            preview = document_preview(template, latest.terms, facts, lang)
    if counter_form is None and line.my_turn:
        counter_form = CounterForm(
            template=template,
            data_class=offer.dataset.data_class,
            lang=lang,
            terms=latest.terms,
            initial={"price": latest.price, "quantity": latest.quantity, "currency": offer.currency},
        )
    return render(
        request,
        "deals/private_offer.html",
        {
            "offer": offer,
            "line": line,
            "me": mine,
            "my_label": party_label(mine),
            "latest": latest,
            "previous": previous,
            "latest_author": party_label(latest.author),
            "previous_author": party_label(previous.author) if previous else "",
            "rows": _compare(template, latest, previous, lang, offer.currency),
            "history": [(revision, party_label(revision.author)) for revision in reversed(revisions)],
            "template_title": template.title[lang],
            "counter_form": counter_form if line.my_turn else None,
            "accept_form": accept_form
            or AcceptForm(initial={"accepted_terms_sha256": latest.terms_sha256, "revision": latest.number}),
            "decline_form": DeclineForm(),
            "contract_id": offer.trade.contract_id if offer.trade is not None else None,
            "settlement_id": settlement_id,
            "declined_by": party_label(offer.declined_by) if offer.declined_by else "",
            "fixed_clauses": [note for note in notes if not note.negotiable],
            "preview": preview,
        },
        status=status,
    )


# --- views -------------------------------------------------------------------------------------------------------


@member_required
def private_offer_list(request: HttpRequest, principal: Principal) -> HttpResponse:
    organization_id = principal.organization_id
    received = selectors.private_offers_for(organization_id=organization_id, role="buyer")[:200]
    sent = selectors.private_offers_for(organization_id=organization_id, role="seller", proposed_by=SELLER)[:200]
    # Buyers' proposals to this seller (over the Dataspace Protocol, a connector's counter-offer): its turn first.
    proposals = selectors.private_offers_for(organization_id=organization_id, role="seller", proposed_by=BUYER)[:200]
    return render(
        request,
        "deals/private_offers.html",
        {
            "received": [_line(offer, organization_id) for offer in received],
            "sent": [_line(offer, organization_id) for offer in sent],
            "proposals": [_line(offer, organization_id) for offer in proposals],
            "can_offer": principal.is_seller,
        },
    )


@seller_required
def private_offer_new(request: HttpRequest, principal: Principal) -> HttpResponse:
    datasets = list(
        Dataset.objects.filter(seller_id=principal.organization_id, status=Dataset.Status.PUBLISHED).order_by("title")
    )
    lang = current_lang()
    template = templates_current()[0]
    source = request.POST if request.method == "POST" else request.GET
    chosen = next((d for d in datasets if str(d.id) == source.get("dataset")), datasets[0] if datasets else None)
    request_id = source.get("data_request", "")
    answering: DataRequest | None = None
    if request_id:
        try:  # a request this seller may read and answer (the data requests' rule), else none
            found = selectors.data_request_get(data_request_id=request_id, principal=principal)
        except NotFound:
            found = None
        if found is not None and selectors.data_request_status(found) == selectors.DataRequestStatus.OPEN:
            answering = found
    initial = {
        "dataset": str(chosen.id) if chosen else "",
        "data_request": str(answering.id) if answering else "",
        "valid_days": DEFAULT_VALID_DAYS,
        "currency": answering.currency if answering else "JPY",
        "quantity": 1,
    }
    if answering is not None:
        initial["territory"] = ", ".join(answering.territory or []) or "JP"
    form = PrivateOfferForm(
        request.POST if request.method == "POST" else None,
        datasets=datasets,
        template=template,
        data_class=chosen.data_class if chosen else "iot",
        lang=lang,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            offer = private_offer_create(
                principal=principal,
                dataset_id=uuid.UUID(data["dataset"]),
                template_code=template.code,
                terms=form.terms(),
                price=data["price"],
                quantity=data["quantity"],
                currency=data["currency"],
                expires_at=timezone.now() + timedelta(days=data["valid_days"]),
                buyer_id=data["buyer"],
                data_request_id=data["data_request"],
                note=data["note"],
            )
        except DomainError as exc:
            for key in ("buyer", "data_request", "dataset"):
                if key in exc.errors:
                    form.add_error(key, "; ".join(exc.errors.pop(key)))
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The private offer is sent. Only the buyer and you can see it."))
            return redirect("deals:private_offer", private_offer_id=offer.id)
    return render(
        request,
        "deals/private_offer_form.html",
        {
            "form": form,
            "datasets": datasets,
            "dataset": chosen,
            "answering": answering,
            "template_title": template.title[lang],
        },
    )


@member_required
def private_offer_detail(request: HttpRequest, principal: Principal, private_offer_id: uuid.UUID) -> HttpResponse:
    return _detail(request, principal, _offer(private_offer_id, principal))


def _post_only(request: HttpRequest, private_offer_id: uuid.UUID) -> HttpResponse | None:
    if request.method != "POST":
        return redirect("deals:private_offer", private_offer_id=private_offer_id)
    return None


@member_required
def private_offer_counter_view(request: HttpRequest, principal: Principal, private_offer_id: uuid.UUID) -> HttpResponse:
    if (response := _post_only(request, private_offer_id)) is not None:
        return response
    offer = _offer(private_offer_id, principal)
    template = template_get(offer.template_code, offer.template_version)
    form = CounterForm(request.POST, template=template, data_class=offer.dataset.data_class, lang=current_lang())
    if form.is_valid():
        data = form.cleaned_data
        try:
            private_offer_counter(
                principal=principal,
                private_offer_id=offer.id,
                terms=form.terms(),
                price=data["price"],
                quantity=data["quantity"],
                note=data["note"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Your counter-offer is sent: it is the other party's turn."))
            return redirect("deals:private_offer", private_offer_id=offer.id)
    return _detail(request, principal, _offer(private_offer_id, principal), counter_form=form, status=400)


# --- the buyer's review before accepting ----------------------------------------------------------------------
# The buyer accepts through a review (a GET page whose URL holds the revision, so signing in again returns to it)
# showing the licence, the price, the consumption tax and the total; its "Confirm" posts the acceptance. A seller
# accepting a buyer's revision sells, and accepts directly.


def _review_url(offer_id: uuid.UUID, values: QueryDict | dict[str, Any]) -> str:
    query = {
        key: str(values.get(key)) for key in ("revision", "accepted_terms_sha256", "accept_terms") if values.get(key)
    }
    return f"{reverse('deals:private_offer_review', args=[offer_id])}?{urlencode(query)}"


def _stale(form: AcceptForm, latest: PrivateOfferRevision) -> bool:
    return (
        form.cleaned_data["revision"] != latest.number
        or form.cleaned_data["accepted_terms_sha256"] != latest.terms_sha256
    )


@member_required
def private_offer_review(request: HttpRequest, principal: Principal, private_offer_id: uuid.UUID) -> HttpResponse:
    offer = _offer(private_offer_id, principal)
    line = _line(offer, principal.organization_id)
    if principal.organization_id != offer.buyer_id or not line.my_turn:  # nothing for this caller to accept
        return redirect("deals:private_offer", private_offer_id=offer.id)
    form = AcceptForm(request.GET)
    if not form.is_valid():
        return _detail(request, principal, offer, accept_form=form, status=400)
    latest = line.latest
    stale = _stale(form, latest)
    changes = []
    if stale:
        changes.append(
            _("The offer changed while you read it: revision %(number)s is the latest. Review it before you accept.")
            % {"number": latest.number}
        )
    detail = reverse("deals:private_offer", args=[offer.id])
    return render(
        request,
        "deals/private_offer_review.html",
        {
            "offer": offer,
            "latest": latest,
            "quote": selectors.private_offer_quote(offer=offer, revision=latest),
            "changes": changes,
            "stale": stale,
            "confirm": [
                ("accepted_terms_sha256", latest.terms_sha256),
                ("revision", str(latest.number)),
                ("reviewed", "1"),
            ],
            "terms_url": f"{detail}#compare",
            "change_url": f"{detail}#counter",
        },
    )


def private_offer_accept_view(request: HttpRequest, private_offer_id: uuid.UUID) -> HttpResponse:
    """A buyer whose session ended on the review comes back to the same review after signing in."""
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(_review_url(private_offer_id, request.POST))
    return _private_offer_accept(request, private_offer_id=private_offer_id)


@member_required
def _private_offer_accept(request: HttpRequest, principal: Principal, private_offer_id: uuid.UUID) -> HttpResponse:
    if (response := _post_only(request, private_offer_id)) is not None:
        return response
    offer = _offer(private_offer_id, principal)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _detail(request, principal, offer, accept_form=form, status=400)
    if principal.organization_id == offer.buyer_id and offer.status == PrivateOffer.Status.OPEN:
        latest = _line(offer, principal.organization_id).latest
        if request.POST.get("reviewed") != "1" or _stale(form, latest):  # never bought unseen, nor changed since
            return redirect(_review_url(offer.id, request.POST))
    try:
        private_offer_accept(
            principal=principal,
            private_offer_id=offer.id,
            accepted_terms_sha256=form.cleaned_data["accepted_terms_sha256"],
            revision=form.cleaned_data["revision"],
        )
    except DomainError as exc:
        messages.error(request, _accept_refusal(exc))
    else:
        messages.success(request, _("Accepted: the contract is concluded and the payment is on its way."))
    return redirect("deals:private_offer", private_offer_id=offer.id)


def _accept_refusal(exc: DomainError) -> str:
    if "accepted_terms_sha256" in exc.errors and "revision" in exc.errors:
        return _("The offer changed while you read it: read the latest revision and accept that one.")
    if "status" in exc.errors:
        return _("This private offer is no longer open.")
    if isinstance(exc, ExclusivityRefused):
        return _("An exclusive licence of this dataset is in the way in this territory: the deal cannot conclude.")
    return exc.detail


@member_required
def private_offer_decline_view(request: HttpRequest, principal: Principal, private_offer_id: uuid.UUID) -> HttpResponse:
    if (response := _post_only(request, private_offer_id)) is not None:
        return response
    offer = _offer(private_offer_id, principal)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        private_offer_decline(principal=principal, private_offer_id=offer.id, reason=reason)
    except DomainError as exc:
        messages.error(request, _accept_refusal(exc))
    else:
        messages.success(request, _("The private offer is declined."))
    return redirect("deals:private_offer", private_offer_id=offer.id)
