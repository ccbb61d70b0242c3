"""Who is calling: an organisation, as seen by every app's views.

Authentication (in marketplace, which owns participants) resolves an API key or a signed-in member to a
``Principal`` and puts it on ``request.auth`` (API) or ``request.principal`` (web). Lower apps read this
frozen value instead of importing marketplace models.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.http import HttpRequest

SELLER = "seller"
BUYER = "buyer"


@dataclass(frozen=True, slots=True)
class Principal:
    organization_id: uuid.UUID
    organization_name: str
    roles: frozenset[str]
    country: str
    verified: bool
    user_id: int | None = None
    api_key_id: uuid.UUID | None = None

    @property
    def is_seller(self) -> bool:
        return SELLER in self.roles

    @property
    def is_buyer(self) -> bool:
        return BUYER in self.roles


def principal_of(request: HttpRequest) -> Principal | None:
    """The calling organisation for a DRF or plain Django request, or None when anonymous."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, Principal):
        return auth
    principal = getattr(request, "principal", None)
    return principal if isinstance(principal, Principal) else None
