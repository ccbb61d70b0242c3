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


def _twin(cls: type) -> Any:
    """A mutable twin of a frozen slotted dataclass: same slots in the same order, plain attribute stores.

    A frozen dataclass's ``__init__`` sets every field through ``object.__setattr__`` (about 200 ns a field here),
    which would dominate the engine's hot path (one ``SubmitResult`` per order, one ``Fill`` per trade). The twin
    is filled with plain stores and then turned into ``cls`` by ``__class__`` assignment, which CPython allows
    between classes of identical layout. The result is an ordinary ``cls`` instance: same type, equality, hash,
    repr, pickling and immutability. ``twin(*values)`` does it in one call; the book also does it inline on its
    hottest paths (``object.__new__(twin)``, the stores, then ``__class__``), in the field order checked here.
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
    twin.__qualname__ = twin.__name__ = f"_{cls.__name__}Twin"
    probe = list(range(len(names)))
    made = twin(*probe)
    if type(made) is not cls or made != cls(*probe):  # pragma: no cover - not CPython
        raise RuntimeError(f"cannot build {cls.__name__} objects quickly on this interpreter")
    return twin


FILL_FIELDS = ("maker_id", "taker_id", "buy_id", "sell_id", "price", "quantity")
RESULT_FIELDS = ("order_id", "fills", "status", "resting", "cancelled", "reason", "expired")
if (
    tuple(field.name for field in fields(Fill)) != FILL_FIELDS
    or tuple(field.name for field in fields(SubmitResult)) != RESULT_FIELDS
):  # pragma: no cover - a field was added: update the inline constructions in book.py too
    raise RuntimeError("Fill / SubmitResult fields changed: update FILL_FIELDS / RESULT_FIELDS and book.py")

FillTwin: Any = _twin(Fill)
ResultTwin: Any = _twin(SubmitResult)
new_fill: Any = FillTwin  # new_fill(maker_id, taker_id, buy_id, sell_id, price, quantity) -> Fill
new_result: Any = ResultTwin  # new_result(order_id, fills, status, resting, cancelled, reason, expired) -> SubmitResult
