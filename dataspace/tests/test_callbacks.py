"""The outbox of messages to consumers' connectors: sent after commit through the guarded client, in each process's
order, retried with backoff, given up after the configured tries (and whoever decided the message told)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from config.request_id import request_id_bound
from dataspace.dsp import CONTEXT
from dataspace.models import Callback, Negotiation
from dataspace.services import callbacks
from dataspace.tests.connector import Connector, consumer_connector
from tests.builders import Party, offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def connector() -> Any:
    with consumer_connector() as running:
        yield running


def negotiation(seller: Party, buyer: Party, connector: Connector) -> Negotiation:
    offering = offer(seller)
    return Negotiation.objects.create(
        consumer=buyer.organization,
        consumer_pid="urn:uuid:consumer-1",
        callback_address=connector.callback_address + "/",
        offering=offering,
        dataset=offering.dataset,
    )


def termination(process: Negotiation, code: str = "test") -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "@type": "ContractNegotiationTerminationMessage",
        "providerPid": process.provider_pid,
        "consumerPid": process.consumer_pid,
        "code": code,
    }


def due(callback: Callback) -> None:
    Callback.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_message_is_posted_below_the_callback_address(seller, buyer, connector, capture) -> None:
    process = negotiation(seller, buyer, connector)
    with capture(execute=True):
        callback = callbacks.callback_queue(
            negotiation=process, path=f"negotiations/{process.consumer_pid}/termination", message=termination(process)
        )
    received = connector.wait_for("ContractNegotiationTerminationMessage")
    assert received.path == "/callback/negotiations/urn:uuid:consumer-1/termination"  # one slash, whatever was given
    assert received.headers["Content-Type"] == "application/json"
    callback.refresh_from_db()
    assert (callback.status, callback.attempts, callback.last_status_code) == ("delivered", 1, 200)


def test_a_message_carries_the_request_id_that_decided_it_however_late_it_is_sent(
    seller, buyer, connector, capture
) -> None:
    process = negotiation(seller, buyer, connector)
    with request_id_bound("decided-1"), capture(execute=False):  # its message lost: the sweeper sends it later
        callback = callbacks.callback_queue(
            negotiation=process, path=f"negotiations/{process.consumer_pid}/termination", message=termination(process)
        )
    assert callback.request_id == "decided-1"
    with capture(execute=True):
        assert callbacks.callbacks_sweep() == 1  # no request bound now
    received = connector.wait_for("ContractNegotiationTerminationMessage")
    assert received.headers["X-Request-Id"] == "decided-1"


def test_an_invalid_message_is_never_stored(seller, buyer, connector) -> None:
    process = negotiation(seller, buyer, connector)
    message = termination(process)
    del message["providerPid"]
    with pytest.raises(ValueError, match="providerPid"):
        callbacks.callback_queue(negotiation=process, path="x", message=message)
    assert not Callback.objects.exists()


def test_a_failed_try_is_retried_after_backoff_then_given_up(
    seller, buyer, connector, settings, capture, monkeypatch
) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "DSP_CALLBACK_MAX_ATTEMPTS": 2}
    given_up: list[Callback] = []
    # This test's handler for the message type, in place of the negotiations' own for this test only.
    monkeypatch.setitem(callbacks._given_up, "ContractNegotiationTerminationMessage", given_up.append)
    process = negotiation(seller, buyer, connector)
    connector.answers.extend([503, 500])
    with capture(execute=True):
        callback = callbacks.callback_queue(negotiation=process, path="t", message=termination(process))
    callback.refresh_from_db()
    assert (callback.status, callback.attempts, callback.last_status_code) == ("pending", 1, 503)
    assert callback.next_attempt_at > timezone.now()  # backoff: not due yet
    assert callbacks.callback_deliver(callback_id=callback.id) is None
    due(callback)
    after = callbacks.callback_deliver(callback_id=callback.id)
    assert after is not None and (after.status, after.attempts) == ("failed", 2)
    assert [c.id for c in given_up] == [callback.id]
    assert len(connector.received) == 2


def test_a_process_s_messages_go_out_in_the_order_decided(seller, buyer, connector, capture) -> None:
    process = negotiation(seller, buyer, connector)
    connector.answers.append(503)
    with capture(execute=True):
        first = callbacks.callback_queue(negotiation=process, path="a", message=termination(process, "first"))
        second = callbacks.callback_queue(negotiation=process, path="b", message=termination(process, "second"))
    # The first failed and waits for its retry; the second may not overtake it.
    assert [r.message["code"] for r in connector.received] == ["first"]
    assert Callback.objects.get(pk=second.pk).attempts == 0
    due(first)
    with capture(execute=True):
        assert callbacks.callbacks_sweep() == 2  # both due: the second still waits for the first
    assert [r.message["code"] for r in connector.received] == ["first", "first", "second"]
    assert set(Callback.objects.values_list("status", flat=True)) == {"delivered"}
