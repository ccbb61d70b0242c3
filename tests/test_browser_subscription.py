"""A subscriber's whole life in a real headless Chromium (Playwright), against the live server: finds the feed by
search, buys a seat per period, downloads the first version; a new version is published (through the catalog's
services) and the purchase shows it and downloads it; the test clock (``close_periods --as-of``) closes periods:
one delivered is charged, one without delivery is missed; the buyer cancels and is told when access ends; the
seller sees the subscriber and the periods. In Japanese, then in English.

With a live server Celery is eager, so the trade's payment is authorised in the request that placed the order, and
a period's charge is taken in the ``close_periods`` call that opened it. As in tests/test_browser_purchase.py, data is
only created before the browser acts and read after it, so letting Django's ORM run beside Playwright's event loop
is safe here.
"""

from __future__ import annotations

import io
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from contracts.templatetags.ichiba import when
from settlement.models import Settlement, Subscription
from tests.browser import (
    PASSWORD,
    SCREENSHOTS,
    confirm_review,
    sign_in,
    strain_csv,
    subscription_with_asks,
    switch_language,
)
from tests.builders import make_party, version_published

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECOND = timedelta(seconds=1)


def saved(page: Any, button: Any) -> bytes:
    """Press a Download button and return the bytes the browser saved."""
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.failure() is None
    return Path(download.path()).read_bytes()


def close_periods(as_of: Any) -> dict[str, int]:
    """``manage.py close_periods --as-of``: the test clock."""
    out = io.StringIO()
    call_command("close_periods", "--as-of", as_of.isoformat(), stdout=out)
    return dict(json.loads(out.getvalue()))


def outcomes(page: Any) -> list[str]:
    return list(page.locator("#subscription-periods tbody tr").evaluate_all("rows => rows.map(r => r.dataset.outcome)"))


def test_a_subscriber_follows_its_feed_from_search_to_cancellation(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    offering = subscription_with_asks(seller)
    dataset = offering.dataset
    first, second, third = strain_csv(), strain_csv(36), strain_csv(42)
    page = browser_page

    # Find the feed by search and buy a seat at the best ask, per period.
    sign_in(page, buyer.email)
    page.fill("input[name=q]", "Yodogawa")
    page.press("input[name=q]", "Enter")
    page.locator(".cards .card h3 a").first.click()
    page.wait_for_url(f"**/datasets/{dataset.id}/")
    buy = page.locator(f"#buy-now-form-{offering.id}")
    assert "¥5,000" in buy.inner_text()
    buy.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        buy.locator("button[type=submit]").click()
    confirm_review(page)
    page.wait_for_url("**/orders/*/")
    subscription = Subscription.objects.get(buyer=buyer.organization)
    settlement = Settlement.objects.get(contract_id=subscription.contract_id, period=1)
    assert (subscription.status, settlement.status) == ("active", "authorized")

    # My purchases (Japanese): the subscription, its price per period and term, and the first version.
    page.click("header nav a[href='/purchases/']")
    page.wait_for_url("**/purchases/")
    card = page.locator(f"#purchase-{settlement.id}")
    text = card.inner_text()
    assert "定期提供" in text and "有効" in text and "¥5,000" in text
    assert "30日間の提供期間 × 6回" in text and "第1期（全6期）" in text
    assert "1件（最新はバージョン 1）" in text
    assert saved(page, card.locator("button.download-button")) == first

    # A new version is published: the page shows it, and it downloads.
    version_published(seller, dataset, second)
    page.reload()
    card = page.locator(f"#purchase-{settlement.id}")
    assert "2件（最新はバージョン 2）" in card.inner_text()
    assert card.locator("button.download-button").inner_text() == "バージョン 2 をダウンロード"
    card.locator("h2 a").click()
    page.wait_for_url(f"**/purchases/{settlement.id}/")
    versions = page.locator("#subscription-versions tbody tr")
    assert versions.evaluate_all("rows => rows.map(r => r.dataset.version)") == ["2", "1"]
    assert saved(page, page.locator("#version-2 button.download-button")) == second
    assert saved(page, page.locator("#version-1 button.download-button")) == first
    assert outcomes(page) == ["charged"], "the first download captured the first period's payment"

    # The test clock: period 1 closes; a version published in period 2 makes it charged; period 3 has none: missed.
    start = subscription.starts_at
    assert close_periods(start + timedelta(days=30) + SECOND)["periods"] == 1
    version_published(seller, dataset, third)
    assert close_periods(start + timedelta(days=60) + SECOND)["charged"] == 1
    assert close_periods(start + timedelta(days=90) + SECOND)["missed"] == 1
    page.reload()
    assert outcomes(page) == ["charged", "charged", "missed", "open"]
    periods = page.inner_text("#subscription-periods")
    assert "請求済み" in periods and "不履行（請求なし）" in periods and "提供中" in periods
    assert "第4期（全6期）" in page.inner_text(".subscription-facts")
    assert versions.count() == 3
    page.screenshot(path=SCREENSHOTS / "ichiba-subscription-ja.png", full_page=True)

    # In English: the same page; the buyer cancels, which the browser refuses until the box is ticked.
    switch_language(page)
    assert outcomes(page) == ["charged", "charged", "missed", "open"]
    assert "Charged" in page.inner_text("#period-2") and "Missed" in page.inner_text("#period-3")
    assert "3 versions, the newest version 3" in page.inner_text(".subscription-facts")
    cancel = page.locator("#cancel-subscription")
    cancel.locator("button[type=submit]").click()
    assert cancel.locator("input[name=confirm]").evaluate("element => !element.validity.valid")
    cancel.locator("input[name=confirm]").check()
    with page.expect_navigation():
        cancel.locator("button[type=submit]").click()
    page.wait_for_url(f"**/purchases/{settlement.id}/")
    ends = when(start + timedelta(days=120))  # the end of period 4, the one under way
    assert f"Access ends at {ends}" in page.inner_text(".messages")
    assert page.inner_text("#subscription-status") == "Cancelling"
    assert f"Access ends at {ends}" in page.inner_text(".subscription-note")
    assert page.locator("#cancel-subscription").count() == 0
    page.screenshot(path=SCREENSHOTS / "ichiba-subscription-en.png", full_page=True)
    assert Subscription.objects.get(pk=subscription.pk).status == "cancelling"

    # The seller sees its subscriber, cancelling, and the periods closed.
    page.click("header form[action='/logout/'] button")
    sign_in(page, seller.email)
    page.click("header nav a[href='/sales/']")
    page.wait_for_url("**/sales/")
    row = page.inner_text(f"#subscriber-{subscription.id}")
    assert "Osaka Analytics" in row and "Cancelling" in row and f"none: ends at {ends}" in row
    closed = page.locator("#period-outcomes tbody tr").evaluate_all("rows => rows.map(r => r.dataset.outcome)")
    assert sorted(closed) == ["charged", "charged", "missed"]
    page.screenshot(path=SCREENSHOTS / "ichiba-subscribers-en.png", full_page=True)
