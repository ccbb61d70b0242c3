"""The operator's console across the apps (each app's admin.py, config/console.py): the book's and the catalog's rows
are there to read, in Japanese with money formatted, linked to one another, and none can be added, changed or
deleted from it (money rows, concluded contracts and the book move only through their services)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from catalog.models import Dataset
from contracts.models import Contract
from invoices.models import Invoice
from marketplace.models import Offering, Order, Trade
from settlement.services import settlements
from tests.builders import published_offering, text, trade

pytestmark = pytest.mark.django_db


@pytest.fixture
def traded(seller: Any, buyer: Any, capture: Any) -> Trade:
    """Three seats of "Gauges" bought at ¥1,000."""
    settlement = trade(buyer, seller, published_offering(seller, capture, title="Gauges"), capture)
    return Trade.objects.select_related("offering").get(pk=settlement.trade_id)


def _japanese(admin_client: Client) -> Client:
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    return admin_client


def test_the_book_and_the_catalog_are_in_the_console_linked_to_one_another(admin_client: Client, traded: Trade) -> None:
    client = _japanese(admin_client)
    contract = Contract.objects.get(trade_ref=str(traded.id))
    dataset = Dataset.objects.get(pk=traded.offering.dataset_id)
    pages = {
        "trade": f"/admin/marketplace/trade/{traded.id}/change/",
        "order": f"/admin/marketplace/order/{traded.buy_order_id}/change/",
        "offering": f"/admin/marketplace/offering/{traded.offering_id}/change/",
        "dataset": f"/admin/catalog/dataset/{dataset.id}/change/",
        "contract": f"/admin/contracts/contract/{contract.id}/change/",
    }
    bodies = {}
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        bodies[name] = text(response)
    # Links: the trade to its orders, offering, contract and payments; the contract back to its trade and dataset.
    assert pages["order"] in bodies["trade"] and pages["contract"] in bodies["trade"]
    assert f"/admin/marketplace/order/{traded.sell_order_id}/change/" in bodies["trade"]
    assert f"/admin/settlement/settlement/?trade__id__exact={traded.id}" in bodies["trade"]
    assert pages["trade"] in bodies["contract"] and pages["dataset"] in bodies["contract"]
    assert f"/admin/marketplace/organization/{traded.buyer_id}/change/" in bodies["contract"]
    assert f"/admin/marketplace/trade/?offering__id__exact={traded.offering_id}" in bodies["offering"]
    assert f"/admin/contracts/contract/?dataset__id__exact={dataset.id}" in bodies["dataset"]
    # Money as people read it, in Japanese.
    assert "¥1,000" in bodies["trade"] and "¥3,000" in bodies["trade"] and "¥3,000" in bodies["contract"]
    assert "¥1,000" in bodies["order"]
    assert "金額" in bodies["trade"] and "購入者" in bodies["trade"] and "約定" in bodies["order"]
    # The organisation's page leads to its purchases, sales, orders and datasets.
    organization = text(client.get(f"/admin/marketplace/organization/{traded.buyer_id}/change/"))
    assert f"/admin/settlement/settlement/?buyer__id__exact={traded.buyer_id}" in organization
    assert f"/admin/marketplace/order/?organization__id__exact={traded.buyer_id}" in organization
    # The console's index names its sections in Japanese.
    index = text(client.get("/admin/"))
    assert all(word in index for word in ("約定", "注文", "提供条件", "決済", "データセット", "契約")), index
    # Nothing to save or delete on any of them.
    for name, body in bodies.items():
        assert 'name="_save"' not in body and "/delete/" not in body, name


def test_the_lists_find_rows_by_organisation_and_dataset(admin_client: Client, traded: Trade) -> None:
    client = _japanese(admin_client)
    for path, row in (
        ("/admin/marketplace/trade/", traded.id),
        ("/admin/marketplace/order/", traded.buy_order_id),
        ("/admin/marketplace/offering/", traded.offering_id),
        ("/admin/contracts/contract/", traded.contract_id),
    ):
        for query in ("Osaka Analytics" if "offering" not in path else "Kansai Bridge", "Gauges"):
            assert str(row) in text(client.get(path, {"q": query})), (path, query)
        assert str(row) not in text(client.get(path, {"q": "Nobody Ltd"})), path
    assert "Gauges" in text(client.get("/admin/catalog/dataset/", {"q": "Kansai Bridge"}))
    listing = text(client.get("/admin/marketplace/trade/"))
    assert "¥1,000" in listing and "¥3,000" in listing


@pytest.mark.parametrize("model", [Trade, Order, Offering, Dataset, Contract])
def test_no_row_of_the_book_or_the_catalog_is_added_changed_or_deleted_from_the_console(
    admin_client: Client, traded: Trade, model: Any
) -> None:
    row = model.objects.first()
    meta = model._meta
    base = f"/admin/{meta.app_label}/{meta.model_name}/"
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.get(f"{base}{row.pk}/delete/").status_code == 403
    before = model.objects.count()
    changed = admin_client.post(f"{base}{row.pk}/change/", {"status": "withdrawn"})
    assert changed.status_code == 403 and model.objects.count() == before


def test_invoices_are_in_the_console_searchable_by_number_and_party_and_never_editable(
    admin_client: Client, seller: Any, buyer: Any, capture: Any
) -> None:
    paid = trade(buyer, seller, published_offering(seller, capture, title="Gauges"), capture)
    settlements.settlement_capture(settlement_id=paid.id, reason="first download")
    sale = Invoice.objects.get(settlement=paid, kind="sale")
    client = _japanese(admin_client)
    for query in (sale.number, buyer.organization.name):
        listed = text(client.get("/admin/invoices/invoice/", {"q": query}))
        assert sale.number in listed and "¥3,300" in listed, query
    page = text(client.get(f"/admin/invoices/invoice/{sale.id}/change/"))
    assert "請求書" in page and "¥3,000" in page and "¥300" in page
    assert f"/admin/settlement/settlement/{paid.id}/change/" in page
    assert client.get("/admin/invoices/invoice/add/").status_code == 403
    assert client.post(f"/admin/invoices/invoice/{sale.id}/delete/", {"post": "yes"}).status_code == 403
    assert Invoice.objects.filter(pk=sale.id).exists()


def test_an_organisations_members_and_keys_are_read_in_the_console_never_edited_there(
    admin_client: Client, seller: Any
) -> None:
    """Members and roles change on the organisation's own members page, which keeps its last admin and records every
    change; keys are issued where only their admins see the secret. The console shows both, with no form field."""
    page = text(admin_client.get(f"/admin/marketplace/organization/{seller.organization.id}/change/"))
    assert "memberships-0-role" not in page and "memberships-0-user" not in page
    assert "api_keys-0-name" not in page
    member = seller.organization.memberships.get()
    response = admin_client.post(
        f"/admin/marketplace/organization/{seller.organization.id}/change/",
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": str(member.pk),
            "memberships-0-role": "member",
        },
    )
    assert response.status_code in (200, 302, 403)
    member.refresh_from_db()
    assert member.role == "admin"
