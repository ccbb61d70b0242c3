"""Who may call an API view: the organisation (its roles) and the caller's scopes (docs/api.md#api-keys-and-scopes).

Every permission class here is a ``ScopeRequired``: besides its own test, it refuses a caller that lacks the scope
the view declares for the request's method. Safe methods (GET, HEAD, OPTIONS) need ``read`` unless they declare
more; each unsafe method a view answers declares its scope with ``@scope(TRADE)`` (or ``SELL``, ``MANAGE``, ``READ``
for a POST that only reads) on the handler. An anonymous caller is not refused here: the class's own test decides
(public reads stay public; a view for members answers 401). ``tests/test_scopes.py`` walks the URL conf and fails on
an API view whose unsafe method declares no scope, or whose permission classes do not check one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from config.api.principal import MANAGE, READ, SCOPES, Principal, principal_of

SCOPE_ATTRIBUTE = "required_scopes"
INSUFFICIENT_SCOPE = "insufficient-scope"

Handler = TypeVar("Handler", bound=Callable[..., Any])


def scope(*scopes: str) -> Callable[[Handler], Handler]:
    """Declares the scope a handler (``post``, ``patch``, ``delete``..., or a read that needs more than ``read``)
    needs. Several: any one of them lets the request in, and the view, once it knows the caller's side, asks for
    that side's with ``scope_check`` (an order's bid needs ``trade``, its ask ``sell``)."""
    unknown = set(scopes) - set(SCOPES)
    if not scopes or unknown:
        raise ValueError(f"Declare one or more of {SCOPES}, not {sorted(unknown)}.")

    def declare(handler: Handler) -> Handler:
        setattr(handler, SCOPE_ATTRIBUTE, tuple(scopes))
        return handler

    return declare


def declared_scopes(handler: Any) -> tuple[str, ...] | None:
    """The scopes ``@scope`` declared on a handler, None when it declares none."""
    found = getattr(handler, SCOPE_ATTRIBUTE, None)
    return tuple(found) if found else None


def scope_refusal(principal: Principal, scopes: tuple[str, ...]) -> str | None:
    """Why ``principal`` may not act here (it holds none of ``scopes``), in English; None when it may."""
    if any(principal.has_scope(wanted) for wanted in scopes):
        return None
    named = " or ".join(f"'{wanted}'" for wanted in scopes)
    noun = "scope" if len(scopes) == 1 else "scopes"
    if principal.api_key_id is not None:
        return f"This API key lacks the {named} {noun}."
    return f"Your role in the organisation lacks the {named} {noun}; ask one of its admins."


class InsufficientScope(exceptions.PermissionDenied):
    """The 403 problem ``insufficient-scope`` (config.api.problems takes the type from the code). A DRF error, so
    that DRF's own probes of a view's permissions (the metadata an OPTIONS request lists) see a refusal, not a
    failure."""

    default_code = INSUFFICIENT_SCOPE


def scope_check(principal: Principal, *scopes: str) -> None:
    """Raises the 403 problem ``insufficient-scope`` unless ``principal`` holds one of ``scopes``."""
    refusal = scope_refusal(principal, scopes)
    if refusal is not None:
        raise InsufficientScope(refusal)


def request_scopes(request: Request, view: Any) -> tuple[str, ...]:
    """The scopes the request's method needs on ``view``: the handler's declaration, else ``read`` for a safe
    method (a read may declare more: listing the keys needs ``manage``). An undeclared unsafe handler is a
    programming error the URL-conf test catches; at run time it needs ``manage``, the narrowest grant, rather than
    nothing."""
    method = str(request.method).upper()
    declared = declared_scopes(getattr(view, method.lower(), None))
    if declared:
        return declared
    return (READ,) if method in SAFE_METHODS else (MANAGE,)


class ScopeRequired(BasePermission):
    """Refuses an authenticated caller that lacks the scope the view declares for this method (403,
    ``insufficient-scope``). The base of every permission class of the API."""

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = principal_of(request)
        if principal is not None:
            scope_check(principal, *request_scopes(request, view))
        return True


class Public(ScopeRequired):
    """Anyone may call, signed in or not (the catalog, the book, the tape: the market is transparent); a caller
    who names its organisation still needs the scope."""

    anonymous_read = True  # the OpenAPI document says so (config.api.openapi.AutoSchema)


class IsMember(ScopeRequired):
    """Authenticated as an organisation: an API key, or a signed-in member of one."""

    message = "Authenticate with an organisation API key (Authorization: Bearer <key>) or sign in."

    def has_permission(self, request: Request, view: Any) -> bool:
        return principal_of(request) is not None and super().has_permission(request, view)


class IsSeller(IsMember):
    message = "Only organisations with the seller role may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = principal_of(request)
        return principal is not None and principal.is_seller and super().has_permission(request, view)


class ReadAnyoneWriteSeller(ScopeRequired):
    """Catalog reads are public (the market is transparent); writes need a seller."""

    message = IsSeller.message
    anonymous_read = True  # the OpenAPI document says so (config.api.openapi.AutoSchema)

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return super().has_permission(request, view)
        principal = principal_of(request)
        return principal is not None and principal.is_seller and super().has_permission(request, view)
