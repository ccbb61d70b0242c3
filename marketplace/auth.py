"""DRF authentication: an organisation API key (Bearer) or a signed-in member's session.

Both put a ``Principal`` on ``request.auth``; views of every app read that, never these classes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.request import Request

from config.api.principal import Principal
from marketplace.selectors import principal_for_user
from marketplace.services.participants import api_key_authenticate


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[Any, Principal] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send exactly one key: Authorization: Bearer <api key>.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("The API key is not valid.") from exc
        principal = api_key_authenticate(secret=secret)
        if principal is None:
            raise exceptions.AuthenticationFailed("The API key is unknown, expired or revoked.")
        return AnonymousUser(), principal

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class OrganizationSessionAuthentication(SessionAuthentication):
    """A browser session (with CSRF) of a user who belongs to an organisation."""

    def authenticate(self, request: Request) -> tuple[Any, Principal] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, _ = result
        principal = principal_for_user(user)
        if principal is None:
            return None
        return user, principal
