"""What is made of a version's file once it is published: its quality figures (``catalog.quality``) and its
renditions, the same data in the other formats a buyer may download (``?format=parquet|csv``), each an ordinary
file with its own size and checksum.

One streaming pass over the validated file does it all (``profile_file``): the file is read a block at a time by
Arrow (CSV through its streaming reader, cp932 transcoded on the way; Parquet a batch at a time; JSON Lines a
block of lines at a time with :mod:`json`, because validation's types, not Arrow's inference, decide a column's
type and nested values become their JSON text), each block is typed as validation typed the column, and then

* appended to the renditions: a Parquet file for a CSV or JSON Lines original (integer -> int64, number ->
  float64, boolean -> bool, date -> date32, datetime -> timestamp[us], UTC when the values carry an offset,
  string and nested values -> string), a CSV file (UTF-8, a header, RFC 4180 quoting, CRLF) for a Parquet or
  JSON Lines original; never one in the original's own format;
* counted: rows, empty cells, the exact distinct values of each column up to ``DISTINCT_EXACT_UP_TO`` (kept as one
  Arrow array of at most that many values, and at most ``_DISTINCT_BYTES`` of them), smallest and largest values;
* for IoT data, its (sensor, timestamp) pairs spilled to a Parquet file of their own.

After the pass, DuckDB estimates the distinct values (HyperLogLog, ``approx_count_distinct``) of the columns past
the exact bound by reading the Parquet file (the rendition or the original), and computes the gaps between one
sensor's consecutive readings (window ``LAG`` over the spilled pairs, sorted out of core within
``_DUCKDB_MEMORY`` and spilling to ``work_dir``). Memory therefore stays bounded by the blocks, one Parquet row
group being written, the distinct arrays and DuckDB's limit, whatever the file's size (``tests/bench/profile.py``
measures the peak RSS on a gigabyte; ADR 15 says why this engine).

A column that validation typed but Arrow cannot hold as that type (an integer past int64, a date-time column
whose values carry an offset only after the first block, or mix both) is discovered mid-pass; the pass is then
run again with that column held as text (or as the date-time kind its values have), which is rare and costs one
more read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from catalog.quality import DISTINCT_EXACT_UP_TO, SENSOR_COLUMN_NAMES, ColumnQuality, Gap, Quality, Timing
from catalog.validation._timestamps import named_timestamp_column

logger = logging.getLogger(__name__)

# Bytes of text Arrow's CSV reader turns into one batch, and lines of JSON Lines parsed as one block.
_BLOCK_BYTES: Final = 4 << 20
_PARQUET_BATCH_ROWS: Final = 64 * 1024
# A Parquet rendition's row groups: written once this many rows or bytes of typed data are buffered.
_ROW_GROUP_ROWS: Final = 128 * 1024
_ROW_GROUP_BYTES: Final = 16 << 20
# Memory the distinct values of one column may take before its count becomes an estimate, even below the bound.
_DISTINCT_BYTES: Final = 32 << 20
# Gaps up to this many are put in order exactly for their median and 99th percentile; past it DuckDB's t-digest
# (approx_quantile) estimates both, within a fraction of a percent in rank.
EXACT_QUANTILES_UP_TO: Final = 1_000_000
_DUCKDB_MEMORY: Final = "128MB"
_HASH_CHUNK: Final = 1 << 20

_TIMESTAMP_NAIVE: Final = pa.timestamp("us")
_TIMESTAMP_UTC: Final = pa.timestamp("us", tz="UTC")
_ARROW_TYPES: Final[dict[str, pa.DataType]] = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": _TIMESTAMP_NAIVE,
    "string": pa.string(),
}
_RANGED: Final = frozenset({"integer", "number", "date", "datetime"})
_INT64_BOUNDS: Final = (-(2**63), 2**63 - 1)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class RenditionFile:
    """One converted file, written to a temporary path the caller moves into storage (and removes)."""

    file_format: str  # a catalog.models.FileFormat value other than the original's
    path: Path
    size_bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Profile:
    quality: Quality
    renditions: list[RenditionFile]


class ProfileError(Exception):
    """The file cannot be profiled (it is not what validation said it was)."""


class _Retype(Exception):
    """A column must be held as another Arrow type than the one chosen; the pass starts again."""

    def __init__(self, name: str, arrow_type: pa.DataType) -> None:
        super().__init__(f"column {name!r} is held as {arrow_type}")
        self.name = name
        self.arrow_type = arrow_type


RENDITIONS: Final[dict[str, tuple[str, ...]]] = {
    "csv": ("parquet",),
    "jsonl": ("parquet", "csv"),
    "parquet": ("csv",),
}


def profile_file(
    path: Path,
    *,
    fmt: str,
    schema: list[dict[str, Any]],
    encoding: str | None,
    published_at: datetime,
    work_dir: Path,
    data_class: str = "iot",
) -> Profile:
    """Measure the validated file at ``path`` (format ``fmt``, columns ``schema`` as validation typed them, text
    in ``encoding`` for CSV) and convert it to the formats a buyer may ask for, in bounded memory.

    ``data_class`` other than ``"iot"`` skips the timing figures (anonymised data has no sensors). The renditions
    are written in ``work_dir``, which the caller removes."""
    if fmt not in RENDITIONS:
        raise ValueError(f"fmt must be one of {', '.join(RENDITIONS)}, not {fmt!r}")
    if not schema:
        raise ProfileError("the version has no schema: it was not published")
    overrides: dict[str, pa.DataType] = {}
    for _attempt in range(len(schema) + 2):
        run = _Pass(path, fmt=fmt, schema=schema, encoding=encoding, work_dir=work_dir, overrides=overrides)
        try:
            run.read(timing=data_class == "iot")
        except _Retype as exc:
            run.discard()
            if overrides.get(exc.name) == exc.arrow_type:
                raise ProfileError(f"column {exc.name!r} cannot be held as {exc.arrow_type}") from exc
            logger.info("profiling %s: %s; reading it again", path.name, exc)
            overrides[exc.name] = exc.arrow_type
            continue
        return run.finish(published_at)
    raise ProfileError("the columns' types could not be settled")


# --- the pass -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _ColumnStats:
    name: str
    kind: str
    nulls: int = 0
    low: Any = None
    high: Any = None
    distinct: pa.Array | None = None  # the distinct values seen so far, while exact
    exact: bool = True
    at_least: int = 0  # distinct values known when counting stopped being exact: the estimate's floor

    def add(self, column: pa.Array) -> None:
        self.nulls += column.null_count
        if self.kind in _RANGED and column.null_count < len(column):
            extremes = pc.min_max(column)
            low, high = extremes["min"].as_py(), extremes["max"].as_py()
            if low is not None:
                self.low = low if self.low is None or low < self.low else self.low
                self.high = high if self.high is None or high > self.high else self.high
        if self.exact:
            present = column.drop_null() if column.null_count else column
            seen = pc.unique(present)
            if self.distinct is not None:
                seen = pc.unique(pa.concat_arrays([self.distinct, seen]))
            if len(seen) > DISTINCT_EXACT_UP_TO or seen.nbytes > _DISTINCT_BYTES:
                self.exact, self.distinct, self.at_least = False, None, len(seen)
            else:
                self.distinct = seen


class _Pass:
    """One read of the file: typed batches, the renditions written, the figures counted."""

    def __init__(
        self,
        path: Path,
        *,
        fmt: str,
        schema: list[dict[str, Any]],
        encoding: str | None,
        work_dir: Path,
        overrides: dict[str, pa.DataType],
    ) -> None:
        self.path = path
        self.fmt = fmt
        self.encoding = encoding
        self.work_dir = work_dir
        self.names = [str(column["name"]) for column in schema]
        self.kinds = [str(column["type"]) for column in schema]
        self.overrides = overrides
        self.targets = [overrides.get(name, _ARROW_TYPES.get(kind, pa.string())) for name, kind in self._columns()]
        self.stats = [_ColumnStats(name, kind) for name, kind in self._columns()]
        self.rows = 0
        self.writers: dict[str, _Writer] = {}
        self.timing: _TimingSpill | None = None
        self.settled: set[int] = set()  # date-time columns whose kind (naive or UTC) values have confirmed

    def _columns(self) -> Iterator[tuple[str, str]]:
        return zip(self.names, self.kinds, strict=True)

    # --- driver ---

    def read(self, *, timing: bool) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        batches = self._batches()
        first = next(batches, None)
        if first is not None:
            self._settle_datetimes(first)
        schema = pa.schema([pa.field(name, target) for name, target in zip(self.names, self.targets, strict=True)])
        for file_format in RENDITIONS[self.fmt]:
            self.writers[file_format] = _Writer(file_format, self.work_dir / f"rendition.{file_format}", schema)
        if timing:
            self.timing = _TimingSpill.start(self.names, self.kinds, schema, self.work_dir)
        try:
            if first is not None:
                self._take(first)
                for batch in batches:
                    self._take(batch)
        finally:
            for writer in self.writers.values():
                writer.close()
            if self.timing is not None:
                self.timing.close()

    def discard(self) -> None:
        for writer in self.writers.values():
            writer.close()
            writer.path.unlink(missing_ok=True)
        if self.timing is not None:
            self.timing.close()
            self.timing.path.unlink(missing_ok=True)

    def _take(self, raw: pa.RecordBatch) -> None:
        batch = self._typed(raw)
        self.rows += batch.num_rows
        for j, stats in enumerate(self.stats):
            stats.add(batch.column(j))
        for writer in self.writers.values():
            writer.write(batch)
        if self.timing is not None:
            self.timing.add(batch)

    # --- reading: batches of text (CSV), Python values (JSON Lines) or native types (Parquet) ---

    def _batches(self) -> Iterator[pa.RecordBatch]:
        if self.fmt == "csv":
            return self._csv()
        if self.fmt == "jsonl":
            return self._jsonl()
        return self._parquet()

    def _csv(self) -> Iterator[pa.RecordBatch]:
        encoding = "cp932" if self.encoding == "cp932" else "utf8"
        reader = pacsv.open_csv(
            self.path,
            read_options=pacsv.ReadOptions(block_size=_BLOCK_BYTES, use_threads=False, encoding=encoding),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                check_utf8=True,
                # An empty cell is an absent value, as validation reads it (the schema's "nullable").
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                column_types=dict.fromkeys(self.names, pa.string()),
            ),
        )
        if list(reader.schema.names) != self.names:
            raise ProfileError(f"the header {reader.schema.names!r} is not the validated schema's")
        yield from reader

    def _jsonl(self) -> Iterator[pa.RecordBatch]:
        block: list[bytes] = []
        size = 0
        with self.path.open("rb") as stream:
            for line in stream:
                if not line.strip():
                    continue
                block.append(line)
                size += len(line)
                if size >= _BLOCK_BYTES:
                    yield self._json_block(block)
                    block, size = [], 0
        if block:
            yield self._json_block(block)

    def _json_block(self, lines: list[bytes]) -> pa.RecordBatch:
        objects = list(map(json.loads, lines))
        arrays = []
        for name, kind, target in zip(self.names, self.kinds, self.targets, strict=True):
            values = [obj.get(name) for obj in objects]
            if kind in ("date", "datetime") or pa.types.is_string(target):
                arrays.append(pa.array([_json_text(value) for value in values], pa.string()))
            elif kind == "integer" and pa.types.is_integer(target):
                try:
                    arrays.append(pa.array(values, pa.int64()))
                except (OverflowError, pa.ArrowInvalid) as exc:
                    raise _Retype(name, pa.string()) from exc
            else:
                arrays.append(pa.array(values, target))
        return pa.RecordBatch.from_arrays(arrays, names=self.names)

    def _parquet(self) -> Iterator[pa.RecordBatch]:
        parquet = pq.ParquetFile(self.path)
        if list(parquet.schema_arrow.names) != self.names:
            raise ProfileError("the file's columns are not the validated schema's")
        yield from parquet.iter_batches(batch_size=_PARQUET_BATCH_ROWS, use_threads=False)

    # --- typing ---

    def _settle_datetimes(self, first: pa.RecordBatch) -> None:
        """A date-time column is held with an offset (as UTC) when its first value has one, else without."""
        for j, (name, kind) in enumerate(self._columns()):
            if kind != "datetime" or name in self.overrides:
                continue
            column = first.column(j)
            if pa.types.is_timestamp(column.type):  # Parquet: the file says
                self.targets[j] = pa.timestamp("us", tz="UTC") if column.type.tz else _TIMESTAMP_NAIVE
                self.settled.add(j)
                continue
            present = column.drop_null()
            if len(present):
                self.targets[j] = _TIMESTAMP_UTC if _has_offset(str(present[0].as_py())) else _TIMESTAMP_NAIVE
                self.settled.add(j)

    def _typed(self, raw: pa.RecordBatch) -> pa.RecordBatch:
        arrays = []
        for j, (name, kind) in enumerate(self._columns()):
            column = raw.column(j)
            if pa.types.is_dictionary(column.type):
                column = column.dictionary_decode()
            arrays.append(self._convert(j, name, kind, column))
        return pa.RecordBatch.from_arrays(arrays, schema=self._schema())

    def _schema(self) -> pa.Schema:
        return pa.schema([pa.field(name, target) for name, target in zip(self.names, self.targets, strict=True)])

    def _convert(self, j: int, name: str, kind: str, column: pa.Array) -> pa.Array:
        target = self.targets[j]
        if column.type == target:
            return column
        if pa.types.is_string(target):
            return _as_text(column)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            try:
                return column.cast(target)  # Parquet: a native type held in the market's
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise _Retype(name, pa.string()) from None
        if kind in ("integer", "number"):
            return _numbers(name, column, target)
        if kind == "boolean":
            return pc.equal(pc.utf8_lower(column), "true")
        if kind == "date":
            return _dates(name, column)
        if kind == "datetime":
            converted = _datetimes(name, column, target, settled=j in self.settled)
            if converted.null_count < len(converted):
                self.settled.add(j)
            return converted
        return column.cast(target)

    # --- the figures ---

    def finish(self, published_at: datetime) -> Profile:
        renditions = [writer.rendition() for writer in self.writers.values()]
        parquet = self.path if self.fmt == "parquet" else self.writers["parquet"].path
        estimates = _estimate_distinct(parquet, [stats.name for stats in self.stats if not stats.exact], self.work_dir)
        columns = [self._column_quality(stats, estimates) for stats in self.stats]
        timing = self.timing.result(published_at, self.work_dir) if self.timing is not None else None
        quality: Quality = {"rows": self.rows, "columns": columns, "timing": timing}
        return Profile(quality=quality, renditions=renditions)

    def _column_quality(self, stats: _ColumnStats, estimates: dict[str, int]) -> ColumnQuality:
        distinct = len(stats.distinct) if stats.exact and stats.distinct is not None else 0
        if not stats.exact:
            # HyperLogLog may guess below a count already known.
            distinct = max(estimates.get(stats.name, 0), stats.at_least)
        return {
            "name": stats.name,
            "type": stats.kind,  # type: ignore[typeddict-item]  # validation's ColumnType
            "null_count": stats.nulls,
            "null_rate": round(stats.nulls / self.rows, 6) if self.rows else 0.0,
            "distinct": distinct,
            "distinct_approximate": not stats.exact,
            "min": _figure(stats.low),
            "max": _figure(stats.high),
        }


# --- conversions ----------------------------------------------------------------------------------------


def _has_offset(text: str) -> bool:
    return text.endswith(("Z", "z")) or (len(text) > 16 and ("+" in text[16:] or "-" in text[16:]))


def _numbers(name: str, column: pa.Array, target: pa.DataType) -> pa.Array:
    """Integers and numbers of validation's grammar (a leading "+" allowed, ``.5``, ``2.``, exponents)."""
    unsigned = pc.replace_substring_regex(column, r"^\+", "")
    try:
        return unsigned.cast(target)
    except pa.ArrowInvalid:
        pass
    convert: Callable[[str], Any] = int if pa.types.is_integer(target) else float
    values = [None if value is None else convert(value) for value in unsigned.to_pylist()]
    if pa.types.is_integer(target):
        low, high = _INT64_BOUNDS
        if any(value is not None and not low <= value <= high for value in values):
            raise _Retype(name, pa.string())
    return pa.array(values, target)


def _dates(name: str, column: pa.Array) -> pa.Array:
    try:
        return column.cast(pa.date32())
    except pa.ArrowInvalid:
        values = [None if value is None else date.fromisoformat(value) for value in column.to_pylist()]
        return pa.array(values, pa.date32())


def _datetimes(name: str, column: pa.Array, target: pa.DataType, *, settled: bool) -> pa.Array:
    """Date-times as ``target`` (naive or UTC). A value of the other kind makes the column text when the kind
    was settled by earlier values, else the other kind."""
    try:
        return column.cast(target)
    except pa.ArrowInvalid:
        pass
    aware = target.tz is not None
    values: list[datetime | None] = []
    for text in column.to_pylist():
        if text is None:
            values.append(None)
            continue
        parsed = datetime.fromisoformat(text)
        if (parsed.tzinfo is not None) != aware:
            raise _Retype(name, pa.string() if settled else (_TIMESTAMP_NAIVE if aware else _TIMESTAMP_UTC))
        values.append(parsed.astimezone(UTC) if aware else parsed)
    return pa.array(values, target)


def _as_text(column: pa.Array) -> pa.Array:
    """Any column as text: nested values as their JSON text, the rest as Arrow writes them."""
    if pa.types.is_string(column.type):
        return column
    if pa.types.is_large_string(column.type) or pa.types.is_string_view(column.type):
        return column.cast(pa.string())
    if pa.types.is_nested(column.type) or pa.types.is_decimal(column.type):
        return pa.array([_json_text(value) for value in column.to_pylist()], pa.string())
    try:
        return column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([_json_text(value) for value in column.to_pylist()], pa.string())


def _json_text(value: Any) -> str | None:
    """A JSON or Parquet value as a text cell: text as it is, anything else as its JSON text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return json.dumps(_plain(value), ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time_of_day):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _figure(value: Any) -> int | float | str | None:
    """A smallest or largest value as the quality dictionary holds it (JSON: no NaN, dates as text)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float):
        return value
    return None


# --- the renditions -------------------------------------------------------------------------------------


class _Writer:
    """A rendition being written: Parquet in row groups of ``_ROW_GROUP_ROWS``, CSV a batch at a time."""

    def __init__(self, file_format: str, path: Path, schema: pa.Schema) -> None:
        self.file_format = file_format
        self.path = path
        self.buffered: list[pa.RecordBatch] = []
        self.buffered_rows = 0
        self.buffered_bytes = 0
        self.closed = False
        self.schema = schema
        self.parquet: pq.ParquetWriter | None = None
        self.csv: pacsv.CSVWriter | None = None
        if file_format == "parquet":
            self.parquet = pq.ParquetWriter(path, schema, compression="zstd")
        else:
            self.csv = pacsv.CSVWriter(
                path, _csv_schema(schema), write_options=pacsv.WriteOptions(eol="\r\n", quoting_style="needed")
            )

    def write(self, batch: pa.RecordBatch) -> None:
        if self.csv is not None:
            self.csv.write_batch(_csv_batch(batch))
            return
        self.buffered.append(batch)
        self.buffered_rows += batch.num_rows
        self.buffered_bytes += batch.nbytes
        if self.buffered_rows >= _ROW_GROUP_ROWS or self.buffered_bytes >= _ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self.buffered and self.parquet is not None:
            self.parquet.write_table(pa.Table.from_batches(self.buffered), row_group_size=self.buffered_rows)
        self.buffered, self.buffered_rows, self.buffered_bytes = [], 0, 0

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.parquet is not None:
            try:
                self._flush()
            finally:
                self.parquet.close()
        if self.csv is not None:
            self.csv.close()

    def rendition(self) -> RenditionFile:
        digest = hashlib.sha256()
        with self.path.open("rb") as stream:
            while chunk := stream.read(_HASH_CHUNK):
                digest.update(chunk)
        return RenditionFile(
            file_format=self.file_format,
            path=self.path,
            size_bytes=self.path.stat().st_size,
            sha256=digest.hexdigest(),
        )


def _csv_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, _csv_type(f.type)) for f in schema])


def _csv_type(arrow_type: pa.DataType) -> pa.DataType:
    """Types Arrow's CSV writer cannot write (nested values, binary, durations...) go out as text."""
    if (
        pa.types.is_integer(arrow_type)
        or pa.types.is_floating(arrow_type)
        or pa.types.is_boolean(arrow_type)
        or pa.types.is_date(arrow_type)
        or (pa.types.is_timestamp(arrow_type) and arrow_type.tz is None)
        or pa.types.is_string(arrow_type)
    ):
        return arrow_type
    return pa.string()


def _csv_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    arrays = [_csv_column(column) for column in batch.columns]
    return pa.RecordBatch.from_arrays(arrays, schema=_csv_schema(batch.schema))


def _csv_column(column: pa.Array) -> pa.Array:
    if pa.types.is_timestamp(column.type) and column.type.tz is not None:
        return _utc_text(column)
    return column if column.type == _csv_type(column.type) else _as_text(column)


def _utc_text(column: pa.Array) -> pa.Array:
    """Date-times with an offset as UTC text (``2024-01-31 14:50:00.000000Z``): Arrow's CSV writer formats a
    time-zone-aware column ten times slower than this (12 s against 1.3 s a million rows, measured)."""
    wall = column.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()).cast(_TIMESTAMP_NAIVE)
    return pc.binary_join_element_wise(wall.cast(pa.string()), pa.scalar("Z"), "")


# --- distinct estimates ---------------------------------------------------------------------------------


def _duckdb(work_dir: Path) -> Any:
    from catalog.validation._duckdb import connect  # DuckDB is loaded by a profiling worker only

    spill = work_dir / "duckdb"
    spill.mkdir(exist_ok=True)
    return connect(memory_limit=_DUCKDB_MEMORY, temp_directory=str(spill))


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _estimate_distinct(parquet: Path, names: list[str], work_dir: Path) -> dict[str, int]:
    """HyperLogLog estimates of the distinct values of ``names``, read from a Parquet file by DuckDB."""
    if not names:
        return {}
    connection = _duckdb(work_dir)
    try:
        figures = ", ".join(f"approx_count_distinct({_sql_name(name)})" for name in names)
        # Names and paths are quoted as SQL identifiers and literals (_sql_name, _sql_text).
        query = f"SELECT {figures} FROM read_parquet({_sql_text(str(parquet))})"  # noqa: S608
        row = connection.execute(query).fetchone()
    finally:
        connection.close()
    return {name: int(value or 0) for name, value in zip(names, row or (), strict=True)}


# --- timing ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _TimingSpill:
    """The (sensor, timestamp) of every reading, spilled to Parquet during the pass for DuckDB's window."""

    path: Path
    timestamp_index: int
    timestamp_column: str
    sensor_index: int | None
    sensor_column: str | None
    aware: bool
    writer: pq.ParquetWriter
    readings: int = 0
    newest: int | None = None
    closed: bool = field(default=False)

    @classmethod
    def start(cls, names: list[str], kinds: list[str], schema: pa.Schema, work_dir: Path) -> _TimingSpill | None:
        chosen = named_timestamp_column(names)
        if chosen is None:
            chosen = next((j for j, kind in enumerate(kinds) if kind == "datetime"), None)
        if chosen is None:
            return None
        held = schema.field(chosen).type
        if not (pa.types.is_timestamp(held) or pa.types.is_date(held)):
            return None  # held as text (mixed offsets): not a time line
        lowered = [name.lower() for name in names]
        sensor = next((lowered.index(name) for name in SENSOR_COLUMN_NAMES if name in lowered), None)
        path = work_dir / "readings.parquet"
        spill_schema = pa.schema([("s", pa.string()), ("t", pa.int64())])
        return cls(
            path=path,
            timestamp_index=chosen,
            timestamp_column=names[chosen],
            sensor_index=sensor,
            sensor_column=names[sensor] if sensor is not None else None,
            aware=pa.types.is_timestamp(held) and held.tz is not None,
            writer=pq.ParquetWriter(path, spill_schema, compression="zstd"),
        )

    def add(self, batch: pa.RecordBatch) -> None:
        stamps = batch.column(self.timestamp_index)
        if pa.types.is_date(stamps.type):
            stamps = stamps.cast(_TIMESTAMP_NAIVE)
        micros = stamps.cast(pa.timestamp("us", tz=stamps.type.tz)).cast(pa.int64())
        present = pc.is_valid(micros)
        if self.sensor_index is not None:
            sensors = _as_text(batch.column(self.sensor_index))
        else:
            sensors = pa.nulls(len(micros), pa.string())
        if micros.null_count:
            micros, sensors = micros.filter(present), sensors.filter(present)
        if not len(micros):
            return
        self.readings += len(micros)
        newest = pc.max(micros).as_py()
        self.newest = newest if self.newest is None else max(self.newest, newest)
        self.writer.write_table(pa.table({"s": sensors, "t": micros}), row_group_size=_ROW_GROUP_ROWS)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.writer.close()

    def _moment(self, micros: int) -> datetime:
        moment = _EPOCH + timedelta(microseconds=micros)
        return moment if self.aware else moment.replace(tzinfo=None)

    def result(self, published_at: datetime, work_dir: Path) -> Timing | None:
        if self.newest is None:
            return None
        newest = self._moment(self.newest)
        # A reading without an offset is read in the market's time zone, the only one it can mean here.
        newest_aware = newest if self.aware else newest.replace(tzinfo=_market_zone())
        connection = _duckdb(work_dir)
        try:
            source = f"read_parquet({_sql_text(str(self.path))})"
            # The source is our own spill file's path, quoted as an SQL literal (_sql_text).
            sensors_row = connection.execute(
                f"SELECT count(*) FROM (SELECT DISTINCT s FROM {source})"  # noqa: S608
            ).fetchone()
            sensors = int(sensors_row[0]) if sensors_row else 0
            gaps = self.readings - sensors
            quantile = "quantile_cont" if gaps <= EXACT_QUANTILES_UP_TO else "approx_quantile"
            row = connection.execute(
                f"""
                WITH g AS (SELECT s, lag(t) OVER (PARTITION BY s ORDER BY t) AS prev, t FROM {source})
                SELECT {quantile}(t - prev, 0.5)::DOUBLE, {quantile}(t - prev, 0.99)::DOUBLE,
                       arg_max(s, t - prev), arg_max(prev, t - prev), arg_max(t, t - prev), max(t - prev)
                FROM g WHERE prev IS NOT NULL
                """  # noqa: S608
            ).fetchone()
        finally:
            connection.close()
        assert row is not None
        median, p99, sensor, start, end, largest = row
        gap: Gap | None = None
        if largest is not None:
            gap = {
                "sensor": sensor,
                "start": self._moment(start).isoformat(),
                "end": self._moment(end).isoformat(),
                "seconds": largest / 1_000_000,
            }
        return {
            "timestamp_column": self.timestamp_column,
            "sensor_column": self.sensor_column,
            "sensors": sensors,
            "interval_median_seconds": None if median is None else median / 1_000_000,
            "interval_p99_seconds": None if p99 is None else p99 / 1_000_000,
            "largest_gap": gap,
            "newest_reading": newest.isoformat(),
            "freshness_seconds": (published_at - newest_aware).total_seconds(),
        }


def _market_zone() -> ZoneInfo:
    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)
