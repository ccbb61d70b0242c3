"""Reads of the Dataspace Protocol's processes for their parties (docs/dataspace.md, "Seeing DSP processes"): the
partner API's ``/api/v1/dsp/...`` and the web pages read through here, never the models directly.

Who sees a process: the consumer organisation whose connector runs it, and the seller of the offering it is about
(the provider Ichiba acts for). Nobody else learns that it exists: an unknown id, a malformed one and another's are
all "not found". What the seller does not see of the consumer's side (the callback address, the consumer's server's
answers to the messages) is left out by the views, which know the viewer's side from ``viewer_side``.

Each read costs a fixed number of queries whatever the number of rows: a list page one query (its processes with
their dataset, offering, seller and consumer joined) plus one per prefetched relation; a process with its events,
messages and transfers a handful.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from config.errors import NotFound
from dataspace.models import Callback, Negotiation, NegotiationEvent, Transfer, TransferEvent

CONSUMER = "consumer"
PROVIDER = "provider"

# The messages to the connector in the order they were decided (the outbox's own order), without their bodies: a
# party reads the delivery state, never what the other side's server answered in the body.
_CALLBACK_FIELDS = (
    "id",
    "negotiation_id",
    "transfer_id",
    "url",
    "message_type",
    "status",
    "attempts",
    "last_status_code",
    "last_error",
    "created_at",
    "delivered_at",
)


def _callbacks() -> Prefetch[Any]:
    return Prefetch("callbacks", queryset=Callback.objects.only(*_CALLBACK_FIELDS).order_by("created_at", "id"))


def _uuid(value: Any) -> uuid.UUID | None:
    """An id as given in a path or a filter: the bare uuid or the providerPid (``urn:uuid:<id>``), which
    ``uuid.UUID`` reads alike; None for anything else."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def viewer_side(process: Negotiation | Transfer, organization_id: uuid.UUID) -> str:
    """``consumer`` or ``provider``: the side of the process the organisation is on (a party's, by the selectors
    below). An organisation that sells on the market and buys through its own connector is the consumer of its own
    processes as a buyer; it never negotiates with itself (the market refuses a trade with oneself)."""
    return CONSUMER if process.consumer_id == organization_id else PROVIDER


def _party(organization_id: uuid.UUID, *, offering_path: str) -> Q:
    return Q(consumer_id=organization_id) | Q(**{f"{offering_path}__seller_id": organization_id})


def _negotiations(*, organization_id: uuid.UUID, side: str = "") -> QuerySet[Negotiation]:
    if side == CONSUMER:
        party = Q(consumer_id=organization_id)
    elif side == PROVIDER:
        party = Q(offering__seller_id=organization_id)
    else:
        party = _party(organization_id, offering_path="offering")
    return Negotiation.objects.filter(party).select_related("dataset", "offering__seller", "consumer")


def negotiations_for(
    *,
    organization_id: uuid.UUID,
    side: str = "",
    state: str = "",
    contract_id: uuid.UUID | None = None,
    offering_id: uuid.UUID | None = None,
) -> QuerySet[Negotiation]:
    """The negotiations the organisation is a party to (``side``: only as consumer, or only as the offering's
    seller), newest first, each with its dataset, offering (and its seller) and consumer, and its transfers (for
    their states: one query for the page)."""
    queryset = _negotiations(organization_id=organization_id, side=side).prefetch_related(
        Prefetch("transfers", queryset=Transfer.objects.order_by("created_at", "id"))
    )
    if state:
        queryset = queryset.filter(state=state)
    if contract_id is not None:
        queryset = queryset.filter(contract_id=contract_id)
    if offering_id is not None:
        queryset = queryset.filter(offering_id=offering_id)
    return queryset


def _negotiation_in_full(queryset: QuerySet[Negotiation]) -> QuerySet[Negotiation]:
    """With the events, the messages to the connector, and the transfers with theirs."""
    return queryset.prefetch_related(
        Prefetch("events", queryset=NegotiationEvent.objects.order_by("created_at", "id")),
        _callbacks(),
        Prefetch(
            "transfers",
            queryset=Transfer.objects.order_by("created_at", "id").prefetch_related(
                Prefetch("events", queryset=TransferEvent.objects.order_by("created_at", "id")), _callbacks()
            ),
        ),
    )


def negotiation_get(*, negotiation_id: Any, organization_id: uuid.UUID) -> Negotiation:
    """One negotiation of the organisation's, in full (events, messages, transfers with theirs); a malformed id, an
    unknown one and another's: 404."""
    wanted = _uuid(negotiation_id)
    found = (
        None
        if wanted is None
        else _negotiation_in_full(_negotiations(organization_id=organization_id)).filter(pk=wanted).first()
    )
    if found is None:
        raise NotFound("No such negotiation.")
    return found


def negotiation_of_contract(*, contract_id: uuid.UUID, organization_id: uuid.UUID) -> Negotiation | None:
    """The negotiation that concluded the contract, in full, if it was concluded through the Dataspace Protocol and
    the organisation is a party to it; else None."""
    return _negotiation_in_full(_negotiations(organization_id=organization_id).filter(contract_id=contract_id)).first()


def transfers_for(
    *,
    organization_id: uuid.UUID,
    state: str = "",
    contract_id: uuid.UUID | None = None,
    negotiation_id: uuid.UUID | None = None,
) -> QuerySet[Transfer]:
    """The transfer processes the organisation is a party to (as consumer, or as the seller of the negotiation's
    offering), newest first, each with its negotiation (and that one's contract id)."""
    queryset = Transfer.objects.filter(_party(organization_id, offering_path="negotiation__offering")).select_related(
        "negotiation"
    )
    if state:
        queryset = queryset.filter(state=state)
    if contract_id is not None:
        queryset = queryset.filter(negotiation__contract_id=contract_id)
    if negotiation_id is not None:
        queryset = queryset.filter(negotiation_id=negotiation_id)
    return queryset


def transfer_get(*, transfer_id: Any, organization_id: uuid.UUID) -> Transfer:
    """One transfer process of the organisation's, with its events and messages; 404 as for a negotiation."""
    wanted = _uuid(transfer_id)
    found = (
        None
        if wanted is None
        else transfers_for(organization_id=organization_id)
        .filter(pk=wanted)
        .prefetch_related(Prefetch("events", queryset=TransferEvent.objects.order_by("created_at", "id")), _callbacks())
        .first()
    )
    if found is None:
        raise NotFound("No such transfer process.")
    return found
