"""Participant sign-up on the web and the operator's review in the console (marketplace.services.signup): the e-mail
step and its limits, the application form's refusals, verification and rejection with their e-mails and events."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail, signing
from django.test import Client

from config.errors import InvalidInput, InvalidTransition
from marketplace.models import Membership, Organization, ParticipantApplication, ParticipantEvent, SignupEmail
from marketplace.services.signup import application_reject, application_verify, signup_link_token
from tests.builders import make_party

pytestmark = pytest.mark.django_db

PASSWORD = "a long signup pass 42"
NUMBER = "7000012050002"  # a published corporate number (its check digit right)
OTHER_NUMBER = "5010001199999"


def link_in(message: Any) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return found.group(0).split("testserver", 1)[-1]


def request_link(client: Client, email: str, address: str = "198.51.100.7") -> Any:
    return client.post("/signup/", {"email": email}, REMOTE_ADDR=address)


def application(**changes: Any) -> dict[str, Any]:
    return {
        "company_name": "Hokuriku Sensing KK",
        "corporate_number": NUMBER,
        "country": "JP",
        "roles": ["seller", "buyer"],
        "contact_name": "Sato Hanako",
        "phone": "+81 76-123-4567",
        "password": PASSWORD,
        "password_again": PASSWORD,
        **changes,
    }


def apply(client: Client, email: str = "hanako@hokuriku.example", **changes: Any) -> Any:
    return client.post(f"/signup/apply/{signup_link_token(email)}/", application(**changes))


def test_the_email_step_mails_a_link_that_opens_the_application_form(client: Client, capture: Any) -> None:
    with capture(execute=True):
        response = request_link(client, " Hanako@Hokuriku.example ")
    assert response.status_code == 200
    assert "hanako@hokuriku.example" in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hanako@hokuriku.example"]
    form = client.get(link_in(mail.outbox[0]))
    assert form.status_code == 200
    assert 'id="application-form"' in form.content.decode()


def test_the_email_step_sends_one_link_per_address_per_interval_and_limits_each_client(
    client: Client, capture: Any, settings: Any
) -> None:
    with capture(execute=True):
        for _ in range(3):
            assert request_link(client, "flood@victim.example").status_code == 200
    assert len(mail.outbox) == 1, "asking again within the interval sends nothing more"
    with capture(execute=True):
        for index in range(4):
            assert request_link(client, f"someone{index}@example.com").status_code == 200
    assert len(mail.outbox) == 5
    refused = request_link(client, "sixth@example.com")
    assert refused.status_code == 429
    assert "Too many sign-up e-mails" in refused.content.decode()
    assert len(mail.outbox) == 5
    # Another network is not held back by this one.
    with capture(execute=True):
        assert request_link(client, "sixth@example.com", address="203.0.113.9").status_code == 200
    assert len(mail.outbox) == 6


def test_an_address_with_an_account_gets_no_link_and_the_answer_does_not_say_so(client: Client, capture: Any) -> None:
    party = make_party("Existing Co", {"buyer"})
    with capture(execute=True):
        response = request_link(client, party.email)
    assert response.status_code == 200 and mail.outbox == []


def test_bad_addresses_are_form_errors(client: Client) -> None:
    for bad in ["", "not an address", "a@b", "x" * 300 + "@example.com"]:
        response = request_link(client, bad)
        assert response.status_code == 400, bad
    assert SignupEmail.objects.count() == 0


def test_an_application_makes_a_pending_applicant_who_signs_in_and_sees_it_under_review(client: Client) -> None:
    response = apply(client, corporate_number="７０００-０１２０-５０００２")
    assert response.status_code == 302 and response["Location"] == "/signup/application/"
    application_row = ParticipantApplication.objects.get()
    assert application_row.status == "pending"
    assert application_row.corporate_number == NUMBER
    assert application_row.roles == ["seller", "buyer"]
    assert not Membership.objects.filter(user=application_row.applicant).exists()
    page = client.get("/signup/application/").content.decode()
    assert "Your application is under review." in page
    assert ParticipantEvent.objects.filter(application=application_row, kind="applied").count() == 1
    # Signed out and in again with the password it set: still an applicant, not a member.
    client.logout()
    assert client.login(username="hanako@hokuriku.example", password=PASSWORD)
    assert "application-notice" in client.get("/").content.decode()
    assert client.get("/api/v1/me").status_code in (401, 403)
    # The link is used up: the address has an account.
    again = client.get(f"/signup/apply/{signup_link_token('hanako@hokuriku.example')}/")
    assert again.status_code == 409
    assert "already has an account" in again.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company_name", ""),
        ("company_name", "Evil\u202eCo"),
        ("corporate_number", "7000012050003"),  # check digit wrong
        ("corporate_number", "700001205000"),  # 12 digits
        ("corporate_number", "T7000012050002"),
        ("country", "XX"),
        ("roles", []),
        ("roles", ["operator"]),
        ("contact_name", ""),
        ("phone", "call me"),
        ("phone", "1"),
        ("password", "short"),
        ("password_again", "another long pass 43"),
    ],
)
def test_each_field_s_bad_input_is_a_form_error(client: Client, field: str, value: Any) -> None:
    response = apply(client, **{field: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="field-{field}"' in page and "has-error" in page
    assert ParticipantApplication.objects.count() == 0
    assert not User.objects.filter(username="hanako@hokuriku.example").exists()


def test_a_corporate_number_registered_or_under_review_is_refused_clearly(client: Client) -> None:
    assert apply(client, email="first@one.example").status_code == 302
    client.logout()
    pending = apply(client, email="second@two.example")
    assert pending.status_code == 400
    assert "already under review" in pending.content.decode()
    Organization.objects.create(name="Registered", is_buyer=True, corporate_number=OTHER_NUMBER)
    registered = apply(client, email="third@three.example", corporate_number=OTHER_NUMBER)
    assert registered.status_code == 400
    assert "already a participant" in registered.content.decode()
    assert ParticipantApplication.objects.count() == 1


class _SignedLongAgo(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 25 * 3600)


def test_a_bad_or_expired_link_is_refused_with_a_way_to_ask_again(client: Client) -> None:
    assert client.get("/signup/apply/not-a-token/").status_code == 404
    forged = signing.dumps({"email": "x@example.com"}, salt="another purpose")
    assert client.post(f"/signup/apply/{forged}/", application()).status_code == 404
    expired = _SignedLongAgo(salt="ichiba.signup.email").sign_object({"email": "late@example.com"}, compress=True)
    response = client.post(f"/signup/apply/{expired}/", application())
    assert response.status_code == 404
    assert "This sign-up link has expired" in response.content.decode()
    assert 'id="signup-form"' in response.content.decode()
    assert ParticipantApplication.objects.count() == 0
    assert client.get(f"/signup/apply/{signup_link_token('late@example.com')}/").status_code == 200


def _pending(client: Client, email: str = "hanako@hokuriku.example") -> ParticipantApplication:
    assert apply(client, email=email).status_code == 302
    client.logout()
    return ParticipantApplication.objects.get(email=email)


def test_verification_makes_the_organisation_and_its_admin_once_and_mails_the_applicant(
    client: Client, admin_user: User, capture: Any
) -> None:
    pending = _pending(client)
    with capture(execute=True):
        verified = application_verify(application_id=pending.id, actor=admin_user, origin="https://ichiba.example")
    organization = verified.organization
    assert organization is not None and organization.verified
    assert organization.corporate_number == NUMBER and organization.name == "Hokuriku Sensing KK"
    assert organization.roles == ["seller", "buyer"]
    membership = Membership.objects.get(user=pending.applicant)
    assert membership.organization_id == organization.id and membership.role == "admin"
    assert [m.to for m in mail.outbox] == [["hanako@hokuriku.example"]]
    assert "https://ichiba.example/login/" in mail.outbox[0].body
    kinds = list(ParticipantEvent.objects.filter(organization=organization).values_list("kind", flat=True))
    assert kinds == ["created", "verified", "member_added", "application_verified"]
    with pytest.raises(InvalidTransition):
        application_verify(application_id=pending.id, actor=admin_user, origin="https://ichiba.example")
    with pytest.raises(InvalidTransition):
        application_reject(application_id=pending.id, reason="late", actor=admin_user, origin="")
    assert Organization.objects.filter(corporate_number=NUMBER).count() == 1


def test_rejection_needs_a_reason_which_the_applicant_is_told_in_its_language(
    client: Client, admin_user: User, capture: Any
) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    pending = _pending(client)
    assert pending.language == "ja"
    with pytest.raises(InvalidInput) as refused:
        application_reject(application_id=pending.id, reason="  ", actor=admin_user, origin="")
    assert "reason" in refused.value.errors
    with capture(execute=True):
        application_reject(
            application_id=pending.id,
            reason="登記簿の社名と一致しません。",
            actor=admin_user,
            origin="https://i.example",
        )
    pending.refresh_from_db()
    assert pending.status == "rejected" and pending.reason == "登記簿の社名と一致しません。"
    assert "登記簿の社名と一致しません。" in mail.outbox[0].body
    assert "承認されませんでした" in mail.outbox[0].subject
    assert not Organization.objects.filter(corporate_number=NUMBER).exists()
    assert ParticipantEvent.objects.filter(application=pending, kind="application_rejected").count() == 1
    client.login(username=pending.email, password=PASSWORD)
    page = client.get("/signup/application/").content.decode()
    assert "登記簿の社名と一致しません。" in page
    # The applicant applies again from its page, corrected; the number is free again.
    assert 'id="reapply-form"' in page
    fixed = {**application(company_name="北陸センシング株式会社"), "password": "", "password_again": ""}
    again = client.post("/signup/application/", fixed)
    assert again.status_code == 302
    latest = ParticipantApplication.objects.filter(applicant=pending.applicant).order_by("-created_at").first()
    assert latest is not None and latest.status == "pending" and latest.company_name == "北陸センシング株式会社"
    assert "reapply-form" not in client.get("/signup/application/").content.decode()
    # A second one while the first is under review is refused, and another applicant cannot take the number.
    assert client.post("/signup/application/", fixed).status_code == 200  # no form any more: the page as it is
    assert ParticipantApplication.objects.filter(applicant=pending.applicant, status="pending").count() == 1
    client.logout()
    assert apply(client, email="new@hokuriku.example").status_code == 400


def test_the_console_lists_pending_applications_first_and_decides_them(
    client: Client, admin_client: Client, capture: Any
) -> None:
    older = _pending(client, "older@one.example")
    application_reject(application_id=older.id, reason="duplicate", actor=None, origin="")
    newer = _pending(client, "newer@two.example")
    listing = admin_client.get("/admin/marketplace/participantapplication/").content.decode()
    assert listing.index("newer@two.example") < listing.index("older@one.example")
    page = admin_client.get(f"/admin/marketplace/participantapplication/{newer.id}/change/").content.decode()
    assert f"/admin/marketplace/participantapplication/{newer.id}/verify/" in page
    empty = admin_client.post(f"/admin/marketplace/participantapplication/{newer.id}/reject/", {"reason": ""})
    assert empty.status_code == 400
    newer.refresh_from_db()
    assert newer.status == "pending"
    with capture(execute=True):
        done = admin_client.post(f"/admin/marketplace/participantapplication/{newer.id}/verify/")
    assert done.status_code == 302
    newer.refresh_from_db()
    assert newer.status == "verified" and newer.organization is not None
    again = admin_client.post(f"/admin/marketplace/participantapplication/{newer.id}/verify/", follow=True)
    assert again.status_code == 200
    assert Organization.objects.filter(corporate_number=NUMBER).count() == 1
    assert len(mail.outbox) == 1


def test_the_console_s_decisions_are_closed_to_anyone_but_operators(client: Client) -> None:
    pending = _pending(client)
    member = make_party("Member Co", {"buyer"}, password=PASSWORD)
    client.login(username=member.email, password=PASSWORD)
    response = client.post(f"/admin/marketplace/participantapplication/{pending.id}/verify/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_signup_link_lifetime_is_a_setting(settings: Any) -> None:
    from config.market import MarketSettings

    market = MarketSettings.from_mapping({**settings.ICHIBA, "SIGNUP_LINK_HOURS": 2})
    assert market.signup_link_lifetime == timedelta(hours=2)
