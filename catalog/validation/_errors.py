"""Bounded collection of per-line problems: the first few verbatim, the rest only counted."""

from __future__ import annotations

import bisect


class ErrorLog:
    """Keeps the messages of the ``limit`` lowest line numbers and counts all, so a file with a million
    bad lines costs no more memory than one with ``limit``.

    Problems mostly arrive in line order, but not always (a block's quoted lines are parsed after its
    other lines), hence "lowest" rather than "first added".
    """

    __slots__ = ("_entries", "count", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self._entries: list[tuple[int, int, str]] = []  # (line, arrival, message), sorted

    def add(self, line: int, message: str) -> None:
        self.count += 1
        entries = self._entries
        if len(entries) == self.limit and line >= entries[-1][0]:
            return
        bisect.insort(entries, (line, self.count, message))
        del entries[self.limit :]

    def full_below(self, line: int) -> bool:
        """Whether nothing at ``line`` or later can be kept any more."""
        return len(self._entries) == self.limit and self._entries[-1][0] < line

    @property
    def entries(self) -> list[tuple[int, int, str]]:
        """The kept ``(line, arrival, message)`` triples, lowest line first."""
        return list(self._entries)

    @property
    def messages(self) -> list[str]:
        return [message for _, _, message in self._entries]

    def summary(self) -> str:
        """The kept messages joined, plus how many more there were."""
        text = "; ".join(self.messages)
        rest = self.count - len(self._entries)
        if rest > 0:
            text += f"; and {rest:,} more"
        return text


def preview(value: str, limit: int = 40) -> str:
    """``value`` quoted for a message, shortened so one odd cell cannot flood the report."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return repr(value)
