from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.Model):
    """A buyer's saved payment method: a provider token (Stripe ``pm_...``), never card data."""

    organization = models.ForeignKey(
        "marketplace.Organization", on_delete=models.CASCADE, related_name="payment_methods"
    )
    provider = models.CharField(max_length=16, default="offline")
    token = models.CharField(max_length=255)
    is_default = models.BooleanField(default=True)
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
