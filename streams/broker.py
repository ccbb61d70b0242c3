"""A small client of Mosquitto's dynamic-security plugin: the market's clients and roles on the broker.

The plugin is administered over MQTT itself: JSON commands published to ``$CONTROL/dynamic-security/v1`` by its
admin account (``ICHIBA_MQTT_URL``), answered on ``$CONTROL/dynamic-security/v1/response``. Each process keeps one
connection (``admin()``), opened on first use and re-opened by paho's network thread when it drops; commands carry
a correlation id, so several processes may administer the broker at once (each admin connection sees every
response and takes its own).

Every command waits at most ``ICHIBA_MQTT_TIMEOUT_SECONDS``; a broker that does not answer (down, unreachable,
refusing the admin's credentials) raises ``BrokerUnavailable``, which the API answers with a 503 like any other
outage (config/outage.py). A broker that answers with an error raises ``BrokerRefused``.

The writes are idempotent: putting a role or a client that exists updates it, enabling an enabled client changes
nothing. Mosquitto disconnects a client whose password, client id or roles change (``modifyClient``,
``setClientPassword``) or that is disabled, so ``client_reconcile`` changes only what differs.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import secrets
import ssl
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from config.market import MqttAddress, market_settings
from config.outage import ServiceDown

__all__ = [
    "CONTROL_TOPIC",
    "RESPONSE_TOPIC",
    "Acl",
    "BrokerClient",
    "BrokerRefused",
    "BrokerUnavailable",
    "DynsecAdmin",
    "Role",
    "admin",
    "mqtt_client",
    "new_password",
]

logger = logging.getLogger(__name__)

CONTROL_TOPIC = "$CONTROL/dynamic-security/v1"
RESPONSE_TOPIC = f"{CONTROL_TOPIC}/response"
# paho's waits between reconnection attempts of the admin connection, in seconds.
RECONNECT_DELAY = (1, 5)
# Bytes of randomness in a password the market generates (shown once, never stored).
PASSWORD_BYTES = 24


class BrokerUnavailable(ServiceDown):
    """The MQTT broker did not answer in time (down, unreachable, or refusing the admin's login)."""


class BrokerRefused(Exception):
    """The dynamic-security plugin answered a command with an error (``Role not found``)."""

    def __init__(self, command: str, error: str) -> None:
        super().__init__(f"{command}: {error}")
        self.command = command
        self.error = error


@dataclass(frozen=True)
class Acl:
    """One allowing ACL of a role: ``publishClientSend``, ``publishClientReceive``, ``subscribePattern``, ..."""

    acltype: str
    topic: str

    def as_json(self) -> dict[str, Any]:
        return {"acltype": self.acltype, "topic": self.topic, "allow": True}


@dataclass(frozen=True)
class Role:
    name: str
    acls: frozenset[Acl]


@dataclass(frozen=True)
class BrokerClient:
    """A client as the broker knows it."""

    username: str
    clientid: str
    roles: frozenset[str]
    disabled: bool


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


def mqtt_client(
    address: MqttAddress,
    *,
    client_id: str,
    username: str,
    password: str,
    ca_file: Path | None,
    timeout: float,
    manual_ack: bool = False,
) -> mqtt.Client:
    """A paho client (MQTT 5) set up for ``address``: TLS for mqtts (verified against ``ca_file`` or the system's
    CAs), ``timeout`` to connect."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=manual_ack)
    client.username_pw_set(username, password)
    if address.tls:
        client.tls_set(ca_certs=str(ca_file) if ca_file else None, tls_version=ssl.PROTOCOL_TLS_CLIENT)
    client.connect_timeout = timeout
    client.reconnect_delay_set(min_delay=RECONNECT_DELAY[0], max_delay=RECONNECT_DELAY[1])
    return client


class DynsecAdmin:
    """One admin connection to the broker, shared by the threads of a process."""

    def __init__(self, address: MqttAddress, *, timeout: float, ca_file: Path | None = None) -> None:
        self.address = address
        self.timeout = timeout
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._pending: dict[str, list[dict[str, Any]] | None] = {}
        self._answered = threading.Condition(self._lock)
        self._last_problem = "not connected yet"
        self._refusal: str | None = None
        self._batches = itertools.count()
        self._prefix = uuid.uuid4().hex[:12]
        self._client = mqtt_client(
            address,
            client_id=f"ichiba-admin-{self._prefix}",
            username=address.username,
            password=address.password,
            ca_file=ca_file,
            timeout=timeout,
        )
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._started = False
        self._closed = False

    # -- the connection ------------------------------------------------------------------------------------------

    def _start(self) -> None:
        with self._lock:  # two threads' first commands at once start one connection
            if self._started:
                return
            self._started = True
            self._client.connect_async(self.address.host, self.address.port, keepalive=30)
            self._client.loop_start()  # paho's thread connects, and reconnects whenever the connection drops

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        if reason.is_failure:
            self._refusal = self._last_problem = f"the broker refused the admin's connection: {reason}"
            logger.warning("mqtt_admin_refused broker=%s reason=%s", self.address.url, reason)
            return
        self._refusal = None
        client.subscribe(RESPONSE_TOPIC, qos=1)

    def _on_subscribe(
        self, client: mqtt.Client, userdata: Any, mid: int, reasons: list[ReasonCode], props: Any
    ) -> None:
        if any(reason.is_failure for reason in reasons):
            self._last_problem = f"the admin account may not subscribe to {RESPONSE_TOPIC}: {reasons[0]}"
            logger.warning("mqtt_admin_not_allowed broker=%s", self.address.url)
            return
        self._ready.set()

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        self._ready.clear()
        self._last_problem = self._refusal or f"the connection dropped: {reason}"

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            responses = json.loads(message.payload)["responses"]
        except (ValueError, KeyError, TypeError):
            logger.warning("mqtt_admin_unreadable_response payload=%r", message.payload[:200])
            return
        batches: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for response in responses:
            batch, _, index = str(response.get("correlationData", "")).rpartition(":")
            if batch.startswith(self._prefix) and index.isdigit():
                batches.setdefault(batch, []).append((int(index), response))
        if not batches:
            return  # another admin connection's answer
        with self._answered:
            for batch, answers in batches.items():
                if batch in self._pending:
                    self._pending[batch] = [response for _index, response in sorted(answers, key=lambda a: a[0])]
            self._answered.notify_all()

    def close(self) -> None:
        self._closed = True
        if self._started:
            self._client.disconnect()
            self._client.loop_stop()

    # -- commands ------------------------------------------------------------------------------------------------

    def execute(self, commands: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Send the commands in one message; their responses in order (each with ``error`` if it failed)."""
        if self._closed:
            raise BrokerUnavailable("the admin connection is closed")
        self._start()
        deadline = time.monotonic() + self.timeout
        if not self._ready.wait(self.timeout):
            raise BrokerUnavailable(f"MQTT broker {self.address.url} unavailable: {self._last_problem}")
        batch = f"{self._prefix}-{next(self._batches)}"
        payload = {"commands": [{**command, "correlationData": f"{batch}:{i}"} for i, command in enumerate(commands)]}
        with self._answered:
            self._pending[batch] = None
        try:
            info = self._client.publish(CONTROL_TOPIC, json.dumps(payload), qos=1)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                raise BrokerUnavailable(f"MQTT broker {self.address.url} unavailable: {mqtt.error_string(info.rc)}")
            with self._answered:
                while self._pending[batch] is None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise BrokerUnavailable(
                            f"MQTT broker {self.address.url} did not answer within {self.timeout:g} s"
                        )
                    self._answered.wait(left)
                answers = self._pending[batch]
        finally:
            with self._answered:
                self._pending.pop(batch, None)
        assert answers is not None
        if len(answers) != len(commands):
            raise BrokerUnavailable(f"MQTT broker {self.address.url} answered {len(answers)} of {len(commands)}")
        return answers

    def call(self, command: Mapping[str, Any]) -> dict[str, Any]:
        """One command; its response's ``data`` (empty for a write), or ``BrokerRefused``."""
        (answer,) = self.execute([command])
        if "error" in answer:
            raise BrokerRefused(str(command["command"]), str(answer["error"]))
        return dict(answer.get("data") or {})

    # -- roles -----------------------------------------------------------------------------------------------------

    def roles_put(self, roles: Iterable[Role]) -> None:
        """Create each role with exactly its ACLs; an existing role keeps its ACLs (``roles_reconcile`` fixes them)."""
        roles = list(roles)
        if not roles:
            return
        answers = self.execute([_create_role(role) for role in roles])
        for role, answer in zip(roles, answers, strict=True):
            if "error" in answer and answer["error"] != "Role already exists":
                raise BrokerRefused("createRole", f"{role.name}: {answer['error']}")

    def roles_list(self) -> dict[str, Role]:
        data = self.call({"command": "listRoles", "verbose": True, "count": -1})
        return {
            role["rolename"]: Role(
                role["rolename"],
                frozenset(Acl(acl["acltype"], acl["topic"]) for acl in role.get("acls", []) if acl.get("allow")),
            )
            for role in data.get("roles", [])
        }

    def roles_reconcile(self, roles: Iterable[Role], *, existing: Mapping[str, Role] | None = None) -> int:
        """Create missing roles and give any whose ACLs drifted exactly the ones wanted; how many were changed."""
        existing = self.roles_list() if existing is None else existing
        commands: list[dict[str, Any]] = []
        for role in roles:
            if role.name not in existing:
                commands.append(_create_role(role))
            elif existing[role.name].acls != role.acls:
                commands.append(_modify_role(role))
        for answer in self.execute(commands) if commands else []:
            if "error" in answer:
                raise BrokerRefused(str(answer.get("command")), str(answer["error"]))
        return len(commands)

    # -- clients ---------------------------------------------------------------------------------------------------

    def client_get(self, username: str) -> BrokerClient | None:
        (answer,) = self.execute([{"command": "getClient", "username": username}])
        if answer.get("error") == "Client not found":
            return None
        if "error" in answer:
            raise BrokerRefused("getClient", str(answer["error"]))
        return _broker_client(answer["data"]["client"])

    def clients_list(self) -> dict[str, BrokerClient]:
        data = self.call({"command": "listClients", "verbose": True, "count": -1})
        return {client["username"]: _broker_client(client) for client in data.get("clients", [])}

    def client_put(self, username: str, *, password: str, clientid: str, roles: Sequence[str], enabled: bool) -> None:
        """Create the client, or give an existing one this password, client id and exactly these roles (which
        disconnects it); then enable or disable it."""
        fields = {"username": username, "password": password, "clientid": clientid, "roles": _role_list(roles)}
        (created,) = self.execute([{"command": "createClient", **fields}])
        if created.get("error") == "Client already exists":
            self.call({"command": "modifyClient", **fields})
        elif "error" in created:
            raise BrokerRefused("createClient", str(created["error"]))
        self.call({"command": "enableClient" if enabled else "disableClient", "username": username})

    def client_reconcile(
        self,
        username: str,
        *,
        clientid: str,
        roles: Sequence[str],
        enabled: bool,
        existing: BrokerClient | None | bool = False,
    ) -> bool:
        """Make the broker's client match (created with a password nobody knows if it is missing: its holder
        rotates it); changes only what differs, so a connected client in good standing stays connected. Whether
        anything changed. ``existing``: the client as already read (None: known to be missing)."""
        current = self.client_get(username) if existing is False else existing
        assert current is not True
        if current is None:
            self.client_put(username, password=new_password(), clientid=clientid, roles=roles, enabled=enabled)
            return True
        commands: list[dict[str, Any]] = []
        if current.clientid != clientid or current.roles != frozenset(roles):
            commands.append(
                {"command": "modifyClient", "username": username, "clientid": clientid, "roles": _role_list(roles)}
            )
        if current.disabled == enabled:
            commands.append({"command": "enableClient" if enabled else "disableClient", "username": username})
        for answer in self.execute(commands) if commands else []:
            if "error" in answer:
                raise BrokerRefused(str(answer.get("command")), str(answer["error"]))
        return bool(commands)

    def client_set_password(self, username: str, password: str) -> None:
        self.call({"command": "setClientPassword", "username": username, "password": password})

    def client_delete(self, username: str) -> None:
        (answer,) = self.execute([{"command": "deleteClient", "username": username}])
        if "error" in answer and answer["error"] != "Client not found":
            raise BrokerRefused("deleteClient", str(answer["error"]))


def _create_role(role: Role) -> dict[str, Any]:
    return {
        "command": "createRole",
        "rolename": role.name,
        "acls": [acl.as_json() for acl in sorted(role.acls, key=str)],
    }


def _modify_role(role: Role) -> dict[str, Any]:
    return {
        "command": "modifyRole",
        "rolename": role.name,
        "acls": [acl.as_json() for acl in sorted(role.acls, key=str)],
    }


def _role_list(roles: Sequence[str]) -> list[dict[str, str]]:
    return [{"rolename": name} for name in roles]


def _broker_client(raw: Mapping[str, Any]) -> BrokerClient:
    return BrokerClient(
        username=raw["username"],
        clientid=raw.get("clientid", ""),
        roles=frozenset(role["rolename"] for role in raw.get("roles", [])),
        disabled=bool(raw.get("disabled", False)),
    )


# -- one admin connection per process ---------------------------------------------------------------------------

_admins: dict[tuple[int, MqttAddress, float, Path | None], DynsecAdmin] = {}
_admins_lock = threading.Lock()


def admin() -> DynsecAdmin:
    """This process's admin connection to the configured broker (a forked worker opens its own)."""
    market = market_settings()
    if market.mqtt_admin is None:
        raise BrokerUnavailable("live streams are not configured (ICHIBA_MQTT_URL is empty)")
    key = (os.getpid(), market.mqtt_admin, market.mqtt_timeout.total_seconds(), market.mqtt_ca_file)
    with _admins_lock:
        found = _admins.get(key)
        if found is None:
            for stale in [k for k in _admins if k[0] == key[0]]:  # the settings changed (tests override them)
                _admins.pop(stale).close()
            found = _admins[key] = DynsecAdmin(key[1], timeout=key[2], ca_file=key[3])
        return found


def admin_close() -> None:
    """Close this process's admin connection (tests that stop their broker)."""
    with _admins_lock:
        for key in [k for k in _admins if k[0] == os.getpid()]:
            _admins.pop(key).close()
