"""The order book's pages as people use them (Django test client): the book and the tape as charts and
tables, buying now, bidding, My orders and cancelling, the seller selling into bids, and who is refused."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from contracts.models import Contract
from marketplace.models import Offering, Order, Trade
from marketplace.services.orders import order_place
from tests.builders import (
    Party,
    bid_form,
    make_party,
    offer,
    principal,
    review_and_confirm,
    section,
    signed_in,
    text,
)

pytestmark = pytest.mark.django_db


# --- helpers -------------------------------------------------------------------------------------------


def ask(seller: Party, offering: Offering, quantity: int | None, price: int) -> Order:
    placed = order_place(
        principal=principal(seller), offering_id=offering.id, side="sell", price=price, quantity=quantity
    )
    return placed.order


def bid(buyer: Party, offering: Offering, quantity: int, price: int) -> Order:
    return order_place(
        principal=principal(buyer),
        offering_id=offering.id,
        side="buy",
        price=price,
        quantity=quantity,
        accepted_terms_sha256=offering.terms_sha256,
    ).order


def buy_now(offering: Offering, *, price: int, quantity: int, accept: bool = True, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "action": "buy_now",
        "price": price,
        "quantity": quantity,
        "accepted_terms_sha256": offering.terms_sha256,
        **extra,
    }
    if accept:
        data["accept_terms"] = "on"
    return data


def levels(chart: str) -> set[tuple[str, int, str]]:
    """(side, price, seats) of each level marked on a depth chart."""
    found = re.findall(r'data-side="(\w+)" data-price="(\d+)" data-seats="(\w+)"', chart)
    return {(side, int(price), seats) for side, price, seats in found}


@pytest.fixture
def offering(seller: Party) -> Offering:
    return offer(seller)


# --- the book and the tape ---------------------------------------------------------------------------------


def test_book_and_trades_render_as_charts_and_tables(client, seller, buyer, offering) -> None:
    ask(seller, offering, 3, 1000)
    ask(seller, offering, 2, 1200)
    ask(seller, offering, 1, 1200)
    bid(buyer, offering, 2, 900)
    bid(buyer, offering, 1, 800)
    bid(buyer, offering, 1, 1000)  # trades one seat at 1000

    for url in (f"/offerings/{offering.id}/", f"/datasets/{offering.dataset_id}/"):
        page = text(client.get(url, headers={"accept-language": "en"}))
        depth = section(page, f"depth-chart-{offering.id}")
        assert f'<svg class="chart depth-chart" id="depth-chart-{offering.id}"' in page
        assert levels(depth) == {("bid", 900, "2"), ("bid", 800, "1"), ("ask", 1000, "2"), ("ask", 1200, "3")}
        assert '<polyline class="line bid"' in depth and '<polyline class="line ask"' in depth
        assert "¥1,000" in depth, "prices on the x-axis in yen"

        bids = section(page, f"bids-{offering.id}")
        assert re.findall(r'data-price="(\d+)"', bids) == ["900", "800"], "best bid first"
        asks = section(page, f"asks-{offering.id}")
        assert re.findall(r'data-price="(\d+)"', asks) == ["1000", "1200"], "best ask first"
        assert re.search(r"¥1,200</td>\s*<td class=\"num seats\">3</td>\s*<td class=\"num\">2</td>", asks), "two orders"

        prices = section(page, f"price-chart-{offering.id}")
        assert re.findall(r'class="trade-point"[^>]*data-price="(\d+)" data-seats="(\d+)"', prices) == [("1000", "1")]
        tape = section(page, f"tape-{offering.id}")
        assert tape.count('class="trade"') == 1 and "¥1,000" in tape
        assert buyer.organization.name not in page, "the book and the tape are anonymous"


def test_an_empty_book_says_so(client, offering) -> None:
    page = text(client.get(f"/offerings/{offering.id}/", headers={"accept-language": "en"}))
    assert "No orders rest on the book yet." in page and "No trades yet." in page
    assert "depth-chart" not in page


def test_the_tape_lists_the_last_twenty_trades(client, seller, buyer, offering) -> None:
    offering.license_seats = 30
    offering.save(update_fields=["license_seats"])
    ask(seller, offering, 25, 500)
    for _ in range(22):
        bid(buyer, offering, 1, 500)
    page = text(client.get(f"/offerings/{offering.id}/"))
    assert section(page, f"tape-{offering.id}").count('class="trade"') == 20
    assert section(page, f"price-chart-{offering.id}").count('class="trade-point"') == 22


def test_unlimited_asks_show_as_unlimited_in_both_languages(client, seller) -> None:
    offering = offer(seller, seats=None)
    ask(seller, offering, None, 3000)
    ask(seller, offering, 5, 2000)
    english = text(client.get(f"/offerings/{offering.id}/", headers={"accept-language": "en"}))
    assert levels(section(english, f"depth-chart-{offering.id}")) == {("ask", 2000, "5"), ("ask", 3000, "unlimited")}
    asks = section(english, f"asks-{offering.id}")
    assert re.search(r"¥3,000</td>\s*<td class=\"num seats\">unlimited</td>", asks)
    japanese = text(client.get(f"/offerings/{offering.id}/", headers={"accept-language": "ja"}))
    assert re.search(r"¥3,000</td>\s*<td class=\"num seats\">無制限</td>", section(japanese, f"asks-{offering.id}"))


# --- buying ------------------------------------------------------------------------------------------------


def test_buyer_sees_buy_now_at_the_best_ask_with_the_terms_to_accept(seller, buyer, offering) -> None:
    ask(seller, offering, 2, 1500)
    ask(seller, offering, 4, 1000)
    page = text(signed_in(buyer).get(f"/offerings/{offering.id}/"))
    form = section(page, f"buy-now-form-{offering.id}")
    assert 'name="price" value="1000"' in form and "¥1,000" in form
    assert f'name="accepted_terms_sha256" value="{offering.terms_sha256}"' in form
    assert f">{offering.terms_sha256}</code>" in form, "the hash is shown"
    assert f'href="/offerings/{offering.id}/#terms-heading"' in form
    assert re.search(r'<input type="checkbox" name="accept_terms" required', form)
    assert "I have read and accept these terms" in form
    assert f">{offering.terms_sha256}</code>" in section(page, f"bid-form-{offering.id}")


def test_anonymised_data_asks_to_accept_the_appi_notice_too(seller, buyer) -> None:
    offering = offer(seller, data_class="anonymized")
    ask(seller, offering, 1, 1000)
    page = text(signed_in(buyer).get(f"/offerings/{offering.id}/"))
    form = section(page, f"buy-now-form-{offering.id}")
    assert "the APPI notice and the re-identification ban" in form
    assert f'href="/datasets/{offering.dataset_id}/#appi"' in form


def test_buy_now_creates_a_trade_and_links_to_its_contract(seller, buyer, offering) -> None:
    ask(seller, offering, 3, 1000)
    client = signed_in(buyer)
    response = review_and_confirm(client, offering, buy_now(offering, price=1000, quantity=2))
    order = Order.objects.get(organization=buyer.organization)
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.id}/"
    assert (order.type, order.time_in_force, order.price, order.status) == ("limit", "ioc", 1000, "filled")
    trade = Trade.objects.get(buy_order=order)
    assert trade.contract_id is not None

    page = text(client.get(response["Location"]))
    assert "2 seats traded." in page, "the result is announced"
    assert '<li class="success">' in page
    assert 'href="/purchases/" id="order-purchases-link"' in page, "where the purchase and its download are followed"
    assert f'href="/contracts/{trade.contract_id}/"' in section(page, "order-trades")
    assert "¥2,000" in page
    contract = client.get(f"/contracts/{trade.contract_id}/")
    assert contract.status_code == 200
    assert Contract.objects.get(pk=trade.contract_id).buyer_id == buyer.organization.id


def test_buy_now_never_pays_more_than_the_price_shown(seller, buyer, offering) -> None:
    ask(seller, offering, 1, 1000)
    dearer = ask(seller, offering, 5, 1500)
    response = review_and_confirm(signed_in(buyer), offering, buy_now(offering, price=1000, quantity=3))
    assert response.status_code == 302
    order = Order.objects.get(organization=buyer.organization)
    assert [t.price for t in Trade.objects.filter(buy_order=order)] == [1000]
    assert (order.filled_quantity, order.cancelled_quantity, order.status) == (1, 2, "cancelled")
    dearer.refresh_from_db()
    assert dearer.filled_quantity == 0, "the dearer ask is not taken"
    page = text(signed_in(buyer).get(response["Location"]))
    assert "2 seats could not be filled and were cancelled." in page


def test_buy_now_after_the_ask_was_taken_is_reviewed_again_or_trades_nothing(seller, buyer, offering) -> None:
    ask(seller, offering, 1, 1300)  # the review showed an ask at 1000 that someone else has taken since
    client = signed_in(buyer)
    confirmed = buy_now(offering, price=1000, quantity=1, best_ask=1000, reviewed=1)
    response = client.post(f"/offerings/{offering.id}/orders/", confirmed)
    assert response.status_code == 302 and response["Location"].startswith(f"/offerings/{offering.id}/review/?")
    review = text(client.get(response["Location"]))
    assert "The best ask changed from ¥1,000 to ¥1,300 per seat." in section(review, "review-changes")
    assert 'name="price" value="1300"' in section(review, "confirm-form"), "the confirmation buys at the new ask"
    assert not Order.objects.filter(side="buy").exists()

    # Taken between the review's check and the matching: the order is a limit at the price reviewed, and trades
    # nothing rather than more.
    raced = client.post(f"/offerings/{offering.id}/orders/", {**confirmed, "best_ask": 1300})
    assert raced.status_code == 302
    assert not Trade.objects.exists()
    page = text(client.get(raced["Location"]))
    assert '<li class="warning">The order did not trade.</li>' in page, "not announced as a success"
    assert "Nothing was traded and nothing rests on the book." in page
    assert "No seats were available at ¥1,000 or better any more." in page


def test_the_terms_checkbox_is_required(seller, buyer, offering) -> None:
    ask(seller, offering, 3, 1000)
    response = signed_in(buyer).post(
        f"/offerings/{offering.id}/orders/", buy_now(offering, price=1000, quantity=2, accept=False)
    )
    assert response.status_code == 400
    page = text(response)
    assert "Tick the box to accept the terms before you buy." in page
    assert 'name="quantity" value="2"' in page, "the form keeps what was typed"
    assert not Order.objects.filter(side="buy").exists()


def test_a_refusal_shows_the_problem_and_keeps_the_form(seller, buyer, offering) -> None:
    ask(seller, offering, 3, 1000)
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    form = bid_form(offering, price=950, quantity=2, time_in_force="gtd", expires_at=past)
    response = review_and_confirm(signed_in(buyer), offering, form)
    assert response.status_code in (400, 422)
    page = text(response)
    assert "The order is not valid." in page
    assert "The expiry must be in the future." in page
    assert 'name="price" value="950"' in page and 'name="quantity" value="2"' in page
    assert not Order.objects.filter(side="buy").exists()


# --- bidding, My orders, cancelling ------------------------------------------------------------------------


def test_a_bid_rests_appears_in_my_orders_and_is_cancelled(seller, buyer, offering) -> None:
    ask(seller, offering, 3, 1000)
    client = signed_in(buyer)
    response = review_and_confirm(client, offering, bid_form(offering, price=900, quantity=2))
    order = Order.objects.get(organization=buyer.organization)
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.id}/"
    assert order.status == "open"
    result = text(client.get(response["Location"]))
    assert "The order rests on the book." in result
    assert "2 seats rest on the book at ¥900." in result

    assert 'href="/orders/"' in text(client.get("/")), "My orders is in the navigation"
    mine = text(client.get("/orders/"))
    row = section(mine, f"order-{order.id}")
    assert f'href="/offerings/{offering.id}/"' in row and "¥900" in row and "Open" in row
    assert f'action="/orders/{order.id}/cancel/"' in row
    assert f"order-{order.id}" not in text(client.get("/orders/?status=filled"))

    cancelled = client.post(f"/orders/{order.id}/cancel/", {"next": "/orders/?status=open"})
    assert cancelled.status_code == 302 and cancelled["Location"] == "/orders/?status=open"
    order.refresh_from_db()
    assert (order.status, order.cancelled_quantity) == ("cancelled", 2)
    page = text(client.get("/orders/?status=cancelled", follow=True))
    row = section(page, f"order-{order.id}")
    assert "Cancelled" in row and "cancel/" not in row, "nothing left to cancel"
    book = section(text(client.get(f"/offerings/{offering.id}/")), f"depth-chart-{offering.id}")
    assert levels(book) == {("ask", 1000, "3")}, "the bid left the book"


def test_cancelling_twice_says_why_and_nobody_else_can_cancel(seller, buyer, offering) -> None:
    order = bid(buyer, offering, 1, 900)
    outsider = make_party("Kyoto Research", {"buyer"})
    assert signed_in(outsider).post(f"/orders/{order.id}/cancel/").status_code == 404
    assert signed_in(outsider).get(f"/orders/{order.id}/").status_code == 404
    client = signed_in(buyer)
    client.post(f"/orders/{order.id}/cancel/")
    page = text(client.post(f"/orders/{order.id}/cancel/", follow=True))
    assert "The order is already cancelled; nothing is left to cancel." in page
    assert client.get(f"/orders/{order.id}/cancel/").status_code == 405


def test_a_good_till_date_bid_needs_its_expiry(seller, buyer, offering) -> None:
    client = signed_in(buyer)
    missing = client.post(
        f"/offerings/{offering.id}/orders/", bid_form(offering, price=900, quantity=1, time_in_force="gtd")
    )
    assert missing.status_code == 400 and "Enter until when your offer is valid." in text(missing)
    when = timezone.localtime() + timedelta(days=2)
    response = review_and_confirm(
        client,
        offering,
        bid_form(offering, price=900, quantity=1, time_in_force="gtd", expires_at=when.strftime("%Y-%m-%dT%H:%M")),
    )
    assert response.status_code == 302
    order = Order.objects.get(organization=buyer.organization)
    assert order.time_in_force == "gtd" and order.expires_at is not None
    assert abs((order.expires_at - when).total_seconds()) < 60


def test_my_orders_needs_a_member(client) -> None:
    response = client.get("/orders/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert 'href="/orders/"' not in text(client.get("/"))


# --- the seller ----------------------------------------------------------------------------------------------


def test_seller_sees_the_bids_and_sells_into_one(seller, buyer, offering) -> None:
    resting = bid(buyer, offering, 3, 900)
    bid(buyer, offering, 1, 700)
    client = signed_in(seller)
    page = text(client.get(f"/offerings/{offering.id}/"))
    bids = section(page, f"bids-to-sell-{offering.id}")
    assert re.findall(r'<form[^>]*class="order-form sell-into-form" data-price="(\d+)"', bids) == ["900", "700"]
    assert "Sell into this bid" in bids and buyer.organization.name not in page
    assert f"buy-now-form-{offering.id}" not in page, "a seller does not buy its own offering"

    response = client.post(f"/offerings/{offering.id}/orders/", {"action": "sell_into", "price": 900, "quantity": 2})
    assert response.status_code == 302
    sell = Order.objects.get(organization=seller.organization)
    assert (sell.side, sell.type, sell.time_in_force) == ("sell", "limit", "ioc")
    assert (sell.price, sell.status) == (900, "filled")
    trade = Trade.objects.get(sell_order=sell)
    assert (trade.price, trade.quantity, trade.buy_order_id) == (900, 2, resting.id)
    result = text(client.get(response["Location"]))
    assert f'href="/contracts/{trade.contract_id}/"' in result
    resting.refresh_from_db()
    assert (resting.status, resting.remaining_quantity) == ("partially_filled", 1)


def test_seller_places_an_ask_and_unlimited_only_with_unlimited_seats(seller, offering) -> None:
    client = signed_in(seller)
    page = text(client.get(f"/offerings/{offering.id}/"))
    assert f"ask-form-{offering.id}" in page and 'name="unlimited"' not in section(page, f"ask-form-{offering.id}")
    missing = client.post(f"/offerings/{offering.id}/orders/", {"action": "ask", "price": 1000})
    assert missing.status_code == 400 and "Enter a number of seats." in text(missing)
    placed = client.post(f"/offerings/{offering.id}/orders/", {"action": "ask", "price": 1000, "quantity": 4})
    assert placed.status_code == 302
    assert Order.objects.get(organization=seller.organization).remaining_quantity == 4

    unlimited = offer(seller, seats=None)
    page = text(client.get(f"/offerings/{unlimited.id}/"))
    assert 'name="unlimited"' in section(page, f"ask-form-{unlimited.id}")
    response = client.post(f"/offerings/{unlimited.id}/orders/", {"action": "ask", "price": 800, "unlimited": "on"})
    assert response.status_code == 302
    assert Order.objects.get(offering=unlimited).quantity is None
    english = client.get(response["Location"], headers={"accept-language": "en"})
    assert english.status_code == 200, "the unlimited ask's own page"
    assert "Unlimited seats rest on the book at ¥800" in text(english)
    japanese = signed_in(seller, lang="ja").get(response["Location"])
    assert japanese.status_code == 200 and "無制限" in text(japanese)


# --- who may trade -------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_asked_to_sign_in(client, seller, offering) -> None:
    ask(seller, offering, 1, 1000)
    page = text(client.get(f"/offerings/{offering.id}/", headers={"accept-language": "en"}))
    assert "Sign in to buy" in section(page, f"trade-{offering.id}")
    assert "buy-now-form" not in page
    response = client.post(f"/offerings/{offering.id}/orders/", buy_now(offering, price=1000, quantity=1))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Order.objects.filter(side="buy").exists()


def test_unverified_and_non_buyers_get_a_clear_refusal(seller, other_seller, offering) -> None:
    ask(seller, offering, 1, 1000)
    unverified = make_party("Unverified Buyer", {"buyer"}, verified=False)
    client = signed_in(unverified)
    panel = section(text(client.get(f"/offerings/{offering.id}/")), f"trade-{offering.id}")
    assert "has not been verified by the market operator yet" in panel and "buy-now-form" not in panel
    refused = review_and_confirm(client, offering, buy_now(offering, price=1000, quantity=1))
    assert refused.status_code == 403, "the review refuses too, with the reason"
    assert "has not been verified by the market operator yet" in text(refused)
    assert 'id="confirm-form"' not in text(refused)
    assert "has not been verified" in text(client.get("/orders/"))

    panel = section(text(signed_in(other_seller).get(f"/offerings/{offering.id}/")), f"trade-{offering.id}")
    assert "does not have the buyer role" in panel and "buy-now-form" not in panel
    foreign = make_party("Berlin Buyer", {"buyer"}, country="DE")
    panel = section(text(signed_in(foreign).get(f"/offerings/{offering.id}/")), f"trade-{offering.id}")
    assert "may be used only in JP" in panel and "registered in DE" in panel
    assert not Order.objects.filter(side="buy").exists()


def test_a_withdrawn_offering_takes_no_orders(client, seller, buyer, offering) -> None:
    Offering.objects.filter(pk=offering.pk).update(status="withdrawn")
    panel = section(text(signed_in(buyer).get(f"/offerings/{offering.id}/")), f"trade-{offering.id}")
    assert "This offering has been withdrawn: its book accepts no orders." in panel


# --- languages -----------------------------------------------------------------------------------------------


def test_the_language_switch_shows_the_book_and_forms_in_japanese(seller, buyer, offering) -> None:
    ask(seller, offering, 2, 1000)
    client = signed_in(buyer)
    english = text(client.get(f"/offerings/{offering.id}/"))
    assert "Buy now" in english and "Order book" in english
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    japanese = text(client.get(f"/offerings/{offering.id}/"))
    phrases = ["今すぐ購入", "板情報", "約定履歴", "もっと安い価格を提示する", "この契約条件を読み、同意します"]
    phrases.append("注文一覧")
    for phrase in phrases:
        assert phrase in japanese, phrase
    assert "Buy now" not in japanese
    orders = text(client.get("/orders/"))
    assert "注文一覧" in orders


def test_my_orders_pages_newest_first_and_keeps_the_filter(buyer, offering) -> None:
    for price in range(901, 952):  # 51 resting bids: one more than a page
        bid(buyer, offering, 1, price)
    client = signed_in(buyer)
    first = text(client.get("/orders/?status=open"))
    assert "Page 1 of 2" in first and 'href="?status=open&amp;page=2"' in first and "Newer" not in first
    second = text(client.get("/orders/?status=open&page=2"))
    assert "Page 2 of 2" in second and 'href="?status=open&amp;page=1"' in second and "Older" not in second
