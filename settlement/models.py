"""Settlement: payments, the ledger, payouts, entitlements and their delivery, partner webhooks.

Every status below changes only through ``settlement/services`` and the tables in ``settlement/states.py``;
every change writes an append-only event. Money is integer minor units + ISO 4217 currency (JPY has no
minor unit).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from contracts.web.display import money


class PaymentMethod(models.Model):
    """A buyer's saved payment method: a provider token (Stripe ``pm_...``), never card data."""

    organization = models.ForeignKey(
        "marketplace.Organization", on_delete=models.CASCADE, related_name="payment_methods"
    )
    provider = models.CharField(max_length=16, default="offline")
    token = models.CharField(max_length=255)
    is_default = models.BooleanField(default=True)
    # The organisation's customer at the provider (Stripe ``cus_...``), created at its first authorisation and
    # copied onto its later payment methods: one provider customer per organisation.
    provider_customer = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment method")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(is_default=True),
                name="one_default_payment_method_per_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.token}"


# --- settlements ----------------------------------------------------------------------------------------


class Settlement(models.Model):
    """The money side of one trade, or of one period of a subscription: authorise, capture (or void / fail),
    refund. A licence's trade has one (``period`` 1); a subscription's trade has one per period billed: the
    first opened with the trade, each later one by the close pass (``subscription_periods_close``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        AUTHORIZED = "authorized", _("Payment authorised")
        CAPTURED = "captured", _("Paid")
        FAILED = "failed", _("Payment failed")
        VOIDED = "voided", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # unindexed alone: one_settlement_per_trade_period / one_settlement_per_contract_period lead with them
    trade = models.ForeignKey("marketplace.Trade", on_delete=models.PROTECT, related_name="settlements", db_index=False)
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="settlements", db_index=False
    )
    # 1: the trade's own payment; a subscription's later periods are 2, 3 ... (``SubscriptionPeriod.number``).
    period = models.PositiveSmallIntegerField(default=1)
    # unindexed alone: settlement_buyer_idx / settlement_seller_idx lead with them
    buyer = models.ForeignKey(
        "marketplace.Organization", on_delete=models.PROTECT, related_name="purchases", db_index=False
    )
    seller = models.ForeignKey(
        "marketplace.Organization", on_delete=models.PROTECT, related_name="sales", db_index=False
    )
    amount = models.BigIntegerField(help_text=_("What the buyer pays, consumption tax included, in minor units."))
    currency = models.CharField(max_length=3)
    # Consumption tax (marketplace/tax.py): ``amount`` is ``amount_excl_tax`` + ``tax_amount``. ``tax_treatment``
    # says how the sale is taxed (standard, export, reverse_charge, out_of_scope; blank: opened before the market
    # charged tax), ``tax_rate`` the rate applied (zero unless standard).
    amount_excl_tax = models.BigIntegerField(help_text=_("The price × quantity, without consumption tax."))
    tax_treatment = models.CharField(max_length=16, blank=True)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4, default=Decimal(0))
    tax_amount = models.BigIntegerField(default=0)
    fee_rate = models.DecimalField(max_digits=6, decimal_places=4, help_text=_("The published rate at the trade."))
    # The fee is the rate of the tax-exclusive amount; the seller also bears the consumption tax on the fee.
    platform_fee = models.BigIntegerField()
    platform_fee_tax = models.BigIntegerField(default=0)
    # amount - platform_fee - platform_fee_tax: price + tax - fee - the fee's tax.
    seller_proceeds = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    provider = models.CharField(max_length=16)
    payment_method = models.CharField(max_length=255, blank=True)
    payment_ref = models.CharField(max_length=255, blank=True, help_text=_("The provider's payment id."))
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text=_("Provider calls that failed transiently."))
    # A subscription period's charge declined this many times: each retry is a new authorisation under a key of
    # its own (``-authorize-<declines + 1>``), while a transient failure retries the same one under the same key.
    declines = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    capture_due_at = models.DateTimeField(null=True, blank=True)
    authorized_at = models.DateTimeField(null=True, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A refund the provider accepted but has not completed yet: reconciliation follows it up.
    refund_requested_at = models.DateTimeField(null=True, blank=True)
    # Why the market operator refunded the payment, as the operator wrote it for the buyer (settlement_refund);
    # empty for a refund made at the provider (its dashboard), which gives no reason.
    refund_reason = models.CharField(max_length=500, blank=True)
    # The buyer gave the trade up before its data was delivered (a Dataspace Protocol negotiation terminated before
    # it was finalized): the authorisation is voided, never captured, and the seat goes back on the book
    # (settlements.settlement_release). Set once; a pending settlement so marked is voided once authorised.
    release_requested_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=500, blank=True)
    # Set when the provider reported something about this payment that does not match it (another amount,
    # currency or provider, or a partial capture): nothing was changed by it, and the operator reviews it.
    review_reason = models.CharField(
        max_length=500, blank=True, help_text=_("Why the market operator must review this payment; empty: nothing.")
    )
    review_flagged_at = models.DateTimeField(null=True, blank=True)
    # The id of the request that placed the trade's order (config/request_id.py): every later step, whoever takes it
    # up (a worker, the sweeper, a provider's event), logs it, so one trade is followed by one id.
    request_id = models.CharField(max_length=128, blank=True, default="")
    payout = models.ForeignKey(
        "settlement.Payout", null=True, blank=True, on_delete=models.PROTECT, related_name="settlements"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-created_at"], name="settlement_buyer_idx"),
            models.Index(fields=["seller", "-created_at"], name="settlement_seller_idx"),
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(status__in=["pending", "authorized"]),
                name="settlement_open_idx",
            ),
            # Incoming provider webhooks find their settlement by the provider's payment id.
            models.Index(fields=["payment_ref"], condition=~Q(payment_ref=""), name="settlement_payment_ref_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_amount_positive"),
            models.CheckConstraint(
                condition=Q(platform_fee__gte=0)
                & Q(platform_fee_tax__gte=0)
                & Q(seller_proceeds__gte=0)
                & Q(tax_amount__gte=0)
                & Q(amount_excl_tax__gt=0),
                name="settlement_parts_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount=F("platform_fee") + F("platform_fee_tax") + F("seller_proceeds")),
                name="settlement_parts_sum_to_amount",
            ),
            models.CheckConstraint(
                condition=Q(amount=F("amount_excl_tax") + F("tax_amount")), name="settlement_tax_sums_to_amount"
            ),
            models.CheckConstraint(condition=Q(period__gte=1), name="settlement_period_positive"),
            models.UniqueConstraint(fields=["trade", "period"], name="one_settlement_per_trade_period"),
            models.UniqueConstraint(fields=["contract", "period"], name="one_settlement_per_contract_period"),
        ]

    def __str__(self) -> str:
        # As the operator's console names it (titles, breadcrumbs, the row's checkbox): ¥3,300 · Paid.
        return f"{money(self.amount, self.currency)} · {self.get_status_display()}"


class StatusEvent(models.Model):
    """Append-only record of one status change (or an attempt that changed none): who, when, from, to, why."""

    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.CharField(max_length=500, blank=True)
    actor = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class SettlementEvent(StatusEvent):
    """Every change of a settlement, and every provider call's outcome."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass


# --- ledger -----------------------------------------------------------------------------------------------


class LedgerTransaction(models.Model):
    """One balanced movement of money: its entries sum to zero per currency. Never updated or deleted."""

    class Kind(models.TextChoices):
        CAPTURE = "capture", _("Buyer payment")
        REFUND = "refund", _("Refund")
        PAYOUT = "payout", _("Payout")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What caused it, unique: a replayed capture or payout cannot post twice.
    reference = models.CharField(max_length=120, unique=True)
    settlement = models.ForeignKey(
        Settlement, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_transactions"
    )
    payout = models.ForeignKey(
        "settlement.Payout", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_transactions"
    )
    memo = models.CharField(max_length=200, blank=True)
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["posted_at", "id"]

    def __str__(self) -> str:
        return self.reference


# The accounts held per seller: what the market owes it, its proceeds and its consumption tax.
SELLER_ACCOUNTS = ("seller_payable", "seller_tax_payable")


class LedgerEntry(models.Model):
    """One leg of a transaction: positive debits, negative credits, on one account."""

    class Account(models.TextChoices):
        # Money held at the payment provider for the market (asset).
        PROVIDER_BALANCE = "provider_balance", _("Provider balance")
        # The market's revenue from its published fee.
        PLATFORM_FEES = "platform_fees", _("Platform fees")
        # What the market owes one seller for its sales, net of the fee and the fee's tax (liability; per
        # organisation).
        SELLER_PAYABLE = "seller_payable", _("Seller payable")
        # The consumption tax the market collected on one seller's sales as its intermediary: the seller's, who
        # owes it to the tax office, and paid out with its proceeds (liability; per organisation).
        SELLER_TAX_PAYABLE = "seller_tax_payable", _("Seller's consumption tax")
        # The consumption tax on the market's own fees, which the market owes the tax office (liability).
        TAX_PAYABLE = "tax_payable", _("Consumption tax on fees")

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField(max_length=32, choices=Account.choices)
    organization = models.ForeignKey(
        "marketplace.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    amount = models.BigIntegerField(help_text=_("Debit positive, credit negative, minor units."))
    currency = models.CharField(max_length=3)

    class Meta:
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["account", "organization", "currency"], name="ledger_account_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero"),
            models.CheckConstraint(
                condition=Q(account__in=SELLER_ACCOUNTS, organization__isnull=False)
                | (~Q(account__in=SELLER_ACCOUNTS) & Q(organization__isnull=True)),
                name="ledger_entry_payable_names_seller",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount} {self.currency}"


class PayoutAccount(models.Model):
    """Where a seller is paid: its connected account at the provider (Stripe Connect ``acct_...``)."""

    organization = models.OneToOneField(
        "marketplace.Organization", on_delete=models.CASCADE, related_name="payout_account"
    )
    provider = models.CharField(max_length=16)
    account_ref = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.organization_id} {self.account_ref}"


class Payout(models.Model):
    """What a seller is paid on one day: its payable balance, sent as one provider transfer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seller = models.ForeignKey("marketplace.Organization", on_delete=models.PROTECT, related_name="payouts")
    amount = models.BigIntegerField()
    # The part of ``amount`` that is consumption tax collected on the seller's sales (its ``seller_tax_payable``).
    tax_amount = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    for_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    transfer_ref = models.CharField(max_length=255, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-for_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "currency", "for_date"], name="one_payout_per_seller_day"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.amount} {self.currency} {self.for_date}"


# --- entitlements and delivery ------------------------------------------------------------------------------


class Entitlement(models.Model):
    """A buyer's right to fetch one exact dataset version during the contract's validity window."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    class Delivery(models.TextChoices):
        HOSTED = "hosted", _("From the market")
        PROVIDER = "provider", _("From the seller's server")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    settlement = models.OneToOneField(Settlement, on_delete=models.PROTECT, related_name="entitlement")
    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT, related_name="entitlement")
    buyer = models.ForeignKey("marketplace.Organization", on_delete=models.PROTECT, related_name="entitlements")
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="entitlements")
    dataset_version = models.ForeignKey("catalog.DatasetVersion", on_delete=models.PROTECT, related_name="entitlements")
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    delivery = models.CharField(max_length=16, choices=Delivery.choices, default=Delivery.HOSTED)
    # The offering's delivery_url when the entitlement was granted (as long as the offering's: a longer URL would
    # not fit here, and the grant would fail).
    delivery_url = models.URLField(
        max_length=500, blank=True, help_text=_("The seller's own endpoint (provider delivery).")
    )
    first_download_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-created_at"], name="entitlement_buyer_idx"),
            models.Index(fields=["status", "valid_until"], name="entitlement_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="entitlement_window_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id} {self.dataset_version_id} {self.status}"


class EntitlementVersion(models.Model):
    """One version a subscription's entitlement covers: the latest at the start, then each one published while the
    subscription is in force (``Entitlement.dataset_version`` is the newest of them). A licence's entitlement
    covers its ``dataset_version`` alone and has no rows here."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="versions", db_index=False)
    dataset_version = models.ForeignKey("catalog.DatasetVersion", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()

    class Meta:
        ordering = ["entitlement", "granted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "dataset_version"], name="entitlement_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.entitlement_id} {self.dataset_version_id}"


class EntitlementEvent(StatusEvent):
    """Granted, expired, revoked."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass


class DownloadToken(models.Model):
    """A short-lived bearer credential for one entitlement. Only the SHA-256 of the secret is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="tokens")
    # The version this token fetches (one the entitlement covers); empty on tokens minted before subscriptions:
    # those fetch the entitlement's ``dataset_version``.
    dataset_version = models.ForeignKey(
        "catalog.DatasetVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=8, default="opaque", help_text=_("opaque (market) or jwt (seller)"))
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_by_api_key_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.entitlement_id} until {self.expires_at}"


class Download(models.Model):
    """One delivery of (part of) a dataset version to a buyer: the usage history the market rules promise."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="downloads")
    token = models.ForeignKey(DownloadToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    buyer = models.ForeignKey("marketplace.Organization", on_delete=models.PROTECT, related_name="downloads")
    dataset_version = models.ForeignKey("catalog.DatasetVersion", on_delete=models.PROTECT, related_name="downloads")
    # The version's data in another format (``?format=``), or None: the file as the seller uploaded it. Ranges and
    # bytes count within the file actually served.
    rendition = models.ForeignKey(
        "catalog.VersionRendition", null=True, blank=True, on_delete=models.PROTECT, related_name="downloads"
    )
    range_start = models.BigIntegerField(default=0)
    range_end = models.BigIntegerField(null=True, blank=True, help_text=_("Inclusive; empty: to the end."))
    bytes_sent = models.BigIntegerField(default=0)
    completed = models.BooleanField(default=False, help_text=_("The whole requested range was sent."))
    client_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["dataset_version", "-started_at"], name="download_version_idx")]

    def __str__(self) -> str:
        return f"{self.buyer_id} {self.dataset_version_id} {self.bytes_sent}B"


# --- subscriptions ------------------------------------------------------------------------------------------


class Subscription(models.Model):
    """A subscription concluded by one trade of a subscription offering: seats of a feed for ``term_periods``
    periods of ``period_days``. The first period is paid with the trade (its settlement, ``period`` 1); each later
    one is billed when it closes, and only if the seller delivered what the offering committed to.

    The offering's shape is copied at the trade: the contract is immutable, the offering may change or go.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLING = "cancelling", _("Ends with the current period")
        PAST_DUE = "past_due", _("Payment overdue")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        TERM = "term", _("Its term ended")
        CANCELLED = "cancelled", _("Cancelled by the buyer")
        UNPAID = "unpaid", _("A period was not paid within the grace period")
        PAYMENT_FAILED = "payment_failed", _("The first payment failed")
        UNDELIVERABLE = "undeliverable", _("The data could not be delivered")
        REFUNDED = "refunded", _("A payment was refunded")
        REVOKED = "revoked", _("Access was revoked")
        RELEASED = "released", _("Given up by the buyer before its data was delivered")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT, related_name="subscription")
    offering = models.ForeignKey(
        "marketplace.Offering", on_delete=models.PROTECT, related_name="subscriptions", db_index=False
    )
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="subscriptions")
    # unindexed alone: subscription_buyer_idx / subscription_seller_idx lead with them
    buyer = models.ForeignKey(
        "marketplace.Organization", on_delete=models.PROTECT, related_name="subscriptions_bought", db_index=False
    )
    seller = models.ForeignKey(
        "marketplace.Organization", on_delete=models.PROTECT, related_name="subscriptions_sold", db_index=False
    )
    quantity = models.PositiveIntegerField(help_text=_("Seats."))
    price = models.BigIntegerField(help_text=_("Per seat and period, in minor units."))
    amount = models.BigIntegerField(help_text=_("Per period: price × quantity, in minor units."))
    currency = models.CharField(max_length=3)
    period_days = models.PositiveSmallIntegerField()
    term_periods = models.PositiveSmallIntegerField()
    min_versions_per_period = models.PositiveSmallIntegerField()
    min_messages_per_period = models.PositiveIntegerField(null=True, blank=True)
    stream = models.BooleanField(default=False)
    # Days a declined period charge is retried before the subscription ends unpaid: ICHIBA_SUBSCRIPTION_GRACE_DAYS
    # at the trade, the number its contract states.
    grace_days = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(help_text=_("The end of the term: starts_at + term_periods × period_days."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-created_at"], name="subscription_buyer_idx"),
            models.Index(fields=["seller", "-created_at"], name="subscription_seller_idx"),
            # The grace sweep of the close pass: the few past-due ones, oldest first.
            models.Index(fields=["past_due_since"], condition=Q(status="past_due"), name="subscription_past_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(price__gt=0), name="subscription_positive"),
            models.CheckConstraint(condition=Q(amount=F("price") * F("quantity")), name="subscription_amount_total"),
            models.CheckConstraint(
                condition=Q(period_days__gte=1) & Q(term_periods__gte=1) & Q(min_versions_per_period__gte=1),
                name="subscription_shape",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="subscription_term_ordered"),
            models.CheckConstraint(
                condition=Q(status="ended", ended_at__isnull=False) | (~Q(status="ended") & Q(end_reason="")),
                name="subscription_end_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id} {self.dataset_id} {self.status}"


class SubscriptionEvent(StatusEvent):
    """Every change of a subscription's status (and its cancellation)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass


class SubscriptionPeriod(models.Model):
    """One period of a subscription: what was delivered during it and what became of its payment."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        CHARGED = "charged", _("Charged")
        MISSED = "missed", _("Missed: not delivered, not charged")
        UNPAID = "unpaid", _("Unpaid")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="periods", db_index=False)
    number = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # When the period row was made (the trade, or the close pass that closed the one before): the close pass counts
    # from the earlier of this and starts_at, so a test clock (``close_periods --as-of`` ahead of time) credits what
    # was published since the previous pass to the period it closes next (docs/operations.md#subscriptions).
    opened_at = models.DateTimeField()
    versions_delivered = models.PositiveIntegerField(null=True, blank=True)
    # Counted for a live stream with a message commitment; null: not counted.
    messages_delivered = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.OPEN)
    settlement = models.OneToOneField(
        Settlement, null=True, blank=True, on_delete=models.PROTECT, related_name="subscription_period"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["subscription", "number"]
        indexes = [
            # The close pass: periods not closed yet whose end has come, oldest end first.
            models.Index(fields=["ends_at"], condition=Q(closed_at__isnull=True), name="subscription_period_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "number"], name="one_subscription_period_per_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="subscription_period_number_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="subscription_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} #{self.number} {self.outcome}"


# --- incoming provider webhooks --------------------------------------------------------------------------------


class ProviderEvent(models.Model):
    """An incoming Stripe webhook, stored once per event id before it is handled."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")
        # It names one of our settlements but does not match it: it changed nothing; the operator reviews it.
        FLAGGED = "flagged", _("Flagged for review")

    provider = models.CharField(max_length=16, default="stripe")
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_once")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


# --- outbound partner webhooks -----------------------------------------------------------------------------------


class WebhookEndpoint(models.Model):
    """A partner's URL that receives signed events of its own organisation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "marketplace.Organization", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    events = models.JSONField(help_text=_("Event types it subscribes to."))
    # Needed in the clear to sign each delivery (HMAC); shown to the partner once, at creation.
    secret = models.CharField(max_length=80)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint; retried with exponential backoff until delivered or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, help_text=_("Stable across retries: receivers de-duplicate."))
    event_type = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker makes an attempt (until its claim would lapse), cleared when the attempt is recorded:
    # what the per-endpoint and per-organisation caps on attempts in flight count.
    in_flight_until = models.DateTimeField(null=True, blank=True)
    # The id of the request that caused the event (config/request_id.py): sent as X-Request-Id and logged with
    # every attempt, however much later the sweeper sends it.
    request_id = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_delivery_due_idx"),
            # Only the attempts in flight (a handful): the caps count them on every claim.
            models.Index(
                fields=["endpoint", "in_flight_until"],
                condition=Q(in_flight_until__isnull=False),
                name="webhook_delivery_in_flight_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} {self.status}"


class WebhookAttempt(models.Model):
    """Append-only log of each try: what the partner reads to debug its receiver."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    attempted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_once")]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code}"


# --- the offline payment provider's own books (settlement/providers/offline.py) ----------------------------------
# The offline provider stands in for an external system, so it keeps its state like one: in its own tables,
# written in autocommit by provider calls made outside our transactions (a rollback or a killed worker on our
# side never undoes what "the provider" did). Nothing but settlement/providers/offline.py writes these.


class OfflinePayment(models.Model):
    """One payment at the offline provider, once per idempotency key (a repeated call returns this row)."""

    # The provider's own words (PaymentResult.status); internal test double, so not translated.
    class Status(models.TextChoices):
        AUTHORIZED = "authorized"
        CAPTURED = "captured"
        DECLINED = "declined"
        VOIDED = "voided"
        REFUNDED = "refunded"

    idempotency_key = models.CharField(max_length=255, unique=True)
    payment_ref = models.CharField(max_length=64, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    payment_method = models.CharField(max_length=255)
    customer_ref = models.CharField(max_length=255, blank=True)
    description = models.CharField(max_length=500, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)
    amount_captured = models.BigIntegerField(default=0)
    amount_refunded = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.payment_ref} {self.amount} {self.currency} {self.status}"


class OfflineTransfer(models.Model):
    """One payout transfer at the offline provider, once per idempotency key."""

    idempotency_key = models.CharField(max_length=255, unique=True)
    transfer_ref = models.CharField(max_length=64, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    destination = models.CharField(max_length=255)
    description = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.transfer_ref} {self.amount} {self.currency}"


class OfflineCall(models.Model):
    """Test-only: calls seen per idempotency key, so ``OFFLINE_PROVIDER_FAILURES`` can fail the first N of them
    across processes. Written only while that setting is above zero."""

    idempotency_key = models.CharField(max_length=255, unique=True)
    calls = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.idempotency_key} x{self.calls}"
