"""One trade followed through the logs by the request id of its order (docs/operations.md#logs), on PostgreSQL,
Redis and a real Celery worker, both processes writing JSON lines to one file: the order's request, the worker's
authorisation and capture (the capture caused by another request, the download), the entitlement and the webhook
deliveries all carry the id, and so does the webhook request a partner's receiver gets."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from config.logging import formatter
from settlement.models import Entitlement, Settlement, WebhookDelivery
from tests.integration.workers import QUEUES, market, start_worker, status_of, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def received() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A partner's webhook receiver on loopback: its URL and the headers of each POST it got."""
    headers: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers.append(dict(self.headers.items()))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks", headers
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """This process's lines (it serves the requests, as a web server would) in JSON, appended to a file."""
    path = tmp_path / "ichiba.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(formatter("json"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        handler.close()


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("{")]


def test_one_trade_is_followed_by_its_order_request_id_across_processes_and_webhooks(
    on_broker: None, workers: list[Any], log_file: Path, received: tuple[str, list[dict[str, str]]]
) -> None:
    url, deliveries = received
    env = {"ICHIBA_LOG_FILE": str(log_file), "ICHIBA_LOG_FORMAT": "json"}
    workers.append(start_worker(queues=QUEUES, name="logs", env=env, loglevel="info"))
    _, buyer, offering = market()
    events = ["trade.executed", "contract.concluded", "settlement.updated", "entitlement.granted"]
    endpoint = buyer.client.post("/api/v1/webhook-endpoints", {"url": url, "events": events}, format="json")
    assert endpoint.status_code == 201, endpoint.content

    request_id = f"walk-{uuid.uuid4().hex}"
    bid = {"offering": offering["id"], "side": "buy", "quantity": 1, "price": 1000}
    bid["accepted_terms_sha256"] = offering["terms_sha256"]
    response = buyer.client.post("/api/v1/orders", bid, format="json", headers={"X-Request-Id": request_id})
    assert response.status_code == 201, response.content
    assert response["X-Request-Id"] == request_id
    settlement = Settlement.objects.get(trade_id=response.json()["trades"][0]["id"])
    wait_for(lambda: status_of(settlement) == "authorized", what="authorisation", process=workers[0])

    entitlement = Entitlement.objects.get(settlement=settlement)
    minted = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens")
    token = minted.json()["token"]
    download = buyer.client.get(minted.json()["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"timestamp,value")  # read whole: the capture follows
    download_request = download["X-Request-Id"]
    assert download_request and download_request != request_id
    wait_for(lambda: status_of(settlement) == "captured", what="capture", process=workers[0])
    pending = WebhookDelivery.objects.exclude(status=WebhookDelivery.Status.DELIVERED)
    wait_for(lambda: len(deliveries) >= 5 and not pending.exists(), what="webhook deliveries", process=workers[0])

    lines = _lines(log_file)
    ours = [line for line in lines if line.get("request_id") == request_id]
    said = {line["event"] for line in ours}
    wanted = {
        "order.placed",  # the web request
        "trade.executed",
        "contract.concluded",
        "settlement.authorized",  # the worker, from the task's header
        "entitlement.granted",
        "settlement.captured",  # the worker, the capture caused by the download: the settlement's id
        "webhook.delivered",  # the webhooks pool, from the delivery's row
    }
    assert wanted <= said, (wanted - said, [line.get("event") for line in lines][-40:])
    [placed] = [line for line in ours if line["event"] == "order.placed"]
    assert placed["offering"] == offering["id"] and placed["logger"] == "marketplace.services.orders"
    assert {line["settlement"] for line in ours if line["event"].startswith("settlement.")} == {str(settlement.id)}
    assert all({"timestamp", "level", "logger", "event", "request_id"} <= line.keys() for line in lines)

    # A task carries the id of the request that published it (a message header): the capture the download
    # enqueued ran under the download's id (Celery's own line for it), and re-bound the trade's for its own lines.
    [capture_task] = [
        line
        for line in lines
        if (line.get("data") or {}).get("name") == "settlement.capture" and line["logger"] == "celery.app.trace"
    ]
    assert capture_task["request_id"] == download_request
    # ... and passed it on to the tasks it published (the settlement.updated deliveries of the capture).
    traced = [line for line in lines if line["logger"] == "celery.app.trace"]
    delivering = {line["request_id"] for line in traced if line["data"]["name"] == "settlement.webhooks.deliver"}
    assert delivering == {request_id, download_request}, delivering

    # The download has its own request; its line names the settlement, by which the trade's lines are joined.
    [served] = [line for line in lines if line.get("event") == "download.served"]
    assert served["request_id"] == download_request and served["settlement"] == str(settlement.id)
    assert served["completed"] is True
    # Every webhook request the receiver got (trade, contract, settlement moves, entitlement) names the order's
    # request, the capture's included.
    assert len(deliveries) == WebhookDelivery.objects.count() >= 5
    assert {headers.get("X-Request-Id") for headers in deliveries} == {request_id}
    assert token not in log_file.read_text(encoding="utf-8"), "no line keeps a download token"
