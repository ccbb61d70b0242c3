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

# What an API key may do (docs/api.md#api-keys-and-scopes). A signed-in member acts with the scopes of its role.
READ = "read"  # every GET the organisation may make
TRADE = "trade"  # as a buyer: orders, bids, buys, private-offer and auction actions, subscriptions, download tokens
SELL = "sell"  # as a seller: datasets, versions, offerings, asks, private offers, auctions, stream credentials
MANAGE = "manage"  # the organisation itself: keys, members, webhooks, payment methods, its profile
SCOPES = (READ, TRADE, SELL, MANAGE)
ALL_SCOPES = frozenset(SCOPES)

# A member's role in its organisation: an admin manages members and keys, a member does the rest.
ADMIN = "admin"
MEMBER = "member"
ROLE_SCOPES = {ADMIN: ALL_SCOPES, MEMBER: frozenset({READ, TRADE, SELL})}


@dataclass(frozen=True, slots=True)
class Principal:
    organization_id: uuid.UUID
    organization_name: str
    roles: frozenset[str]
    country: str
    verified: bool
    user_id: int | None = None
    api_key_id: uuid.UUID | None = None
    # What this caller may do: an API key's scopes, or the scopes of a signed-in member's role.
    scopes: frozenset[str] = ALL_SCOPES

    @property
    def is_seller(self) -> bool:
        return SELLER in self.roles

    @property
    def is_buyer(self) -> bool:
        return BUYER in self.roles

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


def principal_of(request: HttpRequest) -> Principal | None:
    """The calling organisation for a DRF or plain Django request, or None when anonymous."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, Principal):
        return auth
    principal = getattr(request, "principal", None)
    return principal if isinstance(principal, Principal) else None
