"""The buyer's pages: My purchases, one purchase with its history, the Download button, and for a subscription its
periods, every version received (a Download button each) and the Cancel subscription button.

Thin: reads through ``settlement.selectors`` (only the buyer's own settlements; another's is a 404), the
download token from ``settlement.services.delivery.token_issue`` (for the version the button names), the
cancellation from ``settlement.services.subscriptions.subscription_cancel``, the API's service. A hosted download
is a redirect to the market's streaming URL, so the browser saves the file; a provider-hosted one needs an
``Authorization`` header the browser cannot send from a link, so its page shows the token, its expiry and the
seller's URL.
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
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from catalog import selectors as catalog_selectors
from catalog.models import DatasetVersion, FileFormat
from catalog.selectors import version_get
from config.api.principal import Principal
from config.errors import Conflict, DomainError, NotFound
from config.market import market_settings
from contracts.models import Contract
from contracts.templatetags.ichiba import when
from settlement import hooks, selectors
from settlement.models import Entitlement, Settlement, Subscription, SubscriptionPeriod
from settlement.services.delivery import (
    KIND_JWT,
    EntitlementNotActive,
    IssuedToken,
    VersionNotEntitled,
    format_url,
    token_issue,
)
from settlement.services.subscriptions import subscription_cancel
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
class PeriodLine:
    period: SubscriptionPeriod
    outcome_label: str
    amount: int | None  # what its payment was, tax included (the trade's for the first), when there is one


@dataclass(frozen=True)
class SubscriptionLine:
    """A purchase of a subscription offering: its subscription, as the buyer reads it."""

    subscription: Subscription
    status_label: str
    periods: list[PeriodLine]
    current: SubscriptionPeriod | None  # the first period not closed yet
    versions: list[DatasetVersion]  # received (covered by the entitlement), oldest first
    access_ends_at: datetime | None  # cancelled: when access ends
    ends_if_cancelled: datetime | None  # not cancelled: when access would end if cancelled now
    last_period: int | None  # cancelled (or if cancelled now): the number of the period access ends with
    overdue: Settlement | None  # past due: the declined charge being retried
    overdue_reason: str  # why it was declined, in the buyer's words
    grace_ends_at: datetime | None  # past due: when the subscription ends if still unpaid
    end_reason: str  # ended: why, in the buyer's words

    @property
    def newest(self) -> DatasetVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def cancellable(self) -> bool:
        return self.subscription.status != Subscription.Status.ENDED and self.subscription.cancelled_at is None


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
    subscription: SubscriptionLine | None = None
    # The other formats the Download button's version can be had in (its renditions; hosted delivery only).
    formats: tuple[str, ...] = ()
    # The invoices issued for it that the buyer may open (hooks.settlement_documents: the invoices app's).
    documents: tuple[hooks.SettlementDocument, ...] = ()

    @property
    def downloadable(self) -> bool:
        return self.access == ACTIVE

    @property
    def access_until(self) -> datetime | None:
        """Until when access lasts: a cancelled subscription's to the end of its period, else the entitlement's term."""
        if self.subscription is not None and self.subscription.access_ends_at is not None:
            return self.subscription.access_ends_at
        return self.entitlement.valid_until if self.entitlement is not None else None

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


def _subscription_line(
    subscription: Subscription, versions: list[DatasetVersion], overdue: Settlement | None
) -> SubscriptionLine:
    periods = list(subscription.periods.all())
    access_ends_at = selectors.subscription_access_ends_at(subscription)
    ends_if_cancelled = selectors.subscription_access_ends_at(subscription, cancelled_at=timezone.now())
    last_end = access_ends_at or ends_if_cancelled
    # Periods run back to back from the start, so the one ending then is the n-th (the term's end: the last).
    last_period = (
        None if last_end is None else (last_end - subscription.starts_at) // timedelta(days=subscription.period_days)
    )
    grace_ends_at = None
    if subscription.past_due_since is not None:
        grace_ends_at = subscription.past_due_since + timedelta(days=subscription.grace_days)
    return SubscriptionLine(
        subscription=subscription,
        status_label=display.subscription_status_label(subscription.status),
        periods=[
            PeriodLine(
                period=period,
                outcome_label=display.period_outcome_label(period.outcome, closed=period.closed_at is not None),
                amount=None if period.settlement is None else period.settlement.amount,
            )
            for period in periods
        ],
        current=next((period for period in periods if period.closed_at is None), None),
        versions=versions,
        access_ends_at=access_ends_at,
        ends_if_cancelled=ends_if_cancelled,
        last_period=last_period,
        overdue=overdue,
        overdue_reason=display.failure_reason(overdue, declined=True) if overdue is not None else "",
        grace_ends_at=grace_ends_at,
        end_reason=display.end_reason_label(subscription.end_reason) if subscription.end_reason else "",
    )


def _lines(settlements: list[Settlement], *, organization_id: uuid.UUID) -> list[PurchaseLine]:
    """The purchase lines of a page: a fixed number of queries whatever its length (the settlements come with their
    contract and entitlement; subscriptions, their periods, versions received and overdue charges are read for the
    page at once)."""
    now = timezone.now()
    entitlements = {s.id: _entitlement(s) for s in settlements}
    entitlement_ids = [e.id for e in entitlements.values() if e is not None]
    links = selectors.latest_token_expiry(entitlement_ids=entitlement_ids, now=now)
    subscriptions: dict[uuid.UUID, Subscription] = {}
    received: dict[uuid.UUID, list[DatasetVersion]] = {}
    overdue: dict[uuid.UUID, Settlement] = {}
    # A subscription's contract terms hold its shape (``subscription``), a licence's none: no query for licences.
    subscribed = [s.contract_id for s in settlements if "subscription" in (s.contract.terms or {})]
    if subscribed:
        subscriptions = selectors.subscriptions_of_purchases(organization_id=organization_id, contract_ids=subscribed)
        received = selectors.versions_received(entitlement_ids=entitlement_ids)
        overdue = selectors.charges_overdue(contract_ids=[s.contract_id for s in subscriptions.values()])
    # The version each Download button fetches (a subscription's newest received, else the licensed one).
    button_versions: dict[uuid.UUID, uuid.UUID] = {}
    for settlement in settlements:
        held = entitlements[settlement.id]
        if (
            held is not None
            and held.delivery == Entitlement.Delivery.HOSTED
            and _access(settlement, held, now) == ACTIVE
        ):
            button_versions[held.id] = received[held.id][-1].id if received.get(held.id) else held.dataset_version_id
    formats = catalog_selectors.rendition_formats(version_ids=button_versions.values())
    documents = hooks.settlement_documents(organization_id, [s.id for s in settlements])
    lines = []
    for settlement in settlements:
        entitlement = entitlements[settlement.id]
        subscription = subscriptions.get(settlement.contract_id)
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
                formats=tuple(formats.get(button_versions[entitlement.id], []))
                if entitlement is not None and entitlement.id in button_versions
                else (),
                documents=tuple(documents.get(settlement.id, ())),
                subscription=None
                if subscription is None
                else _subscription_line(
                    subscription,
                    received.get(entitlement.id, []) if entitlement is not None else [],
                    overdue.get(settlement.contract_id),
                ),
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
        {
            "page": page,
            "lines": _lines(list(page.object_list), organization_id=principal.organization_id),
            "token_minutes": _token_minutes(),
        },
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
    [line] = _lines([settlement], organization_id=principal.organization_id)
    # What higher apps add to a subscription's page (streams: the live stream's credentials), rendered by them.
    panels = hooks.purchase_panels(request, line.subscription.subscription.id) if line.subscription else ""
    return render(
        request,
        "settlement/purchase.html",
        {
            "line": line,
            "settlement": settlement,
            "contract": settlement.contract,
            "history": _history(settlement),
            "takedown": selectors.purchase_takedown(settlement=settlement),
            "downloads": selectors.downloads_of_purchase(settlement=settlement)[:PURCHASE_DOWNLOADS],
            "token_minutes": _token_minutes(),
            "panels": mark_safe(panels),  # noqa: S308 - rendered by the registered apps' templates
        },
    )


def _refusal(exc: DomainError, version: int | None) -> str:
    if isinstance(exc, EntitlementNotActive):
        return _("No download link can be made: access to this data has ended or has not started yet.")
    if isinstance(exc, VersionNotEntitled):
        return _("Version %(number)s is not among the versions this purchase gives you.") % {"number": version}
    if isinstance(exc, NotFound):
        return _("The dataset has no version %(number)s to download.") % {"number": version}
    return _("No download link can be made right now. Try again in a moment.")


def _requested_version(request: HttpRequest) -> int | None:
    """The version a Download button names (a subscription's buttons name theirs), or None: the newest covered. A
    value that is no version number raises ValueError."""
    value = str(request.POST.get("version") or "").strip()
    if not value:
        return None
    number = int(value)
    if not 1 <= number <= 2**31 - 1:
        raise ValueError(value)
    return number


def _token_page(
    request: HttpRequest, principal: Principal, settlement: Settlement, issued: IssuedToken
) -> HttpResponse:
    if issued.kind == KIND_JWT:
        url = issued.delivery_url
    else:
        url = request.build_absolute_uri(reverse("download", kwargs={"token": issued.token}))
    seconds = (issued.expires_at - timezone.now()).total_seconds()
    # The version the token fetches (a subscription's buttons each name one).
    version = version_get(
        dataset=settlement.contract.dataset, number=issued.version, viewer_org_id=principal.organization_id
    )
    # For the example command: a name a shell takes as it is, with the format's extension.
    title = settlement.contract.dataset.title
    filename = f"{slugify(title) or 'dataset'}-v{version.number}.{version.file_format}"
    # Hosted: the same token fetches each of the version's other formats (its renditions).
    others = [
        {"format": file.file_format, "url": format_url(url, file.file_format), "size_bytes": file.size_bytes}
        for file in issued.files
        if file.rendition is not None
    ]
    return render(
        request,
        "settlement/download_link.html",
        {
            "settlement": settlement,
            "contract": settlement.contract,
            "issued": issued,
            "url": url,
            "other_formats": [] if issued.kind == KIND_JWT else others,
            "provider": issued.kind == KIND_JWT,
            "minutes": max(1, math.ceil(seconds / 60)),
            "filename": filename,
            "version": version,
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
        version = _requested_version(request)
    except ValueError:
        messages.error(request, _("That is not a version number; nothing was downloaded."))
        return redirect("settlement:purchase", settlement_id=settlement.id)
    file_format = str(request.POST.get("format") or "")
    if file_format and file_format not in FileFormat.values:
        messages.error(request, _("That is not a format the data comes in; nothing was downloaded."))
        return redirect("settlement:purchase", settlement_id=settlement.id)
    try:
        issued = token_issue(principal=principal, entitlement_id=entitlement.id, version=version)
    except NotFound as exc:
        if version is None:  # the entitlement itself (the purchase is the buyer's, so it is there)
            raise Http404(exc.detail) from exc
        messages.error(request, _refusal(exc, version))
        return redirect("settlement:purchase", settlement_id=settlement.id)
    except DomainError as exc:
        messages.error(request, _refusal(exc, version))
        return redirect("settlement:purchase", settlement_id=settlement.id)
    if issued.kind == KIND_JWT or request.POST.get("show_link"):
        return _token_page(request, principal, settlement, issued)
    url = reverse("download", kwargs={"token": issued.token})
    # Another format (a button per rendition): the same token; a format the version lacks is the download's 404.
    return redirect(format_url(url, file_format) if file_format else url)


# --- a subscription: the buyer cancels ------------------------------------------------------------------------------


@require_POST
@member_required
def purchase_cancel(request: HttpRequest, principal: Principal, settlement_id: uuid.UUID) -> HttpResponse:
    """Cancel the purchase's subscription, as ``POST /api/v1/subscriptions/{id}/cancel`` does (the same service), once
    the buyer ticked the confirmation; then the purchase page says when access ends."""
    settlement = _purchase(principal, settlement_id)
    found = selectors.subscriptions_of_purchases(
        organization_id=principal.organization_id, contract_ids=[settlement.contract_id]
    )
    subscription = found.get(settlement.contract_id)
    if subscription is None:
        raise Http404("This purchase is not a subscription.")
    back = redirect("settlement:purchase", settlement_id=settlement.id)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm the cancellation. Nothing was changed."))
        return back
    try:
        subscription_cancel(principal=principal, subscription_id=subscription.id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except Conflict:
        messages.error(request, _("The subscription has ended; there is nothing to cancel."))
        return back
    except DomainError:
        messages.error(request, _("The subscription cannot be cancelled right now. Try again in a moment."))
        return back
    cancelled = selectors.subscription_get(subscription_id=subscription.id, organization_id=principal.organization_id)
    ends_at = selectors.subscription_access_ends_at(cancelled)
    if ends_at is not None:
        messages.success(
            request,
            _("The subscription is cancelled. Access ends at %(date)s; no later period is charged.")
            % {"date": when(ends_at)},
        )
    else:
        messages.success(request, _("The subscription is cancelled."))
    return back
