"""GET /api/v1/invoices, /{id}, /{id}/pdf: parties only, filters, the snapshot and the PDF's text."""

from __future__ import annotations

import io
from typing import Any

import pytest

from invoices.models import Invoice
from marketplace.services.participants import organization_invoice_number_set
from settlement.models import Settlement
from settlement.services import settlements
from tests.builders import make_party, published_offering, signed_in, text, trade
from tests.fixtures import unavailable

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured(seller: Any, buyer: Any, capture: Any) -> Settlement:
    organization_invoice_number_set(organization_id=seller.organization.id, number="T7000012050002")
    offering = published_offering(seller, capture, seats=10, title="Yodogawa bridge strain")
    settlement = trade(buyer, seller, offering, capture)
    with capture(execute=True):
        settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    return settlement


def test_the_buyer_lists_what_it_received_and_the_seller_what_it_issued_and_its_fee_invoices(
    captured: Settlement, seller: Any, buyer: Any
) -> None:
    bought = buyer.client.get("/api/v1/invoices").json()["results"]
    assert [invoice["kind"] for invoice in bought] == ["sale"]
    sold = seller.client.get("/api/v1/invoices").json()["results"]
    assert sorted(invoice["kind"] for invoice in sold) == ["fee", "sale"]
    fees = seller.client.get("/api/v1/invoices", {"kind": "fee", "settlement": str(captured.id)}).json()["results"]
    assert [invoice["kind"] for invoice in fees] == ["fee"]
    assert seller.client.get("/api/v1/invoices", {"kind": "bill"}).status_code == 400
    assert seller.client.get("/api/v1/invoices", {"settlement": "nope"}).status_code == 400


def test_an_invoice_reads_as_its_snapshot_with_the_tax_split(captured: Settlement, buyer: Any) -> None:
    [listed] = buyer.client.get("/api/v1/invoices").json()["results"]
    body = buyer.client.get(f"/api/v1/invoices/{listed['id']}").json()
    assert (body["amount_excl_tax"], body["tax_rate"], body["tax_amount"], body["amount_incl_tax"]) == (
        3000,
        "0.1000",
        300,
        3300,
    )
    assert body["qualified"] is True
    assert body["snapshot"]["issuer"]["registration_number"] == "T7000012050002"
    assert body["snapshot"]["description"]["dataset_title"] == "Yodogawa bridge strain"


def test_a_stranger_gets_404_for_the_invoice_and_its_pdf(captured: Settlement) -> None:
    stranger = make_party("Nagoya Outsiders", {"buyer", "seller"})
    invoice = Invoice.objects.get(settlement=captured, kind="sale")
    assert stranger.client.get("/api/v1/invoices").json()["results"] == []
    assert stranger.client.get(f"/api/v1/invoices/{invoice.id}").status_code == 404
    assert stranger.client.get(f"/api/v1/invoices/{invoice.id}/pdf").status_code == 404
    assert stranger.client.get("/api/v1/invoices/not-an-id").status_code == 404
    fee = Invoice.objects.get(settlement=captured, kind="fee")
    client = signed_in(stranger)
    assert client.get(f"/invoices/{invoice.id}/").status_code == 404
    assert client.get(f"/invoices/{fee.id}/pdf/").status_code == 404


def test_the_buyer_does_not_see_the_seller_s_fee_invoice(captured: Settlement, buyer: Any) -> None:
    fee = Invoice.objects.get(settlement=captured, kind="fee")
    assert buyer.client.get(f"/api/v1/invoices/{fee.id}").status_code == 404


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def _weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except OSError as error:  # Pango missing: apt-get install libpango-1.0-0 libpangoft2-1.0-0 (.ci/run)
        unavailable(f"WeasyPrint needs Pango: {error}")


def test_the_pdf_prints_the_qualified_invoice_with_its_number_and_tax(captured: Settlement, buyer: Any) -> None:
    _weasyprint()
    invoice = Invoice.objects.get(settlement=captured, kind="sale")
    response = buyer.client.get(f"/api/v1/invoices/{invoice.id}/pdf")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    printed = _pdf_text(content).replace(" ", "")
    assert "適格請求書" in printed
    assert "T7000012050002" in printed
    assert "¥300" in printed and "¥3,300" in printed
    assert "消費税" in printed
    english = _pdf_text(buyer.client.get(f"/api/v1/invoices/{invoice.id}/pdf", {"lang": "en"}).content)
    assert "Qualified invoice" in english and "T7000012050002" in english
    assert buyer.client.get(f"/api/v1/invoices/{invoice.id}/pdf", {"lang": "fr"}).status_code == 400
    json_only = buyer.client.get(f"/api/v1/invoices/{invoice.id}/pdf", headers={"Accept": "application/json"})
    assert json_only.status_code == 406 and json_only["Content-Type"] == "application/problem+json"


def test_the_invoice_page_prints_in_japanese_and_in_english_from_one_snapshot(captured: Settlement, buyer: Any) -> None:
    invoice = Invoice.objects.get(settlement=captured, kind="sale")
    client = signed_in(buyer, lang="ja")
    japanese = text(client.get(f"/invoices/{invoice.id}/"))
    assert "適格請求書" in japanese and "T7000012050002" in japanese and "消費税" in japanese and "¥3,300" in japanese
    english = text(client.get(f"/invoices/{invoice.id}/", {"lang": "en"}))
    assert "Qualified invoice" in english and "Consumption tax" in english and "¥3,300" in english
    purchases = text(client.get("/purchases/"))
    assert f"/invoices/{invoice.id}/" in purchases
    listing = text(client.get("/invoices/"))
    assert invoice.number in listing


def test_the_seller_s_sales_page_links_the_invoice_issued_for_it_and_its_fee_invoice(
    captured: Settlement, seller: Any
) -> None:
    sales = text(signed_in(seller, lang="ja").get("/sales/"))
    for kind in ("sale", "fee"):
        invoice = Invoice.objects.get(settlement=captured, kind=kind)
        assert f'href="/invoices/{invoice.id}/"' in sales, kind
    assert "手数料の請求書" in sales
