"""The matching transaction's reads: whole model rows by hand-written SQL, several statements in one round trip.

``read_together(Read(Order, "SELECT {columns} FROM {table} WHERE offering_id = %s ORDER BY seq", [id]), ...)``
returns ``Order`` instances as ``Order.objects.filter(...)`` would, their values converted by the ORM's own
converters, without compiling a queryset each time (which cost more than the query under the offering's lock).
``related`` reads a joined row into a foreign key's cache, as ``select_related`` does; ``exclude`` leaves bulky
columns unread (deferred: reading one later costs a query). Columns the SQL selects after ``{columns}`` come
back as they are, after the instance.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, models

from config.db.cursors import statement_cursor

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Shape:
    """How one model's columns are selected and turned back into an instance."""

    model: type[models.Model]
    columns: str  # the SELECT list
    attnames: tuple[str, ...]
    converters: tuple[tuple[tuple[Callable[..., Any], ...], Any], ...]  # per column: converters, their expression

    def instance(self, values: Sequence[Any], using: str, connection: Any) -> models.Model:
        converted = list(values)
        for index, (found, expression) in enumerate(self.converters):
            for convert in found:
                converted[index] = convert(converted[index], expression, connection)
        return self.model.from_db(using, self.attnames, converted)


@functools.cache
def _shape(model: type[models.Model], alias: str, exclude: frozenset[str], using: str) -> _Shape:
    connection = connections[using]
    qualifier = f"{connection.ops.quote_name(alias)}." if alias else ""
    fields = [f for f in model._meta.concrete_fields if f.name not in exclude or f.primary_key]
    converters = []
    for f in fields:
        expression = f.get_col(alias or model._meta.db_table)
        found = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        converters.append((tuple(found), expression))
    return _Shape(
        model=model,
        columns=", ".join(qualifier + connection.ops.quote_name(f.column) for f in fields),
        attnames=tuple(f.attname for f in fields),
        converters=tuple(converters),
    )


def _adapt(value: Any, connection: Any) -> Any:
    """A parameter as the ORM would send it (SQLite keeps UUIDs as hex text and times in its own format)."""
    if isinstance(value, uuid.UUID) and not connection.features.has_native_uuid_field:
        return value.hex
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def lock_clause(of: str = "", *, using: str = "default") -> str:
    """`` FOR UPDATE`` (``OF`` the table aliased ``of``: that row only, not the rows it is joined with) where the
    database locks rows; "" on SQLite, whose write lock is the whole database's, taken by BEGIN IMMEDIATE."""
    features = connections[using].features
    if not features.has_select_for_update:
        return ""
    return f" FOR UPDATE OF {of}" if of and features.has_select_for_update_of else " FOR UPDATE"


@dataclass(frozen=True)
class Read:
    """One read for ``read_together``.

    ``{columns}`` in ``sql`` stands for the model's columns (qualified with ``alias``) followed by those of each
    ``related`` foreign key (name -> the alias the SQL joins its table under); ``{table}`` for the model's table.
    ``exclude``: field names left unread, ``"name"`` for the model's and ``"fk__name"`` for a related model's."""

    model: type[models.Model]
    sql: str
    params: Sequence[Any]
    alias: str = ""
    related: Mapping[str, str] | None = None
    exclude: Collection[str] = ()


def read_together(*reads: Read, using: str = "default") -> list[list[tuple[Any, tuple[Any, ...]]]]:
    """Run several reads in one round trip where the database allows it (PostgreSQL: one message of several
    statements), else one after another; their rows, read by read: (instance, the columns selected after the models').

    The statements run in order, each with its own snapshot (PostgreSQL, READ COMMITTED): a row lock the first
    takes is held before the next one reads, which then sees what the lock's previous holder committed."""
    connection = connections[using]
    prepared = [_prepare(read, connection, using) for read in reads]
    together = (
        len(prepared) > 1
        and connection.vendor == "postgresql"
        and not connection.settings_dict["OPTIONS"].get("server_side_binding")
    )  # several statements in one execute need client-side binding (Django's default), and are not prepared
    results: list[list[tuple[Any, tuple[Any, ...]]]] = []
    with connection.cursor() if together else statement_cursor(connection) as cursor:
        if together:
            cursor.execute(";\n".join(sql for sql, _, _ in prepared), [p for _, params, _ in prepared for p in params])
            for index, (_, _, decode) in enumerate(prepared):
                if index:
                    cursor.nextset()
                results.append([decode(row) for row in cursor.fetchall()])
        else:
            for sql, params, decode in prepared:
                cursor.execute(sql, params)
                results.append([decode(row) for row in cursor.fetchall()])
    return results


def _prepare(
    read: Read, connection: Any, using: str
) -> tuple[str, list[Any], Callable[[Sequence[Any]], tuple[Any, tuple[Any, ...]]]]:
    model = read.model
    excluded = frozenset(read.exclude)
    main = _shape(model, read.alias, frozenset(n for n in excluded if "__" not in n), using)
    joined = []
    for name, joined_alias in (read.related or {}).items():
        field = model._meta.get_field(name)
        target = field.related_model
        assert isinstance(target, type)
        drop = frozenset(n.split("__", 1)[1] for n in excluded if n.startswith(f"{name}__"))
        joined.append((field, _shape(target, joined_alias, drop, using)))
    columns = ", ".join([main.columns, *(shape.columns for _, shape in joined)])
    sql = read.sql.format(columns=columns, table=connection.ops.quote_name(model._meta.db_table))

    def decode(row: Sequence[Any]) -> tuple[Any, tuple[Any, ...]]:
        start = len(main.attnames)
        instance = main.instance(row[:start], using, connection)
        for field, shape in joined:
            end = start + len(shape.attnames)
            field.set_cached_value(instance, shape.instance(row[start:end], using, connection))  # type: ignore[union-attr]
            start = end
        return instance, tuple(row[start:])

    return sql, [_adapt(value, connection) for value in read.params], decode
