from __future__ import annotations

import re
import uuid

from django.db import transaction
from django.utils import timezone

from config.errors import InvalidInput
from config.market import market_settings
from marketplace.models import Organization
from settlement import tasks
from settlement.models import PaymentMethod, Settlement

# Stripe payment method ids and test tokens (pm_card_visa, pm_card_chargeDeclined, pm_1Nx...). Anchored for the
# OpenAPI document, which states it as the field's pattern; matched whole here (``$`` alone would let "\n" end it).
PAYMENT_METHOD_TOKEN = re.compile(r"^pm_[A-Za-z0-9_]{3,250}$")


@transaction.atomic
def payment_method_save_default(*, organization_id: uuid.UUID, token: str, provider: str = "") -> PaymentMethod:
    """Save ``token`` as the organisation's default payment method (with the configured provider)."""
    if not PAYMENT_METHOD_TOKEN.fullmatch(token):
        raise InvalidInput(
            "A payment method is a provider token such as pm_card_visa.",
            errors={"payment_method": ["invalid"]},
        )
    # Serialise saves per organisation: the unique "one default" index must never meet two at once.
    Organization.objects.select_for_update().filter(pk=organization_id).first()
    PaymentMethod.objects.filter(organization_id=organization_id, is_default=True).update(is_default=False)
    method = PaymentMethod.objects.create(
        organization_id=organization_id,
        provider=provider or market_settings().payment_provider,
        token=token,
        is_default=True,
    )
    _retry_declined_charges(organization_id)
    return method


def _retry_declined_charges(organization_id: uuid.UUID) -> None:
    """A new card is tried at once on the organisation's declined subscription charges (a past-due subscription
    need not wait for the next retry), each as a new authorisation under its own key."""
    declined = Settlement.objects.filter(
        buyer_id=organization_id, status=Settlement.Status.PENDING, period__gt=1, declines__gt=0
    )
    ids = [str(settlement_id) for settlement_id in declined.values_list("id", flat=True)]
    if not ids:
        return
    declined.update(next_attempt_at=timezone.now())

    def enqueue() -> None:
        for settlement_id in ids:
            tasks.settlement_authorize.delay(settlement_id)

    transaction.on_commit(enqueue, robust=True)
