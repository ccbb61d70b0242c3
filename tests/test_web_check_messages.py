"""Upload refusals and validation check details in the reader's language (catalog/web/checks.py), the API keeping
its English (ADR 9); the advice for identifiers found in data to be listed follows the APPI."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from catalog.models import Dataset, DatasetVersion
from catalog.services.datasets import dataset_create
from catalog.services.versions import version_upload, version_validate
from catalog.web.checks import check_detail, upload_refusal
from tests.builders import ANONYMIZATION, Party, anonymized_csv, section, signed_in, text

pytestmark = pytest.mark.django_db


def squashed(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def draft(seller: Party, *, data_class: str = "iot") -> Dataset:
    return dataset_create(
        seller_id=seller.organization.id,
        title="Gauges 計測",
        description="Strain gauges every minute.",
        data_class=data_class,
        category="infrastructure",
        tags=["bridge"],
        region="Osaka",
        update_frequency="daily",
        anonymization=ANONYMIZATION if data_class == "anonymized" else None,
    )


def validated(seller: Party, dataset: Dataset, content: bytes) -> DatasetVersion:
    version = version_upload(
        dataset_id=dataset.id,
        seller_id=seller.organization.id,
        upload=ContentFile(content, name="data.csv"),
        original_filename="data.csv",
    )
    return version_validate(version_id=version.id)


@pytest.mark.parametrize(
    ("lang", "advice", "label"),
    [
        (
            "ja",
            "仮名加工情報は第三者に提供できないため、仮名への置き換えでは足りません。",
            "直接識別子",
        ),
        (
            "en",
            "pseudonymously processed information may not be provided to third parties (APPI)",
            "direct identifiers",
        ),
    ],
)
def test_identifiers_in_anonymised_data_get_the_appi_advice_in_the_readers_language(
    seller: Party, lang: str, advice: str, label: str
) -> None:
    dataset = draft(seller, data_class="anonymized")
    header, *rows = anonymized_csv(40).decode().splitlines()
    leaked = "\n".join([f"{header},note", *(f"{row},taro.yamada{i}@example.com" for i, row in enumerate(rows))])
    version = validated(seller, dataset, leaked.encode())
    assert version.status == "rejected"
    stored = next(c["detail"] for c in version.checks if c["name"] == "direct_identifiers")
    assert "anonymously processed information may hold no identifier" in stored, "stored in English, as the API says"
    assert "pseudonymise the values" not in stored

    page = text(signed_in(seller, lang=lang).get(f"/sell/datasets/{dataset.id}/versions/1/"))
    checks = squashed(section(page, "checks"))
    assert advice in checks and label in checks
    assert "example.com" not in checks or "***" in checks, "the identifier itself is masked"
    if lang == "ja":
        assert "look like direct identifiers" not in checks and "before listing" not in checks
    api = seller.client.get(f"/api/v1/datasets/{dataset.id}/versions/1", headers={"accept-language": "ja"}).json()
    assert stored in [c["detail"] for c in api["checks"]], "the API keeps the stored English"


def test_the_advice_stored_before_is_shown_as_the_appi_advice() -> None:
    old = (
        "2 value(s) look like direct identifiers, in column(s) 'note' (2). First: line 2, column 'note': e-mail "
        "t***@example.com. Remove these columns or pseudonymise the values before listing."
    )
    with translation.override("en"):
        shown = check_detail("direct_identifiers", old)
    assert shown.startswith("2 value(s) look like direct identifiers, in column(s) 'note' (2). First: line 2")
    assert "pseudonymise the values" not in shown and "replacing them with pseudonyms is not enough" in shown
    with translation.override("ja"):
        assert "仮名加工情報は第三者に提供できない" in check_detail("direct_identifiers", old)


@pytest.mark.parametrize(
    ("name", "detail", "ja"),
    [
        ("encoding", "The file is empty.", "ファイルが空です。"),
        (
            "encoding",
            "The file contains NUL bytes (first at byte offset 9, line 1), so it is binary, not text: it looks like "
            "a PNG image. Upload a UTF-8 CSV or JSON Lines file.",
            "ファイルに NUL バイトが含まれている（最初はバイト位置 9、1 行目）ため、"
            "テキストではなくバイナリです：PNG 画像。",
        ),
        (
            "encoding",
            "The file is not valid UTF-8 (invalid byte 0xFF at line 3, byte offset 40). Re-save it as UTF-8.",
            "ファイルが正しい UTF-8 ではありません（3 行目、バイト位置 40：不正なバイト 0xFF）。",
        ),
        (
            "parse",
            "3 malformed record(s) (expected 5 fields each): line 4: 6 fields instead of 5. Fields that contain "
            "commas must be enclosed in double quotes.",
            "形式の正しくないレコードが 3 件あります（各レコードは 5 項目のはずです）：line 4: 6 fields instead of 5。"
            "カンマを含む項目はダブルクォートで囲む必要があります。",
        ),
        (
            "schema",
            "There are no data rows to infer column types from.",
            "列の型を推定するためのデータ行がありません。",
        ),
        (
            "timestamp",
            "timestamp column 'ts' has no values.",
            "タイムスタンプ列 'ts' に値がありません。",
        ),
        (
            "k_anonymity",
            "Declared quasi-identifier column(s) not found in the file: 'age'. The columns are: 'a', 'b'.",
            "申告された準識別子の列がファイルにありません：'age'。ファイルの列：'a', 'b'。",
        ),
    ],
)
def test_failed_check_details_are_translated_and_quote_the_file_as_it_is(name: str, detail: str, ja: str) -> None:
    with translation.override("ja"):
        assert ja in check_detail(name, detail)
    with translation.override("en"):
        assert check_detail(name, detail) == detail, "English is the stored sentence itself"


@pytest.mark.parametrize(
    ("lang", "binary", "larger"),
    [
        ("ja", "ファイルはテキストではなく、PNG 画像です。", "ファイルが上限の"),
        ("en", "The file is a PNG image, not text.", "The file is larger than the limit"),
    ],
)
def test_the_upload_page_says_why_a_file_was_refused_in_the_readers_language(
    seller: Party, lang: str, binary: str, larger: str
) -> None:
    dataset = draft(seller)
    client = signed_in(seller, lang=lang)
    url = f"/sell/datasets/{dataset.id}/upload/"
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    assert binary in squashed(text(client.post(url, {"file": SimpleUploadedFile("data.csv", png)})))
    with translation.override(lang):  # an empty file is the form field's own refusal, Django's words
        empty = str(forms.FileField.default_error_messages["empty"])
    assert empty in squashed(text(client.post(url, {"file": SimpleUploadedFile("data.csv", b"")})))
    with translation.override(lang):
        assert upload_refusal("The file is empty.") == ("ファイルが空です。" if lang == "ja" else "The file is empty.")
    assert not DatasetVersion.objects.exists()

    # The page's script reads the API's English answer: the page hands it the same table, translated.
    page = text(client.get(url))
    table: dict[str, Any] = json.loads(
        html.unescape(section(page, "upload-refusals").split(">", 1)[1].split("</script>")[0])
    )
    assert all("(?P<" not in rule["pattern"] for rule in table["rules"]), "named groups in JavaScript's syntax"
    assert any(larger in rule["message"] for rule in table["rules"])
    assert table["names"]["a PNG image"] == ("PNG 画像" if lang == "ja" else "a PNG image")
    api = seller.client.post(
        f"/api/v1/datasets/{dataset.id}/versions", {"file": SimpleUploadedFile("data.csv", png)}, format="multipart"
    )
    assert (
        api.status_code == 400
        and api.json()["detail"] == "The file is a PNG image, not text. Upload CSV, JSON Lines or Parquet."
    )
    for rule in table["rules"]:
        match = re.fullmatch(rule["pattern"].replace("(?<", "(?P<"), api.json()["detail"])
        if match:
            break
    else:
        pytest.fail("no rule of the page's table matches the API's refusal")
    with translation.override(lang):
        assert upload_refusal(api.json()["detail"]).startswith(binary)
