"""Subscriptions: the trade opens one, its first period paid like any trade; each later period is billed when it
closes, only if delivered; declines make it past due; the buyer cancels; the term ends it.

Time passes by the close pass's clock (``as_of``, as ``close_periods --as-of`` gives it, a test clock): what is
published after a pass is counted for the period that pass opened, as it would be had the pass run at that period's
start.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from catalog.models import DatasetVersion
from catalog.selectors import new_versions_between
from contracts.models import Contract
from marketplace.models import Offering, Trade
from settlement import hooks
from settlement.models import (
    Entitlement,
    LedgerEntry,
    LedgerTransaction,
    OfflinePayment,
    Settlement,
    Subscription,
    WebhookDelivery,
)
from settlement.services import billing, settlements
from settlement.services.webhooks import EVENT_TYPES
from tests.builders import feed_version, make_party, place, readings_csv, subscription_offering, trade

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def feed(seller: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Seats of a feed, 1,000 per seat and 30-day period, for 3 periods; one new version a period is the commitment."""
    return subscription_offering(seller, django_capture_on_commit_callbacks, period_days=30, term_periods=3)


def subscribe(buyer: Any, seller: Any, offering: dict[str, Any], capture: Any, *, quantity: int = 2) -> Subscription:
    """An ask of 5 seats per period at 1000 and a crossing bid (``builders.trade``); returns its subscription."""
    return Subscription.objects.get(contract_id=trade(buyer, seller, offering, capture, quantity=quantity).contract_id)


def close(capture: Any, as_of: datetime) -> billing.Closed:
    with capture(execute=True):
        return billing.subscription_periods_close(as_of=as_of)


def listen(party: Any, events: tuple[str, ...] = EVENT_TYPES) -> None:
    response = party.client.post(
        "/api/v1/webhook-endpoints", {"url": "http://127.0.0.1:9/hook", "events": list(events)}, format="json"
    )
    assert response.status_code == 201, response.content


def sent(party: Any, event_type: str) -> list[dict[str, Any]]:
    return [
        delivery.payload["data"]
        for delivery in WebhookDelivery.objects.filter(
            endpoint__organization_id=party.organization.id, event_type=event_type
        ).order_by("created_at")
    ]


def assert_balanced() -> None:
    for posted in LedgerTransaction.objects.all():
        per_currency = posted.entries.values("currency").annotate(total=Sum("amount"))
        assert all(row["total"] == 0 for row in per_currency), posted.reference


# --- the trade ------------------------------------------------------------------------------------------------------


def test_a_trade_opens_the_subscription_its_first_period_and_the_trades_settlement_pays_it(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    subscription = subscribe(buyer, seller, feed, django_capture_on_commit_callbacks)
    contract = Contract.objects.get(pk=subscription.contract_id)
    assert (subscription.status, subscription.quantity, subscription.price, subscription.amount) == (
        "active",
        2,
        1000,
        2000,
    )
    assert (subscription.period_days, subscription.term_periods, subscription.min_versions_per_period) == (30, 3, 1)
    assert subscription.starts_at == contract.valid_from and subscription.ends_at == contract.valid_until
    assert subscription.ends_at - subscription.starts_at == 90 * DAY
    [period] = subscription.periods.all()
    assert (period.number, period.outcome, period.closed_at) == (1, "open", None)
    assert (period.starts_at, period.ends_at) == (subscription.starts_at, subscription.starts_at + 30 * DAY)
    settlement = Settlement.objects.get(contract_id=contract.id)
    assert period.settlement_id == settlement.id and settlement.period == 1
    assert (settlement.status, settlement.amount_excl_tax) == ("authorized", 2000), "paid at the trade as any trade is"
    entitlement = Entitlement.objects.get(contract=contract)
    assert entitlement.status == "active" and entitlement.valid_until == subscription.ends_at
    assert list(entitlement.versions.values_list("dataset_version_id", flat=True)) == [contract.dataset_version_id]
    assert [e.to_status for e in subscription.events.all()] == ["active"]


def test_the_first_period_is_charged_when_the_trades_payment_is_captured(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    subscription = subscribe(buyer, seller, feed, django_capture_on_commit_callbacks)
    settlement = Settlement.objects.get(contract_id=subscription.contract_id)
    with django_capture_on_commit_callbacks(execute=True):
        settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    assert subscription.periods.get(number=1).outcome == "charged"


def test_a_trade_whose_contract_would_not_last_the_whole_term_is_refused(
    seller, buyer, django_capture_on_commit_callbacks
) -> None:
    offering = subscription_offering(seller, django_capture_on_commit_callbacks, period_days=30, term_periods=3)
    Offering.objects.filter(pk=offering["id"]).update(term_periods=4)  # 120 days against a 90-day contract
    with django_capture_on_commit_callbacks(execute=True):
        assert place(seller, offering, "sell", 5, 1000).status_code == 201
        refused = place(buyer, offering, "buy", 1, 1000)
    assert refused.status_code == 422, refused.content
    assert not Trade.objects.exists() and not Subscription.objects.exists()


def test_a_declined_first_payment_voids_the_trade_and_ends_the_subscription(
    seller, feed, django_capture_on_commit_callbacks
) -> None:
    declined = make_party("Declined Analytics", {"buyer"}, payment_method="pm_card_chargeDeclined")
    subscription = subscribe(declined, seller, feed, django_capture_on_commit_callbacks)
    subscription.refresh_from_db()
    assert (subscription.status, subscription.end_reason) == ("ended", "payment_failed")
    period = subscription.periods.get()
    assert period.outcome == "unpaid" and period.closed_at is not None
    assert Trade.objects.get(contract_id=subscription.contract_id).status == "void"
    assert not Entitlement.objects.filter(contract_id=subscription.contract_id).exists()
    assert billing.subscription_periods_close(as_of=timezone.now() + 100 * DAY).periods == 0


# --- versions -------------------------------------------------------------------------------------------------------


def test_a_new_version_is_granted_to_subscribers_and_announced(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    listen(buyer)
    subscription = subscribe(buyer, seller, feed, django_capture_on_commit_callbacks)
    entitlement = Entitlement.objects.get(contract_id=subscription.contract_id)
    version = feed_version(seller, feed, django_capture_on_commit_callbacks, readings_csv(12))
    entitlement.refresh_from_db()
    assert entitlement.dataset_version.number == version["number"] == 2
    assert sorted(entitlement.versions.values_list("dataset_version__number", flat=True)) == [1, 2]
    [extended] = sent(buyer, "entitlement.extended")
    assert extended["id"] == str(entitlement.id) and extended["version"] == 2


def test_only_new_content_counts_as_a_delivery(seller, feed, django_capture_on_commit_callbacks) -> None:
    start = timezone.now()
    feed_version(seller, feed, django_capture_on_commit_callbacks, readings_csv(12))
    feed_version(seller, feed, django_capture_on_commit_callbacks, readings_csv(12))  # the same bytes again
    feed_version(seller, feed, django_capture_on_commit_callbacks, readings_csv())  # the first version's bytes
    dataset_id = Offering.objects.values_list("dataset_id", flat=True).get(pk=feed["id"])
    assert new_versions_between(dataset_id=dataset_id, start=start, end=timezone.now() + DAY) == 1
    assert new_versions_between(dataset_id=dataset_id, start=start - DAY, end=start) == 1  # the first, new then


# --- the close pass -------------------------------------------------------------------------------------------------


def test_a_delivered_period_is_charged_and_one_without_delivery_is_missed_then_the_term_ends(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    listen(buyer)
    listen(seller)
    subscription = subscribe(buyer, seller, feed, capture)
    start = subscription.starts_at
    feed_version(seller, feed, capture, readings_csv(11))  # during period 1

    # Period 1 closes: it was paid with the trade; its delivery is recorded and period 2 opens.
    assert close(capture, start + 30 * DAY).as_dict() == {
        "periods": 1,
        "charged": 0,
        "missed": 0,
        "ended": 0,
        "unpaid": 0,
        "skipped": 0,
    }
    first, second = subscription.periods.all()
    assert (first.versions_delivered, first.closed_at is not None) == (1, True)
    assert (second.number, second.starts_at, second.ends_at) == (2, start + 30 * DAY, start + 60 * DAY)

    # Period 2: a new version published during it; it closes and is charged at once.
    feed_version(seller, feed, capture, readings_csv(12))
    assert close(capture, start + 60 * DAY + timedelta(seconds=1)).charged == 1
    second.refresh_from_db()
    assert (second.versions_delivered, second.outcome) == (1, "charged")
    assert second.settlement_id is not None
    charge = Settlement.objects.get(pk=second.settlement_id)
    # 2,000 yen and 10 % tax; the 5 % fee on the price and its own tax come off the seller's part.
    assert (charge.period, charge.status, charge.amount_excl_tax, charge.tax_treatment, charge.amount) == (
        2,
        "captured",
        2000,
        "standard",
        2200,
    )
    assert (charge.platform_fee, charge.platform_fee_tax, charge.seller_proceeds) == (100, 10, 2090)
    assert charge.trade_id == Settlement.objects.get(contract_id=subscription.contract_id, period=1).trade_id
    payment = OfflinePayment.objects.get(payment_ref=charge.payment_ref)
    assert payment.idempotency_key == f"ichiba-settlement-{charge.id}-authorize"
    assert payment.status == "captured" and payment.amount_captured == 2200
    assert LedgerTransaction.objects.filter(settlement=charge, kind="capture").count() == 1
    payable = LedgerEntry.objects.filter(account="seller_payable", organization_id=seller.organization.id)
    assert payable.filter(transaction__settlement=charge).get().amount == -1890, "its tax booked apart"
    assert_balanced()
    for party in (buyer, seller):
        [charged] = sent(party, "subscription.period_charged")
        assert charged["number"] == 2 and charged["settlement"] == str(charge.id) and charged["amount"] == 2200

    # Period 3: nothing new (a re-upload of old content does not count): missed, nothing charged; the term ends.
    feed_version(seller, feed, capture, readings_csv(12))
    closed = close(capture, start + 90 * DAY)
    assert (closed.missed, closed.charged, closed.ended) == (1, 0, 1)
    third = subscription.periods.get(number=3)
    assert (third.versions_delivered, third.outcome, third.settlement_id) == (0, "missed", None)
    for party in (buyer, seller):
        [missed] = sent(party, "subscription.period_missed")
        assert missed["number"] == 3 and missed["versions_delivered"] == 0 and missed["min_versions_per_period"] == 1
    subscription.refresh_from_db()
    assert (subscription.status, subscription.end_reason) == ("ended", "term")
    assert Entitlement.objects.get(contract_id=subscription.contract_id).status == "expired"
    assert Contract.objects.get(pk=subscription.contract_id).status == "expired"
    assert Settlement.objects.filter(contract_id=subscription.contract_id).count() == 2
    assert close(capture, start + 200 * DAY).periods == 0, "closing again changes nothing"


def test_a_message_commitment_is_met_only_when_counted(
    seller, buyer, django_capture_on_commit_callbacks, settings
) -> None:
    capture = django_capture_on_commit_callbacks
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": "mqtt://admin:secret@127.0.0.1:1883"}  # a stream may be offered
    offering = subscription_offering(seller, capture, period_days=7, term_periods=4, min_messages_per_period=100)
    subscription = subscribe(buyer, seller, offering, capture)
    start = subscription.starts_at
    close(capture, start + 7 * DAY)
    feed_version(seller, offering, capture, readings_csv(12))
    # No counter registered (streams are off): the commitment cannot be verified, so the period is missed.
    close(capture, start + 14 * DAY)
    assert subscription.periods.values_list("outcome", "messages_delivered").get(number=2) == ("missed", None)
    counted: list[tuple[Any, datetime, datetime]] = []

    def counter(dataset_id: Any, begin: datetime, end: datetime) -> int:
        counted.append((dataset_id, begin, end))
        return 150

    hooks.register_stream_message_counter(counter)
    try:
        feed_version(seller, offering, capture, readings_csv(13))
        close(capture, start + 21 * DAY)
    finally:
        hooks.register_stream_message_counter(None)
    assert subscription.periods.values_list("outcome", "messages_delivered").get(number=3) == ("charged", 150)
    [(dataset_id, begin, end)] = counted
    period = subscription.periods.get(number=3)
    assert dataset_id == subscription.dataset_id and begin == period.opened_at and end <= timezone.now()


# --- cancellation ---------------------------------------------------------------------------------------------------


def test_a_cancelled_subscription_is_billed_for_its_last_period_and_ends_with_it(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    listen(buyer)
    subscription = subscribe(buyer, seller, feed, capture)
    start = subscription.starts_at
    close(capture, start + 30 * DAY)
    response = buyer.client.post(f"/api/v1/subscriptions/{subscription.id}/cancel")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelling"
    again = buyer.client.post(f"/api/v1/subscriptions/{subscription.id}/cancel")
    assert again.status_code == 200 and again.json()["cancelled_at"] == response.json()["cancelled_at"]
    assert seller.client.post(f"/api/v1/subscriptions/{subscription.id}/cancel").status_code == 403
    stranger = make_party("Nagoya Mobility", {"buyer"})
    assert stranger.client.post(f"/api/v1/subscriptions/{subscription.id}/cancel").status_code == 404
    # Still delivered to until its period ends...
    feed_version(seller, feed, capture, readings_csv(12))
    entitlement = Entitlement.objects.get(contract_id=subscription.contract_id)
    assert entitlement.versions.count() == 2
    # ... and, as the contract says, that period is billed like any other (it was delivered and received); no
    # period follows it.
    closed = close(capture, start + 60 * DAY)
    assert (closed.charged, closed.ended) == (1, 1)
    subscription.refresh_from_db()
    assert (subscription.status, subscription.end_reason) == ("ended", "cancelled")
    assert list(subscription.periods.values_list("number", "outcome", "versions_delivered")) == [
        (1, "open", 0),
        (2, "charged", 1),
    ], "no period after the cancelled one"
    assert [d["status"] for d in sent(buyer, "subscription.updated")] == ["cancelling", "ended"]
    entitlement.refresh_from_db()
    assert entitlement.status == "expired"
    assert Contract.objects.get(pk=subscription.contract_id).status == "terminated"
    assert Settlement.objects.get(contract_id=subscription.contract_id, period=2).status == "captured"
    assert close(capture, start + 90 * DAY).charged == 0, "nothing after the cancelled period"


def test_a_cancelled_period_without_delivery_is_missed_like_any_other(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    listen(buyer)
    subscription = subscribe(buyer, seller, feed, capture)
    start = subscription.starts_at
    close(capture, start + 30 * DAY)
    assert buyer.client.post(f"/api/v1/subscriptions/{subscription.id}/cancel").status_code == 200
    closed = close(capture, start + 60 * DAY)
    assert (closed.charged, closed.missed, closed.ended) == (0, 1, 1)
    assert list(subscription.periods.values_list("number", "outcome")) == [(1, "open"), (2, "missed")]
    assert [d["number"] for d in sent(buyer, "subscription.period_missed")] == [2]
    assert not Settlement.objects.filter(contract_id=subscription.contract_id, period=2).exists()


def test_a_cancellation_after_a_period_ended_leaves_that_period_to_be_charged(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    """The pass came after the buyer cancelled, but the period had ended before: it was whole, and is charged; the
    one the buyer cancelled in is the next."""
    capture = django_capture_on_commit_callbacks
    subscription = subscribe(buyer, seller, feed, capture)
    start = subscription.starts_at
    close(capture, start + 30 * DAY)
    feed_version(seller, feed, capture, readings_csv(12))
    Subscription.objects.filter(pk=subscription.pk).update(status="cancelling", cancelled_at=start + 61 * DAY)
    closed = close(capture, start + 62 * DAY)
    assert (closed.charged, closed.ended) == (1, 0)
    assert subscription.periods.get(number=2).outcome == "charged"
    assert subscription.periods.get(number=3).closed_at is None
    assert close(capture, start + 90 * DAY).ended == 1
    assert subscription.periods.get(number=3).outcome == "missed"


# --- declines ----------------------------------------------------------------------------------------------------


def card(party: Any, payment_method: str, capture: Any) -> None:
    with capture(execute=True):
        response = party.client.post("/api/v1/payment-methods", {"payment_method": payment_method}, format="json")
    assert response.status_code == 201, response.content


def test_a_declined_charge_is_retried_under_new_keys_past_due_meanwhile_and_paid_it_catches_up(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    listen(buyer)
    subscription = subscribe(buyer, seller, feed, capture)
    start = subscription.starts_at
    close(capture, start + 30 * DAY)
    feed_version(seller, feed, capture, readings_csv(12))  # delivered in period 2
    card(buyer, "pm_card_chargeDeclinedInsufficientFunds", capture)
    close(capture, start + 60 * DAY)

    charge = Settlement.objects.get(contract_id=subscription.contract_id, period=2)
    assert (charge.status, charge.declines, charge.failure_code) == ("pending", 1, "insufficient_funds")
    assert charge.next_attempt_at is not None
    assert timedelta(minutes=59) < charge.next_attempt_at - timezone.now() <= timedelta(hours=1)
    subscription.refresh_from_db()
    assert subscription.status == "past_due" and subscription.past_due_since is not None
    assert [data["status"] for data in sent(buyer, "subscription.updated")] == ["past_due"]
    assert Trade.objects.get(contract_id=subscription.contract_id).status == "executed", "the trade stands"
    entitlement = Entitlement.objects.get(contract_id=subscription.contract_id)
    granted = set(entitlement.versions.values_list("dataset_version_id", flat=True))

    # Nothing new is granted while past due.
    feed_version(seller, feed, capture, readings_csv(13))
    assert set(entitlement.versions.values_list("dataset_version_id", flat=True)) == granted

    # The sweeper tries again when due: a new authorisation, under a key of its own; declined again.
    with capture(execute=True):
        settlements.settlements_sweep(now=charge.next_attempt_at + timedelta(seconds=1))
    charge.refresh_from_db()
    assert (charge.status, charge.declines) == ("pending", 2)

    # A new card is tried at once; paid, the subscription is in force again with what it missed.
    card(buyer, "pm_card_visa", capture)
    charge.refresh_from_db()
    assert charge.status == "captured", [(e.from_status, e.to_status, e.reason) for e in charge.events.all()]
    tries = OfflinePayment.objects.filter(metadata__settlement=str(charge.id)).order_by("created_at")
    key = f"ichiba-settlement-{charge.id}-authorize"
    assert [(p.idempotency_key, p.status) for p in tries] == [
        (key, "declined"),
        (f"{key}-2", "declined"),
        (f"{key}-3", "captured"),
    ]
    subscription.refresh_from_db()
    assert (subscription.status, subscription.past_due_since) == ("active", None)
    assert subscription.periods.get(number=2).outcome == "charged"
    entitlement.refresh_from_db()
    assert entitlement.versions.count() == len(granted) + 1 and entitlement.dataset_version.number == 3
    assert [data["status"] for data in sent(buyer, "subscription.updated")] == ["past_due", "active"]
    assert sent(buyer, "entitlement.extended")[-1]["version"] == 3
    assert_balanced()


def test_a_charge_declined_through_the_grace_period_is_unpaid_and_ends_the_subscription(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    subscription = subscribe(buyer, seller, feed, capture)
    start = subscription.starts_at
    close(capture, start + 30 * DAY)
    feed_version(seller, feed, capture, readings_csv(12))
    card(buyer, "pm_card_chargeDeclined", capture)
    close(capture, start + 60 * DAY)
    subscription.refresh_from_db()
    since = subscription.past_due_since
    assert subscription.status == "past_due" and since is not None
    # Within the grace period nothing is given up.
    assert close(capture, since + 6 * DAY).unpaid == 0
    closed = close(capture, since + 7 * DAY)
    assert closed.unpaid == 1
    charge = Settlement.objects.get(contract_id=subscription.contract_id, period=2)
    assert (charge.status, charge.failure_code) == ("failed", "card_declined")
    subscription.refresh_from_db()
    assert (subscription.status, subscription.end_reason, subscription.past_due_since) == ("ended", "unpaid", None)
    assert list(subscription.periods.values_list("number", "outcome")) == [(1, "open"), (2, "unpaid"), (3, "missed")]
    assert all(subscription.periods.values_list("closed_at", flat=True))
    assert Entitlement.objects.get(contract_id=subscription.contract_id).status == "revoked"
    assert Contract.objects.get(pk=subscription.contract_id).status == "terminated"
    assert not LedgerTransaction.objects.filter(settlement=charge).exists(), "nothing was charged for it"


def test_with_no_grace_period_the_retry_that_comes_due_gives_up(
    seller, buyer, feed, django_capture_on_commit_callbacks, settings
) -> None:
    capture = django_capture_on_commit_callbacks
    settings.ICHIBA = {**settings.ICHIBA, "SUBSCRIPTION_GRACE_DAYS": 0}
    subscription = subscribe(buyer, seller, feed, capture)
    close(capture, subscription.starts_at + 30 * DAY)
    feed_version(seller, feed, capture, readings_csv(12))
    card(buyer, "pm_card_chargeDeclined", capture)
    close(capture, subscription.starts_at + 60 * DAY)
    charge = Settlement.objects.get(contract_id=subscription.contract_id, period=2)
    assert charge.status == "pending" and charge.next_attempt_at is not None
    assert charge.next_attempt_at <= timezone.now(), "the last try is at the end of the grace period"
    with capture(execute=True):
        settlements.settlements_sweep(now=timezone.now() + timedelta(seconds=1))
    charge.refresh_from_db()
    assert charge.status == "failed"
    assert OfflinePayment.objects.filter(metadata__settlement=str(charge.id)).count() == 1, "not tried again"
    subscription.refresh_from_db()
    assert (subscription.status, subscription.end_reason) == ("ended", "unpaid")


def test_a_refund_ends_the_subscription_and_its_access(seller, buyer, feed, django_capture_on_commit_callbacks) -> None:
    capture = django_capture_on_commit_callbacks
    subscription = subscribe(buyer, seller, feed, capture)
    first = Settlement.objects.get(contract_id=subscription.contract_id)
    with capture(execute=True):
        settlements.settlement_capture(settlement_id=first.id, reason="first download")
        settlements.settlement_refund(settlement_id=first.id, reason="dispute", actor="operator")
    subscription.refresh_from_db()
    assert (subscription.status, subscription.end_reason) == ("ended", "refunded")
    assert Entitlement.objects.get(contract_id=subscription.contract_id).status == "revoked"
    assert Contract.objects.get(pk=subscription.contract_id).status == "terminated"
    assert close(capture, subscription.ends_at).periods == 0, "its open period was closed with it"


# --- the API -------------------------------------------------------------------------------------------------------


def test_the_parties_read_the_subscription_with_its_periods_and_nobody_else_does(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    subscription = subscribe(buyer, seller, feed, capture)
    close(capture, subscription.starts_at + 30 * DAY)
    entitlement = Entitlement.objects.get(contract_id=subscription.contract_id)
    first = Settlement.objects.get(contract_id=subscription.contract_id)
    for party in (buyer, seller):
        body = party.client.get(f"/api/v1/subscriptions/{subscription.id}").json()
        assert body["id"] == str(subscription.id) and body["contract"] == str(subscription.contract_id)
        assert (body["offering"], body["dataset"], body["entitlement"]) == (
            feed["id"],
            str(subscription.dataset_id),
            str(entitlement.id),
        )
        assert (body["status"], body["period_days"], body["price"], body["currency"], body["quantity"]) == (
            "active",
            30,
            1000,
            "JPY",
            2,
        )
        assert [(p["number"], p["outcome"], p["versions_delivered"], p["settlement"]) for p in body["periods"]] == [
            (1, "open", 0, str(first.id)),
            (2, "open", None, None),
        ]
        [listed] = party.client.get("/api/v1/subscriptions").json()["results"]
        assert listed["id"] == str(subscription.id)
    assert buyer.client.get("/api/v1/subscriptions?role=seller").json()["results"] == []
    assert seller.client.get("/api/v1/subscriptions?role=seller&status=active").json()["results"][0]["id"] == str(
        subscription.id
    )
    assert buyer.client.get("/api/v1/subscriptions?status=ended").json()["results"] == []
    for bad in ("status=bogus", "role=operator"):
        response = buyer.client.get(f"/api/v1/subscriptions?{bad}")
        assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    stranger = make_party("Nagoya Mobility", {"buyer"})
    for path in (f"/api/v1/subscriptions/{subscription.id}", "/api/v1/subscriptions/not-a-uuid"):
        response = stranger.client.get(path)
        assert response.status_code == 404 and response.json()["type"] == "/problems/not-found"
    assert stranger.client.get("/api/v1/subscriptions").json()["results"] == []
    assert stranger.client.post("/api/v1/subscriptions/not-a-uuid/cancel").status_code == 404


def test_an_ended_subscription_cannot_be_cancelled(seller, buyer, feed, django_capture_on_commit_callbacks) -> None:
    capture = django_capture_on_commit_callbacks
    subscription = subscribe(buyer, seller, feed, capture)
    close(capture, subscription.ends_at)
    response = buyer.client.post(f"/api/v1/subscriptions/{subscription.id}/cancel")
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"


def test_the_entitlement_lists_its_versions_and_a_token_fetches_the_one_named(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    subscription = subscribe(buyer, seller, feed, capture)
    feed_version(seller, feed, capture, readings_csv(12))
    entitlement = Entitlement.objects.get(contract_id=subscription.contract_id)
    body = buyer.client.get(f"/api/v1/entitlements/{entitlement.id}").json()
    assert body["subscription"] == str(subscription.id)
    stored = {v.number: v for v in DatasetVersion.objects.filter(dataset_id=subscription.dataset_id)}
    assert body["dataset_versions"] == [
        {
            "number": number,
            "id": str(stored[number].id),
            "sha256": stored[number].sha256,
            "size": stored[number].size_bytes,
            "published_at": body["dataset_versions"][number - 1]["published_at"],
        }
        for number in (1, 2)
    ]
    assert [v["number"] for v in buyer.client.get("/api/v1/entitlements").json()["results"][0]["dataset_versions"]] == [
        1,
        2,
    ]

    def fetched(**body: Any) -> tuple[int, bytes]:
        minted = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens", body, format="json")
        assert minted.status_code == 201, minted.content
        with capture(execute=True):
            response = buyer.client.get(minted.json()["download_url"])
            content = b"".join(response.streaming_content)
        assert response.status_code == 200
        return minted.json()["version"], content

    assert fetched() == (2, readings_csv(12)), "the newest by default"
    assert fetched(version=1) == (1, readings_csv())
    assert fetched(version=None) == (2, readings_csv(12))
    response = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens", {"version": 9}, format="json")
    assert response.status_code == 404 and response.json()["type"] == "/problems/not-found"
    for bad in ({"version": 0}, {"version": "two"}, {"release": 1}):
        response = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens", bad, format="json")
        assert response.status_code == 400 and response["Content-Type"] == "application/problem+json", bad


def test_a_version_published_outside_the_subscription_is_not_covered(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    feed_version(seller, feed, capture, readings_csv(12))  # v2, before the trade: the latest at its start
    subscription = subscribe(buyer, seller, feed, capture)
    entitlement = Entitlement.objects.get(contract_id=subscription.contract_id)
    assert list(entitlement.versions.values_list("dataset_version__number", flat=True)) == [2]
    response = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens", {"version": 1}, format="json")
    assert response.status_code == 409 and response.json()["type"] == "/problems/version-not-entitled"


def test_a_licence_lists_its_one_version_and_fetches_it(seller, buyer, django_capture_on_commit_callbacks) -> None:
    from tests.builders import entitled

    entitlement = entitled(seller, buyer, django_capture_on_commit_callbacks)
    body = buyer.client.get(f"/api/v1/entitlements/{entitlement.id}").json()
    assert body["subscription"] is None
    assert [v["number"] for v in body["dataset_versions"]] == [entitlement.dataset_version.number]
    minted = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens")
    assert minted.status_code == 201 and minted.json()["version"] == entitlement.dataset_version.number
    other = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens", {"version": 2}, format="json")
    assert other.status_code == 404


def test_a_subscription_trade_sends_the_statements_a_licence_trade_sends(
    seller, buyer, django_capture_on_commit_callbacks
) -> None:
    """The subscription's rows go in the matching's one write (ADR 7): no statement is added under the lock."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.builders import published_offering
    from tests.fixtures import require_postgres

    require_postgres()
    capture = django_capture_on_commit_callbacks
    sent = {}
    for kind, offering in (
        ("licence", published_offering(seller, capture, title="Licensed gauges")),
        ("subscription", subscription_offering(seller, capture, title="Subscribed gauges")),
    ):
        with capture(execute=False):
            assert place(seller, offering, "sell", 5, 1000).status_code == 201
            place(buyer, offering, "buy", 1, 1000)  # the buyer's first order, as the one measured is its second
            with CaptureQueriesContext(connection) as queries:
                assert place(buyer, offering, "buy", 1, 1000).status_code == 201
        sent[kind] = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sent["subscription"]) == len(sent["licence"]), "\n".join(sent["subscription"])
    assert Subscription.objects.count() == 2


def test_the_close_pass_sends_as_many_statements_for_four_charged_periods_as_for_one(
    seller, buyer, django_capture_on_commit_callbacks
) -> None:
    """A batch's statements do not grow with its periods (``make bench close_periods`` closes 10,000 in 20 batches);
    each charged period is linked to its own settlement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    capture = django_capture_on_commit_callbacks
    sent = {}
    for count in (1, 4):
        feed = subscription_offering(seller, capture, period_days=30, term_periods=3, title=f"Feed of {count}")
        subscriptions = [subscribe(buyer, seller, feed, capture, quantity=1) for _ in range(count)]
        last = max(s.starts_at for s in subscriptions)
        close(capture, last + 30 * DAY)
        feed_version(seller, feed, capture, readings_csv(10 + count))
        with capture(execute=False), CaptureQueriesContext(connection) as queries:  # the pass alone: no charge runs
            closed = billing.subscription_periods_close(as_of=last + 60 * DAY)
        assert (closed.periods, closed.charged) == (count, count)
        sent[count] = [q["sql"] for q in queries.captured_queries]
        for subscription in subscriptions:
            second = subscription.periods.get(number=2)
            charge = Settlement.objects.get(contract_id=subscription.contract_id, period=2)
            assert (second.outcome, second.versions_delivered, second.settlement_id) == ("open", 1, charge.id)
    assert len(sent[4]) == len(sent[1]), "\n".join(sent[4])


# --- Stripe (localstripe) ------------------------------------------------------------------------------------------


def test_with_stripe_a_period_is_charged_off_session_and_a_declined_card_makes_it_past_due(
    localstripe, settings, seller, django_capture_on_commit_callbacks
) -> None:
    from settlement.providers.stripe import client_build

    capture = django_capture_on_commit_callbacks
    settings.ICHIBA = {**settings.ICHIBA, "PAYMENT_PROVIDER": "stripe"}
    buyer = make_party("Stripe Analytics", {"buyer"})  # its card saved with the Stripe provider
    feed = subscription_offering(seller, capture, period_days=30, term_periods=3, title="Stripe feed")
    subscription = subscribe(buyer, seller, feed, capture, quantity=1)
    close(capture, subscription.starts_at + 30 * DAY)
    feed_version(seller, feed, capture, readings_csv(12))
    close(capture, subscription.starts_at + 60 * DAY)
    charge = Settlement.objects.get(contract_id=subscription.contract_id, period=2)
    assert (charge.provider, charge.status) == ("stripe", "captured")
    intent = client_build().v1.payment_intents.retrieve(charge.payment_ref)
    assert (intent.status, intent.amount, intent.capture_method) == ("succeeded", 1100, "manual")
    assert intent.metadata["ichiba_idempotency_key"] == f"ichiba-settlement-{charge.id}-authorize"

    card(buyer, "pm_card_chargeCustomerFail", capture)  # declines at charge time, under localstripe too
    feed_version(seller, feed, capture, readings_csv(13))
    close(capture, subscription.starts_at + 90 * DAY)
    third = Settlement.objects.get(contract_id=subscription.contract_id, period=3)
    assert (third.status, third.declines) == ("pending", 1) and third.failure_code
    subscription.refresh_from_db()
    assert subscription.past_due_since is not None
    assert (subscription.status, subscription.end_reason) == ("ended", "term"), "its term is over: it stays ended"


# --- manage.py close_periods ---------------------------------------------------------------------------------------


def test_close_periods_takes_an_instant_and_a_future_one_only_with_a_test_clock(
    seller, buyer, feed, django_capture_on_commit_callbacks, settings
) -> None:
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    capture = django_capture_on_commit_callbacks
    subscription = subscribe(buyer, seller, feed, capture)
    out = StringIO()
    call_command("close_periods", stdout=out)
    assert json.loads(out.getvalue())["periods"] == 0, "nothing has ended yet"
    later = (subscription.starts_at + 30 * DAY).isoformat()
    out = StringIO()
    with capture(execute=True):
        call_command("close_periods", "--as-of", later, stdout=out)
    assert json.loads(out.getvalue())["periods"] == 1
    for bad in ("next week", "2026-13-01T00:00:00"):
        with pytest.raises(CommandError, match="ISO-8601"):
            call_command("close_periods", "--as-of", bad)
    settings.ICHIBA = {**settings.ICHIBA, "SUBSCRIPTION_TEST_CLOCK": False}
    with pytest.raises(CommandError, match="future"):
        call_command("close_periods", "--as-of", (subscription.starts_at + 60 * DAY).isoformat())
    out = StringIO()
    call_command("close_periods", "--as-of", "2020-01-01T00:00:00", stdout=out)  # the past: always allowed
    assert json.loads(out.getvalue())["periods"] == 0


def test_the_beat_entry_runs_the_close_pass(seller, buyer, feed, django_capture_on_commit_callbacks) -> None:
    from django.conf import settings as django_settings

    from settlement import tasks

    assert django_settings.CELERY_BEAT_SCHEDULE["settlement-close-periods"]["task"] == "settlement.close_periods"
    subscribe(buyer, seller, feed, django_capture_on_commit_callbacks)
    assert tasks.close_periods.apply().get()["periods"] == 0


def test_the_purchase_and_sales_pages_show_a_subscription_and_its_charges(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    from tests.builders import signed_in

    capture = django_capture_on_commit_callbacks
    subscription = subscribe(buyer, seller, feed, capture)
    close(capture, subscription.starts_at + 30 * DAY)
    feed_version(seller, feed, capture, readings_csv(12))
    close(capture, subscription.starts_at + 60 * DAY)
    first = Settlement.objects.get(contract_id=subscription.contract_id, period=1)
    purchases = signed_in(buyer).get("/purchases/")
    assert purchases.status_code == 200 and purchases.content.decode().count(f"/purchases/{first.id}/") >= 1
    assert signed_in(buyer).get(f"/purchases/{first.id}/").status_code == 200
    charge = Settlement.objects.get(contract_id=subscription.contract_id, period=2)
    assert signed_in(buyer).get(f"/purchases/{charge.id}/").status_code == 404, "a period's charge is no purchase"
    assert signed_in(seller).get("/sales/").status_code == 200


# --- a whole life --------------------------------------------------------------------------------------------------


def test_the_whole_life_of_a_subscription(seller, buyer, django_capture_on_commit_callbacks) -> None:
    """Trade; the first version downloaded (capturing the first period); a new version published and received; a
    period charged; a period missed; a cancellation; the end. Through the API, the close pass between periods."""
    capture = django_capture_on_commit_callbacks
    feed = subscription_offering(seller, capture, period_days=7, term_periods=6, title="Weekly strain")

    def fetch(entitlement_id: str, version: int) -> bytes:
        minted = buyer.client.post(f"/api/v1/entitlements/{entitlement_id}/tokens", {"version": version}, format="json")
        assert minted.status_code == 201, minted.content
        with capture(execute=True):
            response = buyer.client.get(minted.json()["download_url"])
            return b"".join(response.streaming_content)

    def read() -> dict[str, Any]:
        [body] = buyer.client.get("/api/v1/subscriptions?role=buyer").json()["results"]
        return body

    # The trade: the first period paid with it; the latest version at once.
    with capture(execute=True):
        assert place(seller, feed, "sell", 1, 5000).status_code == 201
        assert place(buyer, feed, "buy", 1, 5000).status_code == 201
    subscription = read()
    assert (subscription["status"], subscription["amount"]) == ("active", 5000)
    entitlement = subscription["entitlement"]
    assert fetch(entitlement, 1) == readings_csv()
    assert read()["periods"][0]["outcome"] == "charged", "captured at the first download"
    start = timezone.now() - timedelta(seconds=5)

    # Week 1 closes; in week 2 a new version is published, received, and the week is charged.
    close(capture, start + 8 * DAY)
    feed_version(seller, feed, capture, readings_csv(20, step=3))
    body = buyer.client.get(f"/api/v1/entitlements/{entitlement}").json()
    assert [v["number"] for v in body["dataset_versions"]] == [1, 2]
    assert fetch(entitlement, 2) == readings_csv(20, step=3)
    close(capture, start + 15 * DAY)
    assert [p["outcome"] for p in read()["periods"]] == ["charged", "charged", "open"]

    # Week 3: nothing new. Missed, nothing charged.
    close(capture, start + 22 * DAY)
    periods = read()["periods"]
    assert [(p["number"], p["outcome"], p["versions_delivered"]) for p in periods[1:3]] == [
        (2, "charged", 1),
        (3, "missed", 0),
    ]
    assert periods[2]["settlement"] is None

    # Week 4: cancelled; delivered to until the week ends and charged for it, as any delivered period; then it ends.
    cancelled = buyer.client.post(f"/api/v1/subscriptions/{subscription['id']}/cancel").json()
    assert cancelled["status"] == "cancelling"
    feed_version(seller, feed, capture, readings_csv(21, step=3))
    assert fetch(entitlement, 3) == readings_csv(21, step=3)
    close(capture, start + 29 * DAY)
    ended = read()
    assert (ended["status"], ended["end_reason"]) == ("ended", "cancelled")
    assert [p["outcome"] for p in ended["periods"]] == ["charged", "charged", "missed", "charged"]
    minted = buyer.client.post(f"/api/v1/entitlements/{entitlement}/tokens")
    assert minted.status_code == 409 and minted.json()["type"] == "/problems/entitlement-not-active"
    charges = Settlement.objects.filter(contract_id=ended["contract"]).order_by("period")
    assert [(s.period, s.status, s.amount_excl_tax) for s in charges] == [
        (1, "captured", 5000),
        (2, "captured", 5000),
        (4, "captured", 5000),
    ]
    assert_balanced()


def test_each_change_of_status_is_announced_to_the_hook_with_whether_access_remains(
    seller, buyer, feed, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    heard: list[hooks.SubscriptionChanged] = []
    hooks.subscribe_subscription_changed(heard.append)
    try:
        subscription = subscribe(buyer, seller, feed, capture)
        close(capture, subscription.starts_at + 30 * DAY)
        feed_version(seller, feed, capture, readings_csv(12))
        card(buyer, "pm_card_chargeDeclined", capture)
        close(capture, subscription.starts_at + 60 * DAY)  # declined: past due
        card(buyer, "pm_card_visa", capture)  # paid: active again
        assert buyer.client.post(f"/api/v1/subscriptions/{subscription.id}/cancel").status_code == 200
        close(capture, subscription.starts_at + 90 * DAY)
    finally:
        hooks.unsubscribe_subscription_changed(heard.append)
    assert [(e.previous_status, e.status, e.access) for e in heard] == [
        ("active", "past_due", False),
        ("past_due", "active", True),
        ("active", "cancelling", True),
        ("cancelling", "ended", False),
    ]
    assert {(e.subscription_id, e.dataset_id, e.buyer_id) for e in heard} == {
        (subscription.id, subscription.dataset_id, buyer.organization.id)
    }
    assert heard[-1].end_reason == "term"
