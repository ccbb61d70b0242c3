"""The documents the market issues for each sale it settles (docs/domain.md#invoices, ADR 19).

An ``Invoice`` is an immutable snapshot of everything it prints (``snapshot``): issued once per settlement and
kind (a database constraint), never edited (a trigger refuses UPDATE, and DELETE on PostgreSQL); a correction is a
new document. The columns beside the snapshot repeat what lists and filters need.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class InvoiceCounter(models.Model):
    """The last number issued in a year. Its row is locked (FOR UPDATE) by the transaction that issues the next
    number, so numbers are consecutive and a rolled-back capture leaves no gap (ADR 19)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Invoice(models.Model):
    class Kind(models.TextChoices):
        # From the seller to the buyer, issued by the market as the intermediary (媒介者交付特例).
        SALE = "sale", _("Invoice")
        # From the market to the seller: the platform fee and its tax.
        FEE = "fee", _("Fee invoice")
        # The refund of a sale or of its fee (適格返還請求書).
        SALE_RETURN = "sale_return", _("Return invoice")
        FEE_RETURN = "fee_return", _("Fee return invoice")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(max_length=32, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # A qualified invoice (適格請求書) when its issuer is a registered invoice issuer (and, for a sale, the market
    # as its intermediary too); otherwise a plain receipt that says so.
    qualified = models.BooleanField()
    settlement = models.ForeignKey("settlement.Settlement", on_delete=models.PROTECT, related_name="invoices")
    # A return invoice's original: the sale or fee invoice it gives back.
    original = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="returns", db_index=False
    )
    # The issuing organisation (the seller, for a sale and its return); null: the market itself (a fee invoice).
    issuer = models.ForeignKey(
        "marketplace.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices_issued"
    )
    recipient = models.ForeignKey(
        "marketplace.Organization", on_delete=models.PROTECT, related_name="invoices_received"
    )
    currency = models.CharField(max_length=3)
    tax_treatment = models.CharField(max_length=16)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4)
    amount_excl_tax = models.BigIntegerField()
    tax_amount = models.BigIntegerField()
    amount_incl_tax = models.BigIntegerField()
    issued_at = models.DateTimeField()
    # Everything printed, as issued (invoices.services.invoices builds it): parties, date, lines, totals per rate.
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-sequence"]
        indexes = [models.Index(fields=["settlement", "kind"], name="invoice_settlement_kind_idx")]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "kind"], name="one_invoice_per_settlement_kind"),
            models.UniqueConstraint(fields=["year", "sequence"], name="one_invoice_per_number"),
            models.CheckConstraint(
                condition=Q(amount_incl_tax=F("amount_excl_tax") + F("tax_amount")), name="invoice_total_sums"
            ),
            models.CheckConstraint(
                condition=Q(amount_excl_tax__gte=0) & Q(tax_amount__gte=0), name="invoice_amounts_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["sale_return", "fee_return"], original__isnull=False)
                | Q(kind__in=["sale", "fee"], original__isnull=True),
                name="invoice_return_has_original",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_return(self) -> bool:
        return self.kind in (self.Kind.SALE_RETURN, self.Kind.FEE_RETURN)
