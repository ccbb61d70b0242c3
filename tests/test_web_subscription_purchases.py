"""Subscriptions on the buyer's and the seller's pages (Django test client): My purchases shows a subscription's
status, price per period, term, periods and their outcomes, every version received with a Download button each,
and the Cancel subscription button; past due, it says so and what happens; the seller's Sales shows the
subscribers per offering with their next renewal, and the outcomes of the periods closed. English and Japanese.

Time passes by the close pass's clock (``as_of``, as ``close_periods --as-of`` gives it): what is published after
a pass is counted for the period that pass opened."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contracts.templatetags.ichiba import when
from settlement.models import DownloadToken, Settlement, Subscription
from settlement.services import billing
from tests.builders import (
    Party,
    feed_version,
    make_party,
    published_offering,
    readings_csv,
    subscription_offering,
    trade,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def feed(seller: Party, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Seats of a feed, 1,000 per seat and 30-day period, for 4 periods; one new version a period is the commitment."""
    return subscription_offering(
        seller, django_capture_on_commit_callbacks, period_days=30, term_periods=4, title="Strain feed"
    )


def subscribed(buyer: Party, seller: Party, feed: dict[str, Any], capture: Any) -> tuple[Settlement, Subscription]:
    """Two seats bought: the trade's settlement (the purchase) and its subscription."""
    settlement = trade(buyer, seller, feed, capture, quantity=2)
    return settlement, Subscription.objects.get(contract_id=settlement.contract_id)


def close(capture: Any, as_of: datetime) -> billing.Closed:
    with capture(execute=True):
        return billing.subscription_periods_close(as_of=as_of)


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


def section(page: str, element_id: str) -> str:
    """The element with this id, up to the end of its row, table, card or section."""
    start = page.index(f'id="{element_id}"')
    ends = [page.find(tag, start) for tag in ("</tr>", "</table>", "</section>", "</li>")]
    if page.startswith("tr", page.rindex("<", 0, start) + 1):
        return page[start : ends[0]]
    return page[start : min(end for end in ends[1:] if end != -1)]


def fetched(client: Client, settlement: Settlement, **form: Any) -> bytes:
    """Press a Download button of the purchase and follow the redirect to the file."""
    response = client.post(f"/purchases/{settlement.id}/download/", form)
    assert response.status_code == 302, response.status_code
    location = str(response["Location"])
    assert location.startswith("/api/v1/downloads/"), location
    return b"".join(client.get(location).streaming_content)  # type: ignore[attr-defined]


# --- the buyer: My purchases ---------------------------------------------------------------------------------------


def test_a_subscription_purchase_shows_its_status_price_term_period_and_versions(
    seller: Party, buyer: Party, feed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    settlement, subscription = subscribed(buyer, seller, feed, capture)
    feed_version(seller, feed, capture, readings_csv(12))  # a new version, received at once

    page = text(signed_in(buyer).get("/purchases/"))
    card = squashed(section(page, f"purchase-{settlement.id}"))
    assert "Strain feed" in card and "subscription" in card
    assert 'data-subscription-status="active"' in page and "Active" in card
    assert "¥2,000" in card and "2 seats at ¥1,000 per period of 30 days" in card
    assert "4 periods of 30 days" in card and when(subscription.ends_at) in card
    assert "Current period 1 of 4" in card
    assert "2 versions, the newest version 2" in card
    assert "Each period after the first is charged when it ends, and only if at least 1 new version" in card
    assert "Download version 2" in card and 'name="version" value="2"' in page
    assert f"until {when(subscription.ends_at)}" in card, "access lasts the term"

    detail = text(signed_in(buyer).get(f"/purchases/{settlement.id}/"))
    versions = section(detail, "subscription-versions")
    assert [int(n) for n in re.findall(r'data-version="(\d+)"', versions)] == [2, 1], "the newest first"
    assert versions.count("Download version") == 2
    periods = squashed(section(detail, "subscription-periods"))
    assert "Open" in periods and "counted when it ends" in periods and "¥2,200" in periods, "paid with its tax"
    assert f'action="/purchases/{settlement.id}/cancel/"' in detail
    assert 'name="confirm" value="1" required' in detail

    japanese = squashed(text(signed_in(buyer, lang="ja").get(f"/purchases/{settlement.id}/")))
    for words in ("定期提供", "受け取ったバージョン", "提供期間", "バージョン 2 をダウンロード", "定期提供を解約する"):
        assert words in japanese, words


def test_each_version_received_downloads_its_own_file_and_a_bad_version_is_a_message(
    seller: Party, buyer: Party, feed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    settlement, _ = subscribed(buyer, seller, feed, capture)
    first, second = readings_csv(), readings_csv(12)
    feed_version(seller, feed, capture, second)
    client = signed_in(buyer)

    with capture(execute=True):
        assert fetched(client, settlement, version="1") == first
        assert fetched(client, settlement, version="2") == second
        assert fetched(client, settlement) == second, "no version named: the newest"
    assert list(DownloadToken.objects.order_by("created_at").values_list("dataset_version__number", flat=True)) == [
        1,
        2,
        2,
    ]
    detail = squashed(text(client.get(f"/purchases/{settlement.id}/")))
    assert "Paid" in detail, "the first complete download captured the first period's payment"

    for version, said in (
        ("9", "The dataset has no version 9 to download."),
        ("x", "That is not a version number; nothing was downloaded."),
        ("0", "That is not a version number; nothing was downloaded."),
    ):
        response = client.post(f"/purchases/{settlement.id}/download/", {"version": version}, follow=True)
        assert said in squashed(text(response)), version
    assert DownloadToken.objects.count() == 3


def test_a_version_published_before_the_subscription_is_not_offered_nor_fetched(
    seller: Party, buyer: Party, feed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    feed_version(seller, feed, capture, readings_csv(12))  # version 2: the latest when the subscription starts
    settlement, _ = subscribed(buyer, seller, feed, capture)
    client = signed_in(buyer)
    versions = section(text(client.get(f"/purchases/{settlement.id}/")), "subscription-versions")
    assert re.findall(r'data-version="(\d+)"', versions) == ["2"]
    response = client.post(f"/purchases/{settlement.id}/download/", {"version": "1"}, follow=True)
    assert "Version 1 is not among the versions this purchase gives you." in squashed(text(response))
    assert not DownloadToken.objects.exists()


def test_the_periods_show_what_was_delivered_and_charged_or_missed(
    seller: Party, buyer: Party, feed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    settlement, subscription = subscribed(buyer, seller, feed, capture)
    start = subscription.starts_at
    close(capture, start + 30 * DAY)  # period 1 (paid at the trade) closes, nothing new in it
    feed_version(seller, feed, capture, readings_csv(12))  # delivered in period 2
    close(capture, start + 60 * DAY)  # period 2: delivered, charged
    close(capture, start + 90 * DAY)  # period 3: nothing new, missed
    assert Settlement.objects.get(contract_id=subscription.contract_id, period=2).status == "captured"

    detail = text(signed_in(buyer).get(f"/purchases/{settlement.id}/"))
    periods = section(detail, "subscription-periods")
    assert re.findall(r'data-outcome="(\w+)"', periods) == ["open", "charged", "missed", "open"]
    rows = [squashed(row) for row in periods.split("<tr")[2:]]
    assert "0 of 1" in rows[0] and "¥2,200" in rows[0], "the first period: its delivery recorded, paid at the trade"
    assert "1 of 1" in rows[1] and "Charged" in rows[1] and "¥2,200" in rows[1]
    assert "0 of 1" in rows[2] and "Missed" in rows[2] and "—" in rows[2]
    assert when(start + 90 * DAY) in rows[3] and "counted when it ends" in rows[3]
    assert "Current period 4 of 4" in squashed(detail)
    confirm = squashed(section(detail, "cancel-subscription"))
    assert f"Access ends with the period under way, at {when(start + 120 * DAY)}" in confirm
    assert "The period under way is still charged when it ends, if the seller delivered" in confirm

    japanese = section(text(signed_in(buyer, lang="ja").get(f"/purchases/{settlement.id}/")), "subscription-periods")
    assert "請求済み" in japanese and "不履行" in japanese


def test_cancelling_needs_the_confirmation_and_the_csrf_token_then_says_when_access_ends(
    seller: Party, buyer: Party, feed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    settlement, subscription = subscribed(buyer, seller, feed, capture)
    url = f"/purchases/{settlement.id}/cancel/"
    period_end = when(subscription.starts_at + 30 * DAY)

    assert signed_in(buyer, enforce_csrf_checks=True).post(url, {"confirm": "1"}).status_code == 403
    assert signed_in(buyer).get(url).status_code == 405
    confirm = squashed(section(text(signed_in(buyer).get(f"/purchases/{settlement.id}/")), "cancel-subscription"))
    assert f"Access ends with the period under way, at {period_end}, and no later period is charged." in confirm
    assert "still charged" not in confirm, "the first period was paid at the trade"
    unconfirmed = squashed(text(signed_in(buyer).post(url, follow=True)))
    assert "Tick the box to confirm the cancellation. Nothing was changed." in unconfirmed
    subscription.refresh_from_db()
    assert subscription.status == "active" and subscription.cancelled_at is None

    response = signed_in(buyer).post(url, {"confirm": "1"}, follow=True)
    page = squashed(text(response))
    assert f"The subscription is cancelled. Access ends at {period_end}; no later period is charged." in page
    assert "Access ends at " + period_end in page and "Cancelling" in page
    assert "Cancel subscription" not in page, "nothing left to cancel"
    subscription.refresh_from_db()
    assert subscription.status == "cancelling" and subscription.cancelled_at is not None
    listed = squashed(text(signed_in(buyer).get("/purchases/")))
    assert f"Access ends at {period_end}" in listed and f"until {period_end}" in listed

    japanese = squashed(text(signed_in(buyer, lang="ja").get(f"/purchases/{settlement.id}/")))
    assert "解約" in japanese and period_end in japanese

    # Again: the same (the service is idempotent); once ended, there is nothing to cancel.
    assert "The subscription is cancelled." in squashed(text(signed_in(buyer).post(url, {"confirm": "1"}, follow=True)))
    close(capture, subscription.starts_at + 30 * DAY)
    subscription.refresh_from_db()
    assert subscription.status == "ended"
    ended = squashed(text(signed_in(buyer).get(f"/purchases/{settlement.id}/")))
    assert "The subscription ended on" in ended and "Cancelled by the buyer" in ended
    assert "Access ended" in ended and "Download version" not in ended


def test_only_the_buyer_cancels_and_only_a_subscription(
    seller: Party, buyer: Party, feed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    settlement, subscription = subscribed(buyer, seller, feed, capture)
    stranger = make_party("Kyoto Analytics", {"buyer"})
    assert signed_in(stranger).post(f"/purchases/{settlement.id}/cancel/", {"confirm": "1"}).status_code == 404
    assert signed_in(seller).post(f"/purchases/{settlement.id}/cancel/", {"confirm": "1"}).status_code == 404
    licence = trade(buyer, seller, published_offering(seller, capture), capture)
    assert signed_in(buyer).post(f"/purchases/{licence.id}/cancel/", {"confirm": "1"}).status_code == 404
    assert "Cancel subscription" not in text(signed_in(buyer).get(f"/purchases/{licence.id}/"))
    subscription.refresh_from_db()
    assert subscription.status == "active"


def test_past_due_says_so_with_the_retry_and_the_end_of_the_grace_period(
    seller: Party, buyer: Party, feed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    settlement, subscription = subscribed(buyer, seller, feed, capture)
    start = subscription.starts_at
    close(capture, start + 30 * DAY)
    feed_version(seller, feed, capture, readings_csv(12))
    with capture(execute=True):
        response = buyer.client.post(
            "/api/v1/payment-methods", {"payment_method": "pm_card_chargeDeclinedInsufficientFunds"}, format="json"
        )
    assert response.status_code == 201, response.content
    close(capture, start + 60 * DAY)
    subscription.refresh_from_db()
    charge = Settlement.objects.get(contract_id=subscription.contract_id, period=2)
    assert subscription.status == "past_due" and charge.next_attempt_at is not None

    page = squashed(text(signed_in(buyer).get("/purchases/")))
    assert "Past due" in page and "Payment overdue." in page
    assert "The charge for period 2 (¥2,200) was declined. Your card has insufficient funds." in page
    assert f"The market tries again at {when(charge.next_attempt_at)}" in page
    assert "No new versions are given until it is paid" in page
    assert subscription.past_due_since is not None
    grace_end = when(subscription.past_due_since + timedelta(days=subscription.grace_days))
    assert f"If it is still unpaid at {grace_end}, the subscription ends" in page

    periods = section(text(signed_in(buyer).get(f"/purchases/{settlement.id}/")), "subscription-periods")
    assert re.findall(r'data-outcome="(\w+)"', periods) == ["open", "open", "open"], "period 2 is being charged"

    japanese = squashed(text(signed_in(buyer, lang="ja").get("/purchases/")))
    assert "支払い遅延" in japanese and grace_end in japanese


def test_my_purchases_reads_a_page_of_subscriptions_in_a_fixed_number_of_queries(
    seller: Party,
    buyer: Party,
    feed: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    capture = django_capture_on_commit_callbacks
    subscribed(buyer, seller, feed, capture)
    client = signed_in(buyer)
    client.get("/purchases/")  # the session and the principal cached

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            text(client.get("/purchases/"))
        return len(captured.captured_queries)

    one = queries()
    for title in ("Another feed", "A third feed"):
        another = subscription_offering(seller, capture, title=title)
        feed_version(seller, another, capture, readings_csv(12))
        subscribed(buyer, seller, another, capture)
    trade(buyer, seller, published_offering(seller, capture), capture)  # and a licence
    assert queries() == one


# --- the seller: Sales ---------------------------------------------------------------------------------------------


def test_the_seller_sees_its_subscribers_per_offering_with_the_next_renewal_and_the_periods_closed(
    seller: Party, buyer: Party, feed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    _, subscription = subscribed(buyer, seller, feed, capture)
    other = make_party("Kobe Logistics", {"buyer"})
    _, leaving = subscribed(other, seller, feed, capture)
    start = subscription.starts_at
    close(capture, leaving.starts_at + 30 * DAY)  # both subscriptions' first periods
    feed_version(seller, feed, capture, readings_csv(12))
    close(capture, leaving.starts_at + 60 * DAY)
    with capture(execute=True):
        assert other.client.post(f"/api/v1/subscriptions/{leaving.id}/cancel").status_code == 200

    page = text(signed_in(seller).get("/sales/"))
    table = section(page, f"subscribers-{feed['id']}")
    assert f'href="/offerings/{feed["id"]}/"' in page and "4 periods of 30 days" in squashed(page)
    row = squashed(section(table, f"subscriber-{subscription.id}"))
    assert "Osaka Analytics" in row and "Active" in row and when(subscription.starts_at) in row
    assert "3 of 4" in row and when(start + 90 * DAY) in row, "the current period and its end: the next renewal"
    assert "¥2,000" in row
    row = squashed(section(table, f"subscriber-{leaving.id}"))
    assert "Kobe Logistics" in row and "Cancelling" in row
    assert f"none: ends at {when(leaving.starts_at + 90 * DAY)}" in row, "cancelled: no renewal"

    closed = section(page, "period-outcomes")
    outcomes = re.findall(r'data-outcome="(\w+)" data-subscription="([0-9a-f-]+)" data-number="(\d)"', closed)
    assert sorted(outcomes) == sorted(
        [
            ("charged", str(subscription.id), "2"),
            ("charged", str(leaving.id), "2"),
            ("open", str(subscription.id), "1"),
            ("open", str(leaving.id), "1"),
        ]
    )
    assert "1 of 1" in squashed(closed) and "Charged" in squashed(closed)
    assert "period 2" in squashed(section(page, "sales")), "a period's payment is a sale of its own"

    japanese = squashed(text(signed_in(seller, lang="ja").get("/sales/")))
    for words in ("定期提供の購入者", "次回の更新", "終了した提供期間", "請求済み"):
        assert words in japanese, words
