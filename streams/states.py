"""Transition table of the streams app's stateful model. Only streams' services change it."""

from __future__ import annotations

from config.states import transition_check

# active: the client may connect (a publisher always; a subscriber while its subscription is active or cancelling).
# suspended: its subscription is past due; enabled again when the period is paid.
# ended: its subscription ended (its term, a cancellation at the period's end, non-payment, a revocation). Final.
STREAM_CLIENT: dict[str, frozenset[str]] = {
    "active": frozenset({"suspended", "ended"}),
    "suspended": frozenset({"active", "ended"}),
    "ended": frozenset(),
}
# The statuses in which the broker lets the client connect.
STREAM_CLIENT_ENABLED = frozenset({"active"})


def stream_client_check(current: str, target: str) -> None:
    transition_check(STREAM_CLIENT, what="stream client", current=current, target=target)
