"""The site shell's own pages: signing in and out, the market rules. Members sign in with their e-mail address."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from contracts.meti.platform_rules import PLATFORM_RULES, PLATFORM_RULES_VERSION


class EmailAuthenticationForm(AuthenticationForm):
    """A member's username is their e-mail address, stored lower-case (marketplace.services.participants)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or the password is wrong. Passwords are case-sensitive."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        self.fields["username"].widget.input_type = "email"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})
        self.fields["password"].label = _("Password")

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username") or "").strip().lower()


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET): a link cannot sign anyone out."""


def market_rules(request: HttpRequest) -> HttpResponse:
    """The platform rules every participant trades under, in the reader's language (transparency)."""
    lang = "ja" if translation.get_language() == "ja" else "en"
    sections = [{"code": s.code, "title": s.title[lang], "text": s.text[lang]} for s in PLATFORM_RULES]
    return render(
        request,
        "web/rules.html",
        {
            "sections": sections,
            "version": PLATFORM_RULES_VERSION,
            "fee_percent": Decimal(settings.ICHIBA["PLATFORM_FEE_RATE"]) * 100,
        },
    )
