"""Concluded contracts: immutable snapshots of what two parties agreed, with their acceptances.

Templates live in code (``contracts/meti/``), versioned; a contract copies the clauses, terms and
rendered documents it was concluded under, so a new template version never changes it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Contract(models.Model):
    class Status(models.TextChoices):
        CONCLUDED = "concluded", _("Concluded")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")
        VOID = "void", _("Void")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    template_code = models.CharField(max_length=64)
    template_version = models.PositiveIntegerField()
    contract_type = models.CharField(max_length=32)
    # Lazy references (like AUTH_USER_MODEL): contracts never imports marketplace.
    seller = models.ForeignKey("marketplace.Organization", on_delete=models.PROTECT, related_name="contracts_sold")
    buyer = models.ForeignKey("marketplace.Organization", on_delete=models.PROTECT, related_name="contracts_bought")
    seller_name = models.CharField(max_length=200)
    buyer_name = models.CharField(max_length=200)
    buyer_country = models.CharField(max_length=2)
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="contracts")
    dataset_version = models.ForeignKey("catalog.DatasetVersion", on_delete=models.PROTECT, related_name="contracts")
    offering_id = models.UUIDField(db_index=True)
    trade_ref = models.CharField(max_length=64, blank=True, help_text=_("The trade that concluded it."))
    data_class = models.CharField(max_length=16)
    terms = models.JSONField()
    terms_sha256 = models.CharField(max_length=64)
    clauses = models.JSONField(help_text=_("The clauses as concluded (snapshot of the template)."))
    price = models.BigIntegerField(help_text=_("Per seat, in minor units of the currency."))
    quantity = models.PositiveIntegerField()
    amount = models.BigIntegerField(help_text=_("price × quantity, in minor units."))
    currency = models.CharField(max_length=3)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    document_ja = models.TextField()
    document_en = models.TextField()
    document_sha256 = models.CharField(max_length=64, help_text=_("SHA-256 of the Japanese (governing) document."))
    document_en_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONCLUDED)
    concluded_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-concluded_at", "-id"]
        indexes = [
            models.Index(fields=["seller", "-created_at"], name="contract_seller_created_idx"),
            models.Index(fields=["buyer", "-created_at"], name="contract_buyer_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="contract_price_positive"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="contract_quantity_positive"),
            models.CheckConstraint(condition=Q(amount=F("price") * F("quantity")), name="contract_amount_is_total"),
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="contract_window_ordered"),
            models.CheckConstraint(condition=~Q(seller=F("buyer")), name="contract_parties_differ"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.seller_name} → {self.buyer_name}"


class Acceptance(models.Model):
    """A party's acceptance of exactly these terms (by hash), and for anonymised data of the APPI notice."""

    class Role(models.TextChoices):
        SELLER = "seller", _("Seller")
        BUYER = "buyer", _("Buyer")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="acceptances")
    role = models.CharField(max_length=8, choices=Role.choices)
    organization_id = models.UUIDField()
    user_id = models.BigIntegerField(null=True, blank=True)
    api_key_id = models.UUIDField(null=True, blank=True)
    terms_sha256 = models.CharField(max_length=64)
    appi_notice_accepted = models.BooleanField(default=False)
    accepted_at = models.DateTimeField()

    class Meta:
        ordering = ["accepted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["contract", "role"], name="one_acceptance_per_role")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.role}"


class ContractEvent(models.Model):
    """Append-only: every state change of a contract (who, when, from, to, why)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.CharField(max_length=200, blank=True)
    actor = models.CharField(max_length=100, blank=True, help_text=_("organisation id, 'system' or 'operator'"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.from_status}→{self.to_status}"
