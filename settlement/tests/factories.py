"""Build a real trade through the API and the buyer's entitlement for it.

The settlement pipeline (authorise → grant) normally creates the entitlement on commit; when it did not
(the pipeline changed, or a test turns it off) the helper opens the settlement and grants it directly,
so delivery is tested on its own terms either way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.models import Offering, Trade
from settlement.models import Entitlement, Settlement
from settlement.services.entitlements import entitlement_grant
from settlement.services.payment_methods import payment_method_save_default

CSV_LINES = ["timestamp,value"] + [f"2024-01-01T00:{i:02d}:00+09:00,{i * 7}" for i in range(40)]
CSV_BYTES = ("\n".join(CSV_LINES) + "\n").encode()


def published_offering(seller: Any, capture: Any, *, content: bytes = CSV_BYTES, delivery_url: str = "") -> dict:
    dataset = seller.client.post(
        "/api/v1/datasets",
        {"title": "Bridge strain gauges", "data_class": "iot", "category": "infrastructure"},
        format="json",
    ).json()
    with capture(execute=True):
        upload = seller.client.post(
            f"/api/v1/datasets/{dataset['id']}/versions",
            {"file": SimpleUploadedFile("gauges.csv", content)},
            format="multipart",
        )
    assert upload.status_code == 202, upload.content
    response = seller.client.post(
        "/api/v1/offerings",
        {"dataset": dataset["id"], "template": "meti-data-provision", "terms": {}, "license_seats": 10},
        format="json",
    )
    assert response.status_code == 201, response.content
    if delivery_url:
        Offering.objects.filter(pk=response.json()["id"]).update(delivery_url=delivery_url)
    return response.json()


def _settlement_for(trade: Trade) -> Settlement:
    assert trade.contract_id is not None
    existing = Settlement.objects.filter(trade=trade).first()
    if existing is not None:
        return existing
    fee = trade.price * trade.quantity // 20
    return Settlement.objects.create(
        trade=trade,
        contract_id=trade.contract_id,
        buyer_id=trade.buyer_id,
        seller_id=trade.seller_id,
        amount=trade.price * trade.quantity,
        currency=trade.currency,
        fee_rate=Decimal("0.05"),
        platform_fee=fee,
        seller_proceeds=trade.price * trade.quantity - fee,
        status=Settlement.Status.AUTHORIZED,
        provider="offline",
    )


def buy(seller: Any, buyer: Any, offering: dict, capture: Any, *, price: int = 1000) -> Entitlement:
    """One seat bought at ``price``; returns the buyer's entitlement."""
    payment_method_save_default(organization_id=buyer.organization.id, token="pm_card_visa")
    with capture(execute=True):
        ask = seller.client.post(
            "/api/v1/orders",
            {"offering": offering["id"], "side": "sell", "quantity": 1, "price": price},
            format="json",
        )
        assert ask.status_code == 201, ask.content
        bid = buyer.client.post(
            "/api/v1/orders",
            {
                "offering": offering["id"],
                "side": "buy",
                "quantity": 1,
                "price": price,
                "accepted_terms_sha256": offering["terms_sha256"],
            },
            format="json",
        )
        assert bid.status_code == 201, bid.content
    [trade_data] = bid.json()["trades"]
    trade = Trade.objects.get(pk=trade_data["id"])
    assert trade.contract_id is not None
    entitlement = Entitlement.objects.filter(contract_id=trade.contract_id).first()
    if entitlement is None:
        entitlement = entitlement_grant(settlement=_settlement_for(trade))
    return Entitlement.objects.select_related("dataset_version", "contract", "settlement").get(pk=entitlement.pk)


def entitled(seller: Any, buyer: Any, capture: Any, **offering_options: Any) -> Entitlement:
    return buy(seller, buyer, published_offering(seller, capture, **offering_options), capture)


def stored_bytes(entitlement: Entitlement) -> bytes:
    with entitlement.dataset_version.file.open("rb") as handle:
        return handle.read()
