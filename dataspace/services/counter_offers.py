"""Counter-offers over the Dataspace Protocol: a consumer's ``ContractRequestMessage`` with another price or other
terms than the catalog's offer becomes a private offer to the seller (the deals app), and the seller's answer moves
the negotiation: accept → AGREED (the private offer's contract is the agreement), counter → OFFERED (a
``ContractOfferMessage`` to the consumer), decline or expiry → TERMINATED.

Not built yet: every entry point refuses with a 400 ``counter-offer-unsupported``, so a connector knows to send the
catalog's offer as it is.
"""

from __future__ import annotations

from typing import Any

from config.api.principal import Principal
from dataspace.dsp.errors import DspError
from dataspace.models import Negotiation


def _unsupported(negotiation: Negotiation) -> DspError:
    return DspError(
        400,
        "counter-offer-unsupported",
        "Ichiba takes the catalog's offer as it is: send its @id with its terms and price unchanged.",
        message_type="ContractNegotiationError",
        provider_pid=negotiation.provider_pid,
        consumer_pid=negotiation.consumer_pid,
    )


def counter_offer_open(*, negotiation: Negotiation, principal: Principal, offer: dict[str, Any]) -> None:
    """The consumer's first counter-offer (``offer``, as received, in DSP terms), on a negotiation just stored in
    REQUESTED: propose it to the seller as a private offer."""
    raise _unsupported(negotiation)


def counter_offer_counter(*, negotiation: Negotiation, principal: Principal, offer: dict[str, Any]) -> None:
    """The consumer's counter to the seller's latest offer (the negotiation is OFFERED): REQUESTED again."""
    raise _unsupported(negotiation)


def counter_offer_accept(*, negotiation: Negotiation, principal: Principal) -> None:
    """The consumer accepts the seller's latest offer (``ACCEPTED`` event on an OFFERED negotiation): the private
    offer is accepted as the buyer, which concludes the contract (then AGREED)."""
    raise _unsupported(negotiation)
