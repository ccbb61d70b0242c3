"""The seller's Sales and payouts page: its settlements, what the market owes it, its payouts.

Thin: reads through ``settlement.selectors`` and ``settlement.services.ledger.seller_payable``; every query is
filtered by the principal's organisation as seller, so a seller sees its own sales and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.api.principal import Principal
from settlement import selectors
from settlement.models import Settlement
from settlement.services.ledger import seller_payable
from settlement.web import display
from settlement.web.access import seller_required

SALES_PAGE_SIZE = 50
PAYOUTS_SHOWN = 50


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
