"""The matching transaction's rows, written in one explicit step: ``rows_write``.

A trading order writes many small rows into several apps' tables (the order, the makers' new counts, the trades,
their contracts, acceptances and events, the settlements and theirs, the offering's counters). Written one
statement per table, most of the order's time was spent waiting on round trips while the offering's row lock was
held. ``order_place`` and ``order_rematch`` collect the rows they and the code they call compute (contracts and
the trade subscribers hand theirs back) and give them all to ``rows_write``: on PostgreSQL one statement whose
data-modifying CTEs insert and update every table at once (foreign keys are deferred to COMMIT, so the order of
the tables does not matter), elsewhere one ``bulk_create`` / ``bulk_update`` per table.

Nothing here is ambient: a row reaches the database when, and only when, the caller passes it. One statement
cannot change the same row twice, so each row is given once. The statement is built from the models' own table
and column names (quoted); every value is a parameter (one JSON array per table).
"""

from __future__ import annotations

import datetime
import decimal
import functools
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models
from django.db.models.fields import DateField
from django.db.models.fields.files import FieldFile
from django.db.transaction import TransactionManagementError

from config.db.cursors import statement_cursor

Change = tuple[models.Model, Sequence[str]]  # a row already stored and the fields (names) to write of it


@dataclass
class _Group:
    """The rows of one statement: inserts into one table, or updates of the same fields of one table."""

    model: type[models.Model]
    fields: tuple[str, ...]  # attnames; for an insert, every column
    update: bool
    ignore_conflicts: bool
    objs: list[models.Model] = field(default_factory=list)


def rows_write(
    *,
    inserts: Sequence[models.Model],
    updates: Sequence[Change] = (),
    inserts_if_absent: Sequence[models.Model] = (),
    using: str = "default",
) -> None:
    """Write the rows of one unit of work together, inside the caller's transaction.

    ``inserts``: new rows, each with its primary key set or an auto-increment one left to the database (read back).
    ``updates``: ``(row, fields)``: those fields of a stored row, by primary key, as ``save(update_fields=...)``.
    ``inserts_if_absent``: new rows skipped where their key exists already (content-addressed rows).
    ``auto_now`` / ``auto_now_add`` times are stamped as ``save()`` stamps them. Each row is given once."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise TransactionManagementError("rows_write() runs inside transaction.atomic(): its rows belong there.")
    groups: dict[tuple[Any, ...], _Group] = {}
    seen: set[tuple[type[models.Model], Any]] = set()

    def claim(obj: models.Model) -> None:
        if obj.pk is None:
            return
        row = (type(obj), obj.pk)
        if row in seen:
            raise ValueError(f"{type(obj).__name__} {obj.pk} is given twice to one rows_write().")
        seen.add(row)

    for objs, ignore_conflicts in ((inserts_if_absent, True), (inserts, False)):
        for obj in objs:
            claim(obj)
            model = type(obj)
            key: tuple[Any, ...] = ("insert", model, ignore_conflicts)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(model, _insert_fields(model), False, ignore_conflicts)
            group.objs.append(obj)
    for obj, names in updates:
        claim(obj)
        model = type(obj)
        attnames = tuple(dict.fromkeys(_attnames(model)[name] for name in names))
        key = ("update", model, attnames)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(model, attnames, True, False)
        group.objs.append(obj)
    _send([group for group in groups.values() if group.objs], connection)


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


def _send(groups: list[_Group], connection: Any) -> None:
    if not groups:
        return
    for group in groups:
        _stamp(group)
    if connection.vendor != "postgresql":
        for group in groups:
            manager = group.model._default_manager.db_manager(connection.alias)
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
            raise ValueError("naive datetime in rows_write()")
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):  # a file field stores its file's name ("" for none)
        return value.name or ""
    raise TypeError(f"rows_write() cannot send {type(value).__name__}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
