"""Price first in a real headless Chromium (Playwright): on a phone (390 px) and a desktop (1280 px), in Japanese and
English, a buyer sees the price and the buy box of a dataset and of an offering in the first screenful; on the phone
the buy bar stays in view while the page scrolls (position: sticky at most 600 px wide), on the desktop it scrolls
away with the page; neither page scrolls sideways.

As in tests/test_browser_orders.py, data is only created before the browser acts, so letting Django's ORM run beside
Playwright's event loop is safe here.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.browser import PASSWORD, SCREENSHOTS, offering_with_asks, sign_in, switch_language
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def first_screenful(page: Any, selector: str) -> None:
    """The element's top is inside the viewport when the page opens (not scrolled)."""
    assert page.evaluate("window.scrollY") == 0
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and 0 <= box["y"] < height, f"{selector} starts at {box} below {height} px"


def look_at(page: Any, url: str, offering_id: str, screen: str, lang: str, button: str) -> None:
    page.set_viewport_size(SCREENS[screen])
    page.goto(url)
    first_screenful(page, "#buy-bar")
    first_screenful(page, f"#trade-{offering_id}")
    assert "¥12,000" in page.inner_text("#buy-bar")
    buy = page.locator(f"#buy-now-form-{offering_id} button[type=submit]")
    assert buy.inner_text().strip() == button
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{url} scrolls sideways by {overflow} px at {screen} width"
    page.screenshot(path=SCREENSHOTS / f"ichiba-price-first-{url.split('/')[1]}-{lang}-{screen}.png")

    # Scrolled far down: the phone keeps the bar at the top of the screen, the desktop lets it go.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("window.scrollY > 800")
    bar = page.locator("#buy-bar").bounding_box()
    assert bar is not None
    if screen == "phone":
        assert abs(bar["y"]) < 2 and bar["height"] < 140, f"the bar is not kept in view compactly: {bar}"
    else:
        assert bar["y"] + bar["height"] < 0, f"the bar follows the scroll on a desktop: {bar}"


def test_the_price_and_the_buy_box_are_in_the_first_screenful_on_a_phone_and_a_desktop(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"})
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    offering = offering_with_asks(seller)
    page = browser_page
    sign_in(page, buyer.email)
    pages = (f"/datasets/{offering.dataset_id}/", f"/offerings/{offering.id}/")

    for lang, button in (("ja", "¥12,000で今すぐ購入"), ("en", "Buy now at ¥12,000")):
        if lang == "en":
            switch_language(page)
        for screen in SCREENS:
            for url in pages:
                look_at(page, url, str(offering.id), screen, lang, button)

    # The catalog's card says the price before the rest.
    page.set_viewport_size(SCREENS["phone"])
    page.goto("/")
    card = page.locator(".cards .card").first
    assert "¥12,000 / seat · 365-day licence · 20 seats left" in card.locator(".card-price").inner_text()
    assert "Kansai Bridge Monitoring" in card.locator(".card-seller").inner_text()
