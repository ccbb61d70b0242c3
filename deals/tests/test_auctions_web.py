"""Auctions on the web (issue 15), in Japanese and English: the seller auctions a dataset from its page, buyers bid,
raise and withdraw on the auction's page, and after the close everyone sees the result on it and on the list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from deals.models import Auction, AuctionBid
from deals.services.auctions import auction_open, auctions_close_due
from marketplace.models import Trade
from tests.builders import (
    Party,
    make_party,
    offer_data,
    principal,
    published_dataset,
    section,
    signed_in,
    text,
    through_review,
)

pytestmark = pytest.mark.django_db


def _auction(seller: Party, **fields: Any) -> Auction:
    return auction_open(
        principal=principal(seller),
        dataset_id=published_dataset(seller).id,
        template_code="meti-data-provision",
        terms=fields.pop("terms", {"license_type": "exclusive"}),
        reserve_price=fields.pop("reserve_price", 3000),
        closes_at=timezone.now() + timedelta(hours=2),
        **fields,
    )


def _form(**overrides: Any) -> dict[str, Any]:
    closes = timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = offer_data(license_type="exclusive", seat_count="1", reserve_price="50000", closes_at=closes)
    for name in ("unlimited", "license_seats", "action"):
        data.pop(name)
    return {**data, **overrides}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_seller_auctions_a_dataset_from_its_page(seller: Party, lang: str) -> None:
    dataset = published_dataset(seller)
    client = signed_in(seller, lang=lang)
    page = text(client.get(f"/datasets/{dataset.id}/"))
    assert f'href="/sell/datasets/{dataset.id}/auction/"' in section(page, "dataset-auctions")
    form = client.get(f"/sell/datasets/{dataset.id}/auction/")
    assert form.status_code == 200
    assert ("Open the auction" if lang == "en" else "オークションを開始") in text(form)
    response = client.post(f"/sell/datasets/{dataset.id}/auction/", _form())
    auction = Auction.objects.get(dataset=dataset)
    assert response.status_code == 302 and response["Location"] == f"/auctions/{auction.id}/"
    assert (auction.seats, auction.reserve_price, auction.offering.terms["license_type"]) == (1, 50000, "exclusive")
    page = text(client.get(response["Location"]))
    assert auction.offering.terms_sha256 in page
    assert ("This is your auction" if lang == "en" else "貴社のオークション") in page
    assert 'id="bid-form"' not in page, "a seller does not bid on its own auction"


def test_the_auction_form_shows_refusals_at_their_fields(seller: Party) -> None:
    dataset = published_dataset(seller)
    client = signed_in(seller)
    past = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/sell/datasets/{dataset.id}/auction/", _form(seat_count="2", closes_at=past))
    assert response.status_code == 200
    page = text(response)
    assert "The closing time must be in the future." in section(page, "field-closes_at")
    response = client.post(f"/sell/datasets/{dataset.id}/auction/", _form(seat_count="2"))
    assert "it has exactly one seat" in section(text(response), "field-seat_count")
    assert not Auction.objects.exists()
    outsider = make_party("Other Seller", {"seller"})
    assert signed_in(outsider).get(f"/sell/datasets/{dataset.id}/auction/").status_code == 404


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_buyer_bids_raises_and_withdraws_on_the_auction_page(seller: Party, buyer: Party, lang: str) -> None:
    auction = _auction(seller)
    client = signed_in(buyer, lang=lang)
    page = text(client.get(f"/auctions/{auction.id}/"))
    assert 'id="bid-form"' in page and auction.offering.terms_sha256 in section(page, "bid-form")
    bid = {"price": "4000", "accepted_terms_sha256": auction.offering.terms_sha256, "accept_terms": "on"}
    unticked = client.post(f"/auctions/{auction.id}/bid/", {**bid, "accept_terms": ""})
    assert unticked.status_code == 200 and not AuctionBid.objects.exists()
    low = through_review(client, f"/auctions/{auction.id}/bid/review/", {**bid, "price": "100"})
    said = "Bid at least the reserve price." if lang == "en" else "最低落札価格以上で入札してください。"
    assert low.status_code == 200 and said in section(text(low), "field-id_price") and not AuctionBid.objects.exists()
    unseen = client.post(f"/auctions/{auction.id}/bid/", bid)
    assert unseen.status_code == 302 and unseen["Location"].startswith(f"/auctions/{auction.id}/bid/review/?")
    assert not AuctionBid.objects.exists(), "a bid is never placed unseen"
    review = text(client.get(unseen["Location"]))
    assert "¥4,000" in section(review, "review-price") and "¥4,400" in section(review, "review-total")
    assert through_review(client, f"/auctions/{auction.id}/bid/review/", bid).status_code == 302
    page = text(client.get(f"/auctions/{auction.id}/"))
    assert "¥4,000" in section(page, "own-bid")
    assert ("Raise my bid" if lang == "en" else "入札額を上げる") in page
    assert through_review(client, f"/auctions/{auction.id}/bid/review/", {**bid, "price": "5000"}).status_code == 302
    assert AuctionBid.objects.get().price == 5000
    lower = through_review(client, f"/auctions/{auction.id}/bid/review/", {**bid, "price": "4500"})
    assert lower.status_code == 200 and AuctionBid.objects.get().price == 5000
    assert ("can only be raised" if lang == "en" else "引き上げのみ") in section(text(lower), "field-id_price")
    assert client.post(f"/auctions/{auction.id}/withdraw/").status_code == 302
    assert AuctionBid.objects.get().status == "withdrawn"


def test_the_list_and_the_page_show_no_bids_before_the_close_and_the_result_after(
    seller: Party, buyer: Party, client: Any, capture: Any
) -> None:
    auction = _auction(seller)
    other = make_party("Kyoto Insight", {"buyer"})
    for party, price in ((buyer, "9000"), (other, "6000")):
        form = {"price": price, "accepted_terms_sha256": auction.offering.terms_sha256, "accept_terms": "on"}
        assert through_review(signed_in(party), f"/auctions/{auction.id}/bid/review/", form).status_code == 302
    listing = text(client.get("/auctions/"))
    assert str(auction.id) in section(listing, "open-auctions") and "9,000" not in listing
    panel = section(text(client.get(f"/datasets/{auction.dataset_id}/")), "dataset-auctions")
    assert f'href="/auctions/{auction.id}/"' in panel and "auction-this-dataset" not in panel
    assert "¥9,000" in section(text(signed_in(buyer).get("/auctions/")), f"auction-{auction.id}"), "its own bid"
    page = text(client.get(f"/auctions/{auction.id}/"))
    assert "9,000" not in page and "6,000" not in page and 'id="auction-result"' not in page

    with capture(execute=True):
        auctions_close_due(now=auction.closes_at + timedelta(seconds=1))
    trade = Trade.objects.get(offering=auction.offering)
    listing = text(client.get("/auctions/"))
    assert "¥6,000" in section(listing, f"auction-{auction.id}")
    public = section(text(client.get(f"/auctions/{auction.id}/")), "auction-result")
    assert "¥6,000" in public and "9,000" not in public and buyer.organization.name not in public
    won = section(text(signed_in(buyer).get(f"/auctions/{auction.id}/")), "own-outcome")
    assert "¥9,000" in won and "¥6,000" in won and f"/contracts/{trade.contract_id}/" in won
    contract_page = signed_in(buyer).get(f"/contracts/{trade.contract_id}/")
    assert contract_page.status_code == 200 and "¥6,000" in text(contract_page)
    assert "an auction" in section(text(contract_page), "contract-channel")
    lost = section(text(signed_in(other, lang="ja").get(f"/auctions/{auction.id}/")), "own-outcome")
    assert "¥6,000" in lost and "落札" in lost
    by_seller = section(text(signed_in(seller).get(f"/auctions/{auction.id}/")), "winners")
    assert buyer.organization.name in by_seller and "¥6,000" in by_seller


def test_an_auctions_offering_page_points_to_the_auction_instead_of_a_book(seller: Party, buyer: Party) -> None:
    auction = _auction(seller)
    page = text(signed_in(buyer).get(f"/offerings/{auction.offering_id}/"))
    assert f'href="/auctions/offering/{auction.offering_id}/"' in section(page, "sold-by-auction")
    assert 'id="bid-form"' not in page and "order-ticket" not in page
    redirected = signed_in(buyer).get(f"/auctions/offering/{auction.offering_id}/")
    assert redirected.status_code == 302 and redirected["Location"] == f"/auctions/{auction.id}/"


def test_a_buyer_who_may_not_buy_on_the_terms_is_told_why_instead_of_a_bid_form(seller: Party) -> None:
    auction = _auction(seller)
    abroad = make_party("Berlin Data GmbH", {"buyer"}, country="DE")
    page = text(signed_in(abroad).get(f"/auctions/{auction.id}/"))
    assert 'id="bid-form"' not in page
    assert "may be used only in JP" in section(page, "bid-refusal")
    late = make_party("Late Corp", {"buyer"})
    Auction.objects.filter(pk=auction.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    form = {"price": "4000", "accepted_terms_sha256": auction.offering.terms_sha256, "accept_terms": "on"}
    refused = through_review(signed_in(late, lang="ja"), f"/auctions/{auction.id}/bid/review/", form)
    assert refused.status_code == 200 and not AuctionBid.objects.exists()
    assert "closing-now" in text(refused)
