"""A buyer's proposal (``private_offer_propose``): the buyer writes revision 1 and the seller answers first. Its rules
in one place, what the seller sees (API and web, "proposed by the buyer over the Dataspace Protocol"), its webhook,
and the announcements higher apps follow (``deals.hooks``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from catalog.models import Dataset
from config.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, RuleViolation
from deals import hooks
from deals.models import DealEvent, PrivateOffer, PrivateOfferRevision
from deals.services.private_offers import (
    private_offer_accept,
    private_offer_counter,
    private_offer_decline,
    private_offer_propose,
    private_offers_expire,
)
from settlement.models import WebhookDelivery, WebhookEndpoint
from tests.builders import Party, make_party, principal, published_dataset, section, signed_in, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced() -> Iterator[list[hooks.PrivateOfferChanged]]:
    """What ``deals.hooks.on_private_offer_changed`` announces while the test runs."""
    seen: list[hooks.PrivateOfferChanged] = []
    hooks.subscribe_private_offer_changed(seen.append)
    try:
        yield seen
    finally:
        hooks._private_offer_subscribers.remove(seen.append)


def propose(buyer: Party, dataset: Dataset, **overrides: Any) -> PrivateOffer:
    arguments: dict[str, Any] = {
        "principal": principal(buyer),
        "dataset_id": dataset.id,
        "template_code": "meti-data-provision",
        "terms": {"duration_days": 90},
        "price": 40_000,
        "expires_at": timezone.now() + timedelta(days=14),
        "via": PrivateOffer.Via.DSP,
        **overrides,
    }
    return private_offer_propose(**arguments)


def test_a_buyers_proposal_is_the_sellers_turn_and_tells_the_seller(seller: Party, buyer: Party) -> None:
    dataset = published_dataset(seller)
    endpoint = WebhookEndpoint.objects.create(
        organization=seller.organization, url="https://hooks.example.test/", events=["private_offer.received"]
    )
    offer = propose(buyer, dataset, note="Our budget for a quarter.")
    assert (offer.seller_id, offer.buyer_id) == (seller.organization.id, buyer.organization.id)
    assert (offer.proposed_by, offer.proposed_via, offer.status, offer.revision) == ("buyer", "dsp", "open", 1)
    [revision] = PrivateOfferRevision.objects.filter(private_offer=offer)
    assert (revision.author, revision.price, revision.quantity) == ("buyer", 40_000, 1)
    assert revision.terms["duration_days"] == 90 and revision.terms["territory"] == ["JP"], "defaults filled in"
    assert len(revision.terms_sha256) == 64
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    data = delivery.payload["data"]
    assert delivery.payload["type"] == "private_offer.received"
    assert (data["id"], data["author"], data["proposed_by"], data["proposed_via"]) == (
        str(offer.id),
        "buyer",
        "buyer",
        "dsp",
    )
    assert DealEvent.objects.filter(private_offer=offer, kind="proposed").count() == 1

    body = seller.client.get(f"/api/v1/private-offers/{offer.id}").json()
    assert (body["turn"], body["proposed_by"], body["proposed_via"]) == ("seller", "buyer", "dsp")
    assert body["buyer"]["id"] == buyer.id, "a proposal names its buyer: it wrote it"
    listed = seller.client.get("/api/v1/private-offers?role=seller").json()["results"]
    assert [item["id"] for item in listed] == [str(offer.id)]
    with pytest.raises(Conflict):  # the buyer wrote it: the seller accepts it, not the buyer
        private_offer_accept(
            principal=principal(buyer), private_offer_id=offer.id, accepted_terms_sha256=revision.terms_sha256
        )


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_seller_sees_the_proposal_apart_from_its_own_offers(seller: Party, buyer: Party, lang: str) -> None:
    offer = propose(buyer, published_dataset(seller))
    page = text(signed_in(seller, lang=lang).get("/private-offers/"))
    proposals = section(page, "proposals")
    assert str(offer.id) in proposals and buyer.organization.name in proposals
    label = {"en": "Proposed by the buyer over the Dataspace Protocol", "ja": "購入者がデータスペースプロトコルで提案"}
    assert label[lang] in proposals
    assert page.count(f'id="private-offer-{offer.id}"') == 1, "not among the offers the seller made"
    detail = text(signed_in(seller, lang=lang).get(f"/private-offers/{offer.id}/"))
    assert label[lang] in detail and 'id="your-turn"' in detail
    buyer_page = text(signed_in(buyer, lang=lang).get("/private-offers/"))
    assert str(offer.id) in section(buyer_page, "received") and label[lang] in buyer_page


def _refusal(call: Any) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value


def test_a_proposal_obeys_the_rules_of_an_offer_seen_from_the_buyers_side(seller: Party, buyer: Party) -> None:
    dataset = published_dataset(seller)
    unverified = make_party("Unverified Buyer", {"buyer"}, verified=False)
    seller_only = make_party("Only Sells", {"seller"})
    abroad = make_party("Lyon Data", {"buyer"}, country="FR")
    made = seller.client.post("/api/v1/datasets", {"title": "Draft", "data_class": "iot"}, format="json")
    draft = Dataset.objects.get(pk=made.json()["id"])
    refusals = {
        "unverified": (Forbidden, lambda: propose(unverified, dataset)),
        "not a buyer": (Forbidden, lambda: propose(seller_only, dataset)),
        "its own dataset": (RuleViolation, lambda: propose(make_seller_buyer(seller), dataset)),
        "outside the territory": (RuleViolation, lambda: propose(abroad, dataset)),
        "a draft": (NotFound, lambda: propose(buyer, draft)),
        "no such dataset": (NotFound, lambda: propose(buyer, Dataset(id=uuid.uuid4()))),
        "a price of 0": (InvalidInput, lambda: propose(buyer, dataset, price=0)),
        "no currency": (InvalidInput, lambda: propose(buyer, dataset, currency="yen")),
        "past expiry": (InvalidInput, lambda: propose(buyer, dataset, expires_at=timezone.now())),
        "bad terms": (InvalidInput, lambda: propose(buyer, dataset, terms={"duration_days": 0})),
        "two seats over DSP": (InvalidInput, lambda: propose(buyer, dataset, quantity=2)),
        "an unknown way": (InvalidInput, lambda: propose(buyer, dataset, via="fax")),
    }
    for name, (kind, call) in refusals.items():
        error = _refusal(call)
        assert isinstance(error, kind), (name, error)
    assert PrivateOffer.objects.count() == 0, "nothing half-written"
    # The same buyer may propose two seats on the market (a proposal made through the web or the API).
    assert propose(buyer, dataset, quantity=2, via=PrivateOffer.Via.MARKET).revision == 1


def make_seller_buyer(seller: Party) -> Party:
    """The seller's organisation given the buyer role too (so only the "own dataset" rule refuses it)."""
    seller.organization.is_buyer = True
    seller.organization.save(update_fields=["is_buyer"])
    return seller


def test_the_seller_answers_and_each_answer_is_announced(
    seller: Party, buyer: Party, capture: Any, announced: list[hooks.PrivateOfferChanged]
) -> None:
    dataset = published_dataset(seller)
    countered = propose(buyer, dataset)
    with pytest.raises(InvalidInput):  # the protocol's offers state no seats
        private_offer_counter(principal=principal(seller), private_offer_id=countered.id, quantity=3)
    private_offer_counter(principal=principal(seller), private_offer_id=countered.id, price=45_000)
    latest = PrivateOfferRevision.objects.get(private_offer=countered, number=2)
    with capture(execute=True):
        accepted = private_offer_accept(
            principal=principal(buyer),
            private_offer_id=countered.id,
            accepted_terms_sha256=latest.terms_sha256,
            revision=2,
        )
    assert accepted.trade.price == 45_000 and accepted.trade.quantity == 1

    declined = propose(buyer, dataset)
    private_offer_decline(principal=principal(seller), private_offer_id=declined.id, reason="Too low")
    lapsing = propose(buyer, dataset, expires_at=timezone.now() + timedelta(seconds=1))
    assert private_offers_expire(now=timezone.now() + timedelta(minutes=1)) == 1

    assert [(event.private_offer_id, event.kind, event.revision, event.author, event.by) for event in announced] == [
        (countered.id, "countered", 2, "seller", "seller"),
        (countered.id, "accepted", 2, "seller", "buyer"),
        (declined.id, "declined", 1, "buyer", "seller"),
        (lapsing.id, "expired", 1, "buyer", ""),
    ]
    assert announced[1].trade_id == accepted.trade.id and announced[0].trade_id is None
    assert announced[2].reason == "Too low"


def test_the_seller_accepts_a_proposal_into_a_contract_the_buyer_accepted_by_writing_it(
    seller: Party, buyer: Party, capture: Any
) -> None:
    offer = propose(buyer, published_dataset(seller))
    revision = PrivateOfferRevision.objects.get(private_offer=offer)
    with capture(execute=True):
        accepted = private_offer_accept(
            principal=principal(seller), private_offer_id=offer.id, accepted_terms_sha256=revision.terms_sha256
        )
    contract = accepted.trade.contract
    assert contract is not None
    acceptances = {a.role: a for a in contract.acceptances.all()}
    assert acceptances["buyer"].api_key_id == revision.author_api_key_id, "the buyer's acceptance is its proposal"
    assert contract.negotiation[0]["author"] == "buyer"
    assert accepted.private_offer.status == "accepted"
