"""A buyer's whole purchase in a real headless Chromium (Playwright), against the live server: finds a dataset by
search, buys now at the best ask after accepting the terms, sees the authorised payment in My purchases and
downloads the file (which captures the payment), in Japanese and then in English; the seller then sees the
sale and the download.

With a live server Celery is eager, so the settlement authorises in the request that placed the order. As in
tests/test_browser_orders.py, data is only created before the browser acts and read after it, so letting
Django's ORM run beside Playwright's event loop is safe here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from settlement.models import Download, Entitlement, Settlement
from tests.browser import PASSWORD, SCREENSHOTS, confirm_review, offering_with_asks, sign_in, switch_language
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def download_from(page: Any, purchase: Any) -> bytes:
    """Press the purchase's Download button and return the bytes the browser saved."""
    with page.expect_download() as info:
        purchase.locator("form.download-form button.download-button").click()
    download = info.value
    assert download.failure() is None
    return Path(download.path()).read_bytes()


def test_buyer_finds_buys_and_downloads_in_japanese_and_english(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    offering = offering_with_asks(seller)
    page = browser_page

    # Find the dataset by search and open it.
    sign_in(page, buyer.email)
    page.fill("input[name=q]", "Yodogawa")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/?q=Yodogawa*")
    page.locator(".cards .card h3 a").first.click()
    page.wait_for_url(f"**/datasets/{offering.dataset_id}/")

    # Buy now at the best ask; the browser refuses to send the form until the terms are accepted.
    buy = page.locator(f"#buy-now-form-{offering.id}")
    assert "¥12,000" in buy.inner_text()
    buy.locator("button[type=submit]").click()
    assert buy.locator("input[name=accept_terms]").evaluate("element => !element.validity.valid")
    buy.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        buy.locator("button[type=submit]").click()
    review = confirm_review(page)
    assert "¥12,000" in review and "消費税" in review and "¥13,200" in review, "the price, the tax, the total"
    page.wait_for_url("**/orders/*/")
    assert "1席が約定しました" in page.inner_text(".messages")

    settlement = Settlement.objects.get(buyer=buyer.organization)
    assert settlement.status == "authorized", "the payment is authorised in the request that traded"
    version = Entitlement.objects.select_related("dataset_version").get(settlement=settlement).dataset_version
    with version.file.open("rb") as handle:
        expected = bytes(handle.read())

    # My purchases, in Japanese: the authorised payment, the contract, the Download button.
    page.click("header nav a[href='/purchases/']")
    page.wait_for_url("**/purchases/")
    purchase = page.locator(f"#purchase-{settlement.id}")
    text = purchase.inner_text()
    assert "決済承認済み" in text and "¥12,000" in text and "淀川橋梁ひずみ計測" in text
    assert "ダウンロードリンクの有効期間は15分です。" in text
    assert purchase.locator(f"a.contract-link[href='/contracts/{settlement.contract_id}/']").count() == 1
    page.screenshot(path=SCREENSHOTS / "ichiba-purchases-ja.png", full_page=True)
    assert download_from(page, purchase) == expected
    assert page.url.endswith("/purchases/"), "the page stays while the file is saved"

    # The same in English, after the language switch.
    switch_language(page)
    assert "My purchases" in page.inner_text("header nav")
    purchase = page.locator(f"#purchase-{settlement.id}")
    # The first complete download accepted the data, so the payment was captured.
    assert "Paid" in purchase.locator(".settlement-status").inner_text()
    assert "Your latest link is valid until" in purchase.inner_text()
    page.screenshot(path=SCREENSHOTS / "ichiba-purchases-en.png", full_page=True)
    assert download_from(page, purchase) == expected

    # The purchase's own page shows its history and the two downloads.
    purchase.locator("h2 a").click()
    page.wait_for_url(f"**/purchases/{settlement.id}/")
    history = page.inner_text("#purchase-history")
    assert "Awaiting payment → Payment authorised" in history and "Payment authorised → Paid" in history
    assert page.locator("#purchase-downloads tbody tr").count() == 2
    downloads = Download.objects.filter(buyer=buyer.organization)
    assert downloads.count() == 2 and all(d.completed and d.bytes_sent == len(expected) for d in downloads)

    # The seller sees the sale and the usage of its data.
    page.click("header form[action='/logout/'] button")
    sign_in(page, seller.email)
    page.click("header nav a[href='/usage/']")
    page.wait_for_url("**/usage/")
    summary = page.locator("#usage-summary tbody tr")
    assert summary.count() == 1 and "Osaka Analytics" in summary.inner_text()
    page.screenshot(path=SCREENSHOTS / "ichiba-usage-en.png", full_page=True)
    page.click("header nav a[href='/sales/']")
    page.wait_for_url("**/sales/")
    assert "Osaka Analytics" in page.inner_text(f"#sale-{settlement.id}")
    page.screenshot(path=SCREENSHOTS / "ichiba-sales-en.png", full_page=True)
