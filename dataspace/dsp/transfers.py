"""The transfer process's messages (DSP 2025-1), provider side, pure of HTTP and of the database's writes.

A transfer is ``HttpData-PULL`` only: the consumer pulls the contracted version from the data address Ichiba sends in
a ``TransferStartMessage``. The data address is the market's download endpoint (the one a buyer uses) with the
short-lived download token as its ``authorization`` endpoint property, ``authType`` ``bearer``: the consumer sends
``Authorization: Bearer <token>`` to ``endpoint``. For an offering the seller hosts itself, the endpoint is the
seller's delivery URL and the token the JWT its server verifies (docs/delivery.md).

The agreement a ``TransferRequestMessage`` names (``agreementId``) is the concluded contract's IRI,
``urn:ichiba:contract:<uuid>``, the ``@id`` of the ODRL ``Agreement`` the negotiation sent.
"""

from __future__ import annotations

import uuid
from typing import Any

from dataspace.dsp import CONTEXT
from dataspace.dsp.errors import DspError
from dataspace.models import PID_PREFIX, Transfer

# The one format Ichiba serves (its catalog's distributions say so).
FORMAT_PULL = "HttpData-PULL"
# The data address's endpoint type: plain HTTP(S), IDSA's term, which Eclipse connectors understand.
ENDPOINT_TYPE = "https://w3id.org/idsa/v4.1/HTTP"
AUTH_TYPE = "bearer"
AGREEMENT_PREFIX = "urn:ichiba:contract:"
ERROR_TYPE = "TransferError"


def transfer_error(
    status: int, code: str, reason: str, *, transfer: Transfer | None = None, consumer_pid: str = ""
) -> DspError:
    """A refusal as a ``TransferError``, naming the process by both its ids when there is one (else the
    ``consumerPid`` the request gave)."""
    return DspError(
        status,
        code,
        reason,
        message_type=ERROR_TYPE,
        provider_pid=transfer.provider_pid if transfer else "",
        consumer_pid=transfer.consumer_pid if transfer else consumer_pid,
    )


def agreement_id(contract_id: uuid.UUID) -> str:
    """The ``@id`` of a contract's ODRL agreement (contracts.odrl_export's ``uid``)."""
    return f"{AGREEMENT_PREFIX}{contract_id}"


def contract_of(agreement_iri: str) -> uuid.UUID | None:
    """The contract an ``agreementId`` names, or None when it is not an Ichiba agreement's id."""
    if not agreement_iri.startswith(AGREEMENT_PREFIX):
        return None
    try:
        found = uuid.UUID(agreement_iri.removeprefix(AGREEMENT_PREFIX))
    except ValueError:
        return None
    return found if agreement_id(found) == agreement_iri else None


def transfer_of(provider_pid: str) -> uuid.UUID | None:
    """The transfer a ``providerPid`` (``urn:uuid:<id>``, or the bare uuid in a path) names, or None."""
    raw = provider_pid.removeprefix(PID_PREFIX)
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _head(message_type: str, transfer: Transfer) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "@type": message_type,
        "providerPid": transfer.provider_pid,
        "consumerPid": transfer.consumer_pid,
    }


def process_message(transfer: Transfer) -> dict[str, Any]:
    """The ``TransferProcess``: the ACK of every transfer endpoint, and ``GET /transfers/{providerPid}``."""
    return {**_head("TransferProcess", transfer), "state": transfer.state}


def data_address(*, endpoint: str, token: str) -> dict[str, Any]:
    """Where and how to pull: ``GET <endpoint>`` with ``Authorization: Bearer <token>``."""
    return {
        "@type": "DataAddress",
        "endpointType": ENDPOINT_TYPE,
        "endpoint": endpoint,
        "endpointProperties": [
            {"@type": "EndpointProperty", "name": "authorization", "value": token},
            {"@type": "EndpointProperty", "name": "authType", "value": AUTH_TYPE},
        ],
    }


def start_message(transfer: Transfer, *, endpoint: str, token: str) -> dict[str, Any]:
    return {**_head("TransferStartMessage", transfer), "dataAddress": data_address(endpoint=endpoint, token=token)}


def coded_message(message_type: str, transfer: Transfer, *, code: str, reason: str) -> dict[str, Any]:
    """A ``TransferSuspensionMessage`` or ``TransferTerminationMessage`` with its ``code`` and ``reason``."""
    message = _head(message_type, transfer)
    if code:
        message["code"] = code
    if reason:
        message["reason"] = [reason]
    return message


def received_reason(message: dict[str, Any]) -> str:
    """A received message's ``reason`` (any JSON values, the schema says) as one line to store."""
    reasons = message.get("reason") or []
    return "; ".join(item if isinstance(item, str) else str(item) for item in reasons)[:500]
