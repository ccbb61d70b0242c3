"""k-anonymity over declared quasi-identifiers: the size of the smallest equivalence class, counted out of core.

Each block's quasi-identifier columns are appended, as they come, to a Parquet file in a temporary folder (in
``spill_dir``); at the end one DuckDB query groups its rows and sums up the groups, with DuckDB's memory limited
to :data:`MEMORY_LIMIT` and its temporary files in the same folder, so its hash table spills to disk past the
limit whatever the number of groups (a file of unique rows makes as many groups as rows: issue 13 found a counter
in memory taking 1.2 GiB for 157 MB of input). The verdict and the figures are exact: groups are compared by
their values, never by a digest.

The Arrow readers hand over Arrow arrays, written as they are (no Python object per value); the hand-written
readers hand over Python lists. Groups follow Python's equality of the values the readers produce, the rule the
checks have always had: for JSON Lines 1, 1.0 and true are one group and "1" another; nulls (and keys absent
from a JSON object) are one group, an empty CSV cell another; in a Parquet file a float NaN is a null, as the
rest of the report shows it. A group is shown by its first row's values, and groups of the same size are taken
in the order their first rows came.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeAlias, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from catalog.validation import _duckdb
from catalog.validation._errors import preview

if TYPE_CHECKING:
    import duckdb  # imported when a count is made (catalog.validation._duckdb says why)

# DuckDB's buffer memory for the grouping (its hash table spills to disk past it) and its threads: one, the
# worker's share of a machine that runs other validations. Measured in ``python -m tests.bench kanon``.
MEMORY_LIMIT: Final = "128MB"
THREADS: Final = 1
_EXAMPLES: Final = 3
# The groups are counted in one part first and, past DuckDB's memory limit, again in 8 times as many parts (see
# ``_measure``).
FIRST_PARTS: Final = 1
_SPLIT: Final = 8
_MAX_PARTS: Final = 8**4

Column: TypeAlias = pa.Array | pa.ChunkedArray | Sequence[Any]
ToPython: TypeAlias = Callable[[pa.Array], list[Any]]
Figures: TypeAlias = tuple[int, int, int, int, list[tuple[int, int]]]

# A value of a hand-written JSON Lines column is stored as three columns: ``tag`` (null for text and null, 1 for a
# number or boolean, 2 for a JSON array or object), ``text`` (the text, a number's canonical text, or the JSON
# text) and ``shown`` (a number's own text where it differs from the canonical one: True, 1.0). Groups are
# (tag, text): what Python's equality makes one group is one pair.
_NUMBER: Final = 1
_JSON: Final = 2


def _tagged(values: Sequence[Any]) -> list[pa.Array]:
    present = set(map(type, values))
    if present <= {str, type(None)}:
        n = len(values)
        return [pa.nulls(n, pa.int8()), pa.array(values, pa.string()), pa.nulls(n, pa.string())]
    tags: list[int | None] = []
    texts: list[str | None] = []
    shown: list[str | None] = []
    for value in values:
        if value is None or isinstance(value, str):
            tags.append(None)
            texts.append(value)
            shown.append(None)
        elif isinstance(value, list | dict):
            tags.append(_JSON)
            texts.append(_json_text(value))
            shown.append(None)
        else:  # bool, int, float: equal numbers share one text (JSON Lines has no NaN or infinity)
            canonical = str(int(value)) if isinstance(value, bool | int) or value.is_integer() else repr(value)
            own = str(value)
            tags.append(_NUMBER)
            texts.append(canonical)
            shown.append(own if own != canonical else None)
    return [pa.array(tags, pa.int8()), pa.array(texts, pa.string()), pa.array(shown, pa.string())]


def _native(kind: pa.DataType) -> bool:
    """Whether Arrow values of ``kind`` go to Parquet and DuckDB as they are, and group by Python's equality."""
    return (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_string_view(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
        or pa.types.is_binary_view(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_float32(kind)
        or pa.types.is_float64(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_date(kind)
        or pa.types.is_time(kind)
        or pa.types.is_timestamp(kind)
        or pa.types.is_null(kind)
    )


def _arrow_key(column: pa.Array | pa.ChunkedArray, to_python: ToPython) -> pa.Array | pa.ChunkedArray:
    """An Arrow column as it is grouped: dictionaries decoded, a float NaN made null and a decimal a float (as
    Parquet's values are shown), other scalars as they are. Nested values (rare as quasi-identifiers) and the
    types Parquet or DuckDB do not take (durations, intervals, half floats) go by their text, as shown."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = kind.value_type
    if not _native(kind):
        values = to_python(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
        return pa.array([None if value is None else _shown(value) for value in values], pa.string())
    if pa.types.is_decimal(kind):
        return column.cast(pa.float64())
    if pa.types.is_floating(kind):
        return pc.if_else(pc.is_nan(column), pa.scalar(None, kind), column)
    return column


class KAnonymity:
    def __init__(self, names: Sequence[str], spill_dir: str | None = None, *, text_only: bool = False) -> None:
        """``text_only``: every value handed over as a Python list is a string (CSV), so no value is tagged."""
        self.names = list(names)
        self._text_only = text_only
        self._spill_dir = spill_dir
        self.rows = 0
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._writer: pq.ParquetWriter | None = None
        self._tagged = False  # whether the columns are stored as (tag, text, shown) triples
        self._to_python: ToPython = pa.Array.to_pylist

    def add(self, columns: Sequence[Column], to_python: ToPython | None = None) -> None:
        """Count one block; ``columns`` are the quasi-identifier columns, Arrow arrays or Python lists (the same
        kind in every block). ``to_python``: the Python values of an Arrow array, as the report shows them
        (``to_pylist`` when None)."""
        if not columns or not len(columns[0]):
            return
        if to_python is not None:
            self._to_python = to_python
        arrays: list[pa.Array | pa.ChunkedArray] = []
        for column in columns:
            if isinstance(column, pa.Array | pa.ChunkedArray):
                arrays.append(_arrow_key(column, self._to_python))
            elif self._text_only:
                arrays.append(pa.array(column, pa.string()))
            else:
                self._tagged = True
                arrays.extend(_tagged(column))
        self.rows += len(arrays[0])
        table = pa.table(arrays, names=[f"c{i}" for i in range(len(arrays))])
        if self._writer is None:
            self._dir = tempfile.TemporaryDirectory(prefix="ichiba-kanon-", dir=self._spill_dir)
            # LZ4: the cheapest compression to write (unique text keeps about two thirds of its size).
            self._writer = pq.ParquetWriter(self._path, table.schema, compression="lz4")
        elif table.schema != self._writer.schema:
            table = table.cast(self._writer.schema)
        self._writer.write_table(table)

    @property
    def _path(self) -> str:
        assert self._dir is not None
        return os.path.join(self._dir.name, "rows.parquet")

    def close(self) -> None:
        """Remove the temporary files (``detail`` does; a counter given up may call it, else they go with it)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def detail(self, k: int) -> tuple[bool, str]:
        over = f"({', '.join(self.names)})"
        try:
            if not self.rows:
                return False, f"k cannot be measured over {over}: there are no rows."
            measured, total, small_groups, small_rows, examples = self._measure(k)
        finally:
            self.close()
        if not small_groups:
            return True, (f"k = {measured:,} over {over}: all {total:,} groups have at least {k} rows.")
        shown = "; ".join(f"{described} has {n:,} row{'s' if n != 1 else ''}" for n, described in examples)
        return False, (
            f"k = {measured:,} over {over}: {small_groups:,} of {total:,} groups ({small_rows:,} rows) have "
            f"fewer than {k} rows, e.g. {shown}. Generalise these columns (wider bands, coarser "
            "regions) or suppress the rare combinations."
        )

    def _measure(self, k: int) -> tuple[int, int, int, int, list[tuple[int, str]]]:
        """Smallest group, groups, small groups, their rows and the three smallest (the first seen of equal
        ones), each shown by its first row.

        DuckDB spills its hash table to disk, but what it keeps in memory while it does still grows with the
        number of groups (here about 24 MB for a million unique rows, 64 MB for ten million): past its limit the
        query fails with an out-of-memory error instead. The groups are then counted again in :data:`_SPLIT`
        times as many parts, each holding the groups whose hash falls in it and read on its own, until each
        part fits; the figures of the parts add up to those of the whole, as every group is in one part."""
        assert self._writer is not None and self._dir is not None
        self._writer.close()
        self._writer = None
        stored = pq.read_schema(self._path).names
        # A tagged column is grouped by its tag and text, not by how its first value is shown.
        keys = ", ".join(name for i, name in enumerate(stored) if not (self._tagged and i % 3 == 2))
        import duckdb

        parts = FIRST_PARTS
        while True:
            try:
                with self._connect() as connection:
                    figures = [self._count(connection, keys, k, parts, part) for part in range(parts)]
                break
            except duckdb.OutOfMemoryException:
                if parts >= _MAX_PARTS:
                    raise
                parts *= _SPLIT
        measured = min(figure[0] for figure in figures if figure[1])
        smallest = sorted((n, first) for figure in figures for n, first in figure[4])[:_EXAMPLES]
        examples = [(n, self._describe(first)) for n, first in smallest]
        total = sum(figure[1] for figure in figures)
        small_groups = sum(figure[2] for figure in figures)
        small_rows = sum(figure[3] for figure in figures)
        return measured, total, small_groups, small_rows, examples

    def _connect(self) -> duckdb.DuckDBPyConnection:
        assert self._dir is not None
        return _duckdb.connect(
            memory_limit=MEMORY_LIMIT, threads=THREADS, temp_directory=os.path.join(self._dir.name, "duckdb")
        )

    def _count(self, connection: duckdb.DuckDBPyConnection, keys: str, k: int, parts: int, part: int) -> Figures:
        """The figures of one part of the groups (of all of them when ``parts`` is 1), with the three smallest
        groups as (rows, ordinal of the first row)."""
        where = f"WHERE hash({keys}) % {parts} = {part}" if parts > 1 else ""
        found = connection.execute(
            f"""
            WITH groups AS (
                SELECT count(*) AS n, min(file_row_number) AS first
                FROM read_parquet($path, file_row_number = true)
                {where}
                GROUP BY {keys}
            )
            SELECT coalesce(min(n), 0), count(*), count(*) FILTER (n < $k), coalesce(sum(n) FILTER (n < $k), 0),
                   coalesce(arg_min([n, first], {{'n': n, 'first': first}}, {_EXAMPLES}) FILTER (n < $k), [])
            FROM groups
            """,  # noqa: S608 (the keys are the spill's own column names, the numbers integers)
            {"path": self._path, "k": k},
        ).fetchone()
        assert found is not None
        measured, total, small_groups, small_rows, smallest = found
        return int(measured), int(total), int(small_groups), int(small_rows), [(int(n), int(f)) for n, f in smallest]

    def _describe(self, ordinal: int) -> str:
        """A group shown by the values of its first row (the ``ordinal``-th row written)."""
        row = _row(self._path, ordinal)
        values: list[Any] = []
        if self._tagged:
            for j in range(0, len(row), 3):
                text, shown = row[j + 1][0].as_py(), row[j + 2][0].as_py()
                values.append(shown if shown is not None else text)
        else:
            values.extend(self._to_python(column.combine_chunks())[0] for column in row)
        return "(" + ", ".join(preview(str(value), 24) if value is not None else "null" for value in values) + ")"


def _json_text(value: list[Any] | dict[str, Any]) -> str:
    """A JSON array's or object's canonical text: equal values have equal texts (and are shown by it)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _shown(value: Any) -> str:
    return _json_text(value) if isinstance(value, list | dict) else str(value)


def _row(path: str, ordinal: int) -> list[pa.ChunkedArray]:
    """The ``ordinal``-th row of the Parquet file at ``path``, read from its row group alone."""
    source = pq.ParquetFile(path)
    try:
        for i in range(source.metadata.num_row_groups):
            size = source.metadata.row_group(i).num_rows
            if ordinal < size:
                return cast(list[pa.ChunkedArray], source.read_row_group(i).slice(ordinal, 1).columns)
            ordinal -= size
    finally:
        source.close()
    raise IndexError("no such row")
