"""The message counter as it runs in production: ``manage.py count_stream_messages``, a process of its own, killed
with SIGKILL mid-stream and started again; no message published with QoS 1 goes uncounted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from streams.selectors import stream_messages_between
from tests.builders import streamed_offering
from tests.fixtures import MosquittoServer
from tests.mqtt import MqttProbe, refused

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def _start_counter(server: MosquittoServer) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "ICHIBA_MQTT_URL": server.admin_url,
        "ICHIBA_TEST_DATA_DIR": str(settings.MEDIA_ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "count_stream_messages", "--flush-interval", "0.2"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _counted(dataset_id) -> int:
    now = datetime.now(UTC)
    return stream_messages_between(dataset_id, now - timedelta(hours=1), now + timedelta(hours=1))


def _wait_for(dataset_id, expected: int, process: subprocess.Popen[str], *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while _counted(dataset_id) < expected:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = process.communicate()[0]
            raise AssertionError(f"counted {_counted(dataset_id)} of {expected}:\n{output[-3000:]}")
        time.sleep(0.1)


def test_a_counter_killed_mid_stream_and_restarted_counts_every_qos1_message(
    mosquitto: MosquittoServer, seller, settings
) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": mosquitto.admin_url}
    dataset_id = streamed_offering(seller).dataset_id
    issued = seller.client.post(f"/api/v1/datasets/{dataset_id}/stream-credentials").json()
    gateway = MqttProbe(
        mosquitto.port, username=issued["username"], password=issued["password"], client_id=issued["client_id"]
    )
    assert not refused(gateway.connect())
    counter = _start_counter(mosquitto)
    try:
        deadline = time.monotonic() + 30
        while " as ichiba-counter (" not in mosquitto.log():  # the broker's line for the counter's connection
            assert time.monotonic() < deadline and counter.poll() is None, "the counter did not start"
            time.sleep(0.1)
        time.sleep(1)  # subscribed
        for i in range(200):
            gateway.publish(f"feeds/{dataset_id}/gauge", b"%d" % i)
        _wait_for(dataset_id, 200, counter)
        # Killed while messages are coming: whatever it had not flushed and acknowledged comes again.
        for i in range(100):
            gateway.publish(f"feeds/{dataset_id}/gauge", b"%d" % i, qos=1)
            if i == 50:
                counter.send_signal(signal.SIGKILL)
                counter.wait()
        counter = _start_counter(mosquitto)
        _wait_for(dataset_id, 300, counter)
        time.sleep(1)
        # At least every message; at most the second a flush had committed but not acknowledged, counted twice.
        assert 300 <= _counted(dataset_id) <= 351
        counter.send_signal(signal.SIGTERM)  # a clean stop flushes and exits 0
        assert counter.wait(timeout=20) == 0
    finally:
        if counter.poll() is None:
            counter.kill()
            counter.wait()
        gateway.close()
