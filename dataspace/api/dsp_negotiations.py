"""The contract negotiation endpoints of the Dataspace Protocol, provider side, HTTPS binding (docs/dataspace.md,
"Contract negotiation"): thin views over ``dataspace.services.negotiations``.

- ``GET <path>/negotiations/{providerPid}``: the ``ContractNegotiation``;
- ``POST <path>/negotiations/request``: an initial ``ContractRequestMessage`` (201 with the negotiation; an identical
  repeat 200 with the same);
- ``POST <path>/negotiations/{providerPid}/request``, ``/events``, ``/agreement/verification``, ``/termination``: the
  consumer's messages on a negotiation, answered 200 with the negotiation.

``{providerPid}`` is ``urn:uuid:<id>`` (percent-encoded or not) or the bare uuid. The organisation's API key
authenticates (``Authorization: Bearer``); every refusal is a ``ContractNegotiationError``: 401 without a valid key,
404 for an unknown negotiation or another organisation's, 400 for a malformed message or a forbidden transition.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from config.api.principal import READ, TRADE, Principal
from config.errors import InvalidTransition
from dataspace import selectors
from dataspace.api.dsp import _consumer, _json, _message, dsp_endpoint
from dataspace.dsp import negotiations as messages
from dataspace.dsp import schemas
from dataspace.models import Negotiation
from dataspace.services import negotiations

ERROR = messages.ERROR


def _answer(negotiation: Negotiation, status: int = 200) -> HttpResponse:
    return _json(messages.negotiation_message(negotiation), status=status)


@dsp_endpoint("GET", error_type=ERROR, scope=READ)
def negotiation(request: HttpRequest, provider_pid: str) -> HttpResponse:
    principal = _consumer(request)
    found = selectors.negotiation_of(consumer_id=principal.organization_id, provider_pid=provider_pid)
    if found is None:
        raise messages.error(404, "not-found", "No such negotiation.")
    return _answer(found)


@dsp_endpoint("POST", error_type=ERROR, scope=TRADE)
def negotiation_request(request: HttpRequest) -> HttpResponse:
    principal = _consumer(request)
    message = _message(request, schemas.CONTRACT_REQUEST_MESSAGE)
    requested = negotiations.negotiation_request(principal=principal, message=message)
    return _answer(requested.negotiation, status=201 if requested.created else 200)


Handler = Callable[..., Negotiation]


def _on_negotiation(request: HttpRequest, provider_pid: str, schema: str, handler: Handler) -> HttpResponse:
    """A consumer's message on one of its negotiations, handed to ``handler``; a forbidden transition is a 400."""
    principal: Principal = _consumer(request)
    message: dict[str, Any] = _message(request, schema)
    try:
        return _answer(handler(principal=principal, provider_pid=provider_pid, message=message))
    except InvalidTransition as refused:
        raise messages.error(
            400,
            "invalid-transition",
            refused.detail,
            negotiation=selectors.negotiation_of(consumer_id=principal.organization_id, provider_pid=provider_pid),
        ) from None


@dsp_endpoint("POST", error_type=ERROR, scope=TRADE)
def negotiation_counter(request: HttpRequest, provider_pid: str) -> HttpResponse:
    return _on_negotiation(request, provider_pid, schemas.CONTRACT_REQUEST_MESSAGE, negotiations.negotiation_counter)


@dsp_endpoint("POST", error_type=ERROR, scope=TRADE)
def negotiation_events(request: HttpRequest, provider_pid: str) -> HttpResponse:
    return _on_negotiation(
        request, provider_pid, schemas.CONTRACT_NEGOTIATION_EVENT_MESSAGE, negotiations.negotiation_accept
    )


@dsp_endpoint("POST", error_type=ERROR, scope=TRADE)
def negotiation_verification(request: HttpRequest, provider_pid: str) -> HttpResponse:
    return _on_negotiation(
        request, provider_pid, schemas.CONTRACT_AGREEMENT_VERIFICATION_MESSAGE, negotiations.negotiation_verify
    )


@dsp_endpoint("POST", error_type=ERROR, scope=TRADE)
def negotiation_termination(request: HttpRequest, provider_pid: str) -> HttpResponse:
    return _on_negotiation(
        request,
        provider_pid,
        schemas.CONTRACT_NEGOTIATION_TERMINATION_MESSAGE,
        negotiations.negotiation_terminate_by_consumer,
    )
