"""The values the matching engine takes and returns: sides, time in force, orders, fills, submit results.

Pure Python, no Django. ``Order`` is mutable (the book keeps ``seq`` and ``filled`` up to date on the very
object it was given); ``Fill`` and ``SubmitResult`` are frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, Final


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class TimeInForce(StrEnum):
    GTC = "gtc"  # good till cancelled
    IOC = "ioc"  # immediate or cancel: match what can be matched now, cancel the rest
    FOK = "fok"  # fill or kill: fill completely at submission, or do nothing at all
    GTD = "gtd"  # good till date: rests like GTC until ``expires_at``


class Status:
    """Values of ``SubmitResult.status`` (plain strings)."""

    FILLED: Final = "filled"
    PARTIALLY_FILLED: Final = "partially_filled"  # some filled, the rest rests on the book
    OPEN: Final = "open"  # rests on the book, nothing filled
    CANCELLED: Final = "cancelled"  # the rest (maybe all of it) was cancelled at submission; fills made stand
    EXPIRED: Final = "expired"  # a GTD order submitted with expires_at <= now


class Reason:
    """Values of ``SubmitResult.reason`` when something was cancelled at submission (plain strings)."""

    SELF_TRADE: Final = "self-trade prevented"
    NO_LIQUIDITY: Final = "no liquidity"
    FOK: Final = "fill or kill not possible"
    SEAT_CAP: Final = "seat cap reached"
    EXPIRED: Final = "expired"


@dataclass(slots=True)
class Order:
    id: str  # opaque, unique
    side: Side
    owner: str  # the organisation placing it (for self-trade prevention)
    price: int | None  # limit price in minor units; None = market order
    quantity: int | None  # seats; None = unlimited (only a SELL on an offering with unlimited seats)
    time_in_force: TimeInForce = TimeInForce.GTC
    expires_at: float | None = None  # POSIX seconds, GTD only
    seq: int = 0  # time priority: lower is earlier; the book assigns it on submit if 0
    filled: int = 0  # running total (mutated by the book)

    @property
    def remaining(self) -> int | None:
        """Seats not yet filled; None for an unlimited ask."""
        return None if self.quantity is None else self.quantity - self.filled


@dataclass(frozen=True, slots=True)
class Fill:
    maker_id: str  # the resting order
    taker_id: str  # the incoming order
    buy_id: str
    sell_id: str
    price: int  # always the resting (maker) order's price
    quantity: int


@dataclass(frozen=True, slots=True)
class SubmitResult:
    order_id: str
    fills: tuple[Fill, ...]
    status: str  # see Status
    resting: int | None  # seats now resting on the book from this order (None for an unlimited ask that rests)
    cancelled: int  # seats of this order cancelled at submission (0 if none; always 0 for an unlimited ask)
    reason: str  # see Reason; "" unless something was cancelled or expired at submission
    expired: tuple[str, ...]  # ids of resting GTD orders found expired and removed during this submit

    @property
    def filled(self) -> int:
        return sum(fill.quantity for fill in self.fills)


def _fast_constructor(cls: type) -> Any:
    """A positional constructor for a frozen slotted dataclass, several times faster than ``cls(...)``.

    A frozen dataclass's ``__init__`` sets every field through ``object.__setattr__`` (about 200 ns a field
    here), which dominates the engine's hot path (one ``SubmitResult`` per order, one ``Fill`` per trade).
    The twin below has the very same slots, fills them with plain attribute stores and then turns itself into
    ``cls`` (``__class__`` assignment between classes of identical layout). The result is an ordinary ``cls``
    instance: same type, equality, hash, repr and immutability. Checked once here; falls back to ``cls``.
    """
    names = [field.name for field in fields(cls)]
    args = ", ".join(names)
    body = "".join(f"        self.{name} = {name}\n" for name in names)
    source = (
        "class Twin:\n"
        f"    __slots__ = {tuple(names)!r}\n"
        f"    def __init__(self, {args}):\n"
        f"{body}"
        "        self.__class__ = target\n"
    )
    namespace: dict[str, Any] = {"target": cls}
    exec(source, namespace)  # noqa: S102 - generated from the dataclass's own field names
    twin = namespace["Twin"]
    probe = list(range(len(names)))
    try:
        made = twin(*probe)
    except TypeError:  # pragma: no cover - layout not compatible on this interpreter
        return cls
    if type(made) is not cls or made != cls(*probe):  # pragma: no cover
        return cls
    return twin


new_fill: Any = _fast_constructor(Fill)
new_result: Any = _fast_constructor(SubmitResult)
