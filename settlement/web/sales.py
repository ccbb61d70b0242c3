"""The seller's pages: Sales and payouts (its settlements, what the market owes it, its payouts) and Usage of
my data (who downloaded which version of its datasets, and when: the traceability the market rules promise).

Thin: reads through ``settlement.selectors`` and ``settlement.services.ledger.seller_payable``; every query is
filtered by the principal's organisation as seller, so a seller sees its own data's usage and nothing else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from config.api.principal import Principal
from settlement import selectors
from settlement.models import Settlement
from settlement.services.ledger import seller_payable
from settlement.web import display
from settlement.web.access import seller_required

SALES_PAGE_SIZE = 50
PAYOUTS_SHOWN = 50
USAGE_PAGE_SIZE = 50


@dataclass(frozen=True)
class SaleLine:
    settlement: Settlement
    status_label: str


@dataclass(frozen=True)
class Balance:
    currency: str
    payable: int  # owed to the seller now: captured proceeds not paid out yet
    authorised: int  # proceeds of authorised payments, owed once they are captured


@seller_required
def sales(request: HttpRequest, principal: Principal) -> HttpResponse:
    organization_id = principal.organization_id
    settlements = selectors.sales_of_seller(organization_id=organization_id)
    page = Paginator(settlements, SALES_PAGE_SIZE).get_page(request.GET.get("page"))
    balances = [
        Balance(
            currency=currency,
            payable=seller_payable(organization_id=organization_id, currency=currency),
            authorised=selectors.seller_proceeds_authorised(organization_id=organization_id, currency=currency),
        )
        for currency in selectors.seller_currencies(organization_id=organization_id)
    ]
    return render(
        request,
        "settlement/sales.html",
        {
            "page": page,
            "lines": [
                SaleLine(settlement=s, status_label=display.seller_status_label(s.status)) for s in page.object_list
            ],
            "balances": balances,
            "payouts": selectors.payouts_of_seller(organization_id=organization_id)[:PAYOUTS_SHOWN],
        },
    )


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
