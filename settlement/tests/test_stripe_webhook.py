"""``POST /api/v1/stripe/webhook``: signature verified, stored once per event id, applied once, and only when it
speaks of the payment we asked for.

Events are signed here exactly as Stripe signs them (``t=<unix time>,v1=<HMAC-SHA256 of "t.body">``); the
settlements they move come from real trades paid through the stripe provider on localstripe (eager tasks).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from settlement.models import LedgerTransaction, ProviderEvent, Settlement, SettlementEvent
from settlement.services import provider_events, settlements
from settlement.services.payment_methods import payment_method_save_default
from tests.builders import Party, place, published_offering

pytestmark = pytest.mark.django_db

URL = "/api/v1/stripe/webhook"
SECRET = "whsec_ichiba_test"


@pytest.fixture(autouse=True)
def _webhook_secret(settings: Any) -> None:
    settings.STRIPE = {**settings.STRIPE, "WEBHOOK_SECRET": SECRET}


@pytest.fixture
def stripe_payments(localstripe: str, settings: Any) -> str:
    """Trades are paid through the stripe provider, on localstripe: Stripe's events speak of Stripe payments."""
    settings.ICHIBA = {**settings.ICHIBA, "PAYMENT_PROVIDER": "stripe"}
    return localstripe


@pytest.fixture
def stripe_client() -> APIClient:
    # As Stripe calls us: no credentials, no CSRF token.
    return APIClient(enforce_csrf_checks=True)


def signature(body: bytes, *, secret: str = SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-08-27.basil",
        "created": int(time.time()),
        "type": event_type,
        "data": {"object": obj},
    }


def post(client: APIClient, body: bytes, *, header: str | None = None) -> Any:
    extra: dict[str, Any] = {}
    if header != "":
        extra["HTTP_STRIPE_SIGNATURE"] = signature(body) if header is None else header
    return client.post(URL, data=body, content_type="application/json", **extra)


def send(client: APIClient, payload: dict[str, Any]) -> Any:
    return post(client, json.dumps(payload).encode())


def authorised_settlement(seller: Party, buyer: Party, capture: Any) -> Settlement:
    payment_method_save_default(organization_id=buyer.organization.id, token="pm_card_visa")
    offering = published_offering(seller, capture, seats=10)
    with capture(execute=True):
        assert place(seller, offering, "sell", 1, 1000).status_code == 201
    with capture(execute=True):
        response = place(buyer, offering, "buy", 1, 1000)
    assert response.status_code == 201, response.content
    settlement = Settlement.objects.get(trade_id=response.json()["trades"][0]["id"])
    assert settlement.status == "authorized" and settlement.payment_ref
    return settlement


def intent(settlement: Settlement, status: str, **fields: Any) -> dict[str, Any]:
    """The PaymentIntent of the settlement as Stripe sends it: amounts in minor units, the currency in lower case."""
    return {
        "id": settlement.payment_ref,
        "object": "payment_intent",
        "amount": settlement.amount,
        "amount_received": settlement.amount if status == "succeeded" else 0,
        "currency": settlement.currency.lower(),
        "status": status,
        "metadata": {"settlement": str(settlement.id)},
        **fields,
    }


# --- storing ----------------------------------------------------------------------------------------------------


def test_a_signed_event_is_stored_once_and_replays_change_nothing(stripe_client: APIClient) -> None:
    payload = event("customer.created", {"id": "cus_1", "object": "customer"}, event_id="evt_once")

    first = send(stripe_client, payload)
    assert first.status_code == 200, first.content
    assert first.json() == {"id": "evt_once", "status": "ignored", "duplicate": False}
    stored = ProviderEvent.objects.get()
    assert (stored.provider, stored.event_id, stored.type, stored.payload) == (
        "stripe",
        "evt_once",
        "customer.created",
        payload,
    )
    assert stored.processed_at is not None
    assert "not handled" in stored.error

    for _ in range(4):
        again = send(stripe_client, payload)
        assert again.status_code == 200
        assert again.json()["duplicate"] is True
    assert ProviderEvent.objects.count() == 1
    assert ProviderEvent.objects.get().processed_at == stored.processed_at


@pytest.mark.parametrize(
    "header",
    [
        "",  # missing
        "t=1,v1=deadbeef",  # garbage
        "not a signature header",
    ],
)
def test_a_missing_or_malformed_signature_is_400_and_stores_nothing(stripe_client: APIClient, header: str) -> None:
    body = json.dumps(event("payment_intent.succeeded", {"id": "pi_1"})).encode()
    response = post(stripe_client, body, header=header)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/invalid"
    assert not ProviderEvent.objects.exists()


def test_a_forged_signature_is_400_and_stores_nothing(stripe_client: APIClient) -> None:
    body = json.dumps(event("payment_intent.succeeded", {"id": "pi_1"})).encode()
    forged = [
        signature(body, secret="whsec_someone_else"),
        signature(body.replace(b"pi_1", b"pi_2")),  # signed another body
        signature(body, timestamp=int(time.time()) - 3600),  # replayed past the tolerance
    ]
    for header in forged:
        response = post(stripe_client, body, header=header)
        assert response.status_code == 400, header
        assert response["Content-Type"] == "application/problem+json"
    assert not ProviderEvent.objects.exists()


def test_without_a_configured_secret_nothing_is_accepted(stripe_client: APIClient, settings: Any) -> None:
    body = json.dumps(event("payment_intent.succeeded", {"id": "pi_1"})).encode()
    header = signature(body, secret="")
    settings.STRIPE = {**settings.STRIPE, "WEBHOOK_SECRET": ""}

    assert post(stripe_client, body, header=header).status_code == 400
    assert not ProviderEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{not json", "/problems/malformed"),
        (b"\xff\xfe", "/problems/invalid"),
        (b"[1, 2]", "/problems/invalid"),
        (json.dumps({"type": "charge.refunded", "data": {"object": {}}}).encode(), "/problems/invalid"),
        (json.dumps({"id": "evt_1", "type": "charge.refunded"}).encode(), "/problems/invalid"),
    ],
)
def test_a_signed_body_that_is_not_an_event_is_400(stripe_client: APIClient, body: bytes, problem: str) -> None:
    response = post(stripe_client, body)

    assert response.status_code == 400
    assert response.json()["type"] == problem
    assert not ProviderEvent.objects.exists()


def test_only_post_is_allowed(stripe_client: APIClient) -> None:
    response = stripe_client.get(URL)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


# --- handling ---------------------------------------------------------------------------------------------------


def test_the_same_capture_event_five_times_captures_once(
    seller: Party, buyer: Party, stripe_client: APIClient, stripe_payments: str, django_capture_on_commit_callbacks: Any
) -> None:
    settlement = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    payload = event("payment_intent.succeeded", intent(settlement, "succeeded"))

    for _ in range(5):
        response = send(stripe_client, payload)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "processed"

    settlement.refresh_from_db()
    assert settlement.status == "captured"
    assert ProviderEvent.objects.count() == 1
    assert ProviderEvent.objects.get().status == "processed"
    assert SettlementEvent.objects.filter(settlement=settlement, to_status="captured").count() == 1


def test_an_older_state_arriving_late_changes_nothing(
    seller: Party, buyer: Party, stripe_client: APIClient, stripe_payments: str, django_capture_on_commit_callbacks: Any
) -> None:
    settlement = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    assert send(stripe_client, event("payment_intent.succeeded", intent(settlement, "succeeded"))).status_code == 200
    late = send(
        stripe_client, event("payment_intent.amount_capturable_updated", intent(settlement, "requires_capture"))
    )

    assert late.status_code == 200
    settlement.refresh_from_db()
    assert settlement.status == "captured"


def test_charge_refunded_refunds_the_settlement(
    seller: Party, buyer: Party, stripe_client: APIClient, stripe_payments: str, django_capture_on_commit_callbacks: Any
) -> None:
    settlement = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": settlement.payment_ref,
        "amount": settlement.amount,
        "amount_captured": settlement.amount,
        "currency": settlement.currency.lower(),
        "captured": True,
        "refunded": True,
        "status": "succeeded",
    }

    for _ in range(2):
        assert send(stripe_client, event("charge.refunded", charge, event_id="evt_refund")).status_code == 200

    settlement.refresh_from_db()
    assert settlement.status == "refunded"
    assert SettlementEvent.objects.filter(settlement=settlement, to_status="refunded").count() == 1


def test_an_event_that_overtook_the_authorisation_finds_its_settlement_by_metadata(
    seller: Party, buyer: Party, stripe_client: APIClient, stripe_payments: str, django_capture_on_commit_callbacks: Any
) -> None:
    settlement = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    # As if the authorisation's answer had not been recorded yet when Stripe's event arrived.
    Settlement.objects.filter(pk=settlement.pk).update(payment_ref="")
    payload = event("payment_intent.succeeded", {**intent(settlement, "succeeded"), "id": "pi_overtaking"})

    assert send(stripe_client, payload).json()["status"] == "processed"
    settlement.refresh_from_db()
    assert (settlement.status, settlement.payment_ref) == ("captured", "pi_overtaking")


def test_a_payment_of_no_settlement_is_ignored(stripe_client: APIClient) -> None:
    payload = event(
        "payment_intent.succeeded",
        {"id": "pi_elsewhere", "object": "payment_intent", "status": "succeeded", "metadata": {}},
    )

    response = send(stripe_client, payload)
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert "no settlement" in ProviderEvent.objects.get().error


def test_a_stale_payment_intent_never_speaks_for_a_settlement_paid_by_another(
    seller: Party, buyer: Party, stripe_client: APIClient, stripe_payments: str, django_capture_on_commit_callbacks: Any
) -> None:
    settlement = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    payload = event("payment_intent.canceled", {**intent(settlement, "canceled"), "id": "pi_stale"})

    assert send(stripe_client, payload).json()["status"] == "ignored"
    settlement.refresh_from_db()
    assert settlement.status == "authorized"


def test_a_failed_handling_is_kept_answered_500_and_handled_on_redelivery(
    seller: Party,
    buyer: Party,
    stripe_client: APIClient,
    stripe_payments: str,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settlement = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    payload = event("payment_intent.succeeded", intent(settlement, "succeeded"))
    real_apply = provider_events.settlement_apply_provider_state

    def broken(**kwargs: Any) -> Settlement:
        raise RuntimeError("database went away")

    monkeypatch.setattr(provider_events, "settlement_apply_provider_state", broken)
    response = send(stripe_client, payload)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    stored = ProviderEvent.objects.get()
    assert stored.status == "failed"
    assert "database went away" in stored.error

    monkeypatch.setattr(provider_events, "settlement_apply_provider_state", real_apply)
    assert send(stripe_client, payload).json()["status"] == "processed"
    settlement.refresh_from_db()
    assert settlement.status == "captured"
    assert ProviderEvent.objects.count() == 1


# --- an event must speak of the payment we asked for ------------------------------------------------------------


def untouched(settlement: Settlement) -> None:
    """The settlement is as the authorisation left it: still authorised, nothing captured, nothing booked."""
    after = Settlement.objects.get(pk=settlement.pk)
    assert (after.status, after.captured_at) == ("authorized", None)
    assert not LedgerTransaction.objects.filter(settlement=settlement).exists()
    assert not SettlementEvent.objects.filter(settlement=settlement, to_status="captured").exists()


def flags(settlement: Settlement) -> list[str]:
    """The settlement's events that flagged it (the parties see them with the settlement)."""
    return [
        event.reason
        for event in SettlementEvent.objects.filter(settlement=settlement, reason__contains="does not match")
    ]


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"amount": 1, "amount_received": 1}, "amount 1, not 1100"),
        ({"currency": "usd"}, "currency USD, not JPY"),
        ({"amount_received": 400}, "partial capture: 400 of 1100 JPY received"),
        ({"amount": None, "currency": None}, "no amount stated; no currency stated"),
    ],
    ids=["wrong-amount", "wrong-currency", "partial-capture", "amount-unstated"],
)
def test_a_succeeded_event_that_does_not_match_changes_nothing_and_is_flagged(
    seller: Party,
    buyer: Party,
    stripe_client: APIClient,
    stripe_payments: str,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
    overrides: dict[str, Any],
    problem: str,
) -> None:
    settlement = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    body = {key: value for key, value in {**intent(settlement, "succeeded"), **overrides}.items() if value is not None}
    payload = event("payment_intent.succeeded", body)

    for _ in range(3):  # Stripe redelivers; a replay changes nothing either
        response = send(stripe_client, payload)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "flagged"

    untouched(settlement)
    stored = ProviderEvent.objects.get()
    assert stored.status == "flagged" and problem in stored.error and str(settlement.id) in stored.error
    flagged = Settlement.objects.get(pk=settlement.pk)
    assert problem in flagged.review_reason and payload["id"] in flagged.review_reason
    assert flagged.review_flagged_at is not None
    [reason] = flags(settlement)
    assert problem in reason and "nothing changed" in reason
    [line] = [record for record in caplog.records if getattr(record, "event", "") == "settlement.flagged_for_review"]
    assert line.settlement == str(settlement.id) and problem in line.problem  # type: ignore[attr-defined]
    # The parties read the flag with the settlement.
    history = buyer.client.get(f"/api/v1/settlements/{settlement.id}").json()["events"]
    assert any(problem in entry["reason"] for entry in history)


def test_a_matching_event_still_captures_after_a_mismatching_one(
    seller: Party, buyer: Party, stripe_client: APIClient, stripe_payments: str, django_capture_on_commit_callbacks: Any
) -> None:
    settlement = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    forged = event("payment_intent.succeeded", intent(settlement, "succeeded", amount=1, amount_received=1))
    assert send(stripe_client, forged).json()["status"] == "flagged"

    genuine = event("payment_intent.succeeded", intent(settlement, "succeeded"))
    for _ in range(2):
        assert send(stripe_client, genuine).json()["status"] == "processed"

    settlement.refresh_from_db()
    assert settlement.status == "captured"
    [booked] = LedgerTransaction.objects.filter(settlement=settlement, kind="capture")
    assert booked.entries.filter(account="provider_balance").get().amount == settlement.amount


def test_a_cancel_or_refund_of_another_amount_moves_nothing(
    seller: Party, buyer: Party, stripe_client: APIClient, stripe_payments: str, django_capture_on_commit_callbacks: Any
) -> None:
    settlement = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    canceled = event("payment_intent.canceled", intent(settlement, "canceled", amount=1))
    refund = {
        "id": "ch_forged",
        "object": "charge",
        "payment_intent": settlement.payment_ref,
        "amount": settlement.amount,
        "amount_captured": settlement.amount,
        "currency": "eur",
        "captured": True,
        "refunded": True,
        "status": "succeeded",
    }

    assert send(stripe_client, canceled).json()["status"] == "flagged"
    assert send(stripe_client, event("charge.refunded", refund)).json()["status"] == "flagged"

    untouched(settlement)
    assert Settlement.objects.get(pk=settlement.pk).entitlement.status == "active", "access was not revoked"
    assert len(flags(settlement)) == 2


def test_an_event_of_another_provider_s_payment_is_flagged(
    seller: Party, buyer: Party, stripe_client: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    """A settlement paid through the offline provider: no Stripe event speaks for it, whatever it names."""
    settlement = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    assert settlement.provider == "offline"
    payload = event("payment_intent.succeeded", intent(settlement, "succeeded"))

    assert send(stripe_client, payload).json()["status"] == "flagged"

    untouched(settlement)
    assert "provider stripe, not offline" in ProviderEvent.objects.get().error


def test_the_operator_sees_the_flag_and_closes_the_review(
    seller: Party,
    buyer: Party,
    stripe_client: APIClient,
    stripe_payments: str,
    django_capture_on_commit_callbacks: Any,
    django_user_model: Any,
) -> None:
    settlement = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    other = authorised_settlement(seller, buyer, django_capture_on_commit_callbacks)
    send(stripe_client, event("payment_intent.succeeded", intent(settlement, "succeeded", amount_received=1)))
    operator = Client()  # the operator's console: a browser's form posts
    operator.force_login(django_user_model.objects.create_superuser("operator", "op@example.com", "x"))
    url = "/admin/settlement/settlement/"

    flagged = operator.get(url, {"needs_review": "yes"}).content.decode()
    assert str(settlement.id) in flagged and str(other.id) not in flagged
    event_list = operator.get("/admin/settlement/providerevent/", {"status__exact": "flagged"}).content.decode()
    assert "partial capture" in event_list

    closed = operator.post(url, {"action": "close_review", "index": 0, "_selected_action": [str(settlement.id)]})
    assert closed.status_code == 302
    after = Settlement.objects.get(pk=settlement.pk)
    assert (after.review_reason, after.status) == ("", "authorized")
    assert SettlementEvent.objects.filter(settlement=settlement, actor="operator", reason__startswith="review closed")
    assert str(settlement.id) not in operator.get(url, {"needs_review": "yes"}).content.decode()
