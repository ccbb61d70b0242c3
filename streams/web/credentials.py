"""Live-stream credentials on the web (docs/streams.md): the subscriber's button on its subscription purchase's page
(settlement's page, through ``settlement.hooks.register_purchase_panel``), the seller's on its dataset's page
(through ``catalog.hooks.register_dataset_panel``); each POST issues a new password, shown once on the page it
answers with.

Thin: the same services as ``POST /api/v1/subscriptions/{id}/stream-credentials`` and
``POST /api/v1/datasets/{id}/stream-credentials``; the panels read through ``streams.selectors``. A refusal is a
message on the page the button was on, in the reader's words.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from config.api.principal import SELLER, Principal, principal_of
from config.errors import DomainError, Forbidden, NotFound
from config.market import streams_enabled
from config.outage import ServiceDown
from config.web import principal_required
from settlement import selectors as settlement_selectors
from settlement.models import Subscription
from streams import selectors
from streams.acl import feed_topic
from streams.services.clients import (
    IssuedCredentials,
    StreamNotOffered,
    StreamsNotConfigured,
    stream_credentials_issue_publisher,
    stream_credentials_issue_subscriber,
)

member_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation trading on the market receive live streams.")
)
seller_required = principal_required(
    refusal=gettext_lazy("Only organisations with the seller role publish live streams."), role=SELLER
)

IN_FORCE = (Subscription.Status.ACTIVE, Subscription.Status.CANCELLING)


def _back(request: HttpRequest, fallback: str) -> str:
    """The page the button was on (``next``), if it is this site's; else ``fallback``."""
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _refusal(exc: DomainError | ServiceDown) -> str:
    if isinstance(exc, StreamsNotConfigured):
        return _("Live streams are off on this market: no MQTT broker is configured.")
    if isinstance(exc, StreamNotOffered):
        return _("There is no live stream here: no offering of this data carries one.")
    if isinstance(exc, ServiceDown):
        return _("The stream's broker does not answer right now; nothing was issued. Try again in a moment.")
    if isinstance(exc, Forbidden):
        return _("Only the subscriber receives the stream's credentials; the seller publishes with its own.")
    return _(
        "The subscription gives no access to its stream now: it is past due (until the period is paid) or has ended."
    )


def _credentials_page(request: HttpRequest, issued: IssuedCredentials, *, publisher: bool, back: str) -> HttpResponse:
    return render(
        request,
        "streams/credentials.html",
        {"issued": issued, "publisher": publisher, "back": back},
    )


@never_cache  # the page shows a password: no cache may keep it
@require_http_methods(["GET", "POST"])
@member_required
def subscription_credentials(request: HttpRequest, principal: Principal, subscription_id: uuid.UUID) -> HttpResponse:
    """Issue or rotate the subscriber's reading credentials and show them once. A GET (the language switch reloads
    the page it was on) goes back without issuing anything."""
    back = _back(request, reverse("settlement:purchases"))
    if request.method != "POST":
        return redirect(back)
    try:
        issued = stream_credentials_issue_subscriber(principal=principal, subscription_id=subscription_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except (DomainError, ServiceDown) as exc:
        messages.error(request, _refusal(exc))
        return redirect(back)
    return _credentials_page(request, issued, publisher=False, back=back)


@never_cache
@require_http_methods(["GET", "POST"])
@seller_required
def dataset_credentials(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID) -> HttpResponse:
    """Issue or rotate the seller's publishing credentials of its dataset's feed and show them once."""
    back = _back(request, reverse("web:dataset", kwargs={"dataset_id": dataset_id}))
    if request.method != "POST":
        return redirect(back)
    try:
        issued = stream_credentials_issue_publisher(principal=principal, dataset_id=dataset_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except (DomainError, ServiceDown) as exc:
        messages.error(request, _refusal(exc))
        return redirect(back)
    return _credentials_page(request, issued, publisher=True, back=back)


# --- the panels on other apps' pages -------------------------------------------------------------------------------


def subscription_panel(request: HttpRequest, subscription_id: uuid.UUID) -> str:
    """The live stream of the buyer's subscription purchase (settlement's purchase page): its topic, its
    credentials' state and the button that issues or rotates them. "" when the subscription carries no stream."""
    principal = principal_of(request)
    if principal is None:
        return ""
    try:
        subscription = settlement_selectors.subscription_get(
            subscription_id=subscription_id, organization_id=principal.organization_id
        )
    except NotFound:
        return ""
    if not subscription.stream or subscription.buyer_id != principal.organization_id:
        return ""
    client = selectors.subscriber_client(subscription_id=subscription.id)
    return render_to_string(
        "streams/_subscription_panel.html",
        {
            "subscription": subscription,
            "client": client,
            "issued": client is not None and client.issued_at is not None,
            "in_force": subscription.status in IN_FORCE,
            "enabled": streams_enabled(),
            "topic": feed_topic(subscription.dataset_id),
            "next": request.get_full_path(),
        },
        request=request,
    )


def dataset_panel(request: HttpRequest, dataset_id: uuid.UUID) -> str:
    """The seller's live stream on its own dataset's page: the feed's topic, the publishing credentials' state and
    the button that issues or rotates them. "" for anyone else, or a dataset without a streamed offering."""
    principal = principal_of(request)
    if principal is None or SELLER not in principal.roles:
        return ""
    if not selectors.dataset_streamed_by(dataset_id=dataset_id, organization_id=principal.organization_id):
        return ""
    client = selectors.publisher_client(dataset_id=dataset_id)
    return render_to_string(
        "streams/_dataset_panel.html",
        {
            "dataset_id": dataset_id,
            "client": client,
            "issued": client is not None and client.issued_at is not None,
            "enabled": streams_enabled(),
            "topic": feed_topic(dataset_id),
            "next": request.get_full_path(),
        },
        request=request,
    )
