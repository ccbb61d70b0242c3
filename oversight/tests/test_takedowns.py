"""The operator's take-down (oversight.services.takedowns): off the market at once, the buyers' purchases kept or,
for unlawful data, revoked and refunded; a refund after the seller was paid out is netted off its next payouts."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Dataset
from config.errors import Conflict, InvalidInput
from marketplace.models import Offering, Order
from oversight.models import Takedown
from oversight.services.takedowns import takedown_apply, takedown_effects, takedown_finish
from settlement.models import Entitlement, LedgerEntry, Payout, Settlement, Subscription, WebhookDelivery
from settlement.services import ledger, payouts, settlements
from settlement.services.webhooks import webhook_endpoint_create
from tests.builders import make_party, place, principal, published_offering, subscription_offering, trade

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering(seller: Any, capture: Any) -> dict[str, Any]:
    return published_offering(seller, capture)


def take_down(capture: Any, **target: Any) -> Takedown:
    target.setdefault("category", "policy")
    target.setdefault("reason", "The listing breaks the market's rules on sensor data from private land.")
    with capture(execute=True):
        takedown = takedown_apply(actor="operator@example.test", **target)
    return Takedown.objects.get(pk=takedown.pk)


def test_a_policy_take_down_leaves_the_market_and_keeps_the_buyers_access(seller, buyer, offering, capture) -> None:
    settlement = trade(buyer, seller, offering, capture, quantity=3)  # 2 seats of the ask of 5 still rest
    with capture(execute=True):
        assert place(buyer, offering, "buy", 1, 500).status_code == 201  # a bid below the ask: rests
    effects = takedown_effects(dataset_id=settlement.contract.dataset_id, offering_id=offering["id"])
    assert (effects.offerings, effects.open_orders, effects.active_entitlements, effects.refunds) == (1, 2, 1, 0)

    takedown = take_down(capture, offering_id=offering["id"])

    assert takedown.status == "done" and takedown.orders_cancelled == 2
    row = Offering.objects.get(pk=offering["id"])
    assert row.status == "withdrawn" and row.taken_down_at and row.takedown_category == "policy"
    assert not Order.objects.filter(offering=row, status__in=Order.RESTING).exists()
    assert Order.objects.filter(offering=row, status="cancelled", status_reason__contains="taken down").count() == 2
    refused = place(buyer, offering, "buy", 1, 1000)
    assert refused.status_code == 409, refused.content
    assert Entitlement.objects.get(settlement=settlement).status == "active", "the buyer keeps what it bought"
    assert Settlement.objects.get(pk=settlement.pk).status == "authorized"
    dataset = Dataset.objects.get(pk=row.dataset_id)
    assert dataset.status == "published" and dataset.taken_down_at is None, "only the offering was taken down"
    again = take_down(capture, offering_id=offering["id"], category="unlawful", reason="Another reason.")
    assert again.pk == takedown.pk and Takedown.objects.count() == 1, "idempotent: the first take-down stands"
    assert Entitlement.objects.get(settlement=settlement).status == "active"


def test_an_unlawful_dataset_is_revoked_refunded_and_never_listed_again(seller, buyer, offering, capture) -> None:
    captured = trade(buyer, seller, offering, capture, quantity=1)
    settlements.settlement_capture(settlement_id=captured.id, reason="first download")
    with capture(execute=True):
        second = place(buyer, offering, "buy", 1, 1000)
    authorized = Settlement.objects.get(trade_id=second.json()["trades"][0]["id"])
    assert authorized.status == "authorized"
    entitlement = Entitlement.objects.get(settlement=captured)
    token = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens").json()
    dataset_id = captured.contract.dataset_id
    effects = takedown_effects(dataset_id=dataset_id)
    assert (effects.active_entitlements, effects.refunds, effects.releases) == (2, 1, 1)

    takedown = take_down(capture, dataset_id=dataset_id, category="unlawful", reason="Court order 2026-123.")

    assert takedown.status == "done", takedown.last_error
    refunded = Settlement.objects.get(pk=captured.pk)
    assert refunded.status == "refunded"
    assert refunded.refund_reason == "Taken down by the market's operator (unlawful content): Court order 2026-123."
    assert Settlement.objects.get(pk=authorized.pk).status == "voided", "never charged"
    assert set(Entitlement.objects.values_list("status", flat=True)) == {"revoked"}
    response = APIClient().get(token["download_url"])
    assert response.status_code == 403, "a token minted before stops working"
    dataset = Dataset.objects.get(pk=dataset_id)
    assert dataset.status == "withdrawn" and dataset.takedown_category == "unlawful"
    relist = seller.client.post(f"/api/v1/datasets/{dataset_id}/relist")
    assert relist.status_code == 409, relist.content
    assert Offering.objects.get(pk=offering["id"]).takedown_reason == "Court order 2026-123."
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 0
    assert takedown_finish(takedown_id=takedown.id).status == "done", "finishing again changes nothing"
    assert Settlement.objects.filter(status="refunded").count() == 1


def test_a_refund_after_the_payout_is_netted_off_the_next_payouts(seller, buyer, offering, capture) -> None:
    first = trade(buyer, seller, offering, capture, quantity=1)
    settlements.settlement_capture(settlement_id=first.id, reason="first download")
    [payout] = payouts.payouts_create()
    payouts.payout_send(payout_id=payout.id)
    assert ledger.seller_payable(organization_id=seller.organization.id, currency="JPY") == 0

    take_down(capture, dataset_id=first.contract.dataset_id, category="unlawful", reason="Stolen data.")

    debt = -ledger.seller_payable(organization_id=seller.organization.id, currency="JPY")
    assert debt == first.seller_proceeds > 0, "the seller owes what it was paid for the refunded sale"
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert payouts.payouts_create(for_date=tomorrow) == [], "no payout while the balance is not positive"
    other = published_offering(seller, capture, title="Other gauges")
    later = trade(buyer, seller, other, capture, quantity=2)
    settlements.settlement_capture(settlement_id=later.id, reason="first download")
    assert later.seller_proceeds > debt
    [netted] = payouts.payouts_create(for_date=tomorrow + timedelta(days=1))
    assert netted.amount == later.seller_proceeds - debt, "the next payout nets the debt off"
    assert Payout.objects.count() == 2


def test_subscriptions_renew_no_more_and_end_now_when_unlawful(seller, buyer, capture) -> None:
    feed = subscription_offering(seller, capture)
    other = make_party("Kyoto Analytics", {"buyer"})
    first = trade(buyer, seller, feed, capture, quantity=1)
    with capture(execute=True):
        place(other, feed, "buy", 1, 1000)
    take_down(capture, offering_id=feed["id"], category="rights")
    subscription = Subscription.objects.get(contract_id=first.contract_id)
    assert subscription.status == "cancelling" and subscription.cancelled_at, "its current period is the last"
    assert Entitlement.objects.get(settlement=first).status == "active"
    dataset_id = first.contract.dataset_id
    take_down(capture, dataset_id=dataset_id, category="unlawful", reason="Unlawful after all.")
    assert set(Subscription.objects.values_list("status", "end_reason")) == {("ended", "revoked")}
    assert set(Entitlement.objects.values_list("status", flat=True)) == {"revoked"}
    assert Takedown.objects.count() == 2, "the dataset's take-down covers the offering taken down before"


def test_both_parties_are_told_by_webhook(seller, buyer, offering, capture) -> None:
    for party in (seller, buyer):
        webhook_endpoint_create(
            principal=principal(party), url="https://partner.example/ichiba", events=["offering.taken_down"]
        )
    trade(buyer, seller, offering, capture, quantity=1)
    takedown = take_down(capture, offering_id=offering["id"])
    deliveries = WebhookDelivery.objects.filter(event_type="offering.taken_down")
    assert {delivery.endpoint.organization_id for delivery in deliveries} == {
        seller.organization.id,
        buyer.organization.id,
    }
    data = json.loads(json.dumps(deliveries.first().payload))["data"]  # type: ignore[union-attr]
    assert data["takedown"] == str(takedown.id) and data["category"] == "policy" and data["access_revoked"] is False
    assert data["offerings"] == [offering["id"]]


def test_a_take_down_needs_a_known_category_and_a_readable_reason(offering, capture) -> None:
    dataset_id = Offering.objects.get(pk=offering["id"]).dataset_id
    with pytest.raises(InvalidInput) as refused:
        takedown_apply(dataset_id=dataset_id, category="whim", reason="\u202e", actor="operator")
    assert set(refused.value.errors) == {"category", "reason"}
    assert not Takedown.objects.exists()
    assert Dataset.objects.get(pk=dataset_id).taken_down_at is None, "nothing half-written"


def test_no_deal_trades_an_offering_taken_down(seller, buyer, offering, capture) -> None:
    from marketplace.services.orders import DealLeg, deal_execute

    row = Offering.objects.get(pk=offering["id"])
    take_down(capture, offering_id=row.id)
    with pytest.raises(Conflict):
        deal_execute(
            offering_id=row.id,
            legs=[
                DealLeg(buyer_id=buyer.organization.id, price=1000, quantity=1, accepted_terms_sha256=row.terms_sha256)
            ],
        )


def test_an_auction_of_a_dataset_taken_down_closes_without_a_sale(seller, buyer, capture) -> None:
    from deals.models import Auction, AuctionBid, DealEvent
    from deals.services.auctions import auctions_close_due
    from tests.builders import published_dataset

    dataset = published_dataset(seller)
    opened = seller.client.post(
        "/api/v1/auctions",
        {
            "dataset": str(dataset.id),
            "template": "meti-data-provision",
            "terms": {},
            "reserve_price": 3000,
            "closes_at": (timezone.now() + timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert opened.status_code == 201, opened.content
    auction = opened.json()
    bid = buyer.client.post(
        f"/api/v1/auctions/{auction['id']}/bids",
        {"price": 5000, "accepted_terms_sha256": auction["terms_sha256"]},
        format="json",
    )
    assert bid.status_code == 201, bid.content
    take_down(capture, dataset_id=dataset.id, category="rights", reason="The seller does not hold the rights.")
    assert Offering.objects.get(pk=auction["offering"]).taken_down_at is not None, "the auction's offering too"
    again = buyer.client.post(
        f"/api/v1/auctions/{auction['id']}/bids",
        {"price": 6000, "accepted_terms_sha256": auction["terms_sha256"]},
        format="json",
    )
    assert again.status_code == 409, "no more bids"
    with capture(execute=True):
        auctions_close_due(now=Auction.objects.get(pk=auction["id"]).closes_at + timedelta(seconds=1))
    closed = Auction.objects.get(pk=auction["id"])
    assert closed.status == "no_sale" and not Settlement.objects.exists()
    assert AuctionBid.objects.get().status == "lost", "the bidder is not blamed: nothing was forfeited"
    assert DealEvent.objects.filter(auction=closed, kind="auction.unsellable").exists()


def test_a_refund_the_provider_cannot_make_yet_is_retried_by_the_sweeper(
    seller, buyer, offering, capture, settings
) -> None:
    from oversight.services.takedowns import takedowns_sweep

    settlement = trade(buyer, seller, offering, capture, quantity=1)
    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    settings.ICHIBA = {**settings.ICHIBA, "OFFLINE_PROVIDER_FAILURES": 1}  # each new call fails once, then succeeds
    takedown = take_down(capture, offering_id=offering["id"], category="unlawful", reason="Unlawful data.")
    assert takedown.status == "applying" and "simulated outage" in takedown.last_error
    assert Entitlement.objects.get(settlement=settlement).status == "revoked", "access ends before the refund"
    assert Settlement.objects.get(pk=settlement.pk).status == "captured"
    assert takedowns_sweep() == 0, "not due yet"
    with capture(execute=True):
        assert takedowns_sweep(now=timezone.now() + timedelta(minutes=6)) == 1
    assert Takedown.objects.get(pk=takedown.pk).status == "done"
    assert Settlement.objects.get(pk=settlement.pk).status == "refunded"
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 0


def test_a_dataset_taken_down_is_in_no_list_search_or_catalog(seller, buyer, offering, capture, anonymous) -> None:
    row = Offering.objects.get(pk=offering["id"])
    dataset_id = str(row.dataset_id)
    with capture(execute=True):
        assert place(seller, offering, "sell", 3, 1000).status_code == 201  # the DSP catalog lists what is for sale

    def shown() -> dict[str, bool]:
        dsp = anonymous.post(
            "/dsp/2025-1/catalog/request",
            data=json.dumps(
                {"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"}
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {buyer.api_key}",
        )
        return {
            "list": dataset_id in anonymous.get("/api/v1/datasets").content.decode(),
            "search": dataset_id in anonymous.get("/api/v1/datasets?q=Gauges").content.decode(),
            "dcat": dataset_id in anonymous.get("/catalog", HTTP_ACCEPT="application/ld+json").content.decode(),
            "dsp": str(row.id) in dsp.content.decode() or dataset_id in dsp.content.decode(),
            "offerings": str(row.id) in anonymous.get("/api/v1/offerings?status=active").content.decode(),
        }

    assert all(shown().values()), shown()
    take_down(capture, dataset_id=row.dataset_id)
    after = shown()
    assert not any(after.values()), after
    # Its record stays readable, as after a seller's withdrawal (its buyers' contracts name it): withdrawn, with why.
    detail = anonymous.get(f"/api/v1/datasets/{dataset_id}").json()
    assert detail["status"] == "withdrawn" and detail["taken_down"]["reason"]
    [listed] = anonymous.get("/api/v1/offerings?status=withdrawn").json()["results"]
    assert listed["id"] == str(row.id) and listed["taken_down"]["category"] == "policy"
