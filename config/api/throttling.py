from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from config.api.principal import principal_of


class ApiKeyRateThrottle(SimpleRateThrottle):
    """A rate per API key (``ICHIBA_API_KEY_RATE``); browser sessions are not throttled here."""

    scope = "api_key"

    def get_rate(self) -> str | None:
        # Read at request time (DRF's default caches the rates at import), so settings changes apply.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return str(rate) if rate is not None else None

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        principal = principal_of(request)
        if principal is None or principal.api_key_id is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": principal.api_key_id.hex}
