"""Requests for data in a real headless Chromium (Playwright) against the live server: a buyer requests data in
Japanese without showing its name, a verified seller finds it under "Requests" and is sent to answer it with a
private offer, the buyer sees the answer on its request's page and closes the request in English.

As in the other browser tests, data is created before the browser acts and read after it, so letting Django's ORM
run beside Playwright's event loop is safe here.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from deals.models import DataRequest
from deals.tests.data_requests_builders import answer
from tests.browser import PASSWORD, SCREENSHOTS, sign_in, switch_language
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_buyer_requests_data_a_seller_finds_it_and_the_buyer_closes_it(
    browser_context: Any, live_server: Any
) -> None:
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    page = browser_context.new_page()

    # The buyer requests data, in Japanese, keeping its name to itself.
    sign_in(page, buyer.email)
    page.click("header a[href='/my-data-requests/']")
    page.wait_for_url("**/my-data-requests/")
    page.click("main a[href='/my-data-requests/new/']")
    form = page.locator("#data-request-form")
    form.locator("input[name=title]").fill("関西の橋梁振動データ Bridge vibration")
    form.locator("input[name=data_class][value=iot]").check()
    form.locator("select[name=category]").select_option("infrastructure")
    form.locator("input[name=territory]").fill("JP、US")
    form.locator("textarea[name=purpose]").fill("道路橋の維持管理計画の研究。")
    form.locator("input[name=budget_max]").fill("500000")
    respond_by = timezone.localtime() + timedelta(days=20)
    form.locator("input[name=respond_by]").fill(respond_by.strftime("%Y-%m-%dT%H:%M"))
    page.screenshot(path=str(SCREENSHOTS / "ichiba-data-request-form-ja.png"), full_page=True)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "リクエストを掲載しました" in page.inner_text(".messages")
    assert "受付中" in page.inner_text("#data-request-status")
    data_request = DataRequest.objects.get()
    assert data_request.territory == ["JP", "US"] and data_request.public_identity is False

    # A verified seller (its own browser) finds it under Requests, without the buyer's name, and goes to answer it.
    seller_context = browser_context.browser.new_context(
        locale="ja-JP", base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    seller_page = seller_context.new_page()
    sign_in(seller_page, seller.email)
    seller_page.click("header a[href='/data-requests/']")
    seller_page.wait_for_url("**/data-requests/")
    card = seller_page.locator(f"#data-request-{data_request.id}")
    assert "名前を公開していない購入者" in card.inner_text() and "Osaka Analytics" not in card.inner_text()
    assert "日本 (JP)" in card.inner_text() and "¥500,000" in card.inner_text()
    seller_page.screenshot(path=str(SCREENSHOTS / "ichiba-data-requests-ja.png"), full_page=True)
    button = card.locator("a.answer")
    assert button.inner_text() == "非公開オファーで回答する"
    assert button.get_attribute("href") == f"/private-offers/new/?data_request={data_request.id}"
    seller_context.close()

    # The seller's private offer (written as its service writes it) shows on the buyer's request, in English.
    offer = answer(seller, data_request.id, price=450_000)
    page.reload()
    switch_language(page)
    row = page.locator(f"#answer-{offer.id}")
    assert "Kansai Bridge Monitoring" in row.inner_text() and "¥450,000" in row.inner_text()
    assert row.locator("a.seller-link").count() == 1, "the seller links to its page"
    assert row.locator(f"a[href='/private-offers/{offer.id}/']").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "ichiba-data-request-en.png"), full_page=True)
    with page.expect_navigation():
        page.click("#close-form button[type=submit]")
    assert "The request is closed" in page.inner_text(".messages")
    assert page.inner_text("#data-request-status") == "Closed"
    assert DataRequest.objects.get().status == "closed"
