"""The web pages as people use them (Django test client): catalog, dataset page, seller pages, i18n."""

from __future__ import annotations

import html
import io
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog.models import Dataset, DatasetVersion
from catalog.services.datasets import dataset_create
from catalog.services.versions import version_upload, version_validate
from config.market import market_settings
from tests.builders import Party, make_party

pytestmark = pytest.mark.django_db

ANONYMIZATION: dict[str, Any] = {
    "quasi_identifiers": ["age_band", "prefecture"],
    "personal_info_items": ["age band", "prefecture of residence", "purchase category"],
    "method": "Ages generalised to 10-year bands; addresses to prefecture; rare combinations suppressed.",
}


def iot_csv(rows: int = 30) -> bytes:
    lines = ["timestamp,sensor_id,strain_microstrain,temperature_c"]
    for i in range(rows):
        lines.append(
            f"2024-04-01T{i // 6:02d}:{(i % 6) * 10:02d}:00+09:00,SG-0{i % 3 + 1},{100 + i * 0.5},{18 + i % 5}"
        )
    return ("\n".join(lines) + "\n").encode()


def anonymized_csv(rows: int = 40, extra: str = "") -> bytes:
    lines = ["age_band,prefecture,category,amount_jpy"]
    for i in range(rows):
        lines.append(f"{20 + (i % 2) * 10}-{29 + (i % 2) * 10},{'Osaka' if i % 4 < 2 else 'Kyoto'},food,{100 + i}")
    return ("\n".join(lines) + "\n" + extra).encode()


def signed_in(party: Party) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=party.email))
    return client


def make_dataset(party: Party, *, content: bytes | None = None, **fields: Any) -> Dataset:
    """A dataset through the services; with ``content``, also a validated first version."""
    values: dict[str, Any] = {
        "title": "Bridge strain gauges 橋梁ひずみ",
        "description": "Strain at six gauges on the Yodogawa bridge, every 10 minutes.",
        "data_class": "iot",
        "category": "infrastructure",
        "tags": ["bridge", "strain"],
        "region": "Osaka",
        "update_frequency": "daily",
        **fields,
    }
    dataset = dataset_create(seller_id=party.organization.id, **values)
    if content is not None:
        version = version_upload(
            dataset_id=dataset.id,
            seller_id=party.organization.id,
            upload=ContentFile(content, name="data.csv"),
            original_filename="data.csv",
        )
        version = version_validate(version_id=version.id)
        assert version.status == "published", version.checks
    dataset.refresh_from_db()
    return dataset


def text(response: Any) -> str:
    return response.content.decode()


# --- catalog ---------------------------------------------------------------------------------------


def test_catalog_lists_published_datasets_and_filters(client, seller, other_seller) -> None:
    bridge = make_dataset(seller, content=iot_csv())
    retail = make_dataset(
        other_seller,
        content=anonymized_csv(),
        title="Supermarket baskets 購買履歴",
        description="Anonymised purchases by age band and prefecture.",
        data_class="anonymized",
        category="retail",
        tags=["retail", "購買"],
        region="Kansai",
        anonymization=ANONYMIZATION,
    )
    draft = make_dataset(seller, title="Unpublished tunnel data")

    page = text(client.get("/"))
    assert bridge.title in page and retail.title in page
    assert draft.title not in page, "drafts are not listed"
    assert "Kansai Bridge Monitoring" in page and "v1" in page

    def titles(query: str) -> set[str]:
        body = text(client.get("/" + query))
        return {title for title in (bridge.title, retail.title) if title in body}

    assert titles("?q=bridge") == {bridge.title}
    assert titles("?q=購買") == {retail.title}
    assert titles("?data_class=anonymized") == {retail.title}
    assert titles("?category=infrastructure") == {bridge.title}
    assert titles("?tag=retail") == {retail.title}
    assert titles(f"?seller={other_seller.id}") == {retail.title}
    assert titles("?category=nonsense") == {bridge.title, retail.title}, "an invalid filter is ignored"

    empty = client.get("/?q=zzzunknownzzz")
    assert empty.status_code == 200 and "No dataset matches your search." in text(empty)


def test_catalog_empty_state_and_owner_sees_own_draft(client, seller) -> None:
    assert "No datasets are listed yet." in text(client.get("/"))
    draft = make_dataset(seller, title="Tunnel draft")
    assert draft.title in text(signed_in(seller).get("/"))


def test_catalog_paginates(client, seller) -> None:
    for i in range(14):
        make_dataset(seller, content=iot_csv(10), title=f"Gauge set {i}")
    first = text(client.get("/"))
    assert first.count('class="card"') == 12
    more = re.search(r'rel="next" href="([^"]+)"', first)
    assert more, "a link to the next page"
    second = text(client.get("/" + html.unescape(more.group(1))))
    assert second.count('class="card"') == 2 and 'rel="prev"' in second and 'rel="next"' not in second
    assert not set(re.findall(r"Gauge set \d+", first)) & set(re.findall(r"Gauge set \d+", second))


# --- dataset page ----------------------------------------------------------------------------------


def test_dataset_page_shows_appi_disclosure_schema_and_sample(client, seller) -> None:
    dataset = make_dataset(
        seller,
        content=anonymized_csv(40),
        title="Supermarket baskets",
        data_class="anonymized",
        category="retail",
        anonymization=ANONYMIZATION,
    )
    response = client.get(f"/datasets/{dataset.id}/")
    assert response.status_code == 200
    page = text(response)
    assert "anonymously processed information (匿名加工情報)" in page
    assert "Re-identification is prohibited" in page
    for item in ["age_band", "prefecture", "prefecture of residence", ANONYMIZATION["method"]]:
        assert item in page
    schema = page.split('id="schema"')[1].split("</section>")[0]
    for column in ["age_band", "prefecture", "category", "amount_jpy"]:
        assert f"<code>{column}</code>" in schema
    sample = page.split('id="sample"')[1].split("</table>")[0]
    assert sample.count("<tr>") == 21, "header and 20 sample rows"
    assert "Osaka" in sample and "Kyoto" in sample and "100" in sample
    assert "No offerings yet." in page
    version = DatasetVersion.objects.get(dataset=dataset)
    assert version.sha256[:12] in page


def test_iot_dataset_page_has_no_appi_box_and_shows_facts(client, seller) -> None:
    dataset = make_dataset(seller, content=iot_csv())
    page = text(client.get(f"/datasets/{dataset.id}/"))
    assert "Disclosure under the APPI" not in page
    assert "Daily" in page and "Osaka" in page and "Infrastructure" in page
    assert "#bridge" in page and "Kansai Bridge Monitoring" in page
    assert "SG-01" in page


def test_other_seller_cannot_see_a_draft(client, seller, other_seller) -> None:
    draft = make_dataset(seller, title="Secret draft")
    assert signed_in(seller).get(f"/datasets/{draft.id}/").status_code == 200
    for viewer in (signed_in(other_seller), client):
        response = viewer.get(f"/datasets/{draft.id}/")
        assert response.status_code == 404
        assert "Secret draft" not in text(response)
    other = signed_in(other_seller)
    assert other.get(f"/sell/datasets/{draft.id}/edit/").status_code == 404
    assert other.get(f"/sell/datasets/{draft.id}/upload/").status_code == 404
    assert other.post(f"/sell/datasets/{draft.id}/withdraw/").status_code == 404
    assert client.get(f"/datasets/{uuid.uuid4()}/").status_code == 404


# --- access to the seller pages --------------------------------------------------------------------


def seller_urls(dataset: Dataset) -> list[str]:
    return [
        "/sell/",
        "/sell/datasets/new/",
        f"/sell/datasets/{dataset.id}/edit/",
        f"/sell/datasets/{dataset.id}/upload/",
        f"/sell/datasets/{dataset.id}/versions/1/",
    ]


def test_anonymous_is_sent_to_sign_in_and_buyer_gets_403(client, seller, buyer) -> None:
    dataset = make_dataset(seller, content=iot_csv())
    as_buyer = signed_in(buyer)
    for url in seller_urls(dataset):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next="), url
        forbidden = as_buyer.get(url)
        assert forbidden.status_code == 403, url
        assert "Only organisations with the seller role" in text(forbidden)
    assert as_buyer.post(f"/sell/datasets/{dataset.id}/withdraw/").status_code == 403
    assert "My datasets" not in text(as_buyer.get("/")), "no seller navigation for buyers"
    assert "My datasets" in text(signed_in(seller).get("/"))


def test_sign_in_with_email_and_sign_out_with_post(client) -> None:
    make_party("Tokyo Analytics", {"buyer"}, password="correct horse 123")
    page = text(client.get("/login/"))
    assert 'type="email"' in page
    response = client.post(
        "/login/", {"username": "Tokyo-Analytics@Example.test", "password": "correct horse 123", "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    home = text(client.get("/"))
    assert "Tokyo Analytics" in home and 'action="/logout/"' in home
    assert client.get("/logout/").status_code == 405, "signing out is a POST"
    assert client.post("/logout/").status_code == 302
    assert "Tokyo Analytics" not in text(client.get("/"))
    wrong = client.post("/login/", {"username": "tokyo-analytics@example.test", "password": "nope"})
    assert wrong.status_code == 200 and "wrong" in text(wrong)


# --- creating and editing datasets -----------------------------------------------------------------


def form_data(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Tunnel humidity トンネル湿度",
        "description": "Humidity in the Hokuriku tunnel.",
        "data_class": "iot",
        "category": "infrastructure",
        "tags": "tunnel, humidity、湿度",
        "region": "Toyama",
        "update_frequency": "hourly",
        "quasi_identifiers": "",
        "personal_info_items": "",
        "method": "",
        **overrides,
    }


def test_create_dataset_through_the_form(seller) -> None:
    client = signed_in(seller)
    page = text(client.get("/sell/datasets/new/"))
    assert 'value="anonymized"' in page and 'value="iot"' in page and 'value="personal"' not in page
    assert "information bank" in page, "the form says why personal data is not accepted"

    response = client.post("/sell/datasets/new/", form_data())
    dataset = Dataset.objects.get(seller=seller.organization)
    assert response.status_code == 302 and response["Location"] == f"/sell/datasets/{dataset.id}/upload/"
    assert dataset.status == "draft" and dataset.title == "Tunnel humidity トンネル湿度"
    assert sorted(tag.name for tag in dataset.tags.all()) == ["humidity", "tunnel", "湿度"]
    assert (dataset.region, dataset.update_frequency, dataset.anonymization) == ("Toyama", "hourly", {})
    assert "created as a draft" in text(client.get(response["Location"]))

    anonymized = client.post(
        "/sell/datasets/new/",
        form_data(
            title="Baskets",
            data_class="anonymized",
            quasi_identifiers="age_band, prefecture",
            personal_info_items="age band、prefecture of residence",
            method="Ages generalised to 10-year bands.",
        ),
    )
    assert anonymized.status_code == 302
    created = Dataset.objects.get(title="Baskets")
    assert created.anonymization == {
        "quasi_identifiers": ["age_band", "prefecture"],
        "personal_info_items": ["age band", "prefecture of residence"],
        "method": "Ages generalised to 10-year bands.",
    }


def field_errors(page: str, field: str) -> str:
    match = re.search(rf'id="field-{field}".*?(?=<div class="field|<fieldset|<div class="form-actions)', page, re.S)
    assert match, field
    return match.group(0)


def test_create_dataset_form_shows_errors_per_field(seller) -> None:
    client = signed_in(seller)
    response = client.post("/sell/datasets/new/", form_data(title="", data_class="anonymized"))
    assert response.status_code == 200
    page = text(response)
    assert "This field is required." in field_errors(page, "title")
    for field in ("quasi_identifiers", "personal_info_items", "method"):
        assert "Required for anonymously processed information" in field_errors(page, field), field
    assert 'value="Tunnel humidity' not in page and "Humidity in the Hokuriku tunnel." in page, "input is kept"

    personal = text(client.post("/sell/datasets/new/", form_data(data_class="personal")))
    explanation = field_errors(personal, "data_class").split('id="personal-data-note"')[0]
    assert "Personal data cannot be listed on Ichiba" in explanation and "information bank" in explanation
    assert not Dataset.objects.exists()


def test_service_refusal_is_shown_on_the_form(seller, monkeypatch) -> None:
    from catalog.services import datasets
    from config.errors import InvalidInput

    def refuse(**kwargs: Any) -> None:
        raise InvalidInput("A tag has at most 50 characters.", errors={"tags": ["too long"]})

    monkeypatch.setattr(datasets, "dataset_create", refuse)
    page = text(signed_in(seller).post("/sell/datasets/new/", form_data()))
    assert "A tag has at most 50 characters." in field_errors(page, "tags")


def test_edit_withdraw_and_list_again(client, seller) -> None:
    dataset = make_dataset(
        seller, content=anonymized_csv(), data_class="anonymized", category="retail", anonymization=ANONYMIZATION
    )
    owner = signed_in(seller)
    edit = text(owner.get(f"/sell/datasets/{dataset.id}/edit/"))
    assert "Bridge strain gauges" in edit and "cannot change once a version is published" in edit
    response = owner.post(
        f"/sell/datasets/{dataset.id}/edit/",
        {
            "title": "Baskets v2",
            "description": "New text",
            "category": "retail",
            "tags": "a, b",
            "region": "Kyoto",
            "update_frequency": "monthly",
            "method": "ignored: the disclosure is fixed",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/datasets/{dataset.id}/"
    dataset.refresh_from_db()
    assert (dataset.title, dataset.region, dataset.update_frequency) == ("Baskets v2", "Kyoto", "monthly")
    assert dataset.anonymization == ANONYMIZATION
    assert "The changes were saved." in text(owner.get(response["Location"]))

    assert owner.get(f"/sell/datasets/{dataset.id}/withdraw/").status_code == 405
    owner.post(f"/sell/datasets/{dataset.id}/withdraw/", {"reason": "sensor recalibration"})
    dataset.refresh_from_db()
    assert dataset.status == "withdrawn"
    assert "Baskets v2" not in text(client.get("/"))
    page = text(client.get(f"/datasets/{dataset.id}/"))
    assert "withdrawn by its seller" in page
    owner.post(f"/sell/datasets/{dataset.id}/relist/")
    dataset.refresh_from_db()
    assert dataset.status == "published"
    again = text(owner.post(f"/sell/datasets/{dataset.id}/relist/", follow=True))
    assert "cannot become published" in again, "the service's refusal is shown as a message"


# --- uploading versions ----------------------------------------------------------------------------


def test_upload_through_the_plain_form_and_see_the_checks(seller, buyer, django_capture_on_commit_callbacks) -> None:
    client = signed_in(seller)
    dataset = make_dataset(seller)
    page = text(client.get(f"/sell/datasets/{dataset.id}/upload/"))
    assert f'data-api-url="/api/v1/datasets/{dataset.id}/versions"' in page and "upload.js" in page

    content = iot_csv(30)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/sell/datasets/{dataset.id}/upload/",
            {"file": SimpleUploadedFile("strain.csv", content, content_type="text/csv")},
        )
    assert response.status_code == 302, text(response)
    assert response["Location"] == f"/sell/datasets/{dataset.id}/versions/1/"
    version = DatasetVersion.objects.get(dataset=dataset)
    assert version.status == "published" and version.original_filename == "strain.csv"

    page = text(client.get(response["Location"]))
    assert "Published" in page and version.sha256 in page and "strain.csv" in page
    checks = page.split('id="checks"')[1].split("</ul>")[0]
    assert checks.count('class="pass"') == len(version.checks) >= 6 and 'class="fail"' not in checks
    assert "Checksum (SHA-256)" in checks and "Timestamps" in checks
    assert version.checks[0]["detail"] in page.replace("&#x27;", "'")
    assert "<code>strain_microstrain</code>" in page

    assert "v1" in text(signed_in(buyer).get(f"/datasets/{dataset.id}/"))
    assert dataset.title in text(signed_in(buyer).get("/?q=bridge"))


def test_parquet_and_shift_jis_uploads_through_the_plain_form(
    seller, buyer, django_capture_on_commit_callbacks
) -> None:
    """IoT data lives in Parquet and Japanese spreadsheets write Shift_JIS: both are taken by the form, validated and
    shown with their sample."""
    client = signed_in(seller)
    dataset = make_dataset(seller)
    assert ".parquet" in text(client.get(f"/sell/datasets/{dataset.id}/upload/"))
    table = pa.table(
        {
            "timestamp": pa.array(
                [datetime(2024, 4, 1, i // 6, (i % 6) * 10, tzinfo=UTC) for i in range(30)], pa.timestamp("s", tz="UTC")
            ),
            "sensor_id": [f"SG-0{i % 3 + 1}" for i in range(30)],
            "strain_microstrain": [100.0 + i for i in range(30)],
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    sjis = "timestamp,地点,ひずみ\n" + "".join(f"2024-04-02T00:{i:02d}:00+09:00,大阪,{i}\n" for i in range(30))
    for number, (name, content) in enumerate(
        [("strain.parquet", buffer.getvalue()), ("strain-sjis.csv", sjis.encode("cp932"))], start=1
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/sell/datasets/{dataset.id}/upload/", {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 302, text(response)
        version = DatasetVersion.objects.get(dataset=dataset, number=number)
        assert version.status == "published", version.checks
        page = text(client.get(response["Location"]))
        assert "Published" in page and name in page
    assert DatasetVersion.objects.get(dataset=dataset, number=1).file_format == "parquet"
    assert "Shift_JIS (cp932)." in text(client.get(f"/sell/datasets/{dataset.id}/versions/2/"))
    assert "大阪" in text(signed_in(buyer).get(f"/datasets/{dataset.id}/")), "the sample of the latest version"


def test_rejected_upload_shows_failed_checks_to_the_owner_only(
    seller, buyer, django_capture_on_commit_callbacks
) -> None:
    client = signed_in(seller)
    dataset = make_dataset(seller, data_class="anonymized", category="retail", anonymization=ANONYMIZATION)
    leaked = anonymized_csv(40, extra="30-39,Osaka,food,taro.yamada@example.com\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/sell/datasets/{dataset.id}/upload/", {"file": SimpleUploadedFile("leak.csv", leaked)})
    page = text(client.get(response["Location"]))
    assert "Rejected" in page and 'class="fail"' in page
    assert re.search(r'class="fail" data-check="direct_identifiers"', page)
    assert "taro.yamada@example.com" not in page
    owner_view = text(client.get(f"/datasets/{dataset.id}/"))
    assert "See the checks" in owner_view and "Rejected" in owner_view
    assert signed_in(buyer).get(f"/datasets/{dataset.id}/").status_code == 404, "still a draft"


def test_plain_form_refuses_binary_and_missing_files(seller) -> None:
    client = signed_in(seller)
    dataset = make_dataset(seller)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    response = client.post(f"/sell/datasets/{dataset.id}/upload/", {"file": SimpleUploadedFile("data.csv", png)})
    assert response.status_code == 200 and "PNG" in text(response)
    response = client.post(f"/sell/datasets/{dataset.id}/upload/", {})
    assert response.status_code == 200 and "This field is required." in text(response)
    sheet = client.post(
        f"/sell/datasets/{dataset.id}/upload/", {"file": SimpleUploadedFile("data.xlsx", b"a,b\n1,2\n")}
    )
    assert sheet.status_code == 200 and ".csv" in text(sheet)
    too_large = iot_csv(2) + b"x" * (market_settings().max_upload_bytes + 100 * 1024)
    response = client.post(f"/sell/datasets/{dataset.id}/upload/", {"file": SimpleUploadedFile("big.csv", too_large)})
    assert response.status_code == 200 and "larger than the limit" in text(response)
    assert not DatasetVersion.objects.exists()


def test_plain_form_upload_checks_csrf(seller) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username=seller.email))
    dataset = make_dataset(seller)
    response = client.post(f"/sell/datasets/{dataset.id}/upload/", {"file": SimpleUploadedFile("a.csv", iot_csv())})
    assert response.status_code == 403 and "CSRF" in text(response)
    assert not DatasetVersion.objects.exists()


def test_my_datasets_lists_drafts_and_versions(seller, other_seller) -> None:
    make_dataset(seller, title="Draft one")
    make_dataset(seller, content=iot_csv(), title="Published one")
    make_dataset(other_seller, title="Not mine")
    page = text(signed_in(seller).get("/sell/"))
    assert "Draft one" in page and "Published one" in page and "Not mine" not in page
    assert "Draft" in page and "v1" in page


# --- languages and error pages ---------------------------------------------------------------------


def test_language_switch_between_japanese_and_english(client, seller) -> None:
    make_dataset(seller, content=iot_csv())
    english = text(client.get("/"))
    assert "Catalog" in english and "Sign in" in english and 'lang="en"' in english

    response = client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    japanese = text(client.get("/"))
    assert 'lang="ja"' in japanese
    assert "カタログ" in japanese and "ログイン" in japanese and "インフラ" in japanese
    assert "Sign in" not in japanese

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Sign in" in text(client.get("/"))


def test_browser_language_picks_japanese(seller) -> None:
    dataset = make_dataset(
        seller, content=anonymized_csv(), data_class="anonymized", category="retail", anonymization=ANONYMIZATION
    )
    page = text(Client(headers={"accept-language": "ja"}).get(f"/datasets/{dataset.id}/"))
    assert "匿名加工情報" in page and "再識別" in page and "サンプル" in page


def test_error_pages(client) -> None:
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "Back to the catalog" in text(missing)
    problems = client.get("/problems/")
    assert problems.status_code == 200 and "personal-data-refused" in text(problems)


def test_every_extracted_string_has_a_japanese_translation() -> None:
    """locale/ja: nothing extracted is left untranslated or fuzzy (re-run makemessages, then translate)."""
    po = (settings.LOCALE_PATHS[0] / "ja" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert (settings.LOCALE_PATHS[0] / "ja" / "LC_MESSAGES" / "django.mo").exists(), "run compilemessages"
    untranslated = []
    for entry in po.split("\n\n")[1:]:
        if entry.lstrip().startswith("#~"):
            continue
        assert "#, fuzzy" not in entry, entry
        msgid = re.search(r'^msgid "(.*)"', entry, re.M)
        translations = re.findall(r'^msgstr(?:\[\d+\])? ("(?:.*)"(?:\n".*")*)', entry, re.M)
        if msgid and (not translations or any(t.replace('"', "").strip() == "" for t in translations)):
            untranslated.append(msgid.group(1))
    assert not untranslated, untranslated
