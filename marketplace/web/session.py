"""Signing in and out of the web site (the browser session). Members sign in with their e-mail address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
