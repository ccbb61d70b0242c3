"""Who may buy (contracts.eligibility): each rule, and each entry point deciding it through the one function.

Order placement, contract conclusion and the web order forms ask ``buyer_refusal``; nothing else decides the
rule. Per rule: every entry point refuses a buyer that breaks it (on an empty book, so that only the entry
point's own check can refuse), and every entry point refuses an eligible buyer when the function says no (so
a caller that stopped asking it, or decided the rule again itself, fails).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from config.errors import Conflict, DomainError, Forbidden, RuleViolation
from contracts import eligibility
from contracts.services.contracts import BuyerSnapshot, contract_conclude
from marketplace.models import Offering, Order
from marketplace.selectors import offer_snapshot
from marketplace.web.orders import BUYER, REFUSAL_TEXTS, REFUSED, SELLER, trading_role
from tests.builders import Party, make_party, offer, principal

pytestmark = pytest.mark.django_db

OTHER_HASH = "0" * 64


@dataclass(frozen=True)
class Rule:
    code: str
    status: int
    error: type[DomainError]
    message: str  # the start of the API's problem detail


RULES = {
    eligibility.UNVERIFIED: Rule(
        eligibility.UNVERIFIED, 403, Forbidden, "Only organisations verified by the market operator may place orders."
    ),
    eligibility.NOT_A_BUYER: Rule(eligibility.NOT_A_BUYER, 403, Forbidden, "Only organisations with the buyer role"),
    eligibility.OWN_OFFERING: Rule(eligibility.OWN_OFFERING, 422, RuleViolation, "A seller cannot buy its own"),
    eligibility.OTHER_TERMS: Rule(eligibility.OTHER_TERMS, 409, Conflict, "accepted_terms_sha256 must equal"),
    eligibility.OUTSIDE_TERRITORY: Rule(
        eligibility.OUTSIDE_TERRITORY, 422, RuleViolation, "The offering may be used only in JP"
    ),
}


@pytest.fixture
def dealer() -> Party:
    """The offering's seller, with the buyer role too: only the own-offering rule keeps it from buying."""
    return make_party("Osaka Dealer", {"seller", "buyer"})


@pytest.fixture
def offering(dealer: Party) -> Offering:
    return offer(dealer, territory=["JP"])


def breaking(code: str, dealer: Party) -> tuple[Party, str]:
    """A party that breaks the rule ``code`` (and only it), and the terms hash it accepts ("": the offering's own)."""
    if code == eligibility.UNVERIFIED:
        return make_party("Unverified Buyer", {"buyer"}, verified=False), ""
    if code == eligibility.NOT_A_BUYER:
        return make_party("Mere Seller", {"seller"}), ""
    if code == eligibility.OWN_OFFERING:
        return dealer, ""
    if code == eligibility.OTHER_TERMS:
        return make_party("Hasty Buyer", {"buyer"}), OTHER_HASH
    assert code == eligibility.OUTSIDE_TERRITORY
    return make_party("Berlin Buyer", {"buyer"}, country="DE"), ""


def place_bid(party: Party, offering: Offering, accepted: str) -> Any:
    body = {
        "offering": str(offering.id),
        "side": "buy",
        "price": 1000,
        "quantity": 1,
        "accepted_terms_sha256": accepted or offering.terms_sha256,
    }
    return party.client.post("/api/v1/orders", body, format="json")


def conclude(party: Party, offering: Offering, accepted: str) -> Any:
    organization = party.organization
    organization.refresh_from_db()
    return contract_conclude(
        offering=offer_snapshot(Offering.objects.select_related("seller").get(pk=offering.pk)),
        buyer=BuyerSnapshot(
            organization_id=organization.id,
            name=organization.name,
            country=organization.country,
            verified=organization.verified,
            is_buyer=organization.is_buyer,
        ),
        price=1000,
        quantity=1,
        accepted_terms_sha256=accepted or offering.terms_sha256,
    )


# --- the rule itself ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(RULES))
def test_each_rule_refuses_with_its_code_status_and_message(code: str, dealer: Party, offering: Offering) -> None:
    party, accepted = breaking(code, dealer)
    refusal = eligibility.buyer_refusal(
        buyer=eligibility.Buyer.of(principal(party)),
        offering=offering,
        accepted_terms_sha256=accepted or offering.terms_sha256,
    )
    rule = RULES[code]
    assert refusal is not None and (refusal.code, refusal.error) == (code, rule.error)
    assert refusal.message.startswith(rule.message)
    with pytest.raises(rule.error, match=rule.message[:20]):
        eligibility.buyer_check(
            buyer=eligibility.Buyer.of(principal(party)),
            offering=offering,
            accepted_terms_sha256=accepted or offering.terms_sha256,
        )


def test_an_eligible_buyer_is_not_refused(offering: Offering) -> None:
    buyer = make_party("Kyoto Buyer", {"buyer"})
    assert (
        eligibility.buyer_refusal(
            buyer=eligibility.Buyer.of(principal(buyer)), offering=offering, accepted_terms_sha256=offering.terms_sha256
        )
        is None
    )


# --- every entry point refuses what the rule refuses -------------------------------------------------------


@pytest.mark.parametrize("code", list(RULES))
def test_order_placement_refuses_a_buyer_that_breaks_the_rule(code: str, dealer: Party, offering: Offering) -> None:
    party, accepted = breaking(code, dealer)
    response = place_bid(party, offering, accepted)  # the book is empty: no contract would be concluded
    rule = RULES[code]
    assert response.status_code == rule.status, response.content
    assert response.json()["detail"].startswith(rule.message)
    assert not Order.objects.filter(side="buy").exists()


@pytest.mark.parametrize("code", list(RULES))
def test_contract_conclusion_refuses_a_buyer_that_breaks_the_rule(code: str, dealer: Party, offering: Offering) -> None:
    party, accepted = breaking(code, dealer)
    rule = RULES[code]
    with pytest.raises(rule.error, match=rule.message[:20]):
        conclude(party, offering, accepted)


@pytest.mark.parametrize("code", [eligibility.UNVERIFIED, eligibility.NOT_A_BUYER, eligibility.OUTSIDE_TERRITORY])
def test_the_web_form_is_withheld_from_a_buyer_that_breaks_the_rule(
    code: str, dealer: Party, offering: Offering
) -> None:
    party, _ = breaking(code, dealer)
    facts = {"territory": "JP", "country": party.organization.country}
    assert trading_role(principal(party), offering) == (REFUSED, str(REFUSAL_TEXTS[code]) % facts)


def test_the_web_shows_the_offerings_seller_its_seller_forms_and_the_terms_it_shows(
    dealer: Party, offering: Offering
) -> None:
    # Own offering: the seller's forms instead of the buyer's (its bids are refused by order placement, above).
    # Other terms: the page's forms carry the terms it shows; order placement decides on what is posted.
    assert trading_role(principal(dealer), offering) == (SELLER, "")
    assert trading_role(principal(make_party("Kyoto Buyer", {"buyer"})), offering) == (BUYER, "")


# --- every entry point asks the one function ---------------------------------------------------------------


@pytest.mark.parametrize("code", list(RULES))
def test_every_entry_point_refuses_an_eligible_buyer_when_the_rule_says_no(
    code: str, offering: Offering, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = RULES[code]
    said = eligibility.Refusal(code, f"refused by the one rule: {code}", rule.error)
    monkeypatch.setattr(eligibility, "buyer_refusal", lambda **facts: said)
    buyer = make_party("Kyoto Buyer", {"buyer"})  # breaks no rule

    response = place_bid(buyer, offering, "")
    assert (response.status_code, response.json()["detail"]) == (rule.status, said.message)
    with pytest.raises(rule.error, match="refused by the one rule"):
        conclude(buyer, offering, "")
    facts = {"territory": "JP", "country": "JP"}
    assert trading_role(principal(buyer), offering) == (REFUSED, str(REFUSAL_TEXTS[code]) % facts)
