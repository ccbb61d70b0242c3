"""The interface every payment provider implements, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

PaymentStatus = Literal["authorized", "captured", "declined", "voided", "refunded", "processing"]


class ProviderUnavailable(Exception):
    """A transient failure (timeout, connection error, HTTP 5xx, rate limit): retry later with backoff.

    Anything else a provider raises is a defect, not a decline.
    """


class ProviderRefused(Exception):
    """A permanent refusal of a request that is not a card decline (a closed or unknown payout account, a
    transfer the provider will never make): retrying cannot help, so the step fails for good."""


@dataclass(frozen=True)
class PaymentResult:
    status: PaymentStatus
    payment_ref: str = ""
    # On decline: a short code (card_declined, insufficient_funds, ...) and a message a buyer can read.
    failure_code: str = ""
    failure_message: str = ""
    # What the provider says the payment is for, when it says it (a webhook's object, a provider's answer): the
    # settlement checks them before trusting the status (``settlement_provider_mismatch``). ``amount_received``:
    # what was actually captured, which may be less than ``amount`` (a partial capture).
    amount: int | None = None
    currency: str = ""
    amount_received: int | None = None


@dataclass(frozen=True)
class TransferResult:
    transfer_ref: str


class PaymentProvider(Protocol):
    name: str

    def authorize(
        self,
        *,
        amount: int,
        currency: str,
        payment_method: str,
        customer_ref: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> PaymentResult:
        """Authorise ``amount`` off-session with manual capture; a decline is a result, not an error."""
        ...

    def capture(self, *, payment_ref: str, amount: int, idempotency_key: str) -> PaymentResult: ...

    def void(self, *, payment_ref: str, idempotency_key: str) -> PaymentResult:
        """Cancel an uncaptured authorisation: the buyer is never charged."""
        ...

    def refund(self, *, payment_ref: str, amount: int, idempotency_key: str) -> PaymentResult: ...

    def retrieve(self, *, payment_ref: str) -> PaymentResult:
        """The provider's current view of a payment, for reconciliation."""
        ...

    def transfer(
        self, *, amount: int, currency: str, destination: str, idempotency_key: str, description: str
    ) -> TransferResult:
        """Pay a seller (Stripe Connect transfer to the seller's connected account)."""
        ...
