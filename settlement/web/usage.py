"""The seller's Usage of my data page: who downloaded which version of its datasets, and when (the traceability
the market rules promise).

Thin: reads through ``settlement.selectors``, every query filtered by the principal's organisation as seller, so
a seller sees its own data's usage and nothing else.
"""

from __future__ import annotations

import uuid

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from config.api.principal import Principal
from settlement import selectors
from settlement.web.access import seller_required

USAGE_PAGE_SIZE = 50


class UsageFilterForm(forms.Form):
    dataset = forms.TypedChoiceField(label=_("Dataset"), required=False, coerce=uuid.UUID, empty_value=None)

    def __init__(self, *args: object, datasets: list[tuple[uuid.UUID, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["dataset"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All datasets")), *((str(pk), title) for pk, title in datasets)]


@seller_required
def usage(request: HttpRequest, principal: Principal) -> HttpResponse:
    organization_id = principal.organization_id
    filters = UsageFilterForm(
        request.GET or None, datasets=selectors.datasets_with_downloads(organization_id=organization_id)
    )
    dataset_id = filters.cleaned_data["dataset"] if filters.is_valid() else None
    downloads = selectors.downloads_of_seller(organization_id=organization_id, dataset_id=dataset_id)
    page = Paginator(downloads, USAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "settlement/usage.html",
        {
            "filters": filters,
            "dataset_id": dataset_id or "",
            "summary": selectors.usage_summary_of_seller(organization_id=organization_id, dataset_id=dataset_id),
            "page": page,
        },
    )
