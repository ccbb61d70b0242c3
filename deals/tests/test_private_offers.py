"""Private offers through their services: who accepted what for whom, expiry, the events they write, a voided trade,
and a dataset taken off the market in the middle of a negotiation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.services.datasets import dataset_withdraw
from config.errors import Conflict
from contracts.models import Contract
from deals.models import DealEvent, PrivateOffer, PrivateOfferRevision
from deals.services.private_offers import (
    private_offer_accept,
    private_offer_counter,
    private_offers_expire,
    private_offers_on_trade_voided,
)
from deals.tasks import expire_private_offers
from marketplace import hooks
from marketplace.services.participants import principal_for
from settlement.models import WebhookDelivery, WebhookEndpoint
from tests.builders import Party, principal, private_offer, published_dataset

pytestmark = pytest.mark.django_db


def _acceptances(contract_id: Any) -> dict[str, Any]:
    return {a.role: a for a in Contract.objects.get(pk=contract_id).acceptances.all()}


def test_when_the_buyer_accepts_the_sellers_acceptance_is_its_latest_revision(
    seller: Party, buyer: Party, capture: Any
) -> None:
    made = private_offer(seller, buyer)
    revision = PrivateOfferRevision.objects.get(private_offer_id=made["id"], number=1)
    with capture(execute=True):
        accepted = private_offer_accept(
            principal=principal(buyer), private_offer_id=made["id"], accepted_terms_sha256=made["terms_sha256"]
        )
    acceptances = _acceptances(accepted.trade.contract_id)
    assert acceptances["seller"].accepted_at == revision.created_at
    assert acceptances["seller"].api_key_id == revision.author_api_key_id is not None, "the seller's API key wrote it"
    assert acceptances["buyer"].accepted_at >= revision.created_at
    assert acceptances["buyer"].terms_sha256 == acceptances["seller"].terms_sha256 == made["terms_sha256"]


def test_when_the_seller_accepts_the_buyers_acceptance_is_its_counter(
    seller: Party, buyer: Party, capture: Any
) -> None:
    made = private_offer(seller, buyer)
    member = get_user_model().objects.get(username=buyer.email)
    buyer_member = principal_for(buyer.organization, user_id=member.pk)
    private_offer_counter(principal=buyer_member, private_offer_id=made["id"], price=30_000)
    counter = PrivateOfferRevision.objects.get(private_offer_id=made["id"], number=2)
    with capture(execute=True):
        accepted = private_offer_accept(
            principal=principal(seller),
            private_offer_id=made["id"],
            accepted_terms_sha256=counter.terms_sha256,
            revision=2,
        )
    acceptances = _acceptances(accepted.trade.contract_id)
    buyer_acceptance = acceptances["buyer"]
    assert (buyer_acceptance.user_id, buyer_acceptance.api_key_id) == (member.pk, None), "its counter's author"
    assert acceptances["seller"].accepted_at > counter.created_at
    assert accepted.trade.price == 30_000
    kinds = list(DealEvent.objects.filter(private_offer_id=made["id"]).values_list("kind", flat=True))
    assert kinds == ["created", "countered", "accepted"]


def test_a_dataset_withdrawn_mid_negotiation_refuses_the_counter_and_the_acceptance(
    seller: Party, buyer: Party, capture: Any
) -> None:
    dataset = published_dataset(seller)
    made = private_offer(seller, buyer, dataset=dataset)
    dataset_withdraw(dataset_id=dataset.id, seller_id=seller.organization.id)
    with pytest.raises(Conflict):
        private_offer_counter(principal=principal(buyer), private_offer_id=made["id"], price=1)
    with pytest.raises(Conflict), capture(execute=True):
        private_offer_accept(
            principal=principal(buyer), private_offer_id=made["id"], accepted_terms_sha256=made["terms_sha256"]
        )
    assert PrivateOffer.objects.get(pk=made["id"]).status == "open"


def test_expiry_marks_only_the_open_offers_past_due_once_and_tells_both_parties(
    seller: Party, buyer: Party, capture: Any
) -> None:
    due, later, accepted = (private_offer(seller, buyer) for _ in range(3))
    with capture(execute=True):
        private_offer_accept(
            principal=principal(buyer), private_offer_id=accepted["id"], accepted_terms_sha256=accepted["terms_sha256"]
        )
    past = timezone.now() - timedelta(minutes=1)
    PrivateOffer.objects.filter(pk__in=[due["id"], accepted["id"]]).update(expires_at=past)
    endpoints = [
        WebhookEndpoint.objects.create(
            organization=party.organization, url="https://hooks.example.test/", events=["private_offer.expired"]
        )
        for party in (seller, buyer)
    ]
    assert expire_private_offers() == 1, "the beat's task"
    assert private_offers_expire() == 0
    statuses = {str(pk): status for pk, status in PrivateOffer.objects.values_list("id", "status")}
    assert [statuses[o["id"]] for o in (due, later, accepted)] == ["expired", "open", "accepted"]
    for endpoint in endpoints:
        [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
        assert delivery.payload["data"]["id"] == due["id"] and delivery.payload["data"]["status"] == "expired"
    assert DealEvent.objects.filter(private_offer_id=due["id"], kind="expired").count() == 1
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["deals.expire_private_offers"] == 60.0


def test_the_void_hook_records_only_a_private_offers_trade(seller: Party, buyer: Party, capture: Any) -> None:
    made = private_offer(seller, buyer)
    with capture(execute=True):
        accepted = private_offer_accept(
            principal=principal(buyer), private_offer_id=made["id"], accepted_terms_sha256=made["terms_sha256"]
        )
    trade = accepted.trade
    event = hooks.TradeVoided(
        trade_id=trade.id,
        offering_id=trade.offering_id,
        channel="auction",
        buyer_id=buyer.organization.id,
        quantity=1,
        reason="payment declined",
        seats_back=True,
    )
    private_offers_on_trade_voided(event)
    assert not DealEvent.objects.filter(kind="trade_voided").exists(), "an auction's void is not a private offer's"
    private_offers_on_trade_voided(
        hooks.TradeVoided(**{**event.__dict__, "channel": "private", "trade_id": PrivateOffer.objects.get().pk})
    )
    assert not DealEvent.objects.filter(kind="trade_voided").exists(), "an unknown trade is ignored"
    private_offers_on_trade_voided(hooks.TradeVoided(**{**event.__dict__, "channel": "private"}))
    [recorded] = DealEvent.objects.filter(kind="trade_voided")
    assert recorded.payload == {"trade": str(trade.id), "reason": "payment declined"}
    assert private_offers_on_trade_voided in hooks._trade_voided_subscribers
