"""The market's message counter (streams/counter.py): every feed's messages counted per dataset and minute, across a
restart of the counter, with the broker holding what was published meanwhile."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from streams.counter import MessageCounter
from streams.models import StreamMessageCount
from streams.selectors import stream_messages_between
from streams.services.counting import minute_of, stream_counts_add
from tests.builders import streamed_offering
from tests.fixtures import MosquittoServer
from tests.mqtt import MqttProbe, refused


def _at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2027, 1, 5, hour, minute, second, tzinfo=UTC)


@pytest.mark.django_db
def test_counts_add_up_per_minute_and_a_period_sums_the_minutes_that_start_in_it(seller) -> None:
    dataset_id = streamed_offering(seller).dataset_id
    assert minute_of(_at(9, 0, 59)) == _at(9, 0)
    stream_counts_add(counts={(dataset_id, _at(9, 0)): 3, (dataset_id, _at(9, 1)): 2})
    stream_counts_add(counts={(dataset_id, _at(9, 1)): 5, (dataset_id, _at(9, 2)): 1, (uuid.uuid4(), _at(9, 1)): 7})
    assert dict(StreamMessageCount.objects.values_list("minute", "messages")) == {
        _at(9, 0): 3,
        _at(9, 1): 7,
        _at(9, 2): 1,
    }  # the unknown dataset's messages are dropped
    assert stream_messages_between(dataset_id, _at(9, 0), _at(10, 0)) == 11
    # A period boundary inside a minute: the minute counts where it starts, never in both periods.
    assert stream_messages_between(dataset_id, _at(8, 0), _at(9, 0, 30)) == 3
    assert stream_messages_between(dataset_id, _at(9, 0, 30), _at(10, 0)) == 8
    assert stream_messages_between(uuid.uuid4(), _at(0, 0), _at(23, 0)) == 0


@contextmanager
def _counting(*, flush_interval: float = 0.2) -> Iterator[MessageCounter]:
    counter = MessageCounter(flush_interval=flush_interval)
    stop, ready = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            counter.run(stop, ready=ready)
        except BaseException as error:  # reported to the test below
            failed.append(error)
            ready.set()

    thread = threading.Thread(target=run, name="test-counter")
    thread.start()
    try:
        assert ready.wait(10), "the counter did not subscribe"
        assert not failed, failed
        yield counter
    finally:
        stop.set()
        thread.join(10)
    assert not failed, failed


def _counted(dataset_id: uuid.UUID) -> int:
    now = datetime.now(UTC)
    return stream_messages_between(dataset_id, now - timedelta(hours=1), now + timedelta(hours=1))


def _wait_counted(dataset_id: uuid.UUID, expected: int, *, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while _counted(dataset_id) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # and nothing more comes
    assert _counted(dataset_id) == expected


@pytest.mark.django_db(transaction=True)  # the counter writes from its own thread
def test_the_counter_counts_each_feed_and_what_was_published_while_it_was_stopped(
    streams_on: MosquittoServer, seller
) -> None:
    first, second = streamed_offering(seller).dataset_id, streamed_offering(seller).dataset_id
    issued = seller.client.post(f"/api/v1/datasets/{first}/stream-credentials").json()
    other = seller.client.post(f"/api/v1/datasets/{second}/stream-credentials").json()
    gateway = MqttProbe(
        streams_on.port, username=issued["username"], password=issued["password"], client_id=issued["client_id"]
    )
    gateway_2 = MqttProbe(
        streams_on.port, username=other["username"], password=other["password"], client_id=other["client_id"]
    )
    assert not refused(gateway.connect()) and not refused(gateway_2.connect())
    try:
        with _counting():
            for i in range(5):
                gateway.publish(f"feeds/{first}/gauge-{i % 2}", b"%d" % i)
            gateway_2.publish(f"feeds/{second}/x", b"1", qos=0)
            _wait_counted(first, 5)
            _wait_counted(second, 1)
        # The counter is stopped: its session waits on the broker with what QoS 1 brings meanwhile.
        for i in range(3):
            gateway.publish(f"feeds/{first}/gauge-0", b"%d" % i)
        time.sleep(0.3)
        assert _counted(first) == 5
        with _counting():
            _wait_counted(first, 8)
            gateway.publish(f"feeds/{first}/gauge-0", b"after")
            _wait_counted(first, 9)
    finally:
        gateway.close()
        gateway_2.close()


@pytest.mark.django_db(transaction=True)
def test_a_second_counter_takes_the_login_over_and_the_first_stops(streams_on: MosquittoServer) -> None:
    """Run exactly one counter: the newest one wins, the older is refused and stops instead of fighting."""
    older = MessageCounter(flush_interval=0.2)
    stop, ready = threading.Event(), threading.Event()
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            older.run(stop, ready=ready)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert ready.wait(10)
        with _counting():
            thread.join(15)
            assert not thread.is_alive()
    finally:
        stop.set()
        thread.join(5)
    assert outcome and "refused the counter's login" in str(outcome[0])


def test_the_worker_pools_include_the_counter_only_when_streams_are_on(settings) -> None:
    from config.workers import pools, worker_command

    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": ""}
    assert [pool.name for pool in pools()] == ["settlement", "validation", "profiling", "webhooks"]
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": "mqtt://admin:pw@127.0.0.1:1883"}
    counter = pools()[-1]
    assert (counter.name, counter.concurrency) == ("streams", 1)
    assert worker_command(counter)[1:] == ["-m", "django", "count_stream_messages", "-v", "1"]


def test_make_run_starts_the_counter_again_after_it_stops(settings, caplog) -> None:
    """``manage.py serve`` runs the counter in a thread; a counter that stops (here: streams off) is started again."""
    from marketplace.management.commands.serve import count_stream_messages_forever

    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": ""}
    stop = threading.Event()
    thread = threading.Thread(target=count_stream_messages_forever, kwargs={"restart_after": 0.05, "stop": stop})
    thread.start()
    time.sleep(0.3)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    stopped = [record for record in caplog.records if "in-process stream counter stopped" in record.getMessage()]
    assert len(stopped) >= 2 and "Live streams are off" in stopped[0].getMessage()
