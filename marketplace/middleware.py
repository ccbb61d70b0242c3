from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from marketplace.selectors import principal_for_user


class PrincipalMiddleware:
    """``request.principal``: the signed-in member's organisation for web views (resolved lazily)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.principal = SimpleLazyObject(lambda: principal_for_user(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)
