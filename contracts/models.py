"""Concluded contracts: immutable snapshots of what two parties agreed, with their acceptances.

Templates live in code (``contracts/meti/``), versioned; a contract copies the clauses, terms and
rendered documents it was concluded under, so a new template version never changes it.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from contracts.texts import document_assemble


class ContractText(models.Model):
    """An immutable text shared by contracts, addressed by its SHA-256 (never updated, never deleted while a
    contract names it): the base of a concluded document (its literal text around the trade's own facts, see
    ``contracts.documents.document_compose``) or a snapshot of a template's clauses as JSON.

    Tens of kilobytes per contract and language are identical for every trade on an offering; storing them once
    keeps a trade's rows small, which matters because they are written under the offering's row lock.
    """

    sha256 = models.CharField(primary_key=True, max_length=64)
    text = models.TextField()

    def __str__(self) -> str:
        return self.sha256


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
    # db_index=False where a composite index below leads with the column, or where nothing looks rows up by it
    # (texts are never deleted): every index is written in each trade's transaction (ADR 7).
    seller = models.ForeignKey(
        "marketplace.Organization", on_delete=models.PROTECT, related_name="contracts_sold", db_index=False
    )
    buyer = models.ForeignKey(
        "marketplace.Organization", on_delete=models.PROTECT, related_name="contracts_bought", db_index=False
    )
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
    # The clauses as concluded (a snapshot of the template, JSON): ``clauses``.
    clauses_text = models.ForeignKey(ContractText, on_delete=models.PROTECT, related_name="+", db_index=False)
    price = models.BigIntegerField(help_text=_("Per seat, in minor units of the currency."))
    quantity = models.PositiveIntegerField()
    amount = models.BigIntegerField(help_text=_("price × quantity, in minor units."))
    currency = models.CharField(max_length=3)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    # Each document is its base with the slots filled in (``document_ja`` / ``document_en``), exactly the text the
    # SHA-256 below was taken of; ``document_slots`` = {"ja": [...], "en": [...]} (HTML-escaped, as rendered).
    document_ja_base = models.ForeignKey(ContractText, on_delete=models.PROTECT, related_name="+", db_index=False)
    document_en_base = models.ForeignKey(ContractText, on_delete=models.PROTECT, related_name="+", db_index=False)
    document_slots = models.JSONField(default=dict, blank=True)
    document_sha256 = models.CharField(max_length=64, help_text=_("SHA-256 of the Japanese (governing) document."))
    document_en_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONCLUDED)
    concluded_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Channel(models.TextChoices):
        BOOK = "book", _("the order book")
        PRIVATE = "private", _("a private offer")
        AUCTION = "auction", _("an auction")

    # How it came about: "book" (orders matched on the public order book), "private" (a private offer accepted
    # after negotiation), "auction" (a sealed-bid auction won at its clearing price).
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.BOOK)
    # A negotiated contract's history, oldest first: each revision's number, the party that wrote it ("seller" or
    # "buyer"), its terms_sha256, price, quantity and when; the last is what both accepted. Empty for the book.
    negotiation = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
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

    @property
    def document_ja(self) -> str:
        """The concluded Japanese (governing) document, byte for byte as hashed in ``document_sha256``."""
        return document_assemble(self.document_ja_base.text, self.document_slots.get("ja", ()))

    @property
    def document_en(self) -> str:
        return document_assemble(self.document_en_base.text, self.document_slots.get("en", ()))

    @property
    def clauses(self) -> list[dict[str, Any]]:
        clauses: list[dict[str, Any]] = json.loads(self.clauses_text.text)
        return clauses


class Acceptance(models.Model):
    """A party's acceptance of exactly these terms (by hash), and for anonymised data of the APPI notice."""

    class Role(models.TextChoices):
        SELLER = "seller", _("Seller")
        BUYER = "buyer", _("Buyer")

    # unindexed alone: one_acceptance_per_role (contract, role) leads with it
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="acceptances", db_index=False)
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
