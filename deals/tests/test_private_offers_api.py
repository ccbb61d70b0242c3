"""Private offers over the API (docs/api.md#private-offers): made, countered, accepted into a paid and delivered
contract, declined, expired; seen by their two parties only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import Contract
from deals.models import DataRequest, DealEvent, PrivateOffer
from deals.services.private_offers import private_offers_expire
from deals.tests.data_requests_builders import posted
from marketplace.models import Offering, Trade
from settlement.models import Entitlement, Settlement, WebhookDelivery, WebhookEndpoint
from tests.builders import Party, make_party, offer, private_offer, published_dataset

pytestmark = pytest.mark.django_db

BASE = "/api/v1/private-offers"


@pytest.fixture
def third(db: Any) -> Party:
    return make_party("Nagoya Mobility", {"buyer", "seller"})


def data_request(buyer: Party, *, public: bool = False) -> DataRequest:
    """An open request for data by ``buyer``, through the data requests' API."""
    return DataRequest.objects.get(pk=posted(buyer, public_identity=public, territory=["JP"])["id"])


def listen(party: Party, *events: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        organization=party.organization, url="https://hooks.example.test/ichiba", events=list(events), secret="whsec_x"
    )


def heard(endpoint: WebhookEndpoint) -> list[tuple[str, dict[str, Any]]]:
    return [
        (d.event_type, d.payload["data"])
        for d in WebhookDelivery.objects.filter(endpoint=endpoint).order_by("created_at")
    ]


def counter(party: Party, offer_id: str, key: str = "", **body: Any) -> Any:
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return party.client.post(f"{BASE}/{offer_id}/counter", body, format="json", **headers)


def accept(party: Party, offer_id: str, sha256: str, capture: Any) -> Any:
    with capture(execute=True):
        return party.client.post(f"{BASE}/{offer_id}/accept", {"accepted_terms_sha256": sha256}, format="json")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


# --- the walk of "done when" ---------------------------------------------------------------------------------


def test_a_request_gets_an_offer_one_counter_each_way_an_acceptance_and_a_paid_delivered_contract(
    seller: Party, buyer: Party, third: Party, capture: Any
) -> None:
    request = data_request(buyer, public=True)
    seller_hooks = listen(seller, "private_offer.countered", "private_offer.accepted")
    buyer_hooks = listen(
        buyer, "data_request.answered", "private_offer.received", "private_offer.countered", "private_offer.accepted"
    )
    made = private_offer(seller, data_request=request.id, price=80_000, purpose="Maintenance planning of bridges")
    assert (made["status"], made["revision"], made["turn"]) == ("open", 1, "buyer")
    assert made["buyer"] == {"id": buyer.id, "name": buyer.organization.name}, "the request is public"
    assert made["data_request"] == str(request.id) and len(made["revisions"]) == 1
    assert made["revisions"][0]["author"] == "seller" and made["terms_sha256"] == made["revisions"][0]["terms_sha256"]

    # The buyer counters: a longer term and its own purpose, at a lower price.
    countered = counter(
        buyer, made["id"], terms={"duration_days": 730, "purpose": "Predictive maintenance of bridges"}, price=60_000
    )
    assert countered.status_code == 200, countered.content
    body = countered.json()
    assert (body["revision"], body["turn"], body["price"]) == (2, "seller", 60_000)
    assert body["terms_sha256"] != made["terms_sha256"]
    assert body["revisions"][1]["terms"]["duration_days"] == 730
    # The seller counters the price only: the buyer's terms stand.
    body = counter(seller, made["id"], price=70_000, note="Meet me halfway.").json()
    assert (body["revision"], body["turn"], body["price"]) == (3, "buyer", 70_000)
    assert body["revisions"][2]["terms_sha256"] == body["revisions"][1]["terms_sha256"]

    accepted = accept(buyer, made["id"], body["terms_sha256"], capture)
    assert accepted.status_code == 201, accepted.content
    result = accepted.json()
    assert result["status"] == "accepted" and result["contract"] and result["settlement"] and result["trade"]
    contract = Contract.objects.get(pk=result["contract"])
    assert (contract.channel, contract.price, contract.quantity, contract.amount) == ("private", 70_000, 1, 70_000)
    assert contract.terms_sha256 == body["terms_sha256"] and contract.buyer_id == buyer.organization.id
    assert [(r["revision"], r["author"], r["price"]) for r in contract.negotiation] == [
        (1, "seller", 80_000),
        (2, "buyer", 60_000),
        (3, "seller", 70_000),
    ]
    assert (contract.valid_until - contract.valid_from).days == 730
    settlement = Settlement.objects.get(pk=result["settlement"])
    assert settlement.status == "authorized" and settlement.amount == 77_000 and contract.status == "active"
    offering = Offering.objects.get(pk=result["offering"])
    assert (offering.channel, offering.status, offering.buyer_id) == ("private", "withdrawn", buyer.organization.id)

    # Delivered: the buyer downloads the contracted version, which captures the payment.
    entitlement = Entitlement.objects.get(settlement=settlement)
    token = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens")
    assert token.status_code == 201, token.content
    with capture(execute=True):
        download: Any = buyer.client.get(token.json()["download_url"])
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"timestamp")
    settlement.refresh_from_db()
    assert settlement.status == "captured" and settlement.platform_fee > 0

    # The documents carry the negotiated terms, in Japanese and English.
    for lang in ("ja", "en"):
        document = buyer.client.get(f"/api/v1/contracts/{contract.id}/document?lang={lang}")
        assert document.status_code == 200
        assert "Predictive maintenance of bridges" in document.content.decode()
        assert "730" in document.content.decode()
    odrl = buyer.client.get(f"/api/v1/contracts/{contract.id}/odrl")
    assert odrl.status_code == 200 and "Predictive maintenance of bridges" in odrl.content.decode()
    negotiation = buyer.client.get(f"/api/v1/contracts/{contract.id}").json()["negotiation"]
    assert [r["revision"] for r in negotiation] == [1, 2, 3]

    # Webhooks: the request's author heard it was answered, each party heard the other's counter, both the deal.
    buyer_events = [event for event, _ in heard(buyer_hooks)]
    assert buyer_events == [
        "private_offer.received",
        "data_request.answered",
        "private_offer.countered",
        "private_offer.accepted",
    ]
    assert [event for event, _ in heard(seller_hooks)] == ["private_offer.countered", "private_offer.accepted"]
    accepted_data = heard(buyer_hooks)[-1][1]
    assert accepted_data["contract"] == str(contract.id) and accepted_data["revision"] == 3

    # A third organisation sees none of it.
    assert third.client.get(f"{BASE}/{made['id']}").status_code == 404
    assert third.client.get(BASE).json()["results"] == []
    assert str(offering.id) not in {o["id"] for o in third.client.get("/api/v1/offerings").json()["results"]}
    assert third.client.get(f"/api/v1/offerings/{offering.id}").status_code == 404
    assert result["trade"] not in {t["id"] for t in third.client.get("/api/v1/trades").json()["results"]}
    assert third.client.get(f"/api/v1/contracts/{contract.id}").status_code == 404
    for action in ("counter", "accept", "decline"):
        assert third.client.post(f"{BASE}/{made['id']}/{action}", {}, format="json").status_code in (400, 404)
    assert problem(third.client.post(f"{BASE}/{made['id']}/decline", {}, format="json"), 404)


def test_each_party_lists_its_own_by_role_and_status(seller: Party, buyer: Party, other_seller: Party) -> None:
    first = private_offer(seller, buyer)
    second = private_offer(other_seller, buyer)
    assert buyer.client.post(f"{BASE}/{second['id']}/decline", {}, format="json").status_code == 200
    ids = lambda response: [o["id"] for o in response.json()["results"]]  # noqa: E731
    assert set(ids(buyer.client.get(BASE))) == {first["id"], second["id"]}
    assert ids(buyer.client.get(f"{BASE}?role=buyer&status=open")) == [first["id"]]
    assert ids(buyer.client.get(f"{BASE}?status=declined")) == [second["id"]]
    assert ids(buyer.client.get(f"{BASE}?role=seller")) == []
    assert ids(seller.client.get(f"{BASE}?role=seller")) == [first["id"]]
    assert ids(other_seller.client.get(BASE)) == [second["id"]]
    assert "status" in problem(buyer.client.get(f"{BASE}?status=bogus"), 400)["errors"]
    assert "role" in problem(buyer.client.get(f"{BASE}?role=owner"), 400)["errors"]
    assert buyer.client.get(f"{BASE}/not-a-uuid").status_code == 404


# --- who may do what, when -------------------------------------------------------------------------------------


def test_only_the_party_that_did_not_write_the_latest_revision_accepts_or_counters_it(
    seller: Party, buyer: Party, capture: Any
) -> None:
    made = private_offer(seller, buyer)
    assert "revision" in problem(accept(seller, made["id"], made["terms_sha256"], capture), 409)["errors"]
    assert problem(counter(seller, made["id"], price=1), 409)
    body = counter(buyer, made["id"], quantity=2).json()
    assert problem(counter(buyer, made["id"], price=10), 409), "the buyer wrote revision 2"
    assert problem(accept(buyer, made["id"], body["terms_sha256"], capture), 409)
    assert not Trade.objects.exists()
    done = accept(seller, made["id"], body["terms_sha256"], capture)
    assert done.status_code == 201, done.content
    contract = Contract.objects.get(pk=done.json()["contract"])
    assert contract.quantity == 2
    roles = {a.role: a for a in contract.acceptances.all()}
    assert roles["buyer"].api_key_id is not None, "the buyer accepted revision 2 by writing it, with its API key"
    for action in ("counter", "decline"):
        assert problem(
            buyer.client.post(
                f"{BASE}/{made['id']}/{action}", {"price": 5} if action == "counter" else {}, format="json"
            ),
            409,
        )


def test_a_stale_accept_is_409_naming_the_latest_revision(seller: Party, buyer: Party, capture: Any) -> None:
    made = private_offer(seller, buyer)
    counter(buyer, made["id"], terms={"duration_days": 180}, price=40_000)
    latest = counter(seller, made["id"], price=45_000).json()
    refused = problem(accept(buyer, made["id"], made["terms_sha256"], capture), 409)
    assert "revision is 3" in refused["detail"] and latest["terms_sha256"] in refused["detail"]
    assert refused["errors"]["revision"] == ["3"]
    # A counter of the price alone keeps the terms hash: naming the revision read refuses the changed price.
    with capture(execute=True):
        stale = buyer.client.post(
            f"{BASE}/{made['id']}/accept",
            {"accepted_terms_sha256": latest["terms_sha256"], "revision": 2},
            format="json",
        )
    assert "45000" in problem(stale, 409)["detail"]
    assert problem(accept(buyer, made["id"], "0" * 64, capture), 409)
    assert problem(
        buyer.client.post(f"{BASE}/{made['id']}/accept", {"accepted_terms_sha256": "nope"}, format="json"), 400
    )
    assert PrivateOffer.objects.get(pk=made["id"]).status == "open" and not Trade.objects.exists()


def test_a_counter_must_change_something(seller: Party, buyer: Party) -> None:
    made = private_offer(seller, buyer, purpose="Research")
    same = counter(buyer, made["id"], terms={"purpose": "Research"}, price=made["price"])
    assert "_" in problem(same, 400)["errors"]
    assert problem(counter(buyer, made["id"]), 400)
    assert problem(counter(buyer, made["id"], price=0), 400)
    assert problem(counter(buyer, made["id"], terms={"territory": ["XX"]}), 400)
    assert PrivateOffer.objects.get(pk=made["id"]).revision == 1


def test_either_party_declines_an_open_offer_and_both_hear_it(seller: Party, buyer: Party, capture: Any) -> None:
    made = private_offer(seller, buyer)
    seller_hooks, buyer_hooks = listen(seller, "private_offer.declined"), listen(buyer, "private_offer.declined")
    declined = seller.client.post(f"{BASE}/{made['id']}/decline", {"reason": "Sold elsewhere"}, format="json")
    assert declined.status_code == 200, declined.content
    assert (declined.json()["status"], declined.json()["declined_by"], declined.json()["turn"]) == (
        "declined",
        "seller",
        None,
    )
    assert [e for e, _ in heard(seller_hooks)] == [e for e, _ in heard(buyer_hooks)] == ["private_offer.declined"]
    assert problem(accept(buyer, made["id"], made["terms_sha256"], capture), 409)
    assert problem(buyer.client.post(f"{BASE}/{made['id']}/decline", {}, format="json"), 409)
    event = DealEvent.objects.get(private_offer_id=made["id"], kind="declined")
    assert event.payload == {"by": "seller", "reason": "Sold elsewhere"}


def test_an_expired_offer_answers_409_to_every_action_before_and_after_the_sweep(
    seller: Party, buyer: Party, capture: Any
) -> None:
    made = private_offer(seller, buyer)
    hooks = listen(buyer, "private_offer.expired")
    PrivateOffer.objects.filter(pk=made["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    for _ in range(2):
        assert buyer.client.get(f"{BASE}/{made['id']}").json()["status"] == "expired"
        assert [o["id"] for o in buyer.client.get(f"{BASE}?status=expired").json()["results"]] == [made["id"]]
        assert buyer.client.get(f"{BASE}?status=open").json()["results"] == []
        for response in (
            accept(buyer, made["id"], made["terms_sha256"], capture),
            counter(buyer, made["id"], price=1000),
            buyer.client.post(f"{BASE}/{made['id']}/decline", {}, format="json"),
            seller.client.post(f"{BASE}/{made['id']}/decline", {}, format="json"),
        ):
            assert problem(response, 409)["errors"]["status"] == ["expired"]
        assert private_offers_expire() == (1 if _ == 0 else 0)
    assert PrivateOffer.objects.get(pk=made["id"]).status == "expired"
    assert [e for e, _ in heard(hooks)] == ["private_offer.expired"]
    assert not Trade.objects.exists()


# --- making an offer ---------------------------------------------------------------------------------------------


def _body(dataset_id: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "dataset": str(dataset_id),
        "terms": {},
        "price": 1000,
        "expires_at": (timezone.now() + timedelta(days=3)).isoformat(),
        **overrides,
    }


def test_an_offer_is_refused_naming_what_is_wrong_and_nothing_is_written(
    seller: Party, buyer: Party, other_seller: Party
) -> None:
    dataset = published_dataset(seller)
    unverified = make_party("Unverified Buyer", {"buyer"}, verified=False)
    abroad = make_party("Berlin Analytics", {"buyer"}, country="DE")
    request = data_request(buyer)
    post = lambda **o: seller.client.post(BASE, _body(dataset.id, **o), format="json")  # noqa: E731
    cases = [
        (post(), 400, "buyer"),
        (post(buyer=buyer.id, data_request=str(request.id)), 400, "buyer"),
        (post(buyer=buyer.id, price=0), 400, "price"),
        (post(buyer=buyer.id, price=10**12 + 1), 400, "price"),
        (post(buyer=buyer.id, quantity=100_001), 400, "quantity"),
        (post(buyer=buyer.id, expires_at=(timezone.now() - timedelta(minutes=1)).isoformat()), 400, "expires_at"),
        (post(buyer=buyer.id, expires_at=(timezone.now() + timedelta(days=91)).isoformat()), 400, "expires_at"),
        (post(buyer=buyer.id, currency="ZZZ"), 400, "currency"),
        (post(buyer=buyer.id, terms={"territory": ["JP", "XX"]}), 400, "terms.territory"),
        (post(buyer=buyer.id, terms={"license_type": "exclusive"}, quantity=2), 422, "license_seats"),
        (post(buyer=abroad.id), 422, "terms.territory"),
        (post(buyer=unverified.id), 422, "buyer"),
        (post(buyer=other_seller.id), 422, "buyer"),
        (post(buyer=seller.id), 422, "buyer"),
        (post(buyer="00000000-0000-0000-0000-000000000000"), 404, "buyer"),
        (post(buyer=buyer.id, note="\u202eevil"), 400, "note"),
        (other_seller.client.post(BASE, _body(dataset.id, buyer=buyer.id), format="json"), 404, "dataset"),
        (buyer.client.post(BASE, _body(dataset.id, buyer=buyer.id), format="json"), 403, ""),
    ]
    for response, status, field in cases:
        body = problem(response, status)
        assert not field or field in body["errors"], (field, body)
    assert buyer.client.post(f"/api/v1/data-requests/{request.id}/close", {}, format="json").status_code == 200
    assert "data_request" in problem(post(data_request=str(request.id)), 409)["errors"]
    assert problem(post(data_request="00000000-0000-0000-0000-000000000000"), 404)
    assert not PrivateOffer.objects.exists()


def test_idempotency_key_replays_the_offer_and_the_counter(seller: Party, buyer: Party) -> None:
    dataset = published_dataset(seller)
    body = _body(dataset.id, buyer=buyer.id)
    first = seller.client.post(BASE, body, format="json", HTTP_IDEMPOTENCY_KEY="offer-1")
    again = seller.client.post(BASE, body, format="json", HTTP_IDEMPOTENCY_KEY="offer-1")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"] and PrivateOffer.objects.count() == 1
    assert problem(seller.client.post(BASE, {**body, "price": 2}, format="json", HTTP_IDEMPOTENCY_KEY="offer-1"), 409)
    one = counter(buyer, first.json()["id"], key="c-1", price=900)
    two = counter(buyer, first.json()["id"], key="c-1", price=900)
    assert one.status_code == two.status_code == 200 and two.json()["revision"] == 2
    assert PrivateOffer.objects.get().revision == 2


def test_the_seller_does_not_see_the_name_of_an_anonymous_requests_author_until_the_deal(
    seller: Party, buyer: Party, capture: Any
) -> None:
    request = data_request(buyer, public=False)
    hooks = listen(seller, "private_offer.countered")
    made = private_offer(seller, data_request=request.id)
    assert made["buyer"] == {"id": None, "name": None}
    assert buyer.client.get(f"{BASE}/{made['id']}").json()["buyer"]["name"] == buyer.organization.name
    countered = counter(buyer, made["id"], price=40_000).json()
    assert seller.client.get(f"{BASE}/{made['id']}").json()["buyer"]["id"] is None
    assert heard(hooks)[0][1]["buyer"] is None, "nor do its webhooks name it"
    done = accept(seller, made["id"], countered["terms_sha256"], capture)
    assert done.status_code == 201, done.content
    assert done.json()["buyer"]["name"] == buyer.organization.name, "the contract names both parties"


# --- the market's rules on every revision --------------------------------------------------------------------------


def test_a_counter_cannot_remove_the_reidentification_ban_on_anonymised_data(
    seller: Party, buyer: Party, capture: Any
) -> None:
    from contracts.registry import template_get
    from contracts.terms import terms_hash

    made = private_offer(seller, buyer, data_class="anonymized")
    assert {"anonymized_notice", "reidentification_ban"} <= set(made["revisions"][0]["mandatory_clauses"])
    refused: list[dict[str, Any]] = [
        {"reidentification_ban": False},
        {"mandatory_clauses": []},
        {"anonymized_notice": 0},
    ]
    for terms in refused:
        assert problem(counter(buyer, made["id"], terms=terms), 400)
    body = counter(buyer, made["id"], terms={"purpose": "Demand forecasting"}).json()
    revision = body["revisions"][-1]
    assert {"anonymized_notice", "reidentification_ban"} <= set(revision["mandatory_clauses"])
    template = template_get("meti-data-provision", 1)
    with_clauses = terms_hash(
        template=template, terms=revision["terms"], mandatory_clauses=tuple(revision["mandatory_clauses"])
    )
    assert revision["terms_sha256"] == with_clauses
    assert revision["terms_sha256"] != terms_hash(template=template, terms=revision["terms"], mandatory_clauses=())
    done = accept(seller, made["id"], body["terms_sha256"], capture)
    assert done.status_code == 201, done.content
    contract = Contract.objects.get(pk=done.json()["contract"])
    assert {"anonymized_notice", "reidentification_ban"} <= {clause["code"] for clause in contract.clauses}
    assert "reidentif" in buyer.client.get(f"/api/v1/contracts/{contract.id}/document?lang=en").content.decode().lower()


def test_an_exclusive_licence_is_one_seat_and_has_its_territory_to_itself(
    seller: Party, buyer: Party, capture: Any
) -> None:
    dataset = published_dataset(seller)
    other_buyer = make_party("Kyoto Analytics", {"buyer"})
    first = private_offer(seller, buyer, dataset=dataset, license_type="exclusive")
    second = private_offer(seller, other_buyer, dataset=dataset, license_type="exclusive")
    assert "license_seats" in problem(counter(buyer, first["id"], quantity=2), 422)["errors"]
    # While both are only offers, the first acceptance takes the territory; the second is refused whole.
    assert accept(buyer, first["id"], first["terms_sha256"], capture).status_code == 201
    refused = problem(accept(other_buyer, second["id"], second["terms_sha256"], capture), 422)
    assert refused["type"] == "/problems/exclusivity-conflict"
    assert PrivateOffer.objects.get(pk=second["id"]).status == "open"
    assert Offering.objects.filter(channel="private").count() == 1 and Trade.objects.count() == 1
    # Nor can a new offer, private or public, overlap the exclusive contract in force.
    refused = problem(seller.client.post(BASE, _body(dataset.id, buyer=other_buyer.id), format="json"), 422)
    assert refused["type"] == "/problems/exclusivity-conflict"
    # An exclusive offer beside an open public offering of the dataset is refused as a publication is.
    public = offer(seller)
    beside = seller.client.post(
        BASE, _body(public.dataset_id, buyer=buyer.id, terms={"license_type": "exclusive"}), format="json"
    )
    assert problem(beside, 422)["type"] == "/problems/exclusivity-conflict"


def test_a_counter_outside_the_buyers_territory_is_refused(seller: Party, buyer: Party) -> None:
    made = private_offer(seller, buyer)
    refused = counter(buyer, made["id"], terms={"territory": ["DE"]})
    assert "terms.territory" in problem(refused, 422)["errors"]


def test_a_declined_payment_voids_the_contract_and_the_offer_stays_accepted_with_the_void_recorded(
    seller: Party, capture: Any
) -> None:
    declined = make_party("Declined Analytics", {"buyer"}, payment_method="pm_card_chargeDeclined")
    made = private_offer(seller, declined)
    done = accept(declined, made["id"], made["terms_sha256"], capture)
    assert done.status_code == 201, done.content
    body = declined.client.get(f"{BASE}/{made['id']}").json()
    assert body["status"] == "accepted"
    assert Settlement.objects.get(pk=body["settlement"]).status == "failed"
    assert Contract.objects.get(pk=body["contract"]).status == "void"
    assert Trade.objects.get(pk=body["trade"]).status == "void"
    event = DealEvent.objects.get(private_offer_id=made["id"], kind="trade_voided")
    assert event.payload["trade"] == body["trade"]


def test_an_acceptance_for_a_buyer_that_no_longer_qualifies_is_refused_in_the_sellers_words(
    seller: Party, buyer: Party, capture: Any
) -> None:
    made = private_offer(seller, buyer)
    body = counter(buyer, made["id"], price=20_000).json()
    buyer.organization.verified = False
    buyer.organization.save()
    refused = problem(accept(seller, made["id"], body["terms_sha256"], capture), 422)
    assert refused["errors"] == {"buyer": ["not verified by the market operator"]}
    buyer.organization.verified, buyer.organization.country = True, "DE"
    buyer.organization.save()
    assert "terms.territory" in problem(accept(seller, made["id"], body["terms_sha256"], capture), 422)["errors"]
    assert PrivateOffer.objects.get(pk=made["id"]).status == "open" and not Offering.objects.filter(channel="private")


def test_a_requests_author_lists_the_offers_answering_it_in_a_fixed_number_of_queries(
    seller: Party, buyer: Party, other_seller: Party
) -> None:
    request = data_request(buyer, public=True)
    answers = [private_offer(party, data_request=request.id) for party in (seller, other_seller)]
    private_offer(seller, buyer)
    path = f"{BASE}?data_request={request.id}"
    listed = buyer.client.get(path).json()["results"]
    assert {o["id"] for o in listed} == {a["id"] for a in answers}
    assert [o["id"] for o in seller.client.get(path).json()["results"]] == [answers[0]["id"]]
    assert "data_request" in problem(buyer.client.get(f"{BASE}?data_request=nope"), 400)["errors"]
    with CaptureQueriesContext(connection) as three:
        assert len(buyer.client.get(BASE).json()["results"]) == 3
    for _ in range(4):
        counter(buyer, private_offer(other_seller, buyer)["id"], price=10)
    with CaptureQueriesContext(connection) as seven:
        assert len(buyer.client.get(BASE).json()["results"]) == 7
    assert len(seven.captured_queries) == len(three.captured_queries) <= 12
