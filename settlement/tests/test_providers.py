"""Payment providers: the offline provider, and the Stripe provider against a real localstripe on loopback.

The behaviours both must share run against both (``provider`` is parametrised). Counting "one payment" is
done at the provider itself: the offline provider's table, localstripe's PaymentIntents and charges.
Note that localstripe ignores ``Idempotency-Key``: the Stripe provider passes the idempotency tests because
it finds its earlier PaymentIntent by the key in its metadata, which is what protects us after Stripe's
24-hour key window too.
"""

from __future__ import annotations

import socket
import time
import uuid
from typing import Any

import pytest
import stripe

from config.errors import InvalidInput
from settlement.models import OfflinePayment, OfflineTransfer, PaymentMethod
from settlement.providers import PaymentProvider, ProviderUnavailable, provider_get
from settlement.providers import stripe as stripe_provider
from settlement.providers.base import PaymentResult
from settlement.providers.offline import OfflineProvider
from settlement.providers.stripe import (
    StripeProvider,
    _transient_errors,
    client_build,
    payment_result_from_charge,
    payment_result_from_intent,
)
from settlement.services.payment_methods import payment_method_save_default
from tests.builders import Party

pytestmark = pytest.mark.django_db

AMOUNT = 12_000  # JPY has no minor unit
# Declines under both: localstripe knows only a few test methods, and this is the one it declines at charge time.
DECLINING = "pm_card_chargeCustomerFail"


@pytest.fixture(params=["offline", "stripe"])
def provider_name(request: pytest.FixtureRequest) -> str:
    if request.param == "stripe":
        request.getfixturevalue("localstripe")
    return str(request.param)


@pytest.fixture
def provider(provider_name: str) -> PaymentProvider:
    return provider_get(provider_name)


@pytest.fixture
def customer_ref(buyer: Party) -> str:
    payment_method_save_default(organization_id=buyer.organization.id, token="pm_card_visa")
    return buyer.id


def _authorize(provider: PaymentProvider, customer_ref: str, *, key: str, payment_method: str = "pm_card_visa") -> Any:
    return provider.authorize(
        amount=AMOUNT,
        currency="JPY",
        payment_method=payment_method,
        customer_ref=customer_ref,
        idempotency_key=key,
        description="Ichiba trade test",
        metadata={"settlement": str(uuid.uuid4())},
    )


def _payments_at_provider(provider_name: str) -> tuple[int, int]:
    """(payments, charges) the provider holds."""
    if provider_name == "offline":
        count = OfflinePayment.objects.count()
        return count, count
    client = client_build()
    intents = len(list(client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()))
    charges = len(list(client.v1.charges.list(params={"limit": 100}).auto_paging_iter()))
    return intents, charges


# --- the same behaviours, both providers --------------------------------------------------------------------------


def test_authorise_then_capture(provider: PaymentProvider, customer_ref: str) -> None:
    authorised = _authorize(provider, customer_ref, key="k-auth")
    assert authorised.status == "authorized"
    assert authorised.payment_ref

    captured = provider.capture(payment_ref=authorised.payment_ref, amount=AMOUNT, idempotency_key="k-capture")
    assert (captured.status, captured.payment_ref) == ("captured", authorised.payment_ref)
    # What the payment is for, which the settlement checks before believing the status (localstripe states no
    # amount_received; Stripe and the offline provider do).
    assert (captured.amount, captured.currency.upper()) == (AMOUNT, "JPY")
    assert captured.amount_received in (AMOUNT, None)
    assert provider.retrieve(payment_ref=authorised.payment_ref).status == "captured"
    # A replayed capture (a retried task) answers with the state reached, never an error.
    again = provider.capture(payment_ref=authorised.payment_ref, amount=AMOUNT, idempotency_key="k-capture")
    assert again.status == "captured"


def test_authorise_then_void(provider: PaymentProvider, customer_ref: str) -> None:
    authorised = _authorize(provider, customer_ref, key="k-auth")

    voided = provider.void(payment_ref=authorised.payment_ref, idempotency_key="k-void")
    assert (voided.status, voided.payment_ref) == ("voided", authorised.payment_ref)
    assert provider.void(payment_ref=authorised.payment_ref, idempotency_key="k-void").status == "voided"
    assert provider.retrieve(payment_ref=authorised.payment_ref).status == "voided"
    # A capture that lost the race against the void learns the truth instead of failing.
    late = provider.capture(payment_ref=authorised.payment_ref, amount=AMOUNT, idempotency_key="k-capture")
    assert late.status == "voided"


def test_decline_is_a_result_with_a_code(provider: PaymentProvider, customer_ref: str) -> None:
    declined = _authorize(provider, customer_ref, key="k-declined", payment_method=DECLINING)

    assert declined.status == "declined"
    assert declined.failure_code == "card_declined"
    assert declined.failure_message
    assert declined.payment_ref, "the declined attempt is identifiable at the provider"
    assert provider.retrieve(payment_ref=declined.payment_ref).status == "declined"
    # Retrying a declined authorisation under the same key repeats the answer; it does not charge again.
    again = _authorize(provider, customer_ref, key="k-declined", payment_method=DECLINING)
    assert (again.status, again.payment_ref, again.failure_code) == ("declined", declined.payment_ref, "card_declined")


def test_refund_after_capture(provider: PaymentProvider, provider_name: str, customer_ref: str) -> None:
    authorised = _authorize(provider, customer_ref, key="k-auth")
    provider.capture(payment_ref=authorised.payment_ref, amount=AMOUNT, idempotency_key="k-capture")

    refunded = provider.refund(payment_ref=authorised.payment_ref, amount=AMOUNT, idempotency_key="k-refund")
    assert (refunded.status, refunded.payment_ref) == ("refunded", authorised.payment_ref)
    assert provider.refund(payment_ref=authorised.payment_ref, amount=AMOUNT, idempotency_key="k-refund") == refunded
    assert provider.retrieve(payment_ref=authorised.payment_ref).status == "refunded"
    if provider_name == "stripe":
        refunds = client_build().v1.refunds.list(params={"payment_intent": authorised.payment_ref})
        assert len(refunds.data) == 1, "a replayed refund must not refund twice"


def test_same_idempotency_key_is_one_payment(provider: PaymentProvider, provider_name: str, customer_ref: str) -> None:
    first = _authorize(provider, customer_ref, key="ichiba-settlement-1-authorize")
    second = _authorize(provider, customer_ref, key="ichiba-settlement-1-authorize")

    assert second == first
    assert _payments_at_provider(provider_name) == (1, 1)
    other = _authorize(provider, customer_ref, key="ichiba-settlement-2-authorize")
    assert other.payment_ref != first.payment_ref
    assert _payments_at_provider(provider_name) == (2, 2)


def test_an_outage_is_provider_unavailable_and_charges_nothing(
    provider: PaymentProvider, provider_name: str, customer_ref: str, settings: Any
) -> None:
    authorised = _authorize(provider, customer_ref, key="k-before")
    if provider_name == "offline":
        settings.ICHIBA = {**settings.ICHIBA, "OFFLINE_PROVIDER_FAILURES": 1_000}
    else:
        settings.STRIPE = {**settings.STRIPE, "API_BASE": f"http://127.0.0.1:{_closed_port()}"}
    provider = provider_get(provider_name)

    with pytest.raises(ProviderUnavailable):
        _authorize(provider, customer_ref, key="k-during")
    with pytest.raises(ProviderUnavailable):
        provider.capture(payment_ref=authorised.payment_ref, amount=AMOUNT, idempotency_key="k-capture")
    if provider_name == "offline":
        assert OfflinePayment.objects.count() == 1
    else:
        with pytest.raises(ProviderUnavailable):
            provider.retrieve(payment_ref=authorised.payment_ref)


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the offline provider -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payment_method", "status", "failure_code"),
    [
        ("pm_card_visa", "authorized", ""),
        ("pm_card_mastercard", "authorized", ""),
        ("pm_card_jp", "authorized", ""),
        ("pm_card_amex", "authorized", ""),
        ("pm_1NxExampleSavedCard", "authorized", ""),
        ("pm_card_chargeDeclined", "declined", "card_declined"),
        ("pm_card_visa_chargeDeclined", "declined", "card_declined"),
        ("pm_card_chargeDeclinedInsufficientFunds", "declined", "insufficient_funds"),
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "declined", "expired_card"),
        ("pm_card_chargeDeclinedIncorrectCvc", "declined", "incorrect_cvc"),
        ("pm_card_chargeDeclinedProcessingError", "declined", "processing_error"),
        ("pm_card_visa_chargeDeclinedLostCard", "declined", "lost_card"),
        ("pm_card_visa_chargeDeclinedStolenCard", "declined", "stolen_card"),
        ("pm_card_visa_chargeDeclinedVelocityLimitExceeded", "declined", "card_velocity_exceeded"),
        ("pm_card_chargeCustomerFail", "declined", "card_declined"),
        ("pm_card_authenticationRequired", "declined", "authentication_required"),
    ],
)
def test_offline_honours_stripe_test_payment_methods(payment_method: str, status: str, failure_code: str) -> None:
    result = _authorize(OfflineProvider(), "org", key=f"k-{payment_method}", payment_method=payment_method)

    assert (result.status, result.failure_code) == (status, failure_code)
    assert bool(result.failure_message) == (status == "declined")
    stored = OfflinePayment.objects.get(idempotency_key=f"k-{payment_method}")
    assert (stored.status, stored.amount, stored.currency) == (status, AMOUNT, "JPY")


def test_offline_refuses_a_key_replayed_with_another_amount() -> None:
    provider = OfflineProvider()
    _authorize(provider, "org", key="k")
    with pytest.raises(ValueError, match="another amount"):
        provider.authorize(
            amount=AMOUNT + 1,
            currency="JPY",
            payment_method="pm_card_visa",
            customer_ref="org",
            idempotency_key="k",
            description="",
            metadata={},
        )


def test_offline_failures_hook_fails_the_first_calls_of_each_key(settings: Any) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "OFFLINE_PROVIDER_FAILURES": 2}
    provider = OfflineProvider()

    for _ in range(2):
        with pytest.raises(ProviderUnavailable, match="simulated"):
            _authorize(provider, "org", key="k-1")
    assert not OfflinePayment.objects.exists(), "a failed call has no effect"
    authorised = _authorize(provider, "org", key="k-1")
    assert authorised.status == "authorized"
    assert _authorize(provider, "org", key="k-1") == authorised
    # Counted per key: a capture under its own key fails twice before it goes through.
    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            provider.capture(payment_ref=authorised.payment_ref, amount=AMOUNT, idempotency_key="k-1-capture")
    assert provider.retrieve(payment_ref=authorised.payment_ref).status == "authorized"
    captured = provider.capture(payment_ref=authorised.payment_ref, amount=AMOUNT, idempotency_key="k-1-capture")
    assert captured.status == "captured"


def test_offline_delay_hook_sleeps_after_recording(settings: Any) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "OFFLINE_PROVIDER_DELAY_SECONDS": 0.3}
    provider = OfflineProvider()

    started = time.monotonic()
    first = _authorize(provider, "org", key="k-slow")
    assert time.monotonic() - started >= 0.3
    # The payment was recorded before the sleep: a caller killed during it finds the payment on retry.
    started = time.monotonic()
    assert _authorize(provider, "org", key="k-slow") == first
    assert time.monotonic() - started < 0.3


def test_offline_transfer_is_idempotent() -> None:
    provider = OfflineProvider()
    first = provider.transfer(
        amount=9_500, currency="JPY", destination="acct_seller", idempotency_key="payout-1", description="payout"
    )
    again = provider.transfer(
        amount=9_500, currency="JPY", destination="acct_seller", idempotency_key="payout-1", description="payout"
    )
    assert again == first
    assert OfflineTransfer.objects.count() == 1


# --- the Stripe provider ------------------------------------------------------------------------------------------


def test_stripe_reuses_one_customer_per_organisation(localstripe: str, customer_ref: str) -> None:
    provider = StripeProvider()
    _authorize(provider, customer_ref, key="k-1")
    _authorize(provider, customer_ref, key="k-2")

    customers = client_build().v1.customers.list(params={"limit": 100}).data
    assert len(customers) == 1
    assert set(PaymentMethod.objects.values_list("provider_customer", flat=True)) == {customers[0].id}


def test_stripe_payment_intent_is_manual_capture_off_session_with_our_key(localstripe: str, customer_ref: str) -> None:
    result = _authorize(StripeProvider(), customer_ref, key="k-meta")

    intent = client_build().v1.payment_intents.retrieve(result.payment_ref)
    assert intent.capture_method == "manual"
    assert intent.amount == AMOUNT
    assert intent.currency == "jpy"
    assert intent.metadata["ichiba_idempotency_key"] == "k-meta"
    assert intent.metadata["ichiba_description"] == "Ichiba trade test"


def test_stripe_transfer_goes_through_the_seams_and_never_pays_twice(
    localstripe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """localstripe has no Connect: a list stands in for the connected account's transfers."""
    made: list[dict[str, Any]] = []

    def fake_create_transfer(client: stripe.StripeClient, **params: Any) -> Any:
        made.append(params)
        return stripe.Transfer.construct_from({"id": f"tr_test_{len(made)}", "object": "transfer"}, "sk_test")

    def fake_find_transfer(client: stripe.StripeClient, *, destination: str, idempotency_key: str) -> str:
        for index, params in enumerate(made, start=1):
            if params["destination"] == destination and params["metadata"]["ichiba_idempotency_key"] == idempotency_key:
                return f"tr_test_{index}"
        return ""

    monkeypatch.setattr(stripe_provider, "_create_transfer", fake_create_transfer)
    monkeypatch.setattr(stripe_provider, "_find_transfer", fake_find_transfer)
    for _ in range(2):  # the second call stands for a re-send after Stripe forgot the idempotency key
        result = StripeProvider().transfer(
            amount=9_500, currency="JPY", destination="acct_seller", idempotency_key="payout-1", description="payout"
        )
        assert result.transfer_ref == "tr_test_1"
    assert made == [
        {
            "idempotency_key": "payout-1",
            "amount": 9_500,
            "currency": "jpy",
            "destination": "acct_seller",
            "description": "payout",
            "metadata": {"ichiba_idempotency_key": "payout-1"},
        }
    ]


def test_stripe_transfer_refused_for_good_is_not_retried(localstripe: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from settlement.providers import ProviderRefused

    def refused(client: stripe.StripeClient, **params: Any) -> Any:
        raise stripe.InvalidRequestError("No such destination: 'acct_closed'", "destination", http_status=400)

    monkeypatch.setattr(stripe_provider, "_find_transfer", lambda client, **kwargs: "")
    monkeypatch.setattr(stripe_provider, "_create_transfer", refused)
    with pytest.raises(ProviderRefused):
        StripeProvider().transfer(
            amount=1, currency="JPY", destination="acct_closed", idempotency_key="payout-2", description="payout"
        )


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (stripe.APIConnectionError("connection refused"), True),
        (stripe.RateLimitError("slow down", http_status=429), True),
        (stripe.APIError("bad gateway", http_status=502), True),
        (stripe.IdempotencyError("in flight", http_status=409), True),
        (stripe.IdempotencyError("other parameters", http_status=400), False),
        (stripe.InvalidRequestError("no such payment_intent", "intent", http_status=404), False),
        (stripe.AuthenticationError("bad key", http_status=401), False),
    ],
)
def test_stripe_error_mapping(error: stripe.StripeError, transient: bool) -> None:
    expected = ProviderUnavailable if transient else type(error)
    with pytest.raises(expected), _transient_errors():
        raise error


@pytest.mark.parametrize(
    ("last_payment_error", "failure_code"),
    [
        ({"code": "card_declined", "decline_code": "generic_decline", "message": "Declined."}, "card_declined"),
        ({"code": "card_declined", "decline_code": "insufficient_funds", "message": "Funds."}, "insufficient_funds"),
        ({"code": "expired_card", "decline_code": "expired_card", "message": "Expired."}, "expired_card"),
        ({"code": "card_declined", "message": "Declined."}, "card_declined"),
    ],
)
def test_stripe_decline_codes(last_payment_error: dict[str, str], failure_code: str) -> None:
    result = payment_result_from_intent(
        {"id": "pi_1", "status": "requires_payment_method", "last_payment_error": last_payment_error}
    )
    assert result == PaymentResult(
        status="declined", payment_ref="pi_1", failure_code=failure_code, failure_message=last_payment_error["message"]
    )


@pytest.mark.parametrize(
    ("intent", "status"),
    [
        ({"status": "requires_capture"}, "authorized"),
        ({"status": "succeeded", "latest_charge": "ch_1"}, "captured"),
        ({"status": "succeeded", "latest_charge": {"id": "ch_1", "refunded": True}}, "refunded"),
        ({"status": "canceled"}, "voided"),
        ({"status": "requires_action"}, "declined"),
        ({"status": "processing"}, "processing"),
    ],
)
def test_stripe_intent_states(intent: dict[str, Any], status: str) -> None:
    assert payment_result_from_intent({"id": "pi_1", **intent}).status == status


def test_stripe_charge_states() -> None:
    assert payment_result_from_charge({"payment_intent": "pi_1", "refunded": True}) == PaymentResult(
        status="refunded", payment_ref="pi_1"
    )
    assert payment_result_from_charge({"payment_intent": None, "refunded": True}) is None
    assert payment_result_from_charge({"payment_intent": "pi_1", "refunded": False, "captured": False}) is None


def test_stripe_objects_state_what_the_payment_is_for() -> None:
    intent = {"id": "pi_1", "status": "succeeded", "amount": 50_000, "currency": "jpy", "amount_received": 1}
    said = payment_result_from_intent(intent)
    assert (said.amount, said.currency, said.amount_received) == (50_000, "jpy", 1)
    charge = {"payment_intent": "pi_1", "refunded": True, "amount": 50_000, "currency": "jpy", "amount_captured": 9}
    from_charge = payment_result_from_charge(charge)
    assert from_charge is not None
    assert (from_charge.amount, from_charge.currency, from_charge.amount_received) == (50_000, "jpy", 9)
    # Not an integer of minor units: stated as nothing, never guessed.
    vague = payment_result_from_intent({"id": "pi_1", "status": "succeeded", "amount": "5", "amount_received": True})
    assert (vague.amount, vague.currency, vague.amount_received) == (None, "", None)


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["pm_card_visa\n", "pm_", "card_visa", "pm_card visa"])
def test_a_payment_method_that_is_not_a_whole_provider_token_is_refused(buyer: Party, token: str) -> None:
    with pytest.raises(InvalidInput):
        payment_method_save_default(organization_id=buyer.organization.id, token=token)
