"""The page a browser gets for a download link that does not work (any more): expired, not valid, or for access that
was revoked or has ended.

The link is the API's download URL (``settlement.api.downloads``), opened from the link page, a bookmark or an
e-mail. A program asking for it keeps the problem details it always had (401/403/410, ADR 9: English); a browser,
whose ``Accept`` prefers HTML, gets this page instead, with the same status, in the reader's language: what
happened, the way back to the purchase, and, when the access is still active and the reader is signed in for the
buyer, a button that makes a fresh link to the same version (and format) at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import auth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation

from config.api.principal import principal_of
from config.errors import DomainError
from config.market import market_settings
from settlement import selectors
from settlement.models import DownloadToken, Entitlement
from settlement.services.delivery import EntitlementEnded, EntitlementRevoked, TokenExpired, TokenInvalid

# The refusals a person may meet by opening a link; the others (a format, a range, the data unavailable) are the
# download's own answers to a request a program shaped.
EXPLAINED = (TokenInvalid, TokenExpired, EntitlementRevoked, EntitlementEnded)
# What the page says happened (the template words each).
INVALID, EXPIRED, ENDED, REVOKED, NOT_STARTED = "invalid", "expired", "ended", "revoked", "not_started"
# In the order the download endpoint prefers them when the client has no preference ("*/*" and no Accept: JSON).
_TYPES = ["application/problem+json", "application/json", "text/html"]


def wants_page(request: HttpRequest, error: DomainError) -> bool:
    """Whether to answer ``error`` with the page: a refusal the page explains, to a client preferring HTML."""
    return isinstance(error, EXPLAINED) and request.get_preferred_type(_TYPES) == "text/html"


def _reason(error: DomainError, token: DownloadToken | None, now: datetime) -> str:
    if isinstance(error, TokenInvalid) or token is None:
        return INVALID
    if isinstance(error, TokenExpired):
        return EXPIRED
    if isinstance(error, EntitlementEnded):
        return ENDED
    if token.entitlement.status != Entitlement.Status.REVOKED and now < token.entitlement.valid_from:
        return NOT_STARTED
    return REVOKED


def download_refused_page(request: HttpRequest, error: DomainError, *, token: str, file_format: str) -> HttpResponse:
    """The page for ``error`` (one of ``EXPLAINED``), with the error's status, in the reader's language."""
    # The download takes no session, so DRF left the request anonymous; the page is for the member signed in here.
    request.user = auth.get_user(request)
    now = timezone.now()
    row = selectors.download_token_found(token=token) if not isinstance(error, TokenInvalid) else None
    reason = _reason(error, row, now)
    entitlement = row.entitlement if row is not None else None
    principal = principal_of(request)
    buyer = principal is not None and entitlement is not None and principal.organization_id == entitlement.buyer_id
    context: dict[str, Any] = {
        "reason": reason,
        "entitlement": entitlement,
        # The token's version (the one the link fetched): the fresh link fetches it again, in the same format.
        "version": (row.dataset_version or entitlement.dataset_version) if row and entitlement else None,
        "file_format": file_format,
        "buyer": buyer,
        "signed_in": request.user.is_authenticated,
        # A fresh link is made by the purchase page's Download button (a POST): offered where it would work.
        "can_renew": buyer and reason == EXPIRED and entitlement is not None and entitlement.valid_until > now,
        "purchase_url": reverse("settlement:purchase", args=[entitlement.settlement_id]) if entitlement else "",
        "token_minutes": max(1, market_settings().download_token_lifetime // timedelta(minutes=1)),
    }
    lang = translation.get_language_from_request(request, check_path=False)
    with translation.override(lang):  # the API answers English (config.middleware); this page is for a person
        response = render(request, "settlement/download_refused.html", context, status=error.status)
    response["Content-Language"] = lang
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response
