"""Exclusivity under races on PostgreSQL (issue 14): two publications, or two trades on two offerings, of one
dataset at once never give two overlapping licences with an exclusive one. Real threads, each its own
connection, released together (``tests.integration.workers.race``); several datasets race in each test, so a
check that read before the other transaction committed (no dataset lock) would let at least one pair through."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.models import Dataset
from config.errors import RuleViolation
from contracts.models import Contract
from marketplace.models import Offering
from marketplace.services.exclusivity import EXCLUSIVITY_CONFLICT
from marketplace.services.offerings import offering_publish
from marketplace.services.orders import order_place
from marketplace.services.participants import principal_for
from tests.builders import make_party, published_dataset
from tests.fixtures import require_postgres
from tests.integration.workers import race

pytestmark = pytest.mark.django_db(transaction=True)

DATASETS = 4


def publish(seller: Any, dataset: Dataset, territory: list[str]) -> Offering:
    return offering_publish(
        principal=principal_for(seller.organization),
        dataset_id=dataset.id,
        template_code="meti-data-provision",
        terms={"license_type": "exclusive", "territory": territory},
        license_seats=1,
    )


def refusals(results: list[Any]) -> list[RuleViolation]:
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, RuleViolation)]
    assert not unexpected, unexpected
    return [r for r in results if isinstance(r, RuleViolation)]


def test_two_exclusive_publications_at_once_publish_one() -> None:
    require_postgres()
    seller = make_party("Racing Licensor", {"seller"})
    datasets = [published_dataset(seller) for _ in range(DATASETS)]

    # Two requests per dataset, for overlapping territories (JP+US and JP+KR), all released at once.
    results = race(2 * DATASETS, lambda i: publish(seller, datasets[i // 2], ["JP", "US" if i % 2 else "KR"]))

    refused = refusals(results)
    assert len(refused) == DATASETS and {r.code for r in refused} == {EXCLUSIVITY_CONFLICT}
    for dataset in datasets:
        assert Offering.objects.filter(dataset=dataset).count() == 1, "one exclusive offering per dataset"


def test_two_buyers_of_two_exclusive_offerings_at_once_license_one() -> None:
    """Two exclusive offerings of one dataset in one territory, as published before the publishing rule (the
    second published elsewhere, then moved onto the first's territory), each with its one seat asked for: two
    buyers, one on each, at once. The second trade to take the dataset's lock sees the first's contract."""
    require_postgres()
    seller = make_party("Twice Exclusive", {"seller"})
    seller_principal = principal_for(seller.organization)
    buyers = [make_party(f"Exclusive Racer {i}", {"buyer"}) for i in range(2 * DATASETS)]
    pairs: list[tuple[Offering, Offering]] = []
    for _ in range(DATASETS):
        dataset = published_dataset(seller)
        first, second = publish(seller, dataset, ["JP"]), publish(seller, dataset, ["US"])
        Offering.objects.filter(pk=second.pk).update(terms={**second.terms, "territory": ["JP"]})
        for offering in (first, second):
            order_place(principal=seller_principal, offering_id=offering.id, side="sell", price=1000, quantity=1)
        pairs.append((first, second))

    def buy(i: int) -> Any:
        offering = pairs[i // 2][i % 2]
        return order_place(
            principal=principal_for(buyers[i].organization),
            offering_id=offering.id,
            side="buy",
            price=1000,
            quantity=1,
            accepted_terms_sha256=offering.terms_sha256,
        )

    results = race(2 * DATASETS, buy)

    refused = refusals(results)
    assert len(refused) == DATASETS and {r.code for r in refused} == {EXCLUSIVITY_CONFLICT}
    for first, second in pairs:
        licences = Contract.objects.filter(offering_id__in=[first.id, second.id])
        assert licences.count() == 1, "one exclusive licence per dataset and territory"
        sold = Offering.objects.filter(pk__in=[first.pk, second.pk]).values_list("seats_sold", flat=True)
        assert sorted(sold) == [0, 1], "the refused trade left its offering as it was"
