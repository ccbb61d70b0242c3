"""Forms of the marketplace's pages. The offering form is built from the contract template: one field per
settable value of its ``terms_schema``, labelled and explained in the reader's language, pre-filled with the
template's defaults. It checks only the shape of what was typed (the bounds come from the schema itself);
the market's rules stay in ``marketplace.services.offerings`` and ``contracts.terms``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from catalog.web.datasets import join_list, split_list
from config.errors import DomainError
from contracts.registry import Template
from contracts.terms import with_defaults
from contracts.web.display import Lang, TermSpec, clause_notes, term_help, term_label, term_specs, value_label
from marketplace.models import Order
from marketplace.services.offerings import MAX_SEATS
from marketplace.services.orders import MAX_PRICE, MAX_QUANTITY

TEXTAREA_ABOVE = 200  # strings allowed to be longer than this get a text area
AMOUNT_HELP = _("In minor units of the offering's currency (yen for JPY). Only with a fixed cap.")


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


class OfferingForm(forms.Form):
    license_seats = forms.IntegerField(
        label=_("Licence seats"),
        required=False,
        min_value=1,
        max_value=MAX_SEATS,
        help_text=_("How many buyers (seats) this offering may be sold to."),
    )
    unlimited = forms.BooleanField(label=_("Unlimited seats"), required=False, initial=True)
    currency = forms.CharField(
        label=_("Currency"),
        min_length=3,
        max_length=3,
        initial="JPY",
        help_text=_("ISO 4217 code. Prices are set in the order book; JPY has no minor unit."),
    )

    def __init__(self, *args: Any, template: Template, data_class: str, lang: Lang, **kwargs: Any) -> None:
        defaults = with_defaults(template, {})
        kwargs.setdefault("initial", {}).update(self._initial_terms(template, defaults))
        super().__init__(*args, **kwargs)
        self.template = template
        self.data_class = data_class
        self.lang = lang
        self.specs = list(term_specs(template))
        self.group_errors: dict[str, list[str]] = defaultdict(list)
        for spec in self.specs:
            self.fields[field_name(spec.path)] = self._field(spec)
        self.fields["currency"].widget.attrs.update({"autocapitalize": "characters", "size": 4})

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

    def _field(self, spec: TermSpec) -> forms.Field:
        schema, lang = spec.schema, self.lang
        label = term_label(self.template, spec.path, lang)
        required = spec.required
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
                help_text=_("ISO 3166-1 alpha-2 country codes separated by commas, e.g. JP, DE, US."),
                widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
            )
        max_length = schema.get("maxLength")
        widget = forms.Textarea(attrs={"rows": 3}) if max_length and max_length > TEXTAREA_ABOVE else None
        return forms.CharField(
            label=label, required=required, min_length=schema.get("minLength"), max_length=max_length, widget=widget
        )

    # --- reading ------------------------------------------------------------------------------------

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency", "")).strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("unlimited"):
            if cleaned.get("license_seats") is not None:
                self.add_error("license_seats", _("Enter a number of seats or tick “Unlimited seats”, not both."))
        elif cleaned.get("license_seats") is None and not self.has_error("license_seats"):
            self.add_error("license_seats", _("Enter a number of seats, or tick “Unlimited seats”."))
        for spec in self.specs:
            name = field_name(spec.path)
            if spec.schema.get("type") == "array" and name in cleaned:
                cleaned[name] = split_list(cleaned[name])
                if spec.required and not cleaned[name]:
                    self.add_error(name, ValidationError(self.fields[name].error_messages["required"]))
        return cleaned

    def seats(self) -> int | None:
        return None if self.cleaned_data.get("unlimited") else self.cleaned_data["license_seats"]

    def terms(self) -> dict[str, Any]:
        """The terms as the services take them; optional values left empty are left out."""
        terms: dict[str, Any] = {}
        for spec in self.specs:
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
        for key, messages in exc.errors.items():
            text = "; ".join(str(m) for m in messages) or exc.detail
            target = self._target(key)
            if target in self.fields:
                self.add_error(target, text)
            elif target:
                self.group_errors[target].append(text)
        self.add_error(None, exc.detail)

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
        for note in clause_notes(self.template, self.data_class, self.lang):
            groups = [self._group(term) for term in note.parameters if term not in placed]
            placed.update(note.parameters)
            if groups:
                sections.append(ClauseSection(note.number, note.code, note.title, groups))
        rest = [self._group(term) for term in dict.fromkeys(s.term for s in self.specs) if term not in placed]
        if rest:
            sections.append(ClauseSection(0, "other", str(_("Other terms")), rest))
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


class OfferingWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


# --- orders ---------------------------------------------------------------------------------------------
# The order forms check only the shape of what was typed; who may trade, the terms' hash, the territory and
# the seat cap are decided by ``marketplace.services.orders.order_place``, whose refusals the view shows.

SHA256_HEX = r"^[0-9a-f]{64}$"


def _seats_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Seats"), min_value=1, max_value=MAX_QUANTITY, widget=forms.NumberInput(attrs={"step": 1}), **kwargs
    )


def _price_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Price per seat"),
        min_value=1,
        max_value=MAX_PRICE,
        help_text=_("In minor units of the offering's currency (yen for JPY)."),
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
        **kwargs,
    )


def order_field_error(field: str, message: str) -> str:
    """The reason ``order_place`` gives for a field (``errors={"expires_at": ["must be in the future"]}``, plain
    English kept stable for the API) as the form says it to people; an unknown reason is shown as it is."""
    labels = {
        ("price", "out of range"): _("The price per seat must be between 1 and %(max)s.") % {"max": f"{MAX_PRICE:,}"},
        ("price", "required for a limit order"): _("Enter a price per seat."),
        ("quantity", "out of range"): _("The number of seats must be between 1 and %(max)s.")
        % {"max": f"{MAX_QUANTITY:,}"},
        ("quantity", "required"): _("Enter a number of seats."),
        ("time_in_force", "invalid"): _("Choose how long the order stays valid."),
        ("expires_at", "required for gtd"): _("Enter when a “good till date” bid expires."),
        ("expires_at", "must be in the future"): _("The expiry must be in the future."),
        ("expires_at", "only for gtd"): _("An expiry is only for “good till date” orders."),
    }
    return str(labels.get((field, message), message))


class OrderForm(forms.Form):
    """What every order form shares: which form it is (``action``), the arguments of ``order_place`` it
    stands for, and showing a refusal of the service next to the field it names."""

    action = ""

    def order_arguments(self) -> dict[str, Any]:
        raise NotImplementedError

    def add_domain_error(self, exc: DomainError) -> None:
        """A refusal about a field the reader sees goes next to it, in the field's words and the reader's
        language; the service's (English) detail is shown above only when something is not said at a field."""
        placed = 0
        for key, messages in exc.errors.items():
            if key in self.fields and not self.fields[key].widget.is_hidden:
                self.add_error(key, "; ".join(order_field_error(key, str(m)) for m in messages))
                placed += 1
        if not placed or placed < len(exc.errors):
            self.add_error(None, exc.detail)


class TermsAcceptanceForm(OrderForm):
    """A buy order names the hash of the terms the buyer read and ticked (the service compares it)."""

    accepted_terms_sha256 = forms.RegexField(SHA256_HEX, widget=forms.HiddenInput)
    accept_terms = forms.BooleanField(
        label=_("I have read and accept these terms"),
        error_messages={"required": _("Tick the box to accept the terms before you buy.")},
    )

    def __init__(self, *args: Any, anonymized: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if anonymized:
            self.fields["accept_terms"].label = _(
                "I have read and accept these terms (and, for anonymised data, the APPI notice and the "
                "re-identification ban)"
            )


class BuyNowForm(TermsAcceptanceForm):
    """Buy now: a limit order at the best ask price the buyer saw, immediate or cancel (see orders.py)."""

    action = "buy_now"
    price = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = _seats_field(initial=1)
    field_order = ["quantity", "accept_terms"]

    def order_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "side": "buy",
            "type": "limit",
            "price": data["price"],
            "quantity": data["quantity"],
            "time_in_force": "ioc",
            "accepted_terms_sha256": data["accepted_terms_sha256"],
        }


class BidForm(TermsAcceptanceForm):
    """A bid that rests on the book until it fills, is cancelled or (good till date) expires."""

    action = "bid"
    TIME_IN_FORCE = [("gtc", _("Good till cancelled")), ("gtd", _("Good till date"))]

    price = _price_field()
    quantity = _seats_field(initial=1)
    time_in_force = forms.ChoiceField(label=_("Valid"), choices=TIME_IN_FORCE, initial="gtc", widget=forms.RadioSelect)
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        help_text=_("Only for “good till date”: the bid is withdrawn from the book at this time (Japan time)."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    field_order = ["price", "quantity", "time_in_force", "expires_at", "accept_terms"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("time_in_force") == "gtd":
            if cleaned.get("expires_at") is None and not self.has_error("expires_at"):
                self.add_error("expires_at", _("Enter when a “good till date” bid expires."))
        else:
            cleaned["expires_at"] = None
        return cleaned

    def order_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "side": "buy",
            "type": "limit",
            "price": data["price"],
            "quantity": data["quantity"],
            "time_in_force": data["time_in_force"],
            "expires_at": data["expires_at"],
            "accepted_terms_sha256": data["accepted_terms_sha256"],
        }


class AskForm(OrderForm):
    """The seller's ask; "unlimited" only for an offering with unlimited seats (the service checks it too)."""

    action = "ask"
    price = _price_field()
    quantity = _seats_field(required=False)
    unlimited = forms.BooleanField(label=_("Unlimited seats"), required=False)

    def __init__(self, *args: Any, unlimited_allowed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unlimited_allowed = unlimited_allowed
        if not unlimited_allowed:
            del self.fields["unlimited"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("unlimited"):
            if cleaned.get("quantity") is not None:
                self.add_error("quantity", _("Enter a number of seats or tick “Unlimited seats”, not both."))
        elif cleaned.get("quantity") is None and not self.has_error("quantity"):
            message = (
                _("Enter a number of seats, or tick “Unlimited seats”.")
                if self.unlimited_allowed
                else _("Enter a number of seats.")
            )
            self.add_error("quantity", message)
        return cleaned

    def order_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        quantity = None if data.get("unlimited") else data["quantity"]
        return {"side": "sell", "type": "limit", "price": data["price"], "quantity": quantity, "time_in_force": "gtc"}


class SellIntoBidForm(OrderForm):
    """Sell into a resting bid: a limit sell at that bid's price, immediate or cancel."""

    action = "sell_into"
    price = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = _seats_field()

    def order_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "side": "sell",
            "type": "limit",
            "price": data["price"],
            "quantity": data["quantity"],
            "time_in_force": "ioc",
        }


class OrderStatusFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", _("All")), *Order.Status.choices]
