"""Transition table of contracts. Only contracts services change a contract's status."""

from __future__ import annotations

from config.states import transition_check

# concluded: the trade matched; active: paid (authorised) and the buyer's entitlement granted;
# void: the payment failed, so the contract never took effect; expired/terminated: it ended.
CONTRACT: dict[str, frozenset[str]] = {
    "concluded": frozenset({"active", "void", "terminated"}),
    "active": frozenset({"expired", "terminated"}),
    "expired": frozenset(),
    "terminated": frozenset(),
    "void": frozenset(),
}


def contract_check(current: str, target: str) -> None:
    transition_check(CONTRACT, what="contract", current=current, target=target)
