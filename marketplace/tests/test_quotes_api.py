"""The quote of a purchase (docs/api.md#quotes) and the tax of what a buy order traded: the same figures as the
web's review step (marketplace.selectors.purchase_quote), problem details for bad input."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import Offering, Order
from marketplace.selectors import traded_tax
from marketplace.services.orders import order_place
from tests.builders import make_party, offer, place, principal, published_offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering(seller, django_capture_on_commit_callbacks) -> dict[str, Any]:
    return published_offering(seller, django_capture_on_commit_callbacks)


def quote(party: Any, offering_id: Any, **body: Any) -> Any:
    return party.client.post(f"/api/v1/offerings/{offering_id}/quote", {"side": "buy", **body}, format="json")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_a_quote_at_the_best_ask_carries_the_tax_and_the_terms(seller, buyer, offering) -> None:
    place(seller, offering, "sell", 5, 1200)
    place(seller, offering, "sell", 5, 999)
    response = quote(buyer, offering["id"], quantity=3)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["price"], body["price_source"], body["best_ask"], body["quantity"]) == (999, "best_ask", 999, 3)
    assert (body["amount_excl_tax"], body["tax_rate"], body["tax_amount"]) == (2997, "0.1000", 299)
    assert (body["amount_incl_tax"], body["tax_treatment"], body["currency"]) == (3296, "standard", "JPY")
    assert body["terms_sha256"] == offering["terms_sha256"]
    assert body["seller"]["name"] == seller.organization.name and body["dataset"]["title"] == "Gauges"
    assert body["licence"]["license_type"] == "non_exclusive" and body["licence"]["territory"] == ["JP"]
    assert body["licence"]["summary"] == "non-exclusive, 365 days, JP, 10 seats"
    assert (body["per_period"], body["term_periods"], body["term_amount_incl_tax"]) == (False, None, None)
    assert not Order.objects.filter(side="buy").exists(), "a quote places nothing"


def test_a_quote_of_a_bid_and_for_a_buyer_abroad(seller, buyer) -> None:
    offering = offer(seller, territory=["JP", "US"])
    response = quote(buyer, offering.id, quantity=2, price=500)
    assert response.status_code == 200
    body = response.json()
    assert (body["price_source"], body["best_ask"], body["amount_incl_tax"], body["at_most"]) == (
        "limit",
        None,
        1100,
        True,
    )
    american = make_party("New York Analytics", {"buyer"}, country="US")
    body = quote(american, offering.id, quantity=2, price=500).json()
    assert (body["tax_treatment"], body["tax_rate"], body["tax_amount"], body["amount_incl_tax"]) == (
        "export",
        "0.0000",
        0,
        1000,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": "two"}, "quantity"),
        ({}, "quantity"),
        ({"quantity": 1, "price": -1}, "price"),
        ({"quantity": 1, "price": 10**12 + 1}, "price"),
        ({"quantity": 100_001}, "quantity"),
        ({"quantity": 1, "side": "sell"}, "side"),
        ({"quantity": 1, "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_problem_document(buyer, offering, body: dict[str, Any], field: str) -> None:
    document = problem(quote(buyer, offering["id"], **body), 400)
    assert field in document["errors"]


def test_what_cannot_be_quoted_says_why(seller, buyer, anonymous, offering) -> None:
    assert problem(quote(buyer, offering["id"], quantity=1), 409)["errors"] == {"price": ["no ask to buy at"]}
    assert problem(quote(buyer, "not-an-id", quantity=1), 404)
    assert problem(quote(buyer, "00000000-0000-0000-0000-000000000000", quantity=1), 404)
    Offering.objects.filter(pk=offering["id"]).update(status="withdrawn")
    assert problem(quote(buyer, offering["id"], quantity=1, price=100), 409)["errors"] == {"offering": ["withdrawn"]}
    refused = anonymous.post(f"/api/v1/offerings/{offering['id']}/quote", {"side": "buy", "quantity": 1}, format="json")
    assert refused.status_code == 401 and refused["Content-Type"] == "application/problem+json"


def test_a_buy_orders_response_carries_the_tax_of_what_it_traded(seller, buyer, offering) -> None:
    place(seller, offering, "sell", 1, 999)
    place(seller, offering, "sell", 1, 999)  # two trades, two settlements: each rounded on its own
    body = place(buyer, offering, "buy", 2, 999).json()
    assert len(body["trades"]) == 2
    assert (body["amount_excl_tax"], body["tax_rate"], body["tax_amount"]) == (1998, "0.1000", 198)
    assert (body["amount_incl_tax"], body["tax_treatment"]) == (2196, "standard")

    resting = place(buyer, offering, "buy", 1, 500).json()
    assert resting["trades"] == [] and resting["amount_incl_tax"] is None and resting["tax_treatment"] is None
    sold = place(seller, offering, "sell", 1, 500).json()
    assert sold["trades"] and sold["amount_incl_tax"] is None, "a sell order's tax is each buyer's settlement"


def test_the_tax_of_what_traded_reads_nothing_more(seller, buyer, offering) -> None:
    """No query per trade, nor any: the matching's trades carry the offering and its seller, read under its lock."""
    for _ in range(3):
        place(seller, offering, "sell", 1, 700)
    placed = order_place(
        principal=principal(buyer),
        offering_id=uuid.UUID(offering["id"]),
        side="buy",
        price=700,
        quantity=3,
        accepted_terms_sha256=offering["terms_sha256"],
    )
    with CaptureQueriesContext(connection) as queries:
        tax = traded_tax(placed.trades, buyer_country="JP")
    assert queries.captured_queries == []
    assert tax is not None and (tax.amount_excl_tax, tax.tax_amount) == (2100, 210)
