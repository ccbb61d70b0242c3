"""Who may open the settlement pages: signed-in members of an organisation; the seller pages need the seller role.

Anonymous visitors are sent to sign in; a signed-in user of no organisation (or of one without the role a
page needs) gets the 403 page with the reason. What is shown is always the principal's own: selectors filter
by its organisation, and another's purchase is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from config.api.principal import Principal, principal_of

P = ParamSpec("P")
MemberView = Callable[Concatenate[HttpRequest, Principal, P], HttpResponse]


def _refuse(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


def member_required(view: MemberView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        principal = principal_of(request)
        if principal is None:
            return _refuse(request, _("Only members of an organisation trading on the market have purchases."))
        return view(request, principal, *args, **kwargs)

    return wrapper


def seller_required(view: MemberView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        principal = principal_of(request)
        if principal is None or not principal.is_seller:
            return _refuse(request, _("Only organisations with the seller role have sales and data usage."))
        return view(request, principal, *args, **kwargs)

    return wrapper
