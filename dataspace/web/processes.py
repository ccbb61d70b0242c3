"""The Dataspace Protocol's processes on the web, for their parties (docs/dataspace.md, "Seeing DSP processes"):
the "Dataspace Protocol" panel of a contract's page (the negotiation that concluded it, its events, the messages
sent to the consumer's connector and whether they arrived, its transfers with theirs) and the page listing the
organisation's negotiations, as consumer and on its offerings as seller.

Thin: read through ``dataspace.selectors_dsp``, render. The seller's members see the process without the consumer's
side of the wire (callback address, the URLs posted to, what the consumer's server answered), as in the API.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy

from config.api.principal import Principal, principal_of
from config.web import principal_required
from dataspace import selectors_dsp
from dataspace.models import Callback, Negotiation, Party, Transfer

member_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation trading on the market take part in DSP negotiations.")
)

# The latest of each side on the list page; the partner API pages through all of them (docs/api.md).
LIST_LIMIT = 100


# The protocol's states and parties in the reader's language. Their own words here (with a context), not the
# models' labels: "Started" and "Terminated" mean other things elsewhere on the site (a start time, a contract ended).
NEGOTIATION_STATES: dict[str, Promise] = {
    "REQUESTED": pgettext_lazy("dsp state", "Requested"),
    "OFFERED": pgettext_lazy("dsp state", "Offered"),
    "ACCEPTED": pgettext_lazy("dsp state", "Accepted"),
    "AGREED": pgettext_lazy("dsp state", "Agreed"),
    "VERIFIED": pgettext_lazy("dsp state", "Verified"),
    "FINALIZED": pgettext_lazy("dsp state", "Finalized"),
    "TERMINATED": pgettext_lazy("dsp state", "Terminated"),
}
TRANSFER_STATES: dict[str, Promise] = {
    "REQUESTED": pgettext_lazy("dsp state", "Requested"),
    "STARTED": pgettext_lazy("dsp state", "Started"),
    "SUSPENDED": pgettext_lazy("dsp state", "Suspended"),
    "COMPLETED": pgettext_lazy("dsp state", "Completed"),
    "TERMINATED": pgettext_lazy("dsp state", "Terminated"),
}
PARTIES: dict[str, Promise] = {
    Party.CONSUMER: pgettext_lazy("dsp party", "Consumer"),
    Party.PROVIDER: pgettext_lazy("dsp party", "Provider"),
    Party.SYSTEM: pgettext_lazy("dsp party", "System"),
}


def _label(labels: dict[str, Any], value: str) -> str:
    """A stored word in the request's language (the labels are lazy, so looked up per call); itself if unknown."""
    return str(labels.get(value, value))


@dataclass(frozen=True)
class EventLine:
    created_at: datetime
    from_label: str
    to_label: str
    by: str
    message_type: str
    reason: str


@dataclass(frozen=True)
class MessageLine:
    message_type: str
    status: str
    status_label: str
    attempts: int
    last_status_code: int | None
    last_error: str  # empty for the seller
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class TransferView:
    transfer: Transfer
    prefix: str  # the HTML id of its part of the panel
    state_label: str
    events: list[EventLine]
    messages: list[MessageLine]


def _events(events: Any, states: dict[str, Promise]) -> list[EventLine]:
    return [
        EventLine(
            created_at=event.created_at,
            from_label=_label(states, event.from_state) if event.from_state else "",
            to_label=_label(states, event.to_state),
            by=_label(PARTIES, event.by),
            message_type=event.message_type,
            reason=event.reason,
        )
        for event in events
    ]


def _messages(callbacks: Any, *, consumer: bool) -> list[MessageLine]:
    return [
        MessageLine(
            message_type=callback.message_type,
            status=callback.status,
            status_label=_label(dict(Callback.Status.choices), callback.status),
            attempts=callback.attempts,
            last_status_code=callback.last_status_code,
            last_error=callback.last_error if consumer else "",
            created_at=callback.created_at,
            delivered_at=callback.delivered_at,
        )
        for callback in callbacks
    ]


def contract_panel(request: HttpRequest, contract_id: uuid.UUID) -> str:
    """The "Dataspace Protocol" panel of a contract's page (registered with ``contracts.hooks``): "" unless the
    contract was concluded through a DSP negotiation the viewing organisation is a party to."""
    principal = principal_of(request)
    if principal is None:
        return ""
    negotiation = selectors_dsp.negotiation_of_contract(
        contract_id=contract_id, organization_id=principal.organization_id
    )
    if negotiation is None:
        return ""
    consumer = selectors_dsp.viewer_side(negotiation, principal.organization_id) == selectors_dsp.CONSUMER
    transfers = [
        TransferView(
            transfer=transfer,
            prefix=f"dsp-transfer-{transfer.id}",
            state_label=_label(TRANSFER_STATES, transfer.state),
            events=_events(transfer.events.all(), TRANSFER_STATES),
            messages=_messages(transfer.callbacks.all(), consumer=consumer),
        )
        for transfer in negotiation.transfers.all()
    ]
    return render_to_string(
        "dataspace/_contract_panel.html",
        {
            "negotiation": negotiation,
            "consumer": consumer,
            "state_label": _label(NEGOTIATION_STATES, negotiation.state),
            "events": _events(negotiation.events.all(), NEGOTIATION_STATES),
            "messages": _messages(negotiation.callbacks.all(), consumer=consumer),
            "transfers": transfers,
            "api_url": f"/api/v1/dsp/negotiations/{negotiation.id}",
        },
        request=request,
    )


@dataclass(frozen=True)
class NegotiationLine:
    negotiation: Negotiation
    state_label: str
    transfers: list[tuple[Transfer, str]]  # each with its state's label


def _lines(negotiations: Any) -> list[NegotiationLine]:
    return [
        NegotiationLine(
            negotiation=negotiation,
            state_label=_label(NEGOTIATION_STATES, negotiation.state),
            transfers=[(t, _label(TRANSFER_STATES, t.state)) for t in negotiation.transfers.all()],
        )
        for negotiation in negotiations
    ]


@member_required
def negotiation_list(request: HttpRequest, principal: Principal) -> HttpResponse:
    """The organisation's DSP negotiations: those its connector ran (as consumer) and those on its offerings (as
    seller), the latest of each first, with their states, transfers and contracts."""
    organization_id = principal.organization_id
    consumed = selectors_dsp.negotiations_for(organization_id=organization_id, side=selectors_dsp.CONSUMER)
    provided = selectors_dsp.negotiations_for(organization_id=organization_id, side=selectors_dsp.PROVIDER)
    return render(
        request,
        "dataspace/negotiations.html",
        {
            "consumed": _lines(consumed[:LIST_LIMIT]) if principal.is_buyer else None,
            "provided": _lines(provided[:LIST_LIMIT]) if principal.is_seller else None,
            "limit": LIST_LIMIT,
        },
    )
