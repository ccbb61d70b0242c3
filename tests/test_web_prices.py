"""Price first, in plain words (Django test client): the catalog's cards and the top of a dataset's and an offering's
page say the best price, the licence and the seats in one phrase with the seller's name; the buy box comes before the
description; the exchange's words stay under "Advanced"; a bid far above the best ask is shown back to be confirmed;
an order's page says the prices it traded at."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.models import Offering, Order, Trade
from marketplace.services.offerings import offering_publish
from marketplace.services.orders import order_place
from tests.builders import (
    Party,
    bid_form,
    offer,
    principal,
    review_and_confirm,
    section,
    signed_in,
    subscription_offer,
    text,
)

pytestmark = pytest.mark.django_db


def ask(seller: Party, offering: Offering, quantity: int | None, price: int) -> Order:
    return order_place(
        principal=principal(seller), offering_id=offering.id, side="sell", price=price, quantity=quantity
    ).order


def plain(markup: str) -> str:
    """The words a reader sees: tags removed, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", markup)).strip()


def shown(page: str, element_id: str) -> str:
    """The words inside the element with this id."""
    markup = section(page, element_id)
    return plain(markup[markup.index(">") + 1 :])


def card(page: str, offering: Offering) -> str:
    """The catalog card of the offering's dataset."""
    start = page.index(f'href="/datasets/{offering.dataset_id}/"')
    return page[page.rindex('<li class="card">', 0, start) : page.index("</li>\n", start)]


# --- the phrase ---------------------------------------------------------------------------------------------------


def test_catalog_cards_say_the_best_price_the_licence_the_seats_and_the_seller(client, seller, other_seller) -> None:
    licence = offer(seller, seats=3, duration_days=365)
    ask(seller, licence, 2, 15000)
    ask(seller, licence, 1, 12000)
    unlimited = offer(other_seller, seats=None, duration_days=90)
    ask(other_seller, unlimited, None, 800)
    feed = subscription_offer(seller, seats=None, period_days=30, term_periods=12)
    ask(seller, feed, 5, 3000)
    unpriced = offer(seller, seats=10, duration_days=30)

    page = text(client.get("/", headers={"accept-language": "en"}))
    assert "¥12,000 / seat · 365-day licence · 3 seats left" in plain(card(page, licence))
    assert "Sold by Kansai Bridge Monitoring" in plain(card(page, licence))
    assert "¥800 / seat · 90-day licence · unlimited seats" in plain(card(page, unlimited))
    assert "Sold by Hokuriku Sensors" in plain(card(page, unlimited))
    assert "¥3,000 / seat / 30 days · 12 periods · unlimited seats" in plain(card(page, feed))
    assert "No asking price yet · 30-day licence · 10 seats left" in plain(card(page, unpriced))
    assert 'title="A seat is one buyer organisation&#x27;s licence' in card(page, licence), "seats are explained"
    assert 'title="Unlimited seats: the seller sells this licence to any number' in card(page, unlimited)

    japanese = text(client.get("/", headers={"accept-language": "ja"}))
    assert "¥12,000 / 席 · 365日間のライセンス · 残り3席" in plain(card(japanese, licence))
    assert "¥3,000 / 席 / 30日 · 12期間 · ライセンス数無制限" in plain(card(japanese, feed))
    assert "販売者: Kansai Bridge Monitoring" in plain(card(japanese, licence))


def test_the_best_price_is_the_cheapest_offering_s_and_sold_out_or_expired_asks_do_not_count(client, seller) -> None:
    sold_out = offer(seller, seats=1, duration_days=365)
    ask(seller, sold_out, 1, 5000)
    Offering.objects.filter(pk=sold_out.pk).update(seats_sold=1)  # every seat sold: its ask prices nothing
    expired = offer(seller, seats=4, duration_days=180)
    cheap = ask(seller, expired, 2, 700)
    ask(seller, expired, 2, 7000)
    past = timezone.now() - timedelta(minutes=1)  # expired, not yet swept
    Order.objects.filter(pk=cheap.pk).update(time_in_force="gtd", expires_at=past)
    page = text(client.get("/", headers={"accept-language": "en"}))
    assert "No asking price yet · 365-day licence · every seat sold" in plain(card(page, sold_out))
    assert "¥7,000 / seat · 180-day licence · 4 seats left" in plain(card(page, expired))

    # A second offering of the same dataset, cheaper: the card shows it, with its own licence and seats.
    second = offering_publish(
        principal=principal(seller),
        dataset_id=expired.dataset_id,
        template_code="meti-data-provision",
        terms={"duration_days": 30},
        license_seats=2,
    )
    ask(seller, second, 1, 6000)
    page = text(client.get("/", headers={"accept-language": "en"}))
    assert "¥6,000 / seat · 30-day licence · 2 seats left" in plain(card(page, expired))


def test_the_catalog_reads_its_prices_in_a_fixed_number_of_queries(client, seller) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/", headers={"accept-language": "en"}).status_code == 200
        return len(captured.captured_queries)

    ask(seller, offer(seller, seats=3), 1, 1000)
    one = queries()
    for price in (2000, 3000, 4000):
        ask(seller, offer(seller, seats=3), 1, price)
    page = text(client.get("/", headers={"accept-language": "en"}))
    assert all(f"¥{price:,} / seat" in plain(page) for price in (1000, 2000, 3000, 4000))
    assert queries() == one


# --- the top of the pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_dataset_page_puts_the_price_and_the_buy_box_before_the_description(seller, buyer, lang: str) -> None:
    offering = offer(seller, seats=3, duration_days=365)
    ask(seller, offering, 2, 12000)
    page = text(signed_in(buyer, lang=lang).get(f"/datasets/{offering.dataset_id}/"))
    bar = shown(page, "buy-bar")
    english = "¥12,000 / seat · 365-day licence · 3 seats left"
    japanese = "¥12,000 / 席 · 365日間のライセンス · 残り3席"
    assert (english if lang == "en" else japanese) in bar
    assert ("Sold by" if lang == "en" else "販売者") in shown(page, "dataset-seller")
    assert page.index('id="buy-bar"') < page.index(f'id="trade-{offering.id}"') < page.index('id="about"')
    assert page.index(f'id="trade-{offering.id}"') < page.index(f'id="market-{offering.id}"'), "the book comes later"
    button = section(page, f"buy-now-form-{offering.id}")
    assert ("Buy now at ¥12,000" if lang == "en" else "¥12,000で今すぐ購入") in plain(button)
    assert page.count(f'id="buy-now-form-{offering.id}"') == 1, "the forms are on the page once"
    assert "{#" not in page and "{%" not in page, "no template comment shows"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_offering_page_puts_the_buy_box_first_and_keeps_the_jargon_under_advanced(seller, buyer, lang) -> None:
    offering = offer(seller, seats=None, duration_days=365)
    ask(seller, offering, None, 12000)
    page = text(signed_in(buyer, lang=lang).get(f"/offerings/{offering.id}/"))
    names = ("buy-bar", f"trade-{offering.id}", f"market-{offering.id}")
    bar_at, box_at, book_at = (page.index(f'id="{name}"') for name in names)
    assert bar_at < box_at < book_at
    assert page.index(f'id="trade-{offering.id}"') < page.index('id="terms-heading"')
    assert "{#" not in page and "{%" not in page, "no template comment shows"
    box = section(page, f"trade-{offering.id}")
    explained = "any number of buyer organisations" if lang == "en" else "何社でも"
    assert explained in plain(box), "unlimited seats are explained where they appear"
    bid = section(page, f"bid-form-{offering.id}")
    advanced = bid[bid.index('<details class="advanced"') :]
    before = bid[: bid.index('<details class="advanced"')]
    for jargon in ("GTC", "IOC", "FOK", "板", "約定"):
        assert jargon not in plain(before), jargon
    for jargon in ("GTC", "IOC", "FOK"):
        assert jargon in plain(advanced), jargon
    if lang == "ja":
        assert "板" in plain(advanced)
        assert "もっと安い価格を提示" in plain(box)
    else:
        assert "Offer a lower price" in plain(box) and "Valid until" in plain(bid)
    assert 'value="gtd"' in bid and re.search(r'value="gtd"[^>]*checked', bid), "valid until a date by default"


def test_the_advanced_times_in_force_reach_the_order(seller, buyer) -> None:
    offering = offer(seller, seats=10)
    ask(seller, offering, 1, 1000)
    client = signed_in(buyer)
    fok = review_and_confirm(client, offering, bid_form(offering, price=1000, quantity=2, time_in_force="fok"))
    assert fok.status_code == 302
    order = Order.objects.get(side="buy")
    assert (order.time_in_force, order.status, order.filled_quantity) == ("fok", "cancelled", 0), "all or nothing"
    ioc = review_and_confirm(client, offering, bid_form(offering, price=1000, quantity=2, time_in_force="ioc"))
    assert ioc.status_code == 302
    order = Order.objects.get(side="buy", time_in_force="ioc")
    assert (order.status, order.filled_quantity, order.cancelled_quantity) == ("cancelled", 1, 1), "the rest cancelled"
    default = review_and_confirm(client, offering, {**bid_form(offering, price=900, quantity=1), "time_in_force": ""})
    assert default.status_code == 400 and "Enter until when your offer is valid." in text(default)


# --- the fat-finger guard -------------------------------------------------------------------------------------------


def test_a_bid_far_above_the_best_ask_is_shown_back_to_confirm(seller, buyer) -> None:
    offering = offer(seller, seats=10)
    ask(seller, offering, 5, 1500)
    client = signed_in(buyer)

    response = review_and_confirm(client, offering, bid_form(offering, price=15000, quantity=1))
    assert response.status_code == 200
    warning = plain(section(text(response), f"far-above-{offering.id}"))
    assert "Your price, ¥15,000 per seat, is more than 1.5 times the lowest price offered, ¥1,500." in warning
    assert "Yes, bid ¥15,000" in warning
    assert 'name="confirm_price" value="15000"' in text(response)
    assert 'name="price" value="15000"' in text(response), "the form keeps what was typed"
    assert not Order.objects.filter(side="buy").exists(), "nothing is placed before the buyer confirms"

    changed = review_and_confirm(client, offering, bid_form(offering, price=16000, quantity=1, confirm_price=15000))
    assert changed.status_code == 200 and "Yes, bid ¥16,000" in plain(text(changed)), "a confirmation is of one price"
    assert not Order.objects.filter(side="buy").exists()

    confirmed = review_and_confirm(client, offering, bid_form(offering, price=15000, quantity=1, confirm_price=15000))
    assert confirmed.status_code == 302
    order = Order.objects.get(side="buy")
    assert (order.price, order.filled_quantity) == (15000, 1)
    assert Trade.objects.get(buy_order=order).price == 1500, "it bought at the seller's price"


def test_the_guard_flags_only_above_the_ratio_and_only_with_an_ask(seller, buyer, settings) -> None:
    offering = offer(seller, seats=10)
    client = signed_in(buyer)
    no_ask = review_and_confirm(client, offering, bid_form(offering, price=99000, quantity=1))
    assert no_ask.status_code == 302, "with no ask to compare, nothing is flagged"
    Order.objects.filter(side="buy").update(status="cancelled")

    ask(seller, offering, 5, 1000)
    at_ratio = review_and_confirm(client, offering, bid_form(offering, price=1500, quantity=1))
    assert at_ratio.status_code == 302, "1.5 times the best ask is not more than 1.5 times"

    settings.ICHIBA = {**settings.ICHIBA, "FAT_FINGER_RATIO": "3"}
    assert review_and_confirm(client, offering, bid_form(offering, price=2900, quantity=1)).status_code == 302
    flagged = review_and_confirm(client, offering, bid_form(offering, price=3100, quantity=1))
    assert flagged.status_code == 200 and "more than 3 times" in plain(text(flagged))


def test_the_guard_speaks_japanese_and_the_api_is_not_guarded(seller, buyer) -> None:
    offering = offer(seller, seats=10)
    ask(seller, offering, 5, 1000)
    response = review_and_confirm(signed_in(buyer, lang="ja"), offering, bid_form(offering, price=10000, quantity=1))
    assert response.status_code == 200
    warning = plain(section(text(response), f"far-above-{offering.id}"))
    assert "¥10,000で買い注文を出します" in warning and "¥1,000" in warning

    api = buyer.client.post(
        "/api/v1/orders",
        {
            "offering": str(offering.id),
            "side": "buy",
            "price": 10000,
            "quantity": 1,
            "accepted_terms_sha256": offering.terms_sha256,
        },
        format="json",
    )
    assert api.status_code == 201, api.content
    assert api.json()["trades"][0]["price"] == 1000


# --- what an order traded at ----------------------------------------------------------------------------------------


def test_an_order_page_says_the_prices_it_traded_at_and_their_average(seller, buyer) -> None:
    offering = offer(seller, seats=10)
    ask(seller, offering, 1, 1000)
    ask(seller, offering, 2, 1100)
    client = signed_in(buyer)
    response = review_and_confirm(client, offering, bid_form(offering, price=1200, quantity=4, time_in_force="gtc"))
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    facts = shown(page, "order-traded-at")
    assert "¥1,000 to ¥1,100" in facts and "¥1,067 per seat on average" in facts  # (1,000 + 2 x 1,100) / 3
    assert "Traded at ¥1,000 to ¥1,100 per seat, ¥1,067 on average." in shown(page, "order-outcome")
    assert "¥1,200" in shown(page, "order-limit"), "the limit is still shown, as the buyer's highest price"

    japanese = text(signed_in(buyer, lang="ja").get(response["Location"]))
    assert "平均" in shown(japanese, "order-traded-at")


def test_an_order_traded_at_one_price_says_it_once(seller, buyer) -> None:
    offering = offer(seller, seats=10)
    ask(seller, offering, 3, 1000)
    client = signed_in(buyer)
    response = review_and_confirm(client, offering, bid_form(offering, price=1400, quantity=2))
    page = text(client.get(response["Location"]))
    assert shown(page, "order-traded-at") == "¥1,000"
    assert "Traded at ¥1,000 per seat." in shown(page, "order-outcome")


def test_an_order_that_did_not_trade_says_so(buyer, seller) -> None:
    offering = offer(seller, seats=10)
    client = signed_in(buyer)
    response = review_and_confirm(client, offering, bid_form(offering, price=900, quantity=1))
    page = text(client.get(response["Location"]))
    assert shown(page, "order-traded-at") == "—"
    assert "order-traded-summary" not in page
