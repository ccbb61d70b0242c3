"""Pages of offerings: the seller's offer form (with a preview of the contract), an offering's public page,
moving its delivery URL, and withdrawing an offering.

Thin like the API views: read through the selectors, write through ``marketplace.services.offerings``, and
show a ``DomainError`` next to the fields it names. The contract preview is rendered by contracts' own
renderer, so the seller sees the very document a buyer will get.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog import selectors as catalog_selectors
from catalog.models import Dataset
from catalog.web.access import dataset_owned, seller_required
from catalog.web.datasets import join_list, split_list
from catalog.web.quality import feed_lines
from config.api.principal import Principal, principal_of
from config.errors import DomainError, NotFound
from config.market import streams_enabled
from config.text import displayable_line, displayable_text
from contracts.meti.data_provision_terms import (
    MAX_MESSAGES_PER_PERIOD,
    MAX_PERIOD_DAYS,
    MAX_SUBSCRIPTION_DAYS,
    MAX_TERM_PERIODS,
    MAX_VERSIONS_PER_PERIOD,
)
from contracts.registry import Template, template_get, templates_current
from contracts.terms import LONG_TEXT_ABOVE, term_code, with_defaults
from contracts.web.display import (
    Lang,
    TermSpec,
    clause_notes,
    current_lang,
    term_help,
    term_label,
    term_rows,
    term_specs,
    value_label,
)
from contracts.web.previews import clauses_preview, document_preview, preview_facts
from marketplace import selectors
from marketplace.models import Offering
from marketplace.services import offerings as offering_services
from marketplace.services.exclusivity import ExclusivityRefused
from marketplace.services.offerings import (
    DELIVERY_URL_MAX_LENGTH,
    MAX_SEATS,
    offering_publish,
    offering_set_delivery_url,
    offering_terms_resolve,
    offering_withdraw,
    subscription_shape,
)

# --- forms ------------------------------------------------------------------------------------------
# The offering form is built from the contract template: one field per settable value of its ``terms_schema``,
# labelled and explained in the reader's language, pre-filled with the template's defaults. It checks only the
# shape of what was typed (the bounds come from the schema itself); the market's rules stay in
# ``marketplace.services.offerings`` and ``contracts.terms``.

TEXTAREA_ABOVE = LONG_TEXT_ABOVE  # strings allowed to be longer than this get a text area (and may hold line breaks)


# The fields of the offering's kind, shown together above the terms.
KIND_FIELDS = ("period_days", "term_periods", "min_versions_per_period", "stream", "min_messages_per_period")

AMOUNT_HELP = gettext_lazy("In minor units of the offering's currency (yen for JPY). Only with a fixed cap.")


def delivery_url_refusal(reason: str) -> str:
    """The guard's reason for refusing a delivery URL (config/outbound.py, plain English kept stable for the API)
    as the form says it to people; an unknown reason is shown as it is."""
    labels = {
        "invalid": gettext_lazy("Enter the full address of your server, starting with https://."),
        "https required": gettext_lazy(
            "The address must start with https://: buyers' tokens must not travel unencrypted."
        ),
        "credentials not allowed": gettext_lazy(
            "Leave the user name and password out of the address: your server checks the market's signed token instead."
        ),
        "fragment not allowed": gettext_lazy("Leave out the part after “#”."),
        "invalid host": gettext_lazy("The server's name is not a valid domain name."),
        "too long": gettext_lazy("The address is too long (at most %(max)s characters).")
        % {"max": DELIVERY_URL_MAX_LENGTH},
        "private address": gettext_lazy(
            "The address must be reachable on the public internet, not a private, loopback or internal one."
        ),
        "unresolvable": gettext_lazy("The server's name could not be found (DNS). Check the spelling."),
        "resolution timed out": gettext_lazy("Looking up the server's name took too long. Try again in a moment."),
    }
    return str(labels.get(reason, reason))


def delivery_url_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Delivery URL"),
        required=False,
        max_length=DELIVERY_URL_MAX_LENGTH,
        help_text=gettext_lazy(
            "Leave empty and the market delivers the data. Or the https address of your own server: buyers fetch "
            "the data there with a short-lived token the market signs, which your server verifies."
        ),
        validators=[displayable_line],
        widget=forms.URLInput(attrs={"placeholder": "https://", "spellcheck": "false"}),
    )


def field_name(path: str) -> str:
    """``derived_data.rights`` → ``derived_data__rights`` (a form field name usable in templates)."""
    return path.replace(".", "__")


@dataclass
class TermGroup:
    """One top-level term on the page: its fields, the template's explanation, and errors about it as a whole."""

    term: str
    label: str
    help: str
    fields: list[BoundField]
    errors: list[str] = field(default_factory=list)
    nested: bool = False


@dataclass
class ClauseSection:
    number: int
    code: str
    title: str
    groups: list[TermGroup]


# For a subscription the contract's term is its periods (term_periods x period_days): the template's duration is not
# sent, so the service sets it.
SUBSCRIPTION_SET_TERM = "duration_days"


def kind_field_error(field: str, reason: str) -> str:
    """A reason ``subscription_shape`` refuses a field of the offering's kind for (plain English, stable for the API)
    as the form says it to people; any other reason is shown as it is."""
    labels = {
        offering_services.REQUIRED: gettext_lazy("Required for a subscription."),
        offering_services.OUT_OF_RANGE: gettext_lazy("Out of range."),
        offering_services.SUBSCRIPTION_ONLY: gettext_lazy("Only for a subscription."),
        offering_services.STREAM_ONLY: gettext_lazy("Only with a live stream: its messages are what is counted."),
        offering_services.TERM_TOO_LONG: gettext_lazy("The whole term (term × period) is at most %(days)s days.")
        % {"days": f"{MAX_SUBSCRIPTION_DAYS:,}"},
        offering_services.STREAMS_OFF: gettext_lazy(
            "Live streams are off on this market: no MQTT broker is configured."
        ),
        offering_services.UNKNOWN_KIND: gettext_lazy("Choose a licence or a subscription."),
    }
    if field not in ("kind", *KIND_FIELDS):
        return reason
    return str(labels.get(reason, reason))


class OfferingForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of offering"),
        choices=[
            (Offering.Kind.LICENCE, gettext_lazy("Licence: the version published when the trade is made")),
            (Offering.Kind.SUBSCRIPTION, gettext_lazy("Subscription: a feed of new versions, priced per period")),
        ],
        initial=Offering.Kind.LICENCE,
        required=False,  # a licence unless the seller chooses a subscription
        widget=forms.RadioSelect,
    )
    period_days = forms.IntegerField(
        label=gettext_lazy("Period (days)"),
        required=False,
        min_value=1,
        max_value=MAX_PERIOD_DAYS,
        help_text=gettext_lazy("The order book prices one period; each period after the first is billed when it ends."),
    )
    term_periods = forms.IntegerField(
        label=gettext_lazy("Term (periods)"),
        required=False,
        min_value=1,
        max_value=MAX_TERM_PERIODS,
        help_text=gettext_lazy("How many periods the contract runs; at most 3,650 days (term × period) in all."),
    )
    min_versions_per_period = forms.IntegerField(
        label=gettext_lazy("New versions per period (at least)"),
        required=False,
        initial=1,
        min_value=1,
        max_value=MAX_VERSIONS_PER_PERIOD,
        help_text=gettext_lazy(
            "Your delivery commitment. A version counts only if its content is new (a SHA-256 not published before); "
            "a period with fewer is not charged."
        ),
    )
    stream = forms.BooleanField(
        label=gettext_lazy("Also a live stream over MQTT"),
        required=False,
        help_text=gettext_lazy("Readings flow to subscribers as they are measured, alongside the periodic versions."),
    )
    min_messages_per_period = forms.IntegerField(
        label=gettext_lazy("Messages per period (at least)"),
        required=False,
        min_value=1,
        max_value=MAX_MESSAGES_PER_PERIOD,
        help_text=gettext_lazy("Optional, with a live stream only: also part of the delivery commitment."),
    )
    license_seats = forms.IntegerField(
        label=gettext_lazy("Licence seats"),
        required=False,
        min_value=1,
        max_value=MAX_SEATS,
        help_text=gettext_lazy("How many buyers (seats) this offering may be sold to."),
    )
    unlimited = forms.BooleanField(label=gettext_lazy("Unlimited seats"), required=False, initial=True)
    currency = forms.CharField(
        label=gettext_lazy("Currency"),
        min_length=3,
        max_length=3,
        initial="JPY",
        help_text=gettext_lazy("ISO 4217 code. Prices are set in the order book; JPY has no minor unit."),
        validators=[displayable_line],
    )
    delivery_url = delivery_url_field()

    def __init__(
        self, *args: Any, template: Template, data_class: str, lang: Lang, streams_on: bool = False, **kwargs: Any
    ) -> None:
        defaults = with_defaults(template, {})
        # The template's defaults, a free-text term's in the reader's language (the purpose: the seller's own words
        # once kept), then what the page starts from (a data request's territory).
        kwargs["initial"] = {
            **self._initial_terms(template, defaults),
            **{field_name(term): texts.get(lang, texts["en"]) for term, texts in template.default_texts.items()},
            **kwargs.get("initial", {}),
        }
        super().__init__(*args, **kwargs)
        self.template = template
        self.data_class = data_class
        self.lang = lang
        self.streams_on = streams_on
        self.specs = list(term_specs(template))
        self.group_errors: dict[str, list[str]] = defaultdict(list)
        for spec in self.specs:
            self.fields[field_name(spec.path)] = self._field(spec)
        self._coded_initial()
        self.fields["currency"].widget.attrs.update({"autocapitalize": "characters", "size": 4})
        if SUBSCRIPTION_SET_TERM in self.fields:
            self.fields[SUBSCRIPTION_SET_TERM].help_text = gettext_lazy(
                "For a subscription, the term is its periods (term × period) and this field is not used."
            )
        if not streams_on:  # a disabled field keeps its initial value (off), whatever is posted
            self.fields["stream"].disabled = True
            self.fields["stream"].help_text = gettext_lazy(
                "Live streams are off on this market: no MQTT broker is configured."
            )

    # --- building ----------------------------------------------------------------------------------

    @staticmethod
    def _initial_terms(template: Template, defaults: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for spec in term_specs(template):
            value: Any = defaults
            for part in spec.path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            initial[field_name(spec.path)] = join_list(value) if isinstance(value, list) else value
        return initial

    def _coded_initial(self) -> None:
        """A coded term (the forum) is chosen from its codes. Terms from before the codes (a deal's revision of an
        older offering) may hold a name: its code is chosen; a forum written out stays a choice of its own, so a
        counter-offer keeps it unless the party picks a code."""
        for term in self.template.term_codes:
            name = field_name(term)
            if name not in self.fields:
                continue
            value = self.initial.get(name)
            code = term_code(self.template, term, value)
            if code is not None:
                self.initial[name] = code
            elif isinstance(value, str) and value:
                field = self.fields[name]
                assert isinstance(field, forms.ChoiceField)
                field.choices = [*self._code_choices(term), (value, value)]

    def _code_choices(self, term: str) -> list[tuple[str, str]]:
        """A coded term's codes, each named in the reader's language."""
        return [(code, names.get(self.lang, names["en"])) for code, names in self.template.term_codes[term].items()]

    def _field(self, spec: TermSpec) -> forms.Field:
        schema, lang = spec.schema, self.lang
        label = term_label(self.template, spec.path, lang)
        required = spec.required
        if spec.path in self.template.term_codes:
            return forms.ChoiceField(label=label, choices=self._code_choices(spec.path))
        if "enum" in schema:
            choices = [(v, value_label(self.template, spec.path, v, lang)) for v in schema["enum"]]
            return forms.ChoiceField(label=label, choices=choices, required=required)
        if schema.get("type") == "integer":
            return forms.IntegerField(
                label=label,
                required=required,
                min_value=schema.get("minimum"),
                max_value=schema.get("maximum"),
                help_text=AMOUNT_HELP if spec.leaf == "amount" else "",
            )
        if schema.get("type") == "array":
            return forms.CharField(
                label=label,
                required=required,
                help_text=gettext_lazy("ISO 3166-1 alpha-2 country codes separated by commas, e.g. JP, DE, US."),
                widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
                validators=[displayable_line],
            )
        max_length = schema.get("maxLength")
        long_text = bool(max_length and max_length > TEXTAREA_ABOVE)
        return forms.CharField(
            label=label,
            required=required,
            min_length=schema.get("minLength"),
            max_length=max_length,
            widget=forms.Textarea(attrs={"rows": 3}) if long_text else None,
            validators=[displayable_text if long_text else displayable_line],
        )

    # --- reading ------------------------------------------------------------------------------------

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency", "")).strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._check_kind_and_seats(cleaned)
        for spec in self.specs:
            name = field_name(spec.path)
            if spec.schema.get("type") == "array" and name in cleaned:
                cleaned[name] = split_list(cleaned[name])
                if spec.required and not cleaned[name]:
                    self.add_error(name, ValidationError(self.fields[name].error_messages["required"]))
        return cleaned

    def _check_kind_and_seats(self, cleaned: dict[str, Any]) -> None:
        """The offering's own fields: its kind, and its seats or "unlimited". (A deal's form, which has neither,
        leaves this out; the terms are cleaned the same way.)"""
        if self.subscribing:
            # Not used for a subscription (its periods are its term); the page disables it, so it is not even posted.
            self.errors.pop(SUBSCRIPTION_SET_TERM, None)
        if cleaned.get("unlimited"):
            if cleaned.get("license_seats") is not None:
                self.add_error(
                    "license_seats", gettext_lazy("Enter a number of seats or tick “Unlimited seats”, not both.")
                )
        elif cleaned.get("license_seats") is None and not self.has_error("license_seats"):
            self.add_error("license_seats", gettext_lazy("Enter a number of seats, or tick “Unlimited seats”."))

    def seats(self) -> int | None:
        return None if self.cleaned_data.get("unlimited") else self.cleaned_data["license_seats"]

    @property
    def subscribing(self) -> bool:
        return self.cleaned_data.get("kind") == Offering.Kind.SUBSCRIPTION

    def clause_terms(self) -> dict[str, Any] | None:
        """Enough of the terms to number the clauses as the document will (a subscription's has more articles):
        what was posted, valid or not; None before anything was (the form starts as a licence)."""
        if not self.is_bound or self.data.get("kind") != Offering.Kind.SUBSCRIPTION:
            return None
        return {"subscription": {"stream": self.streams_on and bool(self.data.get("stream"))}}

    def kind_fields(self) -> dict[str, Any]:
        """The offering's kind and, for a subscription, its shape, as ``offering_publish`` takes them. A licence's
        form may still hold subscription values typed before the seller chose the licence: they are not sent."""
        if not self.subscribing:
            return {"kind": Offering.Kind.LICENCE}
        data = self.cleaned_data
        return {
            "kind": Offering.Kind.SUBSCRIPTION,
            "period_days": data.get("period_days"),
            "term_periods": data.get("term_periods"),
            "min_versions_per_period": data.get("min_versions_per_period"),
            "stream": bool(data.get("stream")),
            "min_messages_per_period": data.get("min_messages_per_period"),
        }

    def terms(self) -> dict[str, Any]:
        """The terms as the services take them; optional values left empty are left out, and so is a
        subscription's duration, which its periods set."""
        terms: dict[str, Any] = {}
        for spec in self.specs:
            if spec.path == SUBSCRIPTION_SET_TERM and self.subscribing:
                continue
            value = self.cleaned_data.get(field_name(spec.path))
            if value in (None, "", []) and not spec.required:
                continue
            if spec.nested:
                terms.setdefault(spec.term, {})[spec.leaf] = value
            else:
                terms[spec.path] = value
        return terms

    # --- errors from the services ------------------------------------------------------------------

    def add_domain_error(self, exc: DomainError) -> None:
        """Each refusal next to the field it names ("terms.territory", "license_seats"), the summary above."""
        if set(exc.errors) == {"delivery_url"}:  # the URL guard's: at the field, in the reader's language
            self.add_error("delivery_url", "; ".join(delivery_url_refusal(str(m)) for m in exc.errors["delivery_url"]))
            return
        for key, reasons in exc.errors.items():
            text = "; ".join(kind_field_error(key, str(m)) for m in reasons) or exc.detail
            target = self._target(key)
            if target in self.fields:
                self.add_error(target, text)
            elif target:
                self.group_errors[target].append(text)
        self.add_error(None, exc.detail)

    def add_exclusivity_error(self, exc: ExclusivityRefused) -> None:
        """The refusal in the reader's language, next to the territory: what is in the way (the seller's own
        offering or contract, named) and where."""
        conflict = exc.conflict
        facts = {"id": conflict.id if exc.own else "", "countries": ", ".join(conflict.countries)}
        if conflict.kind == "offering":
            message = _(
                "Offering %(id)s of this dataset is open in %(countries)s, and one of the two licences is exclusive: "
                "an exclusive licence has its territory to itself. Choose a territory that does not overlap, or "
                "withdraw that offering first."
            )
        else:
            message = _(
                "Contract %(id)s on this dataset is in force in %(countries)s, and one of the two licences is "
                "exclusive: an exclusive licence has its territory to itself. Choose a territory that does not "
                "overlap, or wait until the contract ends."
            )
        self.add_error("territory" if "territory" in self.fields else None, message % facts)

    def _target(self, key: str) -> str:
        parts = key.removeprefix("terms.").split(".")
        while parts:  # "terms.territory.0" → territory; "terms.liability_cap" → the liability_cap group
            name = field_name(".".join(parts))
            if name in self.fields:
                return name
            if len(parts) == 1 and any(spec.term == parts[0] for spec in self.specs):
                return parts[0]
            parts.pop()
        return ""

    # --- layout ------------------------------------------------------------------------------------

    def sections(self) -> list[ClauseSection]:
        """The settable terms grouped under the clause that uses them, numbered as in the document."""
        sections: list[ClauseSection] = []
        placed: set[str] = set()
        for note in clause_notes(self.template, self.data_class, self.lang, terms=self.clause_terms()):
            groups = [self._group(term) for term in note.parameters if term not in placed]
            placed.update(note.parameters)
            if groups:
                sections.append(ClauseSection(note.number, note.code, note.title, groups))
        rest = [self._group(term) for term in dict.fromkeys(s.term for s in self.specs) if term not in placed]
        if rest:
            sections.append(ClauseSection(0, "other", str(gettext_lazy("Other terms")), rest))
        return sections

    def _group(self, term: str) -> TermGroup:
        specs = [spec for spec in self.specs if spec.term == term]
        return TermGroup(
            term=term,
            label=term_label(self.template, term, self.lang),
            help=term_help(self.template, term, self.lang),
            fields=[self[field_name(spec.path)] for spec in specs],
            errors=self.group_errors.get(term, []),
            nested=any(spec.nested for spec in specs),
        )


class OfferingDeliveryForm(forms.Form):
    delivery_url = delivery_url_field()


class OfferingWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=200, required=False, validators=[displayable_line]
    )


# --- views ------------------------------------------------------------------------------------------


def _template(request: HttpRequest) -> Template:
    """The template named by ``?template=`` (or the form), else the first current one."""
    code = request.POST.get("template") or request.GET.get("template") or templates_current()[0].code
    try:
        return template_get(code)
    except DomainError as exc:
        raise Http404(exc.detail) from exc


def _offering(offering_id: uuid.UUID, principal: Principal | None) -> Offering:
    try:
        return selectors.offering_get(
            offering_id=offering_id, organization_id=principal.organization_id if principal else None
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc


@seller_required
def offering_create(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = dataset_owned(dataset_id, principal)
    template = _template(request)
    lang = current_lang()
    version = catalog_selectors.latest_published_version(dataset=dataset)
    form = OfferingForm(
        request.POST if request.method == "POST" else None,
        template=template,
        data_class=dataset.data_class,
        lang=lang,
        streams_on=streams_enabled(),
    )
    preview = ""
    if request.method == "POST" and form.is_valid():
        previewing = request.POST.get("action") == "preview"
        if previewing and version is None:
            form.add_error(None, _("The dataset has no published version yet, so there is no contract to preview."))
        elif previewing and version is not None:
            try:  # validated as publishing would, but nothing is saved
                resolved = offering_terms_resolve(
                    template=template,
                    terms=form.terms(),
                    license_seats=form.seats(),
                    data_class=dataset.data_class,
                    subscription=subscription_shape(**form.kind_fields()),
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                facts = preview_facts(
                    dataset=dataset,
                    version=version,
                    seller_name=principal.organization_name,
                    terms=resolved.terms,
                    terms_sha256=resolved.sha256,
                    currency=form.cleaned_data["currency"],
                    lang=lang,
                    delivery_channel=selectors.delivery_channel(form.cleaned_data["delivery_url"]),
                )
                preview = document_preview(template, resolved.terms, facts, lang)
        else:
            try:
                offering = offering_publish(
                    principal=principal,
                    dataset_id=dataset.id,
                    template_code=template.code,
                    terms=form.terms(),
                    license_seats=form.seats(),
                    currency=form.cleaned_data["currency"],
                    delivery_url=form.cleaned_data["delivery_url"],
                    **form.kind_fields(),
                )
            except ExclusivityRefused as exc:
                form.add_exclusivity_error(exc)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("The offering is published. You accepted its terms as the seller."))
                return redirect("web:offering", offering_id=offering.id)
    notes = clause_notes(template, dataset.data_class, lang, terms=form.clause_terms())
    return render(
        request,
        "marketplace/offering_form.html",
        {
            "dataset": dataset,
            "version": version,
            "template": template,
            "template_title": template.title[lang],
            "form": form,
            "preview": preview,
            "fixed_clauses": [note for note in notes if not note.negotiable],
            "can_offer": dataset.status == Dataset.Status.PUBLISHED and version is not None,
            "kind_fields": [form[name] for name in KIND_FIELDS],
            "kind_help": term_help(template, "subscription", lang),
        },
    )


def offering_detail(request: HttpRequest, offering_id: uuid.UUID) -> HttpResponse:
    principal = principal_of(request)
    offering = _offering(offering_id, principal)
    template = template_get(offering.template_code, offering.template_version)
    lang = current_lang()
    dataset = offering.dataset
    version = catalog_selectors.latest_published_version(dataset=dataset)
    clauses: list[dict[str, Any]] = []
    if version is not None:
        facts = preview_facts(
            dataset=dataset,
            version=version,
            seller_name=offering.seller.name,
            terms=offering.terms,
            terms_sha256=offering.terms_sha256,
            currency=offering.currency,
            lang=lang,
            delivery_channel=selectors.delivery_channel(offering.delivery_url),
        )
        clauses = clauses_preview(template, offering.terms, facts, lang)
    notes = clause_notes(
        template, dataset.data_class, lang, mandatory_clauses=offering.mandatory_clauses, terms=offering.terms
    )
    rows = term_rows(template, offering.terms, lang, currency=offering.currency)
    return render(
        request,
        "marketplace/offering.html",
        {
            "offering": offering,
            "dataset": dataset,
            "version": version,
            "template_title": template.title[lang],
            "rows": rows,
            "changed_count": sum(1 for row in rows if row.changed),
            "fixed_clauses": [note for note in notes if not note.negotiable],
            "clauses": clauses,
            "is_owner": principal is not None and principal.organization_id == offering.seller_id,
            "withdraw_form": OfferingWithdrawForm(),
            "delivery_form": OfferingDeliveryForm(initial={"delivery_url": offering.delivery_url}),
            "odrl_url": f"/api/v1/offerings/{offering.id}/odrl",
            "deliveries": [
                (period, period.met(offering.min_versions_per_period or 1))
                for period in selectors.offering_delivery_record(offering=offering)
            ],
            # Beside a subscription's delivery record: what each version delivered was like.
            "feed": feed_lines(dataset_id=dataset.id) if offering.is_subscription else [],
        },
    )


@require_POST
@seller_required
def offering_withdraw_view(request: HttpRequest, principal: Principal, offering_id: uuid.UUID) -> HttpResponse:
    form = OfferingWithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        offering_withdraw(principal=principal, offering_id=offering_id, reason=reason)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The offering was withdrawn. Contracts already concluded for it are not affected."))
    return redirect("web:offering", offering_id=offering_id)


@require_POST
@seller_required
def offering_delivery_view(request: HttpRequest, principal: Principal, offering_id: uuid.UUID) -> HttpResponse:
    """The seller moves its delivery URL (or hands delivery back to the market); a refusal is said above the page."""
    form = OfferingDeliveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(error) for error in form.errors.get("delivery_url", [])))
        return redirect("web:offering", offering_id=offering_id)
    try:
        offering_set_delivery_url(
            principal=principal, offering_id=offering_id, delivery_url=form.cleaned_data["delivery_url"]
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        reasons = exc.errors.get("delivery_url")
        messages.error(request, "; ".join(delivery_url_refusal(str(m)) for m in reasons) if reasons else exc.detail)
    else:
        messages.success(
            request,
            _("The delivery URL is saved. It applies to purchases from now on; earlier buyers keep their address."),
        )
    return redirect("web:offering", offering_id=offering_id)
