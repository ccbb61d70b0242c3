"""Dataspace Protocol processes written as rows beside a concluded contract: the demo's purchase by a connector
(``manage.py load_demo``), and the tests of what the parties see of such processes (dataspace/tests/processes.py).

Neither has a consumer's connector on the network to talk to, so nothing goes through the protocol's endpoints or
the outbox's delivery: the negotiation, its transfers, their events and the messages Ichiba sent are stored as they
would stand afterwards, each step a minute after the one before. The protocol's own tests run the real thing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from contracts.models import Contract
from dataspace.dsp import CONTEXT
from dataspace.models import Callback, Negotiation, NegotiationEvent, Party, Transfer, TransferEvent
from marketplace.models import Trade
from settlement.models import Entitlement

# (to state, by, the DSP message that moved it, whether Ichiba sent that message to the consumer's connector)
Step = tuple[str, str, str, bool]

NEGOTIATION_TO_FINALIZED: tuple[Step, ...] = (
    ("REQUESTED", Party.CONSUMER, "ContractRequestMessage", False),
    ("AGREED", Party.PROVIDER, "ContractAgreementMessage", True),
    ("VERIFIED", Party.CONSUMER, "ContractAgreementVerificationMessage", False),
    ("FINALIZED", Party.PROVIDER, "ContractNegotiationEventMessage", True),
)
TRANSFER_TO_COMPLETED: tuple[Step, ...] = (
    ("REQUESTED", Party.CONSUMER, "TransferRequestMessage", False),
    ("STARTED", Party.PROVIDER, "TransferStartMessage", True),
    ("COMPLETED", Party.CONSUMER, "TransferCompletionMessage", False),
)
# What a connector's server answered when a message could not be delivered (``failed`` below).
GIVEN_UP_ERROR = "HTTP 503 from the connector: busy"


def negotiation_record(
    contract: Contract,
    *,
    consumer_pid: str,
    callback_address: str,
    steps: Sequence[Step],
    started: datetime,
    negotiation_id: uuid.UUID | None = None,
    termination_code: str = "",
) -> Negotiation:
    """The contract's buyer's negotiation for its offering, in the last of ``steps``' states. Past AGREED (and not
    terminated) the agreement is the contract and its trade; otherwise it concluded none."""
    state = steps[-1][0]
    agreed = state in ("AGREED", "VERIFIED", "FINALIZED")
    negotiation = Negotiation.objects.create(
        id=negotiation_id or uuid.uuid4(),
        consumer_id=contract.buyer_id,
        consumer_pid=consumer_pid,
        callback_address=callback_address,
        offering_id=contract.offering_id,
        dataset_id=contract.dataset_id,
        state=state,
        offer={"@id": f"urn:ichiba:offering:{contract.offering_id}"},
        price=contract.price,
        currency=contract.currency,
        trade=Trade.objects.get(contract=contract) if agreed else None,
        contract=contract if agreed else None,
        termination_code=termination_code,
    )
    _steps(negotiation, steps, started)
    return negotiation


def transfer_record(
    negotiation: Negotiation,
    entitlement: Entitlement,
    *,
    consumer_pid: str,
    steps: Sequence[Step],
    started: datetime,
    transfer_id: uuid.UUID | None = None,
    failed: str = "",
) -> Transfer:
    """A transfer under the negotiation's agreement, in the last of ``steps``' states; the message named ``failed``
    was given up after three attempts (the others were delivered at once)."""
    transfer = Transfer.objects.create(
        id=transfer_id or uuid.uuid4(),
        consumer_id=negotiation.consumer_id,
        consumer_pid=consumer_pid,
        callback_address=negotiation.callback_address,
        negotiation=negotiation,
        entitlement=entitlement,
        format="HttpData-PULL",
        state=steps[-1][0],
    )
    _steps(transfer, steps, started, failed=failed)
    return transfer


def _steps(process: Negotiation | Transfer, steps: Sequence[Step], started: datetime, *, failed: str = "") -> None:
    """The process's events along ``steps`` and each message Ichiba sent (without a download token: none is
    stored in the clear)."""
    previous = ""
    for number, (state, by, message_type, sent) in enumerate(steps):
        at = started + timedelta(minutes=number)
        event: NegotiationEvent | TransferEvent
        if isinstance(process, Negotiation):
            event = NegotiationEvent.objects.create(
                negotiation=process, from_state=previous, to_state=state, by=by, message_type=message_type
            )
        else:
            event = TransferEvent.objects.create(
                transfer=process, from_state=previous, to_state=state, by=by, message_type=message_type
            )
        type(event).objects.filter(pk=event.pk).update(created_at=at)
        previous = state
        if not sent:
            continue
        given_up = message_type == failed
        kind = "negotiations" if isinstance(process, Negotiation) else "transfers"
        callback = Callback.objects.create(
            negotiation=process if isinstance(process, Negotiation) else None,
            transfer=process if isinstance(process, Transfer) else None,
            url=f"{process.callback_address}/{kind}/{process.consumer_pid}",
            message_type=message_type,
            message={
                "@context": [CONTEXT],
                "@type": message_type,
                "providerPid": process.provider_pid,
                "consumerPid": process.consumer_pid,
            },
            status=Callback.Status.FAILED if given_up else Callback.Status.DELIVERED,
            attempts=3 if given_up else 1,
            last_status_code=503 if given_up else 200,
            last_error=GIVEN_UP_ERROR if given_up else "",
            next_attempt_at=at,
            delivered_at=None if given_up else at,
        )
        Callback.objects.filter(pk=callback.pk).update(created_at=at)
