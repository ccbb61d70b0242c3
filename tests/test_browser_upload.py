"""A seller uploads a Parquet file and a Shift_JIS (cp932) CSV from the web page, in a real headless Chromium: the
progress bar climbs to 100 % and tells the bytes sent, then the validation's checks appear on the same page, which
does not scroll sideways on a 390 px phone.

Celery runs eagerly in the live server (the test settings), so the version is decided when the upload's 202
arrives; the page polls it all the same.
"""

from __future__ import annotations

import io
import os
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog.models import DatasetVersion
from catalog.services.datasets import dataset_create
from tests.browser import PASSWORD, SCREENSHOTS, sign_in
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 2_000
# Records the progress bar's aria-valuenow each time it changes, from the moment the form is submitted.
_WATCH_PROGRESS = """() => {
  const bar = document.querySelector("#upload-form .progress");
  window.progressSeen = [];
  new MutationObserver(() => window.progressSeen.push(Number(bar.getAttribute("aria-valuenow"))))
    .observe(bar, { attributes: true, attributeFilter: ["aria-valuenow"] });
}"""


def _readings() -> dict[str, list[Any]]:
    return {
        "timestamp": [f"2024-04-01T{i // 60 % 24:02d}:{i % 60:02d}:00+09:00" for i in range(ROWS)],
        "sensor_id": [f"SG-0{i % 3 + 1}" for i in range(ROWS)],
        "strain_microstrain": [100 + i * 0.5 for i in range(ROWS)],
    }


def _parquet() -> bytes:
    """The readings as an IoT gateway writes them: the timestamps typed, not text."""
    readings = _readings()
    table = pa.table(
        {
            "timestamp": [datetime.fromisoformat(value) for value in readings["timestamp"]],
            "sensor_id": readings["sensor_id"],
            "strain_microstrain": readings["strain_microstrain"],
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _cp932_csv() -> bytes:
    readings = _readings()
    lines = ["timestamp,sensor_id,strain_microstrain,状態"]
    for i in range(ROWS):
        lines.append(f"{readings['timestamp'][i]},{readings['sensor_id'][i]},{readings['strain_microstrain'][i]},正常")
    return ("\n".join(lines) + "\n").encode("cp932")


def _upload(page: Any, dataset_id: str, name: str, mime: str, body: bytes, number: int) -> None:
    page.goto(f"/sell/datasets/{dataset_id}/upload/")
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": mime, "buffer": body}])
    page.evaluate(_WATCH_PROGRESS)
    with page.expect_response(
        lambda r: r.url.endswith(f"/api/v1/datasets/{dataset_id}/versions") and r.request.method == "POST"
    ) as upload:
        page.click("#upload-form button[type=submit]")
    assert upload.value.status == 202, upload.value.text()
    result = page.locator("#upload-result")
    result.locator("#checks").wait_for()
    progress = page.locator("#upload-form [role=progressbar]")
    assert progress.get_attribute("aria-valuenow") == "100"
    seen = page.evaluate("window.progressSeen")
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen), seen
    # The bytes sent of the total, in the page's language (the file is a few dozen KB).
    assert "KB" in (progress.get_attribute("aria-valuetext") or "")
    assert result.locator("#version-status").inner_text() == "公開中"
    assert result.locator("#checks li.fail").count() == 0
    assert result.locator("#checks li").count() >= 6
    assert result.locator(f"a[href$='/versions/{number}/']").count() == 1


def test_seller_uploads_parquet_and_cp932_csv_with_progress(browser_page: Any) -> None:
    seller = make_party("Tohoku Strain Works", {"seller"}, password=PASSWORD)
    dataset = dataset_create(
        seller_id=seller.organization.id,
        title="東北橋梁ひずみ Tohoku bridge strain",
        description="ひずみゲージの計測値。",
        data_class="iot",
        category="infrastructure",
        tags=["bridge"],
        region="宮城県",
        update_frequency="hourly",
    )
    page = browser_page
    sign_in(page, seller.email)

    _upload(page, str(dataset.id), "strain.parquet", "application/vnd.apache.parquet", _parquet(), 1)
    assert "Parquet" in page.inner_text("#upload-result #checks li[data-check=encoding]")

    _upload(page, str(dataset.id), "strain-sjis.csv", "text/csv", _cp932_csv(), 2)
    assert "Shift_JIS" in page.inner_text("#upload-result #checks li[data-check=encoding]")
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at 390 px"
    page.screenshot(path=SCREENSHOTS / "ichiba-upload-result-390.png", full_page=True)

    versions = {v.number: v for v in DatasetVersion.objects.filter(dataset=dataset)}
    assert versions[1].file_format == "parquet" and versions[1].row_count == ROWS
    assert versions[2].file_format == "csv" and versions[2].row_count == ROWS
    assert all(version.status == "published" for version in versions.values())
    # Both were profiled after publication (eagerly here): their quality figures are stored.
    assert all(version.quality.get("columns") for version in versions.values()), [
        version.quality for version in versions.values()
    ]
    # The seller sees them on each version's page: per column, and how regularly the sensors report.
    for number in (1, 2):
        page.goto(f"/sell/datasets/{dataset.id}/versions/{number}/")
        panel = page.locator("#quality")
        panel.locator("#quality-columns").wait_for()
        assert "strain_microstrain" in panel.locator("#quality-columns").inner_text()
        assert panel.locator("#quality-interval").inner_text().startswith("中央値"), panel.inner_text()
        assert panel.locator("#quality-freshness").inner_text().strip() != "—"


@pytest.mark.parametrize(
    ("lang", "said"),
    [("ja", "ファイルはテキストではなく、PNG 画像です。"), ("en", "The file is a PNG image, not text.")],
)
def test_the_pages_script_says_why_the_api_refused_a_file_in_the_pages_language(
    browser_page: Any, lang: str, said: str
) -> None:
    """The script sends the file to the API, which answers in English (ADR 9); the page says it in its language."""
    seller = make_party("Tohoku Strain Works", {"seller"}, password=PASSWORD)
    dataset = dataset_create(
        seller_id=seller.organization.id,
        title="東北橋梁ひずみ Tohoku bridge strain",
        description="ひずみゲージの計測値。",
        data_class="iot",
        category="infrastructure",
        tags=["bridge"],
        region="宮城県",
        update_frequency="hourly",
    )
    page = browser_page
    sign_in(page, seller.email)
    if lang == "en":
        page.click("header .lang-form button[name=language]")
        page.wait_for_load_state()
    page.goto(f"/sell/datasets/{dataset.id}/upload/")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    page.set_input_files("input[name=file]", files=[{"name": "readings.csv", "mimeType": "text/csv", "buffer": png}])
    with page.expect_response(lambda r: r.url.endswith(f"/api/v1/datasets/{dataset.id}/versions")) as upload:
        page.click("#upload-form button[type=submit]")
    assert upload.value.status == 400 and upload.value.json()["detail"].startswith("The file is a PNG image, not text.")
    status = page.locator("#upload-form .upload-status.error")
    status.wait_for()
    assert status.inner_text().startswith(said)
    assert "(file: binary)" not in status.inner_text()
    assert not DatasetVersion.objects.filter(dataset=dataset).exists()
