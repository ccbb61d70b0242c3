"""Issuing the market's invoices: one use case per settlement move (docs/domain.md#invoices, ADR 19).

When a settlement is captured the sale is final, and in the capture's own transaction the market issues

- the sale's invoice, from the seller to the buyer, issued by the market as the intermediary on the seller's behalf
  (媒介者交付特例, 消費税法施行令第70条の12): a qualified invoice (適格請求書) when the seller and the market are both
  registered invoice issuers, otherwise a receipt that says the seller is not one;
- the market's own invoice to the seller for the platform fee and its consumption tax.

When a captured settlement is refunded, each of them gets its return invoice (適格返還請求書) once. A settlement
opened before the market charged consumption tax (``tax_treatment`` "") gets none.

Each document is numbered from its year's counter, locked FOR UPDATE until the capture commits, so numbers are
consecutive (a rolled-back capture gives its number back) and unique (also a constraint), and stored as the
snapshot of everything printed: a later change of a name or registration number changes no issued invoice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from config.market import market_settings
from invoices.models import Invoice, InvoiceCounter
from marketplace.models import Organization
from marketplace.tax import EXEMPTION_NOTES, EXPORT, OUT_OF_SCOPE, STANDARD
from settlement import hooks as settlement_hooks
from settlement.models import Settlement, SubscriptionPeriod

SNAPSHOT_VERSION = 1

# Why the market's fee to a seller abroad carries no tax (the sale's own reasons: marketplace.tax.EXEMPTION_NOTES).
FEE_EXPORT_NOTE = gettext_lazy(
    "No consumption tax: the market's service to a seller outside Japan is an export of services and zero-rated."
)


def no_tax_note(*, kind: str, treatment: str) -> Promise | None:
    """Why an invoice of ``kind`` taxed as ``treatment`` shows no consumption tax; None when it is charged. Lazy: the
    snapshot stores it in English (ADR 9), the document shows it in its own language."""
    if treatment == STANDARD:
        return None
    if kind in (Invoice.Kind.FEE, Invoice.Kind.FEE_RETURN):
        return FEE_EXPORT_NOTE
    return EXEMPTION_NOTES.get(treatment)


_RETURN_OF = {Invoice.Kind.SALE: Invoice.Kind.SALE_RETURN, Invoice.Kind.FEE: Invoice.Kind.FEE_RETURN}


def _english(text: Promise | None) -> str:
    if text is None:
        return ""
    with translation.override("en"):
        return str(text)


def invoice_number(*, year: int, sequence: int) -> str:
    """The printed number: the year and the sequence within it (``2026-000042``)."""
    return f"{year}-{sequence:06d}"


def _next_sequence(year: int) -> int:
    """The next number of ``year``, under its counter row's lock (held until the issuing transaction ends)."""
    InvoiceCounter.objects.bulk_create([InvoiceCounter(year=year)], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _party(organization: Organization) -> dict[str, str]:
    return {
        "id": str(organization.id),
        "name": organization.name,
        "country": organization.country,
        "registration_number": organization.invoice_registration_number,
    }


def _market() -> dict[str, str]:
    market = market_settings()
    return {
        "id": "",
        "name": market.operator_name,
        "country": "JP",
        "registration_number": market.invoice_registration_number or "",
    }


def _rate_text(rate: Decimal) -> str:
    return str(rate.quantize(Decimal("0.0001")))


def _issue(
    *,
    settlement: Settlement,
    kind: str,
    at: datetime,
    issuer: Organization | None,
    recipient: Organization,
    qualified: bool,
    treatment: str,
    rate: Decimal,
    amount_excl_tax: int,
    tax: int,
    body: dict[str, Any],
    original: Invoice | None = None,
) -> Invoice:
    """Number and store one document. A return prints its original's parties as the original printed them."""
    issue_date = timezone.localdate(at)  # in the market's time zone (Asia/Tokyo): the date the invoice states
    sequence = _next_sequence(issue_date.year)
    number = invoice_number(year=issue_date.year, sequence=sequence)
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "number": number,
        "kind": kind,
        "qualified": qualified,
        "issue_date": issue_date.isoformat(),
        "issued_at": at.isoformat(),
        "issuer": original.snapshot["issuer"]
        if original is not None
        else (_party(issuer) if issuer is not None else _market()),
        "recipient": original.snapshot["recipient"] if original is not None else _party(recipient),
        "currency": settlement.currency,
        "tax_treatment": treatment,
        "no_tax_reason": _english(no_tax_note(kind=kind, treatment=treatment)),
        # One rate per invoice (the market sells at one rate), listed per rate as the invoice system asks.
        "rates": [{"rate": _rate_text(rate), "amount_excl_tax": amount_excl_tax, "tax_amount": tax}],
        "amount_excl_tax": amount_excl_tax,
        "tax_rate": _rate_text(rate),
        "tax_amount": tax,
        "amount_incl_tax": amount_excl_tax + tax,
        "settlement_id": str(settlement.id),
        "original": None
        if original is None
        else {"id": str(original.id), "number": original.number, "issue_date": original.snapshot["issue_date"]},
        **body,
    }
    return Invoice.objects.create(
        number=number,
        year=issue_date.year,
        sequence=sequence,
        kind=kind,
        qualified=qualified,
        settlement=settlement,
        original=original,
        issuer=issuer,
        recipient=recipient,
        currency=settlement.currency,
        tax_treatment=treatment,
        tax_rate=rate,
        amount_excl_tax=amount_excl_tax,
        tax_amount=tax,
        amount_incl_tax=amount_excl_tax + tax,
        issued_at=at,
        snapshot=snapshot,
    )


def _sale_body(settlement: Settlement) -> dict[str, Any]:
    """What was sold: the licence's dataset, offering, seats, unit price, the contract and, for a subscription's
    period, its number and dates."""
    contract = settlement.contract
    dataset = contract.dataset
    period = SubscriptionPeriod.objects.filter(settlement=settlement).values("number", "starts_at", "ends_at").first()
    unit_price = settlement.amount_excl_tax // contract.quantity if contract.quantity else settlement.amount_excl_tax
    return {
        "intermediary": _market(),
        "description": {
            "dataset_id": str(dataset.id),
            "dataset_title": dataset.title,
            "dataset_version": contract.dataset_version.number,
            "offering_id": str(contract.offering_id),
            "contract_id": str(contract.id),
            "trade_id": str(settlement.trade_id),
            "quantity": contract.quantity,
            "unit_price": unit_price,
            "period": None
            if period is None
            else {
                "number": period["number"],
                "starts_at": period["starts_at"].isoformat(),
                "ends_at": period["ends_at"].isoformat(),
            },
        },
    }


def _fee_treatment(settlement: Settlement) -> tuple[str, Decimal]:
    """The fee is a service of the market (in Japan) to the seller: taxed for a seller in Japan (whose sales are
    standard or export), zero-rated as an export for one abroad (marketplace.tax.fee_tax)."""
    if settlement.tax_treatment == STANDARD:
        return STANDARD, settlement.tax_rate
    if settlement.tax_treatment == EXPORT:
        # The sale itself carried no rate: the fee's is the rate in force, as when the fee's tax was computed.
        return STANDARD, market_settings().consumption_tax_rate
    return EXPORT, Decimal(0)


def _fee_body(settlement: Settlement) -> dict[str, Any]:
    contract = settlement.contract
    return {
        "intermediary": None,
        "description": {
            "fee_rate": _rate_text(settlement.fee_rate),
            "sale_amount_excl_tax": settlement.amount_excl_tax,
            "dataset_id": str(contract.dataset_id),
            "dataset_title": contract.dataset.title,
            "contract_id": str(contract.id),
            "trade_id": str(settlement.trade_id),
        },
    }


def _settlement(settlement_id: uuid.UUID) -> Settlement:
    return Settlement.objects.select_related("contract__dataset", "contract__dataset_version", "buyer", "seller").get(
        pk=settlement_id
    )


@transaction.atomic
def invoices_issue_for_capture(*, settlement_id: uuid.UUID, at: datetime) -> list[Invoice]:
    """The sale's invoice and the fee's, for a settlement just captured at ``at`` (under its row lock). Issued
    once: a kind already issued is not issued again (and the constraint refuses a second)."""
    settlement = _settlement(settlement_id)
    if not settlement.tax_treatment:  # opened before the market charged consumption tax: no invoice
        return []
    issued = set(Invoice.objects.filter(settlement=settlement).values_list("kind", flat=True))
    market_registered = bool(market_settings().invoice_registration_number)
    invoices = []
    if Invoice.Kind.SALE not in issued:
        invoices.append(
            _issue(
                settlement=settlement,
                kind=Invoice.Kind.SALE,
                at=at,
                issuer=settlement.seller,
                recipient=settlement.buyer,
                # 媒介者交付特例: both the seller and the market issuing on its behalf must be registered.
                qualified=bool(settlement.seller.invoice_registration_number)
                and market_registered
                and settlement.tax_treatment != OUT_OF_SCOPE,
                treatment=settlement.tax_treatment,
                rate=settlement.tax_rate,
                amount_excl_tax=settlement.amount_excl_tax,
                tax=settlement.tax_amount,
                body=_sale_body(settlement),
            )
        )
    if Invoice.Kind.FEE not in issued and (settlement.platform_fee or settlement.platform_fee_tax):
        treatment, rate = _fee_treatment(settlement)
        invoices.append(
            _issue(
                settlement=settlement,
                kind=Invoice.Kind.FEE,
                at=at,
                issuer=None,
                recipient=settlement.seller,
                qualified=market_registered,
                treatment=treatment,
                rate=rate,
                amount_excl_tax=settlement.platform_fee,
                tax=settlement.platform_fee_tax,
                body=_fee_body(settlement),
            )
        )
    return invoices


@transaction.atomic
def invoices_issue_for_refund(*, settlement_id: uuid.UUID, at: datetime) -> list[Invoice]:
    """A return invoice for each invoice of a settlement just refunded at ``at``, once each: the same parties,
    amounts and rate as the original (a refund gives the whole payment back), dated at the refund."""
    settlement = _settlement(settlement_id)
    originals = {invoice.kind: invoice for invoice in Invoice.objects.filter(settlement=settlement)}
    invoices = []
    for kind, return_kind in _RETURN_OF.items():
        original = originals.get(kind)
        if original is None or return_kind in originals:
            continue
        body = {key: original.snapshot.get(key) for key in ("intermediary", "description")}
        # The parties as the original printed them, so the return matches it: a registration number changed or
        # cleared since decides nothing here (what was issued qualified is given back qualified).
        invoice = _issue(
            settlement=settlement,
            kind=return_kind,
            at=at,
            issuer=original.issuer,
            recipient=original.recipient,
            qualified=original.qualified,
            treatment=original.tax_treatment,
            rate=original.tax_rate,
            amount_excl_tax=original.amount_excl_tax,
            tax=original.tax_amount,
            body=body,
            original=original,
        )
        invoices.append(invoice)
    return invoices


def _on_captured(event: settlement_hooks.SettlementMoved) -> None:
    invoices_issue_for_capture(settlement_id=event.settlement_id, at=event.at)


def _on_refunded(event: settlement_hooks.SettlementMoved) -> None:
    invoices_issue_for_refund(settlement_id=event.settlement_id, at=event.at)


def invoices_subscribe() -> None:
    settlement_hooks.subscribe_settlement_captured(_on_captured)
    settlement_hooks.subscribe_settlement_refunded(_on_refunded)
