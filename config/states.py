"""The one checker of every app's transition table (each app keeps its table in ``<app>/states.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Set

from config.errors import InvalidTransition


def transition_check(table: Mapping[str, Set[str]], *, what: str, current: str, target: str) -> None:
    if target not in table.get(current, frozenset()):
        allowed = ", ".join(sorted(table.get(current, ()))) or "none: it is final"
        raise InvalidTransition(f"A {what} that is {current} cannot become {target} (allowed: {allowed}).")
