"""Transition tables of datasets and versions. Only the catalog services change these statuses."""

from __future__ import annotations

from config.states import transition_check

# A dataset becomes published with its first published version; sellers may withdraw it at any time
# and list it again later (the market operator criteria: participants control their listings).
DATASET: dict[str, frozenset[str]] = {
    "draft": frozenset({"published", "withdrawn"}),
    "published": frozenset({"withdrawn"}),
    "withdrawn": frozenset({"published"}),
}

# Versions are immutable once published: no transition leaves a final state.
VERSION: dict[str, frozenset[str]] = {
    "validating": frozenset({"published", "rejected"}),
    "published": frozenset(),
    "rejected": frozenset(),
}


def dataset_check(current: str, target: str) -> None:
    transition_check(DATASET, what="dataset", current=current, target=target)


def version_check(current: str, target: str) -> None:
    transition_check(VERSION, what="dataset version", current=current, target=target)
