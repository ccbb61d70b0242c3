"""The organisation's API keys page (``/organization/api-keys/``), for its admins (scope ``manage``, like the API's
``/api/v1/api-keys``): the keys with their scopes, status and last use; a form that makes one (scopes, expiry) and
shows its secret once, with a copy button; rotation and revocation, each confirmed on a page of its own first.

Thin: the same services as the API (``api_key_issue``, ``api_key_rotate``, ``api_key_revoke_own``); a refusal is
shown at the field it names. A secret is rendered into the answer to the POST that made it, never redirected
through the session, so it is nowhere but in that page.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from config.api.principal import MANAGE, READ, SCOPES, SELL, TRADE, Principal
from config.errors import DomainError, NotFound
from config.text import displayable_line
from config.web import principal_required
from marketplace import selectors
from marketplace.models import ApiKey
from marketplace.services.participants import (
    API_KEY_NAME_MAX,
    IssuedApiKey,
    api_key_issue,
    api_key_revoke_own,
    api_key_rotate,
)

admin_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation have API keys."),
    scope=MANAGE,
    scope_refusal=gettext_lazy("Only your organisation’s admins manage its API keys."),
)

SCOPE_LABELS = {
    READ: gettext_lazy("read: everything your organisation may see"),
    TRADE: gettext_lazy("trade: orders and bids, buying, subscriptions, downloads"),
    SELL: gettext_lazy("sell: datasets, offerings and asks, private offers, auctions"),
    MANAGE: gettext_lazy("manage: API keys, webhooks, payment methods, the profile"),
}
SCOPE_NAMES = {
    READ: pgettext_lazy("API key scope", "read"),
    TRADE: pgettext_lazy("API key scope", "trade"),
    SELL: pgettext_lazy("API key scope", "sell"),
    MANAGE: pgettext_lazy("API key scope", "manage"),
}
STATUS_NAMES: dict[str, Any] = {
    ApiKey.Status.ACTIVE: pgettext_lazy("API key status", "active"),
    ApiKey.Status.EXPIRED: pgettext_lazy("API key status", "expired"),
    ApiKey.Status.REVOKED: pgettext_lazy("API key status", "revoked"),
}
LIFETIMES = [
    ("", gettext_lazy("Never")),
    ("7", gettext_lazy("In 7 days")),
    ("30", gettext_lazy("In 30 days")),
    ("90", gettext_lazy("In 90 days")),
    ("365", gettext_lazy("In a year")),
]
GRACES = [
    ("3600", gettext_lazy("1 hour")),
    ("86400", gettext_lazy("24 hours")),
    ("604800", gettext_lazy("7 days")),
    ("0", gettext_lazy("None: the old key stops now")),
]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=API_KEY_NAME_MAX,
        validators=[displayable_line],
        help_text=gettext_lazy("What the key is for, such as the system that uses it."),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        choices=[(name, SCOPE_LABELS[name]) for name in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        initial=[READ],
        error_messages={"required": gettext_lazy("Choose at least one scope.")},
    )
    lifetime = forms.ChoiceField(label=gettext_lazy("Expires"), choices=LIFETIMES, required=False)


class RotateForm(forms.Form):
    grace = forms.ChoiceField(
        label=gettext_lazy("The old key keeps working for"), choices=GRACES, initial="86400", required=False
    )


def _key(principal: Principal, api_key_id: uuid.UUID) -> ApiKey:
    try:
        return selectors.api_key_get(organization_id=principal.organization_id, api_key_id=api_key_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _rows(principal: Principal) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "scopes": [SCOPE_NAMES[name] for name in SCOPES if name in key.scopes],
            "status": key.status,
            "status_name": STATUS_NAMES[key.status],
        }
        for key in selectors.api_keys_of(organization_id=principal.organization_id)
    ]


def _page(
    request: HttpRequest, principal: Principal, form: ApiKeyForm, issued: IssuedApiKey | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "marketplace/api_keys.html",
        {"form": form, "rows": _rows(principal), "issued": issued, "scope_names": SCOPE_NAMES},
        status=status,
    )


@admin_required
def api_keys(request: HttpRequest, principal: Principal) -> HttpResponse:
    """GET: the keys and the form. POST: make a key; the page then shows its secret, once."""
    if request.method != "POST":
        return _page(request, principal, ApiKeyForm())
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        days = form.cleaned_data["lifetime"]
        try:
            issued = api_key_issue(
                principal=principal,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=timezone.now() + timedelta(days=int(days)) if days else None,
            )
        except DomainError as exc:
            form.add_error("scopes" if "scopes" in exc.errors else None, exc.detail)
        else:
            return _page(request, principal, ApiKeyForm(), issued=issued, status=201)
    return _page(request, principal, form, status=400)


@admin_required
def api_key_rotate_view(request: HttpRequest, principal: Principal, api_key_id: uuid.UUID) -> HttpResponse:
    """GET: what a rotation does, to confirm, with the grace to choose. POST: the successor, its secret shown once."""
    key = _key(principal, api_key_id)
    form = RotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_key_rotate(
                principal=principal, api_key_id=key.id, grace=timedelta(seconds=int(form.cleaned_data["grace"] or 0))
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("web:api_keys")
        return _page(request, principal, ApiKeyForm(), issued=issued, status=201)
    context = {"key": key, "action": "rotate", "form": form}
    return render(request, "marketplace/api_key_confirm.html", context, status=400 if form.errors else 200)


@admin_required
def api_key_revoke_view(request: HttpRequest, principal: Principal, api_key_id: uuid.UUID) -> HttpResponse:
    """GET: the key, to confirm its revocation. POST: revoked; it is refused from its next request on."""
    key = _key(principal, api_key_id)
    if request.method == "POST":
        api_key_revoke_own(principal=principal, api_key_id=key.id)
        messages.success(request, _("The key “%(name)s” is revoked: it no longer works.") % {"name": key.name})
        return redirect("web:api_keys")
    return render(request, "marketplace/api_key_confirm.html", {"key": key, "action": "revoke"})
