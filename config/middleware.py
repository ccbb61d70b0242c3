"""Middleware of the whole site (API and web pages alike)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.api.problems import _is_api, django_problem


class StorableQueryMiddleware:
    """A query string holding U+0000 is a bad request (400), answered before any view reads it.

    No text column can hold U+0000 (PostgreSQL refuses it in the middle of a query, which would be a 500), and no
    honest client sends one; Django decodes the rest of a query string to text already (bad UTF-8 is replaced)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = sorted({key for key, values in request.GET.lists() if "\x00" in key or any("\x00" in v for v in values)})
        if bad:
            detail = f"The query parameter {bad[0]!r} holds U+0000, which is not text."
            if _is_api(request):
                return django_problem(400, "bad-request", detail)
            return HttpResponse(f"Bad request: {detail}", status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
