"""The rows are the truth: a broker that lost its state gets it back from them, and mqtts works end to end."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from streams.broker import admin, admin_close
from streams.models import StreamClient
from streams.services.clients import stream_client_apply, stream_clients_reconcile, stream_clients_sweep
from tests.builders import streamed_offering
from tests.fixtures import MosquittoServer, mosquitto_server, streams_pointed_at
from tests.mqtt import MqttProbe, refused

pytestmark = pytest.mark.django_db


def _issue(party, dataset_id) -> dict:
    response = party.client.post(f"/api/v1/datasets/{dataset_id}/stream-credentials")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_broker_that_lost_its_state_gets_every_client_back_and_loses_the_unknown_ones(
    mosquitto: MosquittoServer, seller, settings
) -> None:
    streams_pointed_at(mosquitto, settings)
    try:
        dataset_id = streamed_offering(seller).dataset_id
        issued = _issue(seller, dataset_id)
        admin().client_put("ichiba-pub-nobody-knows", password="x", clientid="x", roles=[], enabled=True)
        assert stream_clients_reconcile().orphans_deleted == 1  # a client of the market's naming no row knows
        assert admin().client_get("ichiba-pub-nobody-knows") is None
        # The broker loses its plugin's file (a disk replaced, a restore from an old backup).
        mosquitto.stop()
        os.remove(mosquitto.dynsec_file)
        mosquitto.start()
        assert admin().client_get(issued["username"]) is None
        reconciled = stream_clients_reconcile()
        assert (reconciled.roles_changed, reconciled.clients_changed) == (2, 1)  # the feed's role, the counter's
        client = admin().client_get(issued["username"])
        assert client is not None and not client.disabled and client.clientid == issued["client_id"]
        old = MqttProbe(
            mosquitto.port, username=issued["username"], password=issued["password"], client_id=issued["client_id"]
        )
        assert refused(old.connect())  # nobody knows the new password: the holder posts for credentials again
        old.close()
        again = _issue(seller, dataset_id)
        probe = MqttProbe(
            mosquitto.port, username=again["username"], password=again["password"], client_id=again["client_id"]
        )
        assert not refused(probe.connect())
        assert not refused(probe.publish(f"feeds/{dataset_id}/x", b"1"))
        probe.close()
        assert stream_clients_reconcile() == type(reconciled)(0, 0, 0)  # in line: nothing to do
    finally:
        admin_close()


def test_a_change_the_broker_missed_is_applied_by_the_sweeper(mosquitto: MosquittoServer, seller, settings) -> None:
    streams_pointed_at(mosquitto, settings)
    try:
        dataset_id = streamed_offering(seller).dataset_id
        issued = _issue(seller, dataset_id)
        admin().client_reconcile(issued["username"], clientid="tampered", roles=[], enabled=False)
        # A change recorded while its task was lost: the row is a generation ahead of the broker.
        StreamClient.objects.filter(dataset_id=dataset_id).update(
            generation=5, updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        )
        assert stream_clients_sweep() == 1
        client = admin().client_get(issued["username"])
        assert client is not None and not client.disabled and client.clientid == issued["username"]
        row = StreamClient.objects.get(dataset_id=dataset_id)
        assert row.applied_generation == row.generation == 5
        assert stream_clients_sweep() == 0
        assert stream_client_apply(client_id=row.pk)  # already applied: nothing to do, and it says it matches
    finally:
        admin_close()


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it; the files (ca, certificate, key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ichiba test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    files = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    files[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files[1].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    files[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files


def test_over_mqtts_the_market_and_its_clients_verify_the_broker(tmp_path: Path, seller, settings) -> None:
    ca, certificate, key = _certificates(tmp_path)
    broker_dir = tmp_path / "broker"
    broker_dir.mkdir()
    server = mosquitto_server(str(broker_dir), tls=(str(certificate), str(key)))
    try:
        streams_pointed_at(server, settings)
        settings.ICHIBA = {**settings.ICHIBA, "MQTT_CA_FILE": str(ca)}
        dataset_id = streamed_offering(seller).dataset_id
        issued = _issue(seller, dataset_id)
        assert issued["url"] == f"mqtts://127.0.0.1:{server.port}" and issued["tls"] is True
        probe = MqttProbe(
            server.port, username=issued["username"], password=issued["password"], client_id=issued["client_id"]
        )
        probe.client.tls_set(ca_certs=str(ca), tls_version=ssl.PROTOCOL_TLS_CLIENT)
        assert not refused(probe.connect())
        assert not refused(probe.publish(f"feeds/{dataset_id}/x", b"over TLS"))
        probe.close()
        # Without the CA the market does not trust the broker: an outage, not a silent plain connection.
        admin_close()
        settings.ICHIBA = {**settings.ICHIBA, "MQTT_CA_FILE": "", "MQTT_TIMEOUT_SECONDS": 1.0}
        response = seller.client.post(f"/api/v1/datasets/{dataset_id}/stream-credentials")
        assert response.status_code == 503
    finally:
        admin_close()
        server.stop()
