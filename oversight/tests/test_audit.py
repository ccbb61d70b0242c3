"""The audit trail's export (oversight.services.audit, manage.py export_audit) against a walk: a trade from the
orders to the download, refunded by an unlawful take-down; every step is a row of its kind, with its parties,
amounts and times, and nothing of another period is in it."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Contract
from marketplace.models import Order, Trade
from oversight.models import Takedown
from oversight.services.audit import COLUMNS, audit_csv, audit_period
from oversight.services.takedowns import takedown_apply
from settlement.models import Download, Entitlement, Settlement
from tests.builders import place, published_offering

pytestmark = pytest.mark.django_db


def rows(first: date, last: date) -> list[dict[str, str]]:
    body = "".join(audit_csv(audit_period(first=first, last=last)))
    assert body.startswith("\ufeff"), "UTF-8 with a byte-order mark, for Excel"
    reader = csv.DictReader(io.StringIO(body[1:]))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


@pytest.fixture
def walk(seller: Any, buyer: Any, capture: Any) -> Settlement:
    offering = published_offering(seller, capture, title="Gauges")
    with capture(execute=True):
        assert place(seller, offering, "sell", 2, 1000).status_code == 201
        bid = place(buyer, offering, "buy", 1, 1000)
    trade = Trade.objects.select_related("contract").get(pk=bid.json()["trades"][0]["id"])
    assert trade.contract is not None
    entitlement = Entitlement.objects.get(contract=trade.contract)
    token = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens").json()
    with capture(execute=True):
        response: Any = APIClient().get(token["download_url"])
        b"".join(response.streaming_content)
    settlement = Settlement.objects.get(trade=trade)
    assert settlement.status == "captured", "the first complete download captured it"
    with capture(execute=True):
        takedown_apply(dataset_id=trade.contract.dataset_id, category="unlawful", reason="Court order.", actor="op")
    settlement.refresh_from_db()
    assert settlement.status == "refunded"
    return settlement


def test_the_export_holds_every_step_of_the_walk(walk: Settlement, seller: Any, buyer: Any) -> None:
    today = timezone.localdate()
    exported = rows(today, today)
    kinds = {row["kind"] for row in exported}
    assert kinds == {
        "order",
        "order_event",
        "trade",
        "contract",
        "contract_event",
        "settlement",
        "settlement_event",
        "entitlement_event",
        "download",
        "takedown",
    }
    by_id = {(row["kind"], row["id"]): row for row in exported}
    trade = Trade.objects.get(pk=walk.trade_id)
    trade_row = by_id[("trade", str(trade.id))]
    assert (trade_row["buyer_id"], trade_row["seller_id"]) == (buyer.id, seller.id)
    assert (trade_row["quantity"], trade_row["price"], trade_row["amount"], trade_row["currency"]) == (
        "1",
        "1000",
        "1000",
        "JPY",
    )
    assert trade_row["occurred_at"] == timezone.localtime(trade.executed_at).isoformat()
    bid, ask = Order.objects.get(side="buy"), Order.objects.get(side="sell")
    assert by_id[("order", str(bid.id))]["buyer_id"] == buyer.id
    assert by_id[("order", str(ask.id))]["seller_id"] == seller.id
    assert by_id[("order", str(ask.id))]["status"] == "cancelled", "its rest cancelled by the take-down"
    assert trade.contract_id is not None
    contract = Contract.objects.get(pk=trade.contract_id)
    assert by_id[("contract", str(contract.id))]["amount"] == "1000"
    assert contract.terms_sha256 in by_id[("contract", str(contract.id))]["detail"]
    settlement_row = by_id[("settlement", str(walk.id))]
    assert (settlement_row["status"], settlement_row["amount"], settlement_row["subject_id"]) == (
        "refunded",
        str(walk.amount),
        str(trade.id),
    )
    moves = [(row["from_status"], row["status"]) for row in exported if row["subject_id"] == str(walk.id)]
    assert {("pending", "authorized"), ("authorized", "captured"), ("captured", "refunded")} <= set(moves)
    entitlement = Entitlement.objects.get(settlement=walk)
    revoked = [
        row for row in exported if row["kind"] == "entitlement_event" and row["subject_id"] == str(entitlement.id)
    ]
    assert [row["status"] for row in revoked][-1] == "revoked" and "Court order." in revoked[-1]["reason"]
    download = Download.objects.get()
    download_row = by_id[("download", str(download.id))]
    assert (download_row["status"], download_row["buyer_id"]) == ("completed", buyer.id)
    takedown = Takedown.objects.get()
    assert by_id[("takedown", str(takedown.id))]["reason"] == "unlawful: Court order."
    counts = {kind: sum(row["kind"] == kind for row in exported) for kind in kinds}
    assert counts["order"] == Order.objects.count() and counts["trade"] == 1 and counts["download"] == 1


def test_a_period_holds_only_its_own_rows(walk: Settlement) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    assert rows(yesterday - timedelta(days=30), yesterday) == []
    assert rows(timezone.localdate() + timedelta(days=1), timezone.localdate() + timedelta(days=2)) == []


def test_the_command_writes_the_same_file(walk: Settlement, tmp_path: Any) -> None:
    today = timezone.localdate().isoformat()
    target = tmp_path / "audit.csv"
    call_command("export_audit", "--from", today, "--to", today, "--output", str(target))
    written = target.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf")
    period = audit_period(first=timezone.localdate(), last=timezone.localdate())
    assert written.decode("utf-8") == "".join(audit_csv(period))
    with pytest.raises(CommandError):
        call_command("export_audit", "--from", today, "--to", "yesterday")
    with pytest.raises(CommandError):
        call_command("export_audit", "--from", today, "--to", "2000-01-01")
