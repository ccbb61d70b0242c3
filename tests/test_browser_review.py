"""The review step in a real headless Chromium on a 390 px phone, in Japanese: buy now opens the review (price,
consumption tax, total, the terms' hash), "変更" goes back to the form with its values, confirming buys, and the
purchase shows up in My purchases; a buyer signed out on the review comes back to it after signing in.

As in tests/test_browser_purchase.py, data is created before the browser acts and read after it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from marketplace.models import Order
from settlement.models import Settlement
from tests.browser import PASSWORD, SCREENSHOTS, offering_with_asks, sideways_overflow, sign_in
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_buy_now_is_reviewed_then_confirmed_on_a_phone_in_japanese(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    offering = offering_with_asks(seller)
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, buyer.email)
    page.goto(f"/offerings/{offering.id}/")

    buy = page.locator(f"#buy-now-form-{offering.id}")
    buy.locator("input[name=quantity]").fill("2")
    buy.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        buy.locator("button[type=submit]").click()
    page.wait_for_url(f"**/offerings/{offering.id}/review/?*")
    assert page.inner_text("h1") == "購入内容の確認"
    assert "¥12,000" in page.inner_text("#review-price") and page.inner_text("#review-quantity") == "2"
    assert page.inner_text("#review-amount") == "¥24,000"
    assert page.inner_text("#review-tax") == "10%：¥2,400"
    assert "¥26,400" in page.inner_text("#review-total")
    assert page.inner_text("#review-terms-sha256") == offering.terms_sha256
    assert "Kansai Bridge Monitoring" in page.inner_text("#review-seller")
    assert not sideways_overflow(page, "review-1")
    page.screenshot(path=SCREENSHOTS / "ichiba-review-ja-390.png", full_page=True)
    assert not Order.objects.filter(side="buy").exists(), "nothing is placed before the confirmation"

    # 変更: back to the form, with the seats typed.
    with page.expect_navigation():
        page.click("#change-link")
    ticket = page.locator(f"#buy-now-form-{offering.id}")
    assert ticket.locator("input[name=quantity]").input_value() == "2"
    ticket.locator("input[name=quantity]").fill("3")
    ticket.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        ticket.locator("button[type=submit]").click()
    assert "¥39,600" in page.inner_text("#review-total")

    with page.expect_navigation():
        page.click("#confirm-button")
    page.wait_for_url("**/orders/*/")
    assert "3席が約定しました" in page.inner_text(".messages")

    settlement = Settlement.objects.get(buyer=buyer.organization)
    page.click("header nav a[href='/purchases/']")
    page.wait_for_url("**/purchases/")
    purchase = page.locator(f"#purchase-{settlement.id}")
    assert "淀川橋梁ひずみ計測" in purchase.inner_text()
    assert not sideways_overflow(page, "review-2")


def test_a_buyer_signed_out_on_the_review_comes_back_to_it(browser_context: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    offering = offering_with_asks(seller)
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, buyer.email)
    page.goto(f"/offerings/{offering.id}/")
    buy = page.locator(f"#buy-now-form-{offering.id}")
    buy.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        buy.locator("button[type=submit]").click()
    page.wait_for_url("**/review/?*")
    review = page.url

    browser_context.clear_cookies(name="sessionid")  # the session ends while the buyer reads the review
    with page.expect_navigation():
        page.click("#confirm-button")
    assert f"/login/?next=/offerings/{offering.id}/review/%3F" in page.url, "sent to sign in, then to the review"
    page.fill("input[name=username]", buyer.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.split("?")[0] == review.split("?")[0], "back on the review"
    assert "¥13,200" in page.inner_text("#review-total"), "of the same purchase"
    assert not Order.objects.filter(side="buy").exists()
    with page.expect_navigation():
        page.click("#confirm-button")
    page.wait_for_url("**/orders/*/")
    assert Order.objects.get(side="buy", organization=buyer.organization).filled_quantity == 1
