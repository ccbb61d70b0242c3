"""Build a real trade through the API: its settlement, and the buyer's entitlement the pipeline grants.

The settlement's tasks run on commit (Celery is eager in tests), so authorisation and the grant happen
exactly as in production; the buyers of ``tests.builders.make_party`` pay with ``pm_card_visa``.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.models import Offering, Trade
from settlement.models import Entitlement, Settlement

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


def trade(buyer: Any, seller: Any, offering: dict[str, Any], capture: Any, *, quantity: int = 3) -> Settlement:
    """An ask of 5 at 1000 and a crossing bid for ``quantity`` seats; returns the trade's settlement."""
    from tests.builders import place

    with capture(execute=True):
        assert place(seller, offering, "sell", 5, 1000).status_code == 201
    with capture(execute=True):
        response = place(buyer, offering, "buy", quantity, 1000)
    assert response.status_code == 201, response.content
    [made] = response.json()["trades"]
    return Settlement.objects.select_related("contract").get(trade_id=made["id"])


def buy(seller: Any, buyer: Any, offering: dict, capture: Any, *, price: int = 1000) -> Entitlement:
    """One seat bought at ``price``; returns the buyer's entitlement."""
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
    return Entitlement.objects.select_related("dataset_version", "contract", "settlement").get(
        contract_id=trade.contract_id
    )


def entitled(seller: Any, buyer: Any, capture: Any, **offering_options: Any) -> Entitlement:
    return buy(seller, buyer, published_offering(seller, capture, **offering_options), capture)


def stored_bytes(entitlement: Entitlement) -> bytes:
    with entitlement.dataset_version.file.open("rb") as handle:
        return handle.read()
