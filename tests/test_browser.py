"""The site in a real headless Chromium (Playwright), against pytest-django's live server.

Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from a thread with
a running loop; the tests only create data before the browser starts and read it afterwards, so allowing
it here is safe.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from catalog.models import Dataset, DatasetVersion
from catalog.services.datasets import dataset_create
from catalog.services.versions import version_upload, version_validate
from tests.fixtures import make_party, require_chromium

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-test-pass 42"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 20_000
# Screenshots of the pages, to look at (Japanese rendering, layout): /tmp by default.
SCREENSHOTS = Path(os.environ.get("ICHIBA_SCREENSHOT_DIR") or tempfile.gettempdir())


def strain_csv(rows: int = 30) -> bytes:
    lines = ["timestamp,sensor_id,strain_microstrain,temperature_c"]
    for i in range(rows):
        lines.append(
            f"2024-04-01T{i // 6:02d}:{(i % 6) * 10:02d}:00+09:00,SG-0{i % 3 + 1},{100 + i * 0.5},{18 + i % 5}"
        )
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def browser_page(live_server: Any) -> Iterator[Any]:
    """A Japanese-speaking browser tab (the site's default language) on the live server."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                locale="ja-JP", base_url=live_server.url, viewport={"width": 1280, "height": 900}
            )
            context.set_default_timeout(TIMEOUT_MS)
            yield context.new_page()
            context.close()
        finally:
            browser.close()


def sign_in(page: Any, email: str) -> None:
    page.goto("/")
    page.click("header a[href^='/login/']")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/")
    assert page.locator("header .account form[action='/logout/']").count() == 1


def test_buyer_finds_a_dataset_and_sees_its_sample(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"})
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    dataset = dataset_create(
        seller_id=seller.organization.id,
        title="淀川橋梁ひずみ計測 Yodogawa bridge strain",
        description="淀川に架かる橋の6か所のひずみゲージを10分ごとに計測したデータです。",
        data_class="iot",
        category="infrastructure",
        tags=["橋梁", "bridge", "strain"],
        region="大阪府",
        update_frequency="daily",
    )
    version = version_upload(
        dataset_id=dataset.id,
        seller_id=seller.organization.id,
        upload=ContentFile(strain_csv(), name="strain.csv"),
        original_filename="strain.csv",
    )
    assert version_validate(version_id=version.id).status == "published"
    page = browser_page

    sign_in(page, buyer.email)
    assert "Osaka Analytics" in page.inner_text("header")
    assert "カタログ" in page.inner_text("header nav")

    page.fill("input[name=q]", "Yodogawa")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/?q=Yodogawa*")
    cards = page.locator(".cards .card")
    assert cards.count() == 1
    page.screenshot(path=SCREENSHOTS / "ichiba-catalog.png", full_page=True)

    cards.first.locator("h3 a").click()
    page.wait_for_url(f"**/datasets/{dataset.id}/")
    rows = page.locator("#sample tbody tr")
    assert rows.count() == 20
    first_row = rows.first.inner_text()
    assert "2024-04-01T00:00:00+09:00" in first_row and "SG-01" in first_row
    assert "SG-03" in page.inner_text("#sample")
    assert "strain_microstrain" in page.inner_text("section[aria-labelledby=schema] table")
    page.screenshot(path=SCREENSHOTS / "ichiba-dataset.png", full_page=True)


def test_seller_lists_a_dataset_and_uploads_with_progress(browser_page: Any) -> None:
    seller = make_party("Hokuriku Sensors", {"seller"}, password=PASSWORD)
    page = browser_page

    sign_in(page, seller.email)
    page.click("header nav a[href='/sell/']")
    page.click("main a[href='/sell/datasets/new/']")
    page.fill("input[name=title]", "トンネル内ひずみ Tunnel strain")
    page.fill("textarea[name=description]", "北陸トンネルのひずみゲージ。")
    page.check("input[name=data_class][value=iot]")
    assert page.locator("#appi-fields").is_hidden(), "APPI fields only for anonymised data"
    page.check("input[name=data_class][value=anonymized]")
    assert page.locator("#appi-fields").is_visible()
    page.check("input[name=data_class][value=iot]")
    page.select_option("select[name=category]", "infrastructure")
    page.fill("input[name=tags]", "tunnel、ひずみ")
    page.fill("input[name=region]", "富山県")
    page.select_option("select[name=update_frequency]", "hourly")
    page.click("#dataset-form button[type=submit]")
    page.wait_for_url("**/upload/")
    dataset = Dataset.objects.get(seller=seller.organization)
    assert dataset.status == "draft"

    page.set_input_files(
        "input[name=file]", files=[{"name": "strain.csv", "mimeType": "text/csv", "buffer": strain_csv(40)}]
    )
    with page.expect_response(
        lambda r: r.url.endswith(f"/api/v1/datasets/{dataset.id}/versions") and r.request.method == "POST"
    ) as upload:
        page.click("#upload-form button[type=submit]")
    assert upload.value.status == 202, upload.value.text()
    assert upload.value.request.headers.get("x-csrftoken"), "the session upload carries the CSRF token"
    page.wait_for_url(f"**/sell/datasets/{dataset.id}/versions/1/")

    assert page.inner_text("#version-status") == "公開中"
    checks = page.locator("#checks li")
    assert checks.count() >= 6
    assert page.locator("#checks li.fail").count() == 0
    assert "チェックサム" in page.inner_text("#checks")
    page.screenshot(path=SCREENSHOTS / "ichiba-version.png", full_page=True)

    version = DatasetVersion.objects.get(dataset=dataset)
    assert version.status == "published" and version.row_count == 40
    dataset.refresh_from_db()
    assert dataset.status == "published"
