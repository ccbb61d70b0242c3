"""Text the services store or say in plain English, shown on the Japanese site in Japanese: an order form's
refusal at its field, the reasons and actors of histories, validation checks, the API error type pages,
times with their zone, and the small wording fixes of the browser review. The API keeps its English."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from catalog.models import DatasetVersion
from catalog.web.checks import check_detail
from config.api.problems import PROBLEM_TYPES, problem
from contracts.web.history import event_actor, event_reason
from tests.builders import (
    Party,
    bid_form,
    conclude,
    offer,
    publish,
    published_dataset,
    published_offering,
    review_and_confirm,
    section,
    signed_in,
    text,
    trade,
)

pytestmark = pytest.mark.django_db

JST_MINUTES = r"\d{4}-\d\d-\d\d \d\d:\d\d JST"


def squashed(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


# --- the bid form: a refusal of the service, at its field, in the reader's words ---------------------------


@pytest.mark.parametrize(
    ("lang", "said"),
    [("en", "The expiry must be in the future."), ("ja", "有効期限には未来の日時を指定してください。")],
)
def test_a_bid_expiring_in_the_past_says_so_once_at_the_expiry(seller, buyer, lang: str, said: str) -> None:
    offering = offer(seller)
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = review_and_confirm(
        signed_in(buyer, lang=lang),
        offering,
        bid_form(offering, price=900, quantity=1, time_in_force="gtd", expires_at=past),
    )
    page = text(response)
    assert response.status_code == 400
    assert said in section(page, f"field-bid-{str(offering.id)[:8]}-expires_at")
    assert page.count(said) == 1
    assert "expires_at is in the past" not in page and ">must be in the future" not in page
    assert ("注文の内容が正しくありません。" if lang == "ja" else "The order is not valid.") in page


def test_the_api_keeps_its_english_problem_for_a_past_expiry(seller, buyer) -> None:
    offering = offer(seller)
    response = buyer.client.post(
        "/api/v1/orders",
        {
            "offering": str(offering.id),
            "side": "buy",
            "price": 900,
            "quantity": 1,
            "time_in_force": "gtd",
            "expires_at": (timezone.now() - timedelta(days=1)).isoformat(),
            "accepted_terms_sha256": offering.terms_sha256,
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    body = response.json()
    assert response.status_code == 400, body
    assert body["detail"] == "expires_at is in the past." and body["errors"] == {
        "expires_at": ["must be in the future"]
    }
    assert body["title"] == "Invalid request"


# --- histories: stored reasons and actors as people read them --------------------------------------------


def test_event_reasons_and_actors_are_translated_and_unknown_ones_kept() -> None:
    with translation.override("ja"):
        assert event_reason("trade executed") == "約定"
        assert event_reason("trade d0c8e2dd-c507-4adf-99a4-fec78a18f613") == "約定 d0c8e2dd-c507-4adf-99a4-fec78a18f613"
        assert event_reason("capture: first download") == "代金の請求：初回の完全ダウンロード"
        assert event_reason("capture: acceptance window passed") == "代金の請求：検収期間の終了"
        assert event_reason("authorise: card_declined: Your card was declined.") == (
            "決済承認：card_declined: Your card was declined."
        )
        assert event_reason("granted") == "利用権の付与" and event_reason("payment authorised") == "決済承認済み"
        assert event_reason("something the operator typed") == "something the operator typed"
        assert event_actor("market") == "市場" and event_actor("system") == "システム"
        assert event_actor("ops@example.com") == "ops@example.com"
    with translation.override("en"):
        assert event_reason("capture: first download") == "payment charged: first complete download"


def test_purchase_history_in_japanese(seller, buyer, django_capture_on_commit_callbacks: Any) -> None:
    offering = published_offering(seller, django_capture_on_commit_callbacks, seats=10)
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    page = text(signed_in(buyer, lang="ja").get(f"/purchases/{settlement.id}/"))
    history = squashed(section(page, "purchase-history"))
    assert "約定" in history and "決済承認" in history and "利用権の付与" in history
    for english in ("trade executed", "authorise", "granted"):
        assert english not in history
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST", history), "times carry their zone"
    assert re.search(JST_MINUTES, squashed(page))


def test_contract_history_in_japanese(seller: Party, buyer: Party) -> None:
    contract = conclude(publish(seller, published_dataset(seller)), buyer)
    page = text(signed_in(buyer, lang="ja").get(f"/contracts/{contract.id}/"))
    events = squashed(page.split('id="events"')[1].split("</table>")[0])
    assert "約定 trade-web-1" in events and "市場" in events
    assert "market" not in events
    facts = squashed(page)
    assert re.search(rf"{JST_MINUTES} – {JST_MINUTES}", facts), "the term with its zone"


# --- validation checks and the time range --------------------------------------------------------------


def test_check_details_are_translated_when_known() -> None:
    with translation.override("ja"):
        assert (
            check_detail("parse", "CSV with 5 columns and 12,096 data rows.") == "5 列、データ 12,096 行の CSV です。"
        )
        assert check_detail("row_count", "12,096 rows.") == "12,096 行。"
        assert check_detail("checksum", f"SHA-256 {'a' * 64} matches the upload.") == (
            f"SHA-256 {'a' * 64} はアップロード時の値と一致します。"
        )
        unknown = "A sentence no rule knows."
        assert check_detail("parse", unknown) == unknown
    with translation.override("en"):
        assert check_detail("row_count", "1 rows.") == "1 row."


def test_version_page_in_japanese(seller: Party) -> None:
    dataset = published_dataset(seller)
    version = DatasetVersion.objects.get(dataset=dataset, number=1)
    assert any("matches the upload." in check["detail"] for check in version.checks), "stored as written"
    page = text(signed_in(seller, lang="ja").get(f"/sell/datasets/{dataset.id}/versions/1/"))
    checks = squashed(section(page, "checks"))
    assert "はアップロード時の値と一致します。" in checks
    assert "3 列、データ 20 行の CSV です。" in checks and "20 行。" in checks
    assert "タイムスタンプ列 &#x27;timestamp&#x27;：" in checks
    assert "matches the upload" not in checks and "data rows" not in checks
    assert "2024-04-01 00:00 JST – 2024-04-01 00:19 JST" in squashed(page)
    assert "T00:00:00+09:00" not in squashed(page).split("スキーマ")[0].split("ファイル")[-1]


def test_dataset_page_shows_the_time_range_and_territory_as_people_read_them(client, seller: Party) -> None:
    dataset = published_dataset(seller)
    publish(seller, dataset, territory="DE, JP")
    page = squashed(text(signed_in(seller, lang="ja").get(f"/datasets/{dataset.id}/")))
    assert "2024-04-01 00:00 JST – 2024-04-01 00:19 JST" in page
    assert "ドイツ (DE), 日本 (JP)" in page


# --- the API error type pages ----------------------------------------------------------------------------


def test_problem_pages_in_japanese_and_the_api_titles_in_english(client) -> None:
    page = text(client.get("/problems/personal-data-refused", headers={"accept-language": "ja"}))
    assert "個人データはここでは取引されません" in page and "情報銀行" in page
    listing = text(client.get("/problems/", headers={"accept-language": "ja"}))
    assert "無効なリクエスト" in listing and "<code>errors</code>" in listing and "`" not in squashed(listing)
    english = text(client.get("/problems/", headers={"accept-language": "en"}))
    assert "Personal data is not traded here" in english
    with translation.override("ja"):
        assert problem(400, "invalid", "x")["title"] == "Invalid request"
        assert PROBLEM_TYPES["market-rule"][0] == "Refused by a market rule"


# --- wording ---------------------------------------------------------------------------------------------


def test_cancel_is_one_word_and_no_ascii_full_stop_in_japanese(seller: Party, buyer: Party) -> None:
    offering = offer(seller)
    client = signed_in(buyer, lang="ja")
    review_and_confirm(client, offering, bid_form(offering, price=900, quantity=1))
    orders = text(client.get("/orders/"))
    assert "取り消す" in orders and "キャンセル" not in orders
    page = squashed(text(client.get(f"/offerings/{offering.id}/")))
    assert "準拠）。" in page and "準拠）." not in page


def test_the_market_names_its_territory_in_the_readers_language(rf, seller: Party) -> None:
    from marketplace.web.orders import market_for

    offering = offer(seller, territory=["DE", "JP"])
    market = market_for(rf.get("/"), offering)
    with translation.override("ja"):
        assert market.territory_names == "ドイツ (DE), 日本 (JP)"
    with translation.override("en"):
        assert market.territory_names == "Germany (DE), Japan (JP)"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2024-11-01T00:00:00+09:00", "2024-11-01 00:00 JST"),
        ("2024-11-01T00:00:00", "2024-11-01 00:00"),  # no offset: its zone is not known, so none is claimed
        ("9999-12-31T23:00:00+00:00", "9999-12-31T23:00:00+00:00"),  # past the calendar in Japan: as written
        ("0001-01-01T00:00:00+10:00", "0001-01-01T00:00:00+10:00"),
        ("not a time", "not a time"),
    ],
)
def test_times_show_with_their_zone_and_edge_of_calendar_ones_as_written(stored: str, shown: str) -> None:
    from contracts.templatetags.ichiba import when

    assert when(stored) == shown
