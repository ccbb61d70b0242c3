"""The dynamic-security admin client (streams/broker.py) against a real Mosquitto with the plugin."""

from __future__ import annotations

import time
import uuid

import pytest

from config.market import MqttAddress
from config.outage import is_outage
from streams.broker import Acl, BrokerRefused, BrokerUnavailable, DynsecAdmin, Role
from tests.fixtures import MOSQUITTO_ADMIN, MOSQUITTO_ADMIN_PASSWORD, MosquittoServer, free_port
from tests.mqtt import MqttProbe, refused


def _admin(server: MosquittoServer, *, password: str = MOSQUITTO_ADMIN_PASSWORD, timeout: float = 3.0) -> DynsecAdmin:
    return DynsecAdmin(
        MqttAddress(False, "127.0.0.1", server.port, MOSQUITTO_ADMIN, password), timeout=timeout, ca_file=None
    )


def _role(topic: str) -> Role:
    return Role(f"test-{uuid.uuid4().hex[:8]}", frozenset({Acl("publishClientSend", topic)}))


def test_putting_a_role_or_a_client_twice_updates_it(mosquitto_shared: MosquittoServer) -> None:
    admin = _admin(mosquitto_shared)
    try:
        role = _role("feeds/x/#")
        admin.roles_put([role])
        admin.roles_put([role])  # exists: no error
        assert admin.roles_list()[role.name] == role
        name = f"test-{uuid.uuid4().hex[:8]}"
        admin.client_put(name, password="first", clientid=name, roles=[role.name], enabled=True)
        admin.client_put(name, password="second", clientid=name, roles=[role.name], enabled=False)
        client = admin.client_get(name)
        assert client is not None and client.disabled and client.roles == {role.name} and client.clientid == name
        probe = MqttProbe(mosquitto_shared.port, username=name, password="second", client_id=name)
        assert refused(probe.connect())  # disabled
        probe.close()
        admin.client_put(name, password="second", clientid=name, roles=[role.name], enabled=True)
        first = MqttProbe(mosquitto_shared.port, username=name, password="first", client_id=name)
        assert refused(first.connect())  # the password was replaced
        first.close()
        second = MqttProbe(mosquitto_shared.port, username=name, password="second", client_id=name)
        assert not refused(second.connect())
        second.close()
        admin.client_delete(name)
        admin.client_delete(name)  # gone already: no error
        assert admin.client_get(name) is None
    finally:
        admin.close()


def test_reconciling_changes_only_what_differs_and_keeps_a_good_client_connected(
    mosquitto_shared: MosquittoServer,
) -> None:
    admin = _admin(mosquitto_shared)
    try:
        role, other = _role("feeds/a/#"), _role("feeds/b/#")
        admin.roles_put([role, other])
        name = f"test-{uuid.uuid4().hex[:8]}"
        admin.client_put(name, password="pw", clientid=name, roles=[role.name], enabled=True)
        probe = MqttProbe(mosquitto_shared.port, username=name, password="pw", client_id=name)
        assert not refused(probe.connect())
        assert not admin.client_reconcile(name, clientid=name, roles=[role.name], enabled=True)
        time.sleep(0.3)
        assert not probe.disconnected.is_set()  # nothing changed, nobody was kicked
        assert admin.client_reconcile(name, clientid=name, roles=[other.name], enabled=True)
        assert admin.client_get(name).roles == {other.name}  # type: ignore[union-attr]
        assert admin.client_reconcile(name, clientid=name, roles=[other.name], enabled=False)
        assert probe.disconnected.wait(5)  # disabling cuts it off
        probe.close()
        changed = Role(role.name, frozenset({Acl("publishClientSend", "feeds/c/#")}))
        assert admin.roles_reconcile([changed]) == 1
        assert admin.roles_list()[role.name] == changed
        assert admin.roles_reconcile([changed]) == 0
    finally:
        admin.close()


def test_an_unknown_role_is_refused_with_the_brokers_words(mosquitto_shared: MosquittoServer) -> None:
    admin = _admin(mosquitto_shared)
    try:
        with pytest.raises(BrokerRefused, match="Role not found"):
            admin.client_put("test-nobody", password="pw", clientid="test-nobody", roles=["no-such-role"], enabled=True)
    finally:
        admin.close()


def test_a_broker_that_is_down_or_refuses_the_admin_is_an_outage_within_the_timeout(
    mosquitto_shared: MosquittoServer,
) -> None:
    down = DynsecAdmin(MqttAddress(False, "127.0.0.1", free_port(), "admin", "pw"), timeout=1.0)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable, match="unavailable") as raised:
        down.roles_list()
    assert time.monotonic() - started < 3
    assert is_outage(raised.value)  # answered 503 with Retry-After, like Redis (config/outage.py)
    down.close()
    wrong = _admin(mosquitto_shared, password="not-the-password", timeout=1.0)
    with pytest.raises(BrokerUnavailable, match="refused the admin's connection: Not authorized"):
        wrong.roles_list()
    wrong.close()


def test_the_admin_connection_comes_back_after_a_broker_restart(mosquitto: MosquittoServer) -> None:
    admin = _admin(mosquitto, timeout=2.0)
    try:
        admin.roles_put([_role("feeds/a/#")])
        mosquitto.kill()
        with pytest.raises(BrokerUnavailable):
            admin.roles_list()
        mosquitto.start()
        deadline = time.monotonic() + 15
        while True:
            try:
                admin.roles_list()
                break
            except BrokerUnavailable:
                if time.monotonic() > deadline:
                    raise
    finally:
        admin.close()


def test_threads_share_one_connection_and_each_gets_its_own_answers(mosquitto_shared: MosquittoServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    admin = _admin(mosquitto_shared)
    roles = [_role(f"feeds/{i}/#") for i in range(16)]
    try:
        with ThreadPoolExecutor(8) as pool:  # the first commands race to open the connection
            list(pool.map(lambda role: admin.roles_put([role]), roles))
            found = list(pool.map(lambda role: admin.call({"command": "getRole", "rolename": role.name}), roles))
        assert [answer["role"]["rolename"] for answer in found] == [role.name for role in roles]
    finally:
        admin.close()
