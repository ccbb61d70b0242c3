"""How the OpenAPI document (drf-spectacular) describes our authentication classes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "marketplace.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An organisation's API key: `Authorization: Bearer <api key>` (issued by `onboard`).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "marketplace.auth.OrganizationSessionAuthentication"
    name = "Session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "A signed-in member's browser session (writes also need the CSRF token).",
        }


class TradeSchema(OpenApiSerializerExtension):
    """A trade's ``contract`` and ``settlement`` are shown to its parties only (the tape is public)."""

    target_class = "marketplace.api.trades.TradeSerializer"

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["required"] = [name for name in schema.get("required", []) if name not in ("contract", "settlement")]
        for name in ("contract", "settlement"):
            schema["properties"][name]["description"] = "Shown to the trade's buyer and seller only."
        return schema
