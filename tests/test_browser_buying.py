"""Issue 20's walk, in a real headless Chromium against the live server, as a buyer would make it: on a 390 px phone
in Japanese, and on a 1280 px desktop in English. The buyer finds a dataset by its seller's name and sees its price
and seller on the card, opens it with the buy box in the first screenful, buys now, reviews the total with the
consumption tax, confirms, downloads the file (which captures the payment), and prints the seller's qualified
invoice. No page on the way scrolls sideways.

As in tests/test_browser_purchase.py, data is created before the browser acts and read after it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from invoices.models import Invoice
from marketplace.services.participants import organization_invoice_number_set
from settlement.models import Settlement
from tests.browser import PASSWORD, SCREENSHOTS, offering_with_asks, sideways_overflow, sign_in, switch_language
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The National Tax Agency's own corporate number, a real one with a valid check digit.
REGISTRATION_NUMBER = "T7000012050002"

WORDS = {
    "ja": {
        "sold_by": "販売者",
        "review": "購入内容の確認",
        "tax": "10%：¥1,200",
        "qualified": "適格請求書",
        "total": "¥13,200",
    },
    "en": {
        "sold_by": "Sold by",
        "review": "Review your purchase",
        "tax": "10%: ¥1,200",
        "qualified": "Qualified invoice",
        "total": "¥13,200",
    },
}


@pytest.mark.parametrize(
    ("language", "viewport"),
    [("ja", {"width": 390, "height": 844}), ("en", {"width": 1280, "height": 900})],
    ids=["phone-ja", "desktop-en"],
)
def test_a_buyer_finds_by_seller_reviews_the_tax_buys_downloads_and_prints_the_invoice(
    browser_page: Any, language: str, viewport: dict[str, int]
) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    organization_invoice_number_set(organization_id=seller.organization.id, number=REGISTRATION_NUMBER)
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    offering = offering_with_asks(seller)
    words = WORDS[language]
    page = browser_page
    page.set_viewport_size(viewport)
    sign_in(page, buyer.email)
    if language == "en":
        switch_language(page)

    # Found by the seller's name: the card says the price and who sells it.
    page.fill("input[name=q]", "Kansai Bridge")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/?q=Kansai*")
    card = page.locator(".cards .card").first
    card_text = card.inner_text()
    assert "¥12,000" in card_text and "Kansai Bridge Monitoring" in card_text and words["sold_by"] in card_text
    assert not sideways_overflow(page, f"walk-{language}-the-catalog")
    card.locator("h3 a").click()
    page.wait_for_url(f"**/datasets/{offering.dataset_id}/")

    # The buy box is in the first screenful; buy now opens the review.
    buy = page.locator(f"#buy-now-form-{offering.id}")
    assert buy.bounding_box()["y"] < viewport["height"], "the buy box is in the first screenful"
    assert not sideways_overflow(page, f"walk-{language}-the-dataset-page")
    buy.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        buy.locator("button[type=submit]").click()
    page.wait_for_url("**/review/?*")
    assert page.inner_text("h1") == words["review"]
    assert page.inner_text("#review-tax") == words["tax"]
    assert words["total"] in page.inner_text("#review-total")
    assert page.inner_text("#review-terms-sha256") == offering.terms_sha256
    assert not sideways_overflow(page, f"walk-{language}-the-review")
    if language == "ja":
        assert "約定" not in page.inner_text("main"), "the review speaks plainly, not in exchange jargon"
    page.screenshot(path=SCREENSHOTS / f"ichiba-walk-review-{language}.png", full_page=True)
    with page.expect_navigation():
        page.click("#confirm-button")
    page.wait_for_url("**/orders/*/")

    settlement = Settlement.objects.get(buyer=buyer.organization)
    assert (settlement.status, settlement.amount, settlement.tax_amount) == ("authorized", 13_200, 1_200)

    # My purchases: the download captures the payment, which issues the invoice.
    page.click("header nav a[href='/purchases/']")
    page.wait_for_url("**/purchases/")
    purchase = page.locator(f"#purchase-{settlement.id}")
    assert words["total"] in purchase.inner_text()
    assert not sideways_overflow(page, f"walk-{language}-My-purchases")
    with page.expect_download() as info:
        purchase.locator("form.download-form button.download-button").click()
    assert info.value.failure() is None and Path(info.value.path()).stat().st_size > 0
    # The capture runs when the download's transaction commits, which may be just after the browser has the file.
    for _ in range(200):
        settlement.refresh_from_db()
        if settlement.status == "captured":
            break
        time.sleep(0.05)
    assert settlement.status == "captured"
    invoice = Invoice.objects.get(settlement=settlement, kind="sale")

    # The qualified invoice, ready to print.
    page.reload()
    page.locator(f"#purchase-{settlement.id} a.invoice-link[data-kind=sale]").click()
    page.wait_for_url(f"**/invoices/{invoice.id}/**")
    document = page.inner_text("#invoice-document")
    assert words["qualified"] in document and REGISTRATION_NUMBER in document and words["total"] in document
    assert page.locator("#print-invoice").is_visible()
    assert not sideways_overflow(page, f"walk-{language}-the-invoice")
    page.emulate_media(media="print")
    assert not page.locator("#print-invoice").is_visible(), "the print button is not printed"
    page.screenshot(path=SCREENSHOTS / f"ichiba-walk-invoice-{language}.png", full_page=True)
