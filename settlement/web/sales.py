"""The seller's Sales and payouts page: its subscribers (per subscription offering, with their upcoming renewals) and
the outcomes of their periods, its settlements, what the market owes it, its payouts.

Thin: reads through ``settlement.selectors`` and ``settlement.services.ledger.seller_payable``; every query is
filtered by the principal's organisation as seller, so a seller sees its own sales and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.api.principal import Principal
from settlement import hooks, selectors
from settlement.models import Settlement, Subscription, SubscriptionPeriod
from settlement.services.ledger import seller_payable
from settlement.web import display
from settlement.web.access import seller_required

SALES_PAGE_SIZE = 50
PAYOUTS_SHOWN = 50
SUBSCRIBERS_PAGE_SIZE = 50
PERIOD_OUTCOMES_SHOWN = 50


@dataclass(frozen=True)
class SaleLine:
    settlement: Settlement
    status_label: str
    # The invoices of the sale the seller may open: the one issued on its behalf, the market's fee invoice, returns.
    documents: tuple[hooks.SettlementDocument, ...] = ()


@dataclass(frozen=True)
class SubscriberLine:
    subscription: Subscription
    status_label: str
    current: SubscriptionPeriod | None  # the first period not closed yet
    renews_at: datetime | None  # when the next period begins, if there is one
    ends_at: datetime | None  # otherwise when it ends: the period the buyer cancelled in, or the term's last


def _subscriber(subscription: Subscription) -> SubscriberLine:
    unclosed: list[SubscriptionPeriod] = getattr(subscription, "unclosed", [])
    current = unclosed[0] if unclosed else None
    renews_at = ends_at = None
    if subscription.cancelled_at is not None:
        ends_at = selectors.subscription_access_ends_at(subscription)
    elif current is None or current.number >= subscription.term_periods:
        ends_at = subscription.ends_at
    else:
        renews_at = current.ends_at
    return SubscriberLine(
        subscription=subscription,
        status_label=display.subscription_status_label(subscription.status),
        current=current,
        renews_at=renews_at,
        ends_at=ends_at,
    )


@dataclass(frozen=True)
class PeriodOutcomeLine:
    period: SubscriptionPeriod
    outcome_label: str


@dataclass(frozen=True)
class Balance:
    currency: str
    payable: int  # owed to the seller now: captured proceeds not paid out yet; negative when the seller owes
    authorised: int  # proceeds of authorised payments, owed once they are captured

    @property
    def owed_by_seller(self) -> int:
        """What the seller owes the market: sales refunded after they were paid out, netted off its next payouts."""
        return max(-self.payable, 0)


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
    subscribers = Paginator(
        selectors.subscribers_of_seller(organization_id=organization_id), SUBSCRIBERS_PAGE_SIZE
    ).get_page(request.GET.get("subscribers_page"))
    outcomes = selectors.period_outcomes_of_seller(organization_id=organization_id)[:PERIOD_OUTCOMES_SHOWN]
    documents = hooks.settlement_documents(organization_id, [s.id for s in page.object_list])
    return render(
        request,
        "settlement/sales.html",
        {
            "subscribers_page": subscribers,
            "subscribers": [_subscriber(subscription) for subscription in subscribers.object_list],
            "period_outcomes": [
                PeriodOutcomeLine(
                    period=period,
                    outcome_label=display.period_outcome_label(period.outcome, closed=period.closed_at is not None),
                )
                for period in outcomes
            ],
            "page": page,
            "lines": [
                SaleLine(
                    settlement=s,
                    status_label=display.seller_status_label(s.status),
                    documents=tuple(documents.get(s.id, ())),
                )
                for s in page.object_list
            ],
            "balances": balances,
            "payouts": selectors.payouts_of_seller(organization_id=organization_id)[:PAYOUTS_SHOWN],
        },
    )
