"""Forms of the catalog's web pages. They check the shape of what a person typed and translate it into
the arguments of the services; the market's rules stay in the services (catalog/services)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, DataClass, UpdateFrequency
from catalog.services.datasets import MAX_TAGS, check_data_class
from config.errors import DomainError, RuleViolation

# Commas as typed on Japanese keyboards too (、，) separate list items.
_LIST_SEPARATORS = re.compile(r"[,、，]")

PERSONAL_DATA_EXPLANATION = _(
    "Personal data cannot be listed on Ichiba. The market trades anonymously processed information "
    "(匿名加工情報) and non-personal data such as IoT sensing only. Personal data moves under the data "
    "subject's own control through an information bank (情報銀行) or a PDS, not through a market. "
    "Anonymise it under the APPI first and list it as anonymously processed information."
)

# Names the services use in ``DomainError.errors`` → the form field that shows the message.
_ERROR_FIELDS = {
    "anonymization.quasi_identifiers": "quasi_identifiers",
    "anonymization.personal_info_items": "personal_info_items",
    "anonymization.method": "method",
}


def split_list(value: str) -> list[str]:
    return [item.strip() for item in _LIST_SEPARATORS.split(value or "") if item.strip()]


def join_list(values: Any) -> str:
    return ", ".join(str(v) for v in values or [])


class DataClassField(forms.ChoiceField):
    """Offers the two classes the market accepts. A posted ``personal`` is not "an invalid choice": the
    market's rule refuses it (catalog.services.datasets.check_data_class), and the person is told why."""

    def validate(self, value: Any) -> None:
        if value == "personal":
            try:
                check_data_class(value)
            except RuleViolation as exc:
                raise ValidationError(PERSONAL_DATA_EXPLANATION, code="personal-data-refused") from exc
        super().validate(value)


class SearchInput(forms.TextInput):
    input_type = "search"  # (an attrs "type" would be a second type attribute, which browsers ignore)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False, widget=SearchInput)
    data_class = forms.ChoiceField(
        label=_("Data class"), required=False, choices=[("", _("All data classes")), *DataClass.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    tag = forms.CharField(label=_("Tag"), max_length=50, required=False)
    seller = forms.UUIDField(label=_("Seller"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": _("Title, description, tag…")})
        self.fields["tag"].widget.attrs.update({"placeholder": _("e.g. bridge, 橋梁")})


class _DatasetFields(forms.Form):
    """Fields shared by creating and editing a dataset."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=20000, required=False, widget=forms.Textarea)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)
    tags = forms.CharField(
        label=_("Tags"), max_length=1200, required=False, help_text=_("Separated by commas, at most 20.")
    )
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    update_frequency = forms.ChoiceField(
        label=_("Update frequency"), choices=UpdateFrequency.choices, initial=UpdateFrequency.ONCE
    )
    quasi_identifiers = forms.CharField(
        label=_("Quasi-identifiers"),
        max_length=5000,
        required=False,
        help_text=_(
            "Columns that could single out a person in combination (e.g. age_band, prefecture), separated by "
            "commas. k-anonymity is measured over these columns before the version is published."
        ),
    )
    personal_info_items = forms.CharField(
        label=_("Items of personal information"),
        max_length=5000,
        required=False,
        help_text=_("The items the data contains (e.g. age band, prefecture of residence), separated by commas."),
    )
    method = forms.CharField(
        label=_("Processing method"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the personal information was processed (deleted, generalised, suppressed…)."),
    )

    def clean_tags(self) -> list[str]:
        tags = split_list(self.cleaned_data.get("tags", ""))
        if len(tags) > MAX_TAGS:
            raise ValidationError(_("At most %(max)d tags.") % {"max": MAX_TAGS})
        if any(len(tag) > 50 for tag in tags):
            raise ValidationError(_("A tag has at most 50 characters."))
        return tags

    def clean_quasi_identifiers(self) -> list[str]:
        return split_list(self.cleaned_data.get("quasi_identifiers", ""))

    def clean_personal_info_items(self) -> list[str]:
        return split_list(self.cleaned_data.get("personal_info_items", ""))

    def _require_disclosure(self, cleaned: dict[str, Any]) -> None:
        """The APPI disclosure an anonymised dataset publishes: every part of it is required."""
        missing = _("Required for anonymously processed information (APPI).")
        for name in ("quasi_identifiers", "personal_info_items", "method"):
            if name in cleaned and not cleaned[name]:
                self.add_error(name, missing)

    def anonymization(self) -> dict[str, Any]:
        return {
            "quasi_identifiers": self.cleaned_data["quasi_identifiers"],
            "personal_info_items": self.cleaned_data["personal_info_items"],
            "method": self.cleaned_data["method"].strip(),
        }

    def add_domain_error(self, exc: DomainError) -> None:
        """Show a service's refusal next to the fields it names, else above the form."""
        placed = False
        for key in exc.errors:
            field = _ERROR_FIELDS.get(key, key)
            if field in self.fields and not self.has_error(field):
                self.add_error(field, exc.detail)
                placed = True
        if not placed:
            self.add_error(None, exc.detail)


class DatasetCreateForm(_DatasetFields):
    data_class = DataClassField(
        label=_("Data class"),
        choices=DataClass.choices,
        initial=DataClass.IOT,
        widget=forms.RadioSelect,
    )

    field_order = [
        "title",
        "description",
        "data_class",
        "category",
        "tags",
        "region",
        "update_frequency",
        "quasi_identifiers",
        "personal_info_items",
        "method",
    ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("data_class") == DataClass.ANONYMIZED:
            self._require_disclosure(cleaned)
        return cleaned

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "data_class": data["data_class"],
            "category": data["category"],
            "tags": data["tags"],
            "region": data["region"],
            "update_frequency": data["update_frequency"],
            "anonymization": self.anonymization() if data["data_class"] == DataClass.ANONYMIZED else None,
        }


class DatasetEditForm(_DatasetFields):
    """Metadata of an existing dataset. Its data class never changes; the APPI disclosure is fixed once a
    version is published (the service refuses it), so the page shows it read-only then."""

    def __init__(self, *args: Any, anonymized: bool, disclosure_locked: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.anonymized = anonymized
        self.disclosure_locked = disclosure_locked
        for name in ("quasi_identifiers", "personal_info_items", "method"):
            if not anonymized:
                del self.fields[name]
            elif disclosure_locked:
                self.fields[name].disabled = True

    @classmethod
    def initial_for(cls, dataset: Any) -> dict[str, Any]:
        disclosure = dataset.anonymization or {}
        return {
            "title": dataset.title,
            "description": dataset.description,
            "category": dataset.category,
            "tags": join_list(tag.name for tag in dataset.tags.all()),
            "region": dataset.region,
            "update_frequency": dataset.update_frequency,
            "quasi_identifiers": join_list(disclosure.get("quasi_identifiers")),
            "personal_info_items": join_list(disclosure.get("personal_info_items")),
            "method": disclosure.get("method", ""),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.anonymized and not self.disclosure_locked:
            self._require_disclosure(cleaned)
        return cleaned

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes = {
            name: data[name] for name in ("title", "description", "category", "tags", "region", "update_frequency")
        }
        if self.anonymized and not self.disclosure_locked:
            changes["anonymization"] = self.anonymization()
        return changes


class VersionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Data file"),
        help_text=_("CSV or JSON Lines (.csv, .jsonl), UTF-8, with a header row for CSV."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.jsonl,.ndjson,text/csv,application/x-ndjson"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
