from __future__ import annotations

import re
import uuid

from django.db import transaction

from config.errors import InvalidInput
from config.market import market_settings
from marketplace.models import Organization
from settlement.models import PaymentMethod

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
    return PaymentMethod.objects.create(
        organization_id=organization_id,
        provider=provider or market_settings().payment_provider,
        token=token,
        is_default=True,
    )
