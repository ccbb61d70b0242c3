"""Outbound partner webhooks against a real HTTP receiver on loopback (no other network).

Retries are driven by moving ``next_attempt_at`` into the past and calling the service or the sweeper, so
no test sleeps through a real backoff.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from config import outbound
from config.api.principal import Principal
from config.errors import InvalidInput
from settlement.models import WebhookDelivery, WebhookEndpoint
from settlement.services import webhooks
from settlement.services.webhooks import (
    webhook_backoff,
    webhook_deliver,
    webhook_endpoint_create,
    webhook_publish,
    webhook_signature,
    webhook_signature_verify,
    webhooks_sweep,
)
from tests.builders import Party, make_party, published_offering, trade

pytestmark = pytest.mark.django_db


# --- a partner's receiver ------------------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next scripted reply: a status code, ("sleep", seconds) then 200, or ("hold",
    event): 200 once the test sets the event."""

    url: str
    received: list[Received] = field(default_factory=list)
    script: deque[Any] = field(default_factory=deque)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append(Received(self.path, dict(self.headers.items()), body))
            reply = state.script.popleft() if state.script else 200
            if isinstance(reply, tuple) and reply[0] == "hold":
                reply[1].wait(30)  # an attempt in flight until the test releases it
                reply = 200
            elif isinstance(reply, tuple):
                time.sleep(reply[1])
                reply = 200
            self.send_response(reply)
            if 300 <= reply < 400:
                self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            text = b"receiver says no" if reply >= 400 else b"ok"
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (timeout test)
                self.wfile.write(text)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ichiba"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def principal(party: Party) -> Principal:
    org = party.organization
    return Principal(organization_id=org.id, organization_name=org.name, roles=frozenset(), country="JP", verified=True)


def register(party: Party, url: str, events: list[str], **headers: Any) -> Any:
    return party.client.post("/api/v1/webhook-endpoints", {"url": url, "events": events}, format="json", **headers)


def make_due(delivery_id: Any) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


@pytest.fixture
def endpoint(buyer: Party, receiver: Receiver) -> dict[str, Any]:
    response = register(buyer, receiver.url, ["trade.executed", "entitlement.granted"])
    assert response.status_code == 201, response.content
    return response.json()


# --- registering endpoints ------------------------------------------------------------------------------------


def test_create_shows_the_secret_once_and_lists_only_own_endpoints(buyer, seller, endpoint, receiver) -> None:
    assert endpoint["secret"].startswith("whsec_") and len(endpoint["secret"]) > 40
    assert endpoint["events"] == ["trade.executed", "entitlement.granted"]
    assert set(endpoint) == {"id", "url", "events", "secret", "created_at"}
    listed = buyer.client.get("/api/v1/webhook-endpoints").json()
    assert [item["id"] for item in listed["results"]] == [endpoint["id"]]
    assert "secret" not in listed["results"][0] and listed["next"] is None
    one = buyer.client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}").json()
    assert one["url"] == receiver.url and "secret" not in one
    assert seller.client.get("/api/v1/webhook-endpoints").json()["results"] == []


def test_another_organisation_can_neither_see_nor_touch_an_endpoint(buyer, seller, endpoint) -> None:
    path = f"/api/v1/webhook-endpoints/{endpoint['id']}"
    for response in (
        seller.client.get(path),
        seller.client.delete(path),
        seller.client.get(f"{path}/deliveries"),
        seller.client.post(f"{path}/rotate-secret"),
        seller.client.post(f"{path}/deliveries/{uuid.uuid4()}/retry"),
        buyer.client.get("/api/v1/webhook-endpoints/not-a-uuid"),
        buyer.client.post(f"{path}/deliveries/not-a-uuid/retry"),
    ):
        problem(response, 404)
    assert WebhookEndpoint.objects.get(pk=endpoint["id"]).active


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://partner.example/h", "events": ["trade.exploded"]}, "events.0"),
        ({"url": "https://partner.example/h", "events": []}, "events"),
        ({"url": "https://partner.example/h", "events": "trade.executed"}, "events"),
        ({"url": "https://partner.example/h", "events": [{"x": 1}]}, "events.0"),
        ({"url": "ftp://partner.example/h", "events": ["trade.executed"]}, "url"),
        ({"url": "not a url", "events": ["trade.executed"]}, "url"),
        ({"url": "https://user:pw@partner.example/h", "events": ["trade.executed"]}, "url"),
        ({"url": "https://partner.example/" + "x" * 600, "events": ["trade.executed"]}, "url"),
        ({"events": ["trade.executed"]}, "url"),
        ({"url": "https://partner.example/h", "events": ["trade.executed"], "secret": "mine"}, "secret"),
    ],
)
def test_bad_input_is_400_problem_details(buyer, body, field) -> None:
    body_out = problem(buyer.client.post("/api/v1/webhook-endpoints", body, format="json"), 400)
    assert field in body_out["errors"], body_out
    assert not WebhookEndpoint.objects.exists()


def test_malformed_json_unknown_filters_and_anonymous_callers(buyer, endpoint, anonymous) -> None:
    problem(buyer.client.post("/api/v1/webhook-endpoints", "{nope", content_type="application/json"), 400)
    problem(buyer.client.post("/api/v1/webhook-endpoints", [1, 2], format="json"), 400)
    problem(anonymous.get("/api/v1/webhook-endpoints"), 401)
    problem(anonymous.post("/api/v1/webhook-endpoints", {}, format="json"), 401)
    assert (
        "status"
        in problem(buyer.client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries?status=lost"), 400)[
            "errors"
        ]
    )
    problem(buyer.client.get(f"/api/v1/webhook-endpoints/{uuid.uuid4()}/deliveries"), 404)


def stored_idempotency_records() -> str:
    from config.api.models import IdempotencyRecord

    return json.dumps(list(IdempotencyRecord.objects.values("response_body", "response_headers")))


def test_idempotency_key_replays_the_creation_without_the_secret_and_never_stores_it(buyer, receiver) -> None:
    first = register(buyer, receiver.url, ["trade.executed"], HTTP_IDEMPOTENCY_KEY="wh-1")
    assert first.status_code == 201 and first.json()["secret"].startswith("whsec_")
    assert not first.has_header("Idempotent-Omitted")
    secret = first.json()["secret"]
    assert secret not in stored_idempotency_records()
    assert "whsec_" not in stored_idempotency_records()

    again = register(buyer, receiver.url, ["trade.executed"], HTTP_IDEMPOTENCY_KEY="wh-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again["Idempotent-Omitted"] == "secret"  # the documented marker: shown once, not replayed
    assert again.json() == {name: value for name, value in first.json().items() if name != "secret"}
    problem(register(buyer, receiver.url, ["contract.concluded"], HTTP_IDEMPOTENCY_KEY="wh-1"), 409)
    assert WebhookEndpoint.objects.count() == 1

    # After a rotation a replay hands out neither secret: nothing stale, nothing live.
    rotated = buyer.client.post(f"/api/v1/webhook-endpoints/{first.json()['id']}/rotate-secret").json()["secret"]
    replayed = register(buyer, receiver.url, ["trade.executed"], HTTP_IDEMPOTENCY_KEY="wh-1")
    assert replayed["Idempotent-Omitted"] == "secret" and "secret" not in replayed.json()
    assert secret not in stored_idempotency_records() and rotated not in stored_idempotency_records()


def test_the_openapi_document_says_a_replay_may_leave_the_secret_out(anonymous) -> None:
    import yaml

    schema = yaml.safe_load(anonymous.get("/api/schema/").content)
    component = schema["components"]["schemas"]["WebhookEndpointWithSecret"]
    assert "secret" in component["properties"] and "secret" not in component.get("required", [])
    assert "Idempotent-Omitted" in component["properties"]["secret"]["description"]


def test_secrets_stored_before_the_fix_are_removed_from_idempotency_records(buyer) -> None:
    import importlib

    from django.apps import apps

    from config.api.models import IdempotencyRecord

    body = {"id": "e1", "url": "https://partner.example/h", "events": ["trade.executed"], "secret": "whsec_old"}
    old = IdempotencyRecord.objects.create(
        scope="s",
        key="k",
        method="POST",
        path="/api/v1/webhook-endpoints",
        fingerprint="f",
        response_status=201,
        response_body=json.dumps(body),
        response_headers={},
    )
    other = IdempotencyRecord.objects.create(
        scope="s",
        key="k2",
        method="POST",
        path="/api/v1/orders",
        fingerprint="f",
        response_status=201,
        response_body='{"note": "whsec_ is only text here"}',
        response_headers={},
    )
    migration = importlib.import_module("config.api.migrations.0002_idempotency_records_keep_no_secrets")
    migration.forget_secrets(apps, None)
    old.refresh_from_db()
    other.refresh_from_db()
    assert json.loads(old.response_body) == {key: value for key, value in body.items() if key != "secret"}
    assert old.response_headers == {"Idempotent-Omitted": "secret"}
    assert other.response_body == '{"note": "whsec_ is only text here"}' and other.response_headers == {}


def test_delete_hides_the_endpoint_and_gives_up_its_pending_deliveries(buyer, endpoint, receiver) -> None:
    webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    assert buyer.client.delete(f"/api/v1/webhook-endpoints/{endpoint['id']}").status_code == 204
    problem(buyer.client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}"), 404)
    assert buyer.client.get("/api/v1/webhook-endpoints").json()["results"] == []
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["failed"]
    assert webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={}) == 0
    assert receiver.received == []


def test_rotating_the_secret_signs_later_deliveries_with_the_new_one(buyer, endpoint, receiver, capture) -> None:
    rotated = buyer.client.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/rotate-secret").json()
    assert rotated["secret"] != endpoint["secret"] and rotated["secret"].startswith("whsec_")
    with capture(execute=True):
        webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    [got] = receiver.received
    header = got.headers["Ichiba-Signature"]
    assert webhook_signature_verify(secret=rotated["secret"], header=header, body=got.body)
    assert not webhook_signature_verify(secret=endpoint["secret"], header=header, body=got.body)


def test_openapi_describes_the_webhook_endpoints(anonymous) -> None:
    import yaml

    paths = yaml.safe_load(anonymous.get("/api/schema/").content)["paths"]
    base = "/api/v1/webhook-endpoints"
    assert set(paths[base]) >= {"get", "post"} and set(paths[base + "/{endpoint_id}"]) >= {"get", "delete"}
    assert base + "/{endpoint_id}/deliveries" in paths
    assert base + "/{endpoint_id}/deliveries/{delivery_id}/retry" in paths


def test_an_internationalised_url_is_stored_as_the_ascii_uri_it_stands_for(buyer, settings, dns) -> None:
    """The schema says ``format: uri``: an IRI's host is kept in IDNA (punycode) form, the rest percent-encoded."""
    settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_ALLOW_PRIVATE_TARGETS": False}
    dns.answers["xn--r8jz45g.jp"] = ["93.184.215.14"]
    created = register(buyer, "https://例え.JP:8443/パス?q=値", ["trade.executed"])
    assert created.status_code == 201, created.content
    expected = "https://xn--r8jz45g.jp:8443/%E3%83%91%E3%82%B9?q=%E5%80%A4"
    assert created.json()["url"] == expected
    assert buyer.client.get(f"/api/v1/webhook-endpoints/{created.json()['id']}").json()["url"] == expected
    assert buyer.client.get("/api/v1/webhook-endpoints").json()["results"][0]["url"] == expected
    # The private-address check sees the host the delivery would connect to: UTS 46 maps these to loopback.
    for url in ("https://api.ｌｏｃａｌｈｏｓｔ/h", "https://ｍｅｔａｄａｔａ.ｉｎｔｅｒｎａｌ/h"):
        assert problem(register(buyer, url, ["trade.executed"]), 400)["errors"] == {"url": ["private address"]}, url
    # A URL that only looks like one: no IDNA form.
    for url in ("https://☃.example/h", "https://a\u200db.example/h"):
        assert problem(register(buyer, url, ["trade.executed"]), 400)["errors"] == {"url": ["invalid host"]}, url
    assert WebhookEndpoint.objects.count() == 1


def test_an_organisation_has_a_bounded_number_of_endpoints(buyer) -> None:
    for n in range(webhooks.MAX_ENDPOINTS_PER_ORGANIZATION):
        webhook_endpoint_create(
            principal=principal(buyer), url=f"https://partner.example/{n}", events=["trade.executed"]
        )
    problem(register(buyer, "https://partner.example/one-more", ["trade.executed"]), 422)


# --- delivery -------------------------------------------------------------------------------------------------


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Any) -> Any:
    return django_capture_on_commit_callbacks


def test_a_delivery_is_signed_and_the_partner_verifies_it(buyer, endpoint, receiver, capture) -> None:
    trade_id = uuid.uuid4()
    with capture(execute=True):
        queued = webhook_publish(
            organization_id=buyer.organization.id,
            event_type="trade.executed",
            data={"trade": trade_id, "price": 1000, "at": timezone.now()},
        )
    assert queued == 1
    [got] = receiver.received
    assert got.path == "/hooks/ichiba"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Ichiba-Event-Type"] == "trade.executed"
    envelope = json.loads(got.body)
    assert set(envelope) == {"id", "type", "created", "data"}
    assert envelope["type"] == "trade.executed" and envelope["id"] == got.headers["Ichiba-Event-Id"]
    assert envelope["data"]["trade"] == str(trade_id) and envelope["data"]["price"] == 1000
    assert datetime.fromisoformat(envelope["created"]).utcoffset() is not None

    header = got.headers["Ichiba-Signature"]
    assert header.startswith("t=") and ",v1=" in header
    assert webhook_signature_verify(secret=endpoint["secret"], header=header, body=got.body)
    assert not webhook_signature_verify(secret="whsec_wrong", header=header, body=got.body)
    assert not webhook_signature_verify(secret=endpoint["secret"], header=header, body=got.body + b" ")
    assert not webhook_signature_verify(secret=endpoint["secret"], header=header, body=got.body, now=time.time() + 301)
    assert not webhook_signature_verify(secret=endpoint["secret"], header="garbage", body=got.body)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None
    [attempt] = delivery.attempt_log.all()
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")


def test_the_verification_snippet_in_the_docs_works(buyer, endpoint, receiver, capture) -> None:
    """docs/webhooks.md gives partners a verifier: run it against a real delivery."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    snippet = docs.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(snippet, "docs/webhooks.md", "exec"), namespace)  # noqa: S102 (our own documentation)
    verify = namespace["ichiba_signature_ok"]
    with capture(execute=True):
        webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={"x": "データ"})
    [got] = receiver.received
    header = got.headers["Ichiba-Signature"]
    assert verify(endpoint["secret"], header, got.body)
    assert not verify(endpoint["secret"], header, got.body.replace(b"x", b"y"))
    assert not verify("whsec_other", header, got.body)
    t = int(time.time()) - 600
    assert not verify(
        endpoint["secret"], webhook_signature(secret=endpoint["secret"], timestamp=t, body=got.body), got.body
    )


def test_only_subscribed_events_of_the_own_organisation_are_delivered(
    buyer, seller, endpoint, receiver, capture
) -> None:
    with capture(execute=True):
        assert webhook_publish(organization_id=buyer.organization.id, event_type="settlement.updated", data={}) == 0
        assert webhook_publish(organization_id=seller.organization.id, event_type="trade.executed", data={}) == 0
        assert webhook_publish(organization_id=buyer.organization.id, event_type="entitlement.granted", data={}) == 1
    assert [r.headers["Ichiba-Event-Type"] for r in receiver.received] == ["entitlement.granted"]


def test_one_event_fans_out_with_one_event_id_and_republishing_it_is_a_no_op(
    buyer, endpoint, receiver, capture
) -> None:
    second = register(buyer, receiver.url + "/2", ["trade.executed"]).json()
    event_id = uuid.uuid4()
    with capture(execute=True):
        assert (
            webhook_publish(
                organization_id=buyer.organization.id, event_type="trade.executed", data={}, event_id=event_id
            )
            == 2
        )
        assert (
            webhook_publish(
                organization_id=buyer.organization.id, event_type="trade.executed", data={}, event_id=event_id
            )
            == 0
        )
    assert sorted(r.path for r in receiver.received) == ["/hooks/ichiba", "/hooks/ichiba/2"]
    assert {r.headers["Ichiba-Event-Id"] for r in receiver.received} == {str(event_id)}
    assert WebhookDelivery.objects.filter(endpoint_id=second["id"]).count() == 1


def test_publish_in_a_rolled_back_transaction_queues_nothing(buyer, endpoint, receiver, capture) -> None:
    def trade_that_fails() -> None:
        with transaction.atomic():
            assert webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={}) == 1
            raise RuntimeError("the trade failed")

    with capture(execute=True) as callbacks, pytest.raises(RuntimeError):
        trade_that_fails()
    assert callbacks == []
    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


def test_a_500_is_retried_with_backoff_then_delivered(buyer, endpoint, receiver, capture) -> None:
    receiver.script.extend([500, 200])
    with capture(execute=True):
        webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={"n": 1})
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert "receiver says no" in delivery.last_error
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 25 <= wait <= 34  # 30 s, plus up to 10 % jitter

    # Not due yet: neither a duplicate message nor the sweeper sends it early.
    assert webhook_deliver(delivery_id=delivery.id) is None
    assert webhooks_sweep() == 0
    assert len(receiver.received) == 1

    make_due(delivery.id)
    assert webhooks_sweep() == 1  # eager: the sweeper's message runs the attempt at once
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "delivered",
        2,
        200,
        "",
    )
    first, second = receiver.received
    assert first.headers["Ichiba-Event-Id"] == second.headers["Ichiba-Event-Id"] == str(delivery.event_id)
    assert first.body == second.body

    log = buyer.client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries").json()
    [entry] = log["results"]
    assert entry["event_id"] == str(delivery.event_id) and entry["event_type"] == "trade.executed"
    assert (entry["status"], entry["attempts"], entry["next_attempt_at"]) == ("delivered", 2, None)
    assert entry["delivered_at"] is not None and entry["payload"]["data"] == {"n": 1}
    assert [(a["number"], a["status_code"]) for a in entry["attempt_log"]] == [(1, 500), (2, 200)]
    assert "receiver says no" in entry["attempt_log"][0]["error"]
    assert all(isinstance(a["duration_ms"], int) for a in entry["attempt_log"])
    filtered = buyer.client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries?status=failed").json()
    assert filtered["results"] == []


def test_a_timeout_counts_as_a_failed_attempt(buyer, endpoint, receiver, settings, capture) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_TIMEOUT_SECONDS": 0.2}
    receiver.script.append(("sleep", 1.0))
    with capture(execute=True):
        webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "Timed out" in delivery.last_error
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None and attempt.duration_ms < 1000


# --- a slow partner: every attempt ends at its deadline ---------------------------------------------------------


TRICKLE_INTERVAL = 0.5  # under the 1 s per-read timeout: without a deadline for the whole call, it never trips


@dataclass
class Trickler:
    """A receiver that answers slowly: ``prefix`` at once, then ``rest`` one byte per TRICKLE_INTERVAL."""

    url: str = ""
    prefix: bytes = b""
    rest: bytes = b""
    sent: list[int] = field(default_factory=list)  # bytes of ``rest`` sent, per connection
    hung_up: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def trickler() -> Iterator[Trickler]:
    state = Trickler()
    stop = threading.Event()
    server = socket.create_server(("127.0.0.1", 0))

    def answer(connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            with contextlib.suppress(OSError):
                connection.recv(65536)  # the request line and headers; the body is not waited for
            count = 0
            try:
                connection.sendall(state.prefix)
                for byte in state.rest:
                    if stop.wait(TRICKLE_INTERVAL):
                        return
                    connection.sendall(bytes([byte]))
                    count += 1
                # Sent in full: the client waited through the whole trickle. Wait for its hang-up.
                connection.recv(1)
            except OSError:
                pass
            finally:
                state.sent.append(count)
                state.hung_up.set()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(connection,), daemon=True).start()

    state.url = f"http://127.0.0.1:{server.getsockname()[1]}/hooks/slow"
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        server.close()


SLOW_HEADERS = (b"", b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
SLOW_BODY = (
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 60\r\n\r\n",
    b"the receiver is having a very slow day, one byte at a time..",
)


@pytest.mark.parametrize("guarded", [False, True], ids=["private-allowed", "ssrf-guard"])
@pytest.mark.parametrize(
    ("reply", "expected"),
    [(SLOW_HEADERS, (None, "Timed out after 1 s.")), (SLOW_BODY, (500, "HTTP 500; timed out after 1 s reading"))],
    ids=["trickled-headers", "trickled-body"],
)
def test_a_trickling_receiver_is_cut_at_the_deadline_and_recorded_as_a_timeout(
    buyer, trickler, settings, monkeypatch, capture, guarded, reply, expected
) -> None:
    # Before the deadline covered the whole attempt, `timeout` bounded each read: a byte every 0.5 s kept the
    # call alive through the whole reply (here ~20 s; 171 s in the report) and the 200 was logged as a success.
    trickler.prefix, trickler.rest = reply
    settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_TIMEOUT_SECONDS": 1.0}
    assert register(buyer, trickler.url, ["trade.executed"]).status_code == 201
    if guarded:  # the SSRF guard's own connection path, with loopback counted as public for this test only
        settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_ALLOW_PRIVATE_TARGETS": False}
        monkeypatch.setattr(outbound, "address_is_public", lambda address: True)
    with capture(execute=True):
        webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    delivery = WebhookDelivery.objects.get()
    [attempt] = delivery.attempt_log.all()
    status_code, error = expected
    assert (attempt.number, attempt.status_code) == (1, status_code)
    assert attempt.error.startswith(error), attempt.error
    # A failed attempt like any other: retried after the normal backoff, not given up, never delivered.
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, attempt.error)
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)
    # Cut by the client, far from the end of the trickle (a generous bound, not a timing measurement).
    assert trickler.hung_up.wait(10)
    assert trickler.sent[0] < len(trickler.rest) // 2, trickler.sent
    assert attempt.duration_ms < TRICKLE_INTERVAL * len(trickler.rest) * 1000 / 2


def test_a_name_that_never_resolves_is_cut_at_the_deadline(buyer, settings, monkeypatch, capture) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_TIMEOUT_SECONDS": 0.5}
    released = threading.Event()
    real_getaddrinfo = socket.getaddrinfo

    def stalled(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "slow-dns.partner.example":
            released.wait(30)  # a partner's DNS server that never answers
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", stalled)
    try:
        register(buyer, "http://slow-dns.partner.example/hooks", ["trade.executed"])
        with capture(execute=True):
            webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
            "pending",
            None,
            "Timed out after 0.5 s.",
        )
        assert released.is_set() is False  # the resolver was still waiting when the attempt was recorded
    finally:
        released.set()


def test_connection_refused_and_redirects_are_failures(buyer, receiver, capture) -> None:
    closed = register(buyer, "http://127.0.0.1:1/nothing-listens", ["trade.executed"]).json()
    redirecting = register(buyer, receiver.url, ["trade.executed"]).json()
    receiver.script.append(302)
    with capture(execute=True):
        webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    refused = WebhookDelivery.objects.get(endpoint_id=closed["id"])
    assert refused.status == "pending" and refused.last_error.startswith("Connection failed")
    moved = WebhookDelivery.objects.get(endpoint_id=redirecting["id"])
    assert (moved.status, moved.last_status_code) == ("pending", 302)
    assert "redirects are not followed" in moved.last_error
    assert len(receiver.received) == 1  # the Location was not visited


def test_gives_up_after_max_attempts_and_a_partner_can_retry(buyer, endpoint, receiver, settings, capture) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_MAX_ATTEMPTS": 3}
    receiver.script.extend([500, 503, 500])
    with capture(execute=True):
        webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    delivery = WebhookDelivery.objects.get()
    waits = []
    for _ in range(2):
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - timezone.now())
        make_due(delivery.id)
        webhook_deliver(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 3, 500)
    assert waits[1] > waits[0]  # ~60 s after ~30 s
    make_due(delivery.id)
    assert webhook_deliver(delivery_id=delivery.id) is None  # final: nothing is sent any more
    assert webhooks_sweep() == 0
    assert len(receiver.received) == 3

    base = f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries"
    [entry] = buyer.client.get(f"{base}?status=failed").json()["results"]
    assert [a["status_code"] for a in entry["attempt_log"]] == [500, 503, 500]

    # The partner fixed its receiver: one more try, now.
    with capture(execute=True):
        retried = buyer.client.post(f"{base}/{delivery.id}/retry")
    assert retried.status_code == 202 and retried.json()["status"] == "pending"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 4)
    problem(buyer.client.post(f"{base}/{delivery.id}/retry"), 409)


def test_a_lost_message_only_delays_the_delivery(buyer, endpoint, receiver, capture) -> None:
    with capture(execute=False):  # the broker lost the message
        webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    assert receiver.received == []
    assert webhooks_sweep() == 1
    assert WebhookDelivery.objects.get().status == "delivered"
    assert len(receiver.received) == 1
    assert webhooks_sweep() == 0


def test_a_claimed_delivery_is_not_sent_twice(buyer, endpoint, receiver) -> None:
    webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    delivery = WebhookDelivery.objects.get()
    # A worker claimed it (lease in the future) and is posting: a duplicate message does nothing.
    WebhookDelivery.objects.filter(pk=delivery.id).update(
        attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert webhook_deliver(delivery_id=delivery.id) is None
    assert receiver.received == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_post_one_attempt_once(buyer, receiver, monkeypatch) -> None:
    from django.db import connection

    register(buyer, receiver.url, ["trade.executed"])
    monkeypatch.setattr(webhooks, "_enqueue", lambda ids: None)  # the messages are the threads below
    webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    delivery = WebhookDelivery.objects.get()
    receiver.script.append(("sleep", 0.3))  # the winner is still posting while the others try
    start = threading.Barrier(4)
    results: list[Any] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(webhook_deliver(delivery_id=delivery.id))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 4 and sum(result is not None for result in results) == 1
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.attempt_log.count()) == ("delivered", 1, 1)


# --- caps on attempts in flight: one partner cannot hold the webhooks pool ----------------------------------------


def wait_until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@contextlib.contextmanager
def attempts_in_flight(receiver: Receiver, deliveries: list[Any]) -> Iterator[None]:
    """Each of ``deliveries`` posted by a worker thread, its receiver holding the request until the block ends."""
    from django.db import connection

    release = threading.Event()
    receiver.script.extend(("hold", release) for _ in deliveries)
    seen = len(receiver.received)

    def deliver(delivery_id: Any) -> None:
        try:
            webhook_deliver(delivery_id=delivery_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(delivery.id,)) for delivery in deliveries]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: len(receiver.received) == seen + len(deliveries), "the attempts to reach the receiver")
        yield
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=30)


def publish_to_each(endpoints: list[dict[str, Any]], organization_id: Any) -> list[WebhookDelivery]:
    webhook_publish(organization_id=organization_id, event_type="trade.executed", data={})
    return [WebhookDelivery.objects.get(endpoint_id=endpoint["id"], status="pending") for endpoint in endpoints]


def status_after_attempt(delivery_id: Any, **kwargs: Any) -> str:
    delivery = webhook_deliver(delivery_id=delivery_id, **kwargs)
    assert delivery is not None, "not attempted"
    return delivery.status


def assert_deferred(delivery: WebhookDelivery) -> None:
    """Not attempted: no try counted or logged, due again a little later (not failed, not given up)."""
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 0, "")
    assert delivery.attempt_log.count() == 0 and delivery.in_flight_until is None
    assert timezone.now() < delivery.next_attempt_at < timezone.now() + timedelta(seconds=10)


@pytest.mark.django_db(transaction=True)
def test_attempts_in_flight_per_endpoint_are_capped_and_the_next_waits(buyer, receiver, settings, monkeypatch) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT": 1}
    monkeypatch.setattr(webhooks, "_enqueue", lambda ids: None)  # the messages are the calls below
    endpoint = register(buyer, receiver.url, ["trade.executed"]).json()
    [first] = publish_to_each([endpoint], buyer.organization.id)
    webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    second = WebhookDelivery.objects.exclude(pk=first.pk).get()

    with attempts_in_flight(receiver, [first]):
        assert WebhookDelivery.objects.get(pk=first.pk).in_flight_until is not None
        assert webhook_deliver(delivery_id=second.id) is None
        assert len(receiver.received) == 1
        assert_deferred(second)

    first.refresh_from_db()
    assert (first.status, first.in_flight_until) == ("delivered", None)  # the slot is free again
    make_due(second.id)
    assert status_after_attempt(second.id) == "delivered"
    assert len(receiver.received) == 2


@pytest.mark.django_db(transaction=True)
def test_attempts_in_flight_per_organisation_are_capped_and_other_organisations_go_on(
    buyer, seller, receiver, settings, monkeypatch
) -> None:
    settings.ICHIBA = {
        **settings.ICHIBA,
        "WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT": 5,
        "WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION": 2,
    }
    monkeypatch.setattr(webhooks, "_enqueue", lambda ids: None)
    endpoints = [register(buyer, receiver.url, ["trade.executed"]).json() for _ in range(3)]
    one, two, three = publish_to_each(endpoints, buyer.organization.id)
    other = publish_to_each([register(seller, receiver.url, ["trade.executed"]).json()], seller.organization.id)[0]

    with attempts_in_flight(receiver, [one, two]):
        assert webhook_deliver(delivery_id=three.id) is None  # a third endpoint of the same organisation waits
        assert_deferred(three)
        assert status_after_attempt(other.id) == "delivered"  # another organisation does not
        assert len(receiver.received) == 3

    make_due(three.id)
    assert status_after_attempt(three.id) == "delivered"
    assert WebhookDelivery.objects.filter(in_flight_until__isnull=False).count() == 0


def test_a_crashed_workers_slot_lapses_with_its_claim(buyer, endpoint, receiver, settings) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT": 1}
    webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    webhook_publish(organization_id=buyer.organization.id, event_type="entitlement.granted", data={})
    crashed, waiting = WebhookDelivery.objects.order_by("event_type")
    # A worker claimed `crashed` and was killed mid-attempt: nothing cleared its slot.
    lease_end = timezone.now() + timedelta(minutes=5)
    WebhookDelivery.objects.filter(pk=crashed.pk).update(
        attempts=1, next_attempt_at=lease_end, in_flight_until=lease_end
    )
    assert webhook_deliver(delivery_id=waiting.id) is None
    assert_deferred(waiting)
    later = lease_end + timedelta(seconds=30)
    assert status_after_attempt(waiting.id, now=later) == "delivered"


def test_backoff_doubles_from_30_seconds_up_to_6_hours_with_bounded_jitter() -> None:
    plain = [webhook_backoff(attempt=n, jitter=False).total_seconds() for n in (1, 2, 3, 4, 20)]
    assert plain == [30, 60, 120, 240, 6 * 3600]
    for n in (1, 5, 30):
        base = webhook_backoff(attempt=n, jitter=False)
        assert base <= webhook_backoff(attempt=n) <= base * 1.1


# --- SSRF: the market does not post to private addresses in production -------------------------------------


def test_private_targets_are_refused_when_not_allowed(buyer, endpoint, receiver, settings, dns) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_ALLOW_PRIVATE_TARGETS": False}
    for url in (
        "https://127.0.0.1:8000/h",
        "https://localhost/h",
        "https://[::1]/h",
        "https://10.1.2.3/h",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:127.0.0.1]/h",
        "https://[64:ff9b::a9fe:a9fe]/h",  # NAT64 form of 169.254.169.254
        "https://[2002:a9fe:a9fe::1]/h",  # 6to4
        "https://[::127.0.0.1]/h",  # IPv4-compatible
        "https://metadata.internal/h",
    ):
        assert problem(register(buyer, url, ["trade.executed"]), 400)["errors"] == {"url": ["private address"]}, url
    # The same guard as sellers' delivery URLs (config/outbound.py): https only, and a name must resolve to
    # public addresses only.
    assert problem(register(buyer, receiver.url, ["trade.executed"]), 400)["errors"] == {"url": ["https required"]}
    dns.answers["partner.example"] = ["93.184.215.14", "10.0.0.7"]
    assert problem(register(buyer, "https://partner.example/h", ["trade.executed"]), 400)["errors"] == {
        "url": ["private address"]
    }
    with pytest.raises(InvalidInput):
        webhook_endpoint_create(principal=principal(buyer), url="https://192.168.0.10/", events=["trade.executed"])

    # Registered while allowed, or a public name that now resolves to loopback (DNS rebinding): the
    # address is checked when the delivery connects, and nothing is sent.
    webhook_publish(organization_id=buyer.organization.id, event_type="trade.executed", data={})
    delivery = WebhookDelivery.objects.get()
    webhook_deliver(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and "non-public address" in delivery.last_error
    assert receiver.received == []

    # Public when registered, loopback when the delivery connects.
    dns.answers["partner.example"] = ["93.184.215.14"]
    port = receiver.url.split(":")[2].split("/")[0]
    named = register(buyer, f"https://partner.example:{port}/hooks", ["contract.concluded"]).json()
    dns.answers["partner.example"] = ["127.0.0.1"]
    webhook_publish(organization_id=buyer.organization.id, event_type="contract.concluded", data={})
    rebound = WebhookDelivery.objects.get(endpoint_id=named["id"])
    webhook_deliver(delivery_id=rebound.id)
    rebound.refresh_from_db()
    assert rebound.last_error == "partner.example resolves to a non-public address; refused."
    assert receiver.received == []


def test_the_guard_connects_to_the_checked_public_address(dns) -> None:
    # 203.0.113.0/24 is documentation space (not global): one bad address refuses the whole name.
    dns.answers["partner.example"] = ["203.0.113.7", "93.184.215.14"]
    with pytest.raises(outbound.TargetRefused):
        outbound.public_address("partner.example", 443)
    dns.answers["partner.example"] = ["93.184.215.14"]
    assert outbound.public_address("partner.example", 443) == ("93.184.215.14", 443)


# --- dataset.version_published (a catalog hook) --------------------------------------------------------------


def upload_version(seller: Party, dataset_id: str, capture: Any, rows: int = 12) -> None:
    lines = ["timestamp,value"] + [f"2024-02-01T00:{i:02d}:00+09:00,{i}" for i in range(rows)]
    with capture(execute=True):
        response = seller.client.post(
            f"/api/v1/datasets/{dataset_id}/versions",
            {"file": SimpleUploadedFile("d.csv", ("\n".join(lines) + "\n").encode())},
            format="multipart",
        )
    assert response.status_code == 202, response.content


def test_a_published_version_is_announced_to_the_seller(seller, receiver, capture) -> None:
    hook = register(seller, receiver.url, ["dataset.version_published"]).json()
    dataset = seller.client.post(
        "/api/v1/datasets", {"title": "Bridge strain", "data_class": "iot", "category": "infrastructure"}, format="json"
    ).json()
    upload_version(seller, dataset["id"], capture)
    [got] = receiver.received
    assert webhook_signature_verify(secret=hook["secret"], header=got.headers["Ichiba-Signature"], body=got.body)
    envelope = json.loads(got.body)
    assert envelope["type"] == "dataset.version_published"
    assert envelope["data"]["dataset"] == dataset["id"] and envelope["data"]["version"] == 1
    assert envelope["data"]["dataset_title"] == "Bridge strain" and len(envelope["data"]["sha256"]) == 64
    # A rejected version is not announced.
    with capture(execute=True):
        seller.client.post(
            f"/api/v1/datasets/{dataset['id']}/versions",
            {"file": SimpleUploadedFile("d.csv", b"timestamp,value\n2024-01-01T00:00:00+09:00,1,2,3\n")},
            format="multipart",
        )
    assert len(receiver.received) == 1


def test_a_new_version_is_announced_to_buyers_entitled_to_the_dataset(seller, buyer, receiver, capture) -> None:
    from settlement.models import Entitlement

    offering = published_offering(seller, capture)
    trade(buyer, seller, offering, capture)
    assert Entitlement.objects.filter(buyer=buyer.organization, status="active").exists()
    seller_hook = register(seller, receiver.url + "/seller", ["dataset.version_published"]).json()
    buyer_hook = register(buyer, receiver.url + "/buyer", ["dataset.version_published"]).json()
    stranger = make_party("Sendai Weather", {"buyer"})
    register(stranger, receiver.url + "/stranger", ["dataset.version_published"])

    upload_version(seller, offering["dataset"], capture)
    assert sorted(r.path for r in receiver.received) == ["/hooks/ichiba/buyer", "/hooks/ichiba/seller"]
    assert len({r.headers["Ichiba-Event-Id"] for r in receiver.received}) == 1  # one event, two recipients
    for got, hook in ((r, seller_hook if r.path.endswith("seller") else buyer_hook) for r in receiver.received):
        assert webhook_signature_verify(secret=hook["secret"], header=got.headers["Ichiba-Signature"], body=got.body)
        assert json.loads(got.body)["data"]["version"] == 2
