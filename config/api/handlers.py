"""Django's own error views: problem details under /api/, HTML pages elsewhere."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.api.problems import django_problem, is_api_request


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return django_problem(404, "not-found", f"No endpoint at {request.path}.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return django_problem(500, "server-error", "Something failed on our side; nothing was changed. Try again.")
    return render(request, "500.html", status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return django_problem(400, "bad-request", "The request could not be understood.")
    return HttpResponse("Bad request", status=400, content_type="text/plain")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return django_problem(403, "forbidden", "Not allowed.")
    return HttpResponse("Forbidden", status=403, content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "", **kwargs: Any) -> HttpResponse:
    if is_api_request(request):
        return django_problem(403, "forbidden", f"CSRF check failed: {reason}")
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
