"""The operator's console for payments (settlement/admin.py): found by organisation or dataset, amounts as people
read them, in Japanese for a Japanese operator; a refund asks for confirmation and a reason, which the buyer then
reads on the purchase, in the API and in the webhook."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from config.errors import InvalidInput
from settlement.models import Settlement, SettlementEvent
from settlement.services import settlements
from settlement.services.settlements import settlement_webhook_data
from tests.builders import make_party, published_offering, signed_in, text, trade

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/settlement/settlement/"
REASON = "The data did not match its description: 12 of 40 rows were empty."


@pytest.fixture
def paid(seller: Any, buyer: Any, capture: Any) -> Settlement:
    """A captured payment: three seats of "Gauges" at ¥1,000, ¥3,300 with the consumption tax (parties in Japan)."""
    offering = published_offering(seller, capture, title="Gauges")
    settlement = trade(buyer, seller, offering, capture)
    captured = settlements.settlement_capture(settlement_id=settlement.id, reason="first download")
    assert captured.status == "captured"
    return captured


def _operator(admin_client: Client, lang: str) -> Client:
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
    return admin_client


def _choose_refund(client: Client, settlement: Settlement, **extra: str) -> Any:
    return client.post(CHANGELIST, {"action": "refund", "_selected_action": [str(settlement.id)], **extra})


def test_a_refund_asks_for_confirmation_and_a_reason_before_anything_moves(
    admin_client: Client, paid: Settlement, buyer: Any, capture: Any
) -> None:
    client = _operator(admin_client, "en")

    # Choosing the action shows the payment and the form; nothing is refunded yet.
    page = _choose_refund(client, paid)
    assert page.status_code == 200
    body = text(page)
    assert 'id="refund-form"' in body and "Osaka Analytics" in body and "¥3,300" in body
    assert 'name="reason"' in body and "required" in body
    paid.refresh_from_db()
    assert paid.status == "captured" and paid.refund_reason == ""

    # Confirmed without a reason (or with only spaces): the form again, with its error; still nothing moved.
    for blank in ("", "   "):
        again = _choose_refund(client, paid, confirm="yes", reason=blank)
        assert again.status_code == 200 and "This field is required." in text(again)
        paid.refresh_from_db()
        assert paid.status == "captured"

    # Confirmed with a reason: refunded, the reason stored and in the history.
    with capture(execute=True):
        done = _choose_refund(client, paid, confirm="yes", reason=f"  {REASON}  ")
    assert done.status_code == 302 and done.url.startswith(CHANGELIST)
    paid.refresh_from_db()
    assert paid.status == "refunded" and paid.refund_reason == REASON
    assert SettlementEvent.objects.filter(settlement=paid, to_status="refunded", reason=f"refund: {REASON}").exists()

    # The buyer reads it on the purchase's page and the list, in the API and in the webhook's data.
    for path in (f"/purchases/{paid.id}/", "/purchases/"):
        for lang, label in (("en", "Reason for the refund:"), ("ja", "返金の理由：")):
            shown = text(signed_in(buyer, lang=lang).get(path))
            assert label in shown and REASON in shown, (path, lang)
    api = buyer.client.get(f"/api/v1/settlements/{paid.id}")
    assert api.status_code == 200 and api.json()["refund_reason"] == REASON
    assert settlement_webhook_data(paid)["refund_reason"] == REASON


def test_a_payment_not_yet_captured_is_not_offered_for_refund(
    admin_client: Client, seller: Any, buyer: Any, capture: Any
) -> None:
    offering = published_offering(seller, capture, title="Gauges")
    authorized = trade(buyer, seller, offering, capture)
    page = _choose_refund(_operator(admin_client, "en"), authorized)
    body = text(page)
    assert page.status_code == 200 and 'id="refund-form"' not in body and 'id="refund-skipped"' in body
    # Sent anyway (a stale page): the service refuses it and says why.
    refused = _choose_refund(admin_client, authorized, confirm="yes", reason=REASON)
    assert refused.status_code == 302
    assert "Only a captured payment can be refunded" in text(admin_client.get(refused.url))
    authorized.refresh_from_db()
    assert authorized.status == "authorized" and authorized.refund_reason == ""


def test_the_service_refuses_a_refund_without_a_readable_reason(paid: Settlement) -> None:
    for reason in ("", "  ", "\u202ereversed", "x" * 501):
        with pytest.raises(InvalidInput):
            settlements.settlement_refund(settlement_id=paid.id, reason=reason)
    paid.refresh_from_db()
    assert paid.status == "captured" and paid.refund_reason == ""


def test_payments_are_found_by_organisation_and_by_dataset(
    admin_client: Client, seller: Any, buyer: Any, capture: Any
) -> None:
    other_buyer = make_party("Kyoto Mobility Lab", {"buyer"})
    gauges = trade(buyer, seller, published_offering(seller, capture, title="Gauges"), capture)
    traffic = trade(other_buyer, seller, published_offering(seller, capture, title="Traffic counts"), capture)
    client = _operator(admin_client, "en")

    def found(query: str) -> set[str]:
        body = text(client.get(CHANGELIST, {"q": query}))
        return {name for name, settlement in (("gauges", gauges), ("traffic", traffic)) if str(settlement.id) in body}

    assert found("Kyoto Mobility") == {"traffic"}  # the buyer's name
    assert found("Osaka Analytics") == {"gauges"}
    assert found("Kansai Bridge") == {"gauges", "traffic"}  # the seller's name
    assert found("Traffic counts") == {"traffic"}  # the dataset's title
    assert found(str(gauges.id)) == {"gauges"}
    # Filters: status, needs review, currency.
    body = text(client.get(CHANGELIST, {"status__exact": "authorized", "needs_review": "no", "currency": "JPY"}))
    assert str(gauges.id) in body and str(traffic.id) in body
    body = text(client.get(CHANGELIST, {"needs_review": "yes"}))
    assert str(gauges.id) not in body


def test_the_console_speaks_japanese_and_formats_money(admin_client: Client, paid: Settlement) -> None:
    client = _operator(admin_client, "ja")
    body = text(client.get(CHANGELIST))
    assert "¥3,300" in body and "3300" not in body
    assert "金額" in body and "購入者" in body and "要確認" in body  # the columns, in Japanese
    assert "選択された決済を返金" in body  # the refund action
    detail = text(client.get(f"{CHANGELIST}{paid.id}/change/"))
    assert "¥3,300" in detail and "¥3,000" in detail and "¥300" in detail  # the total, without tax, the tax
    assert "消費税" in detail
    # Linked to its trade, contract and organisations.
    assert f"/admin/marketplace/trade/{paid.trade_id}/change/" in detail
    assert f"/admin/contracts/contract/{paid.contract_id}/change/" in detail
    assert f"/admin/marketplace/organization/{paid.buyer_id}/change/" in detail
