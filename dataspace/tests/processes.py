"""DSP processes written as rows, for the tests of what their parties see (the API's and the web's reads): a
negotiation attached to a real trade's contract, with its events, the messages sent to the connector and a transfer
under its agreement. The protocol's own endpoints make these rows in the tests of the negotiation and the transfer;
the reads only need them to exist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dataspace.dsp import CONTEXT
from dataspace.models import Callback, Negotiation, NegotiationEvent, Party, Transfer, TransferEvent
from marketplace.models import Trade
from settlement.models import Entitlement

CALLBACK_ADDRESS = "https://connector.consumer.example/callback"

# The way of a negotiation through the protocol to FINALIZED: (to state, by, the message that moved it, whether
# Ichiba sent that message to the consumer's connector).
FINALIZED_WAY = (
    ("REQUESTED", Party.CONSUMER, "ContractRequestMessage", False),
    ("AGREED", Party.PROVIDER, "ContractAgreementMessage", True),
    ("VERIFIED", Party.CONSUMER, "ContractAgreementVerificationMessage", False),
    ("FINALIZED", Party.PROVIDER, "ContractNegotiationEventMessage", True),
)
COMPLETED_WAY = (
    ("REQUESTED", Party.CONSUMER, "TransferRequestMessage", False),
    ("STARTED", Party.PROVIDER, "TransferStartMessage", True),
    ("COMPLETED", Party.CONSUMER, "TransferCompletionMessage", False),
)


def _walk(process: Negotiation | Transfer, way: Any, *, failed: str = "") -> None:
    """Events along ``way`` and a callback for each message Ichiba sent (delivered, except ``failed``: given up
    after three attempts)."""
    now = timezone.now()
    previous = ""
    for step, (state, by, message_type, sent) in enumerate(way):
        at = now - timedelta(minutes=len(way) - step)
        if isinstance(process, Negotiation):
            NegotiationEvent.objects.create(
                negotiation=process, from_state=previous, to_state=state, by=by, message_type=message_type
            )
        else:
            TransferEvent.objects.create(
                transfer=process, from_state=previous, to_state=state, by=by, message_type=message_type
            )
        previous = state
        if sent:
            given_up = message_type == failed
            Callback.objects.create(
                negotiation=process if isinstance(process, Negotiation) else None,
                transfer=process if isinstance(process, Transfer) else None,
                url=f"{process.callback_address}/{message_type}",
                message_type=message_type,
                message={"@context": [CONTEXT], "@type": message_type, "providerPid": process.provider_pid},
                status=Callback.Status.FAILED if given_up else Callback.Status.DELIVERED,
                attempts=3 if given_up else 1,
                last_status_code=503 if given_up else 200,
                last_error="HTTP 503 from connector.consumer.example: busy" if given_up else "",
                next_attempt_at=at,
                delivered_at=None if given_up else at,
            )


def finalized_negotiation(
    entitlement: Entitlement,
    *,
    consumer_pid: str = "urn:uuid:11111111-2222-3333-4444-555555555555",
    transfers: tuple[str, ...] = ("COMPLETED",),
) -> Negotiation:
    """The negotiation that concluded the entitlement's contract, FINALIZED, with a transfer in each state of
    ``transfers`` (COMPLETED: its whole way; TERMINATED: its TransferStartMessage given up)."""
    contract = entitlement.contract
    negotiation = Negotiation.objects.create(
        consumer_id=contract.buyer_id,
        consumer_pid=consumer_pid,
        callback_address=CALLBACK_ADDRESS,
        offering_id=contract.offering_id,
        dataset_id=contract.dataset_id,
        state=Negotiation.State.FINALIZED,
        offer={"@id": f"urn:ichiba:offering:{contract.offering_id}"},
        price=contract.price,
        currency=contract.currency,
        trade=Trade.objects.get(contract_id=contract.id),
        contract=contract,
    )
    _walk(negotiation, FINALIZED_WAY)
    for number, state in enumerate(transfers):
        transfer = Transfer.objects.create(
            consumer_id=contract.buyer_id,
            consumer_pid=f"{consumer_pid}-transfer-{number}",
            callback_address=CALLBACK_ADDRESS,
            negotiation=negotiation,
            entitlement=entitlement,
            format="HttpData-PULL",
            state=state,
        )
        if state == Transfer.State.TERMINATED:
            _walk(transfer, COMPLETED_WAY[:2], failed="TransferStartMessage")
            TransferEvent.objects.create(
                transfer=transfer,
                from_state="STARTED",
                to_state=state,
                by=Party.SYSTEM,
                reason="The TransferStartMessage could not be delivered.",
            )
        else:
            _walk(transfer, COMPLETED_WAY[: {"REQUESTED": 1, "STARTED": 2}.get(state, 3)])
    return negotiation


def requested_negotiation(entitlement: Entitlement, *, consumer_pid: str, state: str = "TERMINATED") -> Negotiation:
    """Another negotiation by the same consumer for the same offering, that concluded no contract (TERMINATED, say:
    the offer was sold out), for the filters."""
    contract = entitlement.contract
    negotiation = Negotiation.objects.create(
        consumer_id=contract.buyer_id,
        consumer_pid=consumer_pid,
        callback_address=CALLBACK_ADDRESS,
        offering_id=contract.offering_id,
        dataset_id=contract.dataset_id,
        state=state,
        termination_code="sold-out" if state == "TERMINATED" else "",
    )
    _walk(negotiation, FINALIZED_WAY[:1])
    return negotiation
