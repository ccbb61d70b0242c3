"""DSP processes beside a real trade's contract, for the tests of what their parties see (the API's and the web's
reads): a FINALIZED negotiation with transfers, or one that concluded nothing. Written as rows by the demo's own
writer (demo/dsp.py); the protocol's endpoints make them for real in the negotiation's and the transfer's tests."""

from __future__ import annotations

from django.utils import timezone

from dataspace.models import Negotiation, Party, Transfer, TransferEvent
from demo import dsp
from settlement.models import Entitlement

CALLBACK_ADDRESS = "https://connector.consumer.example/callback"


def finalized_negotiation(
    entitlement: Entitlement,
    *,
    consumer_pid: str = "urn:uuid:11111111-2222-3333-4444-555555555555",
    transfers: tuple[str, ...] = ("COMPLETED",),
) -> Negotiation:
    """The negotiation that concluded the entitlement's contract, FINALIZED, with a transfer in each state of
    ``transfers`` (REQUESTED, STARTED, COMPLETED: along the way there; TERMINATED: its TransferStartMessage given
    up, which terminated it)."""
    started = timezone.now()
    negotiation = dsp.negotiation_record(
        entitlement.contract,
        consumer_pid=consumer_pid,
        callback_address=CALLBACK_ADDRESS,
        steps=dsp.NEGOTIATION_TO_FINALIZED,
        started=started,
    )
    for number, state in enumerate(transfers):
        way = dsp.TRANSFER_TO_COMPLETED
        steps = way[:2] if state == Transfer.State.TERMINATED else way[: [s[0] for s in way].index(state) + 1]
        transfer = dsp.transfer_record(
            negotiation,
            entitlement,
            consumer_pid=f"{consumer_pid}-transfer-{number}",
            steps=steps,
            started=started,
            failed="TransferStartMessage" if state == Transfer.State.TERMINATED else "",
        )
        if state == Transfer.State.TERMINATED:
            Transfer.objects.filter(pk=transfer.pk).update(state=state)
            TransferEvent.objects.create(
                transfer=transfer,
                from_state="STARTED",
                to_state=state,
                by=Party.SYSTEM,
                reason="The TransferStartMessage could not be delivered.",
            )
    return negotiation


def terminated_negotiation(entitlement: Entitlement, *, consumer_pid: str) -> Negotiation:
    """Another negotiation of the entitlement's buyer for the same offering that concluded nothing (TERMINATED: the
    offer was sold out), for the filters."""
    return dsp.negotiation_record(
        entitlement.contract,
        consumer_pid=consumer_pid,
        callback_address=CALLBACK_ADDRESS,
        steps=(dsp.NEGOTIATION_TO_FINALIZED[0], ("TERMINATED", Party.PROVIDER, "", False)),
        started=timezone.now(),
        termination_code="sold-out",
    )
