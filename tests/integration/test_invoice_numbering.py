"""Invoice numbers stay unique and consecutive when many captures race on PostgreSQL (run by CI): each capture
takes the year's counter row FOR UPDATE in its own transaction, so no two invoices share a number and none is
skipped (ADR 19)."""

from __future__ import annotations

from typing import Any

import pytest

from invoices.models import Invoice
from marketplace.services.participants import organization_invoice_number_set
from settlement.models import Settlement
from settlement.services import settlements
from tests.builders import make_party
from tests.fixtures import require_postgres, require_redis
from tests.integration.workers import broker_at, buy, market, publishing_to_broker, race

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


@pytest.fixture
def authorised(transactional_db: Any) -> list[Settlement]:
    """THREADS trades, each authorised and waiting for its capture."""
    require_postgres()
    require_redis()
    seller, buyer, offering = market()
    organization_invoice_number_set(organization_id=seller.organization.id, number="T7000012050002")
    bought = []
    with publishing_to_broker(), broker_at("redis://127.0.0.1:9/0"):
        for index in range(THREADS):
            buyer_n = buyer if index == 0 else make_party(f"Racing Buyer {index}", {"buyer"})
            bought.append(buy(buyer_n, offering))
    for settlement in bought:
        settlements.settlement_authorize(settlement_id=settlement.id)
    return bought


def test_racing_captures_number_their_invoices_uniquely_and_without_gaps(authorised: list[Settlement]) -> None:
    results = race(
        THREADS,
        lambda index: settlements.settlement_capture(settlement_id=authorised[index].id, reason="race").status,
    )
    assert results == ["captured"] * THREADS, results
    invoices = list(Invoice.objects.order_by("sequence"))
    assert len(invoices) == 2 * THREADS, "a sale invoice and a fee invoice per capture"
    sequences = [invoice.sequence for invoice in invoices]
    assert sequences == list(range(1, 2 * THREADS + 1)), sequences
    assert len({invoice.number for invoice in invoices}) == 2 * THREADS
    for settlement in authorised:
        sale, fee = (Invoice.objects.get(settlement=settlement, kind=kind) for kind in ("sale", "fee"))
        assert fee.sequence == sale.sequence + 1, "one capture's two invoices are consecutive"
    # Racing the same capture again issues nothing more.
    again = race(THREADS, lambda _: settlements.settlement_capture(settlement_id=authorised[0].id, reason="again"))
    assert {settlement.status for settlement in again} == {"captured"}
    assert Invoice.objects.count() == 2 * THREADS
