"""A buyer judges a dataset by its quality figures and downloads it as Parquet, in a real headless Chromium
(Playwright) against the live server: the "Data quality" panel on the dataset page (Japanese, then English), at a
phone's width without scrolling sideways; then, after buying, the Parquet rendition from My purchases.

As in tests/test_browser_purchase.py, data is created before the browser acts and read after it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from catalog.models import DatasetVersion, VersionRendition
from settlement.models import Download, Settlement
from tests.browser import PASSWORD, SCREENSHOTS, confirm_review, offering_with_asks, sign_in, switch_language
from tests.builders import make_party, version_profiled

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390


def scrolls_sideways(page: Any) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def test_a_buyer_reads_the_quality_panel_and_downloads_the_parquet_rendition(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    offering = offering_with_asks(seller)
    version = version_profiled(DatasetVersion.objects.get(dataset_id=offering.dataset_id, number=1))
    parquet = VersionRendition.objects.get(version=version, file_format="parquet")
    with parquet.file.open("rb") as handle:
        expected = bytes(handle.read())
    page = browser_page

    # The dataset page, in Japanese: the figures a buyer judges the data by.
    sign_in(page, buyer.email)
    page.goto(f"/datasets/{offering.dataset_id}/")
    panel = page.locator("#quality")
    text = panel.inner_text()
    assert "データ品質" in text and "公開の3時間12分前" in text and "約123,456" in text
    assert "17分 · センサー SG-02" in text
    assert panel.locator("#quality-columns tr[data-column='strain_microstrain'] .null-rate").inner_text() == "12.5%"

    # At a phone's width the page does not scroll sideways; the columns' table scrolls in its own box.
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    assert not scrolls_sideways(page)
    page.screenshot(path=SCREENSHOTS / "ichiba-quality-ja-390.png", full_page=True)
    panel.screenshot(path=SCREENSHOTS / "ichiba-quality-panel-ja-390.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    # In English.
    switch_language(page)
    text = page.locator("#quality").inner_text()
    assert "Data quality" in text and "3 hours 12 minutes before publication" in text and "about 123,456" in text
    page.screenshot(path=SCREENSHOTS / "ichiba-quality-en.png", full_page=True)
    page.locator("#quality").screenshot(path=SCREENSHOTS / "ichiba-quality-panel-en.png")

    # Buy now at the best ask, then download the Parquet rendition from My purchases.
    buy = page.locator(f"#buy-now-form-{offering.id}")
    buy.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        buy.locator("button[type=submit]").click()
    confirm_review(page)
    page.wait_for_url("**/orders/*/")
    settlement = Settlement.objects.get(buyer=buyer.organization)
    page.click("header nav a[href='/purchases/']")
    page.wait_for_url("**/purchases/")
    purchase = page.locator(f"#purchase-{settlement.id}")
    with page.expect_download() as info:
        purchase.locator("form.download-form button.download-format[data-format='parquet']").click()
    download = info.value
    assert download.failure() is None and download.suggested_filename.endswith("-v1.parquet")
    body = Path(download.path()).read_bytes()
    assert body == expected
    assert pq.read_table(io.BytesIO(body)).num_rows == version.row_count
    [recorded] = Download.objects.filter(buyer=buyer.organization)
    assert recorded.rendition_id == parquet.id and recorded.completed and recorded.bytes_sent == len(expected)

    # My purchases fits a phone too.
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    assert not scrolls_sideways(page)
