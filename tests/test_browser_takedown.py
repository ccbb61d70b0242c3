"""A take-down read on a 390 px phone, in Japanese and in English: the seller on its dataset and offering pages and
what it owes on its sales page, the buyer on its revoked purchase; the reason (here with a long unbroken address)
wraps, and nothing scrolls sideways."""

from __future__ import annotations

import os
from typing import Any

import pytest

from marketplace.models import Organization
from marketplace.services.orders import order_place
from marketplace.services.participants import principal_for
from oversight.services.takedowns import takedown_apply, takedown_finish
from settlement.models import Settlement
from settlement.services import payouts, settlements
from tests.browser import PASSWORD, offering_with_asks, sideways_overflow, sign_in, switch_language
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
REASON = (
    "Court order: the readings were taken on private land without consent; see "
    "https://courts.example.jp/decisions/2026/osaka-district-court/case-0123456789-bridge-strain-readings"
)


def visit(page: Any, path: str, label: str) -> list[str]:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    assert page.locator("#taken-down, #negative-balance-note").count() == 1, f"{label}: the take-down is shown"
    return sideways_overflow(page, label)


def test_a_take_down_reads_on_a_390_px_phone_in_japanese_and_english(browser_page: Any) -> None:
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    offering = offering_with_asks(seller)
    placed = order_place(
        principal=principal_for(Organization.objects.get(pk=buyer.organization.pk)),
        offering_id=offering.id,
        side="buy",
        price=12_000,
        quantity=1,
        accepted_terms_sha256=offering.terms_sha256,
    )
    settlement = Settlement.objects.get(trade_id=placed.trades[0].id)
    settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    [payout] = payouts.payouts_create()
    payouts.payout_send(payout_id=payout.id)
    takedown = takedown_apply(dataset_id=offering.dataset_id, category="unlawful", reason=REASON, actor="operator")
    assert takedown_finish(takedown_id=takedown.id).status == "done"
    assert Settlement.objects.get(pk=settlement.pk).status == "refunded"

    page = browser_page
    page.set_viewport_size(PHONE)
    found: list[str] = []
    sign_in(page, buyer.email)
    found += visit(page, f"/purchases/{settlement.id}/", "takedown-purchase-ja")
    page.goto("/")
    switch_language(page)
    found += visit(page, f"/purchases/{settlement.id}/", "takedown-purchase-en")
    page.click("header form[action='/logout/'] button")
    sign_in(page, seller.email)
    for lang in ("en", "ja"):
        found += visit(page, f"/datasets/{offering.dataset_id}/", f"takedown-dataset-{lang}")
        found += visit(page, f"/offerings/{offering.id}/", f"takedown-offering-{lang}")
        found += visit(page, "/sales/", f"takedown-sales-{lang}")
        if lang == "en":
            page.goto("/")
            switch_language(page)
    assert not found, "pages wider than a 390 px phone:\n" + "\n".join(found)
