"""The take-down in the operator's console (oversight/admin.py): the action names its effects and asks for a category
and a reason before anything moves; the taken-down state and reason show on the dataset, the offering and the
take-downs' pages; the audit trail downloads as CSV."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from catalog.models import Dataset
from marketplace.models import Offering
from oversight.models import Takedown
from settlement.models import Settlement
from settlement.services import settlements
from tests.builders import place, published_offering, text, trade

pytestmark = pytest.mark.django_db

DATASETS = "/admin/catalog/dataset/"
OFFERINGS = "/admin/marketplace/offering/"
REASON = "A court found the data was collected unlawfully (case 2026-123)."


@pytest.fixture
def sold(seller: Any, buyer: Any, capture: Any) -> Settlement:
    """Three seats of "Gauges" sold and paid for; two seats of the seller's ask still rest, and a low bid."""
    offering = published_offering(seller, capture, title="Gauges")
    settlement = trade(buyer, seller, offering, capture)
    with capture(execute=True):
        place(buyer, offering, "buy", 1, 500)
    return settlements.settlement_capture(settlement_id=settlement.id, reason="first download")


def _choose(client: Client, url: str, pk: Any, **extra: str) -> Any:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client.post(url, {"action": "take_down", "_selected_action": [str(pk)], **extra})


def test_a_take_down_names_its_effects_and_asks_for_a_reason_first(
    admin_client: Client, sold: Settlement, capture: Any
) -> None:
    dataset_id = sold.contract.dataset_id
    page = _choose(admin_client, DATASETS, dataset_id)
    assert page.status_code == 200
    body = text(page)
    assert 'id="takedown-form"' in body and 'name="category"' in body and 'name="reason"' in body
    assert '<td class="open-orders">2</td>' in body and '<td class="refunds">1</td>' in body
    assert '<td class="entitlements">1</td>' in body
    assert Dataset.objects.get(pk=dataset_id).taken_down_at is None, "nothing moves before the confirmation"

    again = _choose(admin_client, DATASETS, dataset_id, confirm="yes", category="unlawful", reason="  ")
    assert again.status_code == 200 and "This field is required." in text(again)
    assert not Takedown.objects.exists()

    with capture(execute=True):
        done = _choose(admin_client, DATASETS, dataset_id, confirm="yes", category="unlawful", reason=REASON)
    assert done.status_code == 302
    takedown = Takedown.objects.get()
    assert (takedown.category, takedown.reason, takedown.status) == ("unlawful", REASON, "done")
    assert takedown.actor == "admin" and takedown.orders_cancelled == 2
    assert Settlement.objects.get(pk=sold.pk).status == "refunded"

    shown = text(admin_client.get(f"{DATASETS}{dataset_id}/change/"))
    assert "Unlawful content" in shown and REASON in shown
    offering_id = Offering.objects.get(dataset_id=dataset_id).pk
    assert REASON in text(admin_client.get(f"{OFFERINGS}{offering_id}/change/"))
    record = text(admin_client.get(f"/admin/oversight/takedown/{takedown.pk}/change/"))
    assert "1 payment(s) refunded, 0 released or voided, 1 access(es) revoked; 0 payment(s) in force" in record
    listed = text(admin_client.get("/admin/oversight/takedown/"))
    assert "Gauges" in listed and 'id="audit-export-link"' in listed


def test_an_offering_is_taken_down_from_its_page_and_buyers_keep_access(
    admin_client: Client, sold: Settlement, capture: Any
) -> None:
    offering_id = Offering.objects.get(dataset_id=sold.contract.dataset_id).pk
    with capture(execute=True):
        done = _choose(admin_client, OFFERINGS, offering_id, confirm="yes", category="rights", reason=REASON)
    assert done.status_code == 302
    assert Offering.objects.get(pk=offering_id).takedown_category == "rights"
    assert Settlement.objects.get(pk=sold.pk).status == "captured", "not unlawful: the buyer keeps its purchase"
    page = _choose(admin_client, OFFERINGS, offering_id)
    assert 'id="takedown-skipped"' in text(page) and 'id="takedown-form"' not in text(page)


def test_the_audit_trail_downloads_as_csv_for_excel(admin_client: Client, sold: Settlement) -> None:
    url = "/admin/oversight/takedown/audit-export/"
    assert admin_client.get(url).status_code == 200
    day = sold.created_at.astimezone().date().isoformat()
    response: Any = admin_client.post(url, {"first": day, "last": day})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="ichiba-audit-{day}-{day}.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffkind,occurred_at,id,")
    assert f",{sold.id}," in body and f",{sold.trade_id}," in body
    refused = admin_client.post(url, {"first": day, "last": "2000-01-01"})
    assert refused.status_code == 200 and "The period ends before it starts." in text(refused)


def test_only_staff_export_the_audit_trail(client: Client, sold: Settlement) -> None:
    response: Any = client.post(
        "/admin/oversight/takedown/audit-export/", {"first": "2026-01-01", "last": "2026-12-31"}
    )
    assert response.status_code == 302 and "/admin/login/" in response.url
