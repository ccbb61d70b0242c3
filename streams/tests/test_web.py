"""Live-stream credentials on the web (Django test client, a real Mosquitto): the subscriber's button on its
subscription purchase's page and the seller's on its dataset's page issue credentials shown once, with which real
MQTT clients connect, publish and receive; a rotation replaces the password; past due, ended, streams off and
anyone else's are refused with a message or see no button. English and Japanese."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from marketplace.models import Offering
from settlement.models import Settlement, Subscription
from settlement.services import billing
from streams.models import StreamClient
from tests.builders import feed_version, make_party, place, readings_csv, subscription_offering
from tests.fixtures import MosquittoServer
from tests.mqtt import MqttProbe, refused

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def signed_in(party: Any, *, lang: str = "en", **kwargs: Any) -> Client:
    client = Client(headers={"accept-language": lang}, **kwargs)
    client.force_login(get_user_model().objects.get(username=party.email))
    return client


def text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def squashed(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def shown(page: str, name: str) -> str:
    """One credential as the page shows it (``stream-password``, ``stream-username`` ...)."""
    found = re.search(rf'class="{name}">([^<]*)</code>', page)
    assert found is not None, name
    return found.group(1)


def streamed(seller: Any, buyer: Any, capture: Any) -> tuple[Subscription, Settlement]:
    """A subscription to a feed carrying a live stream (30-day periods, 3 of them) and its purchase."""
    offering = subscription_offering(seller, capture, period_days=30, term_periods=3)
    Offering.objects.filter(pk=offering["id"]).update(stream=True)
    with capture(execute=True):
        assert place(seller, offering, "sell", 5, 1000).status_code == 201
    with capture(execute=True):
        response = place(buyer, offering, "buy", 1, 1000)
    assert response.status_code == 201, response.content
    [made] = response.json()["trades"]
    subscription = Subscription.objects.get(contract_id=made["contract"])
    return subscription, Settlement.objects.get(contract_id=subscription.contract_id, period=1)


def probe(server: MosquittoServer, page: str) -> MqttProbe:
    return MqttProbe(
        server.port,
        username=shown(page, "stream-username"),
        password=shown(page, "stream-password"),
        client_id=shown(page, "stream-client-id"),
    )


def test_the_subscriber_and_the_seller_get_credentials_shown_once_that_carry_the_feed(
    streams_on: MosquittoServer, seller: Any, buyer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscription, purchase = streamed(seller, buyer, django_capture_on_commit_callbacks)
    purchase_page = f"/purchases/{purchase.id}/"
    topic = f"feeds/{subscription.dataset_id}/#"

    page = text(signed_in(buyer).get(purchase_page))
    panel = squashed(page[page.index('id="live-stream"') :])
    assert topic in panel and "No credentials issued yet." in panel and "Get the stream's credentials" in panel
    action = f'action="/subscriptions/{subscription.id}/stream-credentials/"'
    assert action in page

    url = f"/subscriptions/{subscription.id}/stream-credentials/"
    issued = signed_in(buyer).post(url, {"next": purchase_page})
    reader = text(issued)
    assert "no-cache" in issued["Cache-Control"] and "no-store" in issued["Cache-Control"]
    assert "The password is shown only this once" in reader
    assert shown(reader, "stream-username") == f"ichiba-sub-{subscription.id}" == shown(reader, "stream-client-id")
    assert shown(reader, "stream-topic") == topic and f'href="{purchase_page}"' in reader
    assert f"mosquitto_sub -h 127.0.0.1 -p {streams_on.port}" in reader

    dataset_page = f"/datasets/{subscription.dataset_id}/"
    page = text(signed_in(seller).get(dataset_page))
    assert "Get the publisher credentials" in page and topic in page
    assert "Get the publisher credentials" not in text(signed_in(buyer).get(dataset_page)), "the seller's only"
    assert 'id="live-stream"' not in text(Client().get(dataset_page))
    publisher = text(
        signed_in(seller).post(f"/sell/datasets/{subscription.dataset_id}/stream-credentials/", {"next": dataset_page})
    )
    assert shown(publisher, "stream-username") == f"ichiba-pub-{subscription.dataset_id}"

    # Real clients, with what the pages showed: the seller's reading reaches the subscriber.
    subscriber, gateway = probe(streams_on, reader), probe(streams_on, publisher)
    try:
        assert not refused(subscriber.connect()) and not refused(gateway.connect())
        assert not refused(subscriber.subscribe(topic))
        assert not refused(gateway.publish(f"feeds/{subscription.dataset_id}/gauge-1", b"12.5"))
        assert subscriber.received(1)[0].payload == b"12.5"
    finally:
        subscriber.close()
        gateway.close()

    # Rotated: a new password; the old one no longer logs in. The panels say when they were last issued.
    page = text(signed_in(buyer).get(purchase_page))
    assert "Rotate the stream's credentials" in page and "Credentials last issued at" in page
    rotated = text(signed_in(buyer).post(url, {"next": purchase_page}))
    assert shown(rotated, "stream-password") != shown(reader, "stream-password")
    stale = probe(streams_on, reader)
    try:
        assert refused(stale.connect())
    finally:
        stale.close()
    assert "Publisher credentials last issued at" in text(signed_in(seller).get(dataset_page))

    japanese = squashed(text(signed_in(buyer, lang="ja").get(purchase_page)))
    assert "ライブストリーム" in japanese and "認証情報" in japanese


def test_a_get_issues_nothing_and_the_post_needs_the_csrf_token(
    streams_on: MosquittoServer, seller: Any, buyer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscription, purchase = streamed(seller, buyer, django_capture_on_commit_callbacks)
    url = f"/subscriptions/{subscription.id}/stream-credentials/"
    response = signed_in(buyer).get(url, {"next": f"/purchases/{purchase.id}/"})
    assert response.status_code == 302 and response["Location"] == f"/purchases/{purchase.id}/"
    assert signed_in(buyer, enforce_csrf_checks=True).post(url).status_code == 403
    elsewhere = signed_in(buyer).get(url, {"next": "https://evil.example/"})
    assert elsewhere["Location"] == "/purchases/", "only this site's pages are gone back to"
    assert not StreamClient.objects.exists()


def test_others_past_due_and_streams_off_get_no_credentials(
    streams_on: MosquittoServer,
    seller: Any,
    buyer: Any,
    other_seller: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    capture = django_capture_on_commit_callbacks
    subscription, purchase = streamed(seller, buyer, capture)
    url = f"/subscriptions/{subscription.id}/stream-credentials/"
    stranger = make_party("Kyoto Analytics", {"buyer"})
    assert signed_in(stranger).post(url).status_code == 404
    refused_seller = squashed(text(signed_in(seller).post(url, follow=True)))
    assert "Only the subscriber receives the stream's credentials" in refused_seller
    dataset_url = f"/sell/datasets/{subscription.dataset_id}/stream-credentials/"
    assert signed_in(other_seller).post(dataset_url).status_code == 404
    assert signed_in(buyer).post(dataset_url).status_code == 403, "the seller role publishes"

    # Past due: the panel says the stream is suspended; asking anyway is a message.
    billing_close = billing.subscription_periods_close
    with capture(execute=True):
        billing_close(as_of=subscription.starts_at + 30 * DAY)
    feed_version(seller, {"id": str(subscription.offering_id)}, capture, readings_csv(12))
    with capture(execute=True):
        response = buyer.client.post("/api/v1/payment-methods", {"payment_method": "pm_card_chargeDeclined"})
    assert response.status_code == 201
    with capture(execute=True):
        billing_close(as_of=subscription.starts_at + 60 * DAY)
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    page = squashed(text(signed_in(buyer).get(f"/purchases/{purchase.id}/")))
    assert "Suspended" in page and "The stream is cut off until the overdue period is paid." in page
    assert "Get the stream's credentials" not in page
    refused_past_due = squashed(text(signed_in(buyer).post(url, follow=True)))
    assert "The subscription gives no access to its stream now" in refused_past_due
    assert not StreamClient.objects.exists()

    # Streams off on this market: the panel says so, and so does a POST.
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": ""}
    page = squashed(text(signed_in(buyer).get(f"/purchases/{purchase.id}/")))
    assert "Live streams are off on this market" in page
    off = squashed(text(signed_in(seller).post(dataset_url, follow=True)))
    assert "Live streams are off on this market" in off


def test_a_subscription_without_a_stream_shows_no_stream_panel(
    seller: Any, buyer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    offering = subscription_offering(seller, capture, period_days=30, term_periods=3)
    with capture(execute=True):
        assert place(seller, offering, "sell", 5, 1000).status_code == 201
    with capture(execute=True):
        [made] = place(buyer, offering, "buy", 1, 1000).json()["trades"]
    purchase = Settlement.objects.get(contract_id=made["contract"], period=1)
    assert 'id="live-stream"' not in text(signed_in(buyer).get(f"/purchases/{purchase.id}/"))
    dataset_id = Offering.objects.get(pk=offering["id"]).dataset_id
    assert 'id="live-stream"' not in text(signed_in(seller).get(f"/datasets/{dataset_id}/"))
