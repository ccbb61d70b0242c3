from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from catalog.models import Dataset, DatasetVersion
from marketplace.models import Offering, Order, Organization, Trade
from settlement.models import Entitlement, Settlement


@pytest.mark.django_db
def test_demo_data_is_alive_and_loading_it_twice_changes_nothing(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    assert Dataset.objects.filter(status="published").count() == 5
    assert set(Dataset.objects.values_list("data_class", flat=True)) == {"iot", "anonymized"}
    assert DatasetVersion.objects.filter(status="published").count() == 5
    assert Offering.objects.filter(status="active").count() == 5
    assert Organization.objects.filter(verified=True).count() == 5
    # A live market: an ask to buy at once, one earlier sale (settled and delivered), a resting bid.
    for offering in Offering.objects.all():
        book = Order.objects.filter(offering=offering, status__in=Order.RESTING)
        assert book.filter(side="sell").count() == 1 and book.filter(side="buy").count() == 1
    assert Trade.objects.count() == 5
    assert set(Settlement.objects.values_list("status", flat=True)) == {"authorized"}
    assert Entitlement.objects.filter(status="active").count() == 5
    counts = (
        Organization.objects.count(),
        Dataset.objects.count(),
        Offering.objects.count(),
        Order.objects.count(),
        Trade.objects.count(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    assert (
        Organization.objects.count(),
        Dataset.objects.count(),
        Offering.objects.count(),
        Order.objects.count(),
        Trade.objects.count(),
    ) == counts
