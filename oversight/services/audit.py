"""The audit trail of a period, for a regulator (docs/operations.md#exporting-the-audit-trail): every order, order
event, trade, contract, contract event, settlement, settlement event, entitlement event, download and take-down
of the period, as one CSV with a ``kind`` column.

One file rather than a ZIP of one file per kind: a regulator opens it in a spreadsheet and filters by kind or by a
party's id, and the rows of every kind share one set of columns (who, what, when, how much), so the trail of one
trade reads across kinds by its ids. It is UTF-8 with a byte-order mark, which Excel in Japan needs to read UTF-8
(without it, it assumes Shift_JIS and garbles Japanese names). Rows are streamed kind by kind, each kind in the
order it happened, read from the database in chunks: a year of trading never sits in memory, in the console's
download or in ``manage.py export_audit``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from config.errors import InvalidInput
from contracts.models import Contract, ContractEvent
from marketplace.models import Order, OrderEvent, Trade
from oversight.models import Takedown
from settlement.models import Download, EntitlementEvent, Settlement, SettlementEvent

BOM = "\ufeff"
COLUMNS = (
    "kind",
    "occurred_at",
    "id",
    "subject_id",  # the row an event or a download is about (its order, contract, settlement, entitlement)
    "from_status",
    "status",
    "reason",
    "actor",
    "buyer_id",  # an order's or a download's organisation is in buyer_id (a sell order's: seller_id)
    "seller_id",
    "offering_id",
    "dataset_id",
    "quantity",
    "price",
    "amount",
    "currency",
    "detail",
)
CHUNK = 2000
# The longest period exported at once (a regulator asks for a year; two leave room for a fiscal year's edges).
MAX_DAYS = 2 * 366


@dataclass(frozen=True)
class Period:
    """From the start of ``first`` to the end of ``last``, days in the market's time zone (Asia/Tokyo)."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def filename(self) -> str:
        return f"ichiba-audit-{self.first.isoformat()}-{self.last.isoformat()}.csv"


def audit_period(*, first: date, last: date) -> Period:
    if last < first:
        raise InvalidInput("The period ends before it starts.", errors={"to": ["before from"]})
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"Export at most {MAX_DAYS} days at once.", errors={"to": ["period too long"]})
    return Period(first=first, last=last)


def _at(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _in(queryset: QuerySet[Any], field: str, period: Period) -> QuerySet[Any]:
    return queryset.filter(**{f"{field}__gte": period.start, f"{field}__lt": period.end}).order_by(field, "pk")


Row = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    """One kind of row: the rows of the period (``field`` in it), the columns read and how they fill the CSV's."""

    name: str
    rows: Callable[[], QuerySet[Any]]
    field: str
    row: Callable[[dict[str, Any]], Row]


def _order(v: dict[str, Any]) -> Row:
    party = "buyer_id" if v["side"] == "buy" else "seller_id"
    return {
        "id": v["id"],
        "status": v["status"],
        "reason": v["status_reason"],
        party: v["organization_id"],
        "offering_id": v["offering_id"],
        "dataset_id": v["offering__dataset_id"],
        "quantity": v["quantity"],
        "price": v["price"],
        "currency": v["offering__currency"],
        "detail": f"{v['side']} {v['type']} {v['time_in_force']}; filled {v['filled_quantity']}",
    }


def _order_event(v: dict[str, Any]) -> Row:
    party = "buyer_id" if v["order__side"] == "buy" else "seller_id"
    return {
        "id": v["id"],
        "subject_id": v["order_id"],
        "from_status": v["from_status"],
        "status": v["to_status"],
        "reason": v["reason"],
        party: v["order__organization_id"],
        "offering_id": v["order__offering_id"],
    }


def _trade(v: dict[str, Any]) -> Row:
    return {
        "id": v["id"],
        "subject_id": v["contract_id"],
        "status": v["status"],
        "buyer_id": v["buyer_id"],
        "seller_id": v["seller_id"],
        "offering_id": v["offering_id"],
        "dataset_id": v["offering__dataset_id"],
        "quantity": v["quantity"],
        "price": v["price"],
        "amount": v["price"] * v["quantity"],
        "currency": v["currency"],
    }


def _contract(v: dict[str, Any]) -> Row:
    return {
        "id": v["id"],
        "subject_id": v["trade_ref"],
        "status": v["status"],
        "buyer_id": v["buyer_id"],
        "seller_id": v["seller_id"],
        "offering_id": v["offering_id"],
        "dataset_id": v["dataset_id"],
        "quantity": v["quantity"],
        "price": v["price"],
        "amount": v["amount"],
        "currency": v["currency"],
        "detail": f"terms_sha256 {v['terms_sha256']}; version {v['dataset_version_id']}",
    }


def _event_of(subject: str) -> Callable[[dict[str, Any]], Row]:
    def row(v: dict[str, Any]) -> Row:
        return {
            "id": v["id"],
            "subject_id": v[f"{subject}_id"],
            "from_status": v["from_status"],
            "status": v["to_status"],
            "reason": v["reason"],
            "actor": v["actor"],
            "buyer_id": v[f"{subject}__buyer_id"],
            "seller_id": v.get(f"{subject}__seller_id", ""),
        }

    return row


def _settlement(v: dict[str, Any]) -> Row:
    return {
        "id": v["id"],
        "subject_id": v["trade_id"],
        "status": v["status"],
        "reason": v["refund_reason"],
        "buyer_id": v["buyer_id"],
        "seller_id": v["seller_id"],
        "dataset_id": v["contract__dataset_id"],
        "amount": v["amount"],
        "currency": v["currency"],
        "detail": f"period {v['period']}; fee {v['platform_fee']}; tax {v['tax_amount']}; contract {v['contract_id']}",
    }


def _download(v: dict[str, Any]) -> Row:
    return {
        "id": v["id"],
        "subject_id": v["entitlement_id"],
        "status": "completed" if v["completed"] else "partial",
        "buyer_id": v["buyer_id"],
        "dataset_id": v["dataset_version__dataset_id"],
        "detail": f"version {v['dataset_version_id']}; bytes {v['bytes_sent']}; from {v['client_address'] or ''}",
    }


def _takedown(v: dict[str, Any]) -> Row:
    return {
        "id": v["id"],
        "status": v["status"],
        "reason": f"{v['category']}: {v['reason']}",
        "actor": v["actor"],
        "offering_id": v["offering_id"] or "",
        "dataset_id": v["dataset_id"],
        "detail": f"orders cancelled {v['orders_cancelled']}",
    }


KINDS: tuple[Kind, ...] = (
    Kind(
        "order",
        lambda: Order.objects.values(
            "id",
            "created_at",
            "status",
            "status_reason",
            "side",
            "type",
            "time_in_force",
            "organization_id",
            "offering_id",
            "offering__dataset_id",
            "offering__currency",
            "quantity",
            "price",
            "filled_quantity",
        ),
        "created_at",
        _order,
    ),
    Kind(
        "order_event",
        lambda: OrderEvent.objects.values(
            "id",
            "created_at",
            "order_id",
            "from_status",
            "to_status",
            "reason",
            "order__side",
            "order__organization_id",
            "order__offering_id",
        ),
        "created_at",
        _order_event,
    ),
    Kind(
        "trade",
        lambda: Trade.objects.values(
            "id",
            "executed_at",
            "contract_id",
            "status",
            "buyer_id",
            "seller_id",
            "offering_id",
            "offering__dataset_id",
            "quantity",
            "price",
            "currency",
        ),
        "executed_at",
        _trade,
    ),
    Kind(
        "contract",
        lambda: Contract.objects.values(
            "id",
            "concluded_at",
            "trade_ref",
            "status",
            "buyer_id",
            "seller_id",
            "offering_id",
            "dataset_id",
            "dataset_version_id",
            "quantity",
            "price",
            "amount",
            "currency",
            "terms_sha256",
        ),
        "concluded_at",
        _contract,
    ),
    Kind(
        "contract_event",
        lambda: ContractEvent.objects.values(
            "id",
            "created_at",
            "contract_id",
            "from_status",
            "to_status",
            "reason",
            "actor",
            "contract__buyer_id",
            "contract__seller_id",
        ),
        "created_at",
        _event_of("contract"),
    ),
    Kind(
        "settlement",
        lambda: Settlement.objects.values(
            "id",
            "created_at",
            "trade_id",
            "contract_id",
            "period",
            "status",
            "refund_reason",
            "buyer_id",
            "seller_id",
            "contract__dataset_id",
            "amount",
            "currency",
            "platform_fee",
            "tax_amount",
        ),
        "created_at",
        _settlement,
    ),
    Kind(
        "settlement_event",
        lambda: SettlementEvent.objects.values(
            "id",
            "created_at",
            "settlement_id",
            "from_status",
            "to_status",
            "reason",
            "actor",
            "settlement__buyer_id",
            "settlement__seller_id",
        ),
        "created_at",
        _event_of("settlement"),
    ),
    Kind(
        "entitlement_event",
        lambda: EntitlementEvent.objects.values(
            "id",
            "created_at",
            "entitlement_id",
            "from_status",
            "to_status",
            "reason",
            "actor",
            "entitlement__buyer_id",
        ),
        "created_at",
        _event_of("entitlement"),
    ),
    Kind(
        "download",
        lambda: Download.objects.values(
            "id",
            "started_at",
            "entitlement_id",
            "completed",
            "buyer_id",
            "dataset_version_id",
            "dataset_version__dataset_id",
            "bytes_sent",
            "client_address",
        ),
        "started_at",
        _download,
    ),
    Kind(
        "takedown",
        lambda: Takedown.objects.values(
            "id",
            "created_at",
            "status",
            "category",
            "reason",
            "actor",
            "offering_id",
            "dataset_id",
            "orders_cancelled",
        ),
        "created_at",
        _takedown,
    ),
)


class _Line:
    """A file-like that hands back what csv.writer writes (one row), so rows stream without a buffer."""

    def write(self, value: str) -> str:
        return value


def audit_rows(period: Period) -> Iterator[dict[str, Any]]:
    """Every row of the period, kind by kind, each kind in the order it happened: the CSV's columns by name."""
    for kind in KINDS:
        for values in _in(kind.rows(), kind.field, period).iterator(chunk_size=CHUNK):
            yield {"kind": kind.name, "occurred_at": _at(values[kind.field]), **kind.row(values)}


def audit_csv(period: Period) -> Iterator[str]:
    """The CSV, line by line: the byte-order mark and the header first."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(COLUMNS)
    for row in audit_rows(period):
        yield writer.writerow(["" if row.get(column) is None else row.get(column, "") for column in COLUMNS])
