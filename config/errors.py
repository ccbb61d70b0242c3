"""Domain errors raised by services in every app.

Services speak in these; the API layer renders each as RFC 9457 problem details and the web layer as a
message. The HTTP status lives here because it is part of what the error *means* to a partner
(docs/api.md#errors: 409 is a state conflict, 422 a market rule), not an afterthought of the view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    status = 400
    code = "invalid"
    title = "Invalid request"

    def __init__(self, detail: str, *, errors: Mapping[str, Sequence[str]] | None = None, code: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = {key: list(value) for key, value in (errors or {}).items()}
        if code:
            self.code = code


class InvalidInput(DomainError):
    """Well-formed but invalid values (400)."""


class NotFound(DomainError):
    """Does not exist, or belongs to another organisation (404, so nothing leaks)."""

    status = 404
    code = "not-found"
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Not allowed for this organisation"


class Conflict(DomainError):
    """The object is not in a state that allows this (409)."""

    status = 409
    code = "conflict"
    title = "State conflict"


class RuleViolation(DomainError):
    """Well-formed, but a market rule refuses it (422)."""

    status = 422
    code = "market-rule"
    title = "Refused by a market rule"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload-too-large"
    title = "Payload too large"


class InvalidTransition(Conflict):
    code = "invalid-transition"
    title = "State transition not allowed"
