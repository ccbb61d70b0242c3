"""The Dataspace Protocol's contract negotiation, played as a consumer connector would: its API key, the catalog, a
callback server on loopback (dataspace.tests.connector). Every answer and every message received is checked against
the vendored DSP 2025-1 schemas; the market's side (orders, trades, settlements, seats) is checked from the rows."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from contracts.models import Contract
from dataspace.dsp import CONTEXT, schemas
from dataspace.dsp.catalog import offer_id
from dataspace.models import Callback, Negotiation, NegotiationEvent
from dataspace.services import callbacks
from dataspace.tests.connector import Connector, Received, consumer_connector
from marketplace.models import Offering, Order, Trade
from settlement.models import Entitlement, OfflinePayment, Settlement
from settlement.services import settlements
from tests.builders import Party, make_party, offer, place

pytestmark = pytest.mark.django_db

BASE = "/dsp/2025-1"
CATALOG = f"{BASE}/catalog/request"
REQUEST = f"{BASE}/negotiations/request"


@pytest.fixture
def connector() -> Any:
    with consumer_connector() as running:
        yield running


# --- the consumer's side -----------------------------------------------------------------------------------------


def post(party: Party | None, path: str, body: Any, client: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {party.api_key}"} if party is not None else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", **headers)


def get(party: Party, path: str, client: Any) -> Any:
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {party.api_key}")


def valid(document: Any, schema: str) -> Any:
    assert schemas.message_errors(document, schema) == [], document
    return document


def answered(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return valid(response.json(), schemas.CONTRACT_NEGOTIATION)


def refused(response: Any, status: int, code: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.content
    message = valid(response.json(), schemas.CONTRACT_NEGOTIATION_ERROR)
    assert message["@type"] == "ContractNegotiationError" and message["reason"]
    if code:
        assert message["code"] == code, message
    return message


def received(connector: Connector, message_type: str, *, count: int = 1) -> Received:
    got = connector.wait_for(message_type, count=count)
    valid(got.message, schemas.by_type(message_type))
    assert got.message["@context"] == [CONTEXT]
    return got


def ask(seller: Party, offering: Offering, capture: Any, price: int = 1500, quantity: int = 3) -> None:
    with capture(execute=True):
        response = place(seller, {"id": str(offering.id)}, "sell", quantity, price)
    assert response.status_code == 201, response.content


def catalog_offer(party: Party, offering: Offering, client: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The dataset holding the offering's offer, and the offer, as the DSP catalog states them."""
    response = post(party, CATALOG, {"@context": [CONTEXT], "@type": "CatalogRequestMessage"}, client)
    assert response.status_code == 200, response.content
    for dataset in response.json().get("dataset", []):
        for policy in dataset["hasPolicy"]:
            if policy["@id"] == offer_id(offering.id):
                return dataset, policy
    raise AssertionError("the offering is not in the catalog")


def request_message(
    dataset: dict[str, Any], policy: dict[str, Any], connector: Connector, consumer_pid: str = "urn:uuid:c-1"
) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "@type": "ContractRequestMessage",
        "consumerPid": consumer_pid,
        "offer": {**policy, "target": dataset["@id"]},
        "callbackAddress": connector.callback_address,
    }


def on(negotiation: dict[str, Any], leaf: str) -> str:
    return f"{BASE}/negotiations/{negotiation['providerPid']}/{leaf}"


def ids(negotiation: dict[str, Any]) -> dict[str, Any]:
    return {"@context": [CONTEXT], "providerPid": negotiation["providerPid"], "consumerPid": negotiation["consumerPid"]}


def verification(negotiation: dict[str, Any]) -> dict[str, Any]:
    return {**ids(negotiation), "@type": "ContractAgreementVerificationMessage"}


def termination(negotiation: dict[str, Any], code: str = "changed-my-mind") -> dict[str, Any]:
    return {**ids(negotiation), "@type": "ContractNegotiationTerminationMessage", "code": code, "reason": ["no"]}


def requested(
    buyer: Party, seller: Party, connector: Connector, capture: Any, client: Any, *, execute: bool = True, **terms: Any
) -> tuple[dict[str, Any], Offering]:
    """A negotiation for a fresh offering's offer (3 seats asked at 1500), as the 201 answered it."""
    offering = offer(seller, **terms)
    ask(seller, offering, capture)
    dataset, policy = catalog_offer(buyer, offering, client)
    with capture(execute=execute):
        response = post(buyer, REQUEST, request_message(dataset, policy, connector), client)
    return answered(response, 201), offering


def row(negotiation: dict[str, Any]) -> Negotiation:
    return Negotiation.objects.get(pk=negotiation["providerPid"].removeprefix("urn:uuid:"))


def settlement_of(negotiation: Negotiation) -> Settlement:
    assert negotiation.trade_id is not None, "no trade was made for it"
    return Settlement.objects.get(trade_id=negotiation.trade_id)


def seats_on_book(offering: Offering) -> int:
    return sum(
        o.remaining_quantity or 0
        for o in Order.objects.filter(offering=offering, side="sell", status__in=Order.RESTING)
    )


# --- the whole exchange ------------------------------------------------------------------------------------------


def test_catalog_request_agreement_verification_finalized(seller, buyer, connector, capture, client) -> None:
    negotiation, offering = requested(buyer, seller, connector, capture, client)
    assert negotiation["consumerPid"] == "urn:uuid:c-1" and negotiation["state"] == "AGREED"

    got = received(connector, "ContractAgreementMessage")
    assert got.path == "/callback/negotiations/urn:uuid:c-1/agreement"
    assert (got.message["providerPid"], got.message["consumerPid"]) == (negotiation["providerPid"], "urn:uuid:c-1")
    agreement = got.message["agreement"]
    contract = Contract.objects.get(pk=agreement["@id"].removeprefix("urn:ichiba:contract:"))
    assert agreement["@type"] == "Agreement"
    assert agreement["target"] == f"urn:ichiba:dataset:{offering.dataset_id}"
    assert agreement["assigner"] == f"urn:ichiba:organization:{seller.organization.id}"
    assert agreement["assignee"] == f"urn:ichiba:organization:{buyer.organization.id}"
    assert agreement["timestamp"].startswith(contract.concluded_at.date().isoformat())
    assert all(
        "target" not in rule for key in ("permission", "prohibition", "obligation") for rule in agreement.get(key, [])
    )
    [use] = [p for p in agreement["permission"] if p["action"] == "use"]
    # DSP's context lacks ODRL's compensate: it is stated as the catalog's offers state it.
    [compensate] = [d for d in use["duty"] if d["action"] == "odrl:compensate"]
    [price] = [c for c in compensate["constraint"] if c["leftOperand"] == "odrl:payAmount"]
    assert price["rightOperand"]["@value"] == "1500" and price["operator"] == "eq"

    # The market's side: one seat bought at the offer's price under the consumer's key, fill-or-kill.
    trade = Trade.objects.get(contract=contract)
    assert (trade.buyer_id, trade.price, trade.quantity) == (buyer.organization.id, 1500, 1)
    bid = Order.objects.get(pk=str(trade.buy_order_id))
    assert (bid.time_in_force, bid.accepted_terms_sha256) == ("fok", offering.terms_sha256)
    assert Settlement.objects.get(trade=trade).status == "authorized"

    with capture(execute=True):
        verified = answered(post(buyer, on(negotiation, "agreement/verification"), verification(negotiation), client))
    assert verified["state"] == "FINALIZED"  # the payment was authorised already: finalized at once
    event = received(connector, "ContractNegotiationEventMessage")
    assert event.message["eventType"] == "FINALIZED" and event.path == "/callback/negotiations/urn:uuid:c-1/events"
    assert answered(get(buyer, f"{BASE}/negotiations/{negotiation['providerPid']}", client))["state"] == "FINALIZED"
    history = list(NegotiationEvent.objects.filter(negotiation=row(negotiation)).values_list("to_state", "by"))
    assert history == [
        ("REQUESTED", "consumer"),
        ("AGREED", "provider"),
        ("VERIFIED", "consumer"),
        ("FINALIZED", "provider"),
    ]


def test_finalized_when_the_payment_is_authorised_after_the_verification(seller, buyer, connector, capture, client):
    negotiation, _ = requested(buyer, seller, connector, capture, client, execute=False)
    settlement = settlement_of(row(negotiation))
    assert settlement.status == "pending"
    with capture(execute=True):
        callbacks.callbacks_sweep()  # the agreement goes out; the authorisation's task has not run
    received(connector, "ContractAgreementMessage")
    with capture(execute=True):
        verified = answered(post(buyer, on(negotiation, "agreement/verification"), verification(negotiation), client))
    assert verified["state"] == "VERIFIED" and not connector.messages("ContractNegotiationEventMessage")
    with capture(execute=True):
        assert settlements.settlement_authorize(settlement_id=settlement.id).status == "authorized"
    assert received(connector, "ContractNegotiationEventMessage").message["eventType"] == "FINALIZED"
    assert row(negotiation).state == "FINALIZED"


def test_the_pid_is_taken_bare_or_percent_encoded(seller, buyer, connector, capture, client) -> None:
    negotiation, _ = requested(buyer, seller, connector, capture, client)
    for pid in (negotiation["providerPid"].removeprefix("urn:uuid:"), quote(negotiation["providerPid"], safe="")):
        assert answered(get(buyer, f"{BASE}/negotiations/{pid}", client))["providerPid"] == negotiation["providerPid"]


# --- not filled: terminated ----------------------------------------------------------------------------------------


def terminated(connector: Connector, code: str) -> dict[str, Any]:
    message = received(connector, "ContractNegotiationTerminationMessage").message
    assert message["code"] == code and message["reason"], message
    assert not connector.messages("ContractAgreementMessage")
    return message


def test_sold_out_terminates_and_buys_nothing(seller, buyer, connector, capture, client) -> None:
    offering = offer(seller)
    ask(seller, offering, capture, quantity=1)
    dataset, policy = catalog_offer(buyer, offering, client)
    other = make_party("Other buyer", {"buyer"})
    with consumer_connector() as first:
        with capture(execute=True):
            won = answered(post(other, REQUEST, request_message(dataset, policy, first), client), 201)
        assert won["state"] == "AGREED"
    with capture(execute=True):
        lost = answered(post(buyer, REQUEST, request_message(dataset, policy, connector), client), 201)
    assert lost["state"] == "TERMINATED"
    terminated(connector, "sold-out")
    assert not Trade.objects.filter(buyer=buyer.organization).exists()
    assert row(lost).termination_code == "sold-out"


@pytest.mark.parametrize(
    ("who", "why"),
    [
        ({"country": "DE"}, "may be used only in JP"),
        ({"verified": False}, "verified by the market operator"),
    ],
)
def test_a_buyer_the_rules_refuse_is_terminated_not_eligible(seller, connector, capture, client, who, why) -> None:
    consumer = make_party("Refused buyer", {"buyer"}, **who)
    negotiation, offering = requested(consumer, seller, connector, capture, client)
    assert negotiation["state"] == "TERMINATED"
    assert why in terminated(connector, "not-eligible")["reason"][0]
    assert not Order.objects.filter(offering=offering, side="buy").exists()
    assert seats_on_book(offering) == 3


def test_a_payment_that_fails_terminates_the_negotiation(seller, connector, capture, client) -> None:
    declining = make_party("Declining buyer", {"buyer"}, payment_method="pm_card_chargeDeclined")
    negotiation, offering = requested(declining, seller, connector, capture, client)
    received(connector, "ContractAgreementMessage")
    terminated_message = received(connector, "ContractNegotiationTerminationMessage").message
    assert terminated_message["code"] == "payment-failed"
    assert row(negotiation).state == "TERMINATED"
    assert seats_on_book(offering) == 3  # the seat is back
    with capture(execute=True):
        refused(post(declining, on(negotiation, "agreement/verification"), verification(negotiation), client), 400)


# --- terminated by the consumer: the trade released ---------------------------------------------------------------


def test_terminated_after_the_agreement_voids_the_payment_and_puts_the_seat_back(
    seller, buyer, connector, capture, client
) -> None:
    negotiation, offering = requested(buyer, seller, connector, capture, client)
    settlement = settlement_of(row(negotiation))
    assert settlement.status == "authorized" and seats_on_book(offering) == 2
    with capture(execute=True):
        answer = answered(post(buyer, on(negotiation, "termination"), termination(negotiation), client))
    assert answer["state"] == "TERMINATED"
    settlement.refresh_from_db()
    assert (settlement.status, settlement.failure_code) == ("voided", "released")
    assert OfflinePayment.objects.get(payment_ref=settlement.payment_ref).status == "voided"  # never captured
    assert Trade.objects.get(pk=settlement.trade_id).status == "void"
    assert Contract.objects.get(pk=settlement.contract_id).status == "terminated"
    assert Entitlement.objects.get(settlement=settlement).status == "revoked"
    assert seats_on_book(offering) == 3
    assert Offering.objects.get(pk=offering.pk).seats_sold == 0
    assert not connector.messages("ContractNegotiationTerminationMessage")  # it asked: nothing to tell it
    assert row(negotiation).termination_code == "changed-my-mind"


def test_terminated_while_the_authorisation_is_in_flight_ends_voided(seller, buyer, connector, capture, client):
    negotiation, offering = requested(buyer, seller, connector, capture, client, execute=False)
    settlement = settlement_of(row(negotiation))
    with capture(execute=True):
        answered(post(buyer, on(negotiation, "termination"), termination(negotiation), client))
    settlement.refresh_from_db()
    assert settlement.status == "pending" and settlement.release_requested_at is not None
    with capture(execute=True):  # the authorisation that was in flight comes back: authorised, then voided
        settlements.settlement_authorize(settlement_id=settlement.id)
    settlement.refresh_from_db()
    assert settlement.status == "voided"
    assert OfflinePayment.objects.get(payment_ref=settlement.payment_ref).status == "voided"
    assert not Entitlement.objects.filter(settlement=settlement).exists()  # nothing was granted
    assert Contract.objects.get(pk=settlement.contract_id).status == "void"
    assert seats_on_book(offering) == 3


def test_after_finalized_the_contract_stands(seller, buyer, connector, capture, client) -> None:
    negotiation, _ = requested(buyer, seller, connector, capture, client)
    with capture(execute=True):
        post(buyer, on(negotiation, "agreement/verification"), verification(negotiation), client)
    with capture(execute=True):
        refused(
            post(buyer, on(negotiation, "termination"), termination(negotiation), client), 400, "invalid-transition"
        )
    settlement = settlement_of(row(negotiation))
    assert settlement.status == "authorized" and settlement.release_requested_at is None
    assert row(negotiation).state == "FINALIZED"


def test_an_agreement_that_cannot_be_delivered_terminates_and_releases(
    seller, buyer, connector, capture, client, settings
) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "DSP_CALLBACK_MAX_ATTEMPTS": 1}
    connector.answers.extend([503, 503])
    negotiation, offering = requested(buyer, seller, connector, capture, client)
    assert Callback.objects.get(message_type="ContractAgreementMessage").status == "failed"
    found = row(negotiation)
    assert (found.state, found.termination_code) == ("TERMINATED", "consumer-unreachable")
    assert settlement_of(found).status == "voided"
    assert seats_on_book(offering) == 3


def test_an_agreement_given_up_after_the_verification_changes_nothing(
    seller, buyer, connector, capture, client, settings
) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "DSP_CALLBACK_MAX_ATTEMPTS": 1}
    negotiation, _ = requested(buyer, seller, connector, capture, client, execute=False)
    with capture(execute=True):  # the consumer verifies (it read the agreement some other way) before it fails
        answered(post(buyer, on(negotiation, "agreement/verification"), verification(negotiation), client))
    connector.answers.append(503)
    with capture(execute=True):
        callbacks.callbacks_sweep()
    assert Callback.objects.get(message_type="ContractAgreementMessage").status == "failed"
    assert row(negotiation).state == "VERIFIED"


# --- refusals ------------------------------------------------------------------------------------------------------


def test_without_a_valid_key_401(seller, buyer, connector, capture, client) -> None:
    negotiation, _ = requested(buyer, seller, connector, capture, client)
    assert refused(post(None, REQUEST, {}, client), 401)["consumerPid"] == ""
    response = client.get(f"{BASE}/negotiations/{negotiation['providerPid']}", HTTP_AUTHORIZATION="Bearer nope")
    refused(response, 401)


def test_another_organisation_s_negotiation_or_an_unknown_one_is_404(seller, buyer, connector, capture, client):
    negotiation, _ = requested(buyer, seller, connector, capture, client)
    stranger = make_party("Stranger", {"buyer"})
    refused(get(stranger, f"{BASE}/negotiations/{negotiation['providerPid']}", client), 404)
    refused(post(stranger, on(negotiation, "termination"), termination(negotiation), client), 404)
    refused(get(buyer, f"{BASE}/negotiations/urn:uuid:00000000-0000-0000-0000-000000000000", client), 404)
    refused(get(buyer, f"{BASE}/negotiations/not-a-pid", client), 404)
    assert row(negotiation).state == "AGREED"


def test_malformed_messages_are_400_and_store_nothing(seller, buyer, connector, capture, client) -> None:
    offering = offer(seller)
    ask(seller, offering, capture)
    dataset, policy = catalog_offer(buyer, offering, client)
    good = request_message(dataset, policy, connector)
    cases = [
        ("{not json", "malformed"),
        ({**good, "@type": "CatalogRequestMessage"}, "malformed"),
        ({k: v for k, v in good.items() if k != "offer"}, "malformed"),
        ({**good, "consumerPid": "urn:uuid:\u0000"}, "malformed"),
        ({**good, "consumerPid": "x" * 301}, "malformed"),
        ({**good, "consumerPid": ""}, "malformed"),
        ({**good, "providerPid": "urn:uuid:whatever"}, "malformed"),
        ({**good, "callbackAddress": "ftp://example.com/cb"}, "bad-callback-address"),
        ({**good, "callbackAddress": "https://user:pw@example.com/cb"}, "bad-callback-address"),
        ({**good, "offer": {**good["offer"], "@id": "urn:ichiba:offering:nope"}}, "unknown-offer"),
        ({**good, "offer": {**good["offer"], "target": "urn:ichiba:dataset:other"}}, "wrong-target"),
    ]
    for body, code in cases:
        refused(post(buyer, REQUEST, body, client), 400, code)
    assert not Negotiation.objects.exists() and not Trade.objects.exists()


def test_other_terms_or_another_price_are_a_counter_offer_to_the_seller(seller, buyer, connector, capture, client):
    offering = offer(seller)
    ask(seller, offering, capture)
    dataset, policy = catalog_offer(buyer, offering, client)
    # payAmount changed but urn:ichiba:odrl:amountMinorUnits left at 1500: the two disagree, nothing is read.
    cheaper = json.loads(json.dumps(policy).replace('"1500"', '"1000"'))
    assert cheaper != policy
    refused(post(buyer, REQUEST, request_message(dataset, cheaper, connector), client), 400, "terms-not-negotiable")
    assert not Negotiation.objects.exists() and not Trade.objects.exists()  # rolled back: nothing behind
    # Another purpose (everywhere it stands) is a counter-offer: a private offer proposed to the seller, REQUESTED.
    other_purpose = json.loads(json.dumps(policy).replace("Internal research", "Resale"))
    response = post(buyer, REQUEST, request_message(dataset, other_purpose, connector), client)
    assert response.status_code == 201, response.content
    [negotiation] = Negotiation.objects.all()
    assert negotiation.state == "REQUESTED" and negotiation.private_offer is not None and not Trade.objects.exists()


def test_forbidden_transitions_and_foreign_pids_are_400(seller, buyer, connector, capture, client) -> None:
    negotiation, _ = requested(buyer, seller, connector, capture, client)
    accepted = {**ids(negotiation), "@type": "ContractNegotiationEventMessage", "eventType": "ACCEPTED"}
    refused(post(buyer, on(negotiation, "events"), accepted, client), 400, "invalid-transition")
    finalized = {**accepted, "eventType": "FINALIZED"}
    refused(post(buyer, on(negotiation, "events"), finalized, client), 400, "bad-event")
    again = {**request_message({"@id": "x"}, {"@id": "y", "@type": "Offer"}, connector), "providerPid": "p"}
    del again["callbackAddress"]
    again["offer"] = {"@id": "y", "@type": "Offer", "permission": [{"action": "use"}]}
    again["providerPid"] = negotiation["providerPid"]
    again["consumerPid"] = negotiation["consumerPid"]
    refused(post(buyer, on(negotiation, "request"), again, client), 400, "invalid-transition")
    other_pid = {**verification(negotiation), "consumerPid": "urn:uuid:someone-else"}
    refused(post(buyer, on(negotiation, "agreement/verification"), other_pid, client), 400, "pid-mismatch")
    with capture(execute=True):
        answered(post(buyer, on(negotiation, "agreement/verification"), verification(negotiation), client))
        refused(post(buyer, on(negotiation, "agreement/verification"), verification(negotiation), client), 400)
    refused(client.put(on(negotiation, "termination"), HTTP_AUTHORIZATION=f"Bearer {buyer.api_key}"), 405)


def test_a_repeated_consumer_pid_makes_no_second_negotiation_nor_trade(seller, buyer, connector, capture, client):
    offering = offer(seller)
    ask(seller, offering, capture)
    dataset, policy = catalog_offer(buyer, offering, client)
    body = request_message(dataset, policy, connector)
    with capture(execute=True):
        first = answered(post(buyer, REQUEST, body, client), 201)
        repeat = answered(post(buyer, REQUEST, body, client), 200)  # a retry that lost its answer
    assert repeat == first
    other = request_message(dataset, policy, connector)
    other["callbackAddress"] += "/elsewhere"
    refused(post(buyer, REQUEST, other, client), 400, "consumer-pid-taken")
    assert Negotiation.objects.count() == 1 and Trade.objects.count() == 1
    # Another organisation may use the same consumerPid: pids are per consumer.
    with capture(execute=True):
        answered(post(make_party("Second buyer", {"buyer"}), REQUEST, body, client), 201)


def stored(buyer: Party, seller: Party, connector: Connector, state: str, offer_by: str) -> dict[str, Any]:
    """A negotiation as the counter-offers would leave it (they are not built yet), as the protocol names it."""
    offering = offer(seller)
    made = Negotiation.objects.create(
        consumer=buyer.organization,
        consumer_pid="urn:uuid:c-9",
        callback_address=connector.callback_address,
        offering=offering,
        dataset=offering.dataset,
        state=state,
        offer={"@id": offer_id(offering.id), "@type": "Offer", "permission": [{"action": "use"}]},
        offer_by=offer_by,
    )
    return {"providerPid": made.provider_pid, "consumerPid": made.consumer_pid}


def test_accepting_one_s_own_offer_is_400(seller, buyer, connector, client) -> None:
    negotiation = stored(buyer, seller, connector, "REQUESTED", "consumer")
    accepted = {**ids(negotiation), "@type": "ContractNegotiationEventMessage", "eventType": "ACCEPTED"}
    refused(post(buyer, on(negotiation, "events"), accepted, client), 400, "own-offer")
    assert row(negotiation).state == "REQUESTED"


def test_on_the_provider_s_offer_the_consumer_s_answers_go_to_the_counter_offers(seller, buyer, connector, client):
    negotiation = stored(buyer, seller, connector, "OFFERED", "provider")
    accepted = {**ids(negotiation), "@type": "ContractNegotiationEventMessage", "eventType": "ACCEPTED"}
    refused(post(buyer, on(negotiation, "events"), accepted, client), 400, "no-counter-offer")
    counter = {
        **ids(negotiation),
        "@type": "ContractRequestMessage",
        "offer": {"@id": "urn:uuid:my-offer", "@type": "Offer", "permission": [{"action": "use"}]},
    }
    refused(post(buyer, on(negotiation, "request"), counter, client), 400, "no-counter-offer")
    # No private offer behind this OFFERED negotiation (stored by hand): refused, nothing moved, no event written.
    assert row(negotiation).state == "OFFERED" and not NegotiationEvent.objects.exists()
