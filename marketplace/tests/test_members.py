"""An organisation's members page and its changes (marketplace.services.members): admins invite, change roles and
remove; members see the list without controls and their POSTs are refused; the last admin stays."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from marketplace.models import Invitation, Membership, ParticipantApplication, ParticipantEvent
from marketplace.services.members import invitation_token
from marketplace.services.participants import member_add
from tests.builders import Party, make_party

pytestmark = pytest.mark.django_db

PASSWORD = "a long members pass 42"


@pytest.fixture
def org(db: Any) -> Party:
    """An organisation whose first member (admin@...) is its admin."""
    party = make_party("Kaga Data", {"seller", "buyer"}, password=PASSWORD)
    return party


def signed_in(email: str) -> Client:
    client = Client()
    assert client.login(username=email, password=PASSWORD)
    return client


def add_member(org: Party, email: str, role: str = "member") -> Membership:
    member_add(organization=org.organization, email=email, password=PASSWORD, role=role)
    return Membership.objects.get(user__username=email)


def link_in(message: Any) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return found.group(0).split("testserver", 1)[-1]


def test_an_admin_sees_members_with_roles_and_the_controls(org: Party) -> None:
    add_member(org, "worker@kaga.example")
    page = signed_in(org.email).get("/members/").content.decode()
    assert org.email in page and "worker@kaga.example" in page
    assert 'id="invite-form"' in page and "/role/" in page and "/remove/" in page


def test_a_member_sees_the_list_but_no_controls_and_its_posts_are_refused(org: Party, capture: Any) -> None:
    worker = add_member(org, "worker@kaga.example")
    admin = Membership.objects.get(user__username=org.email)
    client = signed_in("worker@kaga.example")
    page = client.get("/members/").content.decode()
    assert org.email in page and "worker@kaga.example" in page
    assert 'id="invite-form"' not in page and "/remove/" not in page
    with capture(execute=True):
        invited = client.post("/members/", {"email": "friend@kaga.example", "role": "admin"})
    assert invited.status_code == 403
    assert client.post(f"/members/{worker.pk}/role/", {"role": "admin"}).status_code == 403
    assert client.post(f"/members/{admin.pk}/remove/").status_code == 403
    worker.refresh_from_db()
    assert worker.role == "member"
    assert Membership.objects.filter(pk=admin.pk).exists()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_an_invitation_is_mailed_and_its_link_makes_the_member_once(org: Party, capture: Any) -> None:
    admin = signed_in(org.email)
    with capture(execute=True):
        response = admin.post("/members/", {"email": "New@Kaga.example", "role": "admin"})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["new@kaga.example"]
    link = link_in(mail.outbox[0])
    invitee = Client()
    page = invitee.get(link).content.decode()
    assert "Kaga Data" in page and 'id="invitation-form"' in page
    assert invitee.post(link, {"password": "short", "password_again": "short"}).status_code == 400
    joined = invitee.post(link, {"password": PASSWORD, "password_again": PASSWORD})
    assert joined.status_code == 302
    membership = Membership.objects.get(user__username="new@kaga.example")
    assert membership.organization_id == org.organization.id and membership.role == "admin"
    assert invitee.get("/members/").status_code == 200
    used = Client().post(link, {"password": PASSWORD, "password_again": PASSWORD})
    assert used.status_code == 404
    kinds = list(ParticipantEvent.objects.filter(organization=org.organization).values_list("kind", flat=True))
    assert kinds[-2:] == ["member_invited", "member_added"]


def test_an_address_of_another_organisation_or_already_a_member_is_refused(org: Party) -> None:
    other = make_party("Noto Logistics", {"buyer"})
    add_member(org, "worker@kaga.example")
    admin = signed_in(org.email)
    taken = admin.post("/members/", {"email": other.email, "role": "member"})
    assert taken.status_code == 400
    assert "another organisation" in taken.content.decode()
    member = admin.post("/members/", {"email": "worker@kaga.example", "role": "member"})
    assert member.status_code == 400
    assert "already a member" in member.content.decode()
    bad = admin.post("/members/", {"email": "nope", "role": "owner"})
    assert bad.status_code == 400
    assert not Invitation.objects.exists()


def test_an_invitation_accepted_after_its_address_joined_elsewhere_is_refused(org: Party) -> None:
    invitation = Invitation.objects.create(organization=org.organization, email="late@kaga.example", role="member")
    make_party("Late Co", {"buyer"})
    member_add(organization=make_party("Another", {"buyer"}).organization, email="late@kaga.example")
    response = Client().post(
        f"/invitations/{invitation_token(invitation)}/", {"password": PASSWORD, "password_again": PASSWORD}
    )
    assert response.status_code == 400
    assert "another organisation" in response.content.decode()
    assert Membership.objects.get(user__username="late@kaga.example").organization_id != org.organization.id


def test_an_applicant_s_address_cannot_be_invited(org: Party) -> None:
    applicant = User.objects.create_user("applicant@kaga.example", "applicant@kaga.example", PASSWORD)
    ParticipantApplication.objects.create(
        applicant=applicant,
        email=applicant.email,
        company_name="Own Co",
        corporate_number="7000012050002",
        is_buyer=True,
        contact_name="A",
        phone="0761234567",
    )
    response = signed_in(org.email).post("/members/", {"email": applicant.email, "role": "member"})
    assert response.status_code == 400


def test_roles_change_and_members_are_removed_with_events(org: Party) -> None:
    worker = add_member(org, "worker@kaga.example")
    admin = signed_in(org.email)
    assert admin.post(f"/members/{worker.pk}/role/", {"role": "admin"}).status_code == 302
    worker.refresh_from_db()
    assert worker.role == "admin"
    assert admin.post(f"/members/{worker.pk}/role/", {"role": "owner"}).status_code == 302
    worker.refresh_from_db()
    assert worker.role == "admin"
    assert admin.post(f"/members/{worker.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=worker.pk).exists()
    events = ParticipantEvent.objects.filter(
        organization=org.organization, kind__in=["member_role_changed", "member_removed"]
    )
    assert [(e.kind, e.payload["email"]) for e in events] == [
        ("member_role_changed", "worker@kaga.example"),
        ("member_removed", "worker@kaga.example"),
    ]
    # The removed member's session acts for no organisation any more.
    assert signed_in("worker@kaga.example").get("/members/").status_code == 403


def test_the_last_admin_can_be_neither_demoted_nor_removed(org: Party) -> None:
    admin_membership = Membership.objects.get(user__username=org.email)
    add_member(org, "worker@kaga.example")
    admin = signed_in(org.email)
    demoted = admin.post(f"/members/{admin_membership.pk}/role/", {"role": "member"}, follow=True)
    assert "last admin" in demoted.content.decode()
    removed = admin.post(f"/members/{admin_membership.pk}/remove/", follow=True)
    assert "last admin" in removed.content.decode()
    admin_membership.refresh_from_db()
    assert admin_membership.role == "admin"
    # With a second admin, the first may step down.
    second = add_member(org, "second@kaga.example", role="admin")
    assert admin.post(f"/members/{admin_membership.pk}/role/", {"role": "member"}).status_code == 302
    admin_membership.refresh_from_db()
    assert admin_membership.role == "member" and second.role == "admin"


def test_another_organisation_s_member_cannot_be_touched(org: Party) -> None:
    other = make_party("Noto Logistics", {"buyer"}, password=PASSWORD)
    theirs = Membership.objects.get(user__username=other.email)
    admin = signed_in(org.email)
    assert admin.post(f"/members/{theirs.pk}/remove/").status_code == 404
    assert admin.post(f"/members/{theirs.pk}/role/", {"role": "member"}).status_code == 404
    assert Membership.objects.filter(pk=theirs.pk, role="admin").exists()


def test_bad_invitation_links_are_refused_without_an_error_page(org: Party) -> None:
    assert Client().get("/invitations/nonsense/").status_code == 404
    assert Client().post("/invitations/nonsense/", {"password": PASSWORD}).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(org: Party) -> None:
    response = Client().get("/members/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Client().post("/members/1/remove/").status_code == 302


def test_the_api_lists_members_for_the_manage_scope_only(org: Party) -> None:
    add_member(org, "worker@kaga.example")
    listed = org.client.get("/api/v1/members")  # the test key holds every scope
    assert listed.status_code == 200
    assert {(m["email"], m["role"]) for m in listed.json()["results"]} == {
        (org.email, "admin"),
        ("worker@kaga.example", "member"),
    }
    refused = signed_in("worker@kaga.example").get("/api/v1/members")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    assert signed_in(org.email).get("/api/v1/members").status_code == 200
    assert Client().get("/api/v1/members").status_code == 401


def test_hostile_member_ids_and_tokens_are_refused_without_an_error(org: Party) -> None:
    admin = signed_in(org.email)
    huge = 10**30
    assert admin.post(f"/members/{huge}/remove/").status_code == 404
    assert admin.post(f"/members/{huge}/role/", {"role": "admin"}).status_code == 404
    assert Client().get("/invitations/" + "x" * 5000 + "/").status_code == 404
    assert Client().get("/signup/apply/" + "x" * 5000 + "/").status_code == 404


def test_an_admin_withdraws_an_invitation_and_its_link_stops_working(org: Party, capture: Any) -> None:
    admin = signed_in(org.email)
    with capture(execute=True):
        assert admin.post("/members/", {"email": "wrong@kaga.example", "role": "member"}).status_code == 302
    link = link_in(mail.outbox[0])
    invitation = Invitation.objects.get(email="wrong@kaga.example")
    withdraw = f"/members/invitations/{invitation.id}/withdraw/"
    assert 'action="' + withdraw + '"' in admin.get("/members/").content.decode()

    add_member(org, "plain@kaga.example")
    assert signed_in("plain@kaga.example").post(withdraw).status_code == 403, "members do not manage invitations"
    other = make_party("Other Org", {"buyer"}, password=PASSWORD)
    assert signed_in(other.email).post(withdraw).status_code == 404, "another organisation's invitation is not found"
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None

    assert admin.post(withdraw).status_code == 302
    assert admin.post(withdraw).status_code == 302, "withdrawing twice changes nothing"
    assert 'id="invitations"' not in admin.get("/members/").content.decode(), "no invitation left open"
    page = Client().get(link, headers={"Accept-Language": "en"})
    assert page.status_code == 404 and "withdrawn" in page.content.decode()
    joined = Client().post(link, {"password": PASSWORD, "password_again": PASSWORD})
    assert joined.status_code == 404 and not User.objects.filter(username="wrong@kaga.example").exists()
    kinds = ParticipantEvent.objects.filter(organization=org.organization, kind="invitation_withdrawn")
    assert kinds.count() == 1


def test_an_accepted_invitation_cannot_be_withdrawn(org: Party, capture: Any) -> None:
    admin = signed_in(org.email)
    with capture(execute=True):
        admin.post("/members/", {"email": "kept@kaga.example", "role": "member"})
    Client().post(link_in(mail.outbox[0]), {"password": PASSWORD, "password_again": PASSWORD})
    invitation = Invitation.objects.get(email="kept@kaga.example")
    response = admin.post(f"/members/invitations/{invitation.id}/withdraw/", follow=True)
    assert "remove the member instead" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None and Membership.objects.filter(user__username="kept@kaga.example").exists()
