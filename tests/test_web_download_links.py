"""A download link that no longer works, opened in a browser (settlement/web/downloads.py): a page in the reader's
language saying what happened, with the way back to the purchase and, for the buyer of an active access, a fresh
link; a program asking for the same URL keeps its problem details (401/403/410, English), chosen by ``Accept``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from settlement.models import DownloadToken, Entitlement
from tests.builders import Party, entitled, make_party

pytestmark = pytest.mark.django_db

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def signed_in(party: Party, lang: str) -> Client:
    client = Client(headers={"accept-language": lang})
    client.force_login(get_user_model().objects.get(username=party.email))
    return client


def minted(buyer: Party, entitlement: Entitlement, *, fmt: str = "") -> str:
    """A download link made by the purchase page's button: the path it redirects to."""
    data = {"version": str(entitlement.dataset_version.number), **({"format": fmt} if fmt else {})}
    response = signed_in(buyer, "en").post(f"/purchases/{entitlement.settlement_id}/download/", data)
    assert response.status_code == 302, response.status_code
    location = str(response["Location"])
    assert re.match(r"/api/v1/downloads/[A-Za-z0-9_-]{43}", location), location
    return location


def expire_tokens(entitlement: Entitlement) -> None:
    DownloadToken.objects.filter(entitlement=entitlement).update(expires_at=timezone.now() - timedelta(seconds=1))


def squashed(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def access(seller: Party, buyer: Party, django_capture_on_commit_callbacks: Any) -> Entitlement:
    return entitled(seller, buyer, django_capture_on_commit_callbacks)


@pytest.mark.parametrize(
    ("lang", "title", "button", "until"),
    [
        (
            "ja",
            "このダウンロードリンクは有効期限が切れています",
            "新しいリンクでバージョン 1 をダウンロード",
            "まで有効",
        ),
        ("en", "This download link has expired", "Download version 1 with a fresh link", "still active, until"),
    ],
)
def test_an_expired_link_explains_itself_and_offers_its_buyer_a_fresh_one(
    access: Entitlement, buyer: Party, lang: str, title: str, button: str, until: str
) -> None:
    path = minted(buyer, access, fmt="jsonl")
    expire_tokens(access)
    browser = signed_in(buyer, lang)

    page = browser.get(path, headers={"accept": BROWSER})

    assert page.status_code == 410, "the status a program gets, on the page too"
    assert page["Content-Type"].startswith("text/html") and page["Content-Language"] == lang
    assert page["Cache-Control"] == "private, no-store" and "Accept" in page["Vary"]
    assert page["Referrer-Policy"] == "same-origin", "its forms must send their Origin for the CSRF check"
    text = squashed(page)
    assert title in text and button in text and until in text
    assert f'href="/purchases/{access.settlement_id}/"' in page.content.decode()
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*id="fresh-link-form">(.*?)</form>', page.content.decode(), re.S
    )
    assert form is not None and form[1] == f"/purchases/{access.settlement_id}/download/"
    assert 'name="version" value="1"' in form[2] and 'name="format" value="jsonl"' in form[2]

    # The button makes a new link, to the same version in the same format, which downloads.
    fresh = browser.post(form[1], {"version": "1", "format": "jsonl"})
    assert fresh.status_code == 302 and fresh["Location"] != path and fresh["Location"].endswith("?format=jsonl")
    assert DownloadToken.objects.filter(entitlement=access).count() == 2


def test_a_program_keeps_the_problem_details_whatever_language_it_sits_in(access: Entitlement, buyer: Party) -> None:
    path = minted(buyer, access)
    expire_tokens(access)
    client = signed_in(buyer, "ja")
    for accept in ("application/json", "application/problem+json", "*/*", "", "application/json, text/html;q=0.5"):
        response = client.get(path, headers={"accept": accept} if accept else {})
        assert response.status_code == 410, accept
        assert response["Content-Type"] == "application/problem+json", accept
        body = response.json()
        assert body["type"] == "/problems/download-token-expired" and body["detail"].startswith("The download token"), (
            accept
        )


@pytest.mark.parametrize(
    ("lang", "title", "explanation"),
    [
        ("ja", "このダウンロードリンクは無効です", "何もダウンロードされていません"),
        ("en", "This download link is not valid", "Nothing was downloaded"),
    ],
)
def test_a_link_that_is_no_link_gets_a_401_page_naming_nothing(
    buyer: Party, lang: str, title: str, explanation: str
) -> None:
    page = signed_in(buyer, lang).get("/api/v1/downloads/" + "x" * 43, headers={"accept": BROWSER})

    assert page.status_code == 401 and page["WWW-Authenticate"].startswith("Bearer")
    text = squashed(page)
    assert title in text and explanation in text
    assert 'id="fresh-link-form"' not in page.content.decode() and 'href="/purchases/"' in page.content.decode()
    as_json = Client().get("/api/v1/downloads/" + "x" * 43, headers={"accept": "application/json"})
    assert as_json.status_code == 401 and as_json.json()["type"] == "/problems/download-token-invalid"


@pytest.mark.parametrize(
    ("lang", "title", "explanation"),
    [
        ("ja", "このデータへのアクセスは取り消されました", "返金"),
        ("en", "Your access to this data was revoked", "after a refund"),
    ],
)
def test_a_revoked_access_gets_a_403_page_without_a_fresh_link(
    access: Entitlement, buyer: Party, lang: str, title: str, explanation: str
) -> None:
    path = minted(buyer, access)
    Entitlement.objects.filter(pk=access.pk).update(status=Entitlement.Status.REVOKED)

    page = signed_in(buyer, lang).get(path, headers={"accept": BROWSER})

    assert page.status_code == 403
    text = squashed(page)
    assert title in text and explanation in text
    assert 'id="fresh-link-form"' not in page.content.decode()
    assert Client().get(path, headers={"accept": "application/json"}).json()["type"] == "/problems/entitlement-revoked"


@pytest.mark.parametrize(
    ("lang", "title"),
    [("ja", "このデータへのアクセス期間は終了しました"), ("en", "Your access to this data has ended")],
)
def test_an_ended_access_gets_a_410_page_pointing_to_a_new_licence(
    access: Entitlement, buyer: Party, lang: str, title: str
) -> None:
    path = minted(buyer, access)
    Entitlement.objects.filter(pk=access.pk).update(
        valid_from=timezone.now() - timedelta(days=2), valid_until=timezone.now() - timedelta(days=1)
    )

    page = signed_in(buyer, lang).get(path, headers={"accept": BROWSER})

    assert page.status_code == 410 and title in squashed(page)
    assert 'id="fresh-link-form"' not in page.content.decode()
    assert f'href="/datasets/{access.dataset_id}/"' in page.content.decode()
    assert Client().get(path).json()["type"] == "/problems/entitlement-expired"


def test_only_the_signed_in_buyer_is_offered_a_fresh_link(access: Entitlement, buyer: Party) -> None:
    path = minted(buyer, access)
    expire_tokens(access)

    anonymous = Client(headers={"accept-language": "en"}).get(path, headers={"accept": BROWSER})
    assert anonymous.status_code == 410 and 'id="fresh-link-form"' not in anonymous.content.decode()
    assert f'href="/login/?next=/purchases/{access.settlement_id}/' in anonymous.content.decode().replace("%2F", "/")

    stranger = make_party("Stranger KK", {"buyer"})
    other = signed_in(stranger, "en").get(path, headers={"accept": BROWSER})
    assert other.status_code == 410 and 'id="fresh-link-form"' not in other.content.decode()
    assert "Only members of the organisation that bought the data" in squashed(other)
