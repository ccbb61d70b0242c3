"""Middleware of the whole site (API and web pages alike)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import render
from django.utils import translation

from config.api.problems import PROBLEM_TYPES, django_problem, is_api_request
from config.outage import RETRY_AFTER_SECONDS, is_outage

logger = logging.getLogger(__name__)

# What the API speaks to every caller (ADR 9): partners' code reads its problem texts, so they must not change with
# a browser's Accept-Language or the site's language cookie.
API_LANGUAGE = "en"


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
            if is_api_request(request):
                return django_problem(400, "bad-request", detail)
            return HttpResponse(f"Bad request: {detail}", status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, for the site's pages (the reader's language: the cookie set by the header's switch, else
    Accept-Language, else Japanese); an API request is answered in English whatever it asks for.

    Activating English for the whole request, not only in the exception handler, is what keeps every text English:
    DRF and Django translate their messages ("Authentication credentials were not provided.", a serializer's
    "This field is required.") when the exception is raised, long before a handler sees it."""

    def process_request(self, request: HttpRequest) -> None:
        if is_api_request(request):
            translation.activate(API_LANGUAGE)
            request.LANGUAGE_CODE = API_LANGUAGE
            return
        super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if is_api_request(request):
            # The same for every caller, so no Vary: Accept-Language; a body in another language (a contract
            # document's Japanese) has set its own Content-Language.
            response.headers.setdefault("Content-Language", API_LANGUAGE)
            return response
        return super().process_response(request, response)


class OutageMiddleware:
    """A view that fails because Redis (cache or broker) is down answers 503 with Retry-After, not 500.

    DRF views get the same answer from the API's exception handler; this covers plain Django views and the API
    paths DRF does not wrap. Placed after the locale middleware, so the page is in the reader's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        logger.warning("service_unavailable path=%s error=%s: answered 503", request.path, type(exception).__name__)
        if is_api_request(request):
            response = django_problem(503, "service-unavailable", PROBLEM_TYPES["service-unavailable"][1])
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
