"""A seller's publishing credentials (POST /api/v1/datasets/{id}/stream-credentials), proven on a real broker."""

from __future__ import annotations

import uuid

import pytest

from streams.broker import admin_close
from streams.models import StreamClient, StreamClientEvent
from tests.builders import offer, streamed_offering
from tests.fixtures import MosquittoServer, free_port
from tests.mqtt import MqttProbe, refused

pytestmark = pytest.mark.django_db


def _issue(party, dataset_id) -> dict:
    response = party.client.post(f"/api/v1/datasets/{dataset_id}/stream-credentials")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_seller_gets_credentials_that_publish_on_its_feed_and_nowhere_else(
    streams_on: MosquittoServer, seller
) -> None:
    dataset_id = streamed_offering(seller).dataset_id
    issued = _issue(seller, dataset_id)
    assert issued == {
        "url": f"mqtt://127.0.0.1:{streams_on.port}",
        "host": "127.0.0.1",
        "port": streams_on.port,
        "tls": False,
        "username": f"ichiba-pub-{dataset_id}",
        "password": issued["password"],
        "client_id": f"ichiba-pub-{dataset_id}",
        "topic": f"feeds/{dataset_id}/#",
    }
    assert len(issued["password"]) >= 32
    reader = MqttProbe(streams_on.port, username="ichiba-admin", password="ichiba-test-admin-password")
    reader.connect()
    assert not refused(reader.subscribe(f"feeds/{dataset_id}/#"))
    gateway = MqttProbe(
        streams_on.port, username=issued["username"], password=issued["password"], client_id=issued["client_id"]
    )
    try:
        assert not refused(gateway.connect())
        assert not refused(gateway.publish(f"feeds/{dataset_id}/gauge-1", b'{"strain": 12.5}'))
        assert reader.received(1)[0].payload == b'{"strain": 12.5}'
        assert refused(gateway.publish(f"feeds/{uuid.uuid4()}/gauge-1", b"elsewhere"))
        assert refused(gateway.publish("feeds", b"elsewhere"))
        assert refused(gateway.subscribe(f"feeds/{dataset_id}/#"))  # a publisher reads nothing
        assert reader.nothing_received()
    finally:
        gateway.close()
        reader.close()
    client = StreamClient.objects.get(dataset_id=dataset_id)
    assert (client.role, client.status, client.organization_id) == ("publisher", "active", seller.organization.id)
    assert client.applied_generation == client.generation and client.issued_at is not None
    assert issued["password"] not in str(list(StreamClient.objects.values()))  # nothing secret is stored


def test_a_second_post_rotates_the_password_and_disconnects_the_old_one(streams_on: MosquittoServer, seller) -> None:
    dataset_id = streamed_offering(seller).dataset_id
    first = _issue(seller, dataset_id)
    connected = MqttProbe(
        streams_on.port, username=first["username"], password=first["password"], client_id=first["client_id"]
    )
    assert not refused(connected.connect())
    second = _issue(seller, dataset_id)
    assert second["username"] == first["username"] and second["password"] != first["password"]
    assert connected.disconnected.wait(5)
    connected.close()
    old = MqttProbe(
        streams_on.port, username=first["username"], password=first["password"], client_id=first["client_id"]
    )
    assert refused(old.connect())
    old.close()
    new = MqttProbe(
        streams_on.port, username=second["username"], password=second["password"], client_id=second["client_id"]
    )
    assert not refused(new.connect())
    new.close()
    assert StreamClient.objects.filter(dataset_id=dataset_id).count() == 1
    reasons = list(StreamClientEvent.objects.filter(client__dataset_id=dataset_id).values_list("reason", flat=True))
    assert reasons == ["credentials issued", "credentials rotated"]


def test_only_the_login_s_own_client_id_is_accepted(streams_on: MosquittoServer, seller) -> None:
    """The broker binds each login to its client id: nobody can take over another's session by naming its id."""
    issued = _issue(seller, streamed_offering(seller).dataset_id)
    other = MqttProbe(streams_on.port, username=issued["username"], password=issued["password"], client_id="mine")
    assert refused(other.connect())
    other.close()


def test_another_s_dataset_or_an_unknown_one_is_not_found(streams_on: MosquittoServer, seller, other_seller) -> None:
    dataset_id = streamed_offering(seller).dataset_id
    for path in (f"/api/v1/datasets/{dataset_id}", f"/api/v1/datasets/{uuid.uuid4()}", "/api/v1/datasets/not-a-uuid"):
        response = other_seller.client.post(f"{path}/stream-credentials")
        assert response.status_code == 404, response.content
        assert response["Content-Type"] == "application/problem+json"
    assert not StreamClient.objects.exists()


def test_a_dataset_without_a_streamed_offering_gets_none(streams_on: MosquittoServer, seller) -> None:
    response = seller.client.post(f"/api/v1/datasets/{offer(seller).dataset_id}/stream-credentials")
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/stream-not-offered"
    assert not StreamClient.objects.exists()


def test_with_streams_off_the_answer_says_they_are_not_configured(seller, settings) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": ""}
    response = seller.client.post(f"/api/v1/datasets/{streamed_offering(seller).dataset_id}/stream-credentials")
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/streams-not-configured"
    assert "not configured" in response.json()["detail"]


def test_a_broker_outage_is_a_503_with_retry_after_and_issues_nothing(seller, settings) -> None:
    settings.ICHIBA = {
        **settings.ICHIBA,
        "MQTT_URL": f"mqtt://admin:pw@127.0.0.1:{free_port()}",
        "MQTT_TIMEOUT_SECONDS": 0.5,
    }
    dataset_id = streamed_offering(seller).dataset_id
    try:
        response = seller.client.post(f"/api/v1/datasets/{dataset_id}/stream-credentials")
    finally:
        admin_close()
    assert response.status_code == 503, response.content
    assert response.json()["type"] == "/problems/service-unavailable"
    assert int(response["Retry-After"]) > 0
    assert not StreamClient.objects.filter(issued_at__isnull=False).exists()
    assert not StreamClientEvent.objects.exists()
