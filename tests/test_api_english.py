"""API problem texts are English for every caller (ADR 9): partners' code pins them, and the same request must
not read differently for a caller whose browser or cookie asks for Japanese. The site's pages still translate."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")

# (what, a call with the caller's language headers, status, a phrase of DRF's or Django's English text)
Call = Callable[[Any, Any, dict[str, str]], Any]
CASES: list[tuple[str, Call, int, str]] = [
    (
        "401 without credentials",
        lambda party, anonymous, h: anonymous.get("/api/v1/me", headers=h),
        401,
        "Authentication credentials were not provided.",
    ),
    (
        "404 of an unknown path",
        lambda party, anonymous, h: anonymous.get("/api/v1/no-such-thing", headers=h),
        404,
        "No endpoint at /api/v1/no-such-thing.",
    ),
    (
        "404 of an unknown object",
        lambda party, anonymous, h: party.client.get("/api/v1/orders/not-an-id", headers=h),
        404,
        "",
    ),
    (
        "405 of DRF",
        lambda party, anonymous, h: party.client.delete("/api/v1/me", headers=h),
        405,
        'Method "DELETE" not allowed.',
    ),
    (
        "406 of DRF",
        lambda party, anonymous, h: party.client.get("/api/v1/me", headers={**h, "Accept": "image/png"}),
        406,
        "This endpoint serves application/json",
    ),
    (
        "415 of DRF",
        lambda party, anonymous, h: party.client.post(
            "/api/v1/datasets", "title=x", content_type="text/plain", headers=h
        ),
        415,
        'Unsupported media type "text/plain" in request.',
    ),
    (
        "400 of a serializer",
        lambda party, anonymous, h: party.client.post("/api/v1/datasets", {}, format="json", headers=h),
        400,
        "This field is required.",
    ),
    (
        "400 of a malformed body",
        lambda party, anonymous, h: party.client.post(
            "/api/v1/datasets", "{", content_type="application/json", headers=h
        ),
        400,
        "JSON parse error",
    ),
]


@pytest.mark.parametrize("how", ["Accept-Language", "cookie"])
@pytest.mark.parametrize(("what", "call", "status", "english"), CASES, ids=[case[0] for case in CASES])
def test_api_problems_are_english_whatever_language_the_caller_prefers(
    seller, anonymous, how: str, what: str, call: Call, status: int, english: str
) -> None:
    headers: dict[str, str] = {}
    if how == "Accept-Language":
        headers["Accept-Language"] = "ja,en;q=0.1"
    else:
        for client in (seller.client, anonymous):
            client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ja"
    response = call(seller, anonymous, headers)
    assert response.status_code == status, (what, response.content[:300])
    assert response["Content-Type"] == "application/problem+json", what
    body = response.content.decode()
    assert not JAPANESE.search(body), (what, body)
    problem = response.json()
    texts = [problem["title"], problem["detail"], *(m for ms in problem.get("errors", {}).values() for m in ms)]
    assert any(english in text for text in texts), (what, problem)
    assert response["Content-Language"] == "en", what


def test_a_throttled_call_is_told_so_in_english(seller, settings) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "ORGANIZATION_RATE": "1/min"}
    assert seller.client.get("/api/v1/me", headers={"Accept-Language": "ja"}).status_code == 200
    throttled = seller.client.get("/api/v1/me", headers={"Accept-Language": "ja"})
    assert throttled.status_code == 429
    assert throttled.json()["detail"].startswith("Request was throttled."), throttled.json()
    assert not JAPANESE.search(throttled.content.decode())


def test_the_site_itself_still_speaks_the_callers_language(client) -> None:
    page = client.get("/problems/not-acceptable", headers={"Accept-Language": "ja"})
    assert page.status_code == 200 and JAPANESE.search(page.content.decode())
    assert page["Content-Language"] == "ja"
    missing = client.get("/datasets/00000000-0000-0000-0000-000000000000/", headers={"Accept-Language": "ja"})
    assert missing.status_code == 404 and JAPANESE.search(missing.content.decode())
