"""An auction in a real headless Chromium (Playwright), against the live server: the seller auctions an exclusive
licence of its dataset from the dataset's page (in Japanese); a buyer finds it under Auctions, bids after accepting
the terms, raises its bid (then in English), and after the close sees that it won at the second price.

As in tests/test_browser_purchase.py, data is only created before the browser acts and read after it (the rival
bids and the close run between two page loads), so letting Django's ORM run beside Playwright's loop is safe.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from deals.models import Auction, AuctionBid
from deals.services.auctions import auction_bid_place, auctions_close_due
from settlement.models import Settlement
from tests.browser import PASSWORD, SCREENSHOTS, confirm_review, published_strain_dataset, sign_in, switch_language
from tests.builders import make_party, principal

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page: Any) -> None:
    with page.expect_navigation():
        page.click("header .account form[action='/logout/'] button")


def test_an_exclusive_licence_auctioned_bid_on_and_won_at_the_second_price(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    rivals = [make_party(name, {"buyer"}) for name in ("Kyoto Insight", "Nagoya Mobility")]
    dataset = published_strain_dataset(seller)
    page = browser_page

    # The seller auctions the dataset from its page; the form starts with an exclusive licence and one seat.
    sign_in(page, seller.email)
    page.goto(f"/datasets/{dataset.id}/")
    page.click("#auction-this-dataset")
    page.wait_for_url(f"**/sell/datasets/{dataset.id}/auction/")
    assert page.input_value("#id_license_type") == "exclusive" and page.input_value("#id_seat_count") == "1"
    page.fill("#id_reserve_price", "100000")
    with page.expect_navigation():
        page.click("#open-auction-button")
    page.wait_for_url("**/auctions/*/")
    assert "オークションを開始しました" in page.inner_text(".messages")
    assert page.inner_text("#auction-status") == "入札受付中"
    auction = Auction.objects.get(dataset=dataset)
    sign_out(page)

    for rival, price in zip(rivals, (150_000, 120_000), strict=True):
        auction_bid_place(
            principal=principal(rival),
            auction_id=auction.id,
            price=price,
            accepted_terms_sha256=auction.offering.terms_sha256,
        )

    # A buyer finds it under Auctions and bids; the browser sends the bid only with the terms accepted.
    sign_in(page, buyer.email)
    page.click("header nav a[href='/auctions/']")
    page.wait_for_url("**/auctions/")
    row = page.locator(f"#auction-{auction.id}")
    assert "¥100,000" in row.inner_text() and "150,000" not in page.content(), "the bids are sealed"
    row.locator(f"a[href='/auctions/{auction.id}/']").click()
    page.wait_for_url(f"**/auctions/{auction.id}/")
    bid = page.locator("#bid-form")
    bid.locator("input[name=price]").fill("130000")
    bid.locator("button[type=submit]").click()
    assert bid.locator("input[name=accept_terms]").evaluate("element => !element.validity.valid")
    bid.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        bid.locator("button[type=submit]").click()
    assert "¥143,000" in confirm_review(page), "the review's total: at most the bid and its consumption tax"
    assert "¥130,000" in page.inner_text("#own-bid")
    page.screenshot(path=SCREENSHOTS / "ichiba-auction-bid-ja.png", full_page=True)

    # In English, it raises its bid.
    switch_language(page)
    bid = page.locator("#bid-form")
    assert bid.locator("button[type=submit]").inner_text() == "Raise my bid"
    bid.locator("input[name=price]").fill("180000")
    bid.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        bid.locator("button[type=submit]").click()
    confirm_review(page)
    assert "¥180,000" in page.inner_text("#own-bid")

    # The closing time passes and the close pass runs: the buyer won, at the best other bid.
    Auction.objects.filter(pk=auction.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert auctions_close_due() == 1
    page.reload()
    outcome = page.inner_text("#own-outcome")
    assert "You won a seat" in outcome and "¥180,000" in outcome and "¥150,000" in outcome
    assert page.inner_text("#clearing-price") == "¥150,000"
    page.screenshot(path=SCREENSHOTS / "ichiba-auction-won-en.png", full_page=True)
    won = AuctionBid.objects.get(auction=auction, bidder=buyer.organization)
    assert won.status == "won" and won.trade is not None
    assert Settlement.objects.get(trade=won.trade).status == "authorized"
