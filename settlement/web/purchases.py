"""The buyer's pages: My purchases, one purchase with its history, and the Download button.

Thin: reads through ``settlement.selectors`` (only the buyer's own settlements; another's is a 404), the
download token from ``settlement.services.delivery.token_issue``. A hosted download is a redirect to the
market's streaming URL, so the browser saves the file; a provider-hosted one needs an ``Authorization``
header the browser cannot send from a link, so its page shows the token, its expiry and the seller's URL.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from config.api.principal import Principal
from config.errors import DomainError, NotFound
from config.market import market_settings
from contracts.models import Contract
from settlement import selectors
from settlement.models import Entitlement, Settlement
from settlement.services.delivery import KIND_JWT, EntitlementNotActive, IssuedToken, token_issue
from settlement.web import display
from settlement.web.access import member_required

PURCHASES_PAGE_SIZE = 50
PURCHASE_DOWNLOADS = 50  # the buyer's own downloads listed on a purchase's page

# Access to the data, as the purchase pages say it.
WAITING, NO_ACCESS, NOT_STARTED, ACTIVE, ENDED, REVOKED = (
    "waiting",
    "none",
    "not_started",
    "active",
    "ended",
    "revoked",
)


@dataclass(frozen=True)
class PurchaseLine:
    settlement: Settlement
    contract: Contract
    status_label: str
    status_note: str
    failure: str  # why the payment failed, in the buyer's words; "" if it did not
    entitlement: Entitlement | None
    access: str  # one of WAITING ... REVOKED
    link_until: datetime | None  # the latest download link still valid, if any

    @property
    def downloadable(self) -> bool:
        return self.access == ACTIVE

    @property
    def provider_delivery(self) -> bool:
        return self.entitlement is not None and self.entitlement.delivery == Entitlement.Delivery.PROVIDER


def _entitlement(settlement: Settlement) -> Entitlement | None:
    try:
        return settlement.entitlement
    except Entitlement.DoesNotExist:
        return None


def _access(settlement: Settlement, entitlement: Entitlement | None, now: datetime) -> str:
    if entitlement is None:
        return WAITING if settlement.status == Settlement.Status.PENDING else NO_ACCESS
    if entitlement.status == Entitlement.Status.REVOKED:
        return REVOKED
    if entitlement.status == Entitlement.Status.EXPIRED or now >= entitlement.valid_until:
        return ENDED
    if now < entitlement.valid_from:
        return NOT_STARTED
    return ACTIVE


def _lines(settlements: list[Settlement]) -> list[PurchaseLine]:
    now = timezone.now()
    entitlements = {s.id: _entitlement(s) for s in settlements}
    links = selectors.latest_token_expiry(
        entitlement_ids=[e.id for e in entitlements.values() if e is not None], now=now
    )
    lines = []
    for settlement in settlements:
        entitlement = entitlements[settlement.id]
        lines.append(
            PurchaseLine(
                settlement=settlement,
                contract=settlement.contract,
                status_label=display.status_label(settlement.status),
                status_note=display.buyer_status_note(settlement.status),
                failure=display.failure_reason(settlement),
                entitlement=entitlement,
                access=_access(settlement, entitlement, now),
                link_until=links.get(entitlement.id) if entitlement is not None else None,
            )
        )
    return lines


def _token_minutes() -> int:
    return max(1, market_settings().download_token_lifetime // timedelta(minutes=1))


@member_required
def purchase_list(request: HttpRequest, principal: Principal) -> HttpResponse:
    purchases = selectors.purchases_of_buyer(organization_id=principal.organization_id)
    page = Paginator(purchases, PURCHASES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "settlement/purchases.html",
        {"page": page, "lines": _lines(list(page.object_list)), "token_minutes": _token_minutes()},
    )


def _purchase(principal: Principal, settlement_id: uuid.UUID) -> Settlement:
    try:
        return selectors.purchase_get(settlement_id=settlement_id, organization_id=principal.organization_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


@dataclass(frozen=True)
class HistoryLine:
    created_at: datetime
    subject: str  # "payment" or "access"
    from_label: str
    to_label: str
    reason: str


def _history(settlement: Settlement) -> list[HistoryLine]:
    lines = []
    for subject, event in selectors.settlement_history(settlement=settlement):
        label = display.status_label if subject == "payment" else display.entitlement_status_label
        lines.append(
            HistoryLine(
                created_at=event.created_at,
                subject=subject,
                from_label=label(event.from_status) if event.from_status else "",
                to_label=label(event.to_status),
                reason=event.reason,
            )
        )
    return lines


@member_required
def purchase_detail(request: HttpRequest, principal: Principal, settlement_id: uuid.UUID) -> HttpResponse:
    settlement = _purchase(principal, settlement_id)
    [line] = _lines([settlement])
    return render(
        request,
        "settlement/purchase.html",
        {
            "line": line,
            "settlement": settlement,
            "contract": settlement.contract,
            "history": _history(settlement),
            "downloads": selectors.downloads_of_purchase(settlement=settlement)[:PURCHASE_DOWNLOADS],
            "token_minutes": _token_minutes(),
        },
    )


def _refusal(exc: DomainError) -> str:
    if isinstance(exc, EntitlementNotActive):
        return _("No download link can be made: access to this data has ended or has not started yet.")
    return _("No download link can be made right now. Try again in a moment.")


def _token_page(request: HttpRequest, settlement: Settlement, issued: IssuedToken) -> HttpResponse:
    if issued.kind == KIND_JWT:
        url = issued.delivery_url
    else:
        url = request.build_absolute_uri(reverse("download", kwargs={"token": issued.token}))
    seconds = (issued.expires_at - timezone.now()).total_seconds()
    version = settlement.contract.dataset_version
    # For the example command: a name a shell takes as it is, with the format's extension.
    filename = f"{slugify(version.dataset.title) or 'dataset'}-v{version.number}.{version.file_format}"
    return render(
        request,
        "settlement/download_link.html",
        {
            "settlement": settlement,
            "contract": settlement.contract,
            "issued": issued,
            "url": url,
            "provider": issued.kind == KIND_JWT,
            "minutes": max(1, math.ceil(seconds / 60)),
            "filename": filename,
        },
    )


@never_cache  # the page shows a bearer token: no cache may keep it
@require_http_methods(["GET", "POST"])
@member_required
def purchase_download(request: HttpRequest, principal: Principal, settlement_id: uuid.UUID) -> HttpResponse:
    """Mint a download token, then hand the file over: a redirect (hosted) or the token's page (provider).

    Only the purchase page's button (a POST) mints one. A GET (the language switch reloads the page it was on, and
    the token's page is this URL) goes back to the purchase page, where another link is one click away."""
    settlement = _purchase(principal, settlement_id)
    if request.method != "POST":
        return redirect("settlement:purchase", settlement_id=settlement.id)
    entitlement = _entitlement(settlement)
    if entitlement is None:
        messages.error(request, _("This purchase gives no access to data yet, so there is nothing to download."))
        return redirect("settlement:purchase", settlement_id=settlement.id)
    try:
        issued = token_issue(principal=principal, entitlement_id=entitlement.id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, _refusal(exc))
        return redirect("settlement:purchase", settlement_id=settlement.id)
    if issued.kind == KIND_JWT or request.POST.get("show_link"):
        return _token_page(request, settlement, issued)
    return redirect(reverse("download", kwargs={"token": issued.token}))
