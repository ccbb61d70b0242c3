"""A phone in hand: the main pages at 390 px, in Japanese and in English, never scroll sideways. A buyer who has
bought a seat visits the catalog, the dataset, the offering, its order, the purchase, its download link and the
contract with its document; the seller visits its datasets, the upload page and its sales; a visitor signs in and
reads the rules. Any page wider than the screen fails, naming the elements that stick out.

As in tests/test_browser_purchase.py, data is created before the browser acts (Celery is eager in the live
server's settings), so Django's ORM beside Playwright's event loop is safe.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from marketplace.models import Organization
from marketplace.services.orders import order_place
from marketplace.services.participants import principal_for
from settlement.models import Settlement
from tests.browser import PASSWORD, offering_with_asks, sideways_overflow, sign_in, switch_language
from tests.builders import make_party, published_dataset

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def visit(page: Any, path: str, label: str) -> list[str]:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    return sideways_overflow(page, label)


def _buyer_pages(page: Any, lang: str, offering: Any, settlement: Settlement, anonymized: Any) -> list[str]:
    found = visit(page, "/", f"catalog-{lang}")
    found += visit(page, f"/datasets/{offering.dataset_id}/", f"dataset-{lang}")
    found += visit(page, f"/datasets/{anonymized.id}/", f"dataset-appi-{lang}")
    found += visit(page, f"/offerings/{offering.id}/", f"offering-{lang}")
    # The charts' labels stay readable: the smallest is drawn at least 11 px tall (the chart scrolls in its box).
    heights = page.eval_on_selector_all(
        "svg.chart text", "texts => texts.map(text => text.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 11, f"chart labels {min(heights or [0]):.1f} px tall at 390 px ({lang})"
    found += visit(page, "/orders/", f"orders-{lang}")
    found += visit(page, f"/orders/{settlement.trade.buy_order_id}/", f"order-{lang}")
    found += visit(page, "/purchases/", f"purchases-{lang}")
    found += visit(page, f"/purchases/{settlement.id}/", f"purchase-{lang}")
    # The link for a download tool: its address and the curl command are longer than any phone is wide.
    page.locator("button.show-link-button").first.click()
    page.wait_for_url(f"**/purchases/{settlement.id}/download/")
    assert page.locator("#download-link").count() == 1
    found += sideways_overflow(page, f"download-link-{lang}")
    found += visit(page, "/invoices/", f"invoices-{lang}")
    found += visit(page, "/contracts/", f"contracts-{lang}")
    found += visit(page, f"/contracts/{settlement.contract_id}/", f"contract-{lang}")
    found += visit(page, f"/contracts/{settlement.contract_id}/document/?lang={lang}", f"contract-document-{lang}")
    return found


def _seller_pages(page: Any, lang: str, offering: Any) -> list[str]:
    found = visit(page, "/sell/", f"sell-{lang}")
    found += visit(page, f"/sell/datasets/{offering.dataset_id}/upload/", f"upload-{lang}")
    found += visit(page, f"/sell/datasets/{offering.dataset_id}/versions/1/", f"version-{lang}")
    found += visit(page, "/sales/", f"sales-{lang}")
    found += visit(page, f"/offerings/{offering.id}/", f"offering-seller-{lang}")
    return found


def test_main_pages_fit_a_390_px_phone_in_japanese_and_english(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring Engineering Consultants", {"seller"}, password=PASSWORD)
    buyer = make_party("Osaka Urban Infrastructure Analytics Laboratory", {"buyer"}, password=PASSWORD)
    offering = offering_with_asks(seller)
    anonymized = published_dataset(seller, data_class="anonymized")  # its page discloses under the APPI
    placed = order_place(
        principal=principal_for(Organization.objects.get(pk=buyer.organization.pk)),
        offering_id=offering.id,
        side="buy",
        price=12_000,
        quantity=1,
        accepted_terms_sha256=offering.terms_sha256,
    )
    [made] = placed.trades
    settlement = Settlement.objects.select_related("trade").get(trade_id=made.id)
    assert settlement.status == "authorized"
    page = browser_page
    page.set_viewport_size(PHONE)

    # Signed out: the sign-in page and the rules.
    found = visit(page, "/login/", "login-ja")
    found += visit(page, "/rules/", "rules-ja")

    sign_in(page, buyer.email)
    found += sideways_overflow(page, "catalog-signed-in-ja")
    found += _buyer_pages(page, "ja", offering, settlement, anonymized)
    page.goto("/")  # the contract's document has no header to switch the language in
    switch_language(page)
    found += _buyer_pages(page, "en", offering, settlement, anonymized)
    found += visit(page, "/rules/", "rules-en")

    page.click("header form[action='/logout/'] button")
    found += visit(page, "/login/", "login-en")
    sign_in(page, seller.email)
    found += _seller_pages(page, "en", offering)
    switch_language(page)
    found += _seller_pages(page, "ja", offering)
    assert not found, "pages wider than a 390 px phone:\n" + "\n".join(found)


def test_the_header_is_compact_on_a_phone(browser_page: Any) -> None:
    """The header takes no more than a fifth of a phone's screen, with every link of a signed-in seller and buyer."""
    party = make_party("Kansai Bridge Monitoring Engineering Consultants", {"seller", "buyer"}, password=PASSWORD)
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, party.email)
    for lang in ("ja", "en"):
        height = page.evaluate("document.querySelector('header.site-header').getBoundingClientRect().height")
        assert height <= PHONE["height"] / 5, f"the header is {height} px tall on a phone ({lang})"
        assert page.locator("header nav a").count() >= 5
        assert not sideways_overflow(page, f"header-{lang}")
        if lang == "ja":
            switch_language(page)
