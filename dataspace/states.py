"""Transition tables of the Dataspace Protocol's processes, provider side (DSP 2025-1's state machines). Only the
dataspace services change these states, each change through ``negotiation_check`` / ``transfer_check`` and recorded
as an event. A refused transition is an ``InvalidTransition``; the DSP views answer it with the protocol's error
message and a 400, as the HTTPS binding requires for a forbidden state transition.

Ichiba moves a negotiation when it decides (the message that tells the consumer is then in the outbox): an
agreement made is AGREED at once, a verification received is VERIFIED and, once the buyer's payment is authorised
and its entitlement active, FINALIZED. A message that cannot be delivered terminates the process.
"""

from __future__ import annotations

from config.states import transition_check

# "" is a process not yet stored. REQUESTED: the consumer asked (for the catalog's offer: a fill-or-kill buy; with
# other terms or price: a counter-offer the seller answers). OFFERED: the seller's counter, sent to the consumer.
# ACCEPTED: the consumer accepted the seller's counter. AGREED: the contract is concluded and the agreement sent.
# VERIFIED: the consumer verified it. FINALIZED: the data is available (entitlement active). TERMINATED: by either
# side, or for a callback that could not be delivered; FINALIZED and TERMINATED are final.
NEGOTIATION: dict[str, frozenset[str]] = {
    "": frozenset({"REQUESTED"}),
    "REQUESTED": frozenset({"OFFERED", "AGREED", "TERMINATED"}),
    "OFFERED": frozenset({"REQUESTED", "ACCEPTED", "TERMINATED"}),
    "ACCEPTED": frozenset({"AGREED", "TERMINATED"}),
    "AGREED": frozenset({"VERIFIED", "TERMINATED"}),
    "VERIFIED": frozenset({"FINALIZED", "TERMINATED"}),
    "FINALIZED": frozenset(),
    "TERMINATED": frozenset(),
}


def negotiation_check(current: str, target: str) -> None:
    transition_check(NEGOTIATION, what="contract negotiation", current=current, target=target)


# REQUESTED: the consumer asked for a transfer under a finalized agreement. STARTED: the data address (with a
# short-lived download token) was sent. SUSPENDED: by either side; the token no longer works. A suspended transfer is
# STARTED again by a TransferStartMessage (with a fresh token). COMPLETED and TERMINATED are final.
TRANSFER: dict[str, frozenset[str]] = {
    "": frozenset({"REQUESTED"}),
    "REQUESTED": frozenset({"STARTED", "TERMINATED"}),
    "STARTED": frozenset({"SUSPENDED", "COMPLETED", "TERMINATED"}),
    "SUSPENDED": frozenset({"STARTED", "TERMINATED"}),
    "COMPLETED": frozenset(),
    "TERMINATED": frozenset(),
}


def transfer_check(current: str, target: str) -> None:
    transition_check(TRANSFER, what="transfer process", current=current, target=target)
