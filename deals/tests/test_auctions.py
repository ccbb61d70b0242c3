"""Sealed-bid auctions (issue 15): opened through the API on a published dataset, bid on sealed, closed at the
uniform (second) price into contracts and settlements as trades, a declined winner's seat passed on."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import Contract
from deals.models import Auction, AuctionBid, DealEvent
from deals.services.auctions import Award, auction_bid_place, auction_close, auctions_close_due, award_compute
from marketplace.models import Offering, Organization, Trade
from marketplace.services.offerings import offering_publish
from marketplace.services.orders import order_place
from marketplace.services.participants import organization_create, principal_for
from settlement.models import Entitlement, Settlement, WebhookDelivery
from settlement.services.webhooks import webhook_endpoint_create
from tests.builders import Party, make_party, principal, published_dataset

pytestmark = pytest.mark.django_db

EXCLUSIVE = {"license_type": "exclusive"}


def _open(seller: Party, *, terms: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    dataset = fields.pop("dataset", None) or published_dataset(seller)
    body = {
        "dataset": str(dataset.id),
        "template": "meti-data-provision",
        "terms": EXCLUSIVE if terms is None else terms,
        "reserve_price": 3000,
        "closes_at": (timezone.now() + timedelta(hours=1)).isoformat(),
        **fields,
    }
    response = seller.client.post("/api/v1/auctions", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _bid(party: Party, auction: dict[str, Any], price: int, **headers: Any) -> Any:
    return party.client.post(
        f"/api/v1/auctions/{auction['id']}/bids",
        {"price": price, "accepted_terms_sha256": auction["terms_sha256"]},
        format="json",
        **headers,
    )


def _close(auction: dict[str, Any], capture: Any) -> Auction:
    """Run the close pass as beat does once the closing time has passed (with the settlement's tasks run)."""
    closes_at = Auction.objects.get(pk=auction["id"]).closes_at
    with capture(execute=True):
        auctions_close_due(now=closes_at + timedelta(seconds=1))
    return Auction.objects.get(pk=auction["id"])


def _hooked(party: Party) -> Party:
    """The party with a webhook endpoint for auction.closed (deliveries are recorded whether or not they arrive)."""
    webhook_endpoint_create(principal=principal(party), url="https://127.0.0.1:9/hooks", events=["auction.closed"])
    return party


def _told(party: Party) -> list[dict[str, Any]]:
    deliveries = WebhookDelivery.objects.filter(
        endpoint__organization_id=party.organization.id, event_type="auction.closed"
    ).order_by("created_at")
    return [delivery.payload["data"] for delivery in deliveries]


def _past_closing(auction: dict[str, Any]) -> None:
    Auction.objects.filter(pk=auction["id"]).update(closes_at=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def bidders() -> tuple[Party, Party, Party]:
    return (
        _hooked(make_party("Osaka Analytics", {"buyer"})),
        _hooked(make_party("Kyoto Insight", {"buyer"})),
        _hooked(make_party("Nagoya Mobility", {"buyer"})),
    )


def test_three_bidders_for_an_exclusive_licence_the_winner_pays_the_second_price(
    seller: Party, bidders: tuple[Party, Party, Party], anonymous: Any, capture: Any
) -> None:
    _hooked(seller)
    auction = _open(seller)
    assert (auction["status"], auction["seats"], auction["reserve_price"]) == ("open", 1, 3000)
    assert auction["terms"]["license_type"] == "exclusive" and len(auction["terms_sha256"]) == 64
    low, high, middle = bidders
    assert _bid(low, auction, 5000).status_code == 201
    assert _bid(high, auction, 8000).status_code == 201
    assert _bid(middle, auction, 6500).status_code == 201

    closed = _close(auction, capture)
    assert (closed.status, closed.clearing_price, closed.bids_received) == ("closed", 6500, 3)
    won = AuctionBid.objects.get(auction=closed, status="won")
    assert won.bidder_id == high.organization.id
    assert set(AuctionBid.objects.filter(auction=closed, status="lost").values_list("bidder_id", flat=True)) == {
        low.organization.id,
        middle.organization.id,
    }
    assert won.trade_id is not None
    trade = Trade.objects.get(pk=won.trade_id)
    assert (trade.price, trade.quantity, trade.buyer_id, trade.buy_order_id) == (6500, 1, high.organization.id, None)
    contract = Contract.objects.get(trade=trade)
    assert (contract.channel, contract.amount, contract.buyer_id) == ("auction", 6500, high.organization.id)
    body = high.client.get(f"/api/v1/contracts/{contract.id}").json()
    assert (body["channel"], body["price"], body["negotiation"]) == ("auction", 6500, [])
    settlement = Settlement.objects.get(trade=trade)
    assert (settlement.status, settlement.amount_excl_tax, settlement.amount) == ("authorized", 6500, 7150)
    assert Entitlement.objects.get(settlement=settlement).buyer_id == high.organization.id
    offering = Offering.objects.get(pk=auction["offering"])
    assert (offering.status, offering.seats_sold) == ("withdrawn", 1)

    tape = anonymous.get("/api/v1/trades", {"offering": auction["offering"]}).json()["results"]
    assert [(t["id"], t["price"], t["quantity"]) for t in tape] == [(str(trade.id), 6500, 1)]
    assert "contract" not in tape[0], "the public tape names no party's contract"

    [told_winner] = _told(high)
    assert (told_winner["outcome"], told_winner["clearing_price"], told_winner["status"]) == ("won", 6500, "closed")
    assert told_winner["bid"]["contract"] == str(contract.id)
    assert told_winner["bid"]["settlement"] == str(settlement.id) and told_winner["bid"]["price_paid"] == 6500
    for loser, price in ((low, 5000), (middle, 6500)):
        [told] = _told(loser)
        assert (told["outcome"], told["bid"]["price"], told["clearing_price"]) == ("lost", price, 6500)
        assert "contract" not in told["bid"]
    [told_seller] = _told(seller)
    assert [w["bidder"] for w in told_seller["winners"]] == [high.id]
    assert told_seller["clearing_price"] == 6500 and told_seller["bids_received"] == 3

    # After the close the result is public; the winner is named to itself and the seller only.
    public = anonymous.get(f"/api/v1/auctions/{auction['id']}").json()
    assert (public["clearing_price"], public["bids_received"], public["winners_count"]) == (6500, 3, 1)
    assert public["winners"] == [] and public["bid"] is None
    mine = high.client.get(f"/api/v1/auctions/{auction['id']}").json()
    assert [w["bidder"]["id"] for w in mine["winners"]] == [high.id]
    assert mine["bid"]["status"] == "won" and mine["bid"]["contract"] == str(contract.id)
    assert low.client.get(f"/api/v1/auctions/{auction['id']}").json()["winners"] == []
    by_seller = seller.client.get(f"/api/v1/auctions/{auction['id']}").json()
    assert [(w["bidder"]["id"], w["price"], w["settlement"]) for w in by_seller["winners"]] == [
        (high.id, 6500, str(settlement.id))
    ]


def test_the_close_is_idempotent(seller: Party, bidders: tuple[Party, Party, Party], capture: Any) -> None:
    auction = _open(seller)
    _bid(bidders[0], auction, 4000)
    closed = _close(auction, capture)
    events, deliveries = DealEvent.objects.count(), WebhookDelivery.objects.count()
    with capture(execute=True):
        assert auctions_close_due(now=closed.closes_at + timedelta(minutes=5)) == 0
        again = auction_close(auction_id=closed.id, now=closed.closes_at + timedelta(minutes=5))
    assert (again.status, again.clearing_price, again.closed_at) == ("closed", 3000, closed.closed_at)
    assert Trade.objects.filter(offering_id=auction["offering"]).count() == 1
    assert (DealEvent.objects.count(), WebhookDelivery.objects.count()) == (events, deliveries)


def test_a_single_bid_pays_the_reserve(seller: Party, bidders: tuple[Party, Party, Party], capture: Any) -> None:
    auction = _open(seller)
    _bid(bidders[0], auction, 9000)
    closed = _close(auction, capture)
    assert (closed.status, closed.clearing_price) == ("closed", 3000)
    assert Trade.objects.get(offering_id=auction["offering"]).price == 3000


def test_an_auction_not_yet_due_is_left_open(seller: Party, bidders: tuple[Party, Party, Party]) -> None:
    auction = _open(seller)
    _bid(bidders[0], auction, 4000)
    assert auctions_close_due() == 0
    assert Auction.objects.get(pk=auction["id"]).status == "open"


def test_reserve_not_met_is_no_sale_and_frees_the_exclusivity(
    seller: Party, bidders: tuple[Party, Party, Party], capture: Any
) -> None:
    dataset = published_dataset(seller)
    auction = _open(seller, dataset=dataset, reserve_price=10_000)
    assert _bid(bidders[0], auction, 9000).status_code == 422, "below the public reserve"
    closed = _close(auction, capture)
    assert (closed.status, closed.clearing_price, closed.bids_received) == ("no_sale", None, 0)
    assert not Trade.objects.filter(offering_id=auction["offering"]).exists()
    assert Offering.objects.get(pk=auction["offering"]).status == "withdrawn"
    offering_publish(
        principal=principal(seller),
        dataset_id=dataset.id,
        template_code="meti-data-provision",
        terms=EXCLUSIVE,
        license_seats=1,
    )
    assert _told(bidders[0]) == [], "a bid refused was never placed: nothing to tell"


def test_an_open_exclusive_auction_blocks_overlapping_offerings_until_it_closes(
    seller: Party, bidders: tuple[Party, Party, Party], capture: Any
) -> None:
    dataset = published_dataset(seller)
    auction = _open(seller, dataset=dataset)
    for terms, seats in ((EXCLUSIVE, 1), ({}, 10)):
        response = seller.client.post(
            "/api/v1/offerings",
            {"dataset": str(dataset.id), "template": "meti-data-provision", "terms": terms, "license_seats": seats},
            format="json",
        )
        assert response.status_code == 422, response.content
        assert response.json()["type"].endswith("/exclusivity-conflict")
    other = seller.client.post(
        "/api/v1/auctions",
        {
            "dataset": str(dataset.id),
            "terms": {},
            "seats": 3,
            "reserve_price": 100,
            "closes_at": (timezone.now() + timedelta(hours=2)).isoformat(),
        },
        format="json",
    )
    assert other.status_code == 422 and other.json()["type"].endswith("/exclusivity-conflict")
    # Outside the auction's territory (Japan by default) the dataset may still be offered.
    abroad = seller.client.post(
        "/api/v1/offerings",
        {
            "dataset": str(dataset.id),
            "template": "meti-data-provision",
            "terms": {"territory": ["DE"]},
            "license_seats": 5,
        },
        format="json",
    )
    assert abroad.status_code == 201, abroad.content
    _close(auction, capture)  # no bid: no sale, and the dataset is free again
    response = seller.client.post(
        "/api/v1/offerings",
        {"dataset": str(dataset.id), "template": "meti-data-provision", "terms": {}, "license_seats": 10},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_ties_go_to_the_earlier_bid_and_a_raise_takes_the_time_of_the_raise(
    seller: Party, bidders: tuple[Party, Party, Party], capture: Any
) -> None:
    first, second, third = bidders
    auction = _open(seller)
    assert _bid(first, auction, 5000).status_code == 201
    assert _bid(second, auction, 5000).status_code == 201
    closed = _close(auction, capture)
    assert AuctionBid.objects.get(auction=closed, status="won").bidder_id == first.organization.id
    assert closed.clearing_price == 5000

    auction = _open(seller)
    assert _bid(first, auction, 4000).status_code == 201
    assert _bid(second, auction, 5000).status_code == 201
    raised = _bid(first, auction, 5000)
    assert raised.status_code == 200 and raised.json()["price"] == 5000
    closed = _close(auction, capture)
    assert AuctionBid.objects.get(auction=closed, status="won").bidder_id == second.organization.id
    assert closed.clearing_price == 5000


def test_the_ranking_and_the_uniform_price() -> None:
    now = timezone.now()

    def bid(name: str, price: int, seconds: int) -> AuctionBid:
        return AuctionBid(price=price, placed_at=now + timedelta(seconds=seconds), accepted_terms_sha256=name)

    a, b, c, d = bid("a", 900, 3), bid("b", 700, 1), bid("c", 700, 2), bid("d", 200, 0)
    assert award_compute(bids=[d, c, b, a], seats=1, reserve_price=100) == Award(winners=(a,), price=700)
    assert award_compute(bids=[d, c, b, a], seats=2, reserve_price=100) == Award(winners=(a, b), price=700)
    assert award_compute(bids=[d, c, b, a], seats=3, reserve_price=100) == Award(winners=(a, b, c), price=200)
    assert award_compute(bids=[d, c, b, a], seats=3, reserve_price=500) == Award(winners=(a, b, c), price=500)
    assert award_compute(bids=[d, c, b, a], seats=5, reserve_price=800) == Award(winners=(a,), price=800)
    assert award_compute(bids=[d], seats=1, reserve_price=800) == Award(winners=(), price=None)


def test_several_seats_go_to_the_best_bids_at_the_best_losing_price(
    seller: Party, bidders: tuple[Party, Party, Party], capture: Any
) -> None:
    fourth = make_party("Sendai Labs", {"buyer"})
    auction = _open(seller, terms={}, seats=2, reserve_price=1000)
    for party, price in zip((*bidders, fourth), (4000, 2500, 6000, 900), strict=True):
        response = _bid(party, auction, price)
        assert response.status_code == (422 if price < 1000 else 201)
    closed = _close(auction, capture)
    assert (closed.status, closed.clearing_price, closed.bids_received) == ("closed", 2500, 3)
    trades = Trade.objects.filter(offering_id=auction["offering"])
    assert {(t.buyer_id, t.price) for t in trades} == {
        (bidders[0].organization.id, 2500),
        (bidders[2].organization.id, 2500),
    }


def test_a_bid_is_raised_or_withdrawn_never_lowered(seller: Party, bidders: tuple[Party, Party, Party]) -> None:
    bidder = bidders[0]
    auction = _open(seller)
    placed = _bid(bidder, auction, 4000)
    assert placed.status_code == 201 and placed.json()["status"] == "active"
    first_time = placed.json()["placed_at"]
    same = _bid(bidder, auction, 4000)
    assert same.status_code == 200 and same.json()["placed_at"] == first_time, "the same price changes nothing"
    lower = _bid(bidder, auction, 3500)
    assert lower.status_code == 422 and lower.json()["errors"] == {"price": ["lower than your bid"]}
    raised = _bid(bidder, auction, 4500)
    assert raised.status_code == 200 and raised.json()["placed_at"] > first_time
    own = bidder.client.get(f"/api/v1/auctions/{auction['id']}/bid").json()
    assert (own["price"], own["status"]) == (4500, "active")
    withdrawn = bidder.client.post(f"/api/v1/auctions/{auction['id']}/bid/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert bidder.client.post(f"/api/v1/auctions/{auction['id']}/bid/withdraw").json()["status"] == "withdrawn"
    again = _bid(bidder, auction, 3200)
    assert again.status_code == 201 and again.json()["price"] == 3200, "after a withdrawal a new, lower bid"
    never = bidders[1].client.post(f"/api/v1/auctions/{auction['id']}/bid/withdraw")
    assert never.status_code == 404


def test_a_withdrawn_bid_is_not_counted(seller: Party, bidders: tuple[Party, Party, Party], capture: Any) -> None:
    auction = _open(seller)
    _bid(bidders[0], auction, 9000)
    _bid(bidders[1], auction, 4000)
    bidders[0].client.post(f"/api/v1/auctions/{auction['id']}/bid/withdraw")
    closed = _close(auction, capture)
    assert (closed.clearing_price, closed.bids_received) == (3000, 1)
    assert AuctionBid.objects.get(auction=closed, status="won").bidder_id == bidders[1].organization.id
    assert AuctionBid.objects.get(bidder_id=bidders[0].organization.id, auction=closed).status == "withdrawn"
    assert _told(bidders[0]) == [], "a withdrawn bidder took no part in the close"


def test_bids_are_sealed_until_the_close(
    seller: Party, bidders: tuple[Party, Party, Party], anonymous: Any, capture: Any
) -> None:
    first, second, third = bidders
    auction = _open(seller)
    _bid(first, auction, 7000)
    _bid(second, auction, 5000)
    for client in (anonymous, third.client, seller.client, second.client):
        seen = client.get(f"/api/v1/auctions/{auction['id']}").json()
        assert (seen["bids_received"], seen["winners_count"], seen["clearing_price"], seen["winners"]) == (
            None,
            None,
            None,
            [],
        )
        listed = client.get("/api/v1/auctions", {"status": "open"}).json()["results"]
        assert [a["id"] for a in listed] == [auction["id"]] and listed[0]["bids_received"] is None
        assert "7000" not in str(seen) and "7000" not in str(listed)
    assert second.client.get(f"/api/v1/auctions/{auction['id']}").json()["bid"]["price"] == 5000
    assert third.client.get(f"/api/v1/auctions/{auction['id']}/bid").status_code == 404
    assert seller.client.get(f"/api/v1/auctions/{auction['id']}/bid").status_code == 404


def test_after_the_closing_time_bids_raises_and_withdrawals_are_refused_even_before_the_close_runs(
    seller: Party, bidders: tuple[Party, Party, Party], capture: Any
) -> None:
    auction = _open(seller)
    _bid(bidders[0], auction, 4000)
    _past_closing(auction)
    for response in (
        _bid(bidders[1], auction, 5000),
        _bid(bidders[0], auction, 6000),
        bidders[0].client.post(f"/api/v1/auctions/{auction['id']}/bid/withdraw"),
    ):
        assert response.status_code == 409 and response.json()["type"].endswith("/auction-closed")
    with capture(execute=True):
        auctions_close_due()
    closed = Auction.objects.get(pk=auction["id"])
    assert (closed.status, closed.clearing_price, closed.bids_received) == ("closed", 3000, 1)
    assert _bid(bidders[1], auction, 5000).status_code == 409


def test_who_may_bid(seller: Party, bidders: tuple[Party, Party, Party]) -> None:
    auction = _open(seller)
    unverified = make_party("Unverified Co", {"buyer"}, verified=False)
    abroad = make_party("Berlin Data GmbH", {"buyer"}, country="DE")
    assert _bid(unverified, auction, 4000).status_code == 403
    assert _bid(abroad, auction, 4000).status_code == 422
    assert _bid(seller, auction, 4000).status_code == 403, "the seller has no buyer role"
    wrong = bidders[0].client.post(
        f"/api/v1/auctions/{auction['id']}/bids", {"price": 4000, "accepted_terms_sha256": "0" * 64}, format="json"
    )
    assert wrong.status_code == 409 and "accepted_terms_sha256" in wrong.json()["errors"]
    assert bidders[0].client.post("/api/v1/auctions/nope/bids", {"price": 1}, format="json").status_code in (400, 404)
    assert not AuctionBid.objects.exists()


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"reserve_price": 0}, 400, "reserve_price"),
        ({"seats": 2}, 422, "seats"),  # exclusive: exactly one seat
        ({"closes_at": "2020-01-01T00:00:00Z"}, 400, "closes_at"),
        ({"closes_at": "2099-01-01T00:00:00Z"}, 400, "closes_at"),
        ({"terms": {"subscription": {"period_days": 30}}}, 400, "terms.subscription"),
        ({"terms": {"license_type": "sold"}}, 400, None),
        ({"template": "nope"}, 400, "template"),
        ({"surprise": 1}, 400, "surprise"),
    ],
)
def test_an_auction_that_does_not_fit_is_a_problem_and_nothing_is_written(
    seller: Party, change: dict[str, Any], status: int, field: str | None
) -> None:
    dataset = published_dataset(seller)
    body = {
        "dataset": str(dataset.id),
        "terms": EXCLUSIVE,
        "reserve_price": 3000,
        "closes_at": (timezone.now() + timedelta(hours=1)).isoformat(),
        **change,
    }
    response = seller.client.post("/api/v1/auctions", body, format="json")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    if field:
        assert field in response.json()["errors"], response.json()
    assert not Auction.objects.exists() and not Offering.objects.filter(channel="auction").exists()


def test_only_a_verified_seller_auctions_its_own_published_dataset(
    seller: Party, other_seller: Party, buyer: Party
) -> None:
    dataset = published_dataset(seller)
    body = {
        "dataset": str(dataset.id),
        "terms": EXCLUSIVE,
        "reserve_price": 3000,
        "closes_at": (timezone.now() + timedelta(hours=1)).isoformat(),
    }
    assert other_seller.client.post("/api/v1/auctions", body, format="json").status_code == 404
    assert buyer.client.post("/api/v1/auctions", body, format="json").status_code == 403
    unverified = make_party("Unverified Seller", {"seller"}, verified=False)
    mine = published_dataset(unverified)
    assert (
        unverified.client.post("/api/v1/auctions", {**body, "dataset": str(mine.id)}, format="json").status_code == 403
    )
    assert not Auction.objects.exists()


def test_a_declined_winner_s_seat_passes_to_the_next_bid_at_the_recomputed_price(seller: Party, capture: Any) -> None:
    _hooked(seller)
    declining = _hooked(make_party("Declining Corp", {"buyer"}, payment_method="pm_card_chargeDeclined"))
    second = _hooked(make_party("Kyoto Insight", {"buyer"}))
    third = _hooked(make_party("Nagoya Mobility", {"buyer"}))
    auction = _open(seller)
    _bid(declining, auction, 9000)
    _bid(second, auction, 7000)
    _bid(third, auction, 4000)
    closed = _close(auction, capture)
    bids = {bid.bidder_id: bid for bid in AuctionBid.objects.filter(auction=closed)}
    assert bids[declining.organization.id].status == "forfeited"
    assert bids[second.organization.id].status == "won" and bids[third.organization.id].status == "lost"
    void = Trade.objects.get(buyer_id=declining.organization.id)
    assert (void.status, void.price) == ("void", 7000)
    passed = Trade.objects.get(auction_bid=bids[second.organization.id])
    assert (passed.status, passed.price) == ("executed", 4000), "the price computed again over the bids that remain"
    assert Settlement.objects.get(trade=passed).status == "authorized"
    assert Contract.objects.get(trade=void).status == "void"
    assert (closed.status, closed.clearing_price, closed.bids_received) == ("closed", 4000, 3)
    assert [
        t["id"] for t in seller.client.get("/api/v1/trades", {"offering": auction["offering"]}).json()["results"]
    ] == [str(passed.id)]
    assert [d["outcome"] for d in _told(declining)] == ["won", "forfeited"]
    assert [d["outcome"] for d in _told(second)] == ["lost", "won"]
    assert _told(second)[-1]["bid"]["price_paid"] == 4000 and _told(second)[-1]["passed_on"] is True
    assert [w["bidder"] for w in _told(seller)[-1]["winners"]] == [second.id]


def test_a_declined_winner_with_no_bid_behind_leaves_the_seat_unsold(seller: Party, capture: Any) -> None:
    declining = make_party("Declining Corp", {"buyer"}, payment_method="pm_card_chargeDeclined")
    auction = _open(seller)
    _bid(declining, auction, 9000)
    closed = _close(auction, capture)
    assert (closed.status, closed.clearing_price) == ("no_sale", None)
    assert AuctionBid.objects.get(auction=closed).status == "forfeited"
    assert not Trade.objects.filter(offering_id=auction["offering"], status="executed").exists()


def test_a_bidder_no_longer_eligible_at_the_close_is_skipped(
    seller: Party, bidders: tuple[Party, Party, Party], capture: Any
) -> None:
    first, second, third = bidders
    auction = _open(seller)
    _bid(first, auction, 9000)
    _bid(second, auction, 7000)
    _bid(third, auction, 5000)
    Organization.objects.filter(pk=first.organization.pk).update(verified=False)
    closed = _close(auction, capture)
    bids = {bid.bidder_id: bid for bid in AuctionBid.objects.filter(auction=closed)}
    assert bids[first.organization.id].status == "forfeited"
    assert bids[second.organization.id].status == "won"
    assert (closed.clearing_price, closed.bids_received) == (5000, 3), "the skipped bid does not set the price"
    assert [d["outcome"] for d in _told(first)] == ["forfeited"]


def test_a_licence_in_force_that_keeps_the_auctioned_one_out_sells_nothing_and_forfeits_nobody(
    seller: Party, bidders: tuple[Party, Party, Party], capture: Any
) -> None:
    """An exclusive book offering published elsewhere, then moved onto the auction's territory (as offerings
    published before the exclusivity rule could be), sells its seat while the auction is open: at the close no
    bidder may have the auctioned exclusive licence beside that contract, whoever it is."""
    dataset = published_dataset(seller)
    auction = _open(seller, dataset=dataset)
    book = offering_publish(
        principal=principal(seller),
        dataset_id=dataset.id,
        template_code="meti-data-provision",
        terms={**EXCLUSIVE, "territory": ["DE"]},
        license_seats=1,
    )
    Offering.objects.filter(pk=book.pk).update(terms={**book.terms, "territory": ["JP"]})
    buyer = make_party("Book Buyer", {"buyer"})
    order_place(principal=principal(seller), offering_id=book.id, side="sell", price=1000, quantity=1)
    order_place(
        principal=principal(buyer),
        offering_id=book.id,
        side="buy",
        price=1000,
        quantity=1,
        accepted_terms_sha256=book.terms_sha256,
    )
    assert Contract.objects.filter(offering_id=book.id, status="concluded").exists()
    _bid(bidders[0], auction, 9000)
    _bid(bidders[1], auction, 5000)
    closed = _close(auction, capture)
    assert (closed.status, closed.clearing_price, closed.bids_received) == ("no_sale", None, 2)
    assert set(AuctionBid.objects.filter(auction=closed).values_list("status", flat=True)) == {"lost"}
    assert not Trade.objects.filter(offering_id=auction["offering"]).exists()
    assert DealEvent.objects.filter(auction=closed, kind="auction.unsellable").exists()
    assert [d["outcome"] for d in _told(bidders[0])] == ["lost"]


def test_with_several_seats_a_declined_winner_s_seat_passes_on_and_the_others_keep_their_price(
    seller: Party, capture: Any
) -> None:
    declining = make_party("Declining Corp", {"buyer"}, payment_method="pm_card_chargeDeclined")
    paying = make_party("Kyoto Insight", {"buyer"})
    next_in_line = make_party("Nagoya Mobility", {"buyer"})
    last = make_party("Sendai Labs", {"buyer"})
    auction = _open(seller, terms={}, seats=2, reserve_price=1000)
    for party, price in ((declining, 9000), (paying, 8000), (next_in_line, 6000), (last, 2000)):
        assert _bid(party, auction, price).status_code == 201
    closed = _close(auction, capture)
    executed = {t.buyer_id: t.price for t in Trade.objects.filter(offering_id=auction["offering"], status="executed")}
    # The first award: 9000 and 8000 win at 6000. 9000's payment is declined: 6000 takes its seat, at the best bid
    # left without one (2000); 8000 keeps the 6000 it is charged.
    assert executed == {paying.organization.id: 6000, next_in_line.organization.id: 2000}
    assert (closed.status, closed.clearing_price) == ("closed", 2000)
    statuses = dict(AuctionBid.objects.filter(auction=closed).values_list("bidder_id", "status"))
    assert statuses == {
        declining.organization.id: "forfeited",
        paying.organization.id: "won",
        next_in_line.organization.id: "won",
        last.organization.id: "lost",
    }
    offering = Offering.objects.get(pk=auction["offering"])
    assert offering.seats_sold == 2


def test_an_idempotency_key_replays_a_bid_and_refuses_another_body(
    seller: Party, bidders: tuple[Party, Party, Party]
) -> None:
    auction = _open(seller)
    first = _bid(bidders[0], auction, 4000, HTTP_IDEMPOTENCY_KEY="bid-1")
    again = _bid(bidders[0], auction, 4000, HTTP_IDEMPOTENCY_KEY="bid-1")
    assert (first.status_code, again.status_code) == (201, 201) and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = _bid(bidders[0], auction, 5000, HTTP_IDEMPOTENCY_KEY="bid-1")
    assert other.status_code == 409 and AuctionBid.objects.get().price == 4000


def test_anyone_reads_auctions_only_members_bid_and_the_openapi_document_says_so(seller: Party, anonymous: Any) -> None:
    auction = _open(seller)
    assert anonymous.get("/api/v1/auctions").json()["results"][0]["id"] == auction["id"]
    assert anonymous.get("/api/v1/auctions", {"status": "closed"}).json()["results"] == []
    assert anonymous.get("/api/v1/auctions", {"status": "sold"}).status_code == 400
    assert anonymous.get(f"/api/v1/auctions/{auction['id']}").json()["reserve_price"] == 3000
    assert anonymous.get("/api/v1/auctions/not-an-id").status_code == 404
    refused = anonymous.post(f"/api/v1/auctions/{auction['id']}/bids", {"price": 4000}, format="json")
    assert refused.status_code == 401 and refused["Content-Type"] == "application/problem+json"
    schema = yaml.safe_load(anonymous.get("/api/schema/").content)
    paths = schema["paths"]
    assert {} in paths["/api/v1/auctions"]["get"]["security"]
    assert {} not in paths["/api/v1/auctions"]["post"]["security"]
    assert {} in paths["/api/v1/auctions/{auction_id}"]["get"]["security"]
    assert {"200", "201", "409", "422"} <= set(paths["/api/v1/auctions/{auction_id}/bids"]["post"]["responses"])
    for path in ("/api/v1/auctions/{auction_id}/bid", "/api/v1/auctions/{auction_id}/bid/withdraw"):
        assert path in paths


def test_manage_py_close_auctions_closes_what_is_due(
    seller: Party, bidders: tuple[Party, Party, Party], capture: Any
) -> None:
    auction = _open(seller)
    _bid(bidders[0], auction, 4000)
    _past_closing(auction)
    out = io.StringIO()
    with capture(execute=True):
        call_command("close_auctions", stdout=out)
    assert json.loads(out.getvalue()) == {"closed": 1}
    assert Auction.objects.get(pk=auction["id"]).status == "closed"
    out = io.StringIO()
    call_command("close_auctions", stdout=out)
    assert json.loads(out.getvalue()) == {"closed": 0}


def test_the_seller_hears_of_a_seat_passed_on_even_at_the_same_price(seller: Party, capture: Any) -> None:
    _hooked(seller)
    declining = make_party("Declining Corp", {"buyer"}, payment_method="pm_card_chargeDeclined")
    others = [_hooked(make_party(name, {"buyer"})) for name in ("Kyoto Insight", "Nagoya Mobility")]
    auction = _open(seller, terms={}, seats=2, reserve_price=3000)
    for party, price in ((declining, 9000), (others[0], 8000), (others[1], 3000)):
        assert _bid(party, auction, price).status_code == 201
    closed = _close(auction, capture)
    assert (closed.status, closed.clearing_price) == ("closed", 3000)
    told = _told(seller)
    assert [(d["passed_on"], d["clearing_price"], len(d["winners"])) for d in told] == [
        (False, 3000, 2),
        (True, 3000, 2),
    ]
    assert [d["outcome"] for d in _told(others[1])] == ["lost", "won"]


def test_the_close_sends_as_many_statements_for_thirty_bids_as_for_three(seller: Party, capture: Any) -> None:
    statements = []
    for count in (3, 30):
        auction = _open(seller)
        for i in range(count):
            bidder = principal_for(
                organization_create(name=f"Bidder {count}-{i}", roles={"buyer"}, country="JP", verified=True)
            )
            auction_bid_place(
                principal=bidder,
                auction_id=auction["id"],
                price=4000 + i,
                accepted_terms_sha256=auction["terms_sha256"],
            )
        closes_at = Auction.objects.get(pk=auction["id"]).closes_at
        with CaptureQueriesContext(connection) as queries, capture(execute=False):
            assert auctions_close_due(now=closes_at + timedelta(seconds=1)) == 1
        statements.append(len(queries))
    assert statements[0] == statements[1], statements


def test_declined_winners_one_after_the_other_pass_the_seat_down_the_bids(seller: Party, capture: Any) -> None:
    first = make_party("Declining Corp", {"buyer"}, payment_method="pm_card_chargeDeclined")
    second = make_party("Declining Too", {"buyer"}, payment_method="pm_card_visa_chargeDeclinedInsufficientFunds")
    third = make_party("Paying Corp", {"buyer"})
    auction = _open(seller, reserve_price=2000)
    for party, price in ((first, 9000), (second, 7000), (third, 5000)):
        _bid(party, auction, price)
    closed = _close(auction, capture)
    statuses = dict(AuctionBid.objects.filter(auction=closed).values_list("bidder_id", "status"))
    assert statuses == {
        first.organization.id: "forfeited",
        second.organization.id: "forfeited",
        third.organization.id: "won",
    }
    trades = Trade.objects.filter(offering_id=auction["offering"]).values_list("buyer_id", "price", "status")
    assert set(trades) == {
        (first.organization.id, 7000, "void"),
        (second.organization.id, 5000, "void"),
        (third.organization.id, 2000, "executed"),
    }, "each award at the best bid left without a seat; the last at the reserve"
    assert (closed.status, closed.clearing_price) == ("closed", 2000)


def test_the_auction_closed_problem_is_documented_for_people(anonymous: Any) -> None:
    page = anonymous.get("/problems/auction-closed")
    assert page.status_code == 200 and "closing time has passed" in page.content.decode()
