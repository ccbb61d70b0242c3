"""Issue 17's "done when" for search, in a real headless Chromium (Playwright) on the live server: a buyer finds the
dataset by a misspelt English word and by a Japanese phrase, ranked first above newer datasets that also match, on
the catalog page in Japanese and then in English (docs/adr/0016).

As in tests/test_browser.py, data is only created before the browser acts, so letting Django's ORM run beside
Playwright's event loop is safe here.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.browser import (
    PASSWORD,
    SCREENSHOTS,
    published_dataset,
    published_strain_dataset,
    sign_in,
    switch_language,
)
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def search_for(page: Any, words: str) -> list[str]:
    """Search from the catalog page's box; the titles of the results, in order."""
    page.fill("input[name=q]", words)
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    return page.locator(".cards .card h3 a").all_inner_texts()


def test_a_buyer_finds_the_dataset_first_by_a_misspelt_word_or_a_japanese_phrase(browser_page: Any) -> None:
    # A seller whose name holds none of the words searched: a seller's name is among its datasets' search tokens.
    seller = make_party("Setsunan Sensing", {"seller"})
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    wanted = published_strain_dataset(seller).title  # "淀川橋梁ひずみ計測 Yodogawa bridge strain"
    # Newer datasets that match the same words, but only in their descriptions or in part of their titles: newest
    # first would show them before the one the buyer means.
    published_dataset(
        seller, "Yodogawa river levels 淀川の水位", "Water levels under the Yodogawa bridge. 淀川橋梁の下の水位です。"
    )
    published_dataset(
        seller, "Osaka bridge traffic 大阪の橋の交通量", "Traffic on the bridges of the Yodogawa. 淀川と橋梁の交通量。"
    )
    published_dataset(seller, "Factory vibration 工場の振動", "Spindle vibration near the Yodogawa.")
    page = browser_page
    sign_in(page, buyer.email)

    for language, also_searched in (("ja", "次の語でも検索しました"), ("en", "Also searched for")):
        if language == "en":
            switch_language(page)
            assert "Catalog" in page.inner_text("header nav")
        titles = search_for(page, "Yodogwa bridge")  # "Yodogawa" misspelt
        assert titles[0] == wanted, f"{language}: the misspelt word's dataset first, not {titles}"
        assert len(titles) == 3, f"{language}: the datasets holding both words: {titles}"
        corrections = page.inner_text("p.corrections")
        assert also_searched in corrections and "yodogawa" in corrections and "yodogwa" in corrections
        page.screenshot(path=SCREENSHOTS / f"ichiba-search-misspelt-{language}.png", full_page=True)

        titles = search_for(page, "淀川橋梁")
        assert titles[0] == wanted, f"{language}: the phrase's dataset first, not {titles}"
        assert len(titles) == 2, f"{language}: the phrase as written, not its characters anywhere: {titles}"
        assert page.locator("p.corrections").count() == 0, "Japanese is taken as typed"
        page.screenshot(path=SCREENSHOTS / f"ichiba-search-phrase-{language}.png", full_page=True)
