"""Structured logs and the request id (docs/operations.md#logs): what a line holds, which ids a request takes or
replaces, and that a trade's lines keep its order's request id when its steps run later (tasks in-process here; the
same walk across a real worker is tests/integration/test_request_id_logs.py)."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import structlog
from django.db import transaction
from django.utils import timezone

from config.logging import formatter
from config.request_id import MAX_LENGTH, request_id_bound, request_id_clean
from settlement.models import Settlement, WebhookDelivery
from settlement.services import settlements
from tests.builders import place, principal, published_offering

Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def json_lines() -> Iterator[Lines]:
    """The JSON lines every logger writes while the test runs, parsed (the production formatter on a buffer)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter("json"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


# --- the id a request takes, or is given ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sane", ["3f2b8c1e-6d0a-4f6b-9a57-3c1d2b7e9a11", "abc", "req_42.retry:1", "A" * MAX_LENGTH], ids=str.__len__
)
def test_a_sane_incoming_request_id_is_kept_and_returned(anonymous: Any, db: Any, sane: str) -> None:
    response = anonymous.get("/api/v1/datasets", headers={"X-Request-Id": sane})
    assert response.status_code == 200
    assert response["X-Request-Id"] == sane


@pytest.mark.parametrize(
    "hostile",
    [
        "A" * (MAX_LENGTH + 1),  # too long to be an id: padding for the log
        'abc", "level": "critical',  # a quote: a forged field in a line read as text
        "abc\tdef",  # a tab (a header cannot carry a line break; a tab it can)
        "ünïcode",
        "-leading-dash",
        "has space",
        "<script>",
    ],
    ids=["too-long", "quote", "tab", "non-ascii", "leading-dash", "space", "markup"],
)
def test_a_hostile_request_id_is_replaced_never_echoed(
    anonymous: Any, db: Any, json_lines: Lines, hostile: str
) -> None:
    response = anonymous.get("/api/v1/no-such-thing", headers={"X-Request-Id": hostile})
    assert response.status_code == 404
    given = response["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", given), given
    assert response.json()["request_id"] == given, "the problem names the id the response carries"
    assert hostile not in response.content.decode()
    lines = json_lines()
    assert lines and all(line["request_id"] == given for line in lines)  # Django's 404 warning
    assert not any(hostile in json.dumps(line, ensure_ascii=False) for line in lines)


def test_each_request_served_is_one_access_line_naming_its_route_never_its_path(
    anonymous: Any, db: Any, json_lines: Lines
) -> None:
    token = "tok3n-" + "x" * 40
    listed = anonymous.get("/api/v1/datasets", headers={"X-Request-Id": "req-list"})
    refused = anonymous.get(f"/api/v1/downloads/{token}", headers={"X-Request-Id": "req-dl"})
    assert (listed.status_code, refused.status_code) == (200, 401)
    access = [line for line in json_lines() if line["event"] == "http.request"]
    assert [(line["request_id"], line["method"], line["status"]) for line in access] == [
        ("req-list", "GET", 200),
        ("req-dl", "GET", 401),
    ]
    assert access[0]["route"] == "api/v1/datasets" and access[0]["logger"] == "ichiba.access"
    assert "<" in access[1]["route"] and token not in json.dumps(access), "the route's pattern, not the token"
    assert all(isinstance(line["duration_ms"], float) for line in access)


def test_request_id_clean_refuses_what_is_not_text() -> None:
    assert request_id_clean(None) == request_id_clean(b"abc") == request_id_clean("") == ""
    assert request_id_clean("abc\n") == "", "a trailing newline is not taken (fullmatch, not match)"


def test_every_response_carries_an_id_of_its_own_when_none_is_sent(anonymous: Any, client: Any, db: Any) -> None:
    seen = set()
    for response in (anonymous.get("/api/v1/datasets"), client.get("/"), client.get("/healthz")):
        assert response.status_code == 200
        seen.add(response["X-Request-Id"])
    assert len(seen) == 3, "each request its own id"


# --- what a line holds ---------------------------------------------------------------------------------------------


def test_a_line_is_one_json_object_with_the_common_fields_first_then_its_own(json_lines: Lines) -> None:
    order = uuid.uuid4()
    with request_id_bound("req-1"):
        logging.getLogger("marketplace.services.orders").info(
            "order %s placed", order, extra={"event": "order.placed", "order": order, "price": 1000}
        )
        structlog.get_logger("settlement.services.webhooks").warning("webhook.failed", delivery="d-1", attempt=2)
    placed, failed = json_lines()
    assert list(placed)[:5] == ["timestamp", "level", "logger", "event", "request_id"]
    assert placed["event"] == "order.placed" and placed["message"] == f"order {order} placed"
    assert placed["order"] == str(order) and placed["price"] == 1000 and placed["level"] == "info"
    assert placed["logger"] == "marketplace.services.orders" and placed["request_id"] == "req-1"
    assert datetime.fromisoformat(placed["timestamp"]).utcoffset() == timedelta(0)
    assert failed["event"] == "webhook.failed" and failed["level"] == "warning" and failed["attempt"] == 2
    assert failed["request_id"] == "req-1"


def test_a_line_logged_with_no_request_has_an_empty_request_id(json_lines: Lines) -> None:
    logging.getLogger("config").info("started")
    [line] = json_lines()
    assert line["event"] == "started" and line["request_id"] == ""


def test_no_json_line_keeps_a_download_token(anonymous: Any, db: Any, json_lines: Lines) -> None:
    token = "s3cr3t-Token_value"
    response = anonymous.get(f"/api/v1/downloads/{token}?format=csv")
    assert response.status_code == 401  # Django logs the path of a 4xx: "Unauthorized: /api/v1/downloads/..."
    logger = logging.getLogger("settlement.api.downloads")
    logger.info("fetched", extra={"event": "download.test", "url": f"https://m.example/api/v1/downloads/{token}"})
    structlog.get_logger("settlement").info("native", paths=[f"/downloads/{token}"])
    try:
        raise RuntimeError(f"could not open /api/v1/downloads/{token}")
    except RuntimeError:
        logger.exception("download failed")
    output = json.dumps(json_lines())
    assert "/api/v1/downloads/[token]" in output and output.count("[token]") >= 4, output
    assert token not in output


def test_the_console_format_is_one_readable_line() -> None:
    record = logging.LogRecord("marketplace", logging.INFO, __file__, 1, "order placed", (), None)
    record.event, record.order = "order.placed", "o-1"
    with request_id_bound("req-9"):
        line = formatter("console").format(record)
    assert "\n" not in line and "order.placed" in line and "order=o-1" in line and "request_id=req-9" in line


def test_an_unknown_log_format_stops_the_process() -> None:
    with pytest.raises(ValueError, match="ICHIBA_LOG_FORMAT"):
        formatter("xml")


# --- a trade's lines keep its order's request id -------------------------------------------------------------------


def test_a_trade_s_steps_log_its_order_s_request_id_even_when_the_sweeper_drives_them(
    seller: Any, buyer: Any, json_lines: Lines, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    offering = published_offering(seller, django_capture_on_commit_callbacks, seats=10)
    buyer.client.post(
        "/api/v1/webhook-endpoints",
        {"url": "http://127.0.0.1:9/hook", "events": ["trade.executed", "settlement.updated"]},
        format="json",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert place(seller, offering, "sell", 5, 1000).status_code == 201
    # The provider fails the first authorisation transiently: the in-process task leaves it to the sweeper.
    settings.ICHIBA = {**settings.ICHIBA, "OFFLINE_PROVIDER_FAILURES": 1}
    bid = {"offering": offering["id"], "side": "buy", "quantity": 1, "price": 1000}
    bid["accepted_terms_sha256"] = offering["terms_sha256"]
    with django_capture_on_commit_callbacks(execute=True):
        placed = buyer.client.post("/api/v1/orders", bid, format="json", headers={"X-Request-Id": "order-req-1"})
    assert placed.status_code == 201 and placed["X-Request-Id"] == "order-req-1"
    settlement = Settlement.objects.get(trade_id=placed.json()["trades"][0]["id"])
    assert settlement.status == "pending" and settlement.attempts == 1
    assert settlement.request_id == "order-req-1"
    ours = [line["event"] for line in json_lines() if line["request_id"] == "order-req-1"]
    ours.remove("http.request")  # the order's request's own access line
    assert ours[:3] == ["order.placed", "trade.executed", "contract.concluded"], "logged once the matching committed"
    assert "settlement.authorized" not in ours

    # Later, in no request at all: the sweeper re-drives it, and its lines carry the order's id again.
    with django_capture_on_commit_callbacks(execute=True):
        assert settlements.settlements_sweep(now=timezone.now() + timedelta(hours=1))["authorize"] == 1
    assert Settlement.objects.get(pk=settlement.pk).status == "authorized"
    moved = [line for line in json_lines() if line["event"] in ("settlement.authorized", "entitlement.granted")]
    assert [line["request_id"] for line in moved] == ["order-req-1", "order-req-1"]
    assert moved[0]["settlement"] == str(settlement.id) and moved[0]["trade"] == str(settlement.trade_id)
    # The webhook deliveries the steps queued carry it to the partner (X-Request-Id), however late they are sent.
    deliveries = WebhookDelivery.objects.filter(endpoint__organization_id=buyer.organization.id)
    assert deliveries.count() >= 2 and set(deliveries.values_list("request_id", flat=True)) == {"order-req-1"}
    # Each attempt (port 9 refuses them) logs its failure under that id, naming the endpoint by id, not by URL.
    failed = [line for line in json_lines() if line["event"] == "webhook.failed"]
    assert len(failed) == deliveries.count() and {line["request_id"] for line in failed} == {"order-req-1"}
    assert all(line["attempt"] == 1 and line["final"] is False and line["endpoint"] for line in failed)
    assert "127.0.0.1:9" not in json.dumps(json_lines())


def test_a_line_about_a_change_that_rolled_back_is_never_written(
    seller: Any, buyer: Any, json_lines: Lines, django_capture_on_commit_callbacks: Any
) -> None:
    from marketplace.services.orders import order_place

    offering = published_offering(seller, django_capture_on_commit_callbacks, seats=10)

    @transaction.atomic
    def place_then_fail() -> None:
        """A caller's transaction (a deal, a negotiation) places the order, then fails: nothing of it stays."""
        order_place(
            principal=principal(buyer),
            offering_id=uuid.UUID(offering["id"]),
            side="buy",
            price=1000,
            quantity=1,
            accepted_terms_sha256=offering["terms_sha256"],
        )
        raise RuntimeError("the caller failed after the matching")

    with django_capture_on_commit_callbacks(execute=True):
        assert place(seller, offering, "sell", 5, 1000).status_code == 201
        with pytest.raises(RuntimeError, match="after the matching"):
            place_then_fail()
    events = [line["event"] for line in json_lines()]
    assert events.count("order.placed") == 1, "the ask's line only"
    assert "trade.executed" not in events
