"""An invoice's snapshot as a page or PDF shows it, in Japanese (the governing language) or English.

The words come from here and the template, the facts from the snapshot only: both languages print the same
document, and an issued invoice prints the same whenever it is opened (a later change of a name changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.web.display import money
from invoices.models import Invoice
from invoices.services.invoices import no_tax_note

LANGUAGES = ("ja", "en")

KIND_LABELS: dict[str, Any] = {
    Invoice.Kind.SALE: gettext_lazy("Invoice"),
    Invoice.Kind.FEE: gettext_lazy("Fee invoice"),
    Invoice.Kind.SALE_RETURN: gettext_lazy("Return invoice"),
    Invoice.Kind.FEE_RETURN: gettext_lazy("Fee return invoice"),
}

TREATMENT_LABELS: dict[str, Any] = {
    "standard": gettext_lazy("Standard rate"),
    "export": gettext_lazy("Zero-rated export (輸出免税)"),
    "reverse_charge": gettext_lazy("Reverse charge (リバースチャージ)"),
    "out_of_scope": gettext_lazy("Outside the scope of consumption tax (不課税)"),
}


@dataclass(frozen=True)
class RateLine:
    rate_percent: str
    amount_excl_tax: str
    tax_amount: str


@dataclass(frozen=True)
class Document:
    """What the template prints, in the active language."""

    invoice: Invoice
    lang: str
    title: str
    subtitle: str
    number: str
    issue_date: str
    issuer: dict[str, str]
    recipient: dict[str, str]
    intermediary: dict[str, str] | None
    lines: list[dict[str, str]]
    rates: list[RateLine]
    amount_excl_tax: str
    tax_amount: str
    amount_incl_tax: str
    treatment_label: str
    no_tax_statement: str
    qualified_note: str
    original: dict[str, str] | None


def _percent(rate: str) -> str:
    value = Decimal(rate) * 100
    return f"{value.normalize():f}%"


def _date(text: str) -> str:
    day = date.fromisoformat(text)
    if translation.get_language() == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def _title(invoice: Invoice, snapshot: dict[str, Any]) -> str:
    returned = invoice.kind in (Invoice.Kind.SALE_RETURN, Invoice.Kind.FEE_RETURN)
    if snapshot["qualified"]:
        return _("Qualified return invoice (適格返還請求書)") if returned else _("Qualified invoice (適格請求書)")
    return _("Refund statement") if returned else _("Receipt")


def _lines(invoice: Invoice, snapshot: dict[str, Any]) -> list[dict[str, str]]:
    described = snapshot.get("description") or {}
    currency = snapshot["currency"]
    rate = _percent(snapshot["tax_rate"])
    if invoice.kind in (Invoice.Kind.FEE, Invoice.Kind.FEE_RETURN):
        text = _("Market fee (%(rate)s of %(amount)s) on the sale of “%(title)s”") % {
            "rate": _percent(described.get("fee_rate", "0")),
            "amount": money(int(described.get("sale_amount_excl_tax", 0)), currency),
            "title": described.get("dataset_title", ""),
        }
        detail = _("Contract %(contract)s") % {"contract": described.get("contract_id", "")}
        return [
            {
                "text": text,
                "detail": detail,
                "quantity": "1",
                "unit": "",
                "amount": money(snapshot["amount_excl_tax"], currency),
                "rate": rate,
            }
        ]
    text = _("Licence to the data “%(title)s” (version %(version)s)") % {
        "title": described.get("dataset_title", ""),
        "version": described.get("dataset_version", ""),
    }
    details = [_("Contract %(contract)s") % {"contract": described.get("contract_id", "")}]
    details.append(_("Offering %(offering)s") % {"offering": described.get("offering_id", "")})
    period = described.get("period")
    if period:
        details.append(
            _("Subscription period %(number)s: %(start)s – %(end)s")
            % {
                "number": period["number"],
                "start": _date(datetime.fromisoformat(period["starts_at"]).date().isoformat()),
                "end": _date(datetime.fromisoformat(period["ends_at"]).date().isoformat()),
            }
        )
    return [
        {
            "text": text,
            "detail": " · ".join(str(part) for part in details),
            "quantity": str(described.get("quantity", "")),
            "unit": money(int(described.get("unit_price", 0)), currency),
            "amount": money(snapshot["amount_excl_tax"], currency),
            "rate": rate,
        }
    ]


def document(invoice: Invoice, *, lang: str) -> Document:
    """The invoice as printed in ``lang`` (one of LANGUAGES)."""
    snapshot = invoice.snapshot
    currency = snapshot["currency"]
    with translation.override(lang):
        returned = invoice.kind in (Invoice.Kind.SALE_RETURN, Invoice.Kind.FEE_RETURN)
        treatment = snapshot["tax_treatment"]
        if snapshot["qualified"]:
            note = ""
        elif not snapshot["issuer"].get("registration_number"):
            note = _(
                "The issuer is not a registered qualified invoice issuer (適格請求書発行事業者): this is not a "
                "qualified invoice, and the recipient cannot claim input tax credit on it."
            )
        else:
            note = _(
                "Not a qualified invoice (適格請求書): the market, which issues it on the seller's behalf, is not a "
                "registered issuer, or the sale is outside the scope of consumption tax."
            )
        original = snapshot.get("original")
        intermediary = snapshot.get("intermediary")
        return Document(
            invoice=invoice,
            lang=lang,
            title=_title(invoice, snapshot),
            subtitle=str(KIND_LABELS.get(invoice.kind, invoice.kind)),
            number=snapshot["number"],
            issue_date=_date(snapshot["issue_date"]),
            issuer=snapshot["issuer"],
            recipient=snapshot["recipient"],
            intermediary=intermediary if invoice.kind in (Invoice.Kind.SALE, Invoice.Kind.SALE_RETURN) else None,
            lines=_lines(invoice, snapshot),
            rates=[
                RateLine(
                    rate_percent=_percent(line["rate"]),
                    amount_excl_tax=money(line["amount_excl_tax"], currency),
                    tax_amount=money(line["tax_amount"], currency),
                )
                for line in snapshot["rates"]
            ],
            amount_excl_tax=money(snapshot["amount_excl_tax"], currency),
            tax_amount=money(snapshot["tax_amount"], currency),
            amount_incl_tax=money(snapshot["amount_incl_tax"], currency),
            treatment_label=str(TREATMENT_LABELS.get(treatment, treatment)),
            no_tax_statement=str(no_tax_note(kind=invoice.kind, treatment=treatment) or ""),
            qualified_note=note,
            original=None
            if not (returned and original)
            else {"number": original["number"], "issue_date": _date(original["issue_date"]), "id": original["id"]},
        )
