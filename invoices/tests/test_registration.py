"""The invoice registration number: its check digit (NTA's rule, checked on published corporate numbers), and how
a member sets it through the API and the web."""

from __future__ import annotations

from typing import Any

import pytest

from config.registration import corporate_check_digit, normalize_registration_number, registration_number_refusal
from marketplace.models import Organization, ParticipantEvent
from tests.builders import signed_in, text

# Corporate numbers as the National Tax Agency publishes them (houjin-bangou.nta.go.jp): the NTA itself, Toyota
# Motor Corporation, Sony Group Corporation.
PUBLISHED = ["7000012050002", "1180301018771", "5010401067252"]


@pytest.mark.parametrize("number", PUBLISHED)
def test_published_corporate_numbers_carry_the_check_digit_of_the_nta_rule(number: str) -> None:
    assert corporate_check_digit(number[1:]) == int(number[0])
    assert registration_number_refusal(f"T{number}") is None


@pytest.mark.parametrize(
    "value", ["T8000012050002", "T7000012050003", "7000012050002", "T700001205000", "T70000120500021", "TX000012050002"]
)
def test_a_wrong_check_digit_or_form_is_refused(value: str) -> None:
    assert registration_number_refusal(value) is not None


def test_a_number_is_read_as_people_type_it() -> None:
    assert normalize_registration_number(" ｔ７０００-０１２０-５０００２ ") == "T7000012050002"


@pytest.mark.django_db
def test_a_member_sets_its_number_through_the_api_and_a_bad_check_digit_names_the_field(seller: Any) -> None:
    bad = seller.client.patch("/api/v1/me", {"invoice_registration_number": "T8000012050002"}, format="json")
    assert bad.status_code == 400, bad.content
    assert bad["Content-Type"].startswith("application/problem+json")
    assert "check digit" in bad.json()["errors"]["invoice_registration_number"][0]
    assert Organization.objects.get(pk=seller.organization.pk).invoice_registration_number == ""
    good = seller.client.patch("/api/v1/me", {"invoice_registration_number": "T7000-0120-50002"}, format="json")
    assert good.status_code == 200, good.content
    assert good.json()["invoice_registration_number"] == "T7000012050002"
    assert seller.client.get("/api/v1/me").json()["invoice_registration_number"] == "T7000012050002"
    event = ParticipantEvent.objects.get(organization=seller.organization, kind="invoice_number_set")
    assert event.payload == {"from": "", "to": "T7000012050002"}
    cleared = seller.client.patch("/api/v1/me", {"invoice_registration_number": ""}, format="json")
    assert cleared.json()["invoice_registration_number"] == ""
    missing = seller.client.patch("/api/v1/me", {}, format="json")
    assert missing.status_code == 400 and "invoice_registration_number" in missing.json()["errors"]
    typo = seller.client.patch("/api/v1/me", {"invoice_number": "T7000012050002"}, format="json")
    assert typo.status_code == 400 and "invoice_number" in typo.json()["errors"]


@pytest.mark.django_db
def test_a_member_sets_its_number_on_the_invoices_page_in_japanese(seller: Any) -> None:
    client = signed_in(seller, lang="ja")
    refused = client.post("/invoices/", {"invoice_registration_number": "T8000012050002"})
    assert refused.status_code == 400
    assert "チェックディジット" in text(refused)
    saved = client.post("/invoices/", {"invoice_registration_number": "T7000012050002"}, follow=True)
    assert saved.status_code == 200
    assert "T7000012050002" in text(saved)
    assert Organization.objects.get(pk=seller.organization.pk).invoice_registration_number == "T7000012050002"
