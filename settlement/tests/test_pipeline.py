"""The settlement pipeline through its services and the API, with the offline provider and eager tasks.

Every trade ends one of two ways: paid once and delivered (authorised → entitlement → captured → ledger →
payout), or unpaid with its seat back on the book (declined → failed, contract void, trade void).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from config.market import market_settings
from contracts.models import Contract
from marketplace.models import Offering, Order, Organization, Trade
from settlement.models import Entitlement, LedgerEntry, LedgerTransaction, Payout, Settlement, SettlementEvent
from settlement.providers import PaymentResult
from settlement.services import ledger, payouts, settlements
from tests.builders import make_party, place, published_offering, trade

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering(seller: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    return published_offering(seller, django_capture_on_commit_callbacks, seats=10)


def assert_balanced() -> None:
    for posted in LedgerTransaction.objects.all():
        per_currency = posted.entries.values("currency").annotate(total=Sum("amount"))
        assert all(row["total"] == 0 for row in per_currency), posted.reference


def test_a_trade_opens_a_settlement_that_authorises_and_grants_the_exact_version(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    assert settlement.status == "authorized"
    # 3,000 yen plus 10 % consumption tax; the 5 % fee on the price, plus its own tax, comes off the seller's part.
    assert (settlement.amount_excl_tax, settlement.tax_amount, settlement.amount) == (3000, 300, 3300)
    assert (settlement.tax_treatment, str(settlement.tax_rate)) == ("standard", "0.1000")
    assert (settlement.platform_fee, settlement.platform_fee_tax, settlement.seller_proceeds) == (150, 15, 3135)
    assert str(settlement.fee_rate) == "0.0500"
    contract = Contract.objects.get(pk=settlement.contract_id)
    assert contract.status == "active"
    entitlement = Entitlement.objects.get(settlement=settlement)
    assert entitlement.status == "active"
    assert entitlement.dataset_version_id == contract.dataset_version_id
    assert (entitlement.valid_from, entitlement.valid_until) == (contract.valid_from, contract.valid_until)
    assert settlement.capture_due_at and settlement.authorized_at
    assert settlement.capture_due_at - settlement.authorized_at == timedelta(hours=72)
    assert [e.to_status for e in settlement.events.all()] == ["pending", "authorized"]


def test_parties_read_the_settlement_and_see_it_on_the_tape_others_do_not(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    for party in (buyer, seller):
        body = party.client.get(f"/api/v1/settlements/{settlement.id}").json()
        assert body["status"] == "authorized" and body["amount"] == 3300 and body["currency"] == "JPY"
        taxed = ("amount_excl_tax", "tax_treatment", "tax_rate", "tax_amount", "amount_incl_tax")
        assert [body[name] for name in taxed] == [3000, "standard", "0.1000", 300, 3300]
        assert (body["platform_fee"], body["platform_fee_tax"], body["seller_proceeds"]) == (150, 15, 3135)
        assert [e["to_status"] for e in body["events"]] == ["pending", "authorized"]
        [on_tape] = party.client.get(f"/api/v1/trades?offering={offering['id']}").json()["results"]
        assert on_tape["settlement"] == str(settlement.id)
    stranger = make_party("Nagoya Mobility", {"buyer"})
    assert stranger.client.get(f"/api/v1/settlements/{settlement.id}").status_code == 404
    assert stranger.client.get("/api/v1/settlements/not-a-uuid").status_code == 404
    [public] = stranger.client.get(f"/api/v1/trades?offering={offering['id']}").json()["results"]
    assert "settlement" not in public
    assert buyer.client.get("/api/v1/settlements?role=seller").json()["results"] == []
    assert buyer.client.get("/api/v1/settlements?status=bogus").status_code == 400


def test_a_declined_card_fails_the_settlement_voids_contract_and_trade_and_returns_the_seats(
    seller, offering, django_capture_on_commit_callbacks
) -> None:
    buyer = make_party("Declined Analytics", {"buyer"}, payment_method="pm_card_chargeDeclined")
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    settlement.refresh_from_db()
    assert settlement.status == "failed"
    assert settlement.failure_code == "card_declined" and settlement.failure_message
    assert Contract.objects.get(pk=settlement.contract_id).status == "void"
    made = Trade.objects.get(pk=settlement.trade_id)
    assert made.status == "void"
    assert Offering.objects.get(pk=offering["id"]).seats_sold == 0
    assert not Entitlement.objects.filter(settlement=settlement).exists()
    assert not LedgerTransaction.objects.exists(), "nothing was charged"
    ask = Order.objects.get(sell_trades=made)
    assert (ask.status, ask.filled_quantity, ask.remaining_quantity) == ("open", 0, 5), "seats back on the book"
    bid = Order.objects.get(buy_trades=made)
    assert (bid.status, bid.filled_quantity, bid.cancelled_quantity) == ("cancelled", 0, 3)
    book = buyer.client.get(f"/api/v1/offerings/{offering['id']}/book").json()
    assert book["asks"] == [{"price": 1000, "quantity": 5, "orders": 1}]
    body = buyer.client.get(f"/api/v1/settlements/{settlement.id}").json()
    assert body["status"] == "failed" and body["failure_code"] == "card_declined"


@dataclass
class DeclinedBeforeWaiting:
    greedy: dict[str, Any]  # the declined buyer's order
    late: dict[str, Any]  # the order that came to rest while the ask was sold out
    waiting: Any  # its buyer
    decline: Callable[[], None]  # runs the greedy buyer's settlement: its card is declined, its trade voided


def declined_before_waiting(
    seller: Any, offering: dict[str, Any], capture: Any, *, seats: int, greedy: int
) -> DeclinedBeforeWaiting:
    """An ask of ``seats`` at 1000 taken by a bid of ``greedy`` seats whose card will be declined, then a bid for
    one seat at 1000 resting behind it; the declined buyer's settlement waits until ``decline``."""
    declined = make_party("Declined Analytics", {"buyer"}, payment_method="pm_card_chargeDeclined")
    waiting = make_party("Waiting Analytics", {"buyer"})
    with capture(execute=True):
        assert place(seller, offering, "sell", seats, 1000).status_code == 201
    with capture(execute=False) as payment_later:
        taken = place(declined, offering, "buy", greedy, 1000)
    assert taken.status_code == 201, taken.content
    with capture(execute=True):
        late = place(waiting, offering, "buy", 1, 1000)  # no seats left: it rests behind the greedy bid
    assert late.status_code == 201 and late.json()["status"] == "open"

    def decline() -> None:
        with capture(execute=True):
            for callback in payment_later:
                callback()

    return DeclinedBeforeWaiting(taken.json(), late.json(), waiting, decline)


def test_seats_a_void_returns_trade_with_the_bids_waiting_for_them_and_the_book_is_never_crossed(
    seller, offering, django_capture_on_commit_callbacks
) -> None:
    race = declined_before_waiting(seller, offering, django_capture_on_commit_callbacks, seats=5, greedy=7)
    assert race.greedy["status"] == "partially_filled", "it took all 5 seats; 2 rest on the book at 1000"

    race.decline()

    bid = Order.objects.get(pk=race.greedy["id"])
    assert (bid.status, bid.filled_quantity, bid.cancelled_quantity) == ("cancelled", 0, 7), "nothing of it rests"
    waited = Order.objects.get(pk=race.late["id"])
    assert waited.status == "filled", "the returned seat went to the bid that was waiting for it"
    [made] = Trade.objects.filter(buy_order=waited)
    assert (made.price, made.quantity, made.status) == (1000, 1, "executed")
    assert Settlement.objects.get(trade=made).status == "authorized"
    assert Contract.objects.get(trade_ref=str(made.id)).status == "active"
    assert Offering.objects.get(pk=offering["id"]).seats_sold == 1
    book = race.waiting.client.get(f"/api/v1/offerings/{offering['id']}/book").json()
    assert book["asks"] == [{"price": 1000, "quantity": 4, "orders": 1}] and book["bids"] == [], book


def test_a_waiting_bid_that_can_no_longer_trade_does_not_stop_the_void(
    seller, offering, django_capture_on_commit_callbacks
) -> None:
    race = declined_before_waiting(seller, offering, django_capture_on_commit_callbacks, seats=1, greedy=1)
    Organization.objects.filter(pk=race.waiting.organization.pk).update(country="US")  # outside the territory now

    race.decline()

    settlement = Settlement.objects.get(trade__buy_order_id=race.greedy["id"])
    assert settlement.status == "failed" and Trade.objects.get(pk=settlement.trade_id).status == "void"
    assert Offering.objects.get(pk=offering["id"]).seats_sold == 0, "the void happened; the waiting bid did not trade"
    assert Trade.objects.filter(status="executed").count() == 0


def test_a_buyer_without_a_payment_method_is_refused_without_calling_the_provider(
    seller, offering, django_capture_on_commit_callbacks
) -> None:
    buyer = make_party("Cardless Analytics", {"buyer"}, payment_method="")
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    settlement.refresh_from_db()
    assert (settlement.status, settlement.failure_code, settlement.payment_ref) == ("failed", "no_payment_method", "")


def test_capture_posts_a_balanced_ledger_once(seller, buyer, offering, django_capture_on_commit_callbacks) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    for _ in range(2):
        settlement = settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    assert settlement.status == "captured" and settlement.captured_at
    assert LedgerTransaction.objects.filter(kind="capture").count() == 1
    assert_balanced()
    seller_id = settlement.seller_id
    assert ledger.seller_owed(organization_id=seller_id, currency="JPY") == (2835, 300), "proceeds, and its tax"
    assert ledger.seller_payable(organization_id=seller_id, currency="JPY") == 3135
    assert ledger.ledger_balance(account="platform_fees", currency="JPY") == -150
    assert ledger.ledger_balance(account="tax_payable", currency="JPY") == -15, "the tax on the market's fee"
    assert ledger.ledger_balance(account="provider_balance", currency="JPY") == 3300


def test_the_sweeper_captures_once_the_acceptance_window_passes(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    assert settlements.settlements_sweep()["capture"] == 0
    later = timezone.now() + timedelta(hours=73)
    assert settlements.settlements_sweep(now=later)["capture"] == 1
    settlement.refresh_from_db()
    assert settlement.status == "captured"


def test_the_sweeper_captures_a_downloaded_settlement_whose_capture_task_was_lost(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    # The first complete download was recorded; the capture task it enqueued never ran (a killed worker).
    Entitlement.objects.filter(settlement=settlement).update(first_download_at=timezone.now())
    assert settlements.settlements_sweep()["capture"] == 0, "its task may still be running"
    later = timezone.now() + market_settings().settlement_stuck_after + timedelta(seconds=1)
    assert settlements.settlements_sweep(now=later)["capture"] == 1
    settlement.refresh_from_db()
    assert settlement.status == "captured"
    assert settlement.capture_due_at and settlement.capture_due_at > later, "well before the acceptance window"
    assert LedgerTransaction.objects.filter(settlement=settlement, kind="capture").count() == 1
    assert settlements.settlements_sweep(now=later + timedelta(hours=1))["capture"] == 0


def test_a_partial_capture_books_nothing_and_waits_for_the_operator(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    partial = PaymentResult(
        status="captured", payment_ref=settlement.payment_ref, amount=3300, currency="JPY", amount_received=1000
    )
    for source in ("capture: first download", "reconciliation", "capture: first download"):
        after = settlements.settlement_apply_provider_state(settlement_id=settlement.id, result=partial, source=source)
        assert after.status == "authorized"
    assert not LedgerTransaction.objects.exists()
    settlement.refresh_from_db()
    assert settlement.review_reason == "partial capture: 1000 of 3300 JPY received"
    flagged = SettlementEvent.objects.filter(settlement=settlement, reason__contains="does not match")
    assert flagged.count() == 1, "the same problem reported again is recorded once"
    # Neither the window's capture nor reconciliation takes it up: the operator reconciles it.
    past_window = timezone.now() + timedelta(hours=73)
    assert settlements.settlements_sweep(now=past_window)["capture"] == 0
    settlements.settlement_review_clear(settlement_id=settlement.id, actor="operator")
    assert settlements.settlements_sweep(now=past_window)["capture"] == 1


def test_undeliverable_data_voids_the_authorisation_instead_of_capturing(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    entitlement = Entitlement.objects.select_related("dataset_version").get(settlement=settlement)
    version = entitlement.dataset_version
    version.file.storage.delete(version.file.name)
    settlement = settlements.settlement_capture(settlement_id=settlement.id, reason="acceptance window passed")
    assert settlement.status == "voided" and "missing" in settlement.failure_message
    entitlement.refresh_from_db()
    assert entitlement.status == "revoked"
    assert Contract.objects.get(pk=settlement.contract_id).status == "terminated"
    made = Trade.objects.get(pk=settlement.trade_id)
    assert made.status == "void"
    assert Offering.objects.get(pk=offering["id"]).seats_sold == 0
    assert Order.objects.get(sell_trades=made).filled_quantity == 3, "undeliverable seats are not offered again"
    assert not LedgerTransaction.objects.exists()


def test_a_changed_file_is_caught_by_its_checksum_before_capture(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    version = Entitlement.objects.get(settlement=settlement).dataset_version
    path = version.file.path
    with open(path, "r+b") as handle:  # same size, different bytes
        first = handle.read(1)
        handle.seek(0)
        handle.write(b"X" if first != b"X" else b"Y")
    settlement = settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    assert settlement.status == "voided" and "checksum" in settlement.failure_message


def test_refund_reverses_the_ledger_revokes_access_and_terminates_the_contract(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    with django_capture_on_commit_callbacks(execute=True):
        refunded = settlements.settlement_refund(settlement_id=settlement.id, reason="data not as described")
    again = settlements.settlement_refund(settlement_id=settlement.id, reason="clicked twice")
    assert refunded.status == again.status == "refunded"
    assert LedgerTransaction.objects.filter(kind="refund").count() == 1
    assert_balanced()
    assert ledger.seller_payable(organization_id=settlement.seller_id, currency="JPY") == 0
    assert ledger.ledger_balance(account="provider_balance", currency="JPY") == 0
    assert Entitlement.objects.get(settlement=settlement).status == "revoked"
    assert Contract.objects.get(pk=settlement.contract_id).status == "terminated"


def test_only_a_captured_payment_can_be_refunded(seller, buyer, offering, django_capture_on_commit_callbacks) -> None:
    from config.errors import Conflict

    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    with pytest.raises(Conflict):
        settlements.settlement_refund(settlement_id=settlement.id, reason="too early")


def test_applying_the_same_provider_state_again_changes_nothing(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    events = SettlementEvent.objects.filter(settlement=settlement).count()
    authorized = PaymentResult(status="authorized", payment_ref=settlement.payment_ref)
    for _ in range(3):
        settlements.settlement_apply_provider_state(settlement_id=settlement.id, result=authorized, source="webhook")
    assert SettlementEvent.objects.filter(settlement=settlement).count() == events
    captured = PaymentResult(status="captured", payment_ref=settlement.payment_ref)
    for _ in range(3):
        settlements.settlement_apply_provider_state(settlement_id=settlement.id, result=captured, source="webhook")
    assert LedgerTransaction.objects.filter(settlement=settlement).count() == 1
    assert Entitlement.objects.filter(settlement=settlement).count() == 1
    late_decline = PaymentResult(status="declined", failure_code="card_declined")
    settled = settlements.settlement_apply_provider_state(
        settlement_id=settlement.id, result=late_decline, source="webhook"
    )
    assert settled.status == "captured", "a stale decline cannot undo a capture"


def test_fee_is_rounded_down_so_it_never_exceeds_the_published_rate() -> None:
    from decimal import Decimal

    assert settlements.platform_fee(amount=999, rate=Decimal("0.05")) == 49
    assert settlements.platform_fee(amount=1, rate=Decimal("0.05")) == 0
    assert settlements.platform_fee(amount=10**12, rate=Decimal("0.05")) == 5 * 10**10


def test_daily_payout_pays_each_seller_its_balance_once(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    first = trade(buyer, seller, offering, django_capture_on_commit_callbacks, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        place(buyer, offering, "buy", 1, 1000)
    second = Settlement.objects.exclude(pk=first.pk).get()
    for settlement in (first, second):
        settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    payouts.payout_account_save(organization_id=seller.organization.id, account="acct_1KansaiBridge")
    [payout] = payouts.payouts_create()
    assert payout.amount == first.seller_proceeds + second.seller_proceeds
    assert payout.tax_amount == first.tax_amount + second.tax_amount > 0, "the seller's consumption tax, paid on"
    assert payout.currency == "JPY" and payout.status == "pending"
    assert payouts.payouts_create() == [], "one payout per seller and day"
    paid = payouts.payout_send(payout_id=payout.id)
    assert paid.status == "paid" and paid.transfer_ref
    from settlement.models import OfflineTransfer

    assert OfflineTransfer.objects.get().destination == "acct_1KansaiBridge", "paid to the seller's account"
    assert payouts.payout_send(payout_id=payout.id).transfer_ref == paid.transfer_ref
    assert ledger.seller_payable(organization_id=payout.seller_id, currency="JPY") == 0
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert set(Settlement.objects.values_list("payout_id", flat=True)) == {payout.id}
    assert_balanced()
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert payouts.payouts_create(for_date=tomorrow) == [], "nothing more is owed"


def test_a_payout_in_flight_is_not_counted_again(seller, buyer, offering, django_capture_on_commit_callbacks) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    [payout] = payouts.payouts_create()
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert payouts.payouts_create(for_date=tomorrow) == [], "yesterday's payout is still being sent"
    assert Payout.objects.count() == 1


def test_ledger_entries_never_post_unbalanced() -> None:
    with pytest.raises(ledger.UnbalancedTransaction):
        ledger.ledger_post(
            kind="capture",
            reference="bogus",
            currency="JPY",
            legs=[ledger.Leg(LedgerEntry.Account.PROVIDER_BALANCE, 100), ledger.Leg("platform_fees", -99)],
        )
    assert not LedgerTransaction.objects.exists()


def test_the_database_refuses_to_change_a_posted_ledger_entry(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    from django.db import DatabaseError, connection, transaction

    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.update(amount=1)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            LedgerEntry.objects.all().delete()
    assert_balanced()


def test_a_buyer_saves_its_payment_method_through_the_api(buyer, seller) -> None:
    response = buyer.client.post(
        "/api/v1/payment-methods", {"payment_method": "pm_card_mastercard"}, format="json", HTTP_IDEMPOTENCY_KEY="pm-1"
    )
    assert response.status_code == 201, response.content
    assert response.json()["payment_method"] == "pm_card_mastercard" and response.json()["is_default"] is True
    methods = buyer.client.get("/api/v1/payment-methods").json()["results"]
    assert [(m["payment_method"], m["is_default"]) for m in methods] == [
        ("pm_card_mastercard", True),
        ("pm_card_visa", False),
    ]
    bad = buyer.client.post("/api/v1/payment-methods", {"payment_method": "4242 4242 4242 4242"}, format="json")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert buyer.client.post("/api/v1/payment-methods", {}, format="json").status_code == 400
    assert (
        seller.client.post("/api/v1/payment-methods", {"payment_method": "pm_card_visa"}, format="json").status_code
        == 403
    )


def test_a_download_that_finds_the_file_gone_voids_but_a_passing_hiccup_charges_nothing(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    unchanged = settlements.settlement_void_if_undeliverable(settlement_id=settlement.id)
    assert unchanged.status == "authorized" and not LedgerTransaction.objects.exists()
    version = Entitlement.objects.get(settlement=settlement).dataset_version
    version.file.storage.delete(version.file.name)
    voided = settlements.settlement_void_if_undeliverable(settlement_id=settlement.id)
    assert voided.status == "voided" and not LedgerTransaction.objects.exists()


def test_a_void_after_the_contract_expired_still_settles(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    """A one-day contract can expire inside the 72-hour acceptance window; voiding then must not fail."""
    from settlement.services.entitlements import entitlements_expire

    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    assert entitlements_expire(now=timezone.now() + timedelta(days=3650)) == 1
    assert Contract.objects.get(pk=settlement.contract_id).status == "expired"
    version = Entitlement.objects.get(settlement=settlement).dataset_version
    version.file.storage.delete(version.file.name)
    voided = settlements.settlement_capture(settlement_id=settlement.id, reason="acceptance window passed")
    assert voided.status == "voided"
    assert Contract.objects.get(pk=settlement.contract_id).status == "expired", "its history stays"
    assert Trade.objects.get(pk=settlement.trade_id).status == "void"


def test_a_payout_the_provider_refuses_fails_for_good_and_the_money_goes_out_later(
    seller, buyer, offering, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from settlement.providers import ProviderRefused
    from settlement.providers.offline import OfflineProvider

    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    [payout] = payouts.payouts_create()

    def refuse(self: Any, **kwargs: Any) -> Any:
        raise ProviderRefused("No such destination")

    with monkeypatch.context() as patched:
        patched.setattr(OfflineProvider, "transfer", refuse)
        failed = payouts.payout_send(payout_id=payout.id)
    assert (failed.status, failed.failure_message) == ("failed", "No such destination")
    owed = ledger.seller_payable(organization_id=settlement.seller_id, currency="JPY")
    assert owed == settlement.seller_proceeds == 3135, "still owed"
    [later] = payouts.payouts_create(for_date=timezone.localdate() + timedelta(days=1))
    assert (later.amount, later.tax_amount) == (3135, 300)
    assert payouts.payout_send(payout_id=later.id).status == "paid"


def test_a_refund_the_provider_completes_later_is_followed_up_by_reconciliation(
    seller, buyer, offering, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from settlement.providers.offline import OfflineProvider

    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    monkeypatch.setattr(OfflineProvider, "refund", lambda self, **kw: PaymentResult(status="processing"))
    pending = settlements.settlement_refund(settlement_id=settlement.id, reason="not as described")
    assert pending.status == "captured" and pending.refund_requested_at is not None
    assert pending.refund_reason == "not as described", "kept before the provider was asked"
    last = pending.events.last()
    assert last is not None and "pending at the payment provider" in last.reason
    assert Entitlement.objects.get(settlement=settlement).status == "active", "access ends when the money is back"
    refunded = PaymentResult(status="refunded", payment_ref=settlement.payment_ref)
    monkeypatch.setattr(OfflineProvider, "retrieve", lambda self, **kw: refunded)
    assert settlements.settlements_reconcile(older_than_seconds=0) == 1
    settlement.refresh_from_db()
    assert settlement.status == "refunded" and settlement.refund_reason == "not as described"
    assert Entitlement.objects.get(settlement=settlement).status == "revoked"
    assert LedgerTransaction.objects.filter(kind="refund").count() == 1


def test_partners_hear_of_the_trade_and_each_step_once(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    from settlement.models import WebhookDelivery
    from settlement.services.webhooks import EVENT_TYPES

    for party in (buyer, seller):
        response = party.client.post(
            "/api/v1/webhook-endpoints", {"url": "http://127.0.0.1:9/hook", "events": list(EVENT_TYPES)}, format="json"
        )
        assert response.status_code == 201, response.content
    settlement = trade(buyer, seller, offering, django_capture_on_commit_callbacks)
    settlements.settlement_authorize(settlement_id=settlement.id)  # a redelivered task: nothing new
    sent = {
        (party, kind) for party, kind in WebhookDelivery.objects.values_list("endpoint__organization_id", "event_type")
    }
    assert sent == {
        (buyer.organization.id, "trade.executed"),
        (buyer.organization.id, "contract.concluded"),
        (buyer.organization.id, "settlement.updated"),
        (buyer.organization.id, "entitlement.granted"),
        (seller.organization.id, "trade.executed"),
        (seller.organization.id, "contract.concluded"),
        (seller.organization.id, "settlement.updated"),
    }
    assert WebhookDelivery.objects.count() == 7, "each event once per endpoint"
    executed = WebhookDelivery.objects.filter(event_type="trade.executed").first()
    assert executed is not None and executed.payload["data"]["settlement"] == str(settlement.id)


def test_an_authorisation_asks_about_webhook_endpoints_once(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_capture_on_commit_callbacks(execute=False):
        assert place(seller, offering, "sell", 5, 1000).status_code == 201
        [made] = place(buyer, offering, "buy", 1, 1000).json()["trades"]
    settlement = Settlement.objects.get(trade_id=made["id"])
    with CaptureQueriesContext(connection) as queries:
        assert settlements.settlement_authorize(settlement_id=settlement.id).status == "authorized"
    asked = [q["sql"] for q in queries.captured_queries if "settlement_webhookendpoint" in q["sql"]]
    assert len(asked) == 1, asked


def _pending(seller: Any, buyer: Any, offering: dict[str, Any], capture: Any) -> Settlement:
    """A trade whose settlement's task was not run: still pending."""
    with capture(execute=False):
        assert place(seller, offering, "sell", 5, 1000).status_code == 201
        [made] = place(buyer, offering, "buy", 1, 1000).json()["trades"]
    return Settlement.objects.get(trade_id=made["id"])


def test_an_answer_several_steps_ahead_walks_every_step_each_written_once(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    # Reconciliation may learn "refunded" of a payment whose authorisation we never heard of: one application
    # walks pending → authorized → captured → refunded, each step with its rows and events (each step's writes
    # are sent when the step ends, so the next step reads them).
    settlement = _pending(seller, buyer, offering, django_capture_on_commit_callbacks)
    refunded = PaymentResult(status="refunded", payment_ref="pi_offline_ahead")
    done = settlements.settlement_apply_provider_state(settlement_id=settlement.id, result=refunded, source="recon")
    assert done.status == "refunded" and done.payment_ref == "pi_offline_ahead"
    settlement.refresh_from_db()
    assert settlement.status == "refunded" and settlement.authorized_at and settlement.captured_at
    assert [e.to_status for e in settlement.events.all()] == ["pending", "authorized", "captured", "refunded"]
    contract = Contract.objects.get(pk=settlement.contract_id)
    assert [e.to_status for e in contract.events.order_by("created_at", "id")] == ["concluded", "active", "terminated"]
    entitlement = Entitlement.objects.get(settlement=settlement)
    assert entitlement.status == "revoked"
    assert [e.to_status for e in entitlement.events.order_by("created_at", "id")] == ["active", "revoked"]
    assert sorted(LedgerTransaction.objects.filter(settlement=settlement).values_list("kind", flat=True)) == [
        "capture",
        "refund",
    ]
    assert_balanced()


def test_an_authorisation_reads_the_settlement_once_then_locks_settlement_before_contract(
    seller, buyer, offering, django_capture_on_commit_callbacks
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("row locks (FOR UPDATE) are PostgreSQL's")
    settlement = _pending(seller, buyer, offering, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        assert settlements.settlement_authorize(settlement_id=settlement.id).status == "authorized"
    sent = [q["sql"] for q in queries.captured_queries]
    # The settlement with its buyer's payment method and both parties' listeners: one query, not one per party.
    reads = [sql for sql in sent if "settlement_paymentmethod" in sql or "settlement_webhookendpoint" in sql]
    assert len(reads) == 1 and reads[0].startswith('SELECT "settlement_settlement"'), reads
    # Both rows locked in one statement, in the order every step takes them: the settlement, then its contract
    # (PostgreSQL locks a result row's rows in the order FOR UPDATE OF names them).
    locks = [sql.split(" FOR UPDATE", 1)[1] for sql in sent if " FOR UPDATE" in sql]
    assert locks == [' OF "settlement_settlement", "contracts_contract"'], locks
    assert Entitlement.objects.filter(settlement=settlement, status="active").count() == 1
    contract = Contract.objects.get(pk=settlement.contract_id)
    assert contract.status == "active"
    assert [e.to_status for e in contract.events.order_by("created_at", "id")] == ["concluded", "active"]


# Statements one authorisation sends on PostgreSQL (offline provider), pinned so that a statement added to the
# step fails here. Savepoints are not counted: inside the test's transaction they stand for the BEGIN/COMMIT the
# worker sends, which Django does not log. Without webhook endpoints (9, was 13): the settlement read with the
# buyer's payment method and the parties' listeners; the provider's INSERT of its payment; the settlement and
# its contract locked in one statement with the offering's delivery URL; then each of the settlement, the
# contract and the new entitlement written with its event (three tables: no fewer than three event INSERTs).
# With both parties listening (28, was 35): the trade read for its announcement, and per event and party the
# endpoints read and the delivery inserted.
AUTHORISATION_STATEMENTS = {False: 9, True: 28}


@pytest.mark.parametrize("listening", [False, True], ids=["no-webhooks", "webhooks"])
def test_one_authorisation_sends_a_pinned_number_of_statements(
    seller, buyer, offering, django_capture_on_commit_callbacks, listening
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from settlement.services.webhooks import EVENT_TYPES

    if connection.vendor != "postgresql":
        pytest.skip("the count is PostgreSQL's (SQLite has no row locks and sends other statements)")
    if listening:
        for party in (buyer, seller):
            response = party.client.post(
                "/api/v1/webhook-endpoints",
                {"url": "http://127.0.0.1:9/hook", "events": list(EVENT_TYPES)},
                format="json",
            )
            assert response.status_code == 201, response.content
    settlement = _pending(seller, buyer, offering, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        assert settlements.settlement_authorize(settlement_id=settlement.id).status == "authorized"
    sent = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sent) == AUTHORISATION_STATEMENTS[listening], "\n".join(sql[:120] for sql in sent)
    assert Entitlement.objects.filter(settlement=settlement, status="active").count() == 1
    assert [e.to_status for e in settlement.events.all()] == ["pending", "authorized"]
