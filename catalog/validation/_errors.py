"""Bounded collection of per-line problems: the first few verbatim, the rest only counted."""

from __future__ import annotations


class ErrorLog:
    """Keeps the first ``limit`` messages and counts all, so a file with a million bad lines costs
    no more memory than one with ``limit``."""

    __slots__ = ("count", "limit", "messages")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.messages) < self.limit:
            self.messages.append(message)

    def summary(self) -> str:
        """The kept messages joined, plus how many more there were."""
        text = "; ".join(self.messages)
        rest = self.count - len(self.messages)
        if rest > 0:
            text += f"; and {rest:,} more"
        return text


def preview(value: str, limit: int = 40) -> str:
    """``value`` quoted for a message, shortened so one odd cell cannot flood the report."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return repr(value)
