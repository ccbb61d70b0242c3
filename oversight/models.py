"""A take-down by the market's operator: the record of what was taken off the market, why, by whom, and whether its
effects on the buyers' purchases are all applied (docs/domain.md#take-downs)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import TAKEDOWN_REASON_MAX, TakedownCategory


class Takedown(models.Model):
    """One per dataset taken down (``offering`` empty: every offering of it) and one per offering taken down alone.

    The market side (the dataset and offerings withdrawn, their orders cancelled) commits at once, in the
    transaction that creates this row; the buyers' side (subscriptions, and for unlawful data access revoked and
    payments refunded) is applied purchase by purchase, with the payment provider called outside any transaction:
    ``applying`` until every purchase reached its end, re-driven by a sweeper (``oversight.finish_takedowns``)."""

    class Status(models.TextChoices):
        APPLYING = "applying", _("Being applied to the purchases")
        DONE = "done", _("Done")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="takedowns")
    offering = models.ForeignKey(
        "marketplace.Offering", null=True, blank=True, on_delete=models.PROTECT, related_name="takedowns"
    )
    category = models.CharField(_("category"), max_length=16, choices=TakedownCategory.choices)
    reason = models.CharField(_("reason"), max_length=TAKEDOWN_REASON_MAX)
    actor = models.CharField(_("taken down by"), max_length=150)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPLYING)
    orders_cancelled = models.PositiveIntegerField(_("orders cancelled"), default=0)
    # The last problem met applying it (a refund the provider refused or could not make yet), for the operator.
    last_error = models.CharField(_("last problem"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("take-down")
        verbose_name_plural = _("take-downs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset"], condition=Q(offering__isnull=True), name="takedown_one_per_dataset"
            ),
            models.UniqueConstraint(fields=["offering"], name="takedown_one_per_offering"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="takedown_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.reason[:60]}"
