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

from catalog.web.forms import join_list, split_list
from config.errors import DomainError
from contracts.registry import Template
from contracts.terms import with_defaults
from contracts.web.display import Lang, TermSpec, clause_notes, term_help, term_label, term_specs, value_label
from marketplace.services.offerings import MAX_SEATS

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
