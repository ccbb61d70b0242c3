"""The market the integration races trade on: an offering with a published version, and an order of each side,
placed through ``order_place`` (in process or through matchers, as the settings say)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.core.files.base import ContentFile

from catalog.services.datasets import dataset_create
from catalog.services.versions import version_upload, version_validate
from marketplace.matching.commands import Place
from marketplace.models import Offering
from marketplace.services.offerings import offering_publish
from marketplace.services.orders import Placed, order_place
from marketplace.services.participants import principal_for


def offering_of(seller: Any, *, seats: int | None) -> Offering:
    dataset = dataset_create(seller_id=seller.organization.id, title="Raced gauges", data_class="iot")
    content = ContentFile(b"timestamp,v\n2024-01-01T00:00:00+09:00,1\n", name="d.csv")
    version = version_upload(dataset_id=dataset.id, seller_id=seller.organization.id, upload=content)
    version_validate(version_id=version.id)
    return offering_publish(
        principal=principal_for(seller.organization),
        dataset_id=dataset.id,
        template_code="meti-data-provision",
        terms={},
        license_seats=seats,
    )


def buy(buyer: Any, offering: Offering, quantity: int = 1, price: int = 1000) -> Any:
    return order_place(
        principal=principal_for(buyer.organization),
        offering_id=offering.id,
        side="buy",
        price=price,
        quantity=quantity,
        accepted_terms_sha256=offering.terms_sha256,
    )


def sell(seller: Any, offering: Offering, *, quantity: int | None, price: int = 1000) -> Placed:
    return order_place(
        principal=principal_for(seller.organization),
        offering_id=offering.id,
        side="sell",
        price=price,
        quantity=quantity,
    )


def bid_command(buyer: Any, offering: Offering, *, price: int = 1000, quantity: int = 1) -> Place:
    """A buy of ``quantity`` seats at ``price`` as the web tier sends it to a matcher (gtc, the terms accepted)."""
    return Place(
        order_id=uuid.uuid4(),
        offering_id=offering.id,
        principal=principal_for(buyer.organization),
        side="buy",
        type="limit",
        price=price,
        quantity=quantity,
        time_in_force="gtc",
        expires_at=None,
        accepted_terms_sha256=offering.terms_sha256,
        sent_at=time.time(),
    )
