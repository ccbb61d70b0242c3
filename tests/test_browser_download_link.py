"""An expired download link opened in a real headless Chromium (Playwright): the page says what happened in Japanese,
its button makes a fresh link and the browser saves the file; the same in English on a phone's width (390 px).

Data is created before the browser acts and read after it (see tests/browser.py)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from marketplace.models import Organization
from marketplace.services.orders import order_place
from marketplace.services.participants import principal_for
from settlement.models import DownloadToken, Entitlement
from settlement.services.delivery import token_issue
from tests.browser import PASSWORD, SCREENSHOTS, offering_with_asks, sign_in, switch_language
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def saved_by(page: Any, button: Any) -> bytes:
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.failure() is None
    return Path(download.path()).read_bytes()


def test_an_expired_link_explains_itself_and_its_button_downloads_with_a_fresh_link(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    offering = offering_with_asks(seller)
    buyer_principal = principal_for(Organization.objects.get(pk=buyer.organization.pk))
    order_place(
        principal=buyer_principal,
        offering_id=offering.id,
        side="buy",
        price=12_000,
        quantity=1,
        accepted_terms_sha256=offering.terms_sha256,
    )
    entitlement = Entitlement.objects.select_related("dataset_version").get(buyer=buyer.organization)
    with entitlement.dataset_version.file.open("rb") as handle:
        expected = bytes(handle.read())
    issued = token_issue(principal=buyer_principal, entitlement_id=entitlement.id)
    DownloadToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    link = f"/api/v1/downloads/{issued.token}"
    page = browser_page

    # In Japanese, signed in as the buyer: what happened, and a button for a fresh link.
    sign_in(page, buyer.email)
    response = page.goto(link)
    assert response is not None and response.status == 410
    assert page.inner_text("h1") == "このダウンロードリンクは有効期限が切れています"
    assert "データの利用権自体は" in page.inner_text("#link-explanation")
    assert page.locator(f"a[href='/purchases/{entitlement.settlement_id}/']").count() >= 1
    page.screenshot(path=SCREENSHOTS / "ichiba-download-link-expired-ja.png", full_page=True)
    button = page.locator("#fresh-link")
    assert button.inner_text() == "新しいリンクでバージョン 1 をダウンロード"
    assert saved_by(page, button) == expected
    assert DownloadToken.objects.filter(entitlement=entitlement).count() == 2

    # In English on a phone: the old link still explains itself, the button still works, nothing overflows.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    switch_language(page)
    assert page.inner_text("h1") == "This download link has expired"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=SCREENSHOTS / "ichiba-download-link-expired-en-390.png", full_page=True)
    assert saved_by(page, page.locator("#fresh-link")) == expected
    assert DownloadToken.objects.filter(entitlement=entitlement).count() == 3

    # Signed out, the page asks to sign in for a fresh link instead of offering one.
    page.click("header form[action='/logout/'] button")
    page.goto(link)
    assert page.locator("#fresh-link").count() == 0 and page.locator("#sign-in-for-link").count() == 1
