"""Exclusivity that holds (issue 14): an exclusive licence has its territory to itself, across the offerings and
contracts of one dataset, when offerings are published and when they trade (marketplace/services/exclusivity.py).

The races on PostgreSQL are in tests/integration/test_exclusivity_concurrency.py."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.models import Dataset
from contracts.models import Contract
from contracts.services.contracts import contract_transition
from marketplace.models import Offering
from tests.builders import make_party, published_dataset, signed_in, text
from tests.builders import offer_data as form_data

pytestmark = pytest.mark.django_db

EXCLUSIVE = {"license_type": "exclusive"}


def offer(seller: Any, dataset: Dataset, territory: list[str], *, exclusive: bool = False, seats: int = 5) -> Any:
    terms: dict[str, Any] = {"territory": territory, **(EXCLUSIVE if exclusive else {})}
    body = {
        "dataset": str(dataset.id),
        "template": "meti-data-provision",
        "terms": terms,
        "license_seats": 1 if exclusive else seats,
    }
    return seller.client.post("/api/v1/offerings", body, format="json")


def offered(seller: Any, dataset: Dataset, territory: list[str], **kwargs: Any) -> dict[str, Any]:
    response = offer(seller, dataset, territory, **kwargs)
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == "/problems/exclusivity-conflict", body
    return body


def place(party: Any, offering: dict[str, Any], side: str, price: int = 1000, quantity: int = 1) -> Any:
    body: dict[str, Any] = {"offering": offering["id"], "side": side, "price": price, "quantity": quantity}
    if side == "buy":
        body["accepted_terms_sha256"] = offering["terms_sha256"]
    return party.client.post("/api/v1/orders", body, format="json")


def bought(seller: Any, buyer: Any, offering: dict[str, Any]) -> Contract:
    assert place(seller, offering, "sell").status_code == 201
    response = place(buyer, offering, "buy")
    assert response.status_code == 201, response.content
    [made] = response.json()["trades"]
    return Contract.objects.get(trade_ref=made["id"])


@pytest.fixture
def parties() -> tuple[Any, Any, Any]:
    seller = make_party("Sole Licensor", {"seller"})
    return seller, make_party("First Licensee", {"buyer"}), make_party("Second Licensee", {"buyer"})


# --- publishing -------------------------------------------------------------------------------------------------


def test_an_exclusive_offering_is_refused_beside_an_open_overlapping_offering(parties: Any) -> None:
    seller, _, _ = parties
    dataset = published_dataset(seller)
    open_one = offered(seller, dataset, ["JP", "US"])

    body = refused(offer(seller, dataset, ["US", "KR"], exclusive=True))
    assert open_one["id"] in body["detail"] and "US" in body["detail"], "the seller's own offering is named"
    assert body["errors"]["offering"] == [open_one["id"]]
    assert "terms.territory" in body["errors"]
    assert Offering.objects.filter(dataset=dataset).count() == 1, "nothing half-written"

    assert offer(seller, dataset, ["DE", "FR"], exclusive=True).status_code == 201, "no shared country: allowed"


def test_no_offering_is_published_beside_an_open_exclusive_one(parties: Any) -> None:
    seller, _, _ = parties
    dataset = published_dataset(seller)
    exclusive = offered(seller, dataset, ["JP"], exclusive=True)

    assert exclusive["id"] in refused(offer(seller, dataset, ["JP"]))["detail"]
    refused(offer(seller, dataset, ["US", "JP"]))
    refused(offer(seller, dataset, ["JP"], exclusive=True))
    assert offer(seller, dataset, ["US"]).status_code == 201, "another territory is free"
    other_dataset = published_dataset(seller)
    assert offer(seller, other_dataset, ["JP"]).status_code == 201, "exclusivity is per dataset"


def test_a_withdrawn_offering_no_longer_blocks(parties: Any) -> None:
    seller, _, _ = parties
    dataset = published_dataset(seller)
    exclusive = offered(seller, dataset, ["JP"], exclusive=True)
    refused(offer(seller, dataset, ["JP"]))

    withdrawn = seller.client.post(f"/api/v1/offerings/{exclusive['id']}/withdraw", {}, format="json")
    assert withdrawn.status_code == 200, withdrawn.content
    assert offer(seller, dataset, ["JP"]).status_code == 201


def test_a_contract_in_force_blocks_an_exclusive_offering_until_it_ends(parties: Any) -> None:
    seller, first, _ = parties
    dataset = published_dataset(seller)
    shared = offered(seller, dataset, ["JP"])
    contract = bought(seller, first, shared)
    assert seller.client.post(f"/api/v1/offerings/{shared['id']}/withdraw", {}, format="json").status_code == 200

    body = refused(offer(seller, dataset, ["JP"], exclusive=True))
    assert str(contract.id) in body["detail"] and body["errors"]["contract"] == [str(contract.id)]
    assert offer(seller, dataset, ["JP"]).status_code == 201, "a non-exclusive licence is no conflict for another"

    contract_transition(contract_id=contract.id, target=Contract.Status.TERMINATED, reason="test: ended early")
    # The non-exclusive offering just published is open in JP; once it is gone, the ended contract blocks nothing.
    newest = Offering.objects.filter(dataset=dataset, status="active").get()
    seller.client.post(f"/api/v1/offerings/{newest.id}/withdraw", {}, format="json")
    assert offer(seller, dataset, ["JP"], exclusive=True).status_code == 201


def test_a_sold_exclusive_licence_keeps_its_territory_after_its_offering_is_sold_out(parties: Any) -> None:
    seller, first, _ = parties
    dataset = published_dataset(seller)
    exclusive = offered(seller, dataset, ["JP"], exclusive=True)
    contract = bought(seller, first, exclusive)  # its one seat: the offering is no longer open

    body = refused(offer(seller, dataset, ["JP"]))
    assert str(contract.id) in body["detail"], "the licence in force is what blocks now"
    contract_transition(contract_id=contract.id, target=Contract.Status.VOID, reason="test: payment failed")
    assert offer(seller, dataset, ["JP"]).status_code == 201, "a void contract never took effect"


# --- trading ----------------------------------------------------------------------------------------------------


def legacy_pair(seller: Any, dataset: Dataset) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two exclusive offerings of one dataset in the same territory, as they could be published before the
    publishing rule (issue 14): the second is published elsewhere, then moved onto the first's territory (its
    hash left as buyers accept it)."""
    first = offered(seller, dataset, ["JP"], exclusive=True)
    second = offered(seller, dataset, ["US"], exclusive=True)
    offering = Offering.objects.get(pk=second["id"])
    Offering.objects.filter(pk=offering.pk).update(terms={**offering.terms, "territory": ["JP"]})
    return first, second


def test_no_trade_beside_an_exclusive_contract_in_force(parties: Any) -> None:
    seller, first, second = parties
    dataset = published_dataset(seller)
    one, other = legacy_pair(seller, dataset)
    contract = bought(seller, first, one)
    ask = place(seller, other, "sell")
    assert ask.status_code == 201, "an order that does not trade rests"

    body = refused(place(second, other, "buy"))
    assert str(contract.id) not in body["detail"] and "contract" not in body["errors"], "not the caller's contract"
    assert Contract.objects.filter(offering_id=other["id"]).count() == 0
    assert Offering.objects.get(pk=other["id"]).seats_sold == 0, "nothing half-written"

    # A bid rests; the seller's crossing ask would trade it, and is refused naming the seller's own contract.
    assert seller.client.post(f"/api/v1/orders/{ask.json()['id']}/cancel").status_code == 200
    assert place(second, other, "buy", price=900).status_code == 201
    assert str(contract.id) in refused(place(seller, other, "sell", price=900))["detail"]

    contract_transition(contract_id=contract.id, target=Contract.Status.TERMINATED, reason="test: ended early")
    response = place(seller, other, "sell", price=900)
    assert response.status_code == 201 and len(response.json()["trades"]) == 1, "the ended licence no longer blocks"


def test_a_non_exclusive_offering_does_not_trade_beside_an_exclusive_licence_but_elsewhere_it_does(
    parties: Any,
) -> None:
    seller, first, second = parties
    dataset = published_dataset(seller)
    exclusive = offered(seller, dataset, ["JP"], exclusive=True)
    elsewhere = offered(seller, dataset, ["US"])
    shared = Offering.objects.get(pk=offered(seller, dataset, ["KR"])["id"])
    Offering.objects.filter(pk=shared.pk).update(terms={**shared.terms, "territory": ["JP", "KR"]})  # as legacy
    bought(seller, first, exclusive)

    assert place(seller, elsewhere, "sell").status_code == 201
    us_buyer = make_party("Far Licensee", {"buyer"}, country="US")
    assert len(place(us_buyer, elsewhere, "buy").json()["trades"]) == 1, "no shared country: trades"
    shared_offer = {"id": str(shared.id), "terms_sha256": shared.terms_sha256}
    assert place(seller, shared_offer, "sell").status_code == 201
    refused(place(second, shared_offer, "buy"))


def judging(queries: list[dict[str, str]]) -> list[str]:
    """The statements of an exclusivity check: the dataset's lock, the contracts in force."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT")
        and ('FROM "catalog_dataset"' in q["sql"] or '"contracts_contract"' in q["sql"])
    ]


def test_datasets_without_an_exclusive_offering_never_take_the_dataset_lock(parties: Any) -> None:
    """The common path stays as it was: a trade on a dataset with no exclusive offering sends no statement for
    exclusivity (the dataset's flag comes with the version's read)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seller, first, _ = parties
    dataset = published_dataset(seller)
    offering = offered(seller, dataset, ["JP"])
    assert place(seller, offering, "sell", quantity=2).status_code == 201
    with CaptureQueriesContext(connection) as plain:
        assert len(place(first, offering, "buy").json()["trades"]) == 1
    assert not judging(plain.captured_queries)

    exclusive_dataset = published_dataset(seller)
    exclusive = offered(seller, exclusive_dataset, ["JP"], exclusive=True)
    assert place(seller, exclusive, "sell").status_code == 201
    with CaptureQueriesContext(connection) as judged:
        assert len(place(first, exclusive, "buy").json()["trades"]) == 1
    assert len(judging(judged.captured_queries)) == 2, "the dataset's lock, then the licences in force"


# --- the web's offering form ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "an exclusive licence has its territory to itself"),
        ("ja", "独占的ライセンスの利用地域は、他のライセンスと重なってはなりません"),
    ],
)
def test_the_offering_form_shows_the_refusal_in_the_readers_language(parties: Any, lang: str, words: str) -> None:
    seller, _, _ = parties
    dataset = published_dataset(seller)
    exclusive = offered(seller, dataset, ["JP"], exclusive=True)

    response = signed_in(seller, lang=lang).post(f"/sell/datasets/{dataset.id}/offer/", form_data(territory="JP"))
    assert response.status_code == 200
    page = text(response)
    assert words in page and exclusive["id"] in page
    assert Offering.objects.filter(dataset=dataset).count() == 1


def test_seats_that_come_back_do_not_trade_beside_an_exclusive_licence(parties: Any) -> None:
    """``order_rematch`` (a voided trade gave an ask its seats back) judges exclusivity as a placement does: beside
    another offering's exclusive licence in force, the ask keeps resting instead of trading."""
    from marketplace.models import Order
    from marketplace.services.orders import order_rematch

    seller, first, second = parties
    dataset = published_dataset(seller)
    one, other = legacy_pair(seller, dataset)
    assert place(second, other, "buy", price=900).status_code == 201  # rests before any licence is sold
    ask = place(seller, other, "sell", price=1000).json()
    bought(seller, first, one)
    # The ask's seats come back at a price the resting bid crosses (as a voided trade re-opens an ask).
    Order.objects.filter(pk=ask["id"]).update(price=900)

    assert order_rematch(offering_id=other["id"], order_id=ask["id"]) == []
    assert Order.objects.get(pk=ask["id"]).status == "open"
    assert Contract.objects.filter(offering_id=other["id"]).count() == 0
