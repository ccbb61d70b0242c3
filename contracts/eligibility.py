"""Who may buy on an offering: the one home of the rule.

Order placement (``marketplace.services.orders.order_place``), contract conclusion
(``contracts.services.contracts.contracts_conclude``) and the web order forms (``marketplace.web.orders``) all
ask ``buyer_refusal`` / ``buyer_check``; none decides it again. The database constraints stay as the backstop
(a contract's buyer and seller differ). It lives in contracts, the lower of the two apps that need it, and
reads plain facts: the buyer as a ``Buyer`` and the offering as anything with its seller, terms and their hash
(``OfferSnapshot`` in contracts, the ``Offering`` row in marketplace).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from config.api.principal import Principal
from config.errors import Conflict, DomainError, Forbidden, RuleViolation

# The refusals' codes, for callers that show them in their own words (the web pages translate them).
UNVERIFIED = "unverified"
NOT_A_BUYER = "not-a-buyer"
OWN_OFFERING = "own-offering"
OTHER_TERMS = "other-terms"
OUTSIDE_TERRITORY = "outside-territory"


@dataclass(frozen=True, slots=True)
class Buyer:
    """The facts of the organisation that would buy (a ``Principal`` or a ``BuyerSnapshot`` has them)."""

    organization_id: uuid.UUID
    verified: bool
    is_buyer: bool
    country: str

    @classmethod
    def of(cls, principal: Principal) -> Buyer:
        return cls(
            organization_id=principal.organization_id,
            verified=principal.verified,
            is_buyer=principal.is_buyer,
            country=principal.country,
        )


class Offer(Protocol):
    """What the rule reads of an offering."""

    @property
    def seller_id(self) -> Any: ...

    @property
    def terms(self) -> Any: ...  # its "territory": the countries where the licence may be used

    @property
    def terms_sha256(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an organisation may not buy: ``code`` (one of the constants above) for a caller that words it itself,
    ``message`` in English as the API shows it, the ``field`` it concerns with its ``field_error`` ("" for
    none), and the ``error`` class (its HTTP status)."""

    code: str
    message: str
    error: type[DomainError]
    field: str = ""
    field_error: str = ""

    def exception(self) -> DomainError:
        return self.error(self.message, errors={self.field: [self.field_error]} if self.field else None)


def buyer_refusal(*, buyer: Buyer, offering: Offer, accepted_terms_sha256: str) -> Refusal | None:
    """Why ``buyer`` may not buy on ``offering`` having accepted the terms of hash ``accepted_terms_sha256``, or
    None if it may.

    The one home of the buyer rule: order placement, contract conclusion and the web order forms ask this
    function and decide nothing of it themselves. The rule, in the order it is checked: the market operator
    verified the organisation; it has the buyer role; it is not the offering's seller; it accepted exactly the
    offering's terms; its country is in the offering's licensed territory."""
    if not buyer.verified:
        return Refusal(UNVERIFIED, "Only organisations verified by the market operator may place orders.", Forbidden)
    if not buyer.is_buyer:
        return Refusal(NOT_A_BUYER, "Only organisations with the buyer role may buy.", Forbidden)
    if buyer.organization_id == offering.seller_id:
        return Refusal(OWN_OFFERING, "A seller cannot buy its own offering.", RuleViolation)
    if accepted_terms_sha256 != offering.terms_sha256:
        return Refusal(
            OTHER_TERMS,
            "accepted_terms_sha256 must equal the offering's terms_sha256: read the offering's terms and accept "
            f"exactly them ({offering.terms_sha256}).",
            Conflict,
            field="accepted_terms_sha256",
            field_error="does not match the offering",
        )
    territory = offering.terms.get("territory", [])
    if buyer.country not in territory:
        return Refusal(
            OUTSIDE_TERRITORY,
            f"The offering may be used only in {', '.join(territory)}; your organisation is in {buyer.country}.",
            RuleViolation,
            field="territory",
            field_error="buyer outside the licensed territory",
        )
    return None


def buyer_check(*, buyer: Buyer, offering: Offer, accepted_terms_sha256: str) -> None:
    """``buyer_refusal``, raised as its ``DomainError`` (403, 409 or 422)."""
    refusal = buyer_refusal(buyer=buyer, offering=offering, accepted_terms_sha256=accepted_terms_sha256)
    if refusal is not None:
        raise refusal.exception()
