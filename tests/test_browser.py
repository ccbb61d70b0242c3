"""The site in a real headless Chromium (Playwright), against pytest-django's live server.

Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from a thread with
a running loop; the tests only create data before the browser starts and read it afterwards, so allowing
it here is safe.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from catalog.models import Dataset, DatasetVersion
from tests.browser import (
    PASSWORD,
    SCREENSHOTS,
    published_strain_dataset,
    sign_in,
    strain_csv,
)
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buyer_finds_a_dataset_and_sees_its_sample(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"})
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    dataset = published_strain_dataset(seller, tags=("橋梁", "bridge", "strain"))
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
    # The checks appear on the upload page as validation decides; the version page is a link away.
    page.locator("#upload-result #checks").wait_for()
    page.click("#upload-result a[href$='/versions/1/']")
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
