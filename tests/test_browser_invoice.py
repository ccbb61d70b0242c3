"""A buyer opens its qualified invoice from My purchases on a 390 px phone, in Japanese (a real headless Chromium
against the live server): the page shows 適格請求書, the seller's registration number, the consumption tax and the
total, offers Print and PDF, and does not scroll sideways; the English version prints the same figures.

As in tests/test_browser_purchase.py, data is created before the browser acts and read after it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from invoices.models import Invoice
from marketplace.models import Organization
from marketplace.services.orders import order_place
from marketplace.services.participants import organization_invoice_number_set, principal_for
from settlement.models import Settlement
from settlement.services import settlements
from tests.browser import PASSWORD, SCREENSHOTS, offering_with_asks, sideways_overflow, sign_in
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_the_buyer_opens_its_qualified_invoice_from_my_purchases_on_a_phone_in_japanese(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    organization_invoice_number_set(organization_id=seller.organization.id, number="T7000012050002")
    offering = offering_with_asks(seller)
    order_place(
        principal=principal_for(Organization.objects.get(pk=buyer.organization.pk)),
        offering_id=offering.id,
        side="buy",
        price=12_000,
        quantity=1,
        accepted_terms_sha256=offering.terms_sha256,
    )
    settlement = Settlement.objects.get(buyer=buyer.organization)
    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    invoice = Invoice.objects.get(settlement=settlement, kind="sale")

    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, buyer.email)
    page.goto("/purchases/")
    link = page.locator(f"#purchase-{settlement.id} a.invoice-link[data-kind=sale]")
    assert "請求書" in link.inner_text()
    link.click()
    page.wait_for_url(f"**/invoices/{invoice.id}/")
    document = page.locator("#invoice-document")
    printed = document.inner_text()
    assert "適格請求書" in printed
    assert "T7000012050002" in printed
    assert "消費税（10%）" in printed and "¥1,200" in printed
    assert "合計（税込）" in printed and "¥13,200" in printed
    assert page.locator("#print-invoice").is_visible() and page.locator("#invoice-pdf").is_visible()
    assert not sideways_overflow(page, "invoice-ja")
    page.screenshot(path=SCREENSHOTS / "ichiba-invoice-ja-390.png", full_page=True)

    page.locator("#invoice-other-lang").click()
    page.wait_for_url("**/?lang=en")
    english = page.locator("#invoice-document").inner_text()
    assert "Qualified invoice" in english and "T7000012050002" in english and "¥13,200" in english
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SCREENSHOTS / "ichiba-invoice-en-1280.png", full_page=True)
