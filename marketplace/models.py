"""Participants: organisations, their members and their API keys."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import TAKEDOWN_REASON_MAX, TakedownCategory
from config.api.principal import ADMIN, BUYER, MEMBER, ROLE_SCOPES, SCOPES, SELLER

# A subscription's shape (the offering API, the form and a check constraint hold to these) is defined with the terms
# schema that carries it into the contract.
from contracts.meti.data_provision_terms import MAX_PERIOD_DAYS, MAX_SUBSCRIPTION_DAYS, MAX_TERM_PERIODS


def all_scopes() -> list[str]:
    return list(SCOPES)


def logo_storage() -> Storage:
    """Where organisations' logos live: a local folder, or the S3-compatible bucket (settings ``STORAGES``)."""
    return storages["logos"]


def logo_upload_to(organization: Organization, filename: str) -> str:
    # The stored name never comes from the uploader; ``filename`` carries only the extension of the sniffed type
    # (marketplace.services.profiles), and a new name per upload keeps a cached old logo from being served.
    extension = filename.rsplit(".", 1)[-1]
    return f"{organization.id}/logo-{uuid.uuid4().hex[:12]}.{extension}"


class Organization(models.Model):
    """A company trading on the market. Only ``verified`` ones may place orders (market operator criteria).

    A seller's public profile (``/sellers/<id>/``, ``GET /api/v1/sellers/{id}``) shows its name, verification,
    ``description``, ``website`` and ``logo``, which its members edit (marketplace.services.profiles)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    is_seller = models.BooleanField(_("seller"), default=False)
    is_buyer = models.BooleanField(_("buyer"), default=False)
    country = models.CharField(_("country"), max_length=2, default="JP", help_text=_("ISO 3166-1 alpha-2"))
    verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # 適格請求書発行事業者登録番号: "T" + the 13-digit corporate number (config/registration.py checks it); blank:
    # not a registered invoice issuer, so the invoices the market issues for its sales are plain receipts.
    invoice_registration_number = models.CharField(_("invoice registration number"), max_length=14, blank=True)
    # 法人番号: the 13-digit corporate number the organisation applied with (config/registration.py checks its
    # check digit); one organisation per number. Blank for organisations made before sign-up (``manage.py onboard``).
    corporate_number = models.CharField(_("corporate number"), max_length=13, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The public profile, as the organisation wrote it (one free text in whatever language it chose: ADR 9 keeps
    # stored text as written).
    description = models.TextField(_("description"), max_length=4000, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    logo = models.FileField(_("logo"), upload_to=logo_upload_to, storage=logo_storage, max_length=300, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(is_seller=True) | Q(is_buyer=True), name="organization_has_a_role"),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="organization_country_iso2"),
            models.CheckConstraint(
                condition=Q(invoice_registration_number="") | Q(invoice_registration_number__regex=r"^T[0-9]{13}$"),
                name="organization_invoice_registration_number_form",
            ),
            models.CheckConstraint(
                condition=Q(corporate_number="") | Q(corporate_number__regex=r"^[0-9]{13}$"),
                name="organization_corporate_number_form",
            ),
            models.UniqueConstraint(
                fields=["corporate_number"],
                condition=~Q(corporate_number=""),
                name="organization_corporate_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def roles(self) -> list[str]:
        return [role for role, held in ((SELLER, self.is_seller), (BUYER, self.is_buyer)) if held]


class Membership(models.Model):
    """A user acts for exactly one organisation, as its admin (who manages members and keys) or a member."""

    class Role(models.TextChoices):
        ADMIN = ADMIN, _("admin")
        MEMBER = MEMBER, _("member")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    @property
    def scopes(self) -> frozenset[str]:
        return ROLE_SCOPES[self.role]


class ApiKey(models.Model):
    """An organisation's API key. The secret is shown once; only its SHA-256 is kept.

    SHA-256 without a salt is enough here (unlike passwords): keys carry 256 bits of randomness, so there
    is nothing to guess, and a plain digest lets authentication be a single indexed lookup. (The demo keys of
    ``load_demo`` are published on purpose, like the demo password, and exist only where the demo data does.)
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, help_text=_("The first characters, to recognise a key."))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # A subset of config.api.principal.SCOPES, in that order. Keys made before scopes existed hold them all.
    scopes = models.JSONField(_("scopes"), default=all_scopes)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, help_text=_("Empty: never."))
    # A rotation's successor: the key made to replace this one, which lives on until its grace ends (expires_at).
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces", verbose_name=_("replaced by")
    )

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.status == ApiKey.Status.ACTIVE

    @property
    def status(self) -> str:
        """Revoked (by someone), else expired (its time, or a rotation's grace, has passed), else active."""
        if self.revoked_at is not None:
            return ApiKey.Status.REVOKED
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return ApiKey.Status.EXPIRED
        return ApiKey.Status.ACTIVE


class ParticipantApplication(models.Model):
    """An organisation's application to join the market, made on the web after its e-mail address was confirmed
    (marketplace.services.signup). The applicant's user exists from the start (it signs in to see the status) but
    belongs to no organisation until the operator verifies the application, which makes the organisation and the
    applicant its admin; a rejection keeps the reason, which the applicant is told."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    email = models.EmailField(_("e-mail address"))
    company_name = models.CharField(_("company name"), max_length=200)
    corporate_number = models.CharField(_("corporate number"), max_length=13)
    country = models.CharField(_("country"), max_length=2, default="JP")
    is_seller = models.BooleanField(_("seller"), default=False)
    is_buyer = models.BooleanField(_("buyer"), default=False)
    contact_name = models.CharField(_("contact person"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32)
    # The applicant's language when it applied: the operator's answer is written in it.
    language = models.CharField(max_length=8, default="ja")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was rejected; sent to the applicant."))
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.OneToOneField(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="application"
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(is_seller=True) | Q(is_buyer=True), name="application_has_a_role"),
            models.CheckConstraint(
                condition=Q(corporate_number__regex=r"^[0-9]{13}$"), name="application_corporate_number_form"
            ),
            # One application under review per corporate number, and per applicant (the database's word on a race
            # of two submissions; a verified number is held by its organisation's constraint).
            models.UniqueConstraint(
                fields=["corporate_number"], condition=Q(status="pending"), name="application_pending_corporate_number"
            ),
            models.UniqueConstraint(
                fields=["applicant"], condition=Q(status="pending"), name="application_pending_per_applicant"
            ),
            models.CheckConstraint(
                condition=Q(status="rejected") | Q(reason=""), name="application_reason_only_when_rejected"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="application_rejection_has_a_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.corporate_number})"

    @property
    def roles(self) -> list[str]:
        return [role for role, held in ((SELLER, self.is_seller), (BUYER, self.is_buyer)) if held]


class SignupEmail(models.Model):
    """A sign-up confirmation link sent: what the limits on the sign-up form count (marketplace.services.signup)."""

    email = models.EmailField()
    client_address = models.GenericIPAddressField(null=True, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["email", "sent_at"], name="signup_email_sent"),
            models.Index(fields=["client_address", "sent_at"], name="signup_email_client_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.sent_at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    """An admin's invitation of a person to its organisation, as ``role``. The link sent carries the row's id,
    signed and expiring (marketplace.services.members); accepting it once makes the member, so it is used up."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=8, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # An admin took the invitation back before it was accepted (a wrong address, a person who left): its link is dead.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"


class ParticipantEvent(models.Model):
    """Append-only audit trail of an organisation (verification, members, keys issued and revoked) and of an
    application before its organisation exists (applied, rejected)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        VERIFIED = "verified", _("verified")
        UNVERIFIED = "unverified", _("verification withdrawn")
        MEMBER_ADDED = "member_added", _("member added")
        API_KEY_CREATED = "api_key_created", _("API key created")
        API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
        API_KEY_ROTATED = "api_key_rotated", _("API key rotated")
        INVOICE_NUMBER_SET = "invoice_number_set", _("invoice registration number changed")
        PROFILE_CHANGED = "profile_changed", _("profile changed")
        APPLIED = "applied", _("applied")
        APPLICATION_VERIFIED = "application_verified", _("application verified")
        APPLICATION_REJECTED = "application_rejected", _("application rejected")
        MEMBER_INVITED = "member_invited", _("member invited")
        INVITATION_WITHDRAWN = "invitation_withdrawn", _("invitation withdrawn")
        MEMBER_ROLE_CHANGED = "member_role_changed", _("member's role changed")
        MEMBER_REMOVED = "member_removed", _("member removed")

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    application = models.ForeignKey(
        ParticipantApplication, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | Q(application__isnull=False),
                name="participant_event_has_a_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id or self.application_id} {self.kind}"


class Offering(models.Model):
    """A dataset offered under contract terms (a METI template filled in) and a number of licence seats.

    The seller accepts its own offer when publishing it; ``terms_sha256`` is what buyers accept.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Kind(models.TextChoices):
        LICENCE = "licence", _("Licence")
        SUBSCRIPTION = "subscription", _("Subscription")

    class Channel(models.TextChoices):
        BOOK = "book", _("Order book")
        PRIVATE = "private", _("Private offer")
        AUCTION = "auction", _("Auction")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="offerings")
    # How its seats are sold. "book": publicly, through its order book (every offering a seller publishes). A deal
    # made off the book sells through an offering of its own, which no order can reach and no public list shows:
    # "private", made when a private offer is accepted, for its one ``buyer``, whose trade only the two parties
    # see; "auction", made when a sealed-bid auction opens (so an exclusive auction holds the dataset's exclusivity
    # like any open exclusive offering), whose trades at the clearing price go on the public tape.
    # Both trade through ``marketplace.services.orders.deal_execute``; the deals app decides who and at what price.
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.BOOK)
    buyer = models.ForeignKey(
        "Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="private_offerings"
    )
    # A licence covers the dataset version published at the trade. A subscription covers a feed: the order book
    # prices one period; the contract runs term_periods x period_days, and each period after the first is billed
    # in arrears only if the seller delivered at least min_versions_per_period new versions during it (and, for a
    # live stream with min_messages_per_period, that many MQTT messages).
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LICENCE)
    period_days = models.PositiveSmallIntegerField(_("period (days)"), null=True, blank=True)
    term_periods = models.PositiveSmallIntegerField(_("term (periods)"), null=True, blank=True)
    min_versions_per_period = models.PositiveSmallIntegerField(_("versions per period"), null=True, blank=True)
    stream = models.BooleanField(_("live stream"), default=False)
    min_messages_per_period = models.PositiveIntegerField(_("messages per period"), null=True, blank=True)
    seller = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="offerings")
    template_code = models.CharField(max_length=64)
    template_version = models.PositiveIntegerField()
    terms = models.JSONField()
    terms_sha256 = models.CharField(max_length=64)
    mandatory_clauses = models.JSONField(default=list, blank=True)
    license_seats = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty: unlimited."))
    seats_sold = models.PositiveIntegerField(default=0)
    # The last time-priority number handed to an order of this offering (under its row lock).
    order_seq = models.BigIntegerField(default=0)
    # Counts the changes to this offering's book and seats (under its row lock): a matcher that keeps the book in
    # memory (marketplace.matching) re-reads it when the count is not the one it last wrote.
    book_version = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, default="JPY")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # The seller's acceptance of its own offer, recorded at publication.
    accepted_at = models.DateTimeField()
    accepted_by_user_id = models.BigIntegerField(null=True, blank=True)
    accepted_by_api_key_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Provider-hosted delivery: the seller serves the data itself and verifies the market's signed tokens
    # (JWT, keys at /.well-known/jwks.json; docs/delivery.md); empty means the market delivers the stored version.
    # Set through marketplace.services.offerings (the SSRF guard of config/outbound.py); an entitlement copies it
    # when it is granted.
    delivery_url = models.URLField(max_length=500, blank=True)
    # Taken down by the market's operator (services.offerings.offering_take_down): withdrawn, its resting orders
    # cancelled, and no deal may trade it any more; the category and reason are shown to both parties.
    taken_down_at = models.DateTimeField(_("taken down at"), null=True, blank=True)
    takedown_category = models.CharField(
        _("take-down category"), max_length=16, choices=TakedownCategory.choices, blank=True
    )
    takedown_reason = models.CharField(_("take-down reason"), max_length=TAKEDOWN_REASON_MAX, blank=True)

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["dataset", "status"], name="offering_dataset_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(license_seats__isnull=True) | Q(license_seats__gte=1), name="offering_seats_positive"
            ),
            models.CheckConstraint(
                condition=Q(license_seats__isnull=True) | Q(seats_sold__lte=models.F("license_seats")),
                name="offering_never_oversold",
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="offering_currency_iso4217"),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="licence",
                        period_days__isnull=True,
                        term_periods__isnull=True,
                        min_versions_per_period__isnull=True,
                        stream=False,
                    )
                    | Q(
                        kind="subscription",
                        period_days__gte=1,
                        period_days__lte=MAX_PERIOD_DAYS,
                        term_periods__gte=1,
                        term_periods__lte=MAX_TERM_PERIODS,
                        min_versions_per_period__gte=1,
                    )
                    # the whole term fits the longest contract (integer division: term x period <= the maximum)
                    & Q(term_periods__lte=MAX_SUBSCRIPTION_DAYS / models.F("period_days"))
                ),
                name="offering_kind_shape",
            ),
            models.CheckConstraint(
                condition=Q(min_messages_per_period__isnull=True) | Q(stream=True, min_messages_per_period__gte=1),
                name="offering_message_commitment_needs_stream",
            ),
            models.CheckConstraint(
                condition=Q(channel="private", buyer__isnull=False) | (~Q(channel="private") & Q(buyer__isnull=True)),
                name="offering_private_has_its_buyer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.template_code}@{self.template_version}"

    @property
    def is_subscription(self) -> bool:
        return self.kind == self.Kind.SUBSCRIPTION

    @property
    def on_book(self) -> bool:
        """Sold through its public order book (not a private offer's or an auction's own offering)."""
        return self.channel == self.Channel.BOOK

    @property
    def term_days(self) -> int | None:
        """A subscription's whole term, which its contract's ``duration_days`` must equal."""
        if self.period_days is None or self.term_periods is None:
            return None
        return self.period_days * self.term_periods

    @property
    def seats_left(self) -> int | None:
        return None if self.license_seats is None else self.license_seats - self.seats_sold

    @property
    def delivery(self) -> str:
        """How entitlements granted now deliver: "hosted" (the market) or "provider" (the seller's server), the
        words of ``settlement.Entitlement.delivery``."""
        return "provider" if self.delivery_url else "hosted"


class OfferingEvent(models.Model):
    """Append-only: every state change of an offering, and every move of its delivery URL (same status)."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.CharField(max_length=200, blank=True)
    actor_organization_id = models.UUIDField(null=True, blank=True)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.offering_id} {self.from_status}→{self.to_status}"


class Order(models.Model):
    """A bid (buy) or ask (sell) for licence seats of one offering. Matched under the offering's row lock."""

    class Side(models.TextChoices):
        BUY = "buy", _("Buy")
        SELL = "sell", _("Sell")

    class Type(models.TextChoices):
        LIMIT = "limit", _("Limit")
        MARKET = "market", _("Market")

    class TimeInForce(models.TextChoices):
        GTC = "gtc", _("Good till cancelled")
        IOC = "ioc", _("Immediate or cancel")
        FOK = "fok", _("Fill or kill")
        GTD = "gtd", _("Good till date")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTIALLY_FILLED = "partially_filled", _("Partially filled")
        FILLED = "filled", _("Filled")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        REJECTED = "rejected", _("Rejected")

    RESTING = (Status.OPEN, Status.PARTIALLY_FILLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # unindexed alone: order_book_idx / order_seq_unique_per_offering and order_owner_idx lead with them
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="orders", db_index=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="orders", db_index=False)
    side = models.CharField(max_length=4, choices=Side.choices)
    type = models.CharField(max_length=6, choices=Type.choices, default=Type.LIMIT)
    price = models.BigIntegerField(null=True, blank=True, help_text=_("Per seat, minor units; none for market."))
    quantity = models.PositiveIntegerField(null=True, blank=True, help_text=_("Seats; empty: an unlimited ask."))
    filled_quantity = models.PositiveIntegerField(default=0)
    cancelled_quantity = models.PositiveIntegerField(default=0)
    time_in_force = models.CharField(max_length=3, choices=TimeInForce.choices, default=TimeInForce.GTC)
    expires_at = models.DateTimeField(null=True, blank=True)
    accepted_terms_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    status_reason = models.CharField(max_length=200, blank=True)
    # Time priority within the offering's book, assigned under its row lock.
    seq = models.BigIntegerField()
    placed_by_user_id = models.BigIntegerField(null=True, blank=True)
    placed_by_api_key_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["offering", "status", "seq"], name="order_book_idx"),
            models.Index(fields=["organization", "-created_at"], name="order_owner_idx"),
            models.Index(fields=["status", "expires_at"], name="order_expiry_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["offering", "seq"], name="order_seq_unique_per_offering"),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gt=0), name="order_price_positive"),
            models.CheckConstraint(
                condition=Q(type="market", price__isnull=True) | Q(type="limit", price__isnull=False),
                name="order_limit_has_price",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=0), name="order_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True)
                | Q(filled_quantity__lte=models.F("quantity") - models.F("cancelled_quantity")),
                name="order_quantities_conserved",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=False) | Q(side="sell"), name="order_only_asks_unlimited"
            ),
            models.CheckConstraint(
                condition=Q(time_in_force="gtd", expires_at__isnull=False)
                | (~Q(time_in_force="gtd") & Q(expires_at__isnull=True)),
                name="order_gtd_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.quantity}@{self.price} on {self.offering_id}"

    @property
    def remaining_quantity(self) -> int | None:
        if self.quantity is None:
            return None
        return self.quantity - self.filled_quantity - self.cancelled_quantity


class Trade(models.Model):
    """Seats sold at a price, concluding one contract: on the book, a match of a bid and an ask at the resting
    order's price; off it (a private offer accepted, an auction won: the offering's ``channel``), a deal without
    orders at the agreed or clearing price."""

    class Status(models.TextChoices):
        EXECUTED = "executed", _("Executed")
        VOID = "void", _("Void")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # unindexed alone: trade_tape_idx leads with it
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="trades", db_index=False)
    buy_order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="buy_trades")
    sell_order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="sell_trades")
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="trades_bought")
    seller = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="trades_sold")
    price = models.BigIntegerField()
    quantity = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    contract = models.OneToOneField(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="trade"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.EXECUTED)
    executed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("trade")
        verbose_name_plural = _("trades")
        ordering = ["-executed_at", "-id"]
        indexes = [models.Index(fields=["offering", "-executed_at"], name="trade_tape_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0) & Q(quantity__gt=0), name="trade_positive"),
            models.CheckConstraint(condition=~Q(buyer=models.F("seller")), name="trade_no_self_trade"),
            models.CheckConstraint(
                condition=Q(buy_order__isnull=True, sell_order__isnull=True)
                | Q(buy_order__isnull=False, sell_order__isnull=False),
                name="trade_orders_paired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity}@{self.price} {self.offering_id}"


class OrderEvent(models.Model):
    """Append-only: every change of an order (placed, filled, cancelled, expired)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.from_status}→{self.to_status}"
