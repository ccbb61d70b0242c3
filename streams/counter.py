"""The market's message counter: its own MQTT client reads every feed (``feeds/+/#``) and counts messages per dataset
and minute into the database (``python manage.py count_stream_messages``; docs/streams.md#counting).

- It logs in as ``ichiba-counter``, a client it (re)creates through the dynamic-security admin at start with a fresh
  random password, bound to the client id of the same name, with a read-only role on every feed. A second counter
  started elsewhere takes the login over; the first is then refused and exits. Run exactly one.
- Its session is persistent (clean start off, a week's expiry) and it subscribes at QoS 1, so what is published
  with QoS 1 while it restarts waits on the broker (up to the broker's ``max_queued_messages``).
- It acknowledges a message only after the flush that counted it committed (paho's manual acknowledgement): a
  counter killed mid-second is sent that second's unacknowledged messages again. Counts are flushed once a
  second, each (dataset, minute) incremented in SQL, so a restart loses nothing of QoS 1 (and at most the unflushed
  second of QoS 0 messages); a crash between a flush's commit and its acknowledgements counts that second twice.
- A message counts in the minute it is received.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt
from django.db import close_old_connections
from django.utils import timezone
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from config.market import market_settings
from streams.acl import COUNTER_USERNAME, counter_role
from streams.broker import admin, mqtt_client, new_password
from streams.services.counting import minute_of, stream_counts_add

__all__ = ["COUNTER_TOPIC", "CounterRefused", "MessageCounter"]

logger = logging.getLogger(__name__)

COUNTER_TOPIC = "feeds/+/#"
FLUSH_INTERVAL_SECONDS = 1.0
SESSION_EXPIRY = timedelta(days=7)
# QoS 1 messages the broker may send before the counter acknowledges any (MQTT 5's Receive Maximum, at its largest):
# acknowledgements wait for the flush, so this must cover a second's messages and more.
RECEIVE_MAXIMUM = 65535

Key = tuple[uuid.UUID, datetime]


class CounterRefused(Exception):
    """The broker refused the counter's login or subscription (another counter took the login over)."""


@dataclass
class _Batch:
    counts: Counter[Key] = field(default_factory=Counter)
    # QoS 1 and 2 messages of the batch: redelivered by the broker if the connection drops before they are acked.
    redeliverable: Counter[Key] = field(default_factory=Counter)
    acks: list[tuple[int, int]] = field(default_factory=list)
    # The connection its messages came on (acknowledgements are valid only there).
    connection: int = 0


class MessageCounter:
    def __init__(self, *, flush_interval: float = FLUSH_INTERVAL_SECONDS) -> None:
        self.flush_interval = flush_interval
        self._lock = threading.Lock()
        self._connection = 0
        self._batch = _Batch()
        self._problem: str | None = None
        self._subscribed = threading.Event()
        self._topics: dict[str, uuid.UUID | None] = {}
        self.received = 0
        self.recorded = 0

    # -- MQTT ------------------------------------------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        if reason.is_failure:
            self._problem = f"the broker refused the counter's login: {reason}"
            return
        client.subscribe(COUNTER_TOPIC, qos=1)

    def _on_subscribe(
        self, client: mqtt.Client, userdata: Any, mid: int, reasons: list[ReasonCode], props: Any
    ) -> None:
        if any(reason.is_failure for reason in reasons):
            self._problem = f"the broker refused the counter's subscription to {COUNTER_TOPIC}: {reasons[0]}"
            return
        self._subscribed.set()

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        self._subscribed.clear()
        with self._lock:
            self._connection += 1
            # Unacknowledged QoS 1 messages come again on the next connection: count them then, not twice.
            self._batch.counts.subtract(self._batch.redeliverable)
            self._batch.counts = +self._batch.counts
            self._batch.redeliverable.clear()
            self._batch.acks.clear()
            self._batch.connection = self._connection
        logger.info("stream_counter_disconnected reason=%s", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        dataset_id = self._dataset_of(message.topic)
        key = (dataset_id, minute_of(timezone.now())) if dataset_id is not None else None
        with self._lock:
            self.received += 1
            if key is not None:
                self._batch.counts[key] += 1
                if message.qos:
                    self._batch.redeliverable[key] += 1
            if message.qos:
                self._batch.acks.append((message.mid, message.qos))

    def _dataset_of(self, topic: str) -> uuid.UUID | None:
        if topic not in self._topics:
            if len(self._topics) > 100_000:
                self._topics.clear()
            parts = topic.split("/", 2)
            try:
                self._topics[topic] = uuid.UUID(parts[1]) if len(parts) > 1 and parts[0] == "feeds" else None
            except ValueError:
                self._topics[topic] = None
        return self._topics[topic]

    # -- counting --------------------------------------------------------------------------------------------------

    def flush(self, client: mqtt.Client) -> int:
        """Write the counts received since the last flush, then acknowledge their messages; how many were written.
        If the database fails, the counts stay for the next flush and nothing is acknowledged."""
        with self._lock:
            batch, self._batch = self._batch, _Batch(connection=self._connection)
        if not batch.counts and not batch.acks:
            return 0
        try:
            close_old_connections()
            recorded = stream_counts_add(counts=batch.counts)
        except Exception:
            logger.exception("stream_counter_flush_failed: kept for the next flush")
            with self._lock:
                if batch.connection == self._connection:
                    self._batch.counts.update(batch.counts)
                    self._batch.redeliverable.update(batch.redeliverable)
                    self._batch.acks[:0] = batch.acks
                else:  # the connection dropped since: its QoS 1 messages come again
                    self._batch.counts.update(batch.counts - batch.redeliverable)
            return 0
        with self._lock:
            current = batch.connection == self._connection
        if current:
            for mid, qos in batch.acks:
                client.ack(mid, qos)
        self.recorded += recorded
        return recorded

    def run(self, stop: threading.Event, *, ready: threading.Event | None = None) -> None:
        """Count until ``stop`` is set (then flush what is left); raises CounterRefused if the broker refuses it."""
        market = market_settings()
        address = market.mqtt_admin
        if address is None:
            raise CounterRefused("live streams are not configured (ICHIBA_MQTT_URL is empty)")
        password = new_password()
        broker = admin()
        role = counter_role()
        broker.roles_reconcile([role])
        broker.client_put(
            COUNTER_USERNAME, password=password, clientid=COUNTER_USERNAME, roles=[role.name], enabled=True
        )
        client = mqtt_client(
            address,
            client_id=COUNTER_USERNAME,
            username=COUNTER_USERNAME,
            password=password,
            ca_file=market.mqtt_ca_file,
            timeout=market.mqtt_timeout.total_seconds(),
            manual_ack=True,
        )
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = int(SESSION_EXPIRY.total_seconds())
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        client.connect_async(address.host, address.port, keepalive=30, clean_start=False, properties=properties)
        client.loop_start()
        logger.info("stream_counter_started broker=%s topic=%s", address.url, COUNTER_TOPIC)
        try:
            while not stop.wait(self.flush_interval):
                if self._problem is not None:
                    raise CounterRefused(self._problem)
                if ready is not None and self._subscribed.is_set():
                    ready.set()
                self.flush(client)
            self.flush(client)
        finally:
            client.disconnect()  # the session stays on the broker: what comes meanwhile waits for the next start
            client.loop_stop()
            close_old_connections()
            logger.info("stream_counter_stopped received=%d recorded=%d", self.received, self.recorded)
