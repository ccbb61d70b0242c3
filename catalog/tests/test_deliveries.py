"""What counts as a delivery of a feed: a new version, one whose content no earlier version of the dataset had
(docs/domain.md#rule-finder). Subscriptions are billed per period by this count, and the offering page shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile

from catalog.models import DatasetVersion
from catalog.selectors import new_versions, new_versions_between, new_versions_per_period
from catalog.services.versions import version_upload, version_validate
from tests.builders import Party, published_dataset, readings_csv, version_published

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def test_a_new_version_counts_and_a_re_upload_of_earlier_content_does_not(seller: Party) -> None:
    dataset = published_dataset(seller)  # its first version: before START
    first = version_published(seller, dataset, readings_csv(5), at=START + DAY)
    again = version_published(seller, dataset, readings_csv(5), at=START + 2 * DAY)  # the same bytes
    second = version_published(seller, dataset, readings_csv(6), at=START + 3 * DAY)
    back = version_published(seller, dataset, readings_csv(5), at=START + 4 * DAY)  # earlier content, back again
    assert first.sha256 == again.sha256 == back.sha256 != second.sha256
    assert new_versions_between(dataset_id=dataset.id, start=START, end=START + 10 * DAY) == 2
    counted = set(new_versions(dataset_ids=[dataset.id]).values_list("number", flat=True))
    assert counted == {1, first.number, second.number}
    # [start, end): a version published at the end belongs to the next period
    assert new_versions_between(dataset_id=dataset.id, start=START + DAY, end=START + 3 * DAY) == 1
    assert new_versions_between(dataset_id=dataset.id, start=START + 3 * DAY, end=START + 4 * DAY) == 1


def test_the_first_upload_of_content_counts_even_if_a_later_number_was_published_first(seller: Party) -> None:
    dataset = published_dataset(seller)
    low = version_published(seller, dataset, readings_csv(7), at=START + 5 * DAY)
    high = version_published(seller, dataset, readings_csv(7), at=START + DAY)  # published earlier
    assert low.number < high.number
    assert list(new_versions(dataset_ids=[dataset.id]).filter(sha256=low.sha256).values_list("number", flat=True)) == [
        high.number
    ]
    # a tie in time: the lower number is the earlier
    tied = version_published(seller, dataset, readings_csv(8), at=START + 6 * DAY)
    version_published(seller, dataset, readings_csv(8), at=START + 6 * DAY)
    assert list(new_versions(dataset_ids=[dataset.id]).filter(sha256=tied.sha256).values_list("number", flat=True)) == [
        tied.number
    ]


def test_rejected_versions_and_other_datasets_count_for_nothing(seller: Party, other_seller: Party) -> None:
    dataset = published_dataset(seller)
    other = published_dataset(other_seller)
    version_published(other_seller, other, readings_csv(9), at=START + DAY)
    rejected = version_upload(
        dataset_id=dataset.id,
        seller_id=seller.organization.id,
        upload=ContentFile(b"timestamp,value\nnot a time,1\n", name="bad.csv"),
        original_filename="bad.csv",
    )
    assert version_validate(version_id=rejected.id).status == "rejected"
    DatasetVersion.objects.filter(pk=rejected.pk).update(validated_at=START + DAY)
    assert new_versions_between(dataset_id=dataset.id, start=START, end=START + 10 * DAY) == 0
    # another dataset's version of the same content does not make this one's old
    version_published(seller, dataset, readings_csv(9), at=START + 2 * DAY)
    assert new_versions_between(dataset_id=dataset.id, start=START, end=START + 10 * DAY) == 1


def test_per_period_buckets_are_the_between_counts(seller: Party) -> None:
    dataset = published_dataset(seller)
    for day, rows in ((0, 3), (1, 4), (1.5, 4), (9, 5), (20, 6), (29.9, 7), (30, 8)):
        version_published(seller, dataset, readings_csv(rows), at=START + day * DAY)
    period = 10 * DAY
    counts = new_versions_per_period(dataset_id=dataset.id, start=START, period=period, periods=3)
    assert counts == [3, 0, 2]
    assert counts == [
        new_versions_between(dataset_id=dataset.id, start=START + n * period, end=START + (n + 1) * period)
        for n in range(3)
    ]
    assert new_versions_per_period(dataset_id=dataset.id, start=START, period=period, periods=0) == []
