"""A subscriber's stream (POST /api/v1/subscriptions/{id}/stream-credentials), proven with a real MQTT client on a
real broker through the whole life of a subscription: it receives what the seller publishes and nothing else,
publishes nothing, keeps what came during a short disconnection, is cut off when past due and restored when paid,
and keeps its stream after a cancellation until the period ends, then loses it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from marketplace.models import Offering
from settlement import hooks
from settlement.models import Subscription
from settlement.services import billing
from streams.broker import admin
from streams.models import StreamClient, StreamMessageCount
from streams.selectors import stream_messages_between
from streams.services.counting import minute_of
from tests.builders import feed_version, make_party, place, readings_csv, subscription_offering
from tests.fixtures import MosquittoServer
from tests.mqtt import MqttProbe, refused

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def streamed_feed(seller: Any, capture: Any, **shape: Any) -> dict[str, Any]:
    """A subscription offering (30-day periods, 3 of them) carrying a live stream."""
    offering = subscription_offering(seller, capture, period_days=30, term_periods=3, **shape)
    Offering.objects.filter(pk=offering["id"]).update(stream=True)
    return offering


def subscribe(buyer: Any, seller: Any, offering: dict[str, Any], capture: Any) -> Subscription:
    with capture(execute=True):
        assert place(seller, offering, "sell", 5, 1000).status_code == 201
    with capture(execute=True):
        response = place(buyer, offering, "buy", 1, 1000)
    assert response.status_code == 201, response.content
    [made] = response.json()["trades"]
    return Subscription.objects.get(contract_id=made["contract"])


def close(capture: Any, as_of: datetime) -> None:
    with capture(execute=True):
        billing.subscription_periods_close(as_of=as_of)


def card(party: Any, payment_method: str, capture: Any) -> None:
    with capture(execute=True):
        response = party.client.post("/api/v1/payment-methods", {"payment_method": payment_method}, format="json")
    assert response.status_code == 201, response.content


def credentials(party: Any, path: str) -> dict[str, Any]:
    response = party.client.post(path)
    assert response.status_code == 201, response.content
    return response.json()


def probe(server: MosquittoServer, issued: dict[str, Any], *, session: bool = False) -> MqttProbe:
    return MqttProbe(
        server.port,
        username=issued["username"],
        password=issued["password"],
        client_id=issued["client_id"],
        session=session,
    )


@pytest.fixture
def market(streams_on: MosquittoServer, seller, buyer, django_capture_on_commit_callbacks) -> dict[str, Any]:
    """A subscription to a streamed feed, the subscriber's and the seller's credentials."""
    capture = django_capture_on_commit_callbacks
    offering = streamed_feed(seller, capture)
    subscription = subscribe(buyer, seller, offering, capture)
    reader = credentials(buyer, f"/api/v1/subscriptions/{subscription.id}/stream-credentials")
    publisher = credentials(seller, f"/api/v1/datasets/{subscription.dataset_id}/stream-credentials")
    return {"offering": offering, "subscription": subscription, "reader": reader, "publisher": publisher}


def test_the_subscriber_receives_what_the_seller_publishes_and_can_neither_publish_nor_read_another_feed(
    streams_on: MosquittoServer, market, seller, other_seller, buyer, django_capture_on_commit_callbacks
) -> None:
    subscription, reader = market["subscription"], market["reader"]
    feed = f"feeds/{subscription.dataset_id}"
    assert reader["username"] == f"ichiba-sub-{subscription.id}" and reader["topic"] == f"{feed}/#"
    other_feed = subscribe(
        buyer,
        other_seller,
        streamed_feed(other_seller, django_capture_on_commit_callbacks),
        django_capture_on_commit_callbacks,
    ).dataset_id
    other = credentials(other_seller, f"/api/v1/datasets/{other_feed}/stream-credentials")
    subscriber, gateway, other_gateway = (
        probe(streams_on, reader),
        probe(streams_on, market["publisher"]),
        probe(streams_on, other),
    )
    try:
        for client in (subscriber, gateway, other_gateway):
            assert not refused(client.connect())
        assert not refused(subscriber.subscribe(reader["topic"]))
        for elsewhere in (f"feeds/{other_feed}/#", "feeds/#", "feeds/+/#", "#"):
            assert refused(subscriber.subscribe(elsewhere)), elsewhere
        assert not refused(gateway.publish(f"{feed}/gauge-1", b"12.5"))
        assert not refused(other_gateway.publish(f"feeds/{other_feed}/gauge-1", b"not yours"))
        [received] = subscriber.received(1)
        assert (received.topic, received.payload, received.qos) == (f"{feed}/gauge-1", b"12.5", 1)
        assert refused(subscriber.publish(f"{feed}/gauge-1", b"forged"))  # read only
        assert subscriber.nothing_received()  # neither the other feed nor its own forgery
    finally:
        for client in (subscriber, gateway, other_gateway):
            client.close()


def test_with_qos_1_and_a_persistent_session_a_short_disconnection_loses_nothing(
    streams_on: MosquittoServer, market
) -> None:
    reader, feed = market["reader"], f"feeds/{market['subscription'].dataset_id}"
    subscriber, gateway = probe(streams_on, reader, session=True), probe(streams_on, market["publisher"])
    try:
        assert not refused(subscriber.connect()) and not refused(gateway.connect())
        assert not refused(subscriber.subscribe(reader["topic"], qos=1))
        gateway.publish(f"{feed}/gauge", b"before")
        assert subscriber.received(1)[0].payload == b"before"
        subscriber.close()  # the subscriber's network drops for a moment
        for i in range(3):
            gateway.publish(f"{feed}/gauge", b"while away %d" % i)
        back = probe(streams_on, reader, session=True)
        assert not refused(back.connect())
        assert back.session_present  # the broker kept the session and its subscription
        assert [message.payload for message in back.received(3)] == [b"while away %d" % i for i in range(3)]
        gateway.publish(f"{feed}/gauge", b"after")
        assert back.received(1)[0].payload == b"after"
        back.close()
    finally:
        gateway.close()


def test_past_due_cuts_the_stream_off_and_paying_restores_it(
    streams_on: MosquittoServer, market, seller, buyer, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    subscription, reader = market["subscription"], market["reader"]
    connected = probe(streams_on, reader)
    assert not refused(connected.connect())
    close(capture, subscription.starts_at + 30 * DAY)
    feed_version(seller, market["offering"], capture, readings_csv(12))  # delivered in period 2
    card(buyer, "pm_card_chargeDeclined", capture)
    close(capture, subscription.starts_at + 60 * DAY)
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    assert connected.disconnected.wait(5)  # cut off at once
    connected.close()
    refused_now = probe(streams_on, reader)
    assert refused(refused_now.connect())
    refused_now.close()
    again = buyer.client.post(f"/api/v1/subscriptions/{subscription.id}/stream-credentials")
    assert again.status_code == 409 and "until the period is paid" in again.json()["detail"]
    client = StreamClient.objects.get(subscription=subscription)
    assert (client.status, client.applied_generation) == ("suspended", client.generation)
    card(buyer, "pm_card_visa", capture)  # the retry succeeds: paid, in force again
    subscription.refresh_from_db()
    assert subscription.status == "active"
    restored = probe(streams_on, reader)
    assert not refused(restored.connect())  # the same password works again
    restored.close()
    assert list(client.events.values_list("from_status", "to_status")) == [
        ("active", "active"),  # credentials issued
        ("active", "suspended"),
        ("suspended", "active"),
    ]


def test_a_cancelled_subscription_keeps_its_stream_to_the_end_of_the_period_then_loses_it(
    streams_on: MosquittoServer, market, buyer, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    subscription, reader = market["subscription"], market["reader"]
    with capture(execute=True):
        assert buyer.client.post(f"/api/v1/subscriptions/{subscription.id}/cancel").status_code == 200
    connected = probe(streams_on, reader)
    assert not refused(connected.connect())  # cancelling: still in its paid period
    rotated = credentials(buyer, f"/api/v1/subscriptions/{subscription.id}/stream-credentials")
    assert connected.disconnected.wait(5)  # the rotation ends the old password's connection
    connected.close()
    close(capture, subscription.starts_at + 30 * DAY)
    subscription.refresh_from_db()
    assert subscription.status == "ended"
    cut = probe(streams_on, rotated)
    assert refused(cut.connect())
    cut.close()
    assert admin().client_get(rotated["username"]) is None  # removed from the broker, its session with it
    assert StreamClient.objects.get(subscription=subscription).status == "ended"
    after = buyer.client.post(f"/api/v1/subscriptions/{subscription.id}/stream-credentials")
    assert after.status_code == 409 and "any more" in after.json()["detail"]


def test_only_the_subscriber_gets_its_credentials_and_only_for_a_stream(
    streams_on: MosquittoServer, seller, buyer, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    subscription = subscribe(buyer, seller, streamed_feed(seller, capture), capture)
    path = f"/api/v1/subscriptions/{subscription.id}/stream-credentials"
    assert seller.client.post(path).status_code == 403
    stranger = make_party("Nagoya Mobility", {"buyer"})
    assert stranger.client.post(path).status_code == 404
    assert buyer.client.post("/api/v1/subscriptions/not-a-uuid/stream-credentials").status_code == 404
    plain = subscribe(buyer, seller, subscription_offering(seller, capture, title="No stream"), capture)
    response = buyer.client.post(f"/api/v1/subscriptions/{plain.id}/stream-credentials")
    assert response.status_code == 409 and response.json()["type"] == "/problems/stream-not-offered"
    assert not StreamClient.objects.exists()


def test_a_message_commitment_is_met_with_the_messages_counted_in_the_period(
    streams_on: MosquittoServer, seller, buyer, django_capture_on_commit_callbacks
) -> None:
    """A process started with streams on registers the counts with settlement's close pass (streams/apps.py): a
    period is charged when the minutes counted within it hold min_messages_per_period messages, missed otherwise."""
    capture = django_capture_on_commit_callbacks
    offering = streamed_feed(seller, capture, min_messages_per_period=10)
    subscription = subscribe(buyer, seller, offering, capture)
    start = subscription.starts_at
    hooks.register_stream_message_counter(stream_messages_between)  # as StreamsConfig.ready does with streams on
    try:
        close(capture, start + 30 * DAY)
        # The test clock opens each period now; say it opened a while ago, so its minutes can be counted.
        for number, messages, opened_ago in ((2, 12, 60), (3, 9, 10)):
            feed_version(seller, offering, capture, readings_csv(10 + number))
            now = timezone.now()
            subscription.periods.filter(number=number).update(opened_at=now - timedelta(minutes=opened_ago))
            minute = minute_of(now - timedelta(minutes=opened_ago / 2))
            StreamMessageCount.objects.create(dataset_id=subscription.dataset_id, minute=minute, messages=messages)
            close(capture, start + 30 * number * DAY)
    finally:
        hooks.register_stream_message_counter(None)
    outcomes = subscription.periods.filter(number__gte=2).values_list("number", "outcome", "messages_delivered")
    assert list(outcomes) == [(2, "charged", 12), (3, "missed", 9)]
