"""Exclusivity that holds: the one home of the rule that an exclusive licence has its territory to itself.

An exclusive licence of a dataset excludes every other licence of that dataset in an overlapping territory
(``contracts.terms.territories_overlap``), whichever of the two came first. ``license_seats == 1`` (checked by
``contracts.terms.terms_resolve``) only keeps one offering from selling it twice; this module keeps the other
offerings of the dataset out of its way:

- publishing: an offering cannot be published beside an open offering or a contract in force of the same
  dataset whose territory overlaps, when either of the two is exclusive (``offering_publish``, under the dataset's
  row lock);
- trading: an offering's trade cannot conclude beside a contract in force of another offering of the dataset
  whose territory overlaps, when either is exclusive (``order_place``, ``order_rematch``). The publishing rule
  already keeps two such offerings from being open together, so at trade time the licences are what is left;
  checking them makes offerings published before this rule (two exclusive offerings of one dataset) safe too:
  the first trade wins, the other offering's trades are refused while its licence is in force.

Both take the dataset's row lock before they look (``exclusivity_lock``), so two publications, or two trades on
two offerings of one dataset, are judged one after the other: the second sees what the first committed. A trade
pays for that only on a dataset that has (or had) an exclusive offering: the matching learns it with the version it
reads anyway (``marketplace.services.matching.Books.markets``), and every other trade skips the lock and the check.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q
from django.utils import timezone

from catalog.models import Dataset
from config.errors import RuleViolation
from contracts.models import Contract
from contracts.terms import territories_overlap
from marketplace.models import Offering

# The problem type of a refusal (docs/api.md#errors), and the web's cue to word it in the reader's language.
EXCLUSIVITY_CONFLICT = "exclusivity-conflict"
EXCLUSIVE = "exclusive"
# A contract in these states licenses the data until its valid_until (concluded: matched, payment pending).
IN_FORCE = (Contract.Status.CONCLUDED, Contract.Status.ACTIVE)


@dataclass(frozen=True)
class ExclusivityConflict:
    """What stands in the way: an open ``offering`` or a ``contract`` in force (``kind``), its id, its parties
    (to tell whether the caller may be shown it), whether it is the exclusive one, and the countries shared."""

    kind: str  # "offering" or "contract"
    id: uuid.UUID
    parties: frozenset[uuid.UUID]
    exclusive: bool
    countries: tuple[str, ...]
    until: datetime | None = None  # a contract's valid_until


def is_exclusive(terms: object) -> bool:
    return isinstance(terms, dict) and terms.get("license_type") == EXCLUSIVE


def _shared(first: Iterable[str], second: object) -> tuple[str, ...]:
    codes = second if isinstance(second, list) else []
    if not territories_overlap(first, codes):
        return ()
    return tuple(sorted({c.upper() for c in first} & {c.upper() for c in codes if isinstance(c, str)}))


def exclusivity_lock(dataset_id: uuid.UUID) -> None:
    """Hold the dataset's row lock to the end of the transaction: whoever judges exclusivity on this dataset
    next waits, and then reads what this transaction committed. (Taken after an offering's lock, never before
    one: ``offering_publish`` locks the dataset but no existing offering.)"""
    list(Dataset.objects.select_for_update().filter(pk=dataset_id).order_by().values_list("pk", flat=True))


def exclusivity_conflict(
    *,
    dataset_id: uuid.UUID,
    territory: Iterable[str],
    exclusive: bool,
    offering_id: uuid.UUID | None = None,
    offerings: bool = True,
    now: datetime | None = None,
) -> ExclusivityConflict | None:
    """What keeps a licence of ``dataset_id`` in ``territory`` (``exclusive`` or not) from being offered or sold,
    or None. ``offering_id``: the offering that would sell it (its own seats and contracts are no conflict).
    ``offerings``: whether open offerings count (publishing) or only the contracts in force (trading).

    Only a pair with an exclusive side conflicts, and only where the territories share a country. An offering is
    open while it is active with seats left; a contract is in force while concluded or active and before its
    valid_until (expired, terminated and void contracts, withdrawn or sold-out offerings no longer block)."""
    territory = list(territory)
    now = now or timezone.now()
    if offerings:
        open_offerings = (
            Offering.objects.filter(dataset_id=dataset_id, status=Offering.Status.ACTIVE)
            .filter(Q(license_seats__isnull=True) | Q(seats_sold__lt=F("license_seats")))
            .order_by("created_at", "id")
            .values_list("id", "seller_id", "terms")
        )
        if offering_id is not None:
            open_offerings = open_offerings.exclude(pk=offering_id)
        if not exclusive:
            open_offerings = open_offerings.filter(terms__license_type=EXCLUSIVE)
        for other_id, seller_id, terms in open_offerings:
            countries = _shared(territory, terms.get("territory"))
            if countries:
                return ExclusivityConflict("offering", other_id, frozenset({seller_id}), is_exclusive(terms), countries)
    contracts = (
        Contract.objects.filter(dataset_id=dataset_id, status__in=IN_FORCE, valid_until__gt=now)
        .order_by("concluded_at", "id")
        .values_list("id", "seller_id", "buyer_id", "terms", "valid_until")
    )
    if offering_id is not None:
        contracts = contracts.exclude(offering_id=offering_id)
    if not exclusive:
        contracts = contracts.filter(terms__license_type=EXCLUSIVE)
    for contract_id, seller_id, buyer_id, terms, until in contracts:
        countries = _shared(territory, terms.get("territory"))
        if countries:
            return ExclusivityConflict(
                "contract", contract_id, frozenset({seller_id, buyer_id}), is_exclusive(terms), countries, until
            )
    return None


class ExclusivityRefused(RuleViolation):
    """The 422 ``exclusivity-conflict``; ``conflict`` for a caller that words it itself (the web's offering
    form), ``own`` whether the caller is a party to it and may be shown which it is."""

    code = EXCLUSIVITY_CONFLICT
    title = "Exclusive licence in the way"

    def __init__(self, detail: str, *, errors: dict[str, list[str]], conflict: ExclusivityConflict, own: bool) -> None:
        super().__init__(detail, errors=errors)
        self.conflict = conflict
        self.own = own


def conflict_refusal(conflict: ExclusivityConflict, *, organization_id: uuid.UUID | None) -> ExclusivityRefused:
    """The 422 ``exclusivity-conflict`` of ``conflict``, naming the offering or contract only to one of its
    parties (``organization_id``): another organisation learns that the territory is taken, not by whom."""
    where = ", ".join(conflict.countries)
    own = organization_id is not None and organization_id in conflict.parties
    if conflict.kind == "offering":
        what = f"offering {conflict.id}" if own else "another offering of this dataset"
        state = "is open"
    else:
        what = f"contract {conflict.id}" if own else "a contract on this dataset"
        state = f"is in force until {conflict.until:%Y-%m-%d}" if conflict.until else "is in force"
    if conflict.exclusive:
        detail = f"An exclusive licence ({what}) {state} in {where}: no other licence of this dataset may overlap it."
    else:
        detail = (
            f"An exclusive licence needs its territory to itself, and {what} {state} in {where}. Choose a territory "
            "that does not overlap, or wait until it no longer does."
        )
    reference = {conflict.kind: [str(conflict.id)]} if own else {}
    errors = {"terms.territory": [f"overlaps in {where}"], **reference}
    return ExclusivityRefused(detail, errors=errors, conflict=conflict, own=own)


def exclusivity_check(
    *,
    dataset_id: uuid.UUID,
    territory: Iterable[str],
    exclusive: bool,
    organization_id: uuid.UUID | None,
    offering_id: uuid.UUID | None = None,
    offerings: bool = True,
    now: datetime | None = None,
) -> None:
    """``exclusivity_conflict`` raised as its 422 (``conflict_refusal``). The caller holds ``exclusivity_lock``."""
    conflict = exclusivity_conflict(
        dataset_id=dataset_id,
        territory=territory,
        exclusive=exclusive,
        offering_id=offering_id,
        offerings=offerings,
        now=now,
    )
    if conflict is not None:
        raise conflict_refusal(conflict, organization_id=organization_id)
