from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from catalog.models import Dataset, DatasetVersion
from marketplace.models import Offering, Organization


@pytest.mark.django_db
def test_demo_data_is_alive_and_loading_it_twice_changes_nothing(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    assert Dataset.objects.filter(status="published").count() == 5
    assert set(Dataset.objects.values_list("data_class", flat=True)) == {"iot", "anonymized"}
    assert DatasetVersion.objects.filter(status="published").count() == 5
    assert Offering.objects.filter(status="active").count() == 5
    assert Organization.objects.filter(verified=True).count() == 5
    counts = (Organization.objects.count(), Dataset.objects.count(), Offering.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    assert (Organization.objects.count(), Dataset.objects.count(), Offering.objects.count()) == counts
