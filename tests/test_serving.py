"""How the site is served with DEBUG off (the default everywhere, `make run` included): the site's own error pages
in the reader's language and the site's look, and static files through WhiteNoise from the collected folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

MISSING_DATASET = "/datasets/00000000-0000-0000-0000-000000000000/"
SITE_CSS = Path(__file__).resolve().parents[1] / "marketplace" / "static" / "ichiba" / "site.css"
DEBUG_PAGE_MARKS = ("Using the URLconf", "DEBUG = True", "Traceback", "technical_500")


@pytest.mark.parametrize(("language", "title"), [("ja", "見つかりません"), ("en", "Not found")])
def test_a_missing_page_is_the_sites_404_in_the_readers_language(client, language: str, title: str) -> None:
    assert django_settings.DEBUG is False
    for path in (MISSING_DATASET, "/no/such/page/"):
        response = client.get(path, headers={"Accept-Language": language})
        page = response.content.decode()
        assert response.status_code == 404 and response["Content-Type"].startswith("text/html"), path
        assert f"<h1>{title}</h1>" in page, page[-800:]
        assert '<link rel="stylesheet" href="/static/ichiba/site.css">' in page, "in the site's look"
        assert 'class="site-header"' in page and 'href="/"' in page
        assert not any(mark in page for mark in DEBUG_PAGE_MARKS), path


@pytest.mark.parametrize(("language", "title"), [("ja", "サーバーエラー"), ("en", "Server error")])
def test_a_crash_is_the_sites_500_page(monkeypatch, language: str, title: str) -> None:
    from marketplace.web import rules

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(rules, "render", crash)  # the market rules page renders through it
    client = Client(raise_request_exception=False)
    response = client.get("/rules/", headers={"Accept-Language": language})
    page = response.content.decode()
    assert response.status_code == 500 and f"<h1>{title}</h1>" in page
    assert "/static/ichiba/site.css" in page and "secret internals" not in page
    assert not any(mark in page for mark in DEBUG_PAGE_MARKS)


def test_static_files_are_served_by_whitenoise_with_debug_off() -> None:
    """As `manage.py serve` does it: collect into STATIC_ROOT, then WhiteNoise serves from there (Django itself
    serves no static file with DEBUG off, so nothing else could answer)."""
    assert django_settings.DEBUG is False
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()  # a new handler: its WhiteNoise reads the collected folder when it starts
    response = client.get("/static/ichiba/site.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert response.getvalue() == SITE_CSS.read_bytes()
    assert "max-age" in response["Cache-Control"]
    assert client.get("/static/admin/css/base.css").status_code == 200, "the operator's console has its look too"
    assert client.get("/static/ichiba/no-such-file.css").status_code == 404
