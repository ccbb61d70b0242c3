"""An organisation's admin manages its API keys in a real headless Chromium (Playwright) on the live server: creates a
key with chosen scopes and an expiry, copies its secret (shown once), uses it against the API, rotates it (both
keys work during the grace) and revokes one, on a desktop in English and on a 390 px phone in Japanese; nothing
scrolls sideways.

As in tests/test_browser.py, data is only created before the browser acts and read afterwards, so letting Django's
ORM run beside Playwright's event loop is safe here.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from tests.browser import PASSWORD, sideways_overflow, sign_in, switch_language
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _api(page: Any, method: str, path: str, secret: str, body: dict[str, Any] | None = None) -> Any:
    """A request to the partner API with the key alone (the browser's session cookie is not what authenticates)."""
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    if method == "GET":
        return page.request.get(path, headers=headers)
    return page.request.post(path, headers=headers, data=json.dumps(body or {}))


def _new_secret(page: Any) -> str:
    secret = str(page.inner_text("#new-key-secret")).strip()
    assert secret.startswith("ichiba_")
    return secret


@pytest.mark.parametrize(("language", "viewport"), [("en", {"width": 1280, "height": 900}), ("ja", PHONE)])
def test_an_admin_creates_uses_rotates_and_revokes_a_key(browser_context: Any, language: str, viewport: Any) -> None:
    buyer = make_party("Osaka Analytics", {"buyer", "seller"}, password=PASSWORD)  # its first member: the admin
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = browser_context.new_page()
    page.set_viewport_size(viewport)
    sign_in(page, buyer.email)
    if language == "en":
        switch_language(page)
    problems: list[str] = []

    with page.expect_navigation():
        page.click("#nav-api-keys")
    problems += sideways_overflow(page, f"api-keys-{language}")
    page.fill("#id_name", "夜間バッチ ETL")
    page.check("#id_scopes input[value=trade]")  # read is ticked already
    page.select_option("#id_lifetime", "30")
    with page.expect_navigation():
        page.click("#api-key-form button[type=submit]")
    secret = _new_secret(page)
    problems += sideways_overflow(page, f"api-key-secret-{language}")
    page.click("#copy-secret")
    copied = "Copied" if language == "en" else "コピーしました"
    page.wait_for_function("(copied) => document.getElementById('copy-secret').textContent === copied", arg=copied)
    assert page.evaluate("() => navigator.clipboard.readText()") == secret

    me = _api(page, "GET", "/api/v1/me", secret)
    assert me.status == 200 and me.json()["scopes"] == ["read", "trade"] and me.json()["authenticated_by"] == "api_key"
    refused = _api(page, "POST", "/api/v1/datasets", secret, {"title": "x", "data_class": "iot"})
    assert refused.status == 403 and refused.json()["type"] == "/problems/insufficient-scope"

    page.goto("/organization/api-keys/")
    assert secret not in page.content(), "the secret is shown once"
    row = page.locator("#api-keys tr", has_text="夜間バッチ ETL")
    with page.expect_navigation():
        row.locator("a.rotate-link").click()
    problems += sideways_overflow(page, f"api-key-rotate-{language}")
    page.select_option("#id_grace", "3600")
    with page.expect_navigation():
        page.click("#confirm-button")
    successor = _new_secret(page)
    assert successor != secret
    assert _api(page, "GET", "/api/v1/me", secret).status == 200, "the old key works during the grace"
    assert _api(page, "GET", "/api/v1/me", successor).status == 200

    page.goto("/organization/api-keys/")
    old_row = page.locator("#api-keys tr[data-status=active]", has=page.locator("a.revoke-link")).filter(
        has_not=page.locator("a.rotate-link")
    )
    with page.expect_navigation():
        old_row.locator("a.revoke-link").click()
    problems += sideways_overflow(page, f"api-key-revoke-{language}")
    with page.expect_navigation():
        page.click("#confirm-button")
    assert page.locator("#api-keys tr[data-status=revoked]").count() == 1
    assert _api(page, "GET", "/api/v1/me", secret).status == 401, "revoked: refused at once"
    assert _api(page, "GET", "/api/v1/me", successor).status == 200
    problems += sideways_overflow(page, f"api-keys-after-{language}")
    assert not problems, problems
