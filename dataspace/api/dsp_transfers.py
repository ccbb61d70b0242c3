"""The transfer process's provider endpoints, HTTPS binding (docs/dataspace.md, "Transfer process"):

- ``GET <path>/transfers/{providerPid}``: the consumer's ``TransferProcess``;
- ``POST <path>/transfers/request``: a ``TransferRequestMessage`` (201 with the process; 200 for a repeated
  ``consumerPid``, answering the existing one);
- ``POST <path>/transfers/{providerPid}/start`` (resume a suspended one), ``.../completion``, ``.../termination``,
  ``.../suspension``: 200 with the process.

Authentication and parsing are the catalog endpoints' (``dataspace.api.dsp``); every refusal is a ``TransferError``:
401 without a valid API key, 404 for an unknown process or agreement or another organisation's, 400 for a malformed
message, an unsupported format, a push data address or a transition the state machine forbids.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from config.api.principal import READ, TRADE, Principal
from config.errors import InvalidInput, InvalidTransition
from config.outbound import outbound_url_clean
from dataspace import selectors
from dataspace.api.dsp import _consumer, _json, _message, dsp_endpoint
from dataspace.dcat import Site
from dataspace.dsp import schemas
from dataspace.dsp import transfers as messages
from dataspace.dsp.errors import DspError
from dataspace.models import Party, Transfer
from dataspace.services import transfers as services

# The longest consumerPid and callbackAddress stored (dataspace.models.Transfer).
MAX_PID = 300
MAX_CALLBACK = 500
_error = messages.transfer_error


def _own(principal: Principal, provider_pid: str) -> Transfer:
    """The caller's transfer ``provider_pid`` names (``urn:uuid:<id>`` or the bare id); else a 404 TransferError."""
    return selectors.transfer_of_consumer(
        organization_id=principal.organization_id, transfer_id=messages.transfer_of(provider_pid)
    )


@dsp_endpoint("GET", error_type=messages.ERROR_TYPE, scope=READ)
def transfer(request: HttpRequest, provider_pid: str) -> HttpResponse:
    """``GET <path>/transfers/{providerPid}``: the process as it is now."""
    principal = _consumer(request)
    return _json(messages.process_message(_own(principal, provider_pid)))


@dsp_endpoint("POST", error_type=messages.ERROR_TYPE, scope=TRADE)
def transfer_request(request: HttpRequest) -> HttpResponse:
    """``POST <path>/transfers/request``: a new transfer under one of the consumer's agreements."""
    principal = _consumer(request)
    message = _message(request, schemas.TRANSFER_REQUEST_MESSAGE)
    consumer_pid = message["consumerPid"]
    if not consumer_pid.strip() or len(consumer_pid) > MAX_PID:
        raise _error(400, "malformed", f"consumerPid is a non-empty id of at most {MAX_PID} characters.")
    try:
        callback_address = outbound_url_clean(
            message["callbackAddress"], field="callbackAddress", max_length=MAX_CALLBACK
        )
    except InvalidInput as error:
        raise _error(400, "invalid-callback-address", error.detail, consumer_pid=consumer_pid) from error
    found, created = services.transfer_request(
        principal=principal,
        consumer_pid=consumer_pid,
        agreement_id=message["agreementId"],
        format=message["format"],
        callback_address=callback_address,
        push_address="dataAddress" in message,
        origin=Site.of(request).origin,
    )
    return _json(messages.process_message(found), status=201 if created else 200)


def _process_message(
    request: HttpRequest, provider_pid: str, schema: str
) -> tuple[Principal, Transfer, dict[str, Any]]:
    """The caller, its transfer ``provider_pid`` names and the message, which must name the same process."""
    principal = _consumer(request)
    found = _own(principal, provider_pid)
    try:
        message = _message(request, schema)
    except DspError as error:  # a malformed message about a known process names it
        error.provider_pid, error.consumer_pid = found.provider_pid, found.consumer_pid
        raise
    if message["providerPid"] != found.provider_pid or message["consumerPid"] != found.consumer_pid:
        raise _error(
            400,
            "pid-mismatch",
            "The message's providerPid and consumerPid must be those of the transfer process in the path.",
            transfer=found,
        )
    return principal, found, message


def _moved(found: Transfer, change: Any) -> HttpResponse:
    """Answer the process after ``change()`` moved it; a transition the state machine forbids is a 400."""
    try:
        moved: Transfer = change()
    except InvalidTransition as error:
        raise _error(400, "invalid-transition", error.detail, transfer=found) from error
    return _json(messages.process_message(moved))


@dsp_endpoint("POST", error_type=messages.ERROR_TYPE, scope=TRADE)
def transfer_start(request: HttpRequest, provider_pid: str) -> HttpResponse:
    """``POST .../{providerPid}/start``: resume a SUSPENDED transfer; a fresh data address follows in a
    ``TransferStartMessage`` to the callback address."""
    principal, found, _ = _process_message(request, provider_pid, schemas.TRANSFER_START_MESSAGE)
    origin = Site.of(request).origin
    return _moved(
        found,
        lambda: services.transfer_start(transfer_id=found.id, by=Party.CONSUMER, origin=origin, principal=principal),
    )


@dsp_endpoint("POST", error_type=messages.ERROR_TYPE, scope=TRADE)
def transfer_completion(request: HttpRequest, provider_pid: str) -> HttpResponse:
    """``POST .../{providerPid}/completion``: COMPLETED; the data address stops working."""
    _, found, _ = _process_message(request, provider_pid, schemas.TRANSFER_COMPLETION_MESSAGE)
    return _moved(found, lambda: services.transfer_complete(transfer_id=found.id, by=Party.CONSUMER))


def _coded(request: HttpRequest, provider_pid: str, schema: str, change: Any) -> HttpResponse:
    """A suspension or termination: ``change(transfer_id=, by=, code=, reason=)`` with the message's code and
    reason."""
    _, found, message = _process_message(request, provider_pid, schema)
    code, reason = str(message.get("code", "")), messages.received_reason(message)
    return _moved(found, lambda: change(transfer_id=found.id, by=Party.CONSUMER, code=code, reason=reason))


@dsp_endpoint("POST", error_type=messages.ERROR_TYPE, scope=TRADE)
def transfer_termination(request: HttpRequest, provider_pid: str) -> HttpResponse:
    """``POST .../{providerPid}/termination``: TERMINATED (final); the data address stops working."""
    return _coded(request, provider_pid, schemas.TRANSFER_TERMINATION_MESSAGE, services.transfer_terminate)


@dsp_endpoint("POST", error_type=messages.ERROR_TYPE, scope=TRADE)
def transfer_suspension(request: HttpRequest, provider_pid: str) -> HttpResponse:
    """``POST .../{providerPid}/suspension``: SUSPENDED; the data address stops working until a start."""
    return _coded(request, provider_pid, schemas.TRANSFER_SUSPENSION_MESSAGE, services.transfer_suspend)
