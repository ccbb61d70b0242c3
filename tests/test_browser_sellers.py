"""Issue 20's providers and discovery in a real headless Chromium (Playwright) on the live server: a buyer searches
"Tokyo" in English and finds the dataset tagged 東京 (the synonym table, docs/adr/0018), follows the seller's link to
its public page, in Japanese and in English, at a desktop's and a phone's width; the catalog's filters apply as they
change, without the Search button.

As in tests/test_browser.py, data is only created before the browser acts, so letting Django's ORM run beside
Playwright's event loop is safe here.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from catalog.services.datasets import dataset_create
from marketplace.models import Organization
from tests.browser import PASSWORD, SCREENSHOTS, published_dataset, sign_in, switch_language
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390


def search_for(page: Any, words: str) -> list[str]:
    page.fill("input[name=q]", words)
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    return page.locator(".cards .card h3 a").all_inner_texts()


def scrolls_sideways(page: Any) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def test_a_buyer_finds_a_tokyo_dataset_in_english_and_reads_its_sellers_page(browser_page: Any) -> None:
    seller = make_party("Shinagawa Mobility Lab", {"seller"})
    Organization.objects.filter(pk=seller.organization.pk).update(
        description="品川区の交通量を計測しています。\nWe count traffic in Shinagawa.",
        website="https://sml.example.jp/",
    )
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    wanted = published_dataset(seller, "品川の交通量 2025", "区内12か所の交通量です。", tags=("東京", "交通")).title
    published_dataset(seller, "大阪の交通量 2025", "梅田周辺の交通量です。", tags=("大阪",))
    page = browser_page
    sign_in(page, buyer.email)
    switch_language(page)  # English

    for language, heading in (("en", "Open offerings"), ("ja", "受付中の提供条件")):
        page.goto("/")
        titles = search_for(page, "Tokyo")
        assert titles == [wanted], f"{language}: the dataset tagged 東京 and only it, not {titles}"
        card = page.locator(".cards .card").first
        with page.expect_navigation():
            card.locator("a.seller-link").click()
        assert page.url.endswith(f"/sellers/{seller.id}/")
        assert page.inner_text("h1") == "Shinagawa Mobility Lab"
        assert page.locator("#verified-badge").is_visible()
        assert "We count traffic in Shinagawa." in page.inner_text("#seller-description")
        assert heading in page.inner_text("main")
        assert set(page.locator("#seller-datasets h3 a").all_inner_texts()) == {wanted, "大阪の交通量 2025"}
        page.screenshot(path=SCREENSHOTS / f"ichiba-seller-{language}.png", full_page=True)
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
        assert not scrolls_sideways(page), f"{language}: the seller page fits a phone"
        page.screenshot(path=SCREENSHOTS / f"ichiba-seller-{language}-390.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        if language == "en":
            switch_language(page)  # to Japanese for the second round


def test_the_catalogs_filters_apply_as_they_change(browser_page: Any) -> None:
    seller = make_party("Setsunan Sensing", {"seller"})
    published_dataset(seller, "Bridge strain Osaka", "Strain gauges.", tags=("bridge",))
    dataset_create(
        seller_id=seller.organization.id, title="Draft weather", data_class="iot", category="weather", tags=["weather"]
    )
    page = browser_page
    page.goto("/")
    assert page.locator(".cards .card").count() == 1
    with page.expect_navigation():
        page.select_option("select[name=category]", "weather")  # no button pressed
    assert "category=weather" in page.url
    assert page.locator(".cards .card").count() == 0, "the draft is not listed: no weather dataset"
    with page.expect_navigation():
        page.select_option("select[name=category]", "")
    page.fill("input[name=tag]", "bridge")
    with page.expect_navigation():
        page.press("input[name=tag]", "Tab")  # leaving the field applies it
    assert "tag=bridge" in page.url and page.locator(".cards .card").count() == 1
