"""Failed sign-ins are limited, with django-axes counting them in PostgreSQL (so the limit holds during a Redis
outage, and across every web process).

Two limits, each with a lock-out that ends ``ICHIBA_SIGNIN_LOCKOUT_SECONDS`` after the last failure it counted:

- per account **and** client address together (``ICHIBA_SIGNIN_FAILURE_LIMIT``, default 5): guessing one member's
  password is stopped, yet nobody can lock a member out from elsewhere, since the member's own address has its own
  count;
- per client address over all accounts (``ICHIBA_SIGNIN_ADDRESS_FAILURE_LIMIT``, default 50): one address trying
  a common password on many accounts (spraying) is stopped too.

A locked-out attempt is refused even with the right password, with 429 and ``Retry-After``: a translated page for
people, a problem document for a program. The client's address is the peer's, or, behind
``ICHIBA_TRUSTED_PROXY_COUNT`` reverse proxies, the one the outermost proxy saw (X-Forwarded-For).
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from config.api.problems import django_problem, is_api_request
from config.market import market_settings

__all__ = ["SignInAttempts", "SignInLockoutBackend", "client_address", "failure_limit", "lockout", "lockout_response"]


class SignInLockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out sign-in before any password is checked. Code that authenticates without a request (a
    management command, a test's ``Client.login``) is not a sign-in from an address and is not counted."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


class SignInAttempts(AxesDatabaseHandler):
    """axes' database handler with the two limits (``AXES_LOCKOUT_PARAMETERS`` lists the pair, then the address).

    axes compares one failure count with one limit (``failure_limit``, the pair's); the address's count is
    shifted onto that scale, so the comparison locks out exactly when either limit is reached."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        pair, address = (_failures(attempts) for attempts in self.get_user_attempts(request, credentials))
        market = market_settings()
        return max(pair, address - market.signin_address_failure_limit + market.signin_failure_limit)


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


def failure_limit(request: HttpRequest | None = None, credentials: dict[str, Any] | None = None) -> int:
    """``AXES_FAILURE_LIMIT``, read from the market's settings."""
    return market_settings().signin_failure_limit


def lockout(request: HttpRequest | None = None) -> Any:
    """``AXES_COOLOFF_TIME``, read from the market's settings."""
    return market_settings().signin_lockout


def client_address(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the peer's address, or behind N trusted proxies the one the outermost saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the last N entries
    (counting the peer) are the proxies' own and the one before them is the client's; anything further left was
    written by the client and is not trusted. A value that is not an address falls back to the peer's."""
    peer = str(request.META.get("REMOTE_ADDR") or "")
    proxies = market_settings().trusted_proxy_count
    if not proxies:
        return peer
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    chain = [part for part in forwarded if part] + [peer]
    candidate = chain[-(proxies + 1)] if len(chain) > proxies else chain[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer


def _retry_after(request: HttpRequest) -> int:
    """Seconds until the lock-out that refused this request ends (the latest counted failure plus the lock-out)."""
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    latest: datetime | None = AccessAttempt.objects.filter(ip_address=address).aggregate(latest=Max("attempt_time"))[
        "latest"
    ]
    length = market_settings().signin_lockout
    if latest is None:
        return max(1, math.ceil(length.total_seconds()))
    return max(1, math.ceil((latest + length - timezone.now()).total_seconds()))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 with Retry-After; a problem document for a program, a page for people."""
    seconds = _retry_after(request)
    if is_api_request(request):
        response: HttpResponse = django_problem(
            429, "sign-in-locked", f"Too many failed sign-ins; try again in {seconds} seconds."
        )
    else:
        response = render(request, "web/locked_out.html", {"minutes": math.ceil(seconds / 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response
