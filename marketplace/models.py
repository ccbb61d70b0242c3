"""Participants: organisations, their members and their API keys."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.api.principal import BUYER, SELLER


class Organization(models.Model):
    """A company trading on the market. Only ``verified`` ones may place orders (market operator criteria)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    is_seller = models.BooleanField(_("seller"), default=False)
    is_buyer = models.BooleanField(_("buyer"), default=False)
    country = models.CharField(_("country"), max_length=2, default="JP", help_text=_("ISO 3166-1 alpha-2"))
    verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(is_seller=True) | Q(is_buyer=True), name="organization_has_a_role"),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="organization_country_iso2"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def roles(self) -> list[str]:
        return [role for role, held in ((SELLER, self.is_seller), (BUYER, self.is_buyer)) if held]


class Membership(models.Model):
    """A user acts for exactly one organisation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class ApiKey(models.Model):
    """An organisation's API key. The secret is shown once; only its SHA-256 is kept.

    SHA-256 without a salt is enough here (unlike passwords): keys carry 256 bits of randomness, so there
    is nothing to guess, and a plain digest lets authentication be a single indexed lookup.
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

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ParticipantEvent(models.Model):
    """Append-only audit trail of an organisation: verification, keys issued and revoked."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        VERIFIED = "verified", _("verified")
        UNVERIFIED = "unverified", _("verification withdrawn")
        MEMBER_ADDED = "member_added", _("member added")
        API_KEY_CREATED = "api_key_created", _("API key created")
        API_KEY_REVOKED = "api_key_revoked", _("API key revoked")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind}"


class Offering(models.Model):
    """A dataset offered under contract terms (a METI template filled in) and a number of licence seats.

    The seller accepts its own offer when publishing it; ``terms_sha256`` is what buyers accept.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="offerings")
    seller = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="offerings")
    template_code = models.CharField(max_length=64)
    template_version = models.PositiveIntegerField()
    terms = models.JSONField()
    terms_sha256 = models.CharField(max_length=64)
    mandatory_clauses = models.JSONField(default=list, blank=True)
    license_seats = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty: unlimited."))
    seats_sold = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="JPY")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # The seller's acceptance of its own offer, recorded at publication.
    accepted_at = models.DateTimeField()
    accepted_by_user_id = models.BigIntegerField(null=True, blank=True)
    accepted_by_api_key_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.template_code}@{self.template_version}"

    @property
    def seats_left(self) -> int | None:
        return None if self.license_seats is None else self.license_seats - self.seats_sold


class OfferingEvent(models.Model):
    """Append-only: every state change of an offering."""

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
