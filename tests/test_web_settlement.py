"""The settlement pages as people use them (Django test client): My purchases with the payment's status, the
failure reason and the Download button; a purchase's history; the seller's Sales and payouts and the usage
of its data; and what strangers, non-sellers and anonymous visitors get."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from settlement.models import Download, DownloadToken, Entitlement, Settlement
from settlement.services import payouts, settlements
from tests.builders import Party, make_party, published_offering, trade

pytestmark = pytest.mark.django_db


# --- helpers -------------------------------------------------------------------------------------------


@pytest.fixture
def offering(seller: Party, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    return published_offering(seller, django_capture_on_commit_callbacks, seats=10)


def signed_in(party: Party, *, lang: str = "en", **kwargs: Any) -> Client:
    client = Client(headers={"accept-language": lang}, **kwargs)
    client.force_login(get_user_model().objects.get(username=party.email))
    return client


def text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def squashed(page: str) -> str:
    """The page's text with tags removed and white space collapsed, for phrases that span elements."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def download_path(response: Any) -> str:
    assert response.status_code == 302, response.status_code
    location = str(response["Location"])
    assert re.fullmatch(r"/api/v1/downloads/[A-Za-z0-9_-]{43}", location), location
    return location


def file_bytes(settlement: Settlement) -> bytes:
    version = Entitlement.objects.select_related("dataset_version").get(settlement=settlement).dataset_version
    with version.file.open("rb") as handle:
        return bytes(handle.read())


# --- the buyer: My purchases ------------------------------------------------------------------------------


def test_my_purchases_shows_the_authorised_payment_contract_access_and_download_in_english_and_japanese(
    seller: Party, buyer: Party, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    assert settlement.status == "authorized"

    page = text(signed_in(buyer).get("/purchases/"))
    row = squashed(page)
    assert 'href="/purchases/"' in page and "My purchases" in page, "the header links to the page"
    assert 'href="/sales/"' not in page, "a buyer has no sales link"
    assert f'id="purchase-{settlement.id}"' in page
    assert "Gauges" in row and "Kansai Bridge Monitoring" in row
    assert "Payment authorised" in row
    assert "¥3,300 incl. consumption tax ¥300" in row and "3 seats at ¥1,000" in row
    assert f'href="/contracts/{settlement.contract_id}/"' in page
    assert f'action="/purchases/{settlement.id}/download/"' in page
    assert "Each download link is valid for 15 minutes." in row
    assert "Access active" in row and "Payment failed" not in row

    page = text(signed_in(buyer, lang="ja").get("/purchases/"))
    row = squashed(page)
    assert '<html lang="ja">' in page
    assert "購入履歴" in page
    assert "決済承認済み" in row
    assert "¥3,300 うち消費税 ¥300" in row
    assert "契約を開く" in row
    assert "ダウンロード" in row and "ダウンロードリンクの有効期間は15分です。" in row


def test_a_declined_payment_shows_why_and_offers_no_download(
    seller: Party, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    buyer = make_party("Declined Analytics", {"buyer"}, payment_method="pm_card_chargeDeclined")
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    settlement.refresh_from_db()
    assert settlement.status == "failed"

    page = text(signed_in(buyer).get("/purchases/"))
    row = squashed(page)
    assert "Payment failed" in row and "Your card was declined." in row
    assert "Nothing was charged" in row
    assert "/download/" not in page and "No access to the data." in row

    detail = squashed(text(signed_in(buyer).get(f"/purchases/{settlement.id}/")))
    assert "Your card was declined." in detail
    assert "Awaiting payment → Payment failed" in detail, "the history shows each change"

    row = squashed(text(signed_in(buyer, lang="ja").get("/purchases/")))
    assert "決済失敗" in row and "カードが拒否されました。" in row

    # Asking for a download anyway is refused with a message, not an error.
    response = signed_in(buyer).post(f"/purchases/{settlement.id}/download/", follow=True)
    assert "nothing to download" in squashed(text(response))
    assert not DownloadToken.objects.exists()


def test_a_purchase_shows_its_history_and_facts(
    seller: Party, buyer: Party, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    page = squashed(text(signed_in(buyer).get(f"/purchases/{settlement.id}/")))
    assert "Awaiting payment → Payment authorised" in page
    assert "Active" in page, "the entitlement's grant is in the history"
    assert "Charged at the latest" in page
    assert "No downloads yet." in page
    assert "Subtotal (excl. tax) ¥3,000 Consumption tax (10%) ¥300 Total ¥3,300" in page
    japanese = squashed(text(signed_in(buyer, lang="ja").get(f"/purchases/{settlement.id}/")))
    assert "履歴" in japanese and "支払い待ち → 決済承認済み" in japanese
    assert "小計（税抜） ¥3,000 消費税（10%） ¥300 合計 ¥3,300" in japanese


def test_a_purchase_from_abroad_says_why_it_carries_no_tax(
    seller: Party, django_capture_on_commit_callbacks: Any
) -> None:
    offering = published_offering(seller, django_capture_on_commit_callbacks, territory=["JP", "US"])
    abroad = make_party("Boston Analytics", {"buyer"}, country="US")
    settlement = trade(abroad, seller, offering, django_capture_on_commit_callbacks)
    page = squashed(text(signed_in(abroad).get(f"/purchases/{settlement.id}/")))
    why = "No consumption tax: an export of services to a buyer outside Japan is zero-rated."
    assert f"Consumption tax ¥0 {why}" in page
    assert "Total ¥3,000" in page
    japanese = squashed(text(signed_in(abroad, lang="ja").get(f"/purchases/{settlement.id}/")))
    assert "輸出は免税（ゼロ税率）" in japanese


def test_download_redirects_to_a_fresh_link_that_serves_the_file(
    seller: Party, buyer: Party, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    client = signed_in(buyer)
    back = client.get(f"/purchases/{settlement.id}/download/")  # e.g. the language switch on the token's page
    assert back.status_code == 302 and back["Location"] == f"/purchases/{settlement.id}/", "a link cannot mint tokens"
    assert not DownloadToken.objects.exists()

    location = download_path(client.post(f"/purchases/{settlement.id}/download/"))
    token = DownloadToken.objects.get()
    assert token.entitlement.settlement_id == settlement.id and token.kind == "opaque"

    downloaded = client.get(location)
    assert downloaded.status_code == 200
    assert downloaded.getvalue() == file_bytes(settlement)
    [download] = Download.objects.all()
    assert download.completed and download.buyer_id == buyer.organization.id

    row = squashed(text(client.get("/purchases/")))
    assert re.search(r"Your latest link is valid until \d\d:\d\d\.", row), row
    detail = squashed(text(client.get(f"/purchases/{settlement.id}/")))
    assert f"{len(file_bytes(settlement))} bytes Yes" in detail, "the buyer sees its own download"

    # Each press makes a new link.
    assert download_path(client.post(f"/purchases/{settlement.id}/download/")) != location


def test_download_needs_the_csrf_token(
    seller: Party, buyer: Party, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    client = signed_in(buyer, enforce_csrf_checks=True)
    assert client.post(f"/purchases/{settlement.id}/download/").status_code == 403
    page = text(client.get("/purchases/"))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    response = client.post(f"/purchases/{settlement.id}/download/", {"csrfmiddlewaretoken": csrf.group(1)})
    download_path(response)


def test_show_link_shows_the_address_and_its_expiry_instead_of_redirecting(
    seller: Party, buyer: Party, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    response = signed_in(buyer).post(f"/purchases/{settlement.id}/download/", {"show_link": "1"})
    page = squashed(text(response))
    assert "no-store" in response["Cache-Control"]
    assert re.search(r"The link is valid for 1[45] minutes, until \d\d:\d\d\.", page), page
    assert "http://testserver/api/v1/downloads/" in page
    assert re.search(r"curl -fL -C - -o gauges-v1\.csv \S*http://testserver/api/v1/downloads/", page), page
    japanese = squashed(
        text(signed_in(buyer, lang="ja").post(f"/purchases/{settlement.id}/download/", {"show_link": "1"}))
    )
    assert re.search(r"リンクの有効期間は1[45]分間、\d\d:\d\dまでです。", japanese), japanese


def test_provider_delivery_shows_the_token_and_the_sellers_address(
    seller: Party, buyer: Party, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    Entitlement.objects.filter(settlement=settlement).update(
        delivery="provider", delivery_url="https://data.kansai-bridge.example/ichiba/download"
    )
    page = text(signed_in(buyer).get("/purchases/"))
    assert "The seller delivers this data from its own server" in squashed(page)
    response = signed_in(buyer).post(f"/purchases/{settlement.id}/download/")
    page = squashed(text(response))
    token = DownloadToken.objects.get()
    assert token.kind == "jwt"
    assert "https://data.kansai-bridge.example/ichiba/download" in page
    assert "Authorization: Bearer ey" in page
    assert re.search(r"The link is valid for 1[45] minutes, until \d\d:\d\d\.", page)


# --- the seller: Sales and payouts, Usage of my data --------------------------------------------------------


def test_sales_show_amount_fee_proceeds_the_balance_owed_and_payouts(
    seller: Party, buyer: Party, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    page = text(signed_in(seller).get("/sales/"))
    row = squashed(page)
    assert 'href="/sales/"' in page and 'href="/usage/"' in page and 'href="/purchases/"' not in page
    assert f'id="sale-{settlement.id}"' in page
    assert "Osaka Analytics" in row and "Payment authorised, not charged yet" in row
    # The buyer pays ¥3,300 with its ¥300 tax; the fee is ¥150 and its own ¥15 tax; the seller's part is ¥3,135.
    assert "Consumption tax" in row and "Market fee (incl. tax)" in row
    assert "¥3,300 ¥300 ¥165 ¥3,135" in row
    assert "Owed to you (JPY) ¥0 and ¥3,135 once authorised payments are charged" in row
    assert "No payouts yet." in row

    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    row = squashed(text(signed_in(seller).get("/sales/")))
    assert "Owed to you (JPY) ¥3,135" in row and "Paid" in row

    [payout] = payouts.payouts_create()
    paid = payouts.payout_send(payout_id=payout.id)
    page = text(signed_in(seller).get("/sales/"))
    row = squashed(page)
    assert f'id="payout-{payout.id}"' in page
    assert paid.transfer_ref and paid.transfer_ref in row
    assert "Owed to you (JPY) ¥0" in row and "paid out" in row

    japanese = squashed(text(signed_in(seller, lang="ja").get("/sales/")))
    assert "売上と振込" in japanese and "振込" in japanese and "¥3,135" in japanese


def test_usage_lists_who_downloaded_which_version_for_the_seller_only(
    seller: Party,
    buyer: Party,
    other_seller: Party,
    offering: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    client = signed_in(buyer)
    location = download_path(client.post(f"/purchases/{settlement.id}/download/"))
    size = len(client.get(location, REMOTE_ADDR="192.0.2.7").getvalue())

    page = text(signed_in(seller).get("/usage/"))
    summary = squashed(page[page.index('id="usage-summary"') :])
    assert "Gauges v1 Osaka Analytics 1 1" in summary
    assert f"{size} bytes" in summary
    # Which organisation, which version, when: not the buyer's network address (as in the API).
    assert "192.0.2.7" not in page
    japanese = squashed(text(signed_in(seller, lang="ja").get("/usage/")))
    assert "自社データの利用状況" in japanese and "192.0.2.7" not in japanese

    other = squashed(text(signed_in(other_seller).get("/usage/")))
    assert "Osaka Analytics" not in other and "Nobody has downloaded your data yet." in other
    assert "Osaka Analytics" not in squashed(text(signed_in(other_seller).get("/sales/")))


# --- who is refused --------------------------------------------------------------------------------------------


def test_strangers_non_sellers_and_anonymous_visitors_see_nothing(
    seller: Party, buyer: Party, offering: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    stranger = make_party("Nagoya Mobility", {"buyer"})
    client = signed_in(stranger)
    assert client.get(f"/purchases/{settlement.id}/").status_code == 404
    assert client.post(f"/purchases/{settlement.id}/download/").status_code == 404
    assert not DownloadToken.objects.exists()
    assert str(settlement.id) not in text(client.get("/purchases/"))
    # The seller is a party, but this is the buyer's page.
    assert signed_in(seller).get(f"/purchases/{settlement.id}/").status_code == 404

    for path in ("/sales/", "/usage/"):
        refused = client.get(path)
        assert refused.status_code == 403
        assert "seller role" in refused.content.decode()

    anonymous = Client()
    for path in ("/purchases/", f"/purchases/{settlement.id}/", "/sales/", "/usage/"):
        response = anonymous.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert anonymous.post(f"/purchases/{settlement.id}/download/").status_code == 302
