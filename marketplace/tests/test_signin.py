"""Failed sign-ins are limited (marketplace/signin.py): per account and address, per address, with a lock-out that
expires and that nobody can impose on a member from elsewhere."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tests.builders import make_party

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
HOME = "198.51.100.7"
ELSEWHERE = "203.0.113.9"


@pytest.fixture
def member(settings: Any) -> Any:
    settings.ICHIBA = {
        **settings.ICHIBA,
        "SIGNIN_FAILURE_LIMIT": 5,
        "SIGNIN_ADDRESS_FAILURE_LIMIT": 8,
        "SIGNIN_LOCKOUT_SECONDS": 900,
    }
    return make_party("Sign In Buyer", {"buyer"}, password=PASSWORD)


def sign_in(email: str, password: str, *, address: str, lang: str = "en", **headers: str) -> Any:
    """A browser at ``address`` posting the sign-in form (``headers`` by their HTTP names, _ for -)."""
    sent = {"Accept-Language": lang, **{name.replace("_", "-"): value for name, value in headers.items()}}
    client = Client(REMOTE_ADDR=address, headers=sent)
    return client.post("/login/", {"username": email, "password": password})


def test_sixty_wrong_passwords_then_the_right_one_is_refused(member: Any) -> None:
    wrong = [sign_in(member.email, f"guess {n}", address=ELSEWHERE).status_code for n in range(60)]
    assert wrong[:4] == [200] * 4, "the form shows its error for the first failures"
    assert set(wrong[4:]) == {429}, "the fifth locks the pair out"
    right = sign_in(member.email, PASSWORD, address=ELSEWHERE)
    assert right.status_code == 429, "locked out: even the right password is refused"
    assert "_auth_user_id" not in right.client.session
    assert 1 <= int(right["Retry-After"]) <= 900
    assert "Too many failed sign-ins" in right.content.decode()


def test_nobody_can_lock_a_member_out_from_elsewhere(member: Any) -> None:
    for n in range(7):
        sign_in(member.email, f"guess {n}", address=ELSEWHERE)
    assert sign_in(member.email, "x", address=ELSEWHERE).status_code == 429
    at_home = sign_in(member.email, PASSWORD, address=HOME)
    assert at_home.status_code == 302, "the member's own address has its own count"


def test_one_address_trying_many_accounts_is_locked_out(member: Any) -> None:
    """Spraying: one wrong password per account stays under the pair limit, not under the address's."""
    sprayed = [sign_in(f"someone{n}@example.test", "Password1", address=ELSEWHERE).status_code for n in range(8)]
    assert sprayed == [200] * 7 + [429], "the eighth failure from the address locks it out"
    assert sign_in(member.email, PASSWORD, address=ELSEWHERE).status_code == 429
    assert sign_in(member.email, PASSWORD, address=HOME).status_code == 302


def test_the_lock_out_expires(member: Any) -> None:
    for n in range(5):
        sign_in(member.email, f"guess {n}", address=ELSEWHERE)
    assert sign_in(member.email, PASSWORD, address=ELSEWHERE).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=901))  # the lock-out has passed
    assert sign_in(member.email, PASSWORD, address=ELSEWHERE).status_code == 302


def test_the_locked_out_page_is_translated_and_a_program_gets_a_problem(member: Any) -> None:
    for n in range(5):
        sign_in(member.email, f"guess {n}", address=ELSEWHERE)
    page = sign_in(member.email, PASSWORD, address=ELSEWHERE, lang="ja")
    assert page.status_code == 429 and "サインインの失敗が多すぎます" in page.content.decode()
    problem = sign_in(member.email, PASSWORD, address=ELSEWHERE, Accept="application/problem+json")
    assert problem.status_code == 429 and problem["Content-Type"] == "application/problem+json"
    assert problem.json()["type"] == "/problems/sign-in-locked" and int(problem["Retry-After"]) >= 1


def test_behind_a_trusted_proxy_the_address_is_the_one_it_saw(member: Any, settings: Any) -> None:
    """Behind one load balancer every peer address is the balancer's: the client's is the last it appended. An
    address the client wrote itself further left is not trusted."""
    settings.ICHIBA = {**settings.ICHIBA, "TRUSTED_PROXY_COUNT": 1}
    for n in range(5):
        sign_in(member.email, f"guess {n}", address="10.0.0.2", X_Forwarded_For=f"{HOME}, {ELSEWHERE}")
    assert AccessAttempt.objects.get().ip_address == ELSEWHERE
    at_home = sign_in(member.email, PASSWORD, address="10.0.0.2", X_Forwarded_For=HOME)
    assert at_home.status_code == 302, "another client behind the same balancer is not locked out"
