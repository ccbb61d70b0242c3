from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from config.api.principal import principal_of


def principal(request: HttpRequest) -> dict[str, Any]:
    return {"principal": principal_of(request)}
