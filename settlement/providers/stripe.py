"""The Stripe provider, through the official SDK (``stripe.StripeClient``), API version pinned in settings.

A payment is a PaymentIntent confirmed off-session with manual capture: ``requires_capture`` is our
``authorized``. Every call carries our idempotency key, and the SDK never retries on its own
(``max_network_retries=0``): the settlement pipeline owns retries, with backoff, and a transient failure
surfaces as ``ProviderUnavailable``.

Crash safety does not rest on Stripe's idempotency keys alone. Stripe forgets a key after 24 hours, and
localstripe (the fake Stripe the tests run against) ignores the ``Idempotency-Key`` header altogether. So each
PaymentIntent carries our key in its metadata, and ``authorize`` first looks among the customer's recent
charges for a PaymentIntent with that key: a worker killed after Stripe authorised but before we recorded it
gets the same PaymentIntent back on retry, never a second one. Refunds carry the key the same way.

Payloads are what both real Stripe and localstripe accept: localstripe refuses ``description`` on a
PaymentIntent (it goes into metadata) and ``cancellation_reason`` on cancel, and has no Connect, so transfers
go through ``_create_transfer``, the one seam tests replace.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import stripe
from django.conf import settings

from config.market import market_settings
from settlement.models import PaymentMethod
from settlement.providers.base import PaymentResult, ProviderRefused, ProviderUnavailable, TransferResult

# Metadata key that names our idempotency key on PaymentIntents, refunds and transfers.
IDEMPOTENCY_METADATA_KEY = "ichiba_idempotency_key"
# How far back ``authorize`` looks for a PaymentIntent made under the same key: far beyond Stripe's 24-hour
# idempotency window and any retry the settlement pipeline makes.
LOOKUP_WINDOW_SECONDS = 7 * 24 * 3600
# A generic decline says nothing a buyer can act on; Stripe's error ``code`` (card_declined) is kept instead.
_GENERIC_DECLINE_CODES = frozenset({"", "generic_decline"})


def _create_transfer(client: stripe.StripeClient, *, idempotency_key: str, **params: Any) -> stripe.Transfer:
    """Create a Connect transfer. One of the two calls localstripe cannot serve (it has no Connect): tests
    replace it."""
    return client.v1.transfers.create(params=params, options={"idempotency_key": idempotency_key})  # type: ignore[arg-type]


def _find_transfer(client: stripe.StripeClient, *, destination: str, idempotency_key: str) -> str:
    """The id of a transfer to ``destination`` already made under our key, or "". Stripe forgets idempotency
    keys after 24 hours; a payout re-sent later must still not pay twice. Tests replace it with the stub."""
    for transfer in client.v1.transfers.list(params={"destination": destination, "limit": 100}).auto_paging_iter():
        if (transfer.metadata or {}).get(IDEMPOTENCY_METADATA_KEY) == idempotency_key:
            return str(transfer.id)
    return ""


class StripeProvider:
    name = "stripe"

    def __init__(self, client: stripe.StripeClient | None = None) -> None:
        self._client = client

    @property
    def client(self) -> stripe.StripeClient:
        if self._client is None:
            self._client = client_build()
        return self._client

    # --- payments ---------------------------------------------------------------------------------------------

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
        with _transient_errors():
            customer = self._customer(customer_ref)
            existing = self._intent_with_key(customer=customer, idempotency_key=idempotency_key)
            if existing:
                return self.retrieve(payment_ref=existing)
            try:
                intent = self.client.v1.payment_intents.create(
                    params={
                        "amount": amount,
                        "currency": currency.lower(),
                        "customer": customer,
                        "payment_method": payment_method,
                        "payment_method_types": ["card"],
                        "confirm": True,
                        "off_session": True,
                        "capture_method": "manual",
                        "metadata": {
                            **metadata,
                            "ichiba_description": description[:500],
                            IDEMPOTENCY_METADATA_KEY: idempotency_key,
                        },
                    },
                    options={"idempotency_key": idempotency_key},
                )
            except stripe.CardError as error:
                return self._declined(error)
            except stripe.InvalidRequestError as error:
                # An unknown or unusable payment method is the buyer's problem, not a defect of ours: decline,
                # or the settlement would be re-driven forever.
                if error.param == "payment_method":
                    return PaymentResult(
                        status="declined",
                        failure_code=error.code or "invalid_payment_method",
                        failure_message=error.user_message or str(error),
                    )
                raise
        return payment_result_from_intent(intent)

    def capture(self, *, payment_ref: str, amount: int, idempotency_key: str) -> PaymentResult:
        with _transient_errors():
            try:
                intent = self.client.v1.payment_intents.capture(
                    payment_ref, params={"amount_to_capture": amount}, options={"idempotency_key": idempotency_key}
                )
            except stripe.InvalidRequestError as error:
                return self._state_after_refusal(payment_ref, error, unchanged="authorized")
        return payment_result_from_intent(intent)

    def void(self, *, payment_ref: str, idempotency_key: str) -> PaymentResult:
        with _transient_errors():
            try:
                intent = self.client.v1.payment_intents.cancel(
                    payment_ref, options={"idempotency_key": idempotency_key}
                )
            except stripe.InvalidRequestError as error:
                return self._state_after_refusal(payment_ref, error, unchanged="authorized")
        return payment_result_from_intent(intent)

    def refund(self, *, payment_ref: str, amount: int, idempotency_key: str) -> PaymentResult:
        with _transient_errors():
            refund = self._refund_with_key(payment_ref=payment_ref, idempotency_key=idempotency_key)
            if refund is None:
                try:
                    refund = self.client.v1.refunds.create(
                        params={
                            "payment_intent": payment_ref,
                            "amount": amount,
                            "metadata": {IDEMPOTENCY_METADATA_KEY: idempotency_key},
                        },
                        options={"idempotency_key": idempotency_key},
                    )
                except stripe.InvalidRequestError as error:
                    return self._state_after_refusal(payment_ref, error, unchanged="captured")
        if refund.status == "succeeded":
            return PaymentResult(status="refunded", payment_ref=payment_ref)
        if refund.status in ("failed", "canceled"):
            # The money stays captured; the reason is kept for the operator.
            return PaymentResult(
                status="captured",
                payment_ref=payment_ref,
                failure_code=f"refund_{refund.status}",
                failure_message=str(getattr(refund, "failure_reason", "") or "The refund did not go through."),
            )
        return PaymentResult(status="processing", payment_ref=payment_ref)

    def retrieve(self, *, payment_ref: str) -> PaymentResult:
        with _transient_errors():
            intent = self.client.v1.payment_intents.retrieve(payment_ref, params={"expand": ["latest_charge"]})
        return payment_result_from_intent(intent)

    # --- payouts --------------------------------------------------------------------------------------------------

    def transfer(
        self, *, amount: int, currency: str, destination: str, idempotency_key: str, description: str
    ) -> TransferResult:
        with _transient_errors():
            try:
                existing = _find_transfer(self.client, destination=destination, idempotency_key=idempotency_key)
                if existing:
                    return TransferResult(transfer_ref=existing)
                transfer = _create_transfer(
                    self.client,
                    idempotency_key=idempotency_key,
                    amount=amount,
                    currency=currency.lower(),
                    destination=destination,
                    description=description[:500],
                    metadata={IDEMPOTENCY_METADATA_KEY: idempotency_key},
                )
            except (stripe.InvalidRequestError, stripe.PermissionError) as error:
                # An unknown or closed connected account, a currency it cannot take: final, not transient.
                raise ProviderRefused(f"stripe: {error.user_message or error}") from error
        return TransferResult(transfer_ref=transfer.id)

    # --- helpers --------------------------------------------------------------------------------------------------

    def _customer(self, customer_ref: str) -> str:
        """The organisation's Stripe customer, created at its first authorisation and kept on its payment methods."""
        try:
            methods = PaymentMethod.objects.filter(organization_id=uuid.UUID(customer_ref))
        except ValueError:  # not an organisation id: nowhere to keep the customer
            methods = PaymentMethod.objects.none()
        stored = methods.exclude(provider_customer="").values_list("provider_customer", flat=True).first()
        if not stored:
            customer = self.client.v1.customers.create(
                params={"metadata": {"ichiba_organization": customer_ref}},
                options={"idempotency_key": f"ichiba-customer-{customer_ref}"},
            )
            stored = customer.id
        # First writer wins: of two racing first authorisations both end up using the customer stored first
        # (the other one stays empty). Payment methods saved later inherit it here.
        methods.filter(provider_customer="").update(provider_customer=stored)
        return methods.exclude(provider_customer="").values_list("provider_customer", flat=True).first() or stored

    def _intent_with_key(self, *, customer: str, idempotency_key: str) -> str:
        """The id of a PaymentIntent of this customer already confirmed under our key, or ""."""
        charges = self.client.v1.charges.list(
            params={
                "customer": customer,
                "created": {"gt": int(time.time()) - LOOKUP_WINDOW_SECONDS},
                "limit": 100,
                "expand": ["data.payment_intent"],
            }
        )
        for charge in charges.auto_paging_iter():
            intent = charge.get("payment_intent")
            if (
                isinstance(intent, Mapping)
                and (intent.get("metadata") or {}).get(IDEMPOTENCY_METADATA_KEY) == idempotency_key
            ):
                return str(intent["id"])
        return ""

    def _refund_with_key(self, *, payment_ref: str, idempotency_key: str) -> stripe.Refund | None:
        refunds = self.client.v1.refunds.list(params={"payment_intent": payment_ref, "limit": 100})
        for refund in refunds.auto_paging_iter():
            if (refund.get("metadata") or {}).get(IDEMPOTENCY_METADATA_KEY) == idempotency_key:
                return refund
        return None

    def _declined(self, error: stripe.CardError) -> PaymentResult:
        details: Mapping[str, Any] = error.error or {}
        intent = details.get("payment_intent")
        payment_ref = str(_field(intent, "id") or "")
        charge = details.get("charge")
        if not payment_ref and charge:
            # localstripe names only the failed charge; real Stripe also sends the PaymentIntent.
            payment_ref = str(self.client.v1.charges.retrieve(str(charge)).get("payment_intent") or "")
        return PaymentResult(
            status="declined",
            payment_ref=payment_ref,
            failure_code=_failure_code(code=error.code, decline_code=details.get("decline_code")),
            failure_message=error.user_message or str(details.get("message") or "Your card was declined."),
        )

    def _state_after_refusal(
        self, payment_ref: str, error: stripe.InvalidRequestError, *, unchanged: str
    ) -> PaymentResult:
        """Stripe refuses a capture, cancel or refund the PaymentIntent's state no longer allows (it was already
        done, or overtaken). Answer with that state, as a replay would; if it did not move, the refusal is real."""
        current = self.retrieve(payment_ref=payment_ref)
        if current.status == unchanged:
            raise error
        return current


def client_build() -> stripe.StripeClient:
    """A client on ``settings.STRIPE`` (``API_BASE`` points it at localstripe in tests)."""
    config = settings.STRIPE
    base: Any = {"api": config["API_BASE"]} if config.get("API_BASE") else {}
    return stripe.StripeClient(
        config["SECRET_KEY"],
        stripe_version=config["API_VERSION"],
        base_addresses=base,
        # Retries belong to the settlement pipeline (backoff, recorded attempts), not to the SDK.
        max_network_retries=0,
        http_client=stripe.new_default_http_client(timeout=market_settings().provider_timeout.total_seconds()),
    )


@contextmanager
def _transient_errors() -> Iterator[None]:
    """Connection failures, timeouts, rate limits and 5xx answers become ``ProviderUnavailable``; anything else
    (bad request, authentication, a card error not handled by the caller) stays what it is: a defect."""
    try:
        yield
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise ProviderUnavailable(f"stripe: {type(error).__name__}: {error.user_message or error}") from error
    except stripe.IdempotencyError as error:
        # 409: a request with this key is still in flight at Stripe; retry later. Otherwise the key was reused
        # with other parameters, which is our defect.
        if error.http_status == 409:
            raise ProviderUnavailable(f"stripe: idempotent request in progress: {error}") from error
        raise
    except stripe.APIError as error:
        raise ProviderUnavailable(f"stripe: API error {error.http_status}: {error}") from error
    except stripe.StripeError as error:
        if error.http_status is not None and error.http_status >= 500:
            raise ProviderUnavailable(f"stripe: HTTP {error.http_status}: {error}") from error
        raise


# --- reading Stripe objects (also used for incoming webhooks) -------------------------------------------------


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return None


def _failure_code(*, code: Any, decline_code: Any) -> str:
    if decline_code and decline_code not in _GENERIC_DECLINE_CODES:
        return str(decline_code)
    return str(code or "card_declined")


def _minor_units(value: Any) -> int | None:
    """An amount as Stripe states it (an integer of minor units), or None when it states none."""
    return value if type(value) is int else None


def _stated(obj: Mapping[str, Any], *, received: str) -> dict[str, Any]:
    """What a PaymentIntent or charge says it is for: amount, currency, and what was captured (``received``)."""
    return {
        "amount": _minor_units(obj.get("amount")),
        "currency": str(obj.get("currency") or ""),
        "amount_received": _minor_units(obj.get(received)),
    }


def payment_result_from_intent(intent: Mapping[str, Any]) -> PaymentResult:
    """Our view of a PaymentIntent (an SDK object or a webhook's ``data.object``)."""
    payment_ref = str(intent.get("id") or "")
    status = intent.get("status")
    stated = _stated(intent, received="amount_received")
    if status == "requires_capture":
        return PaymentResult(status="authorized", payment_ref=payment_ref, **stated)
    if status == "succeeded":
        # ``latest_charge`` is an id unless expanded (retrieve expands it; localstripe always inlines it).
        refunded = bool(_field(intent.get("latest_charge"), "refunded"))
        return PaymentResult(status="refunded" if refunded else "captured", payment_ref=payment_ref, **stated)
    if status == "canceled":
        return PaymentResult(status="voided", payment_ref=payment_ref, **stated)
    if status == "requires_payment_method":
        error = intent.get("last_payment_error") or {}
        return PaymentResult(
            status="declined",
            payment_ref=payment_ref,
            failure_code=_failure_code(code=_field(error, "code"), decline_code=_field(error, "decline_code")),
            failure_message=str(_field(error, "message") or "The payment was not authorised."),
            **stated,
        )
    if status == "requires_action":
        # Off-session, nobody is there to authenticate: Stripe's answer to such a card is this decline.
        return PaymentResult(
            status="declined",
            payment_ref=payment_ref,
            failure_code="authentication_required",
            failure_message="Your card was declined. This transaction requires authentication.",
            **stated,
        )
    # requires_confirmation, processing: not settled yet.
    return PaymentResult(status="processing", payment_ref=payment_ref, **stated)


def payment_result_from_charge(charge: Mapping[str, Any]) -> PaymentResult | None:
    """Our view of a charge (``charge.*`` webhooks): its PaymentIntent's state, if it says one."""
    intent = charge.get("payment_intent")
    payment_ref = str((_field(intent, "id") if isinstance(intent, Mapping) else intent) or "")
    if not payment_ref:
        return None
    stated = _stated(charge, received="amount_captured")
    if charge.get("refunded"):
        return PaymentResult(status="refunded", payment_ref=payment_ref, **stated)
    if charge.get("captured") and charge.get("status") == "succeeded":
        return PaymentResult(status="captured", payment_ref=payment_ref, **stated)
    return None
