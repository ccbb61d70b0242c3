"""A real MQTT client for tests (paho-mqtt, MQTT 5): what a seller's gateway or a subscriber's application does,
with each outcome the broker answers (CONNACK, SUBACK, PUBACK reason codes, a disconnection) waited for and kept."""

from __future__ import annotations

import queue
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    qos: int


class MqttProbe:
    """One connection. ``session``: a persistent session (clean start off, an hour's expiry) under its client id."""

    def __init__(
        self,
        port: int,
        *,
        username: str | None,
        password: str | None,
        client_id: str | None = None,
        session: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        self.port = port
        self.host = host
        self.session = session
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id or f"probe-{uuid.uuid4().hex[:12]}", protocol=mqtt.MQTTv5
        )
        if username is not None:
            self.client.username_pw_set(username, password)
        self.client.reconnect_delay_set(min_delay=30, max_delay=60)  # a refused probe must not keep trying
        self.messages: queue.Queue[Received] = queue.Queue()
        self.connack: ReasonCode | None = None
        self.session_present = False
        self.disconnected = threading.Event()
        self.disconnect_reason: ReasonCode | None = None
        self._connected = threading.Event()
        self._acks: dict[int, list[ReasonCode]] = {}
        self._acked = threading.Condition()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.client.on_publish = self._on_publish

    # -- callbacks ------------------------------------------------------------------------------------------------

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        self.connack = reason
        self.session_present = bool(flags.session_present)
        self._connected.set()

    def _on_disconnect(self, client: Any, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        self.disconnect_reason = reason
        self.disconnected.set()

    def _on_message(self, client: Any, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self.messages.put(Received(message.topic, message.payload, message.qos))

    def _on_subscribe(self, client: Any, userdata: Any, mid: int, reasons: list[ReasonCode], props: Any) -> None:
        with self._acked:
            self._acks[mid] = reasons
            self._acked.notify_all()

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: ReasonCode, props: Any) -> None:
        with self._acked:
            self._acks[mid] = [reason]
            self._acked.notify_all()

    def _ack(self, mid: int) -> ReasonCode:
        with self._acked:
            if not self._acked.wait_for(lambda: mid in self._acks, WAIT_SECONDS):
                raise AssertionError(f"no acknowledgement of packet {mid} within {WAIT_SECONDS} s")
            return self._acks.pop(mid)[0]

    # -- actions --------------------------------------------------------------------------------------------------

    def connect(self) -> ReasonCode:
        """Connect and wait for the broker's answer (the CONNACK's reason code)."""
        self._connected.clear()
        self.disconnected.clear()
        properties = None
        if self.session:
            properties = Properties(PacketTypes.CONNECT)
            properties.SessionExpiryInterval = 3600
        self.client.connect(self.host, self.port, keepalive=30, clean_start=not self.session, properties=properties)
        self.client.loop_start()
        if not self._connected.wait(WAIT_SECONDS):
            raise AssertionError("no CONNACK")
        assert self.connack is not None
        return self.connack

    def subscribe(self, topic: str, qos: int = 1) -> ReasonCode:
        """The SUBACK's reason code: the granted QoS, or a refusal (``Not authorized``)."""
        result, mid = self.client.subscribe(topic, qos=qos)
        assert result == mqtt.MQTT_ERR_SUCCESS
        assert mid is not None
        return self._ack(mid)

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> ReasonCode | None:
        """Publish; for QoS 1 the PUBACK's reason code (``Success``, or ``Not authorized`` if the ACLs refuse it)."""
        info = self.client.publish(topic, payload, qos=qos)
        if qos == 0:
            return None
        return self._ack(info.mid)

    def received(self, count: int, *, timeout: float = WAIT_SECONDS) -> list[Received]:
        got: list[Received] = []
        deadline = time.monotonic() + timeout
        while len(got) < count:
            try:
                got.append(self.messages.get(timeout=max(deadline - time.monotonic(), 0.01)))
            except queue.Empty:
                raise AssertionError(f"received {len(got)} of {count} messages: {got}") from None
        return got

    def nothing_received(self, *, within: float = 0.5) -> bool:
        try:
            self.messages.get(timeout=within)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        """Disconnect cleanly (a persistent session stays on the broker)."""
        self.client.disconnect()
        self.client.loop_stop()


def refused(reason: ReasonCode | None) -> bool:
    return reason is not None and reason.is_failure
