"""Who reads a take-down, and where: the seller on its dataset and offering pages and in the API, the buyer on its
purchase; a seller refunded after its payout sees what it owes on its sales page, the operator in the console."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from marketplace.models import Offering
from oversight.services.takedowns import takedown_apply
from settlement.models import Settlement
from settlement.services import payouts, settlements
from tests.builders import published_offering, signed_in, text, trade

pytestmark = pytest.mark.django_db

REASON = "Collected from private land without consent."


@pytest.fixture
def refunded(seller: Any, buyer: Any, capture: Any) -> Settlement:
    """A sale paid for and paid out to the seller, then refunded by an unlawful take-down of its dataset."""
    offering = published_offering(seller, capture, title="Gauges")
    settlement = trade(buyer, seller, offering, capture, quantity=1)
    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    [payout] = payouts.payouts_create()
    payouts.payout_send(payout_id=payout.id)
    with capture(execute=True):
        takedown_apply(dataset_id=settlement.contract.dataset_id, category="unlawful", reason=REASON, actor="op")
    settlement.refresh_from_db()
    assert settlement.status == "refunded"
    return settlement


@pytest.mark.parametrize(
    ("lang", "said"),
    [("en", "The market's operator took this dataset down"), ("ja", "市場運営者がこのデータセットを取り下げました")],
)
def test_the_seller_reads_the_take_down_on_its_dataset_and_offering(
    seller: Any, refunded: Settlement, lang: str, said: str
) -> None:
    client = signed_in(seller, lang=lang)
    page = text(client.get(f"/datasets/{refunded.contract.dataset_id}/"))
    assert said in page and REASON in page and 'id="taken-down"' in page
    assert "dataset_relist" not in page and "/relist" not in page, "no List again button"
    offering = Offering.objects.get(dataset_id=refunded.contract.dataset_id)
    shown = text(client.get(f"/offerings/{offering.id}/"))
    assert 'id="taken-down"' in shown and REASON in shown


def test_the_api_shows_the_take_down(seller: Any, refunded: Settlement) -> None:
    dataset = seller.client.get(f"/api/v1/datasets/{refunded.contract.dataset_id}").json()
    assert dataset["status"] == "withdrawn"
    assert dataset["taken_down"]["category"] == "unlawful" and dataset["taken_down"]["reason"] == REASON
    offering = Offering.objects.get(dataset_id=refunded.contract.dataset_id)
    shown = seller.client.get(f"/api/v1/offerings/{offering.id}").json()
    assert shown["status"] == "withdrawn" and shown["taken_down"]["reason"] == REASON
    assert shown["taken_down"]["taken_down_at"]


@pytest.mark.parametrize(("lang", "said"), [("en", "Your access was revoked"), ("ja", "利用権は取り消され")])
def test_the_buyer_reads_why_its_purchase_was_revoked(buyer: Any, refunded: Settlement, lang: str, said: str) -> None:
    page = text(signed_in(buyer, lang=lang).get(f"/purchases/{refunded.id}/"))
    assert 'id="taken-down"' in page and REASON in page and said in page


@pytest.mark.parametrize(("lang", "said"), [("en", "You owe the market (JPY)"), ("ja", "市場への未払い額（JPY）")])
def test_the_seller_sees_what_it_owes_after_a_refund_of_a_paid_out_sale(
    seller: Any, refunded: Settlement, lang: str, said: str
) -> None:
    page = text(signed_in(seller, lang=lang).get("/sales/"))
    assert said in page and 'id="negative-balance-note"' in page
    assert f'data-balance="-{refunded.seller_proceeds}"' in page


def test_the_console_lists_sellers_who_owe_the_market_first(admin_client: Client, refunded: Settlement) -> None:
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert 'id="seller-balances-link"' in text(admin_client.get("/admin/settlement/payout/"))
    page = text(admin_client.get("/admin/settlement/payout/balances/"))
    assert "Kansai Bridge Monitoring" in page and f'data-balance="-{refunded.seller_proceeds}"' in page
