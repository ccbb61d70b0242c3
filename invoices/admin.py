"""The operator's console for invoices: every document the market issued, read-only (an invoice is never edited; a
correction is a new document), searchable by number, party and settlement, linked to its settlement and its parties,
its snapshot (what it prints) shown as issued."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from config.console import ReadOnlyAdmin, row_link
from contracts.web.display import money
from invoices.models import Invoice


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "qualified", "issuer_link", "recipient_link", "total", "issued_at"]
    list_filter = ["kind", "qualified", "tax_treatment", "year", "currency"]
    search_fields = ["number", "issuer__name", "recipient__name", "=settlement__id", "=id"]
    list_select_related = ["issuer", "recipient"]
    date_hierarchy = "issued_at"
    fields = (
        "number",
        "kind",
        "qualified",
        "issued_at",
        "issuer_link",
        "recipient_link",
        "settlement_link",
        "original_link",
        "tax_treatment",
        "tax_rate",
        "excl_tax",
        "tax",
        "total",
        "snapshot",
    )
    readonly_fields = fields

    @admin.display(description=_("issuer"), ordering="issuer__name")
    def issuer_link(self, invoice: Invoice) -> str:
        # No issuer row: the market itself issued it (a fee invoice, or its return).
        return row_link(invoice.issuer) or str(_("the market"))

    @admin.display(description=_("recipient"), ordering="recipient__name")
    def recipient_link(self, invoice: Invoice) -> str:
        return row_link(invoice.recipient)

    @admin.display(description=_("settlement"))
    def settlement_link(self, invoice: Invoice) -> str:
        return row_link(invoice.settlement)

    @admin.display(description=_("original invoice"))
    def original_link(self, invoice: Invoice) -> str:
        return row_link(invoice.original)

    @admin.display(description=_("amount excl. tax"))
    def excl_tax(self, invoice: Invoice) -> str:
        return money(invoice.amount_excl_tax, invoice.currency)

    @admin.display(description=_("consumption tax"))
    def tax(self, invoice: Invoice) -> str:
        return money(invoice.tax_amount, invoice.currency)

    @admin.display(description=_("total incl. tax"), ordering="amount_incl_tax")
    def total(self, invoice: Invoice) -> str:
        return money(invoice.amount_incl_tax, invoice.currency)
