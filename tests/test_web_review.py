"""The review step before a buyer's order (marketplace/web/orders.py::order_review): the licence, the price, the
consumption tax and the total, the terms' hash; nothing is placed before "Confirm", a stale review is shown again
with what changed, and a buyer whose session ended comes back to the same review after signing in."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from marketplace.models import Offering, Order, Trade
from marketplace.selectors import purchase_quote
from marketplace.services.orders import order_place
from marketplace.tax import EXPORT, OUT_OF_SCOPE, REVERSE_CHARGE, STANDARD
from tests.builders import (
    Party,
    bid_form,
    buy_form,
    hidden_fields,
    make_party,
    offer,
    principal,
    section,
    signed_in,
    subscription_offer,
    text,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def ask(seller: Party, offering: Offering, quantity: int, price: int) -> None:
    order_place(principal=principal(seller), offering_id=offering.id, side="sell", price=price, quantity=quantity)


def review_url(offering: Offering, form: dict[str, Any]) -> str:
    response = Client().get(f"/offerings/{offering.id}/review/", form)  # anonymous: sent to sign in, with next
    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


@pytest.fixture
def offering(seller: Party) -> Offering:
    return offer(seller)


# --- what the review shows ---------------------------------------------------------------------------------


def test_buy_now_shows_the_review_with_tax_and_total_and_places_nothing(seller, buyer, offering) -> None:
    ask(seller, offering, 3, 1000)
    client = signed_in(buyer)
    response = client.get(f"/offerings/{offering.id}/review/", buy_form(offering, price=1000, quantity=2))
    assert response.status_code == 200
    page = text(response)
    review = section(page, "purchase-review")
    assert offering.dataset.title in section(review, "review-dataset")
    assert seller.organization.name in section(review, "review-seller")
    licence = section(review, "review-licence")
    assert "Non-exclusive licence" in licence and "365 days" in licence and "(JP)" in licence
    assert "10 seats in all" in licence
    assert section(review, "review-quantity").endswith(">2") and "¥1,000" in section(review, "review-price")
    assert "¥2,000" in section(review, "review-amount")
    assert "10%: ¥200" in section(review, "review-tax")
    assert "¥2,200" in section(review, "review-total")
    assert offering.terms_sha256 in section(review, "review-terms-sha256")
    confirm = section(page, "confirm-form")
    assert "Confirm and buy" in confirm and 'id="change-link"' in confirm
    assert hidden_fields(confirm)["accepted_terms_sha256"] == offering.terms_sha256
    assert not Order.objects.filter(side="buy").exists(), "the review places nothing"

    placed = client.post(f"/offerings/{offering.id}/orders/", hidden_fields(confirm))
    order = Order.objects.get(organization=buyer.organization)
    assert placed.status_code == 302 and placed["Location"] == f"/orders/{order.id}/"
    assert [(t.price, t.quantity) for t in Trade.objects.filter(buy_order=order)] == [(1000, 2)]


def test_the_review_and_the_quote_compute_the_tax_as_the_tax_rule_does(seller, offering, settings) -> None:
    """One computation, purchase_quote, for each treatment (marketplace/tax.py)."""
    offering.seller.country = "JP"
    cases = [("JP", "JP", STANDARD, 99), ("JP", "US", EXPORT, 0), ("DE", "JP", REVERSE_CHARGE, 0)]
    cases.append(("DE", "US", OUT_OF_SCOPE, 0))
    for seller_country, buyer_country, treatment, tax in cases:
        offering.seller.country = seller_country
        quote = purchase_quote(offering=offering, buyer_country=buyer_country, price=333, quantity=3)
        assert (quote.treatment, quote.amount_excl_tax, quote.tax_amount) == (treatment, 999, tax)
        assert quote.amount_incl_tax == 999 + tax
        assert quote.tax_rate == (Decimal("0.10") if treatment == STANDARD else 0), "99.9 rounded down"
    quote = purchase_quote(offering=offering, buyer_country="JP", price=1, quantity=9)
    assert quote.tax_amount == 0, "0.9 rounded down"


def test_a_buyer_abroad_sees_no_tax_and_why(seller) -> None:
    offering = offer(seller, territory=["JP", "US"])
    ask(seller, offering, 3, 1000)
    american = make_party("New York Analytics", {"buyer"}, country="US")
    for lang, reason in (("en", "an export of services to a buyer outside Japan is zero-rated"), ("ja", "輸出")):
        page = text(
            signed_in(american, lang=lang).get(
                f"/offerings/{offering.id}/review/", buy_form(offering, price=1000, quantity=1)
            )
        )
        tax = section(page, "review-tax")
        assert reason in tax and 'data-treatment="export"' in tax and "%" not in tax
        assert "¥1,000" in section(page, "review-total")


def test_a_bid_reviews_at_most_its_total_and_change_returns_to_the_form(seller, buyer, offering) -> None:
    ask(seller, offering, 3, 1000)
    client = signed_in(buyer)
    when = timezone.localtime() + timedelta(days=2)
    form = bid_form(offering, price=900, quantity=2, time_in_force="gtd", expires_at=when.strftime("%Y-%m-%dT%H:%M"))
    page = text(client.get(f"/offerings/{offering.id}/review/", form))
    assert "Total, at most" in section(page, "purchase-review") and "¥1,980" in section(page, "review-total")
    assert "It may trade lower than your price" in section(page, "review-note")
    assert when.strftime("%Y-%m-%d %H:%M") in section(page, "review-note")
    confirm = section(page, "confirm-form")
    assert "Place bid" in confirm
    assert hidden_fields(confirm)["best_ask"] == "1000"
    change = re.search(r'id="change-link" href="([^"]+)"', confirm)
    assert change is not None
    form_again = text(client.get(change.group(1).replace("&amp;", "&")))
    bid = section(form_again, f"bid-form-{offering.id}")
    assert 'name="price" value="900"' in bid and 'name="quantity" value="2"' in bid and 'value="gtd"' in bid
    assert not Order.objects.filter(side="buy").exists()

    crossing = text(client.get(f"/offerings/{offering.id}/review/", bid_form(offering, price=1100, quantity=1)))
    assert "it trades at once" in section(crossing, "review-note")


def test_a_subscription_is_reviewed_per_period_with_its_term(seller, buyer) -> None:
    offering = subscription_offer(seller, period_days=30, term_periods=12)
    ask(seller, offering, 3, 5000)
    page = text(signed_in(buyer).get(f"/offerings/{offering.id}/review/", buy_form(offering, price=5000, quantity=1)))
    assert "12 periods of 30 days" in section(page, "review-term")
    assert "¥5,000 / 30 days" in section(page, "review-price")
    assert "¥5,500" in section(page, "review-total") and "per period" in section(page, "review-total")
    assert "¥66,000" in section(page, "review-term-total")


# --- nothing unseen, nothing stale -------------------------------------------------------------------------


def test_an_order_posted_without_its_review_is_sent_to_the_review(seller, buyer, offering) -> None:
    ask(seller, offering, 3, 1000)
    client = signed_in(buyer)
    for form in (buy_form(offering, price=1000, quantity=2), bid_form(offering, price=900, quantity=1)):
        response = client.post(f"/offerings/{offering.id}/orders/", form)
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert location.path == f"/offerings/{offering.id}/review/"
        held = parse_qs(location.query)
        assert held["action"] == [form["action"]] and held["quantity"] == [str(form["quantity"])]
        assert 'id="confirm-form"' in text(client.get(response["Location"]))
    assert not Order.objects.filter(side="buy").exists(), "never placed unseen"


def test_terms_changed_since_the_review_are_reviewed_and_accepted_again(seller, buyer, offering) -> None:
    ask(seller, offering, 3, 1000)
    client = signed_in(buyer)
    confirm = hidden_fields(
        section(
            text(client.get(f"/offerings/{offering.id}/review/", buy_form(offering, price=1000, quantity=1))),
            "confirm-form",
        )
    )
    Offering.objects.filter(pk=offering.pk).update(terms_sha256="e" * 64)  # the seller's terms moved meanwhile
    response = client.post(f"/offerings/{offering.id}/orders/", confirm)
    assert response.status_code == 302 and "/review/?" in response["Location"]
    page = text(client.get(response["Location"]))
    assert "The offering&#x27;s terms changed since you accepted them" in section(page, "review-changes")
    again = section(page, "confirm-form")
    assert hidden_fields(again)["accepted_terms_sha256"] == "e" * 64
    assert 'type="checkbox" name="accept_terms"' in again and "required" in again, "accepted again, by a tick"
    assert "e" * 64 in section(page, "review-terms-sha256")
    assert not Order.objects.filter(side="buy").exists()


def test_a_bid_whose_best_ask_moved_is_reviewed_again(seller, buyer, offering) -> None:
    ask(seller, offering, 3, 1000)
    client = signed_in(buyer)
    page = text(client.get(f"/offerings/{offering.id}/review/", bid_form(offering, price=900, quantity=1)))
    confirm = hidden_fields(section(page, "confirm-form"))
    ask(seller, offering, 1, 850)  # a cheaper ask: the bid would now trade at once
    response = client.post(f"/offerings/{offering.id}/orders/", confirm)
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert "The best ask changed from ¥1,000 to ¥850 per seat." in section(page, "review-changes")
    assert "it trades at once" in section(page, "review-note")
    assert not Order.objects.filter(side="buy").exists()
    placed = client.post(f"/offerings/{offering.id}/orders/", hidden_fields(section(page, "confirm-form")))
    assert placed.status_code == 302 and Trade.objects.get().price == 850


def test_buy_now_with_no_ask_left_offers_a_bid_instead(seller, buyer, offering) -> None:
    page = text(signed_in(buyer).get(f"/offerings/{offering.id}/review/", buy_form(offering, price=1000, quantity=1)))
    assert "The best ask of ¥1,000 was taken" in section(page, "review-changes")
    assert 'id="confirm-form"' not in page and 'id="bid-link"' in page


def test_bad_review_links_are_refused_not_failed(seller, buyer, offering) -> None:
    ask(seller, offering, 3, 1000)
    client = signed_in(buyer)
    base = f"/offerings/{offering.id}/review/"
    assert client.get(base, {"action": "sell_into", "price": "1", "quantity": "1"}).status_code == 404
    assert client.get(base, {**buy_form(offering, price=1000, quantity=1), "quantity": "many"}).status_code == 400
    assert (
        client.get(base, {**bid_form(offering, price=900, quantity=1), "accepted_terms_sha256": "x"}).status_code == 400
    )
    assert client.get(base, {**bid_form(offering, price=900, quantity=1), "price": "-5"}).status_code == 400
    assert client.get(f"/offerings/{offering.id}/review/", {"action": "bid"}).status_code == 400
    assert client.get("/offerings/00000000-0000-0000-0000-000000000000/review/", {"action": "bid"}).status_code == 404
    assert not Order.objects.filter(side="buy").exists()


# --- a session that ended mid-purchase ---------------------------------------------------------------------


def test_signing_in_again_returns_to_the_same_review(seller, offering) -> None:
    buyer = make_party("Kyoto Analytics", {"buyer"}, password=PASSWORD)
    ask(seller, offering, 3, 1000)
    form = bid_form(offering, price=900, quantity=2)
    # The session ended on the review: its confirmation is posted signed out.
    signed_out = Client()
    response = signed_out.post(f"/offerings/{offering.id}/orders/", {**form, "reviewed": 1, "best_ask": 1000})
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    target = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    assert target.startswith(f"/offerings/{offering.id}/review/?") and "price=900" in target and "quantity=2" in target
    assert target == review_url(offering, {**form, "best_ask": 1000}), "the form's GET goes to the same review"
    assert not Order.objects.filter(side="buy").exists()

    login = signed_out.get(response["Location"])
    assert f'name="next" value="{target.replace("&", "&amp;")}"' in text(login)
    signed = signed_out.post("/login/", {"username": buyer.email, "password": PASSWORD, "next": target})
    assert signed.status_code == 302 and signed["Location"] == target
    page = text(signed_out.get(target))
    assert "¥1,980" in section(page, "review-total") and 'id="confirm-form"' in page


def test_sign_in_never_returns_to_another_site() -> None:
    buyer = make_party("Kyoto Analytics", {"buyer"}, password=PASSWORD)
    client = Client()
    for elsewhere in ("https://evil.example/offerings/", "//evil.example/review/", "/\\evil.example"):
        signed = client.post("/login/", {"username": buyer.email, "password": PASSWORD, "next": elsewhere})
        assert signed.status_code == 302 and "evil.example" not in signed["Location"]
        client.logout()
