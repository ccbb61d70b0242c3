"""Requests for data on the web: a verified seller's "Requests" (the open ones, each with "Answer with a private
offer"), a buyer's "My requests" and its "Request data" form, and a request's page with its answers (the buyer sees
every one, a seller its own) and, for its buyer, "Close the request".

Thin like the API views: reads through ``deals.selectors``, writes through ``deals.services.data_requests``; the
form checks what a person typed and asks the service's own rules (territory, currency, respond_by) so that it can
say a refusal in the reader's words. The private offer pages belong to the private offers' part of this app: they
are linked by path when their route names are not there.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from catalog.models import Category, DataClass
from catalog.web.datasets import split_list
from config.api.principal import BUYER, SELLER, Principal
from config.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from config.text import displayable_line, displayable_text
from config.web import principal_required
from contracts.terms import unknown_countries
from deals import selectors
from deals.models import DataRequest, PrivateOffer
from deals.services import data_requests as services

PAGE_SIZE = 20
DEFAULT_RESPOND_DAYS = 30

member_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation trading on the market see requests for data.")
)
seller_required = principal_required(
    refusal=gettext_lazy("Only organisations with the seller role answer requests for data."), role=SELLER
)
buyer_required = principal_required(
    refusal=gettext_lazy("Only organisations with the buyer role request data."), role=BUYER
)
NOT_VERIFIED_SELLER = gettext_lazy(
    "Only sellers verified by the market operator see requests for data. Ask the operator to verify your organisation."
)
NOT_VERIFIED_BUYER = gettext_lazy(
    "Only organisations verified by the market operator may request data. Ask the operator to verify your organisation."
)
PERSONAL_DATA_EXPLANATION = gettext_lazy(
    "Personal data cannot be requested on Ichiba. The market trades anonymously processed information "
    "(匿名加工情報) and non-personal data such as IoT sensing only; personal data moves under the data subject's "
    "own control through an information bank (情報銀行) or a PDS. Ask for anonymously processed information."
)

ANSWER_STATUS_LABELS: dict[str, Any] = {
    PrivateOffer.Status.OPEN: pgettext_lazy("private offer", "Open"),
    PrivateOffer.Status.ACCEPTED: pgettext_lazy("private offer", "Accepted"),
    PrivateOffer.Status.DECLINED: pgettext_lazy("private offer", "Declined"),
    PrivateOffer.Status.EXPIRED: pgettext_lazy("private offer", "Expired"),
}


def _forbidden(request: HttpRequest, reason: Any) -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


def _path(name: str, fallback: str, *args: Any) -> str:
    """The private offers' pages by their route if it exists, else by the path they are served at."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def answer_url(data_request_id: uuid.UUID) -> str:
    """Where a seller answers a request: the new private offer page, naming it."""
    return f"{_path('deals:private_offer_new', '/private-offers/new/')}?{urlencode({'data_request': data_request_id})}"


def private_offer_url(private_offer_id: uuid.UUID) -> str:
    return _path("deals:private_offer", f"/private-offers/{private_offer_id}/", private_offer_id)


# --- forms ---------------------------------------------------------------------------------------------------


class RequestedDataClassField(forms.ChoiceField):
    """Offers the two classes the market trades; a posted ``personal`` is told why the market refuses it."""

    def validate(self, value: Any) -> None:
        if value == "personal":
            raise ValidationError(PERSONAL_DATA_EXPLANATION, code="personal-data-refused")
        super().validate(value)


class DataRequestFilterForm(forms.Form):
    data_class = forms.ChoiceField(
        label=gettext_lazy("Data class"),
        required=False,
        choices=[("", gettext_lazy("All data classes")), *DataClass.choices],
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        choices=[("", gettext_lazy("All categories")), *Category.choices],
    )


class DataRequestForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=services.MAX_TITLE,
        help_text=gettext_lazy("What data you are looking for, in one line."),
        validators=[displayable_line],
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=services.MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Items, granularity, period, format: whatever helps a seller judge whether it has it."),
        validators=[displayable_text],
    )
    data_class = RequestedDataClassField(
        label=gettext_lazy("Data class"), choices=DataClass.choices, initial=DataClass.IOT, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices, initial=Category.OTHER)
    territory = forms.CharField(
        label=gettext_lazy("Territory"),
        max_length=1000,
        initial="JP",
        help_text=gettext_lazy(
            "Where the data would be used: ISO 3166-1 alpha-2 country codes separated by commas (JP for Japan, US "
            "for the United States)."
        ),
        validators=[displayable_line],
    )
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"),
        max_length=services.MAX_PURPOSE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What you would use the data for: a licence's purpose is stated in its contract."),
        validators=[displayable_text],
    )
    budget_max = forms.IntegerField(
        label=gettext_lazy("Budget"),
        required=False,
        min_value=1,
        max_value=services.MAX_BUDGET,
        help_text=gettext_lazy("The most you mean to pay, in minor units of the currency (yen for JPY)."),
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
    )
    currency = forms.CharField(
        label=gettext_lazy("Currency"), min_length=3, max_length=3, initial="JPY", validators=[displayable_line]
    )
    respond_by = forms.DateTimeField(
        label=gettext_lazy("Respond by"),
        help_text=gettext_lazy("Sellers may answer until then (Japan time), at most 180 days ahead."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    public_identity = forms.BooleanField(
        label=gettext_lazy("Show our organisation's name to sellers"),
        required=False,
        help_text=gettext_lazy("Otherwise sellers see the request without knowing who made it."),
    )

    def clean_territory(self) -> list[str]:
        codes = [code.upper() for code in split_list(self.cleaned_data.get("territory", ""))]
        if not codes:
            raise ValidationError(gettext_lazy("Enter at least one country code."))
        unknown = unknown_countries(codes)
        if unknown:
            raise ValidationError(
                gettext_lazy("Not ISO 3166-1 alpha-2 country codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        try:
            return services.territory_clean(codes)
        except InvalidInput as exc:
            raise ValidationError(gettext_lazy("Enter at most 250 country codes.")) from exc

    def clean_currency(self) -> str:
        try:
            return services.currency_clean(self.cleaned_data.get("currency", ""))
        except InvalidInput as exc:
            raise ValidationError(gettext_lazy("Enter an ISO 4217 currency code such as JPY or USD.")) from exc

    def clean_respond_by(self) -> datetime:
        value: datetime = self.cleaned_data["respond_by"]
        try:
            services.respond_by_check(value, now=timezone.now())
        except InvalidInput as exc:
            if services.TOO_FAR in exc.errors.get("respond_by", []):
                raise ValidationError(gettext_lazy("At most 180 days ahead.")) from exc
            raise ValidationError(gettext_lazy("Choose a time in the future: sellers need time to answer.")) from exc
        return value

    def add_domain_error(self, exc: DomainError) -> None:
        """A refusal of the service the form did not foresee: next to the field it names, else above the form."""
        placed = False
        for key in exc.errors:
            if key in self.fields and not self.has_error(key):
                self.add_error(key, exc.detail)
                placed = True
        if not placed:
            self.add_error(None, exc.detail)


# --- pages ---------------------------------------------------------------------------------------------------


def _line(data_request: DataRequest, principal: Principal) -> dict[str, Any]:
    status = selectors.data_request_status(data_request)
    mine = data_request.buyer_id == principal.organization_id
    answerable = not mine and status == selectors.DataRequestStatus.OPEN and selectors.reads_open_requests(principal)
    return {
        "request": data_request,
        "status": status,
        "status_label": selectors.DataRequestStatus(status).label,
        "mine": mine,
        "buyer_name": data_request.buyer.name if mine or data_request.public_identity else "",
        "answerable": answerable,
        "answer_url": answer_url(data_request.pk),
        "data_class_label": DataClass(data_request.data_class).label,
        "category_label": Category(data_request.category).label
        if data_request.category in Category.values
        else data_request.category,
        "answer_count": getattr(data_request, "answer_count", None),
    }


@seller_required
def open_requests(request: HttpRequest, principal: Principal) -> HttpResponse:
    if not selectors.reads_open_requests(principal):
        return _forbidden(request, NOT_VERIFIED_SELLER)
    form = DataRequestFilterForm(request.GET)
    form.is_valid()  # an invalid filter is shown with its error and ignored
    data = form.cleaned_data
    queryset = selectors.data_requests_with_answer_counts(
        selectors.data_requests_visible(
            principal=principal,
            role=selectors.ROLE_SELLER,
            data_class=data.get("data_class") or "",
            category=data.get("category") or "",
        ),
        principal=principal,
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = [_line(data_request, principal) for data_request in page.object_list]
    return render(request, "deals/data_requests.html", {"form": form, "page": page, "lines": lines})


@buyer_required
def my_requests(request: HttpRequest, principal: Principal) -> HttpResponse:
    queryset = selectors.data_requests_with_answer_counts(
        selectors.data_requests_visible(principal=principal, role=selectors.ROLE_BUYER), principal=principal
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = [_line(data_request, principal) for data_request in page.object_list]
    return render(request, "deals/data_requests_mine.html", {"page": page, "lines": lines})


@buyer_required
def data_request_new(request: HttpRequest, principal: Principal) -> HttpResponse:
    if not principal.verified:
        return _forbidden(request, NOT_VERIFIED_BUYER)
    initial = {"respond_by": timezone.localtime() + timedelta(days=DEFAULT_RESPOND_DAYS)}
    form = DataRequestForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data_request = services.data_request_create(principal=principal, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Your request is open: verified sellers can answer it with private offers."))
            return redirect("deals:data_request", data_request_id=data_request.pk)
    return render(request, "deals/data_request_form.html", {"form": form})


@member_required
def data_request_detail(request: HttpRequest, principal: Principal, data_request_id: uuid.UUID) -> HttpResponse:
    try:
        data_request = selectors.data_request_get(data_request_id=data_request_id, principal=principal)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    answers = [
        {
            "offer": offer,
            "status": (status := selectors.data_request_answer_status(offer)),
            "status_label": ANSWER_STATUS_LABELS.get(status, status),
            "url": private_offer_url(offer.pk),
        }
        for offer in selectors.data_request_answers(data_request=data_request, principal=principal)
    ]
    return render(
        request,
        "deals/data_request.html",
        {"line": _line(data_request, principal), "request_obj": data_request, "answers": answers},
    )


@require_POST
@member_required
def data_request_close(request: HttpRequest, principal: Principal, data_request_id: uuid.UUID) -> HttpResponse:
    try:
        services.data_request_close(principal=principal, data_request_id=data_request_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except Forbidden:
        return _forbidden(request, _("Only the buyer who made the request may close it."))
    except Conflict:
        messages.error(request, _("The request is closed already: sellers can no longer answer it."))
    else:
        messages.success(request, _("The request is closed: sellers no longer see it. Offers already made stay open."))
    return redirect("deals:data_request", data_request_id=data_request_id)
