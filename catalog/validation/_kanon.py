"""k-anonymity over declared quasi-identifiers: the size of the smallest equivalence class.

Memory is one counter entry per distinct combination of quasi-identifier values, never per row.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any, cast

from catalog.validation._errors import preview


def _hashable(value: Any) -> Hashable:
    # JSON arrays and objects are unhashable; their canonical text identifies them just as well.
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return cast(Hashable, value)


class KAnonymity:
    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.groups: Counter[Hashable] = Counter()
        self.rows = 0

    def add(self, columns: Sequence[Sequence[Any]], nested: bool = False) -> None:
        """Count one block; ``columns`` are the quasi-identifier columns, ``nested`` whether any value
        may be a JSON array or object."""
        if not columns or not columns[0]:
            return
        if nested:
            columns = [list(map(_hashable, column)) for column in columns]
        self.rows += len(columns[0])
        if len(columns) == 1:
            self.groups.update(columns[0])
        else:
            self.groups.update(zip(*columns, strict=True))

    def detail(self, k: int) -> tuple[bool, str]:
        over = f"({', '.join(self.names)})"
        if not self.groups:
            return False, f"k cannot be measured over {over}: there are no rows."
        measured = min(self.groups.values())
        small = [(key, n) for key, n in self.groups.items() if n < k]
        total = len(self.groups)
        if not small:
            return True, (f"k = {measured:,} over {over}: all {total:,} groups have at least {k} rows.")
        small.sort(key=lambda item: item[1])
        small_rows = sum(n for _, n in small)
        examples = "; ".join(f"{self._describe(key)} has {n:,} row{'s' if n != 1 else ''}" for key, n in small[:3])
        return False, (
            f"k = {measured:,} over {over}: {len(small):,} of {total:,} groups ({small_rows:,} rows) have "
            f"fewer than {k} rows, e.g. {examples}. Generalise these columns (wider bands, coarser "
            "regions) or suppress the rare combinations."
        )

    def _describe(self, key: Hashable) -> str:
        values = key if len(self.names) > 1 and isinstance(key, tuple) else (key,)
        return "(" + ", ".join(preview(str(value), 24) if value is not None else "null" for value in values) + ")"
