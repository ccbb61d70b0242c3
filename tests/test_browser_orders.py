"""A buyer trades on the order book in a real headless Chromium (Playwright), against the live server: reads an
offering's terms, buys now, opens the contract, then bids and cancels the bid from My orders.

As in tests/test_browser.py, data is only created before the browser acts and read after it, so letting
Django's ORM run beside Playwright's event loop is safe here.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from marketplace.models import Order, Organization, Trade
from marketplace.services.orders import order_place
from marketplace.services.participants import principal_for
from tests.browser import PASSWORD, SCREENSHOTS, confirm_review, offering_with_asks, sign_in, switch_language
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buyer_buys_now_opens_the_contract_then_bids_and_cancels(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"})
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    offering = offering_with_asks(seller)
    page = browser_page

    sign_in(page, buyer.email)
    page.goto(f"/datasets/{offering.dataset_id}/")
    market = page.locator(f"#market-{offering.id}")
    assert market.locator("svg.depth-chart circle.level.ask").count() == 3
    assert "¥12,000" in market.locator(".quote").inner_text()
    assert "約定はまだありません" in market.inner_text()
    page.screenshot(path=SCREENSHOTS / "ichiba-orders-dataset-ja.png", full_page=True)

    # Read the terms: the link in the buy-now form leads to them on the offering's page.
    buy = page.locator(f"#buy-now-form-{offering.id}")
    assert buy.locator(".terms-hash").inner_text() == offering.terms_sha256
    buy.locator("a.terms-link").click()
    page.wait_for_url(f"**/offerings/{offering.id}/#terms-heading")
    assert page.locator("#terms tbody tr").count() > 5
    buy = page.locator(f"#buy-now-form-{offering.id}")
    buy.locator("input[name=quantity]").fill("2")

    # Without ticking the box the browser does not send the form.
    buy.locator("button[type=submit]").click()
    assert page.url.endswith(f"/offerings/{offering.id}/#terms-heading")
    assert buy.locator("input[name=accept_terms]").evaluate("element => !element.validity.valid")
    page.screenshot(path=SCREENSHOTS / "ichiba-orders-offering-ja.png", full_page=True)

    buy.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        buy.locator("button[type=submit]").click()
    confirm_review(page)
    page.wait_for_url("**/orders/*/")
    assert "2席が約定しました" in page.inner_text(".messages")
    rows = page.locator("#order-trades tbody tr")
    assert rows.count() == 1 and "¥12,000" in rows.first.inner_text()
    page.screenshot(path=SCREENSHOTS / "ichiba-orders-bought-ja.png", full_page=True)

    trade = Trade.objects.get(buyer=buyer.organization)
    rows.first.locator("a.contract-link").click()
    page.wait_for_url(f"**/contracts/{trade.contract_id}/")
    assert "Osaka Analytics" in page.inner_text("main")

    # A bid below the best ask rests on the book; cancel it from My orders.
    page.goto(f"/offerings/{offering.id}/")
    form = page.locator(f"#bid-form-{offering.id}")
    form.locator("input[name=price]").fill("10000")
    form.locator("input[name=quantity]").fill("1")
    form.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    confirm_review(page)
    page.wait_for_url("**/orders/*/")
    assert "板に残っています" in page.inner_text("#order-outcome")
    bid = Order.objects.get(organization=buyer.organization, status="open")

    page.click("header nav a[href='/orders/']")
    page.wait_for_url("**/orders/")
    row = page.locator(f"#order-{bid.id}")
    assert "¥10,000" in row.inner_text() and "未約定" in row.inner_text()
    page.screenshot(path=SCREENSHOTS / "ichiba-orders-mine-ja.png", full_page=True)
    with page.expect_navigation():
        row.locator(".cancel-form button").click()
    assert "取り消しました" in page.inner_text(".messages")
    assert "取消" in page.locator(f"#order-{bid.id}").inner_text()
    assert page.locator(f"#order-{bid.id} .cancel-form").count() == 0
    bid.refresh_from_db()
    assert bid.status == "cancelled"

    # The same pages in English.
    switch_language(page)
    assert "My orders" in page.inner_text("header nav")
    page.screenshot(path=SCREENSHOTS / "ichiba-orders-mine-en.png", full_page=True)
    page.goto(f"/offerings/{offering.id}/")
    assert "Buy now" in page.inner_text(f"#trade-{offering.id}")
    page.screenshot(path=SCREENSHOTS / "ichiba-orders-offering-en.png", full_page=True)


def test_seller_sells_into_a_bid(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    buyer = make_party("Osaka Analytics", {"buyer"})
    offering = offering_with_asks(seller)
    order_place(
        principal=principal_for(Organization.objects.get(pk=buyer.organization.pk)),
        offering_id=offering.id,
        side="buy",
        price=11_000,
        quantity=2,
        accepted_terms_sha256=offering.terms_sha256,
    )
    page = browser_page
    sign_in(page, seller.email)
    page.goto(f"/offerings/{offering.id}/")
    bids = page.locator(f"#bids-to-sell-{offering.id}")
    assert "Osaka Analytics" not in page.inner_text("main")
    page.screenshot(path=SCREENSHOTS / "ichiba-orders-seller-ja.png", full_page=True)
    with page.expect_navigation():
        bids.locator("form.sell-into-form[data-price='11000'] button").click()
    page.wait_for_url("**/orders/*/")
    assert page.locator("#order-trades a.contract-link").count() == 1
    assert Trade.objects.get(seller=seller.organization).price == 11_000
