"""The hand-written k-anonymity counter that ``catalog.validation._kanon`` replaced (DuckDB out of core), kept as
the reference of ``python -m tests.bench kanon``: the same figures and detail, counted in Python with its own spill
files.

The groups (distinct combinations of quasi-identifier values) are counted in memory up to a fixed budget, in
groups and in characters of text read since the last spill. Past it, the counts are spilled to partition files
on disk (each group to the partition its hash chooses, so all counts of one group meet in one partition) and
counting goes on in memory. At the end each partition is summed on its own, and one that is itself over the
budget is split again with another hash. Memory is therefore bounded by the budget whatever the file, and the
verdict and the figures are exact: the groups are compared by their values, never by a digest. (The finding of
issue 13: one counter entry per distinct group cost ~290 bytes, so 157 MB of input peaked a worker at 1.2 GiB.)
"""

from __future__ import annotations

import heapq
import json
import os
import tempfile
from collections import Counter
from collections.abc import Hashable, Iterator, Sequence
from typing import IO, Any, Final, cast

from catalog.validation._errors import preview

# Groups kept in memory before a spill (~300 bytes each), and characters read since the last spill (the keys
# held are at most what was read).
MEMORY_GROUPS: Final = 100_000
MEMORY_CHARS: Final = 32 << 20
_PARTITIONS: Final = 64
_MAX_DEPTH: Final = 6
_EXAMPLES: Final = 3


def _hashable(value: Any) -> Hashable:
    # JSON arrays and objects are unhashable; their canonical text identifies them just as well.
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return cast(Hashable, value)


def _canonical(value: Any) -> Any:
    """A value as JSON writes it once equal values are made identical: in memory 1, 1.0 and True are one
    group (Python's equality), so on disk they must be too."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_ENCODE: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _encode(key: Hashable, width: int) -> str:
    values = key if width > 1 else (key,)
    return _ENCODE([_canonical(value) for value in cast(tuple[Any, ...], values)])


class _Spill:
    """Partition files of ``count<TAB>order<TAB>json-key`` lines (JSON text holds no raw line break); ``order``
    is where the group was first seen, so that the examples are the ones counting in memory would give."""

    def __init__(self, directory: str | None) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="ichiba-kanon-", dir=directory)
        self._files = [self._open(f"p{i}") for i in range(_PARTITIONS)]
        self._offset = 0  # groups written by the spills before, so orders grow from one spill to the next

    def _open(self, name: str) -> IO[str]:
        return open(
            os.path.join(self._dir.name, name), "w+", encoding="utf-8", errors="surrogatepass", buffering=1 << 16
        )

    def write(self, groups: Counter[Hashable], width: int, text_only: bool) -> None:
        # Tuples of text are JSON arrays as they are; anything else is made canonical first.
        texts = list(map(_ENCODE, groups)) if text_only and width > 1 else [_encode(key, width) for key in groups]
        files, offset = self._files, self._offset
        for order, (text, n) in enumerate(zip(texts, groups.values(), strict=True), start=offset):
            files[hash(text) % _PARTITIONS].write(f"{n}\t{order}\t{text}\n")
        self._offset = offset + len(texts)

    def partitions(self) -> Iterator[tuple[Counter[str], dict[str, int]]]:
        """Each partition's groups summed with where each was first seen, splitting again any partition that
        is over the budget."""
        for f in self._files:
            f.flush()
            f.seek(0)
            yield from self._sum(f, depth=1)

    def _sum(self, f: IO[str], depth: int) -> Iterator[tuple[Counter[str], dict[str, int]]]:
        groups: Counter[str] = Counter()
        first: dict[str, int] = {}
        chars = 0
        for line in f:
            n, order, text = line[:-1].split("\t", 2)
            if text not in first:
                chars += len(text)
                if depth < _MAX_DEPTH and (len(first) >= MEMORY_GROUPS or chars > MEMORY_CHARS):
                    f.seek(0)
                    yield from self._split(f, depth)
                    return
                first[text] = int(order)  # lines are in the order they were written: the first is the least
            groups[text] += int(n)
        yield groups, first

    def _split(self, f: IO[str], depth: int) -> Iterator[tuple[Counter[str], dict[str, int]]]:
        parts = [self._open(f"d{depth}-{i}-{id(f)}") for i in range(_PARTITIONS)]
        try:
            for line in f:
                text = line[:-1].split("\t", 2)[2]
                parts[hash((depth, text)) % _PARTITIONS].write(line)
            for part in parts:
                part.flush()
                part.seek(0)
                yield from self._sum(part, depth + 1)
        finally:
            for part in parts:
                part.close()

    def close(self) -> None:
        for f in self._files:
            f.close()
        self._dir.cleanup()


class KAnonymity:
    def __init__(self, names: Sequence[str], spill_dir: str | None = None, *, text_only: bool = False) -> None:
        """``text_only``: every value is a string (CSV), so the spill can skip making values canonical."""
        self.names = list(names)
        self._text_only = text_only
        self.groups: Counter[Hashable] = Counter()
        self.rows = 0
        self._spill_dir = spill_dir
        self._spill: _Spill | None = None
        self._chars = 0  # characters of quasi-identifier text read since the last spill (an upper bound)
        self.spilled = False  # whether the counts went to disk (then the keys are JSON text)

    def add(self, columns: Sequence[Sequence[Any]], nested: bool = False) -> None:
        """Count one block; ``columns`` are the quasi-identifier columns, ``nested`` whether any value
        may be a JSON array or object."""
        if not columns or not columns[0]:
            return
        if nested:
            columns = [list(map(_hashable, column)) for column in columns]
        self.rows += len(columns[0])
        before = len(self.groups)
        if len(columns) == 1:
            self.groups.update(columns[0])
        else:
            self.groups.update(zip(*columns, strict=True))
        if len(self.groups) > before:
            # The new groups hold at most the block's text, counted only when the block added groups.
            for column in columns:
                try:
                    self._chars += sum(map(len, column))
                except TypeError:  # numbers, null
                    self._chars += 24 * len(column)
        if len(self.groups) > MEMORY_GROUPS or self._chars > MEMORY_CHARS:
            self._spill_groups()

    def _spill_groups(self) -> None:
        self.spilled = True
        if self._spill is None:
            self._spill = _Spill(self._spill_dir)
        self._spill.write(self.groups, len(self.names), self._text_only)
        self.groups = Counter()
        self._chars = 0

    def _counts(self) -> Iterator[tuple[Counter[Any], dict[Any, int] | None]]:
        if self._spill is None:
            yield self.groups, None  # first seen: the counter's own order
            return
        self._spill_groups()
        yield from self._spill.partitions()

    def detail(self, k: int) -> tuple[bool, str]:
        over = f"({', '.join(self.names)})"
        try:
            measured, total, small_groups, small_rows, examples = self._measure(k)
        finally:
            if self._spill is not None:
                self._spill.close()
                self._spill = None
        if not total:
            return False, f"k cannot be measured over {over}: there are no rows."
        if not small_groups:
            return True, (f"k = {measured:,} over {over}: all {total:,} groups have at least {k} rows.")
        shown = "; ".join(f"{self._describe(key)} has {n:,} row{'s' if n != 1 else ''}" for n, _, key in examples)
        return False, (
            f"k = {measured:,} over {over}: {small_groups:,} of {total:,} groups ({small_rows:,} rows) have "
            f"fewer than {k} rows, e.g. {shown}. Generalise these columns (wider bands, coarser "
            "regions) or suppress the rare combinations."
        )

    def _measure(self, k: int) -> tuple[int, int, int, int, list[tuple[int, int, Any]]]:
        """Smallest group, groups, small groups, their rows and the three smallest (the first seen of equal
        ones, as ``(n, order, key)``), one partition at a time."""
        measured, total, small_groups, small_rows = 0, 0, 0, 0
        examples: list[tuple[int, int, Any]] = []
        for groups, first in self._counts():
            if not groups:
                continue
            least = min(groups.values())
            measured = least if not total else min(measured, least)
            total += len(groups)
            for position, (key, n) in enumerate(groups.items()):
                if n < k:
                    order = first[key] if first is not None else position
                    small_groups += 1
                    small_rows += n
                    if len(examples) < _EXAMPLES:
                        heapq.heappush(examples, (-n, -order, key))
                    elif (-n, -order) > examples[0][:2]:
                        heapq.heapreplace(examples, (-n, -order, key))
        ranked = sorted((-n, -o, key) for n, o, key in examples)
        return measured, total, small_groups, small_rows, ranked

    def _describe(self, key: Any) -> str:
        if self.spilled:  # keys are then JSON arrays
            return "(" + ", ".join(preview(str(v), 24) if v is not None else "null" for v in json.loads(key)) + ")"
        values = key if len(self.names) > 1 and isinstance(key, tuple) else (key,)
        return "(" + ", ".join(preview(str(value), 24) if value is not None else "null" for value in values) + ")"
