"""Requests for data on the web, in Japanese and English (issue 15): a verified seller's "Requests" with "Answer
with a private offer", a buyer's "Request data" form and "My requests", a request's page with its answers."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from deals.models import DataRequest
from deals.tests.data_requests_builders import answer, posted
from tests.builders import Party, make_party, section, signed_in, text

pytestmark = pytest.mark.django_db

RLO = "\u202e"
# Words a Japanese page may show in Latin letters: the market's name and zone, codes and abbreviations, and the
# language switch's own name for English.
LATIN_ALLOWED = {"Ichiba", "JST", "JPY", "USD", "ISO", "alpha", "IoT", "PDS", "API", "English"}


def readable(page: str) -> str:
    """The text a person reads on the page: no tags, scripts or styles, entities decoded, spaces squashed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def english_left(page: str, *typed: str) -> list[str]:
    """Latin words of three letters or more on a Japanese page, besides what people typed (``typed``: titles,
    names, purposes) and the allowed ones: an untranslated string shows up here."""
    shown = readable(page)
    for value in sorted(typed, key=len, reverse=True):
        shown = shown.replace(value, " ")
    return sorted({word for word in re.findall(r"[A-Za-z]{3,}", shown) if word not in LATIN_ALLOWED})


def form(**overrides: Any) -> dict[str, Any]:
    respond_by = timezone.localtime() + timedelta(days=30)
    return {
        "title": "Bridge vibration 橋梁振動",
        "description": "Hourly accelerometer readings.\r\nAny format.",
        "data_class": "iot",
        "category": "infrastructure",
        "territory": "jp、us, JP",
        "purpose": "Maintenance planning.",
        "budget_max": "300000",
        "currency": "JPY",
        "respond_by": respond_by.strftime("%Y-%m-%dT%H:%M"),
        **overrides,
    }


def typed_by(*parties: Party) -> tuple[str, ...]:
    """What people typed that the pages show: the requests' texts and the organisations' names."""
    texts = [party.organization.name for party in parties]
    for data_request in DataRequest.objects.all():
        texts += [data_request.title, data_request.purpose, *data_request.description.splitlines()]
    return tuple(texts)


# --- sellers: Requests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "nav", "heading", "answer_button", "anonymous_buyer"),
    [
        ("en", "Requests", "Requests for data", "Answer with a private offer", "a buyer who chose not to show"),
        ("ja", "データリクエスト", "データリクエスト", "非公開オファーで回答する", "名前を公開していない購入者"),
    ],
)
def test_a_seller_finds_the_open_requests_and_answers_with_a_private_offer(
    buyer: Party, seller: Party, lang: str, nav: str, heading: str, answer_button: str, anonymous_buyer: str
) -> None:
    hidden = posted(buyer, title="Hidden buyer's request")
    public = posted(buyer, title="Public buyer's request", public_identity=True)
    closed = posted(buyer, title="Closed request")
    buyer.client.post(f"/api/v1/data-requests/{closed['id']}/close")
    expired = posted(buyer, title="Expired request")
    DataRequest.objects.filter(pk=expired["id"]).update(respond_by=timezone.now() - timedelta(seconds=1))

    page = text(signed_in(seller, lang=lang).get("/data-requests/"))
    header = page[: page.index("<main")]
    assert 'href="/data-requests/"' in header and nav in header
    assert f"<h1>{heading}</h1>" in page
    hidden_card = html.unescape(section(page, f"data-request-{hidden['id']}"))
    assert anonymous_buyer in hidden_card and "Osaka Analytics" not in hidden_card
    assert f'href="/private-offers/new/?data_request={hidden["id"]}"' in hidden_card and answer_button in hidden_card
    assert "Osaka Analytics" in section(page, f"data-request-{public['id']}")
    assert str(buyer.organization.id) not in page
    assert "Closed request" not in page and "Expired request" not in page
    if lang == "ja":
        assert english_left(page, *typed_by(buyer, seller)) == []


def test_the_sellers_list_filters_by_data_class_and_category(buyer: Party, seller: Party) -> None:
    posted(buyer, title="Station footfall", data_class="anonymized", category="mobility")
    posted(buyer, title="Rooftop gusts", category="weather")
    client = signed_in(seller)
    page = text(client.get("/data-requests/?category=mobility"))
    assert "Station footfall" in page and "Rooftop gusts" not in page
    page = text(client.get("/data-requests/?data_class=iot"))
    assert "Rooftop gusts" in page and "Station footfall" not in page
    page = text(client.get("/data-requests/?category=space"))  # shown with its error, and ignored
    assert "Station footfall" in page and "Rooftop gusts" in page and 'class="errorlist"' in page


def test_who_may_open_the_pages(buyer: Party, seller: Party) -> None:
    created = posted(buyer)
    anonymous = Client()
    for url in ("/data-requests/", "/my-data-requests/", "/my-data-requests/new/", f"/data-requests/{created['id']}/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    unverified_seller = make_party("Unverified Sensors", {"seller"}, verified=False)
    refused = signed_in(unverified_seller).get("/data-requests/")
    assert refused.status_code == 403 and "Only sellers verified by the market operator" in text(refused)
    assert signed_in(unverified_seller).get(f"/data-requests/{created['id']}/").status_code == 404
    assert signed_in(buyer).get("/data-requests/").status_code == 403
    assert signed_in(seller).get("/my-data-requests/").status_code == 403
    assert signed_in(seller).get("/my-data-requests/new/").status_code == 403
    unverified_buyer = make_party("Unverified Retail", {"buyer"}, verified=False)
    refused = signed_in(unverified_buyer, lang="ja").get("/my-data-requests/new/")
    assert refused.status_code == 403 and "審査を受けた組織だけ" in text(refused)
    third = make_party("Nagoya Retail", {"buyer"})
    assert signed_in(third).get(f"/data-requests/{created['id']}/").status_code == 404
    assert signed_in(third).post(f"/data-requests/{created['id']}/close/").status_code == 404


def test_each_role_has_its_link_in_the_header(buyer: Party, seller: Party) -> None:
    both = make_party("Kyoto Mobility", {"buyer", "seller"})

    def header(party: Party) -> str:
        page = text(signed_in(party).get("/"))
        return page[: page.index("<main")]

    assert 'href="/data-requests/"' in header(seller) and 'href="/my-data-requests/"' not in header(seller)
    assert 'href="/my-data-requests/"' in header(buyer) and 'href="/data-requests/"' not in header(buyer)
    assert 'href="/data-requests/"' in header(both) and 'href="/my-data-requests/"' in header(both)


# --- buyers: Request data, My requests ----------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "done"), [("en", "Your request is open"), ("ja", "リクエストを掲載しました")])
def test_a_buyer_requests_data_through_the_form(buyer: Party, lang: str, done: str) -> None:
    client = signed_in(buyer, lang=lang)
    page = text(client.get("/my-data-requests/new/"))
    assert 'id="data-request-form"' in page and 'name="public_identity"' in page
    if lang == "ja":
        assert english_left(page, *typed_by(buyer)) == []
    response = client.post("/my-data-requests/new/", form(public_identity="on"))
    assert response.status_code == 302, text(response)
    data_request = DataRequest.objects.get()
    assert response["Location"] == f"/data-requests/{data_request.id}/"
    assert data_request.territory == ["JP", "US"] and data_request.public_identity is True
    assert data_request.budget_max == 300_000
    assert data_request.description == "Hourly accelerometer readings.\r\nAny format.", "stored as typed"
    assert data_request.created_by_user_id is not None
    assert timezone.localtime(data_request.respond_by).strftime("%Y-%m-%dT%H:%M") == form()["respond_by"]
    page = text(client.get(response["Location"]))
    assert done in page and "Bridge vibration 橋梁振動" in page

    listed = text(client.get("/my-data-requests/"))
    row = section(listed, f"data-request-{data_request.id}")
    assert "Bridge vibration 橋梁振動" in row and ("受付中" if lang == "ja" else "Open") in row
    if lang == "ja":
        assert english_left(listed, *typed_by(buyer)) == []


@pytest.mark.parametrize(
    ("lang", "field", "value", "said"),
    [
        ("en", "territory", "JP, XX", "Not ISO 3166-1 alpha-2 country codes: XX."),
        ("ja", "territory", "JP, XX", "ISO 3166-1 alpha-2 の国コードではありません：XX"),
        ("en", "territory", " , ", "Enter at least one country code."),
        ("en", "currency", "ABC", "Enter an ISO 4217 currency code such as JPY or USD."),
        ("ja", "currency", "ABC", "ISO 4217 の通貨コードを入力してください"),
        ("en", "respond_by", "past", "Choose a time in the future"),
        ("ja", "respond_by", "past", "未来の日時を指定してください"),
        ("en", "respond_by", "far", "At most 180 days ahead."),
        ("ja", "respond_by", "far", "最長で180日先までです"),
        ("en", "data_class", "personal", "Personal data cannot be requested on Ichiba."),
        ("ja", "data_class", "personal", "Ichiba では個人データをリクエストできません。"),
        ("en", "title", f"Bridges{RLO}", "a bidirectional control character"),
        ("ja", "purpose", "\u200b", "表示される文字がありません"),
        ("en", "budget_max", "0", "greater than or equal to 1"),
    ],
)
def test_the_form_says_what_is_wrong_at_the_field_in_the_readers_language(
    buyer: Party, lang: str, field: str, value: str, said: str
) -> None:
    if value in ("past", "far"):
        moved = timedelta(days=-1) if value == "past" else timedelta(days=181)
        value = (timezone.localtime() + moved).strftime("%Y-%m-%dT%H:%M")
    response = signed_in(buyer, lang=lang).post("/my-data-requests/new/", form(**{field: value}))
    assert response.status_code == 200
    assert said in html.unescape(section(text(response), f"field-{field}"))
    assert not DataRequest.objects.exists()


# --- a request's page ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_buyer_sees_every_answer_and_each_seller_its_own(
    buyer: Party, seller: Party, other_seller: Party, lang: str
) -> None:
    created = posted(buyer)
    first = answer(seller, created["id"], price=100_000)
    second = answer(other_seller, created["id"], price=90_000, quantity=2)
    url = f"/data-requests/{created['id']}/"

    page = text(signed_in(buyer, lang=lang).get(url))
    answers = section(page, "answers")
    shown = ((first, "Kansai Bridge Monitoring", "¥100,000"), (second, "Hokuriku Sensors", "¥90,000"))
    for offer, name, price in shown:
        row = section(answers, f"answer-{offer.id}")
        assert name in row and price in row and f'href="/private-offers/{offer.id}/"' in row
    assert 'id="close-form"' in page and "Answer with a private offer" not in page
    if lang == "ja":
        assert english_left(page, *typed_by(buyer, seller, other_seller)) == []

    mine = text(signed_in(buyer, lang=lang).get("/my-data-requests/"))
    assert ">2<" in section(mine, f"data-request-{created['id']}"), "the buyer counts every answer"
    listed = html.unescape(section(text(signed_in(seller).get("/data-requests/")), f"data-request-{created['id']}"))
    assert "You answered it once." in listed, "a seller counts its own answers only"

    page = text(signed_in(seller, lang=lang).get(url))
    answers = section(page, "answers")
    assert f"answer-{first.id}" in answers and str(second.id) not in page and "Hokuriku Sensors" not in page
    assert "Osaka Analytics" not in page and str(buyer.organization.id) not in page
    assert f'href="/private-offers/new/?data_request={created["id"]}"' in page and 'id="close-form"' not in page
    if lang == "ja":
        assert english_left(page, *typed_by(buyer, seller)) == []


@pytest.mark.parametrize(
    ("lang", "closed", "again"),
    [
        ("en", "The request is closed: sellers no longer see it.", "The request is closed already"),
        ("ja", "リクエストを締め切りました。", "このリクエストはすでに締め切られています。"),
    ],
)
def test_the_buyer_closes_its_request_on_its_page(
    buyer: Party, seller: Party, lang: str, closed: str, again: str
) -> None:
    created = posted(buyer)
    url = f"/data-requests/{created['id']}/"
    refused = signed_in(seller).post(f"{url}close/")
    assert refused.status_code == 403 and DataRequest.objects.get().status == "open"
    client = signed_in(buyer, lang=lang)
    response = client.post(f"{url}close/")
    assert response.status_code == 302 and response["Location"] == url
    page = text(client.get(url))
    assert closed in page and 'id="close-form"' not in page
    assert ("締切済み" if lang == "ja" else "Closed") in section(page, "data-request-status")
    assert DataRequest.objects.get().status == "closed"
    client.post(f"{url}close/")
    assert again in text(client.get(url))
    assert created["title"] not in text(signed_in(seller).get("/data-requests/"))
    assert signed_in(seller).get(url).status_code == 404


def test_an_expired_request_says_so_and_cannot_be_closed(buyer: Party) -> None:
    created = posted(buyer)
    DataRequest.objects.filter(pk=created["id"]).update(respond_by=timezone.now() - timedelta(seconds=1))
    page = text(signed_in(buyer, lang="ja").get(f"/data-requests/{created['id']}/"))
    assert "期限切れ" in section(page, "data-request-status") and "回答期限を過ぎたため" in page
    assert 'id="close-form"' not in page
