"""Payment providers behind one small interface: ``offline`` (default, deterministic) and ``stripe``.

Services call a provider outside any database transaction (it is an external system: its effect
survives our rollback or crash) and always pass an idempotency key derived from our ids, so a repeated
call after a crash or a replayed message returns the first outcome instead of charging again.
"""

from __future__ import annotations

from config.market import market_settings
from settlement.providers.base import (
    PaymentProvider,
    PaymentResult,
    ProviderRefused,
    ProviderUnavailable,
    TransferResult,
)
from settlement.providers.offline import OfflineProvider
from settlement.providers.stripe import StripeProvider


def provider_get(name: str | None = None) -> PaymentProvider:
    """The configured provider (``market_settings().payment_provider``) or the one named."""
    chosen = name or market_settings().payment_provider
    if chosen == "offline":
        return OfflineProvider()
    if chosen == "stripe":
        return StripeProvider()
    raise ValueError(f"Unknown payment provider {chosen!r} (offline or stripe).")


__all__ = [
    "PaymentProvider",
    "PaymentResult",
    "ProviderRefused",
    "ProviderUnavailable",
    "TransferResult",
    "provider_get",
]
