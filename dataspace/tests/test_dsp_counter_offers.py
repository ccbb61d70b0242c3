"""Counter-offers over the Dataspace Protocol, played with a consumer connector on loopback: a request at another
price or with other terms becomes a private offer the buyer proposes; the seller's answer (on the market's API)
moves the negotiation, and the consumer hears it (ContractOfferMessage, agreement, termination), every message
checked against the DSP 2025-1 schemas. The negotiation endpoints are the negotiation slice's: these tests call the
entry points its views call, inside a transaction as they do."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from config.errors import InvalidTransition
from dataspace.dsp import CONTEXT, schemas
from dataspace.dsp.errors import DspError
from dataspace.dsp.offers import revision_id
from dataspace.models import Callback, Negotiation, NegotiationEvent, Party
from dataspace.services.callbacks import callback_deliver
from dataspace.services.counter_offers import (
    counter_offer_accept,
    counter_offer_counter,
    counter_offer_open,
)
from dataspace.services.negotiations import negotiation_terminate_by_consumer
from dataspace.tests.connector import Connector, consumer_connector
from deals.models import PrivateOffer, PrivateOfferRevision
from deals.services.private_offers import private_offers_expire
from marketplace.models import Offering
from tests.builders import offer as publish_offer
from tests.builders import place, principal, subscription_offer

pytestmark = pytest.mark.django_db

ASK = 12_000


@pytest.fixture
def connector() -> Any:
    with consumer_connector() as running:
        yield running


def valid(message: Any, schema: str) -> Any:
    assert schemas.message_errors(message, schema) == [], message
    return message


def listed(seller: Any, capture: Any, **terms: Any) -> Offering:
    offering = publish_offer(seller, duration_days=90, **terms)
    with capture(execute=True):
        response = place(seller, {"id": str(offering.id), "terms_sha256": offering.terms_sha256}, "sell", 3, ASK)
    assert response.status_code == 201, response.content
    return offering


def catalog_offer(buyer: Any, offering: Offering) -> dict[str, Any]:
    """The offer as the consumer finds it in the DSP catalog (with its API key)."""
    response = buyer.client.get(f"/dsp/2025-1/catalog/datasets/urn:ichiba:dataset:{offering.dataset_id}")
    assert response.status_code == 200, response.content
    [policy] = [p for p in valid(response.json(), schemas.DATASET)["hasPolicy"] if p["@id"].endswith(str(offering.id))]
    return policy


def _use(offer: dict[str, Any]) -> dict[str, Any]:
    [use] = [rule for rule in offer["permission"] if rule["action"] == "use"]
    return use


def priced(offer: dict[str, Any], amount: str) -> dict[str, Any]:
    """The offer at another payAmount (in major units), as a consumer writes a lower price."""
    changed = copy.deepcopy(offer)
    [compensate] = [duty for duty in _use(changed)["duty"] if duty["action"] == "odrl:compensate"]
    compensate["constraint"][0]["rightOperand"] = {"@value": amount, "@type": "xsd:decimal"}
    compensate.pop("urn:ichiba:odrl:amountMinorUnits")
    return changed


def pay_amount(offer: dict[str, Any]) -> str:
    [compensate] = [duty for duty in _use(offer)["duty"] if duty["action"] == "odrl:compensate"]
    value: str = compensate["constraint"][0]["rightOperand"]["@value"]
    return value


def request(buyer: Any, offering: Offering, connector: Connector, offer: dict[str, Any], pid: str) -> Negotiation:
    """What the negotiation slice's ``POST <path>/negotiations/request`` does with a counter-offer: the message
    checked, the negotiation stored in REQUESTED and handed to ``counter_offer_open``, in one transaction."""
    message = valid(
        {
            "@context": [CONTEXT],
            "@type": "ContractRequestMessage",
            "consumerPid": pid,
            "offer": {**offer, "target": f"urn:ichiba:dataset:{offering.dataset_id}"},
            "callbackAddress": connector.callback_address,
        },
        schemas.CONTRACT_REQUEST_MESSAGE,
    )
    with transaction.atomic():
        negotiation = Negotiation.objects.create(
            consumer=buyer.organization,
            consumer_pid=pid,
            callback_address=connector.callback_address,
            offering=offering,
            dataset=offering.dataset,
            offer=message["offer"],
            offer_by=Party.CONSUMER,
        )
        NegotiationEvent.objects.create(
            negotiation=negotiation, to_state="REQUESTED", by=Party.CONSUMER, message_type="ContractRequestMessage"
        )
        counter_offer_open(negotiation=negotiation, principal=principal(buyer), offer=message["offer"])
    negotiation.refresh_from_db()
    return negotiation


def refused_request(buyer: Any, offering: Offering, connector: Connector, offer: dict[str, Any]) -> DspError:
    with pytest.raises(DspError) as refused:
        request(buyer, offering, connector, offer, "urn:uuid:refused")
    error = refused.value
    assert error.status == 400
    message = valid(error.message(), schemas.CONTRACT_NEGOTIATION_ERROR)
    assert message["consumerPid"] == "urn:uuid:refused" and message["reason"]
    assert not Negotiation.objects.exists() and not PrivateOffer.objects.exists(), "nothing left behind"
    return error


def proposed(
    seller: Any, buyer: Any, connector: Connector, capture: Any, amount: str, pid: str
) -> tuple[Offering, Negotiation]:
    """A listed offering, and a negotiation whose request names its catalog offer at ``amount`` (major units)."""
    offering = listed(seller, capture)
    with capture(execute=True):
        negotiation = request(buyer, offering, connector, priced(catalog_offer(buyer, offering), amount), pid)
    return offering, negotiation


def constrained(offer: dict[str, Any], left: str, right: Any) -> dict[str, Any]:
    """The offer with ``right`` as the right operand of every ``left`` constraint, in each permission it bounds."""
    changed = copy.deepcopy(offer)
    for rule in changed["permission"]:
        for constraint in rule.get("constraint", []):
            if constraint["leftOperand"] == left:
                constraint["rightOperand"] = right
    return changed


def latest(offer: PrivateOffer) -> PrivateOfferRevision:
    return PrivateOfferRevision.objects.get(private_offer=offer, number=PrivateOffer.objects.get(pk=offer.pk).revision)


def states(negotiation: Negotiation) -> list[str]:
    return list(NegotiationEvent.objects.filter(negotiation=negotiation).values_list("to_state", flat=True))


def test_a_lower_price_is_proposed_the_seller_counters_and_the_consumer_accepts(
    seller: Any, buyer: Any, connector: Connector, capture: Any
) -> None:
    offering = listed(seller, capture)
    found = catalog_offer(buyer, offering)
    assert pay_amount(found) == "12000"
    with capture(execute=True):
        negotiation = request(buyer, offering, connector, priced(found, "9000"), "urn:uuid:consumer-1")
    assert negotiation.state == "REQUESTED" and negotiation.price == 9_000
    proposal = negotiation.private_offer
    assert proposal is not None
    assert (proposal.proposed_by, proposal.proposed_via, proposal.buyer_id) == ("buyer", "dsp", buyer.organization.id)
    assert latest(proposal).price == 9_000 and latest(proposal).terms == offering.terms, "only the price changed"
    assert connector.received == [], "nothing to tell the consumer until the seller answers"

    # The seller sees the proposal among its private offers, and counters on the market's API.
    body = seller.client.get(f"/api/v1/private-offers/{proposal.id}").json()
    assert (body["turn"], body["proposed_by"], body["proposed_via"], body["price"]) == ("seller", "buyer", "dsp", 9000)
    with capture(execute=True):
        response = seller.client.post(f"/api/v1/private-offers/{proposal.id}/counter", {"price": 10_500}, format="json")
    assert response.status_code == 200, response.content
    received = connector.wait_for("ContractOfferMessage")
    assert received.path == "/callback/negotiations/urn:uuid:consumer-1/offers"
    offer_message = valid(received.message, schemas.CONTRACT_OFFER_MESSAGE)
    assert (offer_message["providerPid"], offer_message["consumerPid"]) == (
        negotiation.provider_pid,
        "urn:uuid:consumer-1",
    )
    assert offer_message["offer"]["@id"] == revision_id(proposal.id, 2)
    assert offer_message["offer"]["target"] == f"urn:ichiba:dataset:{offering.dataset_id}"
    assert pay_amount(offer_message["offer"]) == "10500"
    negotiation.refresh_from_db()
    assert (negotiation.state, negotiation.offer_by, negotiation.price) == ("OFFERED", "provider", 10_500)

    # The consumer accepts the seller's offer (ACCEPTED event): the deal concludes, the agreement goes out.
    with capture(execute=True):
        counter_offer_accept(negotiation=negotiation, principal=principal(buyer))
    agreement = valid(connector.wait_for("ContractAgreementMessage").message, schemas.CONTRACT_AGREEMENT_MESSAGE)
    negotiation.refresh_from_db()
    assert negotiation.state == "AGREED" and negotiation.trade is not None and negotiation.contract is not None
    assert (negotiation.trade.price, negotiation.trade.quantity, negotiation.trade.buyer_id) == (
        10_500,
        1,
        buyer.organization.id,
    )
    assert agreement["agreement"]["assignee"] == f"urn:ichiba:organization:{buyer.id}"
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.trade_id == negotiation.trade_id
    assert states(negotiation) == ["REQUESTED", "OFFERED", "ACCEPTED", "AGREED"]


def test_the_seller_accepts_the_consumers_price_directly(
    seller: Any, buyer: Any, connector: Connector, capture: Any
) -> None:
    _, negotiation = proposed(seller, buyer, connector, capture, "11000", "urn:x:1")
    proposal = negotiation.private_offer
    assert proposal is not None
    with capture(execute=True):
        response = seller.client.post(
            f"/api/v1/private-offers/{proposal.id}/accept",
            {"accepted_terms_sha256": latest(proposal).terms_sha256, "revision": 1},
            format="json",
        )
    assert response.status_code == 201, response.content
    valid(connector.wait_for("ContractAgreementMessage").message, schemas.CONTRACT_AGREEMENT_MESSAGE)
    negotiation.refresh_from_db()
    assert negotiation.state == "AGREED" and negotiation.trade is not None and negotiation.trade.price == 11_000
    assert states(negotiation) == ["REQUESTED", "AGREED"]
    assert connector.messages("ContractOfferMessage") == []


def test_other_terms_are_proposed_and_the_consumer_counters_the_sellers_counter(
    seller: Any, buyer: Any, connector: Connector, capture: Any
) -> None:
    offering = listed(seller, capture)
    # A term of 180 days instead of 90.
    longer = constrained(
        catalog_offer(buyer, offering), "odrl:elapsedTime", {"@value": "P180D", "@type": "xsd:duration"}
    )
    with capture(execute=True):
        negotiation = request(buyer, offering, connector, longer, "urn:x:2")
    proposal = negotiation.private_offer
    assert proposal is not None and latest(proposal).terms["duration_days"] == 180 and latest(proposal).price == ASK
    with capture(execute=True):
        seller.client.post(f"/api/v1/private-offers/{proposal.id}/counter", {"price": 15_000}, format="json")
    sellers = connector.wait_for("ContractOfferMessage").message["offer"]
    negotiation.refresh_from_db()

    with pytest.raises(DspError) as unchanged:  # the seller's offer as it is: that is an acceptance
        counter_offer_counter(negotiation=negotiation, principal=principal(buyer), offer=sellers)
    assert unchanged.value.code == "offer-unchanged"
    valid(unchanged.value.message(), schemas.CONTRACT_NEGOTIATION_ERROR)

    with capture(execute=True):
        counter_offer_counter(negotiation=negotiation, principal=principal(buyer), offer=priced(sellers, "13500"))
    negotiation.refresh_from_db()
    revision = latest(proposal)
    assert (negotiation.state, negotiation.offer_by, negotiation.price) == ("REQUESTED", "consumer", 13_500)
    assert (revision.number, revision.author, revision.price, revision.terms["duration_days"]) == (
        3,
        "buyer",
        13_500,
        180,
    )
    with pytest.raises(InvalidTransition):  # the seller's turn: the consumer accepts no offer of its own (400)
        counter_offer_accept(negotiation=negotiation, principal=principal(buyer))
    with capture(execute=True):
        seller.client.post(
            f"/api/v1/private-offers/{proposal.id}/accept",
            {"accepted_terms_sha256": revision.terms_sha256, "revision": 3},
            format="json",
        )
    negotiation.refresh_from_db()
    assert negotiation.state == "AGREED" and negotiation.contract is not None
    assert negotiation.contract.valid_until - negotiation.contract.valid_from == timedelta(days=180)
    assert states(negotiation) == ["REQUESTED", "OFFERED", "REQUESTED", "AGREED"]


def test_the_seller_declines_and_the_negotiation_is_terminated(
    seller: Any, buyer: Any, connector: Connector, capture: Any
) -> None:
    _, negotiation = proposed(seller, buyer, connector, capture, "100", "urn:x:3")
    assert negotiation.private_offer is not None
    with capture(execute=True):
        seller.client.post(
            f"/api/v1/private-offers/{negotiation.private_offer_id}/decline", {"reason": "Far too low"}, format="json"
        )
    message = valid(
        connector.wait_for("ContractNegotiationTerminationMessage").message,
        schemas.CONTRACT_NEGOTIATION_TERMINATION_MESSAGE,
    )
    assert message["code"] == "declined" and message["reason"] == ["Far too low"]
    negotiation.refresh_from_db()
    assert (negotiation.state, negotiation.termination_code) == ("TERMINATED", "declined")


def test_an_unanswered_proposal_expires_and_the_negotiation_with_it(
    seller: Any, buyer: Any, connector: Connector, capture: Any
) -> None:
    _, negotiation = proposed(seller, buyer, connector, capture, "8000", "urn:x:4")
    proposal = negotiation.private_offer
    assert proposal is not None and proposal.expires_at > timezone.now() + timedelta(days=13)
    with capture(execute=True):
        assert private_offers_expire(now=proposal.expires_at + timedelta(seconds=1)) == 1
    message = valid(
        connector.wait_for("ContractNegotiationTerminationMessage").message,
        schemas.CONTRACT_NEGOTIATION_TERMINATION_MESSAGE,
    )
    assert message["code"] == "expired"
    negotiation.refresh_from_db()
    assert (negotiation.state, negotiation.termination_code) == ("TERMINATED", "expired")


def test_the_consumers_termination_declines_the_open_proposal(
    seller: Any, buyer: Any, connector: Connector, capture: Any
) -> None:
    _, negotiation = proposed(seller, buyer, connector, capture, "9500", "urn:x:5")
    message = {
        "@context": [CONTEXT],
        "@type": "ContractNegotiationTerminationMessage",
        "providerPid": negotiation.provider_pid,
        "consumerPid": negotiation.consumer_pid,
        "code": "changed-mind",
        "reason": ["No longer needed"],
    }
    with capture(execute=True):  # the termination endpoint's use case
        negotiation_terminate_by_consumer(
            principal=principal(buyer), provider_pid=negotiation.provider_pid, message=message
        )
    proposal = PrivateOffer.objects.get(dsp_negotiation=negotiation)
    assert (proposal.status, proposal.declined_by) == ("declined", "buyer")
    negotiation.refresh_from_db()
    assert (negotiation.state, negotiation.termination_code) == ("TERMINATED", "changed-mind")
    assert connector.received == [], "the consumer terminated: nothing to tell it"


def test_a_change_the_terms_cannot_hold_is_refused_and_leaves_nothing(
    seller: Any, buyer: Any, connector: Connector, capture: Any
) -> None:
    offering = listed(seller, capture)
    found = catalog_offer(buyer, offering)
    industry = copy.deepcopy(found)
    _use(industry)["constraint"].append({"leftOperand": "odrl:industry", "operator": "eq", "rightOperand": "auto"})
    error = refused_request(buyer, offering, connector, industry)
    assert error.code == "terms-not-negotiable" and "'use'" in " ".join(error.reason)

    in_euros = copy.deepcopy(found)
    [compensate] = [duty for duty in _use(in_euros)["duty"] if duty["action"] == "odrl:compensate"]
    compensate["constraint"][0]["odrl:unit"] = {"@id": "urn:iso:std:iso:4217:EUR"}
    assert refused_request(buyer, offering, connector, in_euros).code == "terms-not-negotiable"

    vague = constrained(found, "odrl:purpose", "AI")  # the template wants a purpose of at least 5 characters
    error = refused_request(buyer, offering, connector, vague)
    assert error.code == "terms-invalid" and any("purpose" in reason for reason in error.reason)

    subscription = subscription_offer(seller, period_days=30, term_periods=3)
    with capture(execute=True):
        place(seller, {"id": str(subscription.id), "terms_sha256": subscription.terms_sha256}, "sell", 3, ASK)
    cheaper = priced(catalog_offer(buyer, subscription), "100")
    assert refused_request(buyer, subscription, connector, cheaper).code == "terms-not-negotiable"


def test_a_proposal_the_market_refuses_terminates_the_negotiation(
    seller: Any, buyer: Any, connector: Connector, capture: Any
) -> None:
    offering = listed(seller, capture)
    # Licensed in the US only: the Japanese buyer could not accept it.
    abroad = constrained(catalog_offer(buyer, offering), "odrl:spatial", [{"@id": "urn:iso:std:iso:3166:US"}])
    with capture(execute=True):
        negotiation = request(buyer, offering, connector, abroad, "urn:x:6")
    assert (negotiation.state, negotiation.termination_code) == ("TERMINATED", "market-rule")
    assert negotiation.private_offer is None and not PrivateOffer.objects.exists()
    message = valid(
        connector.wait_for("ContractNegotiationTerminationMessage").message,
        schemas.CONTRACT_NEGOTIATION_TERMINATION_MESSAGE,
    )
    assert "territory" in message["reason"][0]


def test_an_offer_the_connector_never_takes_terminates_the_negotiation(
    seller: Any, buyer: Any, connector: Connector, capture: Any, settings: Any
) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "DSP_CALLBACK_MAX_ATTEMPTS": 1}
    _, negotiation = proposed(seller, buyer, connector, capture, "9000", "urn:x:7")
    connector.answers.append(500)
    with capture(execute=True):
        seller.client.post(f"/api/v1/private-offers/{negotiation.private_offer_id}/counter", {"price": 11_000})
    [callback] = Callback.objects.filter(negotiation=negotiation, message_type="ContractOfferMessage")
    assert callback.status == "failed" and callback_deliver(callback_id=callback.id) is None
    negotiation.refresh_from_db()
    assert (negotiation.state, negotiation.termination_code) == ("TERMINATED", "undeliverable")
    assert PrivateOffer.objects.get(dsp_negotiation=negotiation).status == "open", "still open on the market"


def test_an_offer_given_up_after_the_consumer_answered_it_terminates_nothing(
    seller: Any, buyer: Any, connector: Connector, capture: Any, settings: Any
) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "DSP_CALLBACK_MAX_ATTEMPTS": 2}
    _, negotiation = proposed(seller, buyer, connector, capture, "9000", "urn:x:8")
    connector.answers.extend([500, 500])
    with capture(execute=True):
        seller.client.post(f"/api/v1/private-offers/{negotiation.private_offer_id}/counter", {"price": 11_000})
    [callback] = Callback.objects.filter(negotiation=negotiation, message_type="ContractOfferMessage")
    assert callback.status == "pending", "the first try failed; a retry is due later"
    # The connector had the offer all the same (its answer was lost): it counters.
    negotiation.refresh_from_db()
    sellers = negotiation.offer
    with capture(execute=True):
        counter_offer_counter(negotiation=negotiation, principal=principal(buyer), offer=priced(sellers, "10000"))
    Callback.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now())
    given_up = callback_deliver(callback_id=callback.id)
    assert given_up is not None and given_up.status == "failed"
    negotiation.refresh_from_db()
    assert negotiation.state == "REQUESTED", "the consumer moved it on: it evidently received the offer"
