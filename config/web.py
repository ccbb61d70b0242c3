"""Who may open a web page: the one guard every app's views use (API views have their permission classes).

Anonymous visitors are sent to sign in; a signed-in user acting for no organisation, or for one without the
role a page needs, gets the 403 page with the reason. The view receives the caller's ``Principal``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from config.api.principal import Principal, principal_of

P = ParamSpec("P")


def _forbidden(request: HttpRequest, reason: str | Promise) -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


ADMINS_ONLY = gettext_lazy("Only your organisation’s admins may do this.")


class principal_required:
    """A decorator for views of members of an organisation (with ``role``, if given); ``refusal`` (lazily
    translated) says why anyone else is turned away. The view gets the caller's ``Principal`` after the
    request.

    Scopes (docs/api.md#api-keys-and-scopes) as the API has them: a signed-in member acts with its role's. ``scope``:
    every method of the page needs it (the API keys page: ``manage``); ``change_scope``: a POST needs it (the page
    that shows the invoice registration number to every member and lets the admins change it). A caller without it
    gets the 403 page saying ``scope_refusal``."""

    def __init__(
        self,
        *,
        refusal: str | Promise,
        role: str = "",
        scope: str = "",
        change_scope: str = "",
        scope_refusal: str | Promise = ADMINS_ONLY,
    ) -> None:
        self.refusal = refusal
        self.role = role
        self.scope = scope
        self.change_scope = change_scope
        self.scope_refusal = scope_refusal

    def __call__(
        self, view: Callable[Concatenate[HttpRequest, Principal, P], HttpResponse]
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            principal = principal_of(request)
            if principal is None or (self.role and self.role not in principal.roles):
                return _forbidden(request, self.refusal)
            needed = [self.scope] if self.scope else []
            if self.change_scope and request.method not in ("GET", "HEAD", "OPTIONS"):
                needed.append(self.change_scope)
            if not all(principal.has_scope(wanted) for wanted in needed):
                return _forbidden(request, self.scope_refusal)
            return view(request, principal, *args, **kwargs)

        return wrapper
