"""Races of participant sign-up and membership on PostgreSQL, each thread with its own connection: two operators
verifying one application at once, two applicants sending the same corporate number, two admins demoting each
other."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from marketplace.models import Membership, Organization, ParticipantApplication, ParticipantEvent
from marketplace.services.participants import member_add
from marketplace.services.signup import signup_link_token
from tests.builders import make_party
from tests.fixtures import require_postgres
from tests.integration.workers import race

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long racing pass 42"
NUMBER = "7000012050002"


def _application(email: str) -> dict[str, Any]:
    return {
        "company_name": "Racing KK",
        "corporate_number": NUMBER,
        "country": "JP",
        "roles": ["buyer"],
        "contact_name": "Racer",
        "phone": "03-1234-5678",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }


def _operator(index: int) -> Client:
    User.objects.create_superuser(f"operator{index}", f"operator{index}@ichiba.example", PASSWORD)
    client = Client()
    assert client.login(username=f"operator{index}", password=PASSWORD)
    return client


def test_two_operators_verifying_at_once_make_one_organisation_and_one_admin() -> None:
    require_postgres()
    assert (
        Client().post(f"/signup/apply/{signup_link_token('racer@racing.example')}/", _application("")).status_code
        == 302
    )
    application = ParticipantApplication.objects.get()
    operators = [_operator(index) for index in range(4)]

    def verify(index: int) -> Any:
        return operators[index].post(f"/admin/marketplace/participantapplication/{application.id}/verify/")

    responses = race(4, verify)
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert {r.status_code for r in responses} == {302}
    assert Organization.objects.filter(corporate_number=NUMBER).count() == 1
    organization = Organization.objects.get(corporate_number=NUMBER)
    assert list(Membership.objects.filter(organization=organization).values_list("user__username", "role")) == [
        ("racer@racing.example", "admin")
    ]
    assert ParticipantEvent.objects.filter(kind="application_verified").count() == 1
    application.refresh_from_db()
    assert application.status == "verified" and application.organization_id == organization.id


def test_two_applicants_sending_one_corporate_number_at_once_make_one_application() -> None:
    require_postgres()
    emails = [f"applicant{index}@racing.example" for index in range(4)]

    def apply(index: int) -> Any:
        return Client().post(f"/signup/apply/{signup_link_token(emails[index])}/", _application(emails[index]))

    responses = race(4, apply)
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [302, 400, 400, 400]
    assert ParticipantApplication.objects.filter(corporate_number=NUMBER).count() == 1
    # Refused ones left nothing behind: no user without an application.
    assert User.objects.filter(username__in=emails).count() == 1


def test_two_admins_demoting_each_other_at_once_leave_one_admin() -> None:
    require_postgres()
    party = make_party("Twin Admins", {"buyer"}, password=PASSWORD)
    member_add(organization=party.organization, email="second@twins.example", password=PASSWORD, role="admin")
    memberships = list(Membership.objects.filter(organization=party.organization).order_by("pk"))
    clients = []
    for membership in memberships:
        client = Client()
        assert client.login(username=membership.user.username, password=PASSWORD)
        clients.append(client)

    def demote_the_other(index: int) -> Any:
        other = memberships[1 - index]
        return clients[index].post(f"/members/{other.pk}/role/", {"role": "member"})

    responses = race(2, demote_the_other)
    assert all(not isinstance(r, Exception) for r in responses), responses
    roles = sorted(Membership.objects.filter(organization=party.organization).values_list("role", flat=True))
    assert roles == ["admin", "member"]
    assert ParticipantEvent.objects.filter(organization=party.organization, kind="member_role_changed").count() == 1
