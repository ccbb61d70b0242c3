"""Joining the market in a real browser: on a 390 px phone in Japanese, a visitor asks for the link, opens it from
the outbox, applies (its corporate number typed full-width with hyphens) and sees its application under review;
the operator verifies it in the console; the applicant, signed in again, sees the market as its organisation's
admin, then in English invites a colleague, who joins from the invitation's link. Nothing scrolls sideways.

The outbox is Django's in-memory one: the live server runs in this process and sends mail through the eager
Celery task after each commit.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail

from marketplace.models import Membership, Organization, ParticipantApplication
from tests.browser import PASSWORD, sideways_overflow, sign_in, switch_language

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
EMAIL = "hanako.sato@hokuriku-sensing.example"


def _link(message: Any) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return found.group(0)


def test_sign_up_review_and_invitation_on_a_phone_in_japanese_and_english(
    browser_context: Any, browser_page: Any, live_server: Any
) -> None:
    User.objects.create_superuser("operator", "operator@ichiba.example", PASSWORD)
    page = browser_page
    page.set_viewport_size(PHONE)
    found: list[str] = []

    # The e-mail step, from the header's link.
    page.goto("/")
    page.click("header a[href='/signup/']")
    found += sideways_overflow(page, "signup-ja")
    page.fill("input[name=email]", EMAIL)
    with page.expect_navigation():
        page.click("#signup-form button[type=submit]")
    assert "メールをご確認ください" in page.inner_text("main")
    found += sideways_overflow(page, "signup-sent-ja")
    [message] = mail.outbox
    assert message.to == [EMAIL] and message.subject == "Ichiba への参加申請リンク"

    # The application, as a person types it in Japanese.
    page.goto(_link(message))
    page.fill("input[name=company_name]", "株式会社北陸センシング")
    page.fill("input[name=corporate_number]", "７-０００-０１２０-５０００２")  # full-width, hyphens as typed
    page.select_option("select[name=country]", "JP")
    page.check("input[name=roles][value=buyer]")
    page.check("input[name=roles][value=seller]")
    page.fill("input[name=contact_name]", "佐藤 花子")
    page.fill("input[name=phone]", "076-123-4567")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_again]", "違うパスワード 43")
    with page.expect_navigation():
        page.click("#application-form button[type=submit]")
    assert "2つのパスワードが一致しません。" in page.inner_text("#field-password_again")
    found += sideways_overflow(page, "application-form-errors-ja")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_again]", PASSWORD)
    with page.expect_navigation():
        page.click("#application-form button[type=submit]")
    page.wait_for_url("**/signup/application/")
    assert "参加申請は審査中です。" in page.inner_text("#application-status")
    found += sideways_overflow(page, "application-status-ja")
    application = ParticipantApplication.objects.get(email=EMAIL)
    assert application.corporate_number == "7000012050002" and application.status == "pending"

    # The operator, at a desk in English, verifies it from the queue.
    desk = browser_context.browser.new_context(locale="en-US", base_url=live_server.url)
    operator = desk.new_page()
    operator.goto("/admin/login/?next=/admin/marketplace/participantapplication/")
    operator.fill("input[name=username]", "operator")
    operator.fill("input[name=password]", PASSWORD)
    with operator.expect_navigation():
        operator.click("input[type=submit]")
    operator.click("#result_list tbody tr:first-child th a")
    operator.click("#verify-link")
    with operator.expect_navigation():
        operator.click("#verify-form input[type=submit]")
    assert operator.locator(".messagelist .success").count() == 1
    desk.close()
    organization = Organization.objects.get(corporate_number="7000012050002")
    assert organization.verified and organization.name == "株式会社北陸センシング"
    told = mail.outbox[-1]
    assert told.to == [EMAIL] and told.subject == "株式会社北陸センシング は Ichiba で承認されました"

    # The applicant signs in again: the market as its organisation's admin.
    page.goto("/")
    page.click("header form[action='/logout/'] button")
    sign_in(page, EMAIL)
    assert page.locator("header .org").inner_text() == "株式会社北陸センシング"
    assert page.locator("#application-notice").count() == 0
    page.click("header nav a[href='/members/']")
    row = page.locator(f"#members tr[data-email='{EMAIL}']")
    assert row.locator(".role").inner_text() == "管理者"
    found += sideways_overflow(page, "members-ja")

    # In English, it invites a colleague as a member, who joins from the e-mail's link.
    switch_language(page)
    assert page.locator("h1").inner_text() == "Members"
    page.fill("#invite-form input[name=email]", "kenji@hokuriku-sensing.example")
    page.select_option("#invite-form select[name=role]", "member")
    with page.expect_navigation():
        page.click("#invite-form button[type=submit]")
    assert "Invitation sent to kenji@hokuriku-sensing.example." in page.inner_text(".messages")
    found += sideways_overflow(page, "members-en")
    invitation = mail.outbox[-1]
    assert invitation.to == ["kenji@hokuriku-sensing.example"]
    elsewhere = browser_context.browser.new_context(locale="en-US", base_url=live_server.url)
    colleague = elsewhere.new_page()
    colleague.set_viewport_size(PHONE)
    colleague.goto(_link(invitation))
    found += sideways_overflow(colleague, "invitation")
    colleague.fill("input[name=password]", PASSWORD)
    colleague.fill("input[name=password_again]", PASSWORD)
    with colleague.expect_navigation():
        colleague.click("#invitation-form button[type=submit]")
    colleague.wait_for_url("**/members/")
    # A member sees the list but no controls.
    assert colleague.locator("#invite-form").count() == 0
    assert colleague.locator("#members tr[data-email='kenji@hokuriku-sensing.example']").count() == 1
    found += sideways_overflow(colleague, "members-as-member")
    elsewhere.close()
    assert Membership.objects.get(user__username="kenji@hokuriku-sensing.example").role == "member"
    assert not found, "pages wider than a 390 px phone:\n" + "\n".join(found)
