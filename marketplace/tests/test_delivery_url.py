"""A seller's delivery URL (seller-hosted delivery, docs/delivery.md): set through the offering API and the offer
form, moved later, shown to everyone, and refused by the URL guard (config/outbound.py) with problem details in
the API and field errors in the reader's language on the pages."""

from __future__ import annotations

import html
import threading
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest

from marketplace.models import Offering, OfferingEvent
from settlement.models import Entitlement
from tests.builders import buy, offer, offer_data, published_dataset, published_offering, signed_in, text

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"
SELLER_URL = "https://data.seller.example/v1/gauges?format=csv"


@pytest.fixture
def production(settings: Any, dns: Any) -> Any:
    """The guard as production runs it (no private targets, https only); data.seller.example is a public host."""
    settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_ALLOW_PRIVATE_TARGETS": False}
    dns.answers["data.seller.example"] = [PUBLIC]
    dns.answers["moved.seller.example"] = [PUBLIC]
    dns.answers["intranet.seller.example"] = ["10.1.2.3"]
    return dns


def create(party: Any, dataset_id: Any, **body: Any) -> Any:
    payload = {"dataset": str(dataset_id), "template": "meti-data-provision", "terms": {}, "license_seats": 5, **body}
    return party.client.post("/api/v1/offerings", payload, format="json")


def problem(response: Any, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


# --- the API ------------------------------------------------------------------------------------------------


def test_a_seller_sets_its_delivery_url_and_everyone_sees_where_the_data_comes_from(
    seller, anonymous, production
) -> None:
    dataset = published_dataset(seller)
    created = create(seller, dataset.id, delivery_url="https://Data.Seller.example:443/v1/gauges?format=csv")
    assert created.status_code == 201, created.content
    body = created.json()
    # Stored as the guard writes it: host in lower case, the default port left out (the JWT's aud is its origin).
    assert (body["delivery"], body["delivery_url"]) == ("provider", SELLER_URL)
    assert Offering.objects.get(pk=body["id"]).delivery_url == SELLER_URL
    # Not a secret: every buyer receives it with its token, and a buyer may need to allow the host through its
    # firewall before buying.
    shown = anonymous.get(f"/api/v1/offerings/{body['id']}").json()
    assert (shown["delivery"], shown["delivery_url"]) == ("provider", SELLER_URL)
    [listed] = anonymous.get("/api/v1/offerings", {"dataset": str(dataset.id)}).json()["results"]
    assert (listed["delivery"], listed["delivery_url"]) == ("provider", SELLER_URL)

    hosted = create(seller, published_dataset(seller).id)
    assert (hosted.json()["delivery"], hosted.json()["delivery_url"]) == ("hosted", "")
    blank = create(seller, published_dataset(seller).id, delivery_url="")
    assert (blank.json()["delivery"], blank.json()["delivery_url"]) == ("hosted", "")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://data.seller.example/v1", "https required"),
        ("https://user:secret@data.seller.example/v1", "credentials not allowed"),
        ("https://data.seller.example/v1#latest", "fragment not allowed"),
        ("https://127.0.0.1/v1", "private address"),
        ("https://[::1]/v1", "private address"),
        ("https://169.254.169.254/latest/meta-data", "private address"),
        ("https://localhost:8443/v1", "private address"),
        ("https://intranet.seller.example/v1", "private address"),
        ("https://no-such-host.invalid/v1", "unresolvable"),
        ("ftp://data.seller.example/v1", "invalid"),
        ("not a url", "Enter a valid URL."),
    ],
)
def test_a_delivery_url_the_guard_refuses_is_a_problem_naming_the_field_and_nothing_is_saved(
    seller, production, url: str, why: str
) -> None:
    dataset = published_dataset(seller)
    body = problem(create(seller, dataset.id, delivery_url=url))
    assert body["type"] == "/problems/invalid"
    assert body["errors"] == {"delivery_url": [why]}
    assert not Offering.objects.exists()


def test_a_host_whose_name_does_not_resolve_in_time_is_a_400_not_a_hang(
    seller, production, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config import outbound

    monkeypatch.setattr(outbound, "RESOLVE_TIMEOUT_SECONDS", 0.3)
    released = threading.Event()
    production.answers["slow-dns.seller.example"] = lambda: [PUBLIC] if released.wait(30) else []
    try:
        body = problem(create(seller, published_dataset(seller).id, delivery_url="https://slow-dns.seller.example/"))
    finally:
        released.set()
    assert body["errors"] == {"delivery_url": ["resolution timed out"]}
    assert "try again" in body["detail"]
    assert not Offering.objects.exists()


def test_the_seller_moves_its_delivery_url_and_earlier_entitlements_keep_theirs(
    seller, other_seller, buyer, anonymous, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    offering = published_offering(seller, capture, delivery_url="https://old.seller.example/v1")
    earlier = buy(seller, buyer, offering, capture)
    assert (earlier.delivery, earlier.delivery_url) == ("provider", "https://old.seller.example/v1")

    url = f"/api/v1/offerings/{offering['id']}"
    moved = seller.client.patch(url, {"delivery_url": "https://new.seller.example:8443/v1"}, format="json")
    assert moved.status_code == 200, moved.content
    assert (moved.json()["delivery"], moved.json()["delivery_url"]) == (
        "provider",
        "https://new.seller.example:8443/v1",
    )
    event = OfferingEvent.objects.filter(offering_id=offering["id"]).last()
    assert event is not None and (event.from_status, event.to_status, event.reason) == (
        "active",
        "active",
        "delivery_url changed",
    )
    assert event.payload == {
        "delivery_url": "https://new.seller.example:8443/v1",
        "previous_delivery_url": "https://old.seller.example/v1",
    }

    # The earlier buyer keeps the address (and the audience) it was granted with; a later purchase gets the new one.
    earlier.refresh_from_db()
    assert earlier.delivery_url == "https://old.seller.example/v1"
    token = buyer.client.post(f"/api/v1/entitlements/{earlier.id}/tokens").json()
    assert token["download_url"] == "https://old.seller.example/v1"
    assert jwt.decode(token["token"], options={"verify_signature": False})["aud"] == "https://old.seller.example"
    later = buy(seller, buyer, offering, capture)
    assert (later.delivery, later.delivery_url) == ("provider", "https://new.seller.example:8443/v1")
    token = buyer.client.post(f"/api/v1/entitlements/{later.id}/tokens").json()
    claims = jwt.decode(token["token"], options={"verify_signature": False})
    assert claims["aud"] == "https://new.seller.example:8443" == "https://" + urlsplit(token["download_url"]).netloc

    # Empty hands delivery back to the market, for purchases from now on.
    back = seller.client.patch(url, {"delivery_url": ""}, format="json")
    assert (back.json()["delivery"], back.json()["delivery_url"]) == ("hosted", "")
    assert buy(seller, buyer, offering, capture).delivery == "hosted"
    assert Entitlement.objects.filter(delivery="provider").count() == 2

    # Only its seller moves it; a bad body is a problem; nothing changed by any of them.
    assert problem(other_seller.client.patch(url, {"delivery_url": SELLER_URL}, format="json"), 404)
    assert problem(buyer.client.patch(url, {"delivery_url": SELLER_URL}, format="json"), 403)
    assert problem(anonymous.patch(url, {"delivery_url": SELLER_URL}, format="json"), 401)
    assert seller.client.patch(url, {}, format="json").json()["delivery_url"] == "", "nothing to change"
    assert problem(other_seller.client.patch(url, {}, format="json"), 404)
    assert (
        "license_seats"
        in problem(seller.client.patch(url, {"delivery_url": "", "license_seats": 1}, format="json"))["errors"]
    )
    assert problem(seller.client.patch(url, {"delivery_url": "https://u:p@new.seller.example/"}, format="json"))[
        "errors"
    ] == {"delivery_url": ["credentials not allowed"]}
    assert problem(seller.client.patch("/api/v1/offerings/not-an-id", {"delivery_url": ""}, format="json"), 404)
    assert Offering.objects.get(pk=offering["id"]).delivery_url == ""


def test_moving_the_url_is_refused_by_the_same_guard(seller, production) -> None:
    offering = offer(seller)
    url = f"/api/v1/offerings/{offering.id}"
    body = problem(seller.client.patch(url, {"delivery_url": "https://intranet.seller.example/v1"}, format="json"))
    assert body["errors"] == {"delivery_url": ["private address"]}
    moved = seller.client.patch(url, {"delivery_url": "https://moved.seller.example/v1"}, format="json")
    assert moved.json()["delivery_url"] == "https://moved.seller.example/v1"


# --- the pages ----------------------------------------------------------------------------------------------


def field_html(page: str, name: str) -> str:
    """The markup of one field's block (its div with id field-<name>)."""
    start = page.rindex("<div", 0, page.index(f'id="field-{name}"'))
    return html.unescape(page[start : page.index("</div>", page.index(f'id="field-{name}"'))])


def test_a_seller_sets_the_delivery_url_in_the_offer_form(seller, buyer, production) -> None:
    dataset = published_dataset(seller)
    form_page = text(signed_in(seller).get(f"/sell/datasets/{dataset.id}/offer/"))
    assert 'name="delivery_url"' in field_html(form_page, "delivery_url")
    response = signed_in(seller).post(
        f"/sell/datasets/{dataset.id}/offer/",
        offer_data(delivery_url="https://DATA.seller.example/v1/gauges?format=csv"),
    )
    assert response.status_code == 302, text(response)
    offering = Offering.objects.get()
    assert offering.delivery_url == SELLER_URL
    page = html.unescape(text(signed_in(buyer).get(f"/offerings/{offering.id}/")))
    delivery = page.split('id="delivery"')[1].split("</dd>")[0]
    assert "From the seller's server" in delivery and SELLER_URL in delivery
    assert 'id="delivery-form"' not in page, "only the seller moves it"
    japanese = html.unescape(text(signed_in(buyer, lang="ja").get(f"/offerings/{offering.id}/")))
    assert "提供者のサーバーから配信" in japanese.split('id="delivery"')[1].split("</dd>")[0]


@pytest.mark.parametrize(
    ("url", "english", "japanese"),
    [
        ("http://data.seller.example/v1", "The address must start with https://", "https:// で始まる必要があります"),
        ("https://10.0.0.8/v1", "reachable on the public internet", "インターネットから到達できる公開のもの"),
        ("https://intranet.seller.example/v1", "reachable on the public internet", "プライベート、ループバック"),
        ("https://no-such-host.invalid/v1", "could not be found (DNS)", "サーバー名が見つかりませんでした"),
        ("https://u:p@data.seller.example/v1", "Leave the user name and password out", "ユーザー名やパスワード"),
    ],
)
def test_the_offer_form_says_why_a_delivery_url_is_refused_in_english_and_japanese(
    seller, production, url: str, english: str, japanese: str
) -> None:
    dataset = published_dataset(seller)
    for lang, expected in (("en", english), ("ja", japanese)):
        page = text(
            signed_in(seller, lang=lang).post(f"/sell/datasets/{dataset.id}/offer/", offer_data(delivery_url=url))
        )
        field = field_html(page, "delivery_url")
        assert "has-error" in field and expected in field, (lang, field)
        assert "delivery_url " not in html.unescape(page), "the guard's English detail is not shown"
        assert url in field, "the form keeps what was typed"
    assert not Offering.objects.exists()


def test_the_seller_moves_the_delivery_url_on_the_offering_page(seller, other_seller, buyer, production) -> None:
    offering = offer(seller)
    page = text(signed_in(seller).get(f"/offerings/{offering.id}/"))
    assert 'id="delivery-form"' in page and "From the market" in page.split('id="delivery"')[1].split("</dd>")[0]
    url = f"/offerings/{offering.id}/delivery/"

    moved = signed_in(seller).post(url, {"delivery_url": "https://moved.seller.example/v1"}, follow=True)
    assert "The delivery URL is saved" in text(moved)
    offering.refresh_from_db()
    assert offering.delivery_url == "https://moved.seller.example/v1"

    refused = signed_in(seller, lang="ja").post(
        url, {"delivery_url": "https://intranet.seller.example/v1"}, follow=True
    )
    assert "インターネットから到達できる公開のもの" in html.unescape(text(refused))
    offering.refresh_from_db()
    assert offering.delivery_url == "https://moved.seller.example/v1"

    assert signed_in(other_seller).post(url, {"delivery_url": ""}).status_code == 404
    assert signed_in(buyer).post(url, {"delivery_url": ""}).status_code == 403
    offering.refresh_from_db()
    assert offering.delivery_url == "https://moved.seller.example/v1"
