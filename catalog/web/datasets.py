"""The catalog's dataset pages: the search, a dataset's page, and the seller's own datasets (list, create, edit,
withdraw, relist), with their forms.

Thin like the API views: read through ``catalog.selectors``, write through ``catalog.services``, and turn
a ``DomainError`` into a message on the page. Forms check the shape of what a person typed and translate it into
the arguments of the services; no rule of the market is decided here.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog import ranking, selectors
from catalog.hooks import dataset_buy_box, dataset_head, dataset_panel, dataset_prices, offerings_for_dataset
from catalog.models import Category, DataClass, DatasetVersion, UpdateFrequency
from catalog.services import datasets as dataset_services
from catalog.services.datasets import MAX_TAGS, check_data_class
from catalog.web import quality
from catalog.web.access import dataset_owned, seller_required
from catalog.web.versions import version_time_range
from config.api.principal import Principal, principal_of
from config.errors import DomainError, NotFound, RuleViolation
from config.text import displayable_line, displayable_text

CATALOG_PAGE_SIZE = 12
SELLER_PAGE_SIZE = 50

# Commas as typed on Japanese keyboards too (、，) separate list items.
_LIST_SEPARATORS = re.compile(r"[,、，]")


PERSONAL_DATA_EXPLANATION = gettext_lazy(
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


def _displayable_items(value: str) -> list[str]:
    """A comma-separated field's items, each one a line people read (a tag of zero-width spaces is not one)."""
    items = split_list(value)
    for item in items:
        displayable_line(item)
    return items


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
    q = forms.CharField(
        label=gettext_lazy("Search"), max_length=200, required=False, widget=SearchInput, validators=[displayable_line]
    )
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
    tag = forms.CharField(label=gettext_lazy("Tag"), max_length=50, required=False, validators=[displayable_line])
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("", gettext_lazy("Best match")),
            ("newest", gettext_lazy("Newest")),
            ("price", gettext_lazy("Lowest price")),
        ],
    )
    region = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput, validators=[displayable_line])
    seller = forms.UUIDField(label=gettext_lazy("Seller"), required=False, widget=forms.HiddenInput)
    cursor = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput, validators=[displayable_line])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": gettext_lazy("Title, description, tag…")})
        self.fields["tag"].widget.attrs.update({"placeholder": gettext_lazy("e.g. bridge, 橋梁")})


class _DatasetFields(forms.Form):
    """Fields shared by creating and editing a dataset."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, validators=[displayable_line])
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=20000,
        required=False,
        widget=forms.Textarea,
        validators=[displayable_text],
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices, initial=Category.OTHER)
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        max_length=1200,
        required=False,
        help_text=gettext_lazy("Separated by commas, at most 20."),
        validators=[displayable_line],
    )
    region = forms.CharField(
        label=gettext_lazy("Region"), max_length=100, required=False, validators=[displayable_line]
    )
    update_frequency = forms.ChoiceField(
        label=gettext_lazy("Update frequency"), choices=UpdateFrequency.choices, initial=UpdateFrequency.ONCE
    )
    quasi_identifiers = forms.CharField(
        label=gettext_lazy("Quasi-identifiers"),
        max_length=5000,
        required=False,
        help_text=gettext_lazy(
            "Columns that could single out a person in combination (e.g. age_band, prefecture), separated by "
            "commas. k-anonymity is measured over these columns before the version is published."
        ),
        validators=[displayable_line],
    )
    personal_info_items = forms.CharField(
        label=gettext_lazy("Items of personal information"),
        max_length=5000,
        required=False,
        help_text=gettext_lazy(
            "The items the data contains (e.g. age band, prefecture of residence), separated by commas."
        ),
        validators=[displayable_line],
    )
    method = forms.CharField(
        label=gettext_lazy("Processing method"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("How the personal information was processed (deleted, generalised, suppressed…)."),
        validators=[displayable_text],
    )

    def clean_tags(self) -> list[str]:
        tags = _displayable_items(self.cleaned_data.get("tags", ""))
        if len(tags) > MAX_TAGS:
            raise ValidationError(gettext_lazy("At most %(max)d tags.") % {"max": MAX_TAGS})
        if any(len(tag) > 50 for tag in tags):
            raise ValidationError(gettext_lazy("A tag has at most 50 characters."))
        return tags

    def clean_quasi_identifiers(self) -> list[str]:
        return _displayable_items(self.cleaned_data.get("quasi_identifiers", ""))

    def clean_personal_info_items(self) -> list[str]:
        return _displayable_items(self.cleaned_data.get("personal_info_items", ""))

    def _require_disclosure(self, cleaned: dict[str, Any]) -> None:
        """The APPI disclosure an anonymised dataset publishes: every part of it is required."""
        missing = gettext_lazy("Required for anonymously processed information (APPI).")
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
        label=gettext_lazy("Data class"),
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


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=200, required=False, validators=[displayable_line]
    )


def _viewer_id(request: HttpRequest) -> uuid.UUID | None:
    principal = principal_of(request)
    return principal.organization_id if principal is not None else None


# Facet names as the page shows them, in its order.
FACET_LABELS = {
    "data_class": gettext_lazy("Data class"),
    "category": gettext_lazy("Category"),
    "region": gettext_lazy("Region"),
    "tag": gettext_lazy("Tag"),
}


def _facet_groups(request: HttpRequest, facets: ranking.Facets, chosen: dict[str, str]) -> list[dict[str, Any]]:
    """The facets as the page lists them: each value with its label, its count, whether it is the filter in force,
    and the link that applies it (or, when in force, removes it) from the first page: plain links, no script."""
    labels = {"data_class": dict(DataClass.choices), "category": dict(Category.choices)}
    groups = []
    for name, values in ranking.facet_values(facets):
        shown = []
        for value, count in values:
            query = request.GET.copy()
            query.pop("cursor", None)
            if chosen.get(name) == value:
                query.pop(name, None)
            else:
                query[name] = value
            shown.append(
                {
                    "label": labels.get(name, {}).get(value, value),
                    "count": count,
                    "chosen": chosen.get(name) == value,
                    "href": "?" + query.urlencode(),
                }
            )
        if shown:
            groups.append({"name": name, "label": FACET_LABELS[name], "values": shown})
    return groups


def catalog(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    form.is_valid()  # an invalid filter is shown with its error and ignored; the valid ones still apply
    data = form.cleaned_data
    filters = selectors.SearchFilters(
        q=data.get("q") or "",
        data_class=data.get("data_class") or "",
        category=data.get("category") or "",
        tag=data.get("tag") or "",
        region=data.get("region") or "",
        seller=data.get("seller"),
    )
    try:
        page = selectors.dataset_search_page(
            viewer_org_id=_viewer_id(request),
            filters=filters,
            sort=data.get("sort") or "",
            cursor=data.get("cursor") or None,
            page_size=CATALOG_PAGE_SIZE,
        )
    except DomainError:  # a damaged cursor (edited by hand): the first page instead
        page = selectors.dataset_search_page(
            viewer_org_id=_viewer_id(request), filters=filters, sort=data.get("sort") or "", page_size=CATALOG_PAGE_SIZE
        )
    filtered = any(
        [filters.q.strip(), filters.data_class, filters.category, filters.tag, filters.region, filters.seller]
    )
    # Each card's best price, for the whole page at once (a fixed number of queries however many cards).
    prices = dataset_prices([dataset.id for dataset in page.datasets])
    for dataset in page.datasets:
        dataset.price_phrase = mark_safe(prices.get(dataset.id, ""))  # type: ignore[attr-defined]  # noqa: S308
    seller_name = ""
    if filters.seller and page.datasets:
        seller_name = page.datasets[0].seller.name
    chosen = {"data_class": filters.data_class, "category": filters.category, "tag": filters.tag}
    chosen["region"] = filters.region
    return render(
        request,
        "catalog/catalog.html",
        {
            "form": form,
            "page": page,
            "facet_groups": _facet_groups(request, page.facets, chosen),
            "filters": filters,
            "filtered": filtered,
            "seller_name": seller_name,
        },
    )


def _quality_shown(request: HttpRequest, dataset: Any, latest: DatasetVersion | None) -> quality.QualityPanel | None:
    """The "Data quality" panel of the published version ``?version=`` names (a feed's table links each), else of
    the latest; a number that is no published version shows the latest's."""
    if latest is None:
        return None
    wanted = request.GET.get("version", "")
    if wanted.isascii() and wanted.isdigit() and len(wanted) < 10 and int(wanted) != latest.number:
        chosen = dataset.versions.filter(status=DatasetVersion.Status.PUBLISHED, number=int(wanted)).first()
        if chosen is not None:
            return quality.quality_panel(chosen)
    return quality.quality_panel(latest)


def dataset_detail(request: HttpRequest, dataset_id: uuid.UUID) -> HttpResponse:
    viewer = _viewer_id(request)
    try:
        dataset = selectors.dataset_get(dataset_id=dataset_id, viewer_org_id=viewer)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    latest = selectors.latest_published_version(dataset=dataset)
    schema, schema_omitted = selectors.schema_shown(latest.schema if latest else [], selectors.PAGE)
    feed = quality.feed_lines(dataset_id=dataset.id) if latest is not None else []
    return render(
        request,
        "catalog/dataset.html",
        {
            "dataset": dataset,
            "is_owner": viewer is not None and viewer == dataset.seller_id,
            # The list shows no schema, sample or checks: they are not read for every version.
            "versions": list(
                selectors.versions_visible(dataset=dataset, viewer_org_id=viewer).defer("schema", "sample", "checks")
            ),
            "latest": latest,
            "schema": schema,
            "schema_omitted": schema_omitted,
            "time_range": version_time_range(latest),
            "quality": _quality_shown(request, dataset, latest),
            # A feed (several versions) shows its figures over them.
            "feed": feed if len(feed) > 1 else [],
            "sample": selectors.dataset_sample(dataset=dataset, shown=selectors.PAGE),
            "offerings": offerings_for_dataset(dataset.id),
            # Price first: the best price and the buy boxes at the top (the marketplace renders and escapes both).
            "price_phrase": mark_safe(dataset_prices([dataset.id]).get(dataset.id, "")),  # noqa: S308
            "buy_box": mark_safe(dataset_buy_box(request, dataset.id)),  # noqa: S308 - rendered by a template
            "market_panel": mark_safe(dataset_panel(request, dataset.id)),  # noqa: S308 - rendered by a template
            "head_extra": mark_safe(dataset_head(request, dataset.id)),  # noqa: S308 - escaped by its renderers
            "withdraw_form": WithdrawForm(),
        },
    )


@seller_required
def seller_datasets(request: HttpRequest, principal: Principal) -> HttpResponse:
    own = selectors.dataset_search(
        viewer_org_id=principal.organization_id,
        filters=selectors.SearchFilters(seller=principal.organization_id),
    ).prefetch_related(
        Prefetch(
            "versions",
            queryset=DatasetVersion.objects.only("number", "status", "dataset_id", "created_at").order_by("-number"),
            to_attr="version_list",
        )
    )
    page = Paginator(own, SELLER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/seller_datasets.html", {"page": page})


@seller_required
def dataset_create(request: HttpRequest, principal: Principal) -> HttpResponse:
    form = DatasetCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = dataset_services.dataset_create(
                seller_id=principal.organization_id, actor_user_id=principal.user_id, **form.service_arguments()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The dataset was created as a draft. Upload its first version to list it."))
            return redirect("web:version_upload", dataset_id=dataset.id)
    return render(request, "catalog/dataset_form.html", {"form": form, "dataset": None})


@seller_required
def dataset_edit(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = dataset_owned(dataset_id, principal)
    form = DatasetEditForm(
        request.POST if request.method == "POST" else None,
        initial=DatasetEditForm.initial_for(dataset),
        anonymized=dataset.data_class == DataClass.ANONYMIZED,
        disclosure_locked=selectors.latest_published_version(dataset=dataset) is not None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            dataset_services.dataset_update(
                dataset_id=dataset.id,
                seller_id=principal.organization_id,
                actor_user_id=principal.user_id,
                changes=form.changes(),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("web:dataset", dataset_id=dataset.id)
    return render(request, "catalog/dataset_form.html", {"form": form, "dataset": dataset})


@require_POST
@seller_required
def dataset_withdraw(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = dataset_owned(dataset_id, principal)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        dataset_services.dataset_withdraw(
            dataset_id=dataset.id, seller_id=principal.organization_id, actor_user_id=principal.user_id, reason=reason
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The dataset was withdrawn. Licences already concluded for it are not affected."))
    return redirect("web:dataset", dataset_id=dataset.id)


@require_POST
@seller_required
def dataset_relist(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = dataset_owned(dataset_id, principal)
    try:
        dataset_services.dataset_relist(
            dataset_id=dataset.id, seller_id=principal.organization_id, actor_user_id=principal.user_id
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The dataset is listed again."))
    return redirect("web:dataset", dataset_id=dataset.id)
