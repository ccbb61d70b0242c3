"""What the web tier sends a matcher, and what the matcher answers; both travel as JSON."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from config.api.idempotency import IdempotencyClaim
from config.api.principal import Principal
from config.errors import DomainError


@dataclass(frozen=True)
class Place:
    """Place one order, checked by the web tier as far as it can be without the book. The web tier gives the order
    its id, so a request that stops waiting can still find the order by its URL."""

    order_id: uuid.UUID
    offering_id: uuid.UUID
    principal: Principal  # who places it, as its request was authenticated
    side: str
    type: str
    price: int | None
    quantity: int | None
    time_in_force: str
    expires_at: datetime | None
    accepted_terms_sha256: str
    idempotency: IdempotencyClaim | None = None  # recorded by the matcher with the order
    request_id: str = ""  # the request's id, bound while the matcher places it (its log lines, its settlement)
    sent_at: float = 0.0  # POSIX seconds

    def as_json(self) -> dict[str, Any]:
        p = self.principal
        return {
            "order_id": str(self.order_id),
            "offering_id": str(self.offering_id),
            "principal": {
                "organization_id": str(p.organization_id),
                "organization_name": p.organization_name,
                "roles": sorted(p.roles),
                "country": p.country,
                "verified": p.verified,
                "user_id": p.user_id,
                "api_key_id": str(p.api_key_id) if p.api_key_id else None,
                "scopes": sorted(p.scopes),
            },
            "side": self.side,
            "type": self.type,
            "price": self.price,
            "quantity": self.quantity,
            "time_in_force": self.time_in_force,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "accepted_terms_sha256": self.accepted_terms_sha256,
            "idempotency": self.idempotency.as_dict() if self.idempotency else None,
            "request_id": self.request_id,
            "sent_at": self.sent_at,
        }

    @classmethod
    def of_json(cls, data: dict[str, Any]) -> Place:
        p = data["principal"]
        return cls(
            order_id=uuid.UUID(data["order_id"]),
            offering_id=uuid.UUID(data["offering_id"]),
            principal=Principal(
                organization_id=uuid.UUID(p["organization_id"]),
                organization_name=p["organization_name"],
                roles=frozenset(p["roles"]),
                country=p["country"],
                verified=p["verified"],
                user_id=p["user_id"],
                api_key_id=uuid.UUID(p["api_key_id"]) if p["api_key_id"] else None,
                scopes=frozenset(p["scopes"]),
            ),
            side=data["side"],
            type=data["type"],
            price=data["price"],
            quantity=data["quantity"],
            time_in_force=data["time_in_force"],
            expires_at=datetime.fromisoformat(data["expires_at"]) if data["expires_at"] else None,
            accepted_terms_sha256=data["accepted_terms_sha256"],
            idempotency=IdempotencyClaim(**data["idempotency"]) if data["idempotency"] else None,
            request_id=data["request_id"],
            sent_at=data["sent_at"],
        )


@dataclass(frozen=True)
class Outcome:
    """A matcher's answer to one command, sent once the batch that decided it has committed.

    ``placed``: the order and its trades are stored; ``key-used``: its idempotency key was already recorded (the
    request replays that record; nothing was placed); ``refused``: a market rule refused it (``error``; nothing
    stored)."""

    status: str  # "placed", "key-used" or "refused"
    order_id: uuid.UUID
    trade_ids: tuple[uuid.UUID, ...] = ()
    error: dict[str, Any] = field(default_factory=dict)  # a DomainError: status, title, code, detail, errors
    placed: dict[str, Any] = field(default_factory=dict)  # "placed": the order and its trades as stored (JSON)
    # In the process that decided it (not sent): the refusal as raised, and what was placed (an order matched in
    # process returns these to its caller as they are).
    raised: DomainError | None = field(default=None, compare=False, repr=False)
    result: Any = field(default=None, compare=False, repr=False)  # marketplace.services.orders.Placed

    @classmethod
    def refused(cls, order_id: uuid.UUID, exc: DomainError) -> Outcome:
        return cls(
            status="refused",
            order_id=order_id,
            raised=exc,
            error={
                "status": exc.status,
                "title": exc.title,
                "code": exc.code,
                "detail": exc.detail,
                "errors": exc.errors,
            },
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "order_id": str(self.order_id),
            "trade_ids": [str(t) for t in self.trade_ids],
            "error": self.error,
            "placed": self.placed,
        }

    @classmethod
    def of_json(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            status=data["status"],
            order_id=uuid.UUID(data["order_id"]),
            trade_ids=tuple(uuid.UUID(t) for t in data["trade_ids"]),
            error=data["error"],
            placed=data.get("placed") or {},
        )

    def exception(self) -> DomainError:
        """The refusal as the error it was in the matcher: same status, title, type, detail and field errors."""
        exc = DomainError(self.error["detail"], errors=self.error["errors"] or None, code=self.error["code"])
        exc.status = self.error["status"]
        exc.title = self.error["title"]
        return exc
