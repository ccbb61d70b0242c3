"""Bids racing an auction's close on PostgreSQL (issue 15): each bid is either in (counted in ``bids_received``
and judged: won or lost) or refused with a 409, never lost and never counted after the close. Real threads, each
its own connection, released together (``tests.integration.workers.race``): twenty bidders bid and raise around
the closing time while the close pass runs."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from config.errors import Conflict
from deals.models import Auction, AuctionBid
from deals.services.auctions import BidPlaced, auction_bid_place, auction_open, auctions_close_due
from marketplace.models import Trade
from marketplace.services.participants import principal_for
from tests.builders import make_party, published_dataset
from tests.fixtures import require_postgres
from tests.integration.workers import race

pytestmark = pytest.mark.django_db(transaction=True)

BIDDERS = 20


def test_bids_racing_the_close_are_either_counted_or_refused_never_lost() -> None:
    require_postgres()
    seller = make_party("Auctioneer", {"seller"})
    bidders = [make_party(f"Racing Bidder {i}", {"buyer"}) for i in range(BIDDERS)]
    principals = [principal_for(bidder.organization) for bidder in bidders]
    dataset = published_dataset(seller)
    auction = auction_open(
        principal=principal_for(seller.organization),
        dataset_id=dataset.id,
        template_code="meti-data-provision",
        terms={"license_type": "exclusive"},
        reserve_price=1000,
        closes_at=timezone.now() + timedelta(hours=1),
    )
    terms_sha256 = auction.offering.terms_sha256
    # Half the bidders are in already; they raise while the others place their first bids, around the close.
    for i in range(0, BIDDERS, 2):
        auction_bid_place(
            principal=principals[i], auction_id=auction.id, price=1000 + i, accepted_terms_sha256=terms_sha256
        )
    closes_at = timezone.now() + timedelta(seconds=1)
    Auction.objects.filter(pk=auction.pk).update(closes_at=closes_at)

    def wait_until(moment: Any) -> None:
        time.sleep(max(0.0, (moment - timezone.now()).total_seconds()))

    def act(i: int) -> Any:
        if i == BIDDERS:  # the close pass, as soon as it is due
            wait_until(closes_at)
            return auctions_close_due()
        wait_until(closes_at - timedelta(milliseconds=100) + timedelta(milliseconds=10 * i))
        return auction_bid_place(
            principal=principals[i], auction_id=auction.id, price=5000 + 100 * i, accepted_terms_sha256=terms_sha256
        )

    results = race(BIDDERS + 1, act)

    closed_count, outcomes = results[BIDDERS], results[:BIDDERS]
    unexpected = [r for r in outcomes if not isinstance(r, BidPlaced | Conflict)]
    assert not unexpected, unexpected
    assert closed_count == 1, "the close ran once, when due"
    auction.refresh_from_db()
    assert auction.status == "closed"
    bids = {bid.bidder_id: bid for bid in AuctionBid.objects.filter(auction=auction)}
    assert not [bid for bid in bids.values() if bid.status == "active"], "no bid left unjudged by the close"
    assert auction.bids_received == len(bids), "every bid stored was counted"
    for i, outcome in enumerate(outcomes):
        bid = bids.get(bidders[i].organization.id)
        if isinstance(outcome, BidPlaced):  # in: counted and judged at the price it was placed at
            assert bid is not None and bid.price == 5000 + 100 * i and bid.status in ("won", "lost"), (i, bid)
        else:  # refused: the close came first; nothing of it was stored
            assert outcome.code == "auction-closed"
            assert bid is None or bid.price == 1000 + i, (i, bid)
    # The best bid counted won, at the best of the others (all above the reserve).
    ranked = sorted(bids.values(), key=lambda bid: (-bid.price, bid.placed_at))
    assert ranked[0].status == "won" and all(bid.status == "lost" for bid in ranked[1:])
    assert auction.clearing_price == (ranked[1].price if len(ranked) > 1 else 1000)
    assert Trade.objects.get(offering_id=auction.offering_id).price == auction.clearing_price
    # Late bids stay out after the close too.
    late = make_party("Late Bidder", {"buyer"})
    with pytest.raises(Conflict):
        auction_bid_place(
            principal=principal_for(late.organization),
            auction_id=auction.id,
            price=99_999,
            accepted_terms_sha256=terms_sha256,
        )


def test_close_passes_at_once_close_each_auction_once() -> None:
    require_postgres()
    seller = make_party("Twice Closing", {"seller"})
    bidder = make_party("Patient Bidder", {"buyer"})
    auctions = []
    for _ in range(3):
        auction = auction_open(
            principal=principal_for(seller.organization),
            dataset_id=published_dataset(seller).id,
            template_code="meti-data-provision",
            terms={"license_type": "exclusive"},
            reserve_price=1000,
            closes_at=timezone.now() + timedelta(hours=1),
        )
        auction_bid_place(
            principal=principal_for(bidder.organization),
            auction_id=auction.id,
            price=2000,
            accepted_terms_sha256=auction.offering.terms_sha256,
        )
        auctions.append(auction)
    Auction.objects.filter(pk__in=[a.pk for a in auctions]).update(closes_at=timezone.now() - timedelta(seconds=1))

    results = race(4, lambda i: auctions_close_due())

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == len(auctions), "each auction closed by exactly one pass"
    for auction in auctions:
        assert Trade.objects.filter(offering_id=auction.offering_id).count() == 1
        assert AuctionBid.objects.get(auction=auction).status == "won"
