"""Invoices issued by the settlement pipeline (docs/domain.md#invoices): one sale invoice and one fee invoice per
capture, qualified only when the issuer is registered, return invoices once per refund, never edited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from invoices.document import document
from invoices.models import Invoice
from marketplace.services.participants import organization_invoice_number_set
from settlement.models import Settlement
from settlement.services import settlements
from tests.builders import make_party, published_offering, trade

pytestmark = pytest.mark.django_db

WORLD = ["JP", "US", "DE"]
SELLER_NUMBER = "T7000012050002"  # the National Tax Agency's own corporate number, as published


@pytest.fixture
def offering(seller: Any, capture: Any) -> dict[str, Any]:
    return published_offering(seller, capture, seats=10, territory=WORLD)


def _captured(buyer: Any, seller: Any, offering: dict[str, Any], capture: Any) -> Settlement:
    settlement = trade(buyer, seller, offering, capture)
    with capture(execute=True):
        settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    settlement.refresh_from_db()
    assert settlement.status == "captured"
    return settlement


def test_a_capture_issues_the_seller_s_qualified_invoice_and_the_market_s_fee_invoice(
    seller: Any, buyer: Any, offering: dict[str, Any], capture: Any
) -> None:
    organization_invoice_number_set(organization_id=seller.organization.id, number=SELLER_NUMBER)
    settlement = _captured(buyer, seller, offering, capture)
    sale = Invoice.objects.get(settlement=settlement, kind="sale")
    fee = Invoice.objects.get(settlement=settlement, kind="fee")
    assert sale.qualified and fee.qualified
    assert (
        (sale.amount_excl_tax, sale.tax_amount, sale.amount_incl_tax)
        == (3000, 300, 3300)
        == (
            settlement.amount_excl_tax,
            settlement.tax_amount,
            settlement.amount,
        )
    )
    snapshot = sale.snapshot
    assert snapshot["issuer"]["name"] == "Kansai Bridge Monitoring"
    assert snapshot["issuer"]["registration_number"] == SELLER_NUMBER
    assert snapshot["intermediary"]["registration_number"] == "T5010001199999"
    assert snapshot["recipient"]["name"] == "Osaka Analytics"
    assert snapshot["rates"] == [{"rate": "0.1000", "amount_excl_tax": 3000, "tax_amount": 300}]
    assert snapshot["description"]["quantity"] == 3 and snapshot["description"]["unit_price"] == 1000
    assert snapshot["description"]["contract_id"] == str(settlement.contract_id)
    assert (fee.issuer, fee.recipient_id) == (None, seller.organization.id)
    assert (fee.amount_excl_tax, fee.tax_amount) == (settlement.platform_fee, settlement.platform_fee_tax) == (150, 15)
    assert fee.snapshot["issuer"]["registration_number"] == "T5010001199999"
    assert fee.sequence == sale.sequence + 1, "numbered consecutively, the sale's first"


def test_a_seller_without_a_registration_number_issues_a_receipt_that_says_so(
    seller: Any, buyer: Any, offering: dict[str, Any], capture: Any
) -> None:
    settlement = _captured(buyer, seller, offering, capture)
    sale = Invoice.objects.get(settlement=settlement, kind="sale")
    assert not sale.qualified
    assert sale.snapshot["issuer"]["registration_number"] == ""
    assert sale.tax_amount == 300, "the tax is still charged and shown"


def test_an_export_buyer_s_invoice_is_zero_rated_and_says_why(
    seller: Any, offering: dict[str, Any], capture: Any
) -> None:
    organization_invoice_number_set(organization_id=seller.organization.id, number=SELLER_NUMBER)
    abroad = make_party("Boston Analytics", {"buyer"}, country="US")
    settlement = _captured(abroad, seller, offering, capture)
    sale = Invoice.objects.get(settlement=settlement, kind="sale")
    assert (sale.tax_treatment, sale.tax_amount, sale.amount_incl_tax) == ("export", 0, 3000)
    assert "zero-rated" in sale.snapshot["no_tax_reason"]
    printed = document(sale, lang="ja")
    assert printed.treatment_label == "輸出免税" and "免税" in printed.no_tax_statement
    assert [rate.tax_amount for rate in printed.rates] == ["¥0"] and printed.amount_incl_tax == "¥3,000"
    fee = Invoice.objects.get(settlement=settlement, kind="fee")
    assert (fee.tax_treatment, fee.tax_rate, fee.tax_amount) == ("standard", Decimal("0.1"), 15), (
        "the fee's tax remains"
    )


def test_a_refund_issues_a_return_invoice_for_each_once(
    seller: Any, buyer: Any, offering: dict[str, Any], capture: Any
) -> None:
    organization_invoice_number_set(organization_id=seller.organization.id, number=SELLER_NUMBER)
    settlement = _captured(buyer, seller, offering, capture)
    for _ in range(2):
        with capture(execute=True):
            settlements.settlement_refund(settlement_id=settlement.id, reason="not as described")
    returns = Invoice.objects.filter(settlement=settlement, kind__in=["sale_return", "fee_return"])
    assert sorted(returns.values_list("kind", flat=True)) == ["fee_return", "sale_return"]
    sale_return = returns.get(kind="sale_return")
    original = Invoice.objects.get(settlement=settlement, kind="sale")
    assert sale_return.original == original and sale_return.qualified
    assert (sale_return.amount_excl_tax, sale_return.tax_amount) == (3000, 300)
    assert sale_return.snapshot["original"]["number"] == original.number


def test_an_issued_invoice_keeps_the_names_and_numbers_it_was_issued_with(
    seller: Any, buyer: Any, offering: dict[str, Any], capture: Any
) -> None:
    organization_invoice_number_set(organization_id=seller.organization.id, number=SELLER_NUMBER)
    settlement = _captured(buyer, seller, offering, capture)
    seller.organization.refresh_from_db()
    seller.organization.name = "Renamed Bridge Monitoring"
    seller.organization.save(update_fields=["name"])
    organization_invoice_number_set(organization_id=seller.organization.id, number="T1180301018771")
    sale = Invoice.objects.get(settlement=settlement, kind="sale")
    assert sale.snapshot["issuer"] == {
        "id": str(seller.organization.id),
        "name": "Kansai Bridge Monitoring",
        "country": "JP",
        "registration_number": SELLER_NUMBER,
    }
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        Invoice.objects.filter(pk=sale.pk).update(amount_excl_tax=1)


def test_a_settlement_opened_before_tax_gets_no_invoice(
    seller: Any, buyer: Any, offering: dict[str, Any], capture: Any
) -> None:
    settlement = trade(buyer, seller, offering, capture)
    Settlement.objects.filter(pk=settlement.pk).update(tax_treatment="")
    with capture(execute=True):
        settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    assert not Invoice.objects.filter(settlement=settlement).exists()


def test_a_second_invoice_of_a_kind_is_refused_by_the_database(
    seller: Any, buyer: Any, offering: dict[str, Any], capture: Any
) -> None:
    settlement = _captured(buyer, seller, offering, capture)
    sale = Invoice.objects.get(settlement=settlement, kind="sale")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            **{
                field.name: getattr(sale, field.name)
                for field in Invoice._meta.concrete_fields
                if field.name not in ("id", "number", "sequence", "created_at")
            },
            number="9999-999999",
            sequence=999999,
        )
