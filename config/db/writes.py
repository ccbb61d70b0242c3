"""Rows a unit of work writes, sent to the database together when it ends.

A use case that writes many small rows into several apps' tables (``order_place``: the order, the makers' new
counts, the trades, their contracts, acceptances and settlements, every event) would otherwise pay one round trip
per table, and most of its time would be spent waiting on them. Inside ``writes_deferred()`` those writes are
collected instead and sent when the block ends: on PostgreSQL as one statement whose data-modifying CTEs insert and
update every table at once (foreign keys are deferred to COMMIT, so the order of the tables does not matter),
elsewhere as one bulk statement per table.

The code that writes calls ``write_insert`` / ``write_update`` and need not know whether a block is open: without
one, its rows are sent at once, in the same way. A row written this way is not visible to a read in the same block
until the block ends, so defer only what nothing in the block reads back; and one row is inserted or updated once
per block (a statement cannot change the same row twice).

The statements are built from the models' own table and column names (quoted); every value is a parameter.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
import functools
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models, router
from django.db.models.fields import DateField
from django.db.transaction import TransactionManagementError

from config.db.cursors import statement_cursor


@dataclass
class _Group:
    """The rows of one statement: inserts into one table, or updates of the same fields of one table."""

    model: type[models.Model]
    fields: tuple[str, ...]  # attnames; for an insert, every column
    update: bool
    ignore_conflicts: bool
    objs: list[models.Model] = field(default_factory=list)


@dataclass
class _Batch:
    using: str
    groups: dict[tuple[Any, ...], _Group] = field(default_factory=dict)
    rows: set[tuple[type[models.Model], Any]] = field(default_factory=set)  # (model, pk) of each row written
    # The transaction the rows belong to (its outermost atomic block) and the savepoints open when the block
    # began; None for the block a write outside any block opens, which sends its rows at once.
    transaction: Any = None
    savepoints: tuple[str, ...] | None = None

    def check(self) -> None:
        """Refuse a write from a savepoint the block did not begin in: if that savepoint rolled back, its rows
        would still be sent."""
        if self.savepoints is None:
            return
        if _savepoints(self.using) != self.savepoints:
            raise TransactionManagementError(
                "A deferred write inside a savepoint opened within writes_deferred(): open the savepoint outside "
                "the block, or write with the ORM there."
            )

    def claim(self, obj: models.Model) -> None:
        """One write per row and block: one statement cannot change a row twice (PostgreSQL keeps one)."""
        if obj.pk is None:
            return
        row = (type(obj), obj.pk)
        if row in self.rows:
            raise ValueError(f"{type(obj).__name__} {obj.pk} is written twice in one writes_deferred() block.")
        self.rows.add(row)


_current: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("ichiba_deferred_writes", default=None)


@contextmanager
def writes_deferred(*, using: str = "default") -> Iterator[None]:
    """Collect ``write_insert``/``write_update`` calls made inside the block and send them when it ends (not if it
    raises). It runs inside the transaction the rows belong to (``transaction.atomic``), and every write comes
    from that transaction's level, not from a savepoint opened within the block. A nested block joins the outer
    one."""
    if _current.get() is not None:
        yield
        return
    connection = connections[using]
    if not connection.in_atomic_block:
        raise TransactionManagementError("writes_deferred() runs inside transaction.atomic(): its rows belong there.")
    with _collecting(_Batch(using, transaction=connection.atomic_blocks[0], savepoints=_savepoints(using))):
        yield


def _savepoints(using: str) -> tuple[str, ...]:
    """The savepoints open on the connection (an ``atomic(savepoint=False)`` block records None: it has none)."""
    return tuple(sid for sid in connections[using].savepoint_ids if sid is not None)


@contextmanager
def _collecting(batch: _Batch) -> Iterator[None]:
    token = _current.set(batch)
    try:
        yield
    finally:
        _current.reset(token)
    connection = connections[batch.using]
    if batch.transaction is not None and connection.atomic_blocks[:1] != [batch.transaction]:
        raise TransactionManagementError("writes_deferred() outlived the transaction it began in: rows not sent.")
    _flush(batch)


def write_insert(*objs: models.Model, ignore_conflicts: bool = False) -> None:
    """Insert ``objs`` (each a new row with its primary key set, or an auto-increment one left to the database,
    read back when the rows are sent).

    ``ignore_conflicts``: a row whose key already exists is skipped (content-addressed rows)."""
    batch = _current.get()
    if batch is None:
        with _collecting(_Batch(router.db_for_write(type(objs[0])) if objs else "default")):
            write_insert(*objs, ignore_conflicts=ignore_conflicts)
        return
    batch.check()
    for obj in objs:
        batch.claim(obj)
        model = type(obj)
        key = ("insert", model, ignore_conflicts)
        group = batch.groups.get(key)
        if group is None:
            group = batch.groups[key] = _Group(model, _insert_fields(model), False, ignore_conflicts)
        group.objs.append(obj)


def write_update(obj: models.Model, *, fields: Sequence[str]) -> None:
    """Write ``fields`` of ``obj``'s row (by primary key), as ``obj.save(update_fields=fields)`` would."""
    batch = _current.get()
    if batch is None:
        with _collecting(_Batch(router.db_for_write(type(obj)))):
            write_update(obj, fields=fields)
        return
    batch.check()
    batch.claim(obj)
    model = type(obj)
    attnames = tuple(dict.fromkeys(_attnames(model)[name] for name in fields))
    key = ("update", model, attnames)
    group = batch.groups.get(key)
    if group is None:
        group = batch.groups[key] = _Group(model, attnames, True, False)
    group.objs.append(obj)


def insert_unless_exists(obj: models.Model, *, unique: Sequence[str]) -> bool:
    """Insert ``obj`` now unless a row with the same values of the ``unique`` fields (a unique constraint)
    exists; True if this call inserted it (its primary key is then set). Never deferred: the caller decides
    on the answer.

    One statement, ``INSERT ... ON CONFLICT (...) DO NOTHING RETURNING``: unlike ``get_or_create`` or a create
    in a savepoint, no extra round trips and no IntegrityError to survive. A racing insert of the same key
    (PostgreSQL) waits for the other transaction, then inserts nothing if it committed."""
    meta = obj._meta
    connection = connections[router.db_for_write(type(obj))]
    quote = connection.ops.quote_name
    fields = _inserted(type(obj))
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    by_name = {f.name: f.column for f in meta.concrete_fields}
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({', '.join(quote(by_name[name]) for name in unique)}) DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}"
    )
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, connection.alias
    return True


@functools.cache
def _inserted(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    """The fields an insert sends: all but a generated column and a key the database assigns."""
    return tuple(
        f for f in model._meta.concrete_fields if not getattr(f, "generated", False) and not _auto_key_field(f)
    )


def _insert_fields(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in _inserted(model))


@functools.cache
def _attnames(model: type[models.Model]) -> dict[str, str]:
    """Field name -> attname (``offering`` -> ``offering_id``)."""
    return {f.name: f.attname for f in model._meta.concrete_fields}


def _auto_key_field(field: Any) -> bool:
    return bool(field.primary_key) and isinstance(field, models.AutoField)


# --- sending ------------------------------------------------------------------------------------------------------


def _flush(batch: _Batch) -> None:
    groups = [group for group in batch.groups.values() if group.objs]
    if not groups:
        return
    for group in groups:
        _stamp(group)
    connection = connections[batch.using]
    if connection.vendor != "postgresql":
        for group in groups:
            manager = group.model._default_manager.db_manager(router.db_for_write(group.model))
            if group.update:
                names = {attname: name for name, attname in _attnames(group.model).items()}
                manager.bulk_update(group.objs, [names[a] for a in group.fields])
            else:
                manager.bulk_create(group.objs, ignore_conflicts=group.ignore_conflicts)
        return
    statements = []
    params = []
    keyed = []  # (index, group): inserts whose auto-increment keys the database assigns, read back
    for index, group in enumerate(groups):
        rows = len(group.objs) if group.update else 0  # (only an update's statement depends on the count)
        returning = not group.update and not group.ignore_conflicts and _auto_key_field(group.model._meta.pk)
        statement = _statement(group.model, group.fields, group.update, group.ignore_conflicts, rows, returning)
        statements.append(f"w{index} AS ({statement})")
        params.append(_rows_json(group))
        if returning:
            keyed.append((index, group))
    # Each CTE returns its keys in the order its rows were given (one scan of the JSON array, as bulk_create's
    # multi-row VALUES relies on too).
    main = " UNION ALL ".join(f"SELECT {i} AS g, pk FROM w{i}" for i, _ in keyed) or "SELECT 1, NULL"  # noqa: S608
    with statement_cursor(connection) as cursor:
        cursor.execute(f"WITH {', '.join(statements)} {main}", params)
        returned = cursor.fetchall()
    keys: dict[int, list[Any]] = {}
    for index, pk in returned:
        keys.setdefault(index, []).append(pk)
    for index, group in keyed:
        for obj, pk in zip(group.objs, keys.get(index, []), strict=True):
            obj.pk = pk
    for group in groups:  # as save() leaves them: a later save() updates the row instead of inserting it again
        if not group.update:
            for obj in group.objs:
                obj._state.adding, obj._state.db = False, connection.alias


def _stamp(group: _Group) -> None:
    """Fill ``auto_now``/``auto_now_add`` times as ``save()`` would (``pre_save``)."""
    stamped = [
        f
        for f in group.model._meta.concrete_fields
        if isinstance(f, DateField)
        and f.attname in group.fields
        and (getattr(f, "auto_now", False) or (not group.update and getattr(f, "auto_now_add", False)))
    ]
    for obj in group.objs:
        for f in stamped:
            f.pre_save(obj, add=not group.update)


@functools.lru_cache(maxsize=256)
def _statement(
    model: type[models.Model], fields: tuple[str, ...], update: bool, ignore_conflicts: bool, rows: int, returning: bool
) -> str:
    # S608 below: identifiers come from the models' metadata, quoted; the rows are the one parameter.
    meta = model._meta
    table = _quote(meta.db_table)
    columns = {f.attname: f.column for f in meta.concrete_fields}
    if update:
        pk = _quote(meta.pk.column)
        assignments = ", ".join(f"{_quote(columns[a])} = v.{_quote(columns[a])}" for a in fields)
        # LIMIT: the planner's estimate of a set-returning function is 100 rows, enough to choose a scan of the
        # whole table over its primary key's index; the row count tells it what it is.
        return (
            f"UPDATE {table} AS t SET {assignments} "  # noqa: S608
            f"FROM (SELECT * FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) LIMIT {rows}) AS v "
            f"WHERE t.{pk} = v.{pk}"
        )
    names = ", ".join(_quote(columns[a]) for a in fields)
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    return (
        f"INSERT INTO {table} ({names}) "  # noqa: S608
        f"SELECT {names} FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb){conflict}"
        + (f" RETURNING {_quote(meta.pk.column)} AS pk" if returning else "")
    )


def _rows_json(group: _Group) -> str:
    meta = group.model._meta
    columns = {f.attname: f.column for f in meta.concrete_fields}
    attnames = group.fields if not group.update else (meta.pk.attname, *group.fields)
    keys = [(a, columns[a]) for a in attnames]
    rows = [{column: getattr(obj, attname) for attname, column in keys} for obj in group.objs]
    return json.dumps(rows, ensure_ascii=False, default=_json_value, separators=(",", ":"))


def _json_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a deferred write")
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} in a deferred write")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
