"""Actions on one private offer racing in threads, against PostgreSQL: the offer's row lock makes exactly one of them
win, the others answer 409, and there is at most one trade."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from config.errors import Conflict
from deals.models import PrivateOffer, PrivateOfferRevision
from deals.services.private_offers import private_offer_accept, private_offer_counter, private_offer_decline
from marketplace.models import Offering, Trade
from marketplace.services.participants import principal_for
from settlement.models import Settlement
from tests.builders import make_party, private_offer
from tests.fixtures import require_postgres
from tests.integration.workers import race

pytestmark = pytest.mark.django_db(transaction=True)


def _offer(n: int = 0) -> tuple[Any, Any, dict[str, Any]]:
    seller = make_party(f"Racing Seller {n}", {"seller"})
    buyer = make_party(f"Racing Buyer {n}", {"buyer"})
    return seller, buyer, private_offer(seller, buyer, price=10_000)


def _one_outcome(results: list[Any], wins: Callable[[Any], bool]) -> Any:
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, Conflict) for e in errors), errors
    winners = [r for r in results if not isinstance(r, Exception) and wins(r)]
    assert len(winners) == 1 and len(errors) == len(results) - 1, results
    return winners[0]


def _accept_or_decline(seller: Any, buyer: Any, made: dict[str, Any]) -> Callable[[int], Any]:
    def act(i: int) -> Any:
        if i % 2:
            return private_offer_decline(principal=principal_for(seller.organization), private_offer_id=made["id"])
        return private_offer_accept(
            principal=principal_for(buyer.organization),
            private_offer_id=made["id"],
            accepted_terms_sha256=made["terms_sha256"],
        )

    return act


def test_an_accept_racing_a_decline_has_exactly_one_outcome() -> None:
    require_postgres()
    for n in range(3):
        seller, buyer, made = _offer(n)
        winner = _one_outcome(race(4, _accept_or_decline(seller, buyer, made)), lambda r: True)
        offer = PrivateOffer.objects.get(pk=made["id"])
        trades = Trade.objects.filter(offering__private_offer=offer)
        if isinstance(winner, PrivateOffer):
            assert offer.status == "declined" and not trades.exists() and offer.offering_id is None
        else:
            assert offer.status == "accepted" and trades.count() == 1
            assert Settlement.objects.filter(trade__in=trades).count() == 1
        assert Offering.objects.filter(channel="private", dataset_id=offer.dataset_id).count() == (
            1 if offer.status == "accepted" else 0
        )


def test_racing_accepts_make_one_trade() -> None:
    require_postgres()
    seller, buyer, made = _offer()

    def act(i: int) -> Any:
        return private_offer_accept(
            principal=principal_for(buyer.organization),
            private_offer_id=made["id"],
            accepted_terms_sha256=made["terms_sha256"],
        )

    _one_outcome(race(6, act), lambda r: True)
    assert Trade.objects.count() == 1 and Settlement.objects.count() == 1
    assert Offering.objects.filter(channel="private").count() == 1
    assert PrivateOffer.objects.get(pk=made["id"]).status == "accepted"


def test_an_accept_racing_a_counter_either_concludes_the_read_revision_or_refuses() -> None:
    """The buyer's two members at once: one accepts revision 1, the other counters it. Whichever is second sees the
    first's outcome: a counter after the acceptance is refused (no longer open), an acceptance after the counter is
    refused (revision 2 is the buyer's own)."""
    require_postgres()
    seller, buyer, made = _offer()

    def act(i: int) -> Any:
        principal = principal_for(buyer.organization)
        if i % 2:
            return private_offer_counter(principal=principal, private_offer_id=made["id"], price=9_000)
        return private_offer_accept(
            principal=principal, private_offer_id=made["id"], accepted_terms_sha256=made["terms_sha256"]
        )

    _one_outcome(race(2, act), lambda r: True)
    offer = PrivateOffer.objects.get(pk=made["id"])
    revisions = PrivateOfferRevision.objects.filter(private_offer=offer).count()
    if offer.status == "accepted":
        assert revisions == 1 and Trade.objects.get().price == 10_000
    else:
        assert (offer.status, offer.revision, revisions) == ("open", 2, 2) and not Trade.objects.exists()
