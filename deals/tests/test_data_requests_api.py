"""Requests for data through the partner API (issue 15): a verified buyer asks, verified sellers read the open
requests (the buyer's name only if it chose to show it) and answer with private offers; nobody else sees any of it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from config.errors import Conflict, NotFound, RuleViolation
from deals.models import DataRequest, DealEvent
from deals.services.data_requests import data_request_for_answer
from deals.tests.data_requests_builders import answer, posted, request_body
from settlement.models import WebhookDelivery
from tests.builders import Party, make_party, principal

pytestmark = pytest.mark.django_db

URL = "/api/v1/data-requests"
RLO = "\u202e"


def problem(response: Any, status: int, type_: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    if type_:
        assert body["type"] == f"/problems/{type_}", body
    return body


def expire(request_id: str) -> None:
    """As if its respond_by had passed (nothing runs then: the status is computed when read)."""
    DataRequest.objects.filter(pk=request_id).update(respond_by=timezone.now() - timedelta(seconds=1))


def listed(party: Party, query: str = "") -> list[dict[str, Any]]:
    response = party.client.get(f"{URL}{query}")
    assert response.status_code == 200, response.content
    results: list[dict[str, Any]] = response.json()["results"]
    return results


# --- a buyer requests data ------------------------------------------------------------------------------------


def test_a_verified_buyer_requests_data_and_reads_it_back(buyer: Party) -> None:
    respond_by = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    created = posted(buyer, respond_by=respond_by.isoformat())
    assert created["status"] == "open"
    assert created["territory"] == ["JP", "US"], "upper-case, each once, sorted"
    assert created["buyer"] == {"name": "Osaka Analytics"} and created["mine"] is True
    assert created["public_identity"] is False and created["answers"] == []
    assert (created["budget_max"], created["currency"], created["category"]) == (500_000, "JPY", "infrastructure")
    stored = DataRequest.objects.get(pk=created["id"])
    assert stored.respond_by == respond_by and stored.buyer_id == buyer.organization.id
    assert stored.created_by_api_key_id is not None
    assert DealEvent.objects.filter(data_request=stored, kind="created").count() == 1

    detail = buyer.client.get(f"{URL}/{created['id']}").json()
    assert detail == created
    assert [r["id"] for r in listed(buyer)] == [created["id"]]


def test_optional_fields_have_their_defaults(buyer: Party) -> None:
    body = request_body()
    for name in ("description", "budget_max", "currency"):
        del body[name]
    response = buyer.client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["description"], created["budget_max"], created["currency"]) == ("", None, "JPY")
    assert created["public_identity"] is False


def test_the_bounds_of_each_field_are_accepted(buyer: Party) -> None:
    created = posted(
        buyer,
        title="t" * 200,
        description="d" * 5000,
        purpose="Line one.\nLine two.\t" + "p" * 1980,
        budget_max=10**12,
        currency="usd",
        territory=["jp"],
        respond_by=(timezone.now() + timedelta(days=180) - timedelta(minutes=1)).isoformat(),
    )
    assert (created["budget_max"], created["currency"], created["territory"]) == (10**12, "USD", ["JP"])
    assert created["purpose"].startswith("Line one.\nLine two.\t")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "t" * 201),
        ("title", f"Bridges{RLO}"),
        ("title", "two\nlines"),
        ("title", "\u200b\u200b"),
        ("description", "d" * 5001),
        ("description", f"Readings{RLO}"),
        ("data_class", "bogus"),
        ("category", "space"),
        ("territory", []),
        ("territory", "JP"),
        ("territory", ["XX"]),
        ("territory", ["JPN"]),
        ("territory", ["JP", "ZZ"]),
        ("purpose", ""),
        ("purpose", "p" * 2001),
        ("purpose", f"Research{RLO}"),
        ("budget_max", 0),
        ("budget_max", 10**12 + 1),
        ("budget_max", "a lot"),
        ("currency", "ABC"),
        ("currency", "JP"),
        ("respond_by", "tomorrow"),
        ("respond_by", "past"),
        ("respond_by", "181 days"),
        ("public_identity", "perhaps"),
        ("colour", "blue"),
    ],
)
def test_each_invalid_field_is_a_problem_naming_it_and_nothing_is_stored(buyer: Party, field: str, value: Any) -> None:
    if value == "past":
        value = (timezone.now() - timedelta(minutes=1)).isoformat()
    elif value == "181 days":
        value = (timezone.now() + timedelta(days=181)).isoformat()
    errors = problem(buyer.client.post(URL, request_body(**{field: value}), format="json"), 400, "invalid")["errors"]
    assert [key.split(".")[0] for key in errors] == [field] * len(errors), errors
    assert not DataRequest.objects.exists()


def test_an_unknown_country_is_named(buyer: Party) -> None:
    body = problem(buyer.client.post(URL, request_body(territory=["JP", "ZZ", "QQ"]), format="json"), 400)
    assert body["detail"] == "Not ISO 3166-1 alpha-2 country codes: QQ, ZZ."


def test_personal_data_is_refused_by_the_market_rule(buyer: Party) -> None:
    body = problem(
        buyer.client.post(URL, request_body(data_class="personal"), format="json"), 422, "personal-data-refused"
    )
    assert list(body["errors"]) == ["data_class"] and "information bank" in body["detail"]
    assert not DataRequest.objects.exists()


@pytest.mark.parametrize(
    ("roles", "verified", "said"),
    [
        ({"buyer"}, False, "verified by the market operator"),
        ({"seller"}, True, "buyer role"),
    ],
)
def test_only_a_verified_buyer_requests_data(roles: set[str], verified: bool, said: str) -> None:
    party = make_party("Unqualified", roles, verified=verified)
    body = problem(party.client.post(URL, request_body(), format="json"), 403, "forbidden")
    assert said in body["detail"]
    assert not DataRequest.objects.exists()


def test_an_idempotency_key_creates_the_request_once(buyer: Party) -> None:
    body = request_body()
    first = buyer.client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="request-1")
    again = buyer.client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="request-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert DataRequest.objects.count() == 1
    other = buyer.client.post(URL, {**body, "title": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="request-1")
    problem(other, 409, "idempotency-conflict")


# --- who sees what ----------------------------------------------------------------------------------------------


def test_a_seller_sees_the_buyers_name_only_if_the_buyer_chose_to_show_it(buyer: Party, seller: Party) -> None:
    hidden = posted(buyer, title="Hidden buyer")
    public = posted(buyer, title="Public buyer", public_identity=True)
    results = {r["title"]: r for r in listed(seller)}
    assert results["Hidden buyer"]["buyer"] is None and results["Hidden buyer"]["mine"] is False
    assert results["Public buyer"]["buyer"] == {"name": "Osaka Analytics"}
    # Not the id either, anywhere in what the seller reads; nor the name where it is hidden.
    for response in (seller.client.get(URL), seller.client.get(f"{URL}/{hidden['id']}")):
        assert str(buyer.organization.id) not in response.content.decode()
    hidden_text = seller.client.get(f"{URL}/{hidden['id']}").content.decode()
    assert "Osaka Analytics" not in hidden_text
    assert set(json.loads(hidden_text)) == set(hidden), "the seller's view has the buyer's fields, buyer null"
    assert json.loads(hidden_text)["answers"] == []
    public_text = seller.client.get(f"{URL}/{public['id']}").content.decode()
    assert "Osaka Analytics" in public_text and str(buyer.organization.id) not in public_text


def test_a_seller_lists_the_open_requests_and_the_buyer_its_own_whatever_their_status(
    buyer: Party, seller: Party
) -> None:
    open_one = posted(buyer, title="Open")
    closed = posted(buyer, title="Closed")
    expired = posted(buyer, title="Expired")
    assert buyer.client.post(f"{URL}/{closed['id']}/close").status_code == 200
    expire(expired["id"])
    assert [r["title"] for r in listed(seller)] == ["Open"]
    assert {r["title"]: r["status"] for r in listed(buyer)} == {
        "Open": "open",
        "Closed": "closed",
        "Expired": "expired",
    }
    assert [r["title"] for r in listed(buyer, "?status=expired")] == ["Expired"]
    assert [r["title"] for r in listed(buyer, "?status=open")] == ["Open"]
    problem(seller.client.get(f"{URL}/{closed['id']}"), 404)
    problem(seller.client.get(f"{URL}/{expired['id']}"), 404)
    assert seller.client.get(f"{URL}/{open_one['id']}").status_code == 200


def test_lists_filter_by_role_data_class_and_category(seller: Party) -> None:
    both = make_party("Kyoto Mobility", {"buyer", "seller"})
    other_buyer = make_party("Nagoya Retail", {"buyer"})
    own = posted(both, title="Own", category="mobility")
    theirs = posted(other_buyer, title="Theirs", data_class="anonymized", category="retail")
    assert {r["title"] for r in listed(both)} == {"Own", "Theirs"}
    assert [r["id"] for r in listed(both, "?mine=true")] == [own["id"]]
    assert [r["id"] for r in listed(both, "?role=buyer")] == [own["id"]]
    assert [r["id"] for r in listed(both, "?role=seller")] == [theirs["id"]], "not its own request as a seller"
    assert [r["id"] for r in listed(seller, "?data_class=anonymized")] == [theirs["id"]]
    assert [r["id"] for r in listed(seller, "?category=mobility")] == [own["id"]]
    assert listed(seller, "?category=weather") == []
    for query, name in (
        ("?role=owner", "role"),
        ("?mine=yes", "mine"),
        ("?data_class=personal", "data_class"),
        ("?category=space", "category"),
        ("?status=gone", "status"),
        ("?mine=true&role=seller", "mine"),
    ):
        assert list(problem(both.client.get(f"{URL}{query}"), 400, "invalid")["errors"]) == [name], query


def test_an_unverified_seller_sees_no_request(buyer: Party) -> None:
    unverified = make_party("Unverified Sensors", {"seller"}, verified=False)
    created = posted(buyer)
    problem(unverified.client.get(URL), 403, "forbidden")
    problem(unverified.client.get(f"{URL}?role=seller"), 403, "forbidden")
    problem(unverified.client.get(f"{URL}/{created['id']}"), 404, "not-found")
    problem(unverified.client.post(f"{URL}/{created['id']}/close"), 404, "not-found")


def test_a_buyer_that_is_no_seller_lists_only_its_own_and_may_not_ask_for_the_sellers_list(buyer: Party) -> None:
    other_buyer = make_party("Nagoya Retail", {"buyer"})
    posted(buyer)
    assert listed(other_buyer) == []
    problem(other_buyer.client.get(f"{URL}?role=seller"), 403, "forbidden")


def test_a_third_party_gets_404_for_everything(buyer: Party, seller: Party) -> None:
    created = posted(buyer)
    answer(seller, created["id"])
    third = make_party("Nagoya Retail", {"buyer"})
    for response in (
        third.client.get(f"{URL}/{created['id']}"),
        third.client.post(f"{URL}/{created['id']}/close"),
        third.client.get(f"{URL}/not-a-uuid"),
        buyer.client.get(f"{URL}/00000000-0000-0000-0000-000000000000"),
    ):
        problem(response, 404, "not-found")
    assert DataRequest.objects.get(pk=created["id"]).status == "open"


# --- closing ----------------------------------------------------------------------------------------------------


def test_the_buyer_closes_its_request_once(buyer: Party, seller: Party) -> None:
    created = posted(buyer)
    refused = problem(seller.client.post(f"{URL}/{created['id']}/close"), 403, "forbidden")
    assert "Only the buyer" in refused["detail"]
    closed = buyer.client.post(f"{URL}/{created['id']}/close")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    problem(buyer.client.post(f"{URL}/{created['id']}/close"), 409, "conflict")
    assert DealEvent.objects.filter(data_request_id=created["id"], kind="closed").count() == 1
    assert listed(seller) == []


def test_a_request_past_its_respond_by_counts_as_closed(buyer: Party, seller: Party) -> None:
    created = posted(buyer)
    expire(created["id"])
    assert buyer.client.get(f"{URL}/{created['id']}").json()["status"] == "expired"
    body = problem(buyer.client.post(f"{URL}/{created['id']}/close"), 409, "conflict")
    assert "respond_by" in body["detail"]
    assert DataRequest.objects.get(pk=created["id"]).status == "open", "nothing was written"
    with pytest.raises(Conflict):
        answer(seller, created["id"])


# --- answers ----------------------------------------------------------------------------------------------------


def test_the_buyer_sees_every_answer_and_each_seller_only_its_own(
    buyer: Party, seller: Party, other_seller: Party
) -> None:
    created = posted(buyer)
    first = answer(seller, created["id"], price=100_000, quantity=1)
    second = answer(other_seller, created["id"], price=90_000, quantity=2)
    answers = buyer.client.get(f"{URL}/{created['id']}").json()["answers"]
    assert [(a["id"], a["seller"], a["price"], a["quantity"], a["status"]) for a in answers] == [
        (str(first.id), {"name": "Kansai Bridge Monitoring"}, 100_000, 1, "open"),
        (str(second.id), {"name": "Hokuriku Sensors"}, 90_000, 2, "open"),
    ]
    seen_by_seller = seller.client.get(f"{URL}/{created['id']}").content.decode()
    assert [a["id"] for a in json.loads(seen_by_seller)["answers"]] == [str(first.id)]
    assert str(second.id) not in seen_by_seller and "Hokuriku Sensors" not in seen_by_seller


def test_an_answer_shows_its_latest_revision_and_expiry(buyer: Party, seller: Party) -> None:
    created = posted(buyer)
    offer = answer(seller, created["id"], price=100_000)
    revision = offer.revisions.get()
    revision.pk = None
    revision.number, revision.author, revision.price = 2, "buyer", 80_000
    revision.save()
    type(offer).objects.filter(pk=offer.pk).update(revision=2)
    [shown] = buyer.client.get(f"{URL}/{created['id']}").json()["answers"]
    assert shown["price"] == 80_000
    type(offer).objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    [shown] = buyer.client.get(f"{URL}/{created['id']}").json()["answers"]
    assert shown["status"] == "expired"


def test_a_seller_that_answered_still_sees_the_request_once_it_is_closed(
    buyer: Party, seller: Party, other_seller: Party
) -> None:
    created = posted(buyer)
    answer(seller, created["id"])
    assert buyer.client.post(f"{URL}/{created['id']}/close").status_code == 200
    seen = seller.client.get(f"{URL}/{created['id']}")
    assert seen.status_code == 200 and seen.json()["status"] == "closed" and len(seen.json()["answers"]) == 1
    problem(other_seller.client.get(f"{URL}/{created['id']}"), 404)
    assert listed(seller) == [], "the list shows open requests only"


def test_an_answer_tells_the_buyer_by_webhook(buyer: Party, seller: Party) -> None:
    endpoint = buyer.client.post(
        "/api/v1/webhook-endpoints",
        {"url": "https://partner.example/hooks", "events": ["data_request.answered"]},
        format="json",
    )
    assert endpoint.status_code == 201, endpoint.content
    created = posted(buyer)
    offer = answer(seller, created["id"], price=100_000, quantity=1)
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.event_type == "data_request.answered"
    data = delivery.payload["data"]
    assert data["data_request"] == created["id"] and data["id"] == str(offer.id)
    assert (data["seller"], data["buyer"]) == (str(seller.organization.id), str(buyer.organization.id))
    assert (data["status"], data["revision"], data["author"]) == ("open", 1, "seller")
    assert (data["price"], data["quantity"], data["currency"]) == (100_000, 1, "JPY")
    assert data["terms_sha256"] == offer.revisions.get().terms_sha256
    assert DealEvent.objects.filter(data_request_id=created["id"], kind="answered").count() == 1


def test_only_an_open_request_of_another_organisation_takes_an_answer(buyer: Party, seller: Party) -> None:
    both = make_party("Kyoto Mobility", {"buyer", "seller"})
    own = posted(both)
    with transaction.atomic(), pytest.raises(RuleViolation):
        data_request_for_answer(principal=principal(both), data_request_id=own["id"])
    closed = posted(buyer)
    buyer.client.post(f"{URL}/{closed['id']}/close")
    with transaction.atomic(), pytest.raises(Conflict):
        data_request_for_answer(principal=principal(seller), data_request_id=closed["id"])
    answered_then_closed = posted(buyer)
    answer(seller, answered_then_closed["id"])
    buyer.client.post(f"{URL}/{answered_then_closed['id']}/close")
    with transaction.atomic(), pytest.raises(Conflict):
        data_request_for_answer(principal=principal(seller), data_request_id=answered_then_closed["id"])
    unverified = make_party("Unverified Sensors", {"seller"}, verified=False)
    with transaction.atomic(), pytest.raises(NotFound):
        data_request_for_answer(principal=principal(unverified), data_request_id=posted(buyer)["id"])
    with transaction.atomic(), pytest.raises(NotFound):
        data_request_for_answer(principal=principal(seller), data_request_id="00000000-0000-0000-0000-000000000000")


def test_a_list_pages_newest_first(buyer: Party, seller: Party) -> None:
    titles = [posted(buyer, title=f"Request {n}")["title"] for n in range(3)]
    for party in (buyer, seller):
        first = party.client.get(f"{URL}?page_size=2").json()
        second = party.client.get(first["next"]).json()
        assert [r["title"] for r in first["results"] + second["results"]] == titles[::-1]
        assert second["next"] is None
