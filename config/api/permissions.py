from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from config.api.principal import principal_of


class IsMember(BasePermission):
    """Authenticated as an organisation: an API key, or a signed-in member of one."""

    message = "Authenticate with an organisation API key (Authorization: Bearer <key>) or sign in."

    def has_permission(self, request: Request, view: Any) -> bool:
        return principal_of(request) is not None


class IsSeller(IsMember):
    message = "Only organisations with the seller role may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = principal_of(request)
        return principal is not None and principal.is_seller


class ReadAnyoneWriteSeller(BasePermission):
    """Catalog reads are public (the market is transparent); writes need a seller."""

    message = IsSeller.message
    anonymous_read = True  # the OpenAPI document says so (config.api.openapi.AutoSchema)

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        principal = principal_of(request)
        return principal is not None and principal.is_seller
